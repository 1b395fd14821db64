"""The conformance check that every WTA solver must pass."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable

import numpy as np

from iadsim.wta.instances import ahuja_instance
from iadsim.wta.problem import Problem
from iadsim.wta.registry import Solver, get_solver
from iadsim.wta.solution import Solution

__all__ = ["brute_force", "check_solution", "check_solver", "small_problems"]


def brute_force(problem: Problem) -> tuple[float, np.ndarray]:
    """Optimal objective and shots by enumeration (only for a handful of rounds and targets)."""
    m, n = problem.pk.shape
    per_type: list[list[tuple[int, ...]]] = []
    for i in range(m):  # every way to spread count_i rounds (or fewer) over n targets
        options = []
        for fired in range(int(problem.counts[i]) + 1):
            for combo in itertools.combinations_with_replacement(range(n), fired):
                options.append(tuple(np.bincount(np.array(combo, dtype=int), minlength=n)))
        per_type.append(options)
    best, best_x = np.inf, np.zeros((m, n), dtype=np.int64)
    for rows in itertools.product(*per_type):
        x = np.array(rows, dtype=np.int64).reshape(m, n)
        if problem.is_feasible(x):
            obj = problem.objective(x)
            if obj < best:
                best, best_x = obj, x
    return float(best), best_x


def small_problems(seed: int = 0) -> list[Problem]:
    """A few small instances covering the variants: plain, multi-round types, costs, limits."""
    rng = np.random.default_rng(seed)
    out = [ahuja_instance(4, seed=seed)]
    out.append(
        Problem(
            values=rng.uniform(1, 10, 4),
            pk=rng.uniform(0, 0.9, (2, 4)),
            counts=np.array([3, 2]),
            name="types",
        )
    )
    out.append(
        Problem(
            values=rng.uniform(1, 10, 3),
            pk=rng.uniform(0.2, 1.0, (3, 3)),
            counts=np.array([2, 1, 2]),
            costs=np.array([4.0, 0.5, 1.0]),
            cost_weight=1.0,
            name="costs",
        )
    )
    out.append(
        Problem(
            values=rng.uniform(1, 10, 4),
            pk=rng.uniform(0.1, 0.9, (2, 4)),
            counts=np.array([2, 3]),
            shot_limits=np.array([1, 2, 0, 1]),
            name="limits",
        )
    )
    return out


def check_solution(problem: Problem, solution: Solution, *, rtol: float = 1e-9) -> None:
    """Feasibility, objective consistency and bound validity of one answer.

    Raises:
        AssertionError: naming what is wrong.
    """
    x = solution.x
    assert problem.is_feasible(x), f"{solution.solver}: infeasible assignment on {problem.name}"
    true = problem.objective(x)
    scale = rtol * max(1.0, abs(true))
    assert abs(solution.objective - true) <= scale, (
        f"{solution.solver}: reports objective {solution.objective}, the assignment gives {true}"
    )
    if solution.bound is not None:
        assert solution.bound <= solution.objective + scale, (
            f"{solution.solver}: bound {solution.bound} above objective {solution.objective}"
        )
    assert solution.status in {"optimal", "time_limit", "heuristic"}, solution.status


def check_solver(
    solver: str | Solver,
    problems: Iterable[Problem] | None = None,
    *,
    time_limit: float = 1.0,
    grace: float = 1.0,
) -> None:
    """Check a solver: every new solver must pass this before it is registered for use.

    On each problem (by default :func:`small_problems`) it checks that the
    answer is feasible, that its objective is the problem's objective of its
    assignment, that a bound (if any) is at most the objective and at most the
    brute-force optimum, that an ``"optimal"`` answer matches that optimum to
    the solver's gap, that two calls give the same assignment, and that a
    call with ``time_limit`` on a 200 x 200 Ahuja instance returns within
    ``time_limit + grace`` seconds with a valid answer.

    Raises:
        AssertionError: naming the solver, the problem and what failed.
    """
    impl = get_solver(solver) if isinstance(solver, str) else solver
    for problem in small_problems() if problems is None else problems:
        first = impl.solve(problem)
        check_solution(problem, first)
        second = impl.solve(problem)
        assert np.array_equal(first.x, second.x), (
            f"{impl.name}: not deterministic on {problem.name}"
        )
        optimum, _ = brute_force(problem)
        tol = 1e-9 * max(1.0, optimum)
        assert first.objective >= optimum - tol, f"{impl.name}: beats the optimum on {problem.name}"
        if first.bound is not None:
            assert first.bound <= optimum + tol, f"{impl.name}: invalid bound on {problem.name}"
        if first.status == "optimal":
            gap = float(getattr(impl, "gap", 1e-9))
            assert first.objective <= optimum * (1 + gap) + tol, (
                f"{impl.name}: claims optimal at {first.objective}, the optimum is {optimum}"
            )
    big = ahuja_instance(200, seed=12345)
    start = time.perf_counter()
    answer = impl.solve(big, time_limit=time_limit)
    took = time.perf_counter() - start
    check_solution(big, answer)
    assert took <= time_limit + grace, f"{impl.name}: took {took:.2f} s for a {time_limit} s limit"
