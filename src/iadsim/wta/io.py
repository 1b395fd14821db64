"""Reading and writing WTA instances: our JSON format and the Andersen et al. text format.

JSON (``"format": "iadsim-wta"``, version 1)::

    {"format": "iadsim-wta", "version": 1, "name": "example",
     "values": [V_0, ...],                  # n target values
     "pk": [[p_00, p_01, ...], ...],        # m rows of n kill probabilities
     "counts": [c_0, ...],                  # m rounds per weapon type
     "costs": [k_0, ...],                   # optional, m costs per round
     "cost_weight": 0.0,                    # optional lambda
     "shot_limits": [L_0, ...]}             # optional, n limits (or null)

Text, as published by Andersen, Pavlikov and Toffolo (2022) in the repository
tuliotoffolo/wta: a line ``m n mu``; n lines each holding one target value;
then lines ``i j p`` (0-based weapon type, target, kill probability), one for
every pair. Every weapon type has mu identical rounds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.errors import IadsimError
from iadsim.wta.problem import Problem

__all__ = ["InstanceError", "load_instance", "read_andersen", "read_json", "write_json"]

FORMAT = "iadsim-wta"
VERSION = 1


class InstanceError(IadsimError):
    """A WTA instance file that cannot be read: names the file and what was expected."""

    def __init__(self, source: str | Path, message: str) -> None:
        self.source = str(source)
        self.message = " ".join(message.split())
        super().__init__(f"{self.source}: not a valid WTA instance: {self.message}")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstanceError(path, "no such file") from None
    except IsADirectoryError:
        raise InstanceError(path, "is a directory, expected a file") from None
    except UnicodeDecodeError:
        raise InstanceError(path, "not UTF-8 text; expected JSON or the text format") from None
    except OSError as exc:
        raise InstanceError(path, f"cannot be read ({exc.strerror})") from None


def _problem(path: Path, **fields: Any) -> Problem:
    try:
        return Problem(**fields)
    except ValueError as exc:
        raise InstanceError(path, str(exc)) from None


def read_andersen(path: str | Path) -> Problem:
    """Read an instance in the text format of Andersen, Pavlikov and Toffolo (2022).

    Raises:
        InstanceError: the file is missing or does not follow the format; the
            message names the file, the line and what was expected there.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    rows = [(number, line.split()) for number, line in enumerate(lines, start=1) if line.strip()]
    if not rows:
        raise InstanceError(path, "the file is empty; expected a first line `m n mu`")
    number, head = rows[0]
    try:
        m, n, mu = (int(t) for t in head)
    except ValueError:
        raise InstanceError(
            path,
            f"line {number} is {' '.join(head)!r}; expected `m n mu`: three integers "
            "(weapon types, targets, rounds per type)",
        ) from None
    if m < 1 or n < 1 or mu < 0:
        raise InstanceError(path, f"line {number}: expected m >= 1, n >= 1 and mu >= 0")
    if len(rows) < 1 + n:
        raise InstanceError(
            path, f"expected {n} target values after the first line, found {len(rows) - 1} lines"
        )
    values = np.empty(n)
    for k, (number, tokens) in enumerate(rows[1 : 1 + n]):
        try:
            (values[k],) = (float(t) for t in tokens)
        except ValueError:
            raise InstanceError(
                path,
                f"line {number} is {' '.join(tokens)!r}; expected one number, the "
                f"value of target {k}",
            ) from None
    pk = np.full((m, n), np.nan)
    for number, tokens in rows[1 + n :]:
        try:
            i, j, p = int(tokens[0]), int(tokens[1]), float(tokens[2])
            if len(tokens) != 3:
                raise ValueError
        except (ValueError, IndexError):
            raise InstanceError(
                path,
                f"line {number} is {' '.join(tokens)!r}; expected `i j p`: weapon type, "
                "target (0-based integers) and kill probability",
            ) from None
        if not (0 <= i < m and 0 <= j < n):
            raise InstanceError(
                path, f"line {number}: pair ({i}, {j}) is outside 0..{m - 1} x 0..{n - 1}"
            )
        if not np.isnan(pk[i, j]):
            raise InstanceError(path, f"line {number}: pair ({i}, {j}) is given twice")
        pk[i, j] = p
    missing = np.argwhere(np.isnan(pk))
    if missing.size:
        i, j = missing[0]
        raise InstanceError(
            path,
            f"{len(missing)} of the {m * n} `i j p` lines are missing, the first for "
            f"pair ({i}, {j})",
        )
    return _problem(
        path, values=values, pk=pk, counts=np.full(m, mu, dtype=np.int64), name=path.stem
    )


