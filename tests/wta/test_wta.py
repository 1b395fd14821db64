"""The static WTA solvers: brute force, check_solver, bounds and the problem's variants."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.wta import Problem, ahuja_instance, available_solvers, check_solver, get_solver, solve
from iadsim.wta.check import brute_force, small_problems

SOLVERS = ["columns", "descent", "exact", "greedy", "local", "oa"]


def random_problem(rng: np.random.Generator, variant: int) -> Problem:
    m, n = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    extra: dict[str, object] = {}
    if variant == 1:
        extra = {"costs": rng.uniform(0, 5, m), "cost_weight": float(rng.uniform(0.2, 2))}
    if variant == 2:
        extra = {"shot_limits": rng.integers(0, 3, n)}
    return Problem(
        values=rng.uniform(0, 10, n),
        pk=rng.uniform(0, 1, (m, n)),
        counts=rng.integers(0, 4, m),
        **extra,  # type: ignore[arg-type]
    )


def test_registry_lists_the_builtin_solvers() -> None:
    assert available_solvers() == SOLVERS
    with pytest.raises(KeyError, match="available: columns, descent, exact, greedy"):
        get_solver("simplex")


@pytest.mark.parametrize("name", SOLVERS)
def test_every_solver_passes_check_solver(name: str) -> None:
    check_solver(name)


@pytest.mark.parametrize("seed", range(4))
def test_exact_matches_brute_force_and_bounds_are_valid(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k in range(12):
        problem = random_problem(rng, k % 3)
        optimum, _ = brute_force(problem)
        tol = 1e-9 * max(1.0, optimum)
        for name in ("columns", "exact", "oa"):
            answer = solve(problem, name)
            assert answer.status == "optimal"
            assert answer.bound is not None and answer.bound <= optimum + tol
            assert optimum - tol <= answer.objective <= optimum * (1 + 1e-4) + tol
        for name in ("greedy", "local"):
            assert solve(problem, name).objective >= optimum - tol


def test_exact_matches_brute_force_on_ahuja_sizes() -> None:
    for size in (2, 3, 4, 5):
        problem = ahuja_instance(size, seed=size)
        optimum, _ = brute_force(problem)
        answer = solve(problem, "exact")
        assert answer.objective == pytest.approx(optimum, rel=1e-4)
        assert answer.bound is not None and answer.bound <= optimum * (1 + 1e-12)


def test_exact_bound_below_local_on_a_mid_size_instance() -> None:
    problem = ahuja_instance(30, seed=3)
    exact = solve(problem, "exact", time_limit=20)
    local = solve(problem, "local")
    assert exact.bound is not None
    assert exact.bound <= exact.objective <= local.objective + 1e-9
    assert exact.gap is not None and exact.gap <= 1e-4


def test_exact_returns_best_and_bound_on_time_out() -> None:
    problem = ahuja_instance(120, seed=7)
    answer = solve(problem, "exact", time_limit=0.05)
    assert problem.is_feasible(answer.x)
    assert answer.seconds < 2.0
    assert answer.status in {"optimal", "time_limit"}
    if answer.bound is not None:
        assert answer.bound <= answer.objective


def test_costs_make_rounds_not_worth_firing_stay_home() -> None:
    problem = Problem(
        values=np.array([10.0, 1.0]),
        pk=np.array([[0.5, 0.5]]),
        counts=np.array([3]),
        costs=np.array([2.0]),
        cost_weight=1.0,
    )
    # a round on target 0 saves 5, then 2.5 (net 3, 0.5), then 1.25 (loss); on target 1 0.5 < 2
    for name in SOLVERS:
        answer = solve(problem, name)
        assert answer.x.tolist() == [[2, 0]], name


def test_shot_limits_are_respected() -> None:
    problem = Problem(
        values=np.array([100.0, 1.0]),
        pk=np.array([[0.9, 0.9]]),
        counts=np.array([4]),
        shot_limits=np.array([1, 1]),
    )
    for name in SOLVERS:
        answer = solve(problem, name)
        assert problem.is_feasible(answer.x)
        assert answer.x.tolist() == [[1, 1]], name


def test_objective_is_expected_surviving_value() -> None:
    problem = small_problems()[0]
    x = np.zeros(problem.pk.shape, dtype=np.int64)
    assert problem.objective(x) == pytest.approx(problem.values.sum())
    x[0, 0] = 2
    expected = problem.values.sum() - problem.values[0] * (1 - (1 - problem.pk[0, 0]) ** 2)
    assert problem.objective(x) == pytest.approx(expected)


def test_certain_kill_is_handled() -> None:
    problem = Problem(values=np.array([5.0, 3.0]), pk=np.array([[1.0, 0.2]]), counts=np.array([1]))
    for name in SOLVERS:
        answer = solve(problem, name)
        assert answer.objective == pytest.approx(3.0)


def test_ahuja_generator_is_seeded_and_in_range() -> None:
    a, b = ahuja_instance(50, seed=9), ahuja_instance(50, seed=9)
    assert np.array_equal(a.pk, b.pk) and np.array_equal(a.values, b.values)
    assert not np.array_equal(a.pk, ahuja_instance(50, seed=10).pk)
    assert a.pk.min() >= 0.6 and a.pk.max() <= 0.9
    assert a.values.min() >= 25 and a.values.max() <= 100
    assert a.counts.tolist() == [1] * 50


def test_heuristics_are_close_on_ahuja() -> None:
    problem = ahuja_instance(60, seed=2)
    exact = solve(problem, "exact", time_limit=20)
    assert exact.bound is not None
    assert solve(problem, "local").objective <= exact.bound * 1.005
    assert solve(problem, "greedy").objective <= exact.bound * 1.10


def test_invalid_problems_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Problem(values=np.ones(2), pk=np.full((1, 2), 1.5), counts=np.ones(1))
    with pytest.raises(ValueError, match="shapes disagree"):
        Problem(values=np.ones(3), pk=np.full((1, 2), 0.5), counts=np.ones(1))
