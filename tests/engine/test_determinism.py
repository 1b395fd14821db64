"""Counter-based randomness: same seed, same outcome; any replicate reproduces alone."""

from __future__ import annotations

import pytest

from iadsim.compile import compile_scenario
from iadsim.engine import simulate
from iadsim.scenario import load_scenario

from repo_paths import EXAMPLES
from scenarios import base, build, unit


@pytest.fixture(scope="module")
def compiled():
    raw = base(salvo={"default": 1})
    raw["threat_classes"]["drone"]["ew_susceptibility"] = 0.4
    raw["fire_units"] = [
        unit("outer", -60, pk=0.5, channels=1, rounds=15),
        unit("inner", -20, pk=0.4, channels=1),
        {
            "id": "ew",
            "kind": "ew",
            "position": ["-40 km", "0 km"],
            "max_range": "8 km",
            "pk": {"drone": 0.7},
        },
    ]
    return build(raw)


def test_same_seed_same_outcomes(compiled) -> None:
    a = simulate(compiled, replications=12, seed=42)
    b = simulate(compiled, replications=12, seed=42)
    assert a.equals(b)


def test_different_seed_different_outcomes(compiled) -> None:
    a = simulate(compiled, replications=12, seed=42)
    b = simulate(compiled, replications=12, seed=43)
    assert not a.equals(b)


@pytest.mark.parametrize("index", [0, 5, 11])
def test_single_replicate_reproduces_its_row(compiled, index: int) -> None:
    full = simulate(compiled, replications=12, seed=42)
    one = simulate(compiled, replications=12, seed=42, replicate_index=index)
    assert len(one) == 1 and one.replications[0] == index
    for name in ("fate", "time", "cause", "hit", "shots", "engagements", "asset_destroyed"):
        assert (getattr(one, name)[0] == getattr(full, name)[index]).all(), name


def test_prefix_of_a_longer_run_is_the_shorter_run(compiled) -> None:
    short = simulate(compiled, replications=4, seed=9)
    long = simulate(compiled, replications=8, seed=9)
    assert (long.fate[:4] == short.fate).all() and (long.shots[:4] == short.shots).all()


def test_compile_is_pure_and_hash_is_stable() -> None:
    path = EXAMPLES / "capital_night_raid.yaml"
    a = compile_scenario(load_scenario(path))
    b = compile_scenario(load_scenario(path))
    assert a.content_hash == b.content_hash
    assert (a.route_x == b.route_x).all() and (a.eng_start == b.eng_start).all()
    c = compile_scenario(load_scenario(path, overrides=["raids.0.route.seed=99"]))
    assert c.content_hash != a.content_hash
    assert not (c.route_x == a.route_x).all()


def test_bad_arguments_are_clear_errors(compiled) -> None:
    with pytest.raises(ValueError, match="replications"):
        simulate(compiled, replications=0, seed=1)
    with pytest.raises(ValueError, match="replicate_index"):
        simulate(compiled, replications=3, seed=1, replicate_index=3)
    with pytest.raises(ValueError, match="engine"):
        simulate(compiled, replications=3, seed=1, engine="warp")


def test_trace_replays_a_replicate_of_either_engine(compiled) -> None:
    from collections import Counter

    from iadsim.engine import Fate, trace_replication

    fast = simulate(compiled, replications=6, seed=42, engine="fast")
    events, out = trace_replication(compiled, seed=42, replicate_index=4)
    assert (out.fate[0] == fast.fate[4]).all() and (out.time[0] == fast.time[4]).all()
    assert [e.time for e in events] == sorted(e.time for e in events)
    what = Counter(e.what for e in events)
    assert what["fire"] == fast.engagements[4].sum()
    assert what["kill"] == (fast.fate[4] == Fate.DESTROYED).sum()
    assert what["jammed"] == (fast.fate[4] == Fate.LOST_TO_EW).sum()
    assert what["leak"] + what["impact"] == (fast.fate[4] == Fate.LEAKED).sum()
    assert what["impact"] == fast.hit[4].sum()
    fires = [e for e in events if e.what == "fire"]
    assert all(e.until > e.time and e.unit >= 0 and e.threat >= 0 for e in fires)
