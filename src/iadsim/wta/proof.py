"""Optimality certificates of the ``columns`` solver: write them, check them.

A certificate (JSON, ``"format": "iadsim-wta-proof"``) holds

- ``instance``: the instance's name and a SHA-256 digest of its numbers
  (:func:`problem_digest`), so a certificate is checked against the right data;
- ``assignment``: the solution (weapon, target, rounds) and its ``objective``;
- ``bound`` and how it was obtained, ``proof``:

  - ``"lagrangian"``: ``prices`` u >= 0 with L(u) = sum_j min_a (c_j(a) + u.a)
    - u.counts = ``lagrangian``. Anyone can recompute L(u): each inner minimum
    is over one target's allocations only.
  - ``"enumeration"``: besides, a ``threshold`` T and ``reach`` = L(u) + T:
    every assignment with objective below the reach uses, at every target, an
    allocation whose reduced cost at u is at most T (objective(x) >= L(u) +
    sum_j rc_j(a_j), each rc_j >= 0). ``columns`` is how many such allocations
    exist, and the MIP over exactly those columns has optimum (dual bound)
    ``final_mip_bound`` (found by HiGHS); the bound is min(reach, that). The
    check lists them again and re-solves that MIP.

:func:`verify` re-evaluates the objective exactly from the assignment,
recomputes L(u) by exhaustive search, and (``resolve=True``) repeats the
enumeration and the MIP; without ``resolve`` the bound it reports is L(u).
The bound is proven up to floating-point rounding (relative 1e-9) and, for
``"enumeration"``, HiGHS's tolerances on the final MIP.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.wta.columns import PricingData, enumerate_columns, lagrangian_bound, solve_master
from iadsim.wta.problem import Problem
from iadsim.wta.solution import Solution

__all__ = ["FORMAT", "certificate", "problem_digest", "read_certificate", "verify", "write"]

FORMAT = "iadsim-wta-proof"
VERSION = 1


def problem_digest(problem: Problem) -> str:
    """SHA-256 of the instance's numbers (values, pk, counts, costs, weight, limits)."""
    h = hashlib.sha256()
    for array in (problem.values, problem.pk, problem.counts, problem.costs):
        h.update(np.ascontiguousarray(array).tobytes())
        h.update(repr(array.shape).encode())
    h.update(repr(problem.cost_weight).encode())
    if problem.shot_limits is not None:
        h.update(np.ascontiguousarray(problem.shot_limits).tobytes())
    return h.hexdigest()


def certificate(problem: Problem, solution: Solution, *, source: str = "") -> dict[str, Any]:
    """The certificate of a ``columns`` solution (any solution: then without a bound)."""
    info = solution.info
    proof = info.get("proof", "none") if solution.bound is not None else "none"
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "instance": {
            "name": problem.name,
            "source": source,
            "sha256": problem_digest(problem),
            "weapon_types": problem.n_weapons,
            "targets": problem.n_targets,
            "rounds": int(problem.counts.sum()),
        },
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "status": solution.status,
        "solver": solution.solver,
        "seconds": solution.seconds,
        "proof": proof,
    }
    if proof in ("lagrangian", "enumeration"):
        document["prices"] = info["prices"]
        document["lagrangian"] = info["lagrangian"]
    if proof == "enumeration":
        document["reach"] = info["lagrangian"] + info["enumeration_threshold"]
        document["threshold"] = info["enumeration_threshold"]
        document["columns"] = info["columns_enumerated"]
        document["final_mip_bound"] = info["final_mip_bound"]
        document["final_mip_optimal"] = info["final_mip_optimal"]
    document["how"] = _how(document)
    document["assignment"] = solution.assignment()
    return document


def _how(document: dict[str, Any]) -> str:
    proof = document["proof"]
    if proof == "lagrangian":
        return (
            "bound = L(u) = sum over targets of the least priced allocation cost minus "
            "u . counts, at the listed prices u (column generation over target allocations)"
        )
    if proof == "enumeration":
        return (
            "every allocation with reduced cost at u at most `threshold` was listed "
            "(`columns` of them); an assignment with objective below `reach` = L(u) + "
            "threshold uses only those, and the MIP over them (HiGHS) has dual bound "
            "`final_mip_bound`: bound = min(reach, final_mip_bound)"
        )
    return "no bound"


def write(document: dict[str, Any], path: str | Path) -> None:
    """Write a certificate as JSON (NaN and infinities as null)."""

    def clean(item: Any) -> Any:
        if isinstance(item, float):
            return item if math.isfinite(item) else None
        if isinstance(item, dict):
            return {key: clean(value) for key, value in item.items()}
        if isinstance(item, list | tuple):
            return [clean(value) for value in item]
        return item

    Path(path).write_text(json.dumps(clean(document), indent=1, allow_nan=False) + "\n")


