"""Target-allocation columns: Lagrangian bound, column generation, enumeration, master MIP.

Write the problem over allocations: target j takes one allocation a (a_i rounds
of type i) at cost c_j(a) = V_j prod_i q_ij^a_i + lambda cost . a, and the
allocations of all targets use at most count_i rounds of type i. Relaxing the
counts with prices u >= 0 gives, for any u, the Lagrangian lower bound

    L(u) = sum_j min_a (c_j(a) + u . a) - u . counts

(each inner minimum is exact, by :func:`iadsim.wta.pricing.price_all`). Its
best value is the linear relaxation of the allocation formulation (Dantzig-
Wolfe), found by column generation over HiGHS (:func:`column_generation`).

Any assignment x with allocations a_j satisfies objective(x) >= L(u) +
sum_j rc_j(a_j), where rc_j(a) = c_j(a) + u . a - min_b (c_j(b) + u . b) >= 0.
So an assignment better than a known one (objective UB) uses only allocations
with rc_j(a) <= UB - L(u). :func:`enumerate_columns` lists all of them; a
MIP over exactly those columns (:func:`solve_master`) then finds the optimum
(or proves that UB is optimal), which is what :mod:`iadsim.wta.proof`
writes down.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.wta.pricing import compress_columns, enumerate_target, price_all
from iadsim.wta.problem import LOG_FLOOR, Problem

__all__ = [
    "Columns",
    "PricingData",
    "column_generation",
    "enumerate_columns",
    "lagrangian_bound",
    "marginal_prices",
    "round_lp",
    "solve_master",
]


NODE_RATE = 1_000_000
"""Search nodes per second assumed when a deadline caps an enumeration (a low estimate)."""


class PricingData:
    """Arrays the pricing kernels take, built once per problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        q = 1.0 - problem.pk
        self.q = np.ascontiguousarray(q)
        with np.errstate(divide="ignore"):
            logq = np.log(q)
        floored = logq < LOG_FLOOR
        self.s = np.ascontiguousarray(-np.maximum(logq, LOG_FLOOR))
        # e^-10000 is exactly 0.0: a sure kill leaves nothing (and 0 x -10000 = 0, no NaN)
        self.logq = np.maximum(logq, -1e4)
        self.slack = np.where(floored.any(axis=0), math.exp(LOG_FLOOR), 0.0)
        cap = problem.shot_cap()
        cap[:, problem.values <= 0] = 0  # a worthless target never needs a round
        self.cap = np.ascontiguousarray(cap)
        total = int(problem.counts.sum())
        if problem.shot_limits is None:
            self.limits = np.full(problem.n_targets, total, dtype=np.int64)
        else:
            self.limits = np.ascontiguousarray(problem.shot_limits, dtype=np.int64)
        self.pen = np.ascontiguousarray(problem.cost_weight * problem.costs, dtype=np.float64)
        self.counts = problem.counts.astype(np.float64)


def lagrangian_bound(
    data: PricingData, u: NDArray[np.float64], *, max_nodes: int = 10**12
) -> tuple[float, NDArray[np.float64], NDArray[np.int64]]:
    """L(u), the per-target minima and the minimising allocations (n, m).

    u is clipped at 0 (prices of ``<=`` rows). Exact up to floating-point rounding.
    If some target's search passes ``max_nodes`` nodes, L is -inf (no bound) and
    that target's allocation is only the best found.
    """
    u = np.maximum(np.asarray(u, dtype=np.float64), 0.0)
    w = np.ascontiguousarray(u + data.pen)
    best, alloc, _, stopped = price_all(
        data.problem.values, data.q, data.s, w, data.cap, data.limits, data.slack, max_nodes
    )
    bound = -math.inf if stopped else float(best.sum() - u @ data.counts)
    return bound, best, alloc


def column_cost(data: PricingData, j: int, a: NDArray[np.int64]) -> float:
    """c_j(a): surviving value of target j (exact products) plus lambda x cost."""
    survival = float(np.prod(np.power(data.q[:, j], a)))
    return float(data.problem.values[j] * survival + data.pen @ a)


