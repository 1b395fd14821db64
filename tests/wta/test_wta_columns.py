"""Allocation pricing, enumeration, Lagrangian bounds and certificates against brute force."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from iadsim.wta import Problem, ahuja_instance, solve
from iadsim.wta.check import brute_force, small_problems
from iadsim.wta.columns import (
    PricingData,
    column_cost,
    enumerate_columns,
    lagrangian_bound,
)
from iadsim.wta.proof import certificate, read_certificate, verify, write


def random_problem(seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    extra: dict[str, object] = {}
    if seed % 3 == 1:
        extra = {"costs": rng.uniform(0, 3, m), "cost_weight": float(rng.uniform(0.2, 2))}
    if seed % 3 == 2:
        extra = {"shot_limits": rng.integers(0, 4, n)}
    pk = rng.uniform(0, 1, (m, n))
    if seed % 5 == 0:
        pk[0, 0] = 1.0  # a certain kill
    return Problem(
        values=rng.uniform(0, 10, n),
        pk=pk,
        counts=rng.integers(0, 4, m),
        **extra,  # type: ignore[arg-type]
    )


def allocations(data: PricingData, j: int) -> list[np.ndarray]:
    """Every allocation of target j within caps and its shot limit."""
    caps = data.cap[:, j]
    out = []
    for a in itertools.product(*[range(int(c) + 1) for c in caps]):
        if sum(a) <= data.limits[j]:
            out.append(np.array(a, dtype=np.int64))
    return out


def priced(data: PricingData, j: int, a: np.ndarray, u: np.ndarray) -> float:
    return column_cost(data, j, a) + float(u @ a)


@pytest.mark.parametrize("seed", range(30))
def test_pricing_and_enumeration_match_brute_force(seed: int) -> None:
    problem = random_problem(seed)
    data = PricingData(problem)
    rng = np.random.default_rng(1000 + seed)
    for u in (np.zeros(problem.n_weapons), rng.uniform(0, 3, problem.n_weapons)):
        if seed % 2:
            u[rng.integers(problem.n_weapons)] = 0.0
        bound, best, alloc = lagrangian_bound(data, u)
        for j in range(problem.n_targets):
            everything = allocations(data, j)
            costs = [priced(data, j, a, u) for a in everything]
            least = min(costs)
            assert best[j] == pytest.approx(least, rel=1e-12, abs=1e-12)
            assert priced(data, j, alloc[j], u) == pytest.approx(least, rel=1e-12, abs=1e-12)
        # the bound is below the optimum whatever the prices
        optimum, _ = brute_force(problem)
        assert bound <= optimum + 1e-9
        # enumeration lists exactly the allocations within the reduced-cost threshold
        gap = float(rng.uniform(0, 2))
        listed = enumerate_columns(data, u, gap)
        assert listed is not None
        cols, _ = listed
        got = {
            (cols.target[c], tuple(np.bincount(cols.types[c], cols.rounds[c], problem.n_weapons)))
            for c in range(len(cols))
        }
        want = set()
        for j in range(problem.n_targets):
            for a in allocations(data, j):
                # a hair of slack either way: the enumeration adds 1e-9 x sum of values
                if priced(data, j, a, u) <= best[j] + gap - 1e-8:
                    want.add((j, tuple(int(v) for v in a)))
        assert want <= got
        for j, a in got:
            assert priced(data, j, np.array(a), u) <= best[j] + gap + 1e-8


@pytest.mark.parametrize("seed", range(12))
def test_columns_solver_is_optimal_on_small_problems(seed: int) -> None:
    problem = random_problem(100 + seed)
    optimum, _ = brute_force(problem)
    answer = solve(problem, "columns")
    tol = 1e-9 * max(1.0, optimum)
    assert answer.status == "optimal"
    assert answer.objective == pytest.approx(problem.objective(answer.x), rel=1e-12)
    assert optimum - tol <= answer.objective <= optimum + tol
    assert answer.bound is not None and answer.bound <= optimum + tol


def test_columns_proves_a_multi_round_instance_that_exact_does_not_close_quickly() -> None:
    rng = np.random.default_rng(7)
    problem = Problem(
        values=rng.integers(1, 100, 40).astype(float),
        pk=rng.uniform(0.05, 0.95, (20, 40)),
        counts=np.full(20, 3),
        name="mu3",
    )
    answer = solve(problem, "columns", time_limit=60)
    assert answer.status == "optimal"
    assert answer.info["proof"] in {"lagrangian", "enumeration"}
    check = solve(problem, "exact", time_limit=60)
    assert answer.objective <= check.objective + 1e-9
    if check.bound is not None:
        assert check.bound <= answer.objective + 1e-9


def test_certificate_round_trip_and_tampering(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    problem = Problem(
        values=rng.integers(1, 100, 16).astype(float),
        pk=rng.uniform(0.05, 0.95, (8, 16)),
        counts=np.full(8, 2),
        name="cert",
    )
    answer = solve(problem, "columns", time_limit=60)
    assert answer.status == "optimal"
    path = tmp_path / "proof.json"
    write(certificate(problem, answer, source="generated"), path)
    document = read_certificate(path)
    checked = verify(problem, document)
    assert checked["bound"] >= answer.objective * (1 - 1e-9)
    # a better objective than the assignment gives is caught
    bad = json.loads(path.read_text())
    bad["objective"] = answer.objective * 0.99
    with pytest.raises(ValueError, match="objective"):
        verify(problem, bad)
    # prices that do not give the claimed L(u)
    bad = json.loads(path.read_text())
    if bad["proof"] != "none":
        bad["lagrangian"] = bad["lagrangian"] + 1.0
        with pytest.raises(ValueError, match="L\\(u\\)"):
            verify(problem, bad)
    # a bound above what the proof gives
    bad = json.loads(path.read_text())
    if bad["proof"] != "none":
        bad["bound"] = answer.objective * 1.01
        with pytest.raises(ValueError, match="above"):
            verify(problem, bad)
    # another instance
    other = ahuja_instance(4, seed=1)
    with pytest.raises(ValueError, match="other data"):
        verify(other, document)


def test_small_problems_and_ahuja_agree_with_brute_force() -> None:
    for problem in [*small_problems(), ahuja_instance(5, seed=5)]:
        optimum, _ = brute_force(problem)
        answer = solve(problem, "columns")
        assert answer.objective == pytest.approx(optimum, rel=1e-9, abs=1e-9)
        assert answer.bound is not None and answer.bound <= optimum * (1 + 1e-12) + 1e-12
