"""The ``columns`` solver: column generation over target allocations, proofs by enumeration.

1. A start: greedy, then the assignment-exchange descent (``descent``).
2. Column generation (:func:`iadsim.wta.columns.column_generation`) solves the
   linear relaxation of the allocation formulation; along the way it keeps the
   best Lagrangian bound L(u), which is exact for any prices u >= 0.
3. The MIP over the generated columns (price-and-branch) gives an assignment.
4. If a gap remains: every allocation whose reduced cost at u is at most
   UB - L(u) is enumerated (:func:`iadsim.wta.columns.enumerate_columns`); no
   better assignment uses any other allocation, so the MIP over exactly these
   columns, solved to optimality, proves the optimum.

Every objective it reports is re-evaluated from the assignment
(:meth:`Problem.objective`). Its certificate (:func:`certificate`) holds the
assignment, the prices u and L(u), and how the bound was closed; it is checked
by :func:`iadsim.wta.proof.verify`.
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
    solve_master,
)
from iadsim.wta.limits import check_memory, check_seed, check_time_limit
from iadsim.wta.problem import Problem
from iadsim.wta.registry import register
from iadsim.wta.solution import Solution

__all__ = ["ColumnSolver"]


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
            (then the bound stays L(u)) (default 2,000,000).
        master_share: share of the time left that the MIP over generated columns
            may take (default 0.3).
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
        max_columns: int = 2_000_000,
        master_share: float = 0.3,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        if not 0 <= gap < 1 or max_columns < 1 or not 0 < master_share <= 1 or threads < 1:
            raise ValueError(
                "need 0 <= gap < 1, max_columns >= 1, 0 < master_share <= 1, threads >= 1"
            )
        self.gap = gap
        self.max_columns = max_columns
        self.master_share = master_share
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
        from iadsim.wta.heuristics import DescentSolver

        first = DescentSolver().solve(problem, time_limit=0.2 * limit)
        best_x, best = first.x, first.objective
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
            deadline=deadline,
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
        # the MIP over the generated columns (price-and-branch)
        left = deadline - time.perf_counter()
        if left > 0 and not done(proven):
            t = time.perf_counter()
            x, obj, _, _ = solve_master(
                data,
                cols,
                time_limit=min(left, max(1.0, self.master_share * left)),
                start=best_x,
                threads=self.threads,
            )
            if x is not None and problem.is_feasible(x) and obj < best:
                best_x, best = x, obj
            info["seconds_master"] = time.perf_counter() - t
        # proof by enumeration of every column that can still improve on best
        left = deadline - time.perf_counter()
        if left > 0 and math.isfinite(bound) and not done(proven):
            t = time.perf_counter()
            ub_enum = best
            gap_abs = ub_enum - bound
            listed = enumerate_columns(data, u, gap_abs, max_cols=self.max_columns)
            info["seconds_enumeration"] = time.perf_counter() - t
            if listed is None:
                info["columns_enumerated"] = None
            else:
                enum_cols, nodes = listed
                info["columns_enumerated"] = len(enum_cols)
                info["enumeration_nodes"] = int(nodes)
                info["enumeration_threshold"] = gap_abs
                left = deadline - time.perf_counter()
                if left > 0:
                    t = time.perf_counter()
                    x, obj, mip_bound, optimal = solve_master(
                        data, enum_cols, time_limit=left, start=best_x, threads=self.threads
                    )
                    info["seconds_final_mip"] = time.perf_counter() - t
                    if x is not None and problem.is_feasible(x) and obj < best:
                        best_x, best = x, obj
                    # an assignment better than ub_enum uses only listed columns, so
                    # the optimum is at least min(ub_enum, the MIP's dual bound)
                    if math.isfinite(mip_bound):
                        closed = max(bound, min(ub_enum, mip_bound))
                        if closed > proven:
                            proven = closed
                            info["proof"] = "enumeration"
                        info["final_mip_bound"] = mip_bound
                        info["final_mip_optimal"] = bool(optimal)
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
