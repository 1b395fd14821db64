"""Assignment policies: exact is optimal, greedy never beats it, cost_aware spares interceptors."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.c2 import Option, exact_assign, greedy_assign, greedy_order
from iadsim.engine import Fate, simulate
from iadsim.errors import ScenarioError
from iadsim.scenario import parse_scenario

from scenarios import base, build, unit


@st.composite
def option_sets(draw: st.DrawFn) -> tuple[list[Option], list[int], list[int]]:
    n_units = draw(st.integers(1, 3))
    n = draw(st.integers(0, 9))
    options = []
    for k in range(n):
        options.append(
            Option(
                score=draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])) * draw(st.integers(1, 4)),
                intercept=float(k),
                threat=draw(st.integers(0, 4)),
                unit=draw(st.integers(0, n_units - 1)),
                window=k,
                rounds=draw(st.integers(1, 3)),
            )
        )
    free = [draw(st.integers(0, 2)) for _ in range(n_units)]
    ready = [draw(st.integers(0, 5)) for _ in range(n_units)]
    return options, free, ready


def feasible(chosen: list[Option], free: list[int], ready: list[int]) -> bool:
    threats = [o.threat for o in chosen]
    if len(set(threats)) != len(threats):
        return False
    for u in range(len(free)):
        mine = [o for o in chosen if o.unit == u]
        if len(mine) > free[u] or sum(o.rounds for o in mine) > ready[u]:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(case=option_sets())
def test_exact_is_optimal_and_greedy_never_beats_it(case) -> None:
    options, free, ready = case
    best = max(
        (
            sum(o.score for o in subset)
            for r in range(len(options) + 1)
            for subset in itertools.combinations(options, r)
            if feasible(list(subset), free, ready)
        ),
        default=0.0,
    )
    chosen = exact_assign(greedy_order(options), list(free), list(ready))
    assert feasible(chosen, free, ready)
    assert sum(o.score for o in chosen) == pytest.approx(best)
    greedy = greedy_assign(options, list(free), list(ready))
    assert feasible(greedy, free, ready)
    assert sum(o.score for o in greedy) <= best + 1e-9


def test_exact_beats_greedy_where_greedy_is_myopic() -> None:
    # unit 0 has one channel; greedy gives it to threat 0 (score 3), leaving threat 1
    # (which only unit 0 reaches) unengaged, while unit 1 could have taken threat 0
    options = [
        Option(3.0, 0.0, threat=0, unit=0, window=0, rounds=1),
        Option(2.9, 0.0, threat=1, unit=0, window=1, rounds=1),
        Option(2.8, 0.0, threat=0, unit=1, window=2, rounds=1),
    ]
    greedy = greedy_assign(options, [1, 1], [5, 5])
    exact = exact_assign(greedy_order(options), [1, 1], [5, 5])
    assert sum(o.score for o in greedy) == pytest.approx(3.0)
    assert sum(o.score for o in exact) == pytest.approx(5.7)


def test_exact_node_limit_returns_the_best_found() -> None:
    options = [Option(1.0, 0.0, threat=k, unit=0, window=k, rounds=1) for k in range(12)]
    chosen = exact_assign(options, [3], [12], node_limit=5)
    assert feasible(chosen, [3], [12]) and len(chosen) <= 3


def expensive_battery_against_drones(asset_value: float, policy: str) -> dict:
    raw = base(salvo={"default": 1}, policy=policy, value_unit="1 MUSD")
    raw["assets"][0]["value"] = asset_value
    raw["threat_classes"]["drone"]["lethality"] = {"soft": 0.5, "medium": 0.5, "hard": 0.5}
    raw["raids"][0]["count"] = 10
    raw["fire_units"] = [unit("patriot", -20, pk=0.9, cost_per_shot="4000000 USD")]
    return raw


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_cost_aware_spares_a_4m_interceptor_for_a_drone_on_a_cheap_asset(engine: str) -> None:
    # a drone on a $2M asset with lethality 0.5 puts $1M at stake: not worth a $4M round
    cheap = build(expensive_battery_against_drones(2, "cost_aware"))
    out = simulate(cheap, replications=5, seed=1, engine=engine)
    assert (out.shots == 0).all() and (out.fate == Fate.LEAKED).all()
    # the same drones on a $100M asset put $50M at stake: engage
    dear = build(expensive_battery_against_drones(100, "cost_aware"))
    out = simulate(dear, replications=5, seed=1, engine=engine)
    assert (out.shots > 0).all()
    # greedy fires at both
    greedy = simulate(cheap, replications=5, seed=1, engine=engine, policy="greedy")
    assert (greedy.shots > 0).all()


def test_cost_aware_needs_a_value_unit() -> None:
    raw = base(policy="cost_aware")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(raw)
    assert err.value.problems[0][0] == "doctrine.value_unit"
    compiled = build(base())
    with pytest.raises(ValueError, match="value_unit"):
        simulate(compiled, replications=1, seed=1, policy="cost_aware")