MAX_CERTIFICATE_BYTES = 64 * 2**20
"""Largest certificate read (64 MiB)."""


def read_certificate(path: str | Path) -> dict[str, Any]:
    """Read a certificate written by :func:`write`.

    Raises:
        ValueError: not readable, too large, not JSON, or not such a certificate.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ValueError("not a regular file")
        if size > MAX_CERTIFICATE_BYTES:
            raise ValueError(f"{size:,} bytes, more than the limit of {MAX_CERTIFICATE_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError("not JSON (nested too deeply)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f'not a certificate (expected "format": "{FORMAT}")')
    return document


def _number(document: dict[str, Any], field: str) -> float:
    value = document.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"field `{field}` must be a finite number")
    return float(value)


def _assignment(problem: Problem, entries: Any) -> np.ndarray:
    """The shots of the certificate's assignment, every entry checked."""
    if not isinstance(entries, list):
        raise ValueError("field `assignment` must be a list")
    m, n = problem.pk.shape
    x = np.zeros((m, n), dtype=np.int64)
    limits = {"weapon": m, "target": n, "rounds": int(problem.counts.sum()) + 1}
    for k, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ValueError(f"field `assignment.{k}` must be an object")
        got = {}
        for name, top in limits.items():
            value = entry.get(name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < top:
                raise ValueError(
                    f"field `assignment.{k}.{name}` must be a whole number from 0 to {top - 1}"
                )
            got[name] = value
        x[got["weapon"], got["target"]] += got["rounds"]
    return x


def verify(
    problem: Problem,
    document: dict[str, Any],
    *,
    resolve: bool = True,
    rtol: float = 1e-9,
    max_columns: int = 2_000_000,
) -> dict[str, Any]:
    """Check a certificate against ``problem``; returns what was checked.

    Raises:
        ValueError: naming the first claim that does not hold.
    """
    instance = document.get("instance")
    if not isinstance(instance, dict) or instance.get("sha256") != problem_digest(problem):
        raise ValueError("the certificate is for other data (SHA-256 of the numbers differs)")
    x = _assignment(problem, document.get("assignment"))
    if not problem.is_feasible(x):
        raise ValueError("the assignment is not feasible")
    objective = problem.objective(x)
    scale = rtol * max(1.0, abs(objective))
    if abs(objective - _number(document, "objective")) > scale:
        raise ValueError(
            f"objective is {objective!r}, the certificate says {document['objective']}"
        )
    checked: dict[str, Any] = {"objective": objective, "feasible": True}
    proof = document.get("proof", "none")
    if proof == "none":
        return checked
    data = PricingData(problem)
    prices = document.get("prices")
    if (
        not isinstance(prices, list)
        or len(prices) != problem.n_weapons
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in prices)
    ):
        raise ValueError(f"field `prices` must be {problem.n_weapons} numbers, one per weapon type")
    u = np.asarray(prices, dtype=np.float64)
    if np.any(u < 0) or not np.all(np.isfinite(u)):
        raise ValueError("field `prices` must hold finite numbers >= 0")
    lagrangian, _, _ = lagrangian_bound(data, u)
    checked["lagrangian"] = lagrangian
    if lagrangian < _number(document, "lagrangian") - scale:
        raise ValueError(f"L(u) is {lagrangian!r}, the certificate says {document['lagrangian']}")
    bound = _number(document, "bound")
    if proof == "lagrangian":
        if bound > lagrangian + scale:
            raise ValueError(f"bound {bound} is above L(u) = {lagrangian}")
        checked["bound"] = bound
        return checked
    if proof != "enumeration":
        raise ValueError(f"unknown proof {proof!r}")
    reach = _number(document, "reach")
    if not resolve:  # only L(u) was checked: that is the bound proven here
        checked["bound"] = min(lagrangian, objective)
        checked["resolved"] = False
        return checked
    threshold = reach - lagrangian
    listed = enumerate_columns(data, u, threshold, max_cols=max_columns)
    if listed is None:
        raise ValueError("too many columns to re-check")
    cols, _ = listed
    checked["columns"] = len(cols)
    _, mip_objective, mip_bound, optimal = solve_master(data, cols, time_limit=3600.0, start=x)
    if not optimal:
        raise ValueError("the final MIP was not solved to optimality when re-checked")
    proven = min(reach, mip_bound)
    if bound > proven + scale:
        raise ValueError(f"bound {bound} is above the re-solved MIP's bound {mip_bound}")
    checked["bound"] = proven
    checked["resolved"] = True
    checked["mip_objective"] = mip_objective
    return checked