@dataclass
class Columns:
    """A set of allocation columns: target, rounds per type (sparse), cost."""

    target: list[int] = field(default_factory=list)
    types: list[NDArray[np.int64]] = field(default_factory=list)
    rounds: list[NDArray[np.int64]] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    seen: set[tuple[int, bytes, bytes]] = field(default_factory=set)

    def add(
        self, data: PricingData, j: int, a: NDArray[np.int64], cost: float | None = None
    ) -> bool:
        """Add target j's allocation a (dense, (m,)) unless present; whether it was new.

        ``cost`` is c_j(a) if already known (else computed, exactly).
        """
        types = np.flatnonzero(a).astype(np.int64)
        rounds = a[types].astype(np.int64)
        key = (j, types.tobytes(), rounds.tobytes())
        if key in self.seen:
            return False
        self.seen.add(key)
        self.target.append(j)
        self.types.append(types)
        self.rounds.append(rounds)
        if cost is None:
            cost = column_cost(data, j, a)
        self.cost.append(float(cost))
        return True

    def append(
        self, j: int, types: NDArray[np.int64], rounds: NDArray[np.int64], cost: float
    ) -> None:
        """Add a column known to be new: types (sorted) and rounds of each, and c_j(a)."""
        self.seen.add((j, types.tobytes(), rounds.tobytes()))
        self.target.append(j)
        self.types.append(types)
        self.rounds.append(rounds)
        self.cost.append(float(cost))

    def __len__(self) -> int:
        return len(self.target)


class _Master:
    """The restricted master LP/MIP over allocation columns, in one HiGHS instance."""

    def __init__(self, data: PricingData, *, threads: int = 1) -> None:
        import highspy

        from iadsim.wta.exact import new_highs

        self.highspy = highspy
        self.data = data
        m, n = data.q.shape
        self.m, self.n = m, n
        self.h = new_highs()
        self.h.setOptionValue("threads", threads)
        lower = np.concatenate([np.ones(n), np.full(m, -np.inf)])
        upper = np.concatenate([np.ones(n), data.counts])
        self.h.addRows(
            n + m, lower, upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0)
        )
        self.n_cols = 0
        self.deadline = math.inf
        # HiGHS checks its time limit rarely in a MIP; its interrupt callbacks stop it on time
        for event in (self.h.cbSimplexInterrupt, self.h.cbIpmInterrupt, self.h.cbMipInterrupt):
            event.subscribe(self._interrupt)
        self.h.enableCallbacks()

    def _interrupt(self, event: Any) -> None:
        if time.perf_counter() >= self.deadline:
            event.interrupt()

    def add(self, cols: Columns, start: int) -> None:
        k = len(cols) - start
        if k <= 0:
            return
        starts = np.zeros(k, dtype=np.int32)
        index: list[NDArray[np.int64]] = []
        value: list[NDArray[np.float64]] = []
        pos = 0
        for c in range(start, len(cols)):
            starts[c - start] = pos
            index.append(np.concatenate([[cols.target[c]], self.n + cols.types[c]]))
            value.append(np.concatenate([[1.0], cols.rounds[c].astype(np.float64)]))
            pos += 1 + len(cols.types[c])
        self.h.addCols(
            k,
            np.array(cols.cost[start:], dtype=np.float64),
            np.zeros(k),
            np.ones(k),
            pos,
            starts,
            np.concatenate(index).astype(np.int32),
            np.concatenate(value),
        )
        self.n_cols += k

    def solve_lp(self) -> tuple[float, NDArray[np.float64]]:
        """LP value and the weapon prices u >= 0."""
        self.h.setOptionValue("solver", "simplex")
        self.h.run()
        value = float(self.h.getInfo().objective_function_value)
        duals = np.asarray(self.h.getSolution().row_dual)
        return value, np.maximum(-duals[self.n :], 0.0)


