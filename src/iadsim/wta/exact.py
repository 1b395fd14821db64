"""Exact WTA by outer approximation over HiGHS: proves optimality or returns a gap.

The objective sum_j V_j exp(z_j), with z_j = sum_i ln(1 - p_ij) x_ij, is convex
in z, so every tangent ``theta_j >= V_j e^t (1 + z_j - t)`` underestimates it.
A mixed-integer program over x with a finite set of such tangents is a
relaxation: its optimal value is a lower bound and its solution a feasible
assignment whose true objective is an upper bound. Adding the tangent at each
new solution's z_j and solving again closes the gap (outer approximation).

Two solvers are registered:

- ``exact`` starts from the ``local`` heuristic's assignment (an upper bound
  and a MIP start) and adds, besides tangents, supermodular cuts with secant
  slopes (Nemhauser-Wolsey inequalities of the set function V_j prod q),
  which are far tighter: the MIP mostly only has to prove the bound.
- ``oa`` is the plain loop that a general-purpose MIP solver gives you:
  one tangent at z = 0 per target, no start, a cut at each MIP solution. It
  is kept as the baseline against which ``exact`` is measured.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.wta.limits import check_memory, check_seed, check_time_limit
from iadsim.wta.problem import Problem
from iadsim.wta.registry import register
from iadsim.wta.solution import Solution

__all__ = ["ExactSolver", "OuterApproximationSolver", "new_highs"]


_FD_LOCK = threading.Lock()


def _flush_c_stdio() -> None:
    """Flush the C library's stdout buffer (HiGHS writes with printf)."""
    with suppress(OSError, AttributeError, TypeError):  # no C library here to flush
        import ctypes

        ctypes.CDLL(None).fflush(None)


@contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send file descriptor 1 to the null device while the block runs.

    highspy 1.16 prints its banner ("Running HiGHS ...") on stdout from the
    ``Highs()`` constructor, before any option can be set; a ``--format json``
    command must print nothing but its document. Held under a lock so that
    threads constructing solvers at once restore the real stdout.
    """
    import sys

    with _FD_LOCK:
        with suppress(AttributeError, OSError, ValueError):  # no Python stdout to flush
            sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no fd 1: nothing to protect
            yield
            return
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 1)
            finally:
                os.close(null)
            yield
        finally:
            _flush_c_stdio()
            os.dup2(saved, 1)
            os.close(saved)


def new_highs() -> Any:
    """A ``highspy.Highs`` that prints nothing: no banner, no log on the console."""
    import highspy

    with _stdout_silenced():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("log_to_console", False)
    return h


class _Model:
    """The MIP relaxation held in one HiGHS instance; cuts are added as rows."""

    def __init__(self, problem: Problem, *, threads: int, seed: int) -> None:
        import highspy

        self.highspy = highspy
        self.problem = problem
        m, n = problem.n_weapons, problem.n_targets
        logq = problem.log_survival()
        cap = problem.shot_cap()
        useful = (cap > 0) & (problem.pk > 0) & (problem.values[None, :] > 0)
        self.pair_i, self.pair_j = np.nonzero(useful)
        self.logq_pair = logq[self.pair_i, self.pair_j]
        n_x = len(self.pair_i)
        self.n_x = n_x
        self.theta0 = n_x
        self.z0 = n_x + n
        n_col = n_x + 2 * n
        pen = problem.cost_weight * problem.costs
        cost = np.concatenate([pen[self.pair_i], np.ones(n), np.zeros(n)])
        lower = np.concatenate([np.zeros(n_x), np.zeros(n), np.full(n, -np.inf)])
        upper = np.concatenate(
            [cap[self.pair_i, self.pair_j].astype(float), problem.values.copy(), np.zeros(n)]
        )
        starts: list[int] = [0]
        index: list[NDArray[np.int64]] = []
        value: list[NDArray[np.float64]] = []
        row_lo: list[float] = []
        row_hi: list[float] = []
        cols = np.arange(n_x)
        for i in range(m):  # rounds of each type
            sel = cols[self.pair_i == i]
            if len(sel):
                index.append(sel)
                value.append(np.ones(len(sel)))
                starts.append(starts[-1] + len(sel))
                row_lo.append(-np.inf)
                row_hi.append(float(problem.counts[i]))
        by_target = [cols[self.pair_j == j] for j in range(n)]
        if problem.shot_limits is not None:
            for j in range(n):
                if len(by_target[j]):
                    index.append(by_target[j])
                    value.append(np.ones(len(by_target[j])))
                    starts.append(starts[-1] + len(by_target[j]))
                    row_lo.append(-np.inf)
                    row_hi.append(float(problem.shot_limits[j]))
        for j in range(n):  # z_j - sum_i logq_ij x_ij = 0
            sel = by_target[j]
            index.append(np.concatenate([sel, [self.z0 + j]]))
            value.append(np.concatenate([-self.logq_pair[sel], [1.0]]))
            starts.append(starts[-1] + len(sel) + 1)
            row_lo.append(0.0)
            row_hi.append(0.0)
        lp = highspy.HighsLp()
        lp.num_col_ = n_col
        lp.num_row_ = len(row_lo)
        lp.col_cost_ = cost
        lp.col_lower_ = lower
        lp.col_upper_ = upper
        lp.row_lower_ = np.array(row_lo)
        lp.row_upper_ = np.array(row_hi)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.concatenate(index).astype(np.int32)
        lp.a_matrix_.value_ = np.concatenate(value)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_x + [
            highspy.HighsVarType.kContinuous
        ] * (2 * n)
        self.h = new_highs()
        self.h.setOptionValue("threads", threads)
        self.h.setOptionValue("random_seed", seed % 2147483647)  # HiGHS takes 0 .. 2^31 - 2
        # Presolve barely shrinks these models, took half the time of a 200 x 200
        # solve when measured, and does not check the time limit while it runs.
        self.h.setOptionValue("presolve", "off")
        self.h.passModel(lp)
        self.n_cuts = 0
        self.deadline = math.inf
        # Also ask HiGHS to stop from its interrupt callbacks (they fire at MIP nodes;
        # a long root LP can still run past the limit by a second or so)
        for event in (self.h.cbSimplexInterrupt, self.h.cbIpmInterrupt, self.h.cbMipInterrupt):
            event.subscribe(self._interrupt)
        self.h.enableCallbacks()

    def _interrupt(self, event: Any) -> None:
        if time.perf_counter() >= self.deadline:
            event.interrupt()

    def z_of(self, x: NDArray[np.int64]) -> NDArray[np.float64]:
        """z_j of shots x, with the same floored logs as the model."""
        return np.asarray(self.problem.log_survival() * x).sum(axis=0)

    def add_cuts(self, targets: NDArray[np.int64], points: NDArray[np.float64]) -> None:
        """Add the tangents of V_j e^z at z = ``points`` for the paired ``targets``."""
        values = self.problem.values[targets]
        keep = values > 0
        targets, points, values = targets[keep], points[keep], values[keep]
        if not len(targets):
            return
        slope = values * np.exp(points)
        k = len(targets)
        index = np.empty(2 * k, dtype=np.int32)
        index[0::2] = self.theta0 + targets
        index[1::2] = self.z0 + targets
        coef = np.empty(2 * k)
        coef[0::2] = 1.0
        coef[1::2] = -slope
        self.h.addRows(
            k,
            slope * (1.0 - points),
            np.full(k, np.inf),
            2 * k,
            np.arange(0, 2 * k, 2, dtype=np.int32),
            index,
            coef,
        )
        self.n_cuts += k

    def add_secant_cuts(self, x: NDArray[np.int64]) -> None:
        """Add, for every target, two supermodular (secant) cuts taken at shots ``x``.

        Seen as a set function of single rounds, f(S) = V_j prod_{r in S} q_r
        is supermodular, so with Delta_r(A) = f(A + r) - f(A) (Nemhauser,
        Wolsey and Fisher 1978, flipped for supermodular functions):

        - A: f(T) >= f(S) + sum_{r in T-S} Delta_r(S) - sum_{r in S-T} Delta_r(S+T-r),
          where the removal terms are >= 0 and are dropped;
        - B: f(T) >= f(S) + sum_{r in T-S} Delta_r(S&T) - sum_{r in S-T} Delta_r(S-r),
          where Delta_r(S&T) >= Delta_r(empty set) = V_j (q_r - 1) is used instead.

        With identical rounds of a type each term is a one-dimensional
        piecewise-linear function of x_ij, replaced by the best line below it
        on [0, cap] (exact at ``x`` for 0-1 rounds and at 0 and cap). Secant
        rather than tangent slopes make the linear relaxation much tighter
        than the tangents in z. (One binary per round makes every cut exact
        but, measured, the symmetric copies make HiGHS much slower.)
        """
        problem = self.problem
        z = self.z_of(x)
        level = problem.values * np.exp(z)
        q = np.exp(self.logq_pair)
        xi = x[self.pair_i, self.pair_j].astype(float)
        cap = problem.shot_cap()[self.pair_i, self.pair_j].astype(float)
        f = level[self.pair_j]
        v = problem.values[self.pair_j]
        # A: additions at S, chord of f (q - 1) (y - x)^+ over [0, cap]; removals dropped
        self._add_rows(f * (q - 1.0) * (cap - xi) / cap, np.zeros_like(xi), level)
        # B: additions at the empty set, b (y - x)^+, removals at S - r, g (x - y)^+
        b = v * (q - 1.0)
        g = np.where(xi >= 1, v * np.exp(np.minimum(z[self.pair_j] - self.logq_pair, 0.0)) - f, 0.0)
        convex = -g <= b  # then the line through (x, 0) with slope b lies below
        slope = np.where(
            xi <= 0,
            b,
            np.where(xi >= cap, -g, np.where(convex, b, (b * (cap - xi) - g * xi) / cap)),
        )
        intercept = np.where(
            xi <= 0, 0.0, np.where(xi >= cap, g * cap, np.where(convex, -b * xi, g * xi))
        )
        self._add_rows(slope, intercept, level)

    def _add_rows(
        self,
        slope: NDArray[np.float64],
        intercept: NDArray[np.float64],
        level: NDArray[np.float64],
    ) -> None:
        """Add theta_j >= level_j + sum over j's pairs of (intercept + slope x_ij)."""
        problem = self.problem
        n = problem.n_targets
        order = np.argsort(self.pair_j, kind="stable")
        counts = np.bincount(self.pair_j, minlength=n)
        rhs = level + np.bincount(self.pair_j, weights=intercept, minlength=n)
        rows = (problem.values > 0) & (counts > 0)
        sizes = counts + 1
        starts = np.zeros(n + 1, dtype=np.int64)
        starts[1:] = np.cumsum(sizes)
        index = np.empty(starts[-1], dtype=np.int32)
        coef = np.empty(starts[-1])
        index[starts[:-1]] = self.theta0 + np.arange(n)
        coef[starts[:-1]] = 1.0
        body = np.ones(starts[-1], dtype=bool)
        body[starts[:-1]] = False
        index[body] = order
        coef[body] = -slope[order]
        keep = np.repeat(rows, sizes)
        new_starts = np.concatenate([[0], np.cumsum(sizes[rows])])[:-1]
        self.h.addRows(
            int(rows.sum()),
            rhs[rows],
            np.full(int(rows.sum()), np.inf),
            int(keep.sum()),
            new_starts.astype(np.int32),
            index[keep],
            coef[keep],
        )
        self.n_cuts += int(rows.sum())

    def start(self, x: NDArray[np.int64]) -> None:
        """Give HiGHS ``x`` as its starting incumbent."""
        z = self.z_of(x)
        fired = x[self.pair_i, self.pair_j].astype(float)
        col = np.concatenate([fired, self.problem.values * np.exp(z), z])
        solution = self.highspy.HighsSolution()
        solution.col_value = col
        self.h.setSolution(solution)

    def run(self, time_limit: float, gap: float) -> tuple[float, NDArray[np.int64] | None, bool]:
        """Solve the MIP: (dual bound, solution or None, whether it stopped on time)."""
        self.h.setOptionValue("time_limit", max(time_limit, 0.01))
        self.deadline = time.perf_counter() + time_limit
        self.h.setOptionValue("mip_rel_gap", gap)
        self.h.run()
        status = self.h.getModelStatus()
        info = self.h.getInfo()
        bound = float(info.mip_dual_bound)
        stopped = (
            self.highspy.HighsModelStatus.kTimeLimit,
            self.highspy.HighsModelStatus.kInterrupt,
        )
        timed_out = status in stopped
        x = None
        if info.primal_solution_status == 2:  # feasible
            col = np.asarray(self.h.getSolution().col_value)
            x = np.zeros(self.problem.pk.shape, dtype=np.int64)
            x[self.pair_i, self.pair_j] = np.rint(col[: self.n_x]).astype(np.int64)
        if not math.isfinite(bound):
            bound = -math.inf
        return bound, x, timed_out