def _array(path: Path, document: dict[str, Any], key: str, ndim: int, kind: type) -> Any:
    raw = document[key]
    try:
        array = np.array(raw, dtype=np.float64)
    except (ValueError, TypeError):
        array = None
    if array is None or array.ndim != ndim or (ndim == 2 and array.size == 0):
        shape = "a list of numbers" if ndim == 1 else "a list of rows of numbers"
        raise InstanceError(path, f"field `{key}` must be {shape}")
    if kind is int:
        if not np.all(array == np.round(array)):
            raise InstanceError(path, f"field `{key}` must hold whole numbers")
        return array.astype(np.int64)
    return array


def read_json(path: str | Path) -> Problem:
    """Read an instance in iadsim's JSON format (see the module docstring).

    Raises:
        InstanceError: the file is missing, not JSON, or lacks or mistypes a field.
    """
    path = Path(path)
    try:
        document = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise InstanceError(path, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(document, dict):
        raise InstanceError(path, "expected a JSON object with fields values, pk and counts")
    if document.get("format", FORMAT) != FORMAT or document.get("version", VERSION) != VERSION:
        raise InstanceError(path, f'expected "format": "{FORMAT}" and "version": {VERSION}')
    known = {
        "format",
        "version",
        "name",
        "values",
        "pk",
        "counts",
        "costs",
        "cost_weight",
        "shot_limits",
    }
    unknown = sorted(set(document) - known)
    if unknown:
        raise InstanceError(
            path, f"unknown field `{unknown[0]}`; expected only {', '.join(sorted(known))}"
        )
    for key in ("values", "pk", "counts"):
        if key not in document:
            raise InstanceError(path, f"field `{key}` is missing")
    fields: dict[str, Any] = {
        "values": _array(path, document, "values", 1, float),
        "pk": _array(path, document, "pk", 2, float),
        "counts": _array(path, document, "counts", 1, int),
        "name": str(document.get("name", path.stem)),
    }
    if document.get("costs") is not None:
        fields["costs"] = _array(path, document, "costs", 1, float)
    if document.get("shot_limits") is not None:
        fields["shot_limits"] = _array(path, document, "shot_limits", 1, int)
    weight = document.get("cost_weight", 0.0)
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        raise InstanceError(path, "field `cost_weight` must be a number")
    fields["cost_weight"] = float(weight)
    return _problem(path, **fields)


def write_json(problem: Problem, path: str | Path) -> None:
    """Write ``problem`` in iadsim's JSON format (read back exactly by :func:`read_json`)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": problem.name,
        "values": problem.values.tolist(),
        "pk": problem.pk.tolist(),
        "counts": problem.counts.tolist(),
        "costs": problem.costs.tolist(),
        "cost_weight": problem.cost_weight,
        "shot_limits": None if problem.shot_limits is None else problem.shot_limits.tolist(),
    }
    Path(path).write_text(json.dumps(document) + "\n", encoding="utf-8")


def load_instance(path: str | Path) -> Problem:
    """Read a JSON instance (``.json``, or text starting with ``{``) or a text-format one."""
    path = Path(path)
    if path.suffix.lower() == ".json" or _read_text(path).lstrip().startswith("{"):
        return read_json(path)
    return read_andersen(path)