def marginal_prices(data: PricingData, x: NDArray[np.int64]) -> NDArray[np.float64]:
    """Prices u_i from an assignment: the least value lost by taking one round of i back.

    A good first guess of the weapon prices (the duals of the counts) for
    :func:`column_generation`; types with no round fired get price 0.
    """
    problem = data.problem
    level = problem.values * problem.survival(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = level[None, :] * (1.0 / data.q - 1.0)
    loss = np.where((x > 0) & np.isfinite(loss), loss, np.inf)
    u = loss.min(axis=1) - data.pen
    return np.where(np.isfinite(u), np.maximum(u, 0.0), 0.0)


def column_generation(
    data: PricingData,
    cols: Columns,
    *,
    deadline: float,
    u0: NDArray[np.float64] | None = None,
    tol: float = 1e-9,
    threads: int = 1,
    log: Any = None,
    max_nodes: int = 200_000,
    alpha: float = 0.5,
) -> dict[str, Any]:
    """Solve the allocation LP by column generation; return the best Lagrangian bound.

    ``cols`` must already hold a feasible set (e.g. the empty allocation of every
    target); new columns are appended to it. Prices are smoothed (Wentges): the
    pricing runs at alpha u_best + (1 - alpha) u_LP, u_best the prices of the best
    bound so far (starting at ``u0``), and alpha drops to 0 when that finds no
    column with negative reduced cost at the LP's duals. Stops when the LP value
    equals the best bound up to ``tol`` (relative to the sum of values) or at
    ``deadline``. Returns {"bound", "u" (prices of the bound), "values" (the
    last LP solution, one value per column of ``cols``), "lp", "iterations",
    "converged", "master"}.
    """
    master = _Master(data, threads=threads)
    master.add(cols, 0)
    n = data.q.shape[1]
    scale = max(1.0, float(data.problem.values.sum()))

    def nodes_left() -> int:
        """Per-target node limit: ``max_nodes``, less when the deadline is near."""
        left = deadline - time.perf_counter()
        if math.isinf(left):
            return max_nodes
        return int(min(max_nodes, max(1000.0, NODE_RATE * left / n)))

    best_bound = -math.inf
    best_u = np.zeros(data.q.shape[0]) if u0 is None else np.maximum(u0, 0.0)
    if u0 is not None:
        best_bound, _, alloc = lagrangian_bound(data, best_u, max_nodes=nodes_left())
        start = len(cols)
        for j in range(n):
            cols.add(data, j, alloc[j])
        master.add(cols, start)
    lp = math.inf
    iterations = 0
    converged = False
    weight = alpha if u0 is not None else 0.0
    while time.perf_counter() < deadline:
        iterations += 1
        lp, u_lp = master.solve_lp()
        if lp - best_bound <= tol * scale:
            converged = True
            break
        pi = np.asarray(master.h.getSolution().row_dual)[:n]
        u = weight * best_u + (1.0 - weight) * u_lp
        bound, _, alloc = lagrangian_bound(data, u, max_nodes=nodes_left())
        if bound > best_bound:
            best_bound, best_u = bound, u
        start = len(cols)
        # c_j(a) of every target's allocation at once (surviving value + lambda cost)
        survival = np.exp(np.einsum("jm,mj->j", alloc, data.logq))
        cost = data.problem.values * survival + alloc @ data.pen
        rc = cost + alloc @ u_lp - pi
        priced = np.flatnonzero(rc < -tol * scale)
        priced_out = len(priced)
        for jj in priced.tolist():
            cols.add(data, int(jj), alloc[jj], float(cost[jj]))
        if log is not None:
            log(
                f"cg {iterations}: lp {lp:.6f} bound {bound:.6f} best {best_bound:.6f} "
                f"alpha {weight:.2f} new {len(cols) - start} priced out {priced_out}"
            )
        master.add(cols, start)
        if priced_out == 0 or len(cols) == start:
            if weight == 0.0:
                if not math.isfinite(bound):  # the search was cut short: price exactly
                    bound, _, _ = lagrangian_bound(data, u)
                    if bound > best_bound:
                        best_bound, best_u = bound, u
                converged = True  # nothing prices out at the LP duals: L(u_LP) = LP
                break
            weight = 0.0 if weight < 0.3 else weight - 0.3
    values = np.zeros(len(cols))
    if master.n_cols:
        solved = np.asarray(master.h.getSolution().col_value)
        values[: len(solved)] = solved[: len(cols)]
    return {
        "bound": best_bound,
        "u": best_u,
        "values": values,
        "lp": lp,
        "iterations": iterations,
        "converged": converged,
        "master": master,
    }


def enumerate_columns(
    data: PricingData,
    u: NDArray[np.float64],
    gap: float,
    *,
    max_cols: int = 2_000_000,
    max_nodes: int = 10**9,
    deadline: float = math.inf,
) -> tuple[Columns, int] | None:
    """Every allocation with reduced cost <= ``gap`` at prices u (None if more than max_cols).

    Returns (columns, nodes visited); None also when ``deadline`` (perf_counter
    seconds) passes first.
    """
    u = np.maximum(u, 0.0)
    w = np.ascontiguousarray(u + data.pen)
    now = time.perf_counter()
    budget = (
        max_nodes if math.isinf(deadline) else int(min(max_nodes, NODE_RATE * (deadline - now)))
    )
    bound, best, _ = lagrangian_bound(data, u, max_nodes=max(1000, budget // data.q.shape[1]))
    if not math.isfinite(bound):
        return None
    cols = Columns()
    n = data.q.shape[1]
    nodes = 0
    eps = 1e-9 * max(1.0, float(data.problem.values.sum()))
    per = 1024
    for j in range(n):
        now = time.perf_counter()
        if now > deadline:
            return None
        # a search cannot look at the clock: give it the nodes the time left allows
        budget = (
            max_nodes if math.isinf(deadline) else int(min(max_nodes, NODE_RATE * (deadline - now)))
        )
        thr = best[j] + gap + eps
        qj = np.ascontiguousarray(data.q[:, j])
        sj = np.ascontiguousarray(data.s[:, j])
        cj = np.ascontiguousarray(data.cap[:, j])
        depth = max(1, min(int(cj.sum()), int(data.limits[j])))
        while True:  # buffers grow until the target's columns fit (or max_cols)
            count, flat, starts, visited = enumerate_target(
                data.problem.values[j],
                qj,
                sj,
                w,
                cj,
                data.limits[j],
                thr,
                data.slack[j],
                per,
                per * depth,
                budget,
            )
            nodes += visited
            if count != -1 or per >= max_cols:
                break
            per = min(4 * per, max_cols)
        if count < 0:
            return None
        types, rounds, cstart, cost = compress_columns(
            flat, starts, count, data.problem.values[j], qj, data.pen
        )
        for c in range(count):
            cols.append(
                j, types[cstart[c] : cstart[c + 1]], rounds[cstart[c] : cstart[c + 1]], cost[c]
            )
        if len(cols) > max_cols:
            return None
    return cols, nodes


def solve_master(
    data: PricingData,
    cols: Columns,
    *,
    time_limit: float,
    start: NDArray[np.int64] | None = None,
    threads: int = 1,
    gap: float = 0.0,
    fixed: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.int64] | None, float, float, bool]:
    """The allocation MIP over ``cols``: (x or None, objective of x, dual bound, optimal).

    ``fixed``: indices of columns forced to 1 (a dive: the bound is then not a
    bound of the problem, only of that restriction).
    """
    master = _Master(data, threads=threads)
    master.add(cols, 0)
    h = master.h
    if fixed is not None and len(fixed):
        k = len(fixed)
        h.changeColsBounds(k, np.asarray(fixed, dtype=np.int32), np.ones(k), np.ones(k))
    h.changeColsIntegrality(
        len(cols),
        np.arange(len(cols), dtype=np.int32),
        np.full(len(cols), master.highspy.HighsVarType.kInteger),
    )
    h.setOptionValue("time_limit", max(0.01, time_limit))
    master.deadline = time.perf_counter() + max(0.01, time_limit)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("mip_abs_gap", 1e-12)
    if start is not None:
        col = np.zeros(len(cols))
        index = {
            (cols.target[c], cols.types[c].tobytes(), cols.rounds[c].tobytes()): c
            for c in range(len(cols))
        }
        ok = True
        for j in range(data.q.shape[1]):
            a = start[:, j]
            types = np.flatnonzero(a).astype(np.int64)
            key = (j, types.tobytes(), a[types].astype(np.int64).tobytes())
            if key not in index:
                ok = False
                break
            col[index[key]] = 1.0
        if ok:
            solution = master.highspy.HighsSolution()
            solution.col_value = col
            h.setSolution(solution)
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    bound = float(info.mip_dual_bound)
    x = None
    if info.primal_solution_status == 2:
        value = np.asarray(h.getSolution().col_value)
        x = np.zeros(data.q.shape, dtype=np.int64)
        for c in np.flatnonzero(value > 0.5):
            x[cols.types[c], cols.target[c]] += cols.rounds[c]
    optimal = status == master.highspy.HighsModelStatus.kOptimal
    obj = data.problem.objective(x) if x is not None else math.inf
    return x, obj, bound, optimal


def round_lp(data: PricingData, cols: Columns, values: NDArray[np.float64]) -> NDArray[np.int64]:
    """An assignment from an LP solution over columns: each target's largest column, repaired.

    Rounds beyond a type's count are taken back where that loses least; then
    free rounds are fired greedily and single-round moves and swaps run until stuck.
    """
    from iadsim.wta import kernels
    from iadsim.wta.units import kernel_arrays, to_matrix, to_units

    problem = data.problem
    m, n = data.q.shape
    x = np.zeros((m, n), dtype=np.int64)
    best = np.full(n, -1.0)
    pick = np.full(n, -1, dtype=np.int64)
    for c, value in enumerate(values):
        j = cols.target[c]
        if value > best[j]:
            best[j], pick[j] = value, c
    for j in range(n):
        if pick[j] >= 0:
            x[cols.types[pick[j]], j] += cols.rounds[pick[j]]
    level = problem.values * problem.survival(x)
    for i in np.flatnonzero(x.sum(axis=1) > problem.counts):
        while x[i].sum() > problem.counts[i]:
            with np.errstate(divide="ignore"):
                loss = np.where(x[i] > 0, level * (1.0 / data.q[i] - 1.0), np.inf)
            j = int(np.argmin(loss))
            x[i, j] -= 1
            level[j] = problem.values[j] * float(np.prod(np.power(data.q[:, j], x[:, j])))
    a = kernel_arrays(problem)
    unit_target = to_units(x, a.unit_type)
    free = np.flatnonzero(unit_target < 0).astype(np.int64)
    kernels.greedy_fill(a.values, a.logq, a.pen, a.limits, a.unit_type, unit_target, free)
    tol = 1e-12 * max(1.0, float(a.values.sum()))
    kernels.local_search(a.values, a.logq, a.pen, a.limits, a.unit_type, unit_target, tol)
    return to_matrix(problem, a.unit_type, unit_target)
