"""Heuristic WTA solvers: greedy maximum marginal return and local search with restarts."""

from __future__ import annotations

import time

import numpy as np

from iadsim.wta import kernels
from iadsim.wta.exchange import exchange_pass
from iadsim.wta.limits import check_memory, check_seed, check_time_limit
from iadsim.wta.problem import Problem
from iadsim.wta.registry import register
from iadsim.wta.solution import Solution
from iadsim.wta.units import KernelArrays, kernel_arrays, to_matrix

__all__ = ["GreedySolver", "LocalSearchSolver"]


def _descend(a: KernelArrays, unit_target: np.ndarray, tol: float, deadline: float | None) -> int:
    """Alternate assignment exchanges and move/swap search until neither improves."""
    steps = 0
    while deadline is None or time.perf_counter() < deadline:
        improved = False
        deepest = int(np.bincount(unit_target[unit_target >= 0]).max(initial=1))
        for rotation in range(deepest):
            if exchange_pass(a, unit_target, rotation, tol):
                improved = True
                steps += 1
        moves = _moves(a, unit_target, tol)
        steps += moves
        if not (improved or moves):
            break
    return steps


def _moves(a: KernelArrays, unit_target: np.ndarray, tol: float) -> int:
    """Moves and swaps of single rounds until stuck; returns how many were made."""
    return int(
        kernels.local_search(a.values, a.logq, a.pen, a.limits, a.unit_type, unit_target, tol)
    )


@register("greedy")
class GreedySolver:
    """Greedy maximum marginal return.

    Fires, one round at a time, the round and target that remove the most
    expected surviving value net of lambda x cost, until no round gains. Runs
    in O(rounds x (m + n)) steps typically. No options. It ignores the time
    limit: it always finishes (milliseconds at m = n = 1000). Proves no bound.
    """

    name = "greedy"
    exact = False

    def solve(self, problem: Problem, *, time_limit: float | None = None) -> Solution:
        """Run greedy marginal return on ``problem``."""
        check_time_limit(time_limit)
        check_memory(problem, self.name)
        start = time.perf_counter()
        arrays = kernel_arrays(problem)
        unit_target = np.full(arrays.unit_type.shape[0], -1, dtype=np.int64)
        order = np.arange(arrays.unit_type.shape[0], dtype=np.int64)
        kernels.greedy_fill(
            arrays.values,
            arrays.logq,
            arrays.pen,
            arrays.limits,
            arrays.unit_type,
            unit_target,
            order,
        )
        x = to_matrix(problem, arrays.unit_type, unit_target)
        return Solution(
            x=x,
            objective=problem.objective(x),
            bound=None,
            seconds=time.perf_counter() - start,
            solver=self.name,
            status="heuristic",
        )


@register("local")
class LocalSearchSolver:
    """Greedy start, assignment exchanges and local search, then ruin-and-recreate restarts.

    The descent alternates two neighbourhoods until neither improves: the
    assignment exchange of :mod:`iadsim.wta.exchange` (one round off every
    target, all put back at once by a linear assignment: every cyclic
    exchange among them) and single-round moves to another target (or held
    back, when costs make a round not worth firing) plus swaps of the targets
    of two rounds of different types. Then, for ``iterations`` rounds, it
    frees every round on a few random targets plus a few random rounds,
    refills them greedily, runs the move/swap search, and if that beats the
    best so far finishes with the full descent and keeps it (iterated local
    search; the random choices come from ``seed``, so runs repeat exactly).

    Options:
        iterations: ruin-and-recreate rounds after the first descent (default 200).
        ruin: targets cleared per round; 0 picks max(2, n // 25) (default 0).
        accept: a restart's result becomes the base of the next one if it is
            at most this fraction worse than the current base (default 0:
            only improvements and ties).
        seed: seed of the ruin choices (default 0).

    On a time limit it stops after the current step and returns the best
    assignment found so far (the answer may then differ from run to run).
    Proves no bound.
    """

    name = "local"
    exact = False

    def __init__(
        self, *, iterations: int = 200, ruin: int = 0, accept: float = 0.0, seed: int = 0
    ) -> None:
        if iterations < 0 or ruin < 0 or accept < 0:
            raise ValueError("iterations, ruin and accept must be non-negative")
        self.accept = accept
        self.iterations = iterations
        self.ruin = ruin
        self.seed = check_seed(seed)

    def solve(self, problem: Problem, *, time_limit: float | None = None) -> Solution:
        """Improve the greedy assignment of ``problem`` by local search and restarts."""
        time_limit = check_time_limit(time_limit)
        check_memory(problem, self.name)
        start = time.perf_counter()
        deadline = None if time_limit is None else start + time_limit
        a = kernel_arrays(problem)
        n_units = a.unit_type.shape[0]
        tol = 1e-12 * max(1.0, float(a.values.sum()))
        current = np.full(n_units, -1, dtype=np.int64)
        kernels.greedy_fill(
            a.values,
            a.logq,
            a.pen,
            a.limits,
            a.unit_type,
            current,
            np.arange(n_units, dtype=np.int64),
        )
        moves = _descend(a, current, tol, deadline)
        best = current.copy()
        best_obj = kernels.objective_units(a.values, a.logq, a.pen, a.unit_type, best)
        ruin = self.ruin or max(2, problem.n_targets // 25)
        rng = np.array([(self.seed * 0x9E3779B97F4A7C15) % 2**64], dtype=np.uint64)
        done = 0
        accepted = 0
        base = best.copy()
        base_obj = best_obj
        for _ in range(self.iterations if n_units > 1 else 0):
            if deadline is not None and time.perf_counter() >= deadline:
                break
            current[:] = base
            kernels.ruin_recreate(
                a.values, a.logq, a.pen, a.limits, a.unit_type, current, ruin, rng
            )
            moves += _moves(a, current, tol)
            obj = kernels.objective_units(a.values, a.logq, a.pen, a.unit_type, current)
            if obj < best_obj - tol:  # promising: finish with the assignment exchanges too
                moves += _descend(a, current, tol, deadline)
                obj = kernels.objective_units(a.values, a.logq, a.pen, a.unit_type, current)
            done += 1
            if obj <= best_obj - tol:
                accepted += 1
            if obj <= best_obj:
                best_obj = obj
                best[:] = current
            if obj <= base_obj * (1.0 + self.accept):  # walk on through slightly worse ones
                base_obj = obj
                base[:] = current
        x = to_matrix(problem, a.unit_type, best)
        seconds = time.perf_counter() - start
        stopped = done < self.iterations and n_units > 1
        return Solution(
            x=x,
            objective=problem.objective(x),
            bound=None,
            seconds=seconds,
            solver=self.name,
            status="time_limit" if stopped else "heuristic",
            info={"iterations": done, "improvements": accepted, "moves": int(moves)},
        )


@register("descent")
class DescentSolver(LocalSearchSolver):
    """``local`` without restarts: greedy start, then exchanges, moves and swaps until stuck.

    The fast setting of the local search (tens of milliseconds at 200 x 200),
    good on 0-1 instances; ``local`` adds the restarts that help when types
    have several rounds. Option: none. Ignores the time limit except between
    descent steps. Proves no bound.
    """

    name = "descent"

    def __init__(self) -> None:
        super().__init__(iterations=0)
