"""The ``columns`` solver: column generation over target allocations, proofs by enumeration.

1. A start: greedy, then single-round moves and swaps.
2. Column generation (:func:`iadsim.wta.columns.column_generation`) solves the
   linear relaxation of the allocation formulation (one column = all the rounds
   a target receives); along the way it keeps the best Lagrangian bound L(u),
   which is exact for any prices u >= 0 of the weapon counts.
3. The LP solution rounded (each target's largest column, repaired) is a
   first assignment.
4. Every allocation whose reduced cost at u is at most T is listed
   (:func:`iadsim.wta.columns.enumerate_columns`), first with T = ``reach`` x
   L(u). An assignment with objective below L(u) + T uses only listed
   allocations (its objective is at least L(u) plus the sum of its reduced
   costs), so the optimum is at least min(L(u) + T, the dual bound of the MIP
   over the listed columns). A dive (the LP's whole columns fixed, a small MIP
   over the rest) gives that MIP a start; the MIP usually finds the optimum.
   If L(u) + T is still below the best objective, T becomes best - L(u) and the
   listing and MIP are repeated: solved to optimality, that proves the optimum.

Every objective it reports is re-evaluated from the assignment
(:meth:`Problem.objective`). Its certificate (:func:`iadsim.wta.proof.certificate`)
holds the assignment, the prices u and L(u), and how the bound was closed; it
is checked by :func:`iadsim.wta.proof.verify`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from iadsim.wta.columns import (
    Columns,
    PricingData,
    column_generation,
    enumerate_columns,
    marginal_prices,
    round_lp,
    solve_master,
)
from iadsim.wta.limits import check_memory, check_seed, check_time_limit
from iadsim.wta.problem import Problem
from iadsim.wta.registry import register
from iadsim.wta.solution import Solution

__all__ = ["ColumnSolver"]


def _start(problem: Problem) -> np.ndarray:
    """Greedy marginal return, then single-round moves and swaps until stuck (fast)."""
    from iadsim.wta import kernels
    from iadsim.wta.units import kernel_arrays, to_matrix

    a = kernel_arrays(problem)
    n_units = a.unit_type.shape[0]
    unit_target = np.full(n_units, -1, dtype=np.int64)
    kernels.greedy_fill(
        a.values, a.logq, a.pen, a.limits, a.unit_type, unit_target, np.arange(n_units)
    )
    tol = 1e-12 * max(1.0, float(a.values.sum()))
    kernels.local_search(a.values, a.logq, a.pen, a.limits, a.unit_type, unit_target, tol)
    return to_matrix(problem, a.unit_type, unit_target)


def _whole_columns(cols: Columns, values: np.ndarray, listed: Columns) -> np.ndarray:
    """Indices in ``listed`` of the columns of ``cols`` that the LP takes whole (value 1)."""
    index = {
        (listed.target[c], listed.types[c].tobytes(), listed.rounds[c].tobytes()): c
        for c in range(len(listed))
    }
    out = []
    for c in np.flatnonzero(values > 1.0 - 1e-6).tolist():
        key = (cols.target[c], cols.types[c].tobytes(), cols.rounds[c].tobytes())
        if key in index:
            out.append(index[key])
    return np.array(out, dtype=np.int64)


@register("columns")
class ColumnSolver:
    """Column generation over target allocations, then a proof by column enumeration.

    See :mod:`iadsim.wta.colgen`. Much stronger than ``exact`` when weapon types
    have several identical rounds: the allocation relaxation is tight to about
    0.05 % on the Andersen et al. instances, so few columns survive the
    reduced-cost test and the final MIP is small.

    Options:
        gap: relative gap at which it stops and reports ``"optimal"`` (default 1e-9:
            the optimum itself, up to rounding).
        max_columns: most columns the enumeration may list before it gives up
            (then the bound stays L(u)) (default 1,000,000).
        cg_share: share of the time limit that column generation may take
            (default 0.5).
        reach: the first enumeration lists allocations with reduced cost up to
            this share of L(u) (default 1e-3; the gap of the relaxation on the
            Andersen et al. instances is below 1e-3); the second, if needed, up to
            the best objective found minus L(u).
        master_limit: most seconds of the MIP over the generated columns, run
            only when the enumeration lists too many (default 120).
        seed: unused by the search (kept for the common solver interface) (default 0).
        threads: HiGHS threads (default 1).

    On a time limit it returns the best assignment found and the best proven
    bound (the Lagrangian bound if the enumeration did not finish), status
    ``"time_limit"``. ``info`` holds the certificate's parts: ``prices`` (u),
    ``lagrangian`` (L(u)), ``proof`` (``"lagrangian"``, ``"enumeration"``),
    column counts and the time of each phase.
    """

    name = "columns"
    exact = True

    def __init__(
        self,
        *,
        gap: float = 1e-9,
        max_columns: int = 1_000_000,
        reach: float = 1e-3,
        cg_share: float = 0.5,
        master_limit: float = 120.0,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        if (
            not 0 <= gap < 1
            or max_columns < 1
            or not reach > 0
            or not 0 < cg_share <= 1
            or not master_limit > 0
            or threads < 1
        ):
            raise ValueError(
                "need 0 <= gap < 1, max_columns >= 1, reach > 0, "
                "0 < cg_share <= 1, master_limit > 0, threads >= 1"
            )
        self.gap = gap
        self.max_columns = max_columns
        self.reach = reach
        self.cg_share = cg_share
        self.master_limit = master_limit
        self.seed = check_seed(seed)
        self.threads = threads

    def solve(self, problem: Problem, *, time_limit: float | None = None) -> Solution:
        """Solve ``problem``; stop after about ``time_limit`` seconds (None: no limit)."""
        time_limit = check_time_limit(time_limit)
        check_memory(problem, "exact")
        start = time.perf_counter()
        limit = math.inf if time_limit is None else float(time_limit)
        deadline = start + limit
        info: dict[str, Any] = {"proof": "none"}
        best_x = _start(problem)
        best = problem.objective(best_x)
        info["start"] = best
        info["seconds_start"] = time.perf_counter() - start
        data = PricingData(problem)
        m, n = problem.pk.shape
        cols = Columns()
        for j in range(n):
            cols.add(data, j, np.zeros(m, dtype=np.int64))
            cols.add(data, j, best_x[:, j].copy())
        scale = max(1.0, float(problem.values.sum()))
        tol = 1e-12 * scale

        def done(bound: float) -> bool:
            return best - bound <= self.gap * best + tol

        # column generation: the Lagrangian bound
        t = time.perf_counter()
        cg = column_generation(
            data,
            cols,
            deadline=start + self.cg_share * limit,
            u0=marginal_prices(data, best_x),
            threads=self.threads,
        )
        u = cg["u"]
        bound = cg["bound"]
        info.update(
            lagrangian=bound,
            lp=cg["lp"],
            cg_iterations=cg["iterations"],
            cg_converged=cg["converged"],
            columns_generated=len(cols),
            seconds_cg=time.perf_counter() - t,
        )
        proven = -math.inf
        if math.isfinite(bound):
            proven = bound
            info["proof"] = "lagrangian"
        # an assignment from the LP: each target's largest column, repaired
        x = round_lp(data, cols, cg["values"])
        obj = problem.objective(x)
        if problem.is_feasible(x) and obj < best:
            best_x, best = x, obj
        info["rounded"] = obj
        # Enumerate every allocation with reduced cost at u at most T and solve the
        # MIP over them: an assignment with objective below L(u) + T uses only those
        # (objective >= L(u) + sum of its reduced costs), so the optimum is at least
        # min(L(u) + T, the MIP's dual bound). First T = a small share of L(u) (the
        # MIP then usually finds the optimum), then T = best - L(u) (a proof).
        reached = -math.inf
        for stage in range(2):
            left = deadline - time.perf_counter()
            if left <= 0 or done(proven) or not math.isfinite(bound):
                break
            full = best - bound
            threshold = full if stage else min(full, self.reach * max(abs(bound), tol))
            if threshold <= reached:
                break
            if stage and math.isfinite(limit) and threshold > 20 * self.reach * abs(bound):
                break  # a weak bound (time ran short): the listing would not finish in time
            t = time.perf_counter()
            listed = enumerate_columns(
                data, u, threshold, max_cols=self.max_columns, deadline=deadline
            )
            info["seconds_enumeration"] = info.get("seconds_enumeration", 0.0) + (
                time.perf_counter() - t
            )
            if listed is None:  # too many columns, or out of time
                info["enumeration_stopped"] = stage + 1
                break
            enum_cols, nodes = listed
            for j in range(n):  # the best assignment too, as the MIP's start
                enum_cols.add(data, j, best_x[:, j].copy())
            t = time.perf_counter()
            if stage == 0:
                # a dive: the LP's whole columns fixed, the MIP over the rest is small
                fixed = _whole_columns(cols, cg["values"], enum_cols)
                if len(fixed):
                    found, obj, _, _ = solve_master(
                        data,
                        enum_cols,
                        time_limit=max(0.01, 0.5 * (deadline - time.perf_counter())),
                        start=best_x,
                        threads=self.threads,
                        fixed=fixed,
                    )
                    if found is not None and problem.is_feasible(found) and obj < best:
                        best_x, best = found, obj
                    info["dive"] = obj
                    info["dive_fixed"] = len(fixed)
            found, obj, mip_bound, optimal = solve_master(
                data,
                enum_cols,
                time_limit=max(0.01, deadline - time.perf_counter()),
                start=best_x,
                threads=self.threads,
            )
            info["seconds_final_mip"] = info.get("seconds_final_mip", 0.0) + (
                time.perf_counter() - t
            )
            if found is not None and problem.is_feasible(found) and obj < best:
                best_x, best = found, obj
            reached = threshold
            if math.isfinite(mip_bound):
                closed = max(bound, min(bound + threshold, mip_bound))
                if closed > proven:
                    proven = closed
                    info["proof"] = "enumeration"
                    info["columns_enumerated"] = len(enum_cols)
                    info["enumeration_nodes"] = int(nodes)
                    info["enumeration_threshold"] = threshold
                    info["final_mip_bound"] = mip_bound
                    info["final_mip_optimal"] = bool(optimal)
        if info.get("enumeration_stopped") == 1 and not done(proven):
            # too many columns to list: the MIP over the generated ones instead
            left = deadline - time.perf_counter()
            if left > 0:
                for j in range(n):
                    cols.add(data, j, best_x[:, j].copy())
                found, obj, _, _ = solve_master(
                    data,
                    cols,
                    time_limit=min(left, self.master_limit),
                    start=best_x,
                    threads=self.threads,
                )
                if found is not None and problem.is_feasible(found) and obj < best:
                    best_x, best = found, obj
                info["master"] = obj
        info["prices"] = [float(v) for v in u]
        bound_out = min(proven, best) if math.isfinite(proven) else None
        return Solution(
            x=best_x,
            objective=problem.objective(best_x),
            bound=bound_out,
            seconds=time.perf_counter() - start,
            solver=self.name,
            status="optimal" if bound_out is not None and done(bound_out) else "time_limit",
            info=info,
        )