def _grid(
    values: NDArray[np.float64], logq: NDArray[np.float64], tol_abs: float, step_min: float
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Tangent points per target with error at most about ``tol_abs`` each.

    From z = 0 down, steps of sqrt(8 tol_abs / (V e^z)) (the tangent gap of
    e^z over a step h is about e^z h^2 / 8), between ``step_min`` and 1, until
    V e^z itself falls below ``tol_abs`` or below the deepest reachable z.
    """
    targets: list[int] = []
    points: list[float] = []
    deepest = logq.min(axis=0) * 4.0
    for j, v in enumerate(values):
        if v <= 0:
            continue
        t = 0.0
        while True:
            targets.append(j)
            points.append(t)
            level = v * math.exp(t)
            if level < tol_abs or t < deepest[j]:
                break
            t -= min(1.0, max(step_min, math.sqrt(8.0 * tol_abs / level)))
    return np.array(targets, dtype=np.int64), np.array(points)


class _OuterApproximation:
    """The outer-approximation loop shared by ``exact`` and ``oa``."""

    name = "oa"
    exact = True

    def __init__(
        self,
        *,
        gap: float = 1e-4,
        grid_tol: float = 0.0,
        warm_start: bool = False,
        secant: bool = False,
        threads: int = 1,
        seed: int = 0,
        max_rounds: int = 1000,
    ) -> None:
        if not 0 <= gap < 1 or grid_tol < 0 or threads < 1 or max_rounds < 1:
            raise ValueError("need 0 <= gap < 1, grid_tol >= 0, threads >= 1, max_rounds >= 1")
        self.gap = gap
        self.grid_tol = grid_tol
        self.warm_start = warm_start
        self.secant = secant
        self.threads = threads
        self.seed = check_seed(seed)
        self.max_rounds = max_rounds

    def solve(self, problem: Problem, *, time_limit: float | None = None) -> Solution:
        """Solve ``problem`` to the relative gap, or until ``time_limit`` seconds."""
        time_limit = check_time_limit(time_limit)
        check_memory(problem, self.name)
        start = time.perf_counter()
        limit = math.inf if time_limit is None else float(time_limit)
        info: dict[str, Any] = {"rounds": 0}
        best_x = np.zeros(problem.pk.shape, dtype=np.int64)
        best = problem.objective(best_x)
        if self.warm_start:
            from iadsim.wta.heuristics import LocalSearchSolver

            heuristic = LocalSearchSolver(iterations=100, seed=self.seed).solve(
                problem, time_limit=0.2 * limit if math.isfinite(limit) else None
            )
            if heuristic.objective < best:
                best_x, best = heuristic.x, heuristic.objective
        model = _Model(problem, threads=self.threads, seed=self.seed)
        n = problem.n_targets
        if model.n_x == 0:  # no round can change anything: firing nothing is optimal
            return Solution(
                x=best_x,
                objective=best,
                bound=best,
                seconds=time.perf_counter() - start,
                solver=self.name,
                status="optimal",
                info=info,
            )
        model.add_cuts(np.arange(n), np.zeros(n))
        if self.secant:
            model.add_secant_cuts(np.zeros(problem.pk.shape, dtype=np.int64))
        if self.grid_tol > 0:
            targets, points = _grid(
                problem.values, problem.log_survival(), self.grid_tol * best / max(n, 1), 0.01
            )
            model.add_cuts(targets, points)
        if self.warm_start:
            model.add_cuts(np.arange(n), model.z_of(best_x))
            if self.secant:
                model.add_secant_cuts(best_x)
            model.start(best_x)
        bound = -math.inf
        timed_out = False
        abs_tol = 1e-9 * max(1.0, float(problem.values.sum()))
        while info["rounds"] < self.max_rounds:
            left = limit - (time.perf_counter() - start)
            if left <= 0:
                timed_out = True
                break
            info["rounds"] += 1
            mip_bound, x, timed_out = model.run(left, 0.5 * self.gap)
            bound = max(bound, mip_bound)
            if x is not None:
                obj = problem.objective(x)
                if obj < best:
                    best, best_x = obj, x
            if best - bound <= self.gap * best + abs_tol or timed_out or x is None:
                break
            model.add_cuts(np.arange(n), model.z_of(x))
            if self.secant:
                model.add_secant_cuts(x)
            if x is not best_x:
                model.start(best_x)
        bound = min(bound, best)  # tolerance can leave a bound a hair above the objective
        closed = best - bound <= self.gap * best + abs_tol
        info["cuts"] = model.n_cuts
        return Solution(
            x=best_x,
            objective=best,
            bound=bound if math.isfinite(bound) else None,
            seconds=time.perf_counter() - start,
            solver=self.name,
            status="optimal" if closed else "time_limit",
            info=info,
        )


@register("exact")
class ExactSolver(_OuterApproximation):
    """Outer approximation over HiGHS with a heuristic start and supermodular cuts.

    Starts from ``local`` (100 restarts, at most a fifth of the time limit),
    then solves MIPs over x with, per target, tangents in z and the two
    supermodular cuts of :meth:`_Model.add_secant_cuts` at z = 0, at the start
    and at every MIP solution, until the relative gap closes. On 0-1
    instances (one round per type) one MIP usually suffices; with several
    identical rounds per type the cuts are weaker between 0 and the count.

    Options:
        gap: relative gap (objective - bound) / objective at which it stops and
            reports ``"optimal"`` (default 1e-4, HiGHS's own default MIP gap).
        grid_tol: total error of an initial tangent grid as a fraction of the
            heuristic objective (default 0: only tangents at z = 0 and at the
            start; a grid makes the MIPs larger and, measured, slower).
        threads: HiGHS threads (default 1, which keeps runs repeatable).
        seed: HiGHS random seed and heuristic seed (default 0).
        max_rounds: most MIP solves (default 1000).

    On a time limit it returns the best assignment found (never worse than the
    heuristic start) and the best proven lower bound, with status
    ``"time_limit"``. The bound is proven up to HiGHS's feasibility tolerances.
    """

    name = "exact"

    def __init__(
        self,
        *,
        gap: float = 1e-4,
        grid_tol: float = 0.0,
        threads: int = 1,
        seed: int = 0,
        max_rounds: int = 1000,
    ) -> None:
        super().__init__(
            gap=gap,
            grid_tol=grid_tol,
            warm_start=True,
            secant=True,
            threads=threads,
            seed=seed,
            max_rounds=max_rounds,
        )


@register("oa")
class OuterApproximationSolver(_OuterApproximation):
    """The plain outer-approximation loop over HiGHS: the general-purpose MIP baseline.

    One tangent at z = 0 per target, no start, then one tangent per target at
    each MIP solution until the gap closes.

    Options:
        gap: relative gap at which it stops (default 1e-4).
        threads: HiGHS threads (default 1).
        seed: HiGHS random seed (default 0).
        max_rounds: most MIP solves (default 1000).

    On a time limit it returns the best assignment found (all zeros if none)
    and the best proven bound, with status ``"time_limit"``.
    """

    name = "oa"

    def __init__(
        self, *, gap: float = 1e-4, threads: int = 1, seed: int = 0, max_rounds: int = 1000
    ) -> None:
        super().__init__(
            gap=gap,
            grid_tol=0.0,
            warm_start=False,
            threads=threads,
            seed=seed,
            max_rounds=max_rounds,
        )
