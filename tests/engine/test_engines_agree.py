"""The fast engine gives the reference engine's Outcomes exactly: not close, identical.

The random scenarios carry the features of issue 13 (flight profiles, moving and
airborne platforms, aircraft, decoy discrimination, terrain) some of the time; the
scenarios as they were before it are drawn on their own too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.c2 import POLICY_NAMES
from iadsim.compile import compile_scenario
from iadsim.engine import simulate
from iadsim.scenario import load_scenario

from repo_paths import ROOT
from scenarios import base, build, unit
from strategies import small_scenarios

EXAMPLES = sorted(
    path
    for path in (ROOT / "examples").glob("*.yaml")
    if "threat_classes:" in path.read_text()  # scenarios, not campaign or laydown files
)


def assert_identical(compiled, replications: int, seed: int) -> None:
    fast = simulate(compiled, replications=replications, seed=seed, engine="fast")
    ref = simulate(compiled, replications=replications, seed=seed, engine="reference")
    for name in ("fate", "time", "cause", "hit", "shots", "engagements", "asset_destroyed"):
        a, b = getattr(fast, name), getattr(ref, name)
        assert a.dtype == b.dtype and (a == b).all(), name


@pytest.mark.parametrize("policy", POLICY_NAMES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_agree(path: Path, policy: str) -> None:
    scenario = load_scenario(
        path, overrides=[f"doctrine.policy={policy}", "doctrine.value_unit=1 MUSD"]
    )
    assert_identical(compile_scenario(scenario), replications=8, seed=20251122)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=small_scenarios(), seed=st.integers(0, 2**64 - 1))
def test_random_scenarios_agree(raw: dict, seed: int) -> None:
    assert_identical(build(raw), replications=4, seed=seed)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=small_scenarios(world=False), seed=st.integers(0, 2**64 - 1))
def test_random_scenarios_without_world_features_agree(raw: dict, seed: int) -> None:
    assert_identical(build(raw), replications=4, seed=seed)


def test_single_replicate_of_the_fast_engine_matches_its_row() -> None:
    raw = base(salvo={"default": 2})
    raw["fire_units"] = [unit("sam", -20, pk=0.5, channels=1, rounds=30, reserve=10)]
    cs = build(raw)
    full = simulate(cs, replications=300, seed=7, engine="fast")  # more than one batch
    one = simulate(cs, replications=300, seed=7, engine="fast", replicate_index=299)
    assert (one.fate[0] == full.fate[299]).all() and (one.time[0] == full.time[299]).all()


def test_engines_agree_from_given_start_magazines() -> None:
    import numpy as np

    from iadsim.engine import run_replications

    raw = base(salvo={"default": 2})
    raw["fire_units"] = [
        unit("a", -60, pk=0.5, channels=1, rounds=8, reserve=8, reload_time="2 min"),
        unit("b", -20, pk=0.4, channels=2, rounds=6, reserve=0),
    ]
    cs = build(raw)
    rng = np.random.default_rng(3)
    ready = rng.integers(0, 9, size=(10, 2))
    reserve = rng.integers(0, 9, size=(10, 2))
    reps = np.arange(10)
    fast = run_replications(cs, reps, seed=5, engine="fast", start=(ready, reserve))
    ref = run_replications(cs, reps, seed=5, engine="reference", start=(ready, reserve))
    assert fast.equals(ref)
    assert (fast.shots <= ready + reserve).all()
    empty = run_replications(cs, reps, seed=5, start=(0 * ready, 0 * reserve))
    assert (empty.shots == 0).all()
