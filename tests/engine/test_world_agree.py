"""Issue 13 in the engines: decoy discrimination, and both engines agreeing bit for bit.

A sensor with ``discrimination`` d tells a decoy from what it mimics on a look with
chance ``pd x d`` (the same draw as the detection: a look that discriminates also
detects); once told apart, a decoy is no longer offered to the policy. The random
scenarios of :func:`strategies.small_scenarios` carry every feature of the issue
(profiles, moving platforms, aircraft, terrain, discrimination); here both engines
also run a scenario with all of them at once, under every policy.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.c2 import POLICY_NAMES
from iadsim.engine import Fate, simulate
from iadsim.engine.kernels import detection_time
from iadsim.engine.reference import Replication
from iadsim.engine.scene import build_scene

from scenarios import base, build, unit
from strategies import small_scenarios, terrain_file

OUTCOMES = ("fate", "time", "cause", "hit", "shots", "engagements", "asset_destroyed")


def assert_identical(a: Any, b: Any) -> None:
    for name in OUTCOMES:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and (x == y).all(), name


# --- decoy discrimination ------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=small_scenarios(world=False), seed=st.integers(0, 2**64 - 1))
def test_discrimination_zero_changes_nothing(raw: dict, seed: int) -> None:
    told = copy.deepcopy(raw)
    for sensor in told["sensors"]:
        sensor["discrimination"] = 0.0
    a, b = build(raw), build(told)
    assert (b.sensor_discrimination == 0.0).all()
    for engine in ("fast", "reference"):
        assert_identical(
            simulate(a, replications=3, seed=seed, engine=engine),
            simulate(b, replications=3, seed=seed, engine=engine),
        )


def decoy_case(discrimination: float, pd: float = 1.0) -> dict[str, Any]:
    """Decoys (taken for drones) flying past a SAM that would shoot every one it is offered."""
    raw = base(reaction_time="0 s")
    raw["threat_classes"]["decoy"] = {
        "preset": "gerbera-class",
        "speed": "100 m/s",
        "ew_susceptibility": 0.0,
    }
    raw["raids"][0].update(threat="decoy", count=10)
    raw["sensors"][0].update(pd=pd, scan_period="30 s", discrimination=discrimination)
    raw["fire_units"] = [unit("sam", -80, pk=1.0, max_range="20 km", channels=10, rounds=100)]
    raw["fire_units"][0]["pk"] = {"owa_drone": 1.0, "decoy": 1.0}
    return raw


def test_full_discrimination_with_pd_one_never_engages_a_decoy() -> None:
    # every look detects and tells the decoy apart at once: it is never offered
    told = build(decoy_case(1.0))
    for engine in ("fast", "reference"):
        out = simulate(told, replications=50, seed=9, engine=engine)
        assert (out.engagements == 0).all() and (out.shots == 0).all()
        assert (out.fate == Fate.LEAKED).all()
    # without discrimination the same SAM shoots them all down
    fooled = simulate(build(decoy_case(0.0)), replications=50, seed=9)
    assert (fooled.fate == Fate.DESTROYED).all()


@pytest.mark.parametrize("d", [0.25, 0.7])
def test_a_decoy_is_engaged_exactly_when_its_first_look_does_not_tell_it_apart(d: float) -> None:
    """By hand: pd = 1, reaction time 0, a decision every second, a look every 30 s.

    The first look (inside the SAM's window, which opens at launch) detects the decoy;
    it tells it apart with chance d. If it does, the decoy is never offered; if not,
    the next decision (within 1 s, before the second look 30 s later) fires at it. So
    each decoy is engaged with chance 1 - d, and exactly when the first discriminating
    look comes after the first look.
    """
    raw = decoy_case(d)
    cs = build(raw)
    reps = 400
    out = simulate(cs, replications=reps, seed=21)
    assert_identical(out, simulate(cs, replications=reps, seed=21, engine="reference"))
    destroyed = out.fate == Fate.DESTROYED  # pk 1: engaged means destroyed
    scene = build_scene(cs)
    for r in range(reps):
        for i in range(cs.n_threats):
            seen = detection_time(scene, 21, r, i, False)
            told = detection_time(scene, 21, r, i, True)
            assert told >= seen
            assert destroyed[r, i] == (told > seen), (r, i, seen, told)
    share = destroyed.mean()
    n = destroyed.size
    assert abs(share - (1.0 - d)) < 4.0 * math.sqrt(d * (1.0 - d) / n)
    # and all engagements stop at the discerning look: never an offer after it
    replication = Replication(cs, 21, 0)
    told_at = [detection_time(scene, 21, 0, i, True) for i in range(cs.n_threats)]
    while (decision := replication.next_decision()) is not None:
        for offer in decision.offers:
            assert decision.time < told_at[offer.threat]
        replication.decide(range(min(len(decision.offers), 1)))


def test_discrimination_of_real_threats_changes_nothing() -> None:
    # only decoys are told apart: a drone seen by a discriminating sensor is still engaged
    raw = base(reaction_time="0 s")
    raw["sensors"][0]["discrimination"] = 1.0
    raw["fire_units"] = [unit("sam", -80, pk=0.7, max_range="20 km", channels=4)]
    plain = copy.deepcopy(raw)
    del plain["sensors"][0]["discrimination"]
    for engine in ("fast", "reference"):
        assert_identical(
            simulate(build(raw), replications=20, seed=4, engine=engine),
            simulate(build(plain), replications=20, seed=4, engine=engine),
        )


# --- both engines, every feature at once ---------------------------------------------------------


def world_scenario(grid: str) -> dict[str, Any]:
    """Ballistic, diving and terrain-following threats and decoys against fixed, relocating,
    orbiting and route-flying defenders, an AEW orbit with discrimination, over hills."""
    return {
        "schema_version": 1,
        "name": "world",
        "duration": "2 h",
        "threat_classes": {
            "iskander": {
                "preset": "iskander-m-class",
                "profile": "ballistic",
                "speed": "1500 m/s",
                "boost_time": "40 s",
            },
            "shahed": {
                "preset": "shahed-136-class",
                "profile": "dive",
                "altitude": "3 km",
                "dive_distance": "8 km",
                "terminal_speed": "80 m/s",
            },
            "kh101": {"preset": "kh-101-class", "profile": "terrain_following", "altitude": "80 m"},
            "gerbera": {"preset": "gerbera-class", "climb_rate": "5 m/s"},
        },
        "assets": [
            {"id": "city", "position": ["0 km", "0 km"], "value": 10, "hardness": "soft"},
            {"id": "plant", "position": ["-20 km", "10 km"], "value": 5, "hardness": "hard"},
        ],
        "sensors": [
            {"id": "r1", "preset": "surveillance-radar", "position": ["-10 km", "0 km"]},
            {
                "id": "awacs",
                "kind": "radar",
                "position": ["-40 km", "0 km"],
                "range": "300 km",
                "height": "0 m",
                "scan_period": "10 s",
                "pd": 0.8,
                "discrimination": 0.5,
                "motion": {
                    "orbit": {
                        "centre": ["-40 km", "-20 km"],
                        "length": "30 km",
                        "width": "10 km",
                        "heading": 90,
                        "speed": "700 km/h",
                        "altitude": "9 km",
                        "start": "+0 s",
                    }
                },
            },
            {
                "id": "eo",
                "kind": "optical",
                "position": ["-30 km", "0 km"],
                "range": "15 km",
                "height": "0 m",
                "scan_period": "2 s",
                "pd": 0.7,
                "field_of_regard": 90.0,
                "discrimination": 0.9,
                "motion": {
                    "route": [
                        {"position": ["-60 km", "0 km"], "time": "+0 s", "altitude": "3 km"},
                        {"position": ["0 km", "5 km"], "time": "+40 min", "altitude": "4 km"},
                    ]
                },
            },
        ],
        "fire_units": [
            {
                "id": "pac",
                "preset": "patriot-class",
                "position": ["2 km", "0 km"],
                "height": "10 m",
            },
            {
                "id": "cap",
                "kind": "aircraft",
                "layer": "fighters",
                "position": ["-60 km", "-20 km"],
                "min_range": "1 km",
                "max_range": "30 km",
                "min_altitude": "0 m",
                "max_altitude": "15 km",
                "channels": 2,
                "rounds": 4,
                "reserve": 8,
                "interceptor_speed": "1000 m/s",
                "cost_per_shot": "400000 USD",
                "pk": {"owa_drone": 0.7, "cruise_missile": 0.6},
                "time_on_station": "40 min",
                "transit_time": "10 min",
                "turnaround": "20 min",
                "motion": {
                    "orbit": {
                        "centre": ["-50 km", "10 km"],
                        "length": "30 km",
                        "width": "10 km",
                        "heading": 0,
                        "speed": "800 km/h",
                        "altitude": "7 km",
                        "start": "+5 min",
                    }
                },
            },
            {
                "id": "mfg",
                "kind": "gun",
                "position": ["-15 km", "2 km"],
                "max_range": "4 km",
                "channels": 1,
                "rounds": 30,
                "reload_time": "60 s",
                "cost_per_shot": "2000 USD",
                "pk": {"owa_drone": 0.3, "cruise_missile": 0.2},
                "motion": {
                    "relocations": [
                        {"position": ["-15 km", "2 km"], "start": "+0 s", "end": "+30 min"},
                        {"position": ["-8 km", "-1 km"], "start": "+40 min"},
                    ]
                },
            },
            {
                "id": "heli",
                "kind": "helicopter",
                "layer": "helicopters",
                "position": ["-30 km", "5 km"],
                "min_range": "0 m",
                "max_range": "3 km",
                "min_altitude": "0 m",
                "max_altitude": "4 km",
                "channels": 1,
                "rounds": 6,
                "reserve": 6,
                "reload_time": "5 min",
                "interceptor_speed": "400 m/s",
                "cost_per_shot": "20000 USD",
                "pk": {"owa_drone": 0.5},
                "motion": {
                    "route": [
                        {"position": ["-30 km", "5 km"], "time": "+0 s", "altitude": "300 m"},
                        {"position": ["-5 km", "0 km"], "time": "+60 min", "altitude": "500 m"},
                    ]
                },
            },
            {
                "id": "ew",
                "kind": "ew",
                "position": ["-5 km", "0 km"],
                "max_range": "10 km",
                "pk": {"owa_drone": 0.3},
            },
        ],
        "raids": [
            {
                "id": "b",
                "threat": "iskander",
                "count": 2,
                "launch": {"sites": [["-200 km", "0 km"]], "start": "+10 min", "end": "+12 min"},
                "targets": {"city": 1},
            },
            {
                "id": "d",
                "threat": "shahed",
                "count": 8,
                "launch": {"sites": [["-150 km", "5 km"]], "start": "+0 s", "end": "+10 min"},
                "route": {"waypoints": [{"position": ["-60 km", "0 km"], "speed": "60 m/s"}]},
                "targets": {"city": 2, "plant": 1},
            },
            {
                "id": "k",
                "threat": "kh101",
                "count": 3,
                "launch": {"sites": [["-120 km", "-10 km"]], "start": "+5 min", "end": "+8 min"},
                "route": {"waypoints": [["-40 km", "-5 km"]]},
                "targets": {"city": 1},
            },
            {
                "id": "g",
                "threat": "gerbera",
                "count": 8,
                "launch": {"sites": [["-150 km", "-5 km"]], "start": "+0 s", "end": "+10 min"},
                "route": {"waypoints": [{"position": ["-50 km", "0 km"], "altitude": "1500 m"}]},
                "targets": {"city": 1},
            },
        ],
        "terrain": {
            "file": grid,
            "crs": "local",
            "transform": [-72_000.0, 1000.0, 0.0, 28_000.0, 0.0, -1000.0],
        },
        "doctrine": {"value_unit": "1 MUSD"},
    }


@pytest.fixture(scope="module")
def world() -> Any:
    return build(world_scenario(terrain_file(2)))


def test_the_world_scenario_uses_every_feature(world: Any) -> None:
    cs = world
    # moving platforms have trajectories of their own, fixed ones one point
    assert np.diff(cs.unit_path_offset).tolist()[0] == 1
    assert (np.diff(cs.unit_path_offset)[1:4] > 1).all()
    assert (np.diff(cs.sensor_path_offset)[1:] > 1).all()
    # profiles: the ballistic arc climbs far above cruise altitudes, dives end on the ground
    assert cs.route_z.max() > 20_000.0
    assert cs.terrain_preview.size > 0
    assert (cs.sensor_discrimination > 0).sum() == 2
    # every unit gets windows
    assert set(cs.eng_unit.tolist()) == {0, 1, 2, 3}
    assert len(cs.ew_unit) > 0


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_engines_agree_on_every_feature_at_once(world: Any, policy: str) -> None:
    fast = simulate(world, replications=12, seed=20251130, policy=policy, engine="fast")
    ref = simulate(world, replications=12, seed=20251130, policy=policy, engine="reference")
    assert_identical(fast, ref)
    assert fast.engagements.sum() > 0


def test_same_scenario_without_terrain_agrees_too(tmp_path: Path) -> None:
    raw = world_scenario(terrain_file(0))
    del raw["terrain"]
    raw["threat_classes"]["kh101"]["profile"] = "cruise"
    cs = build(raw)
    assert_identical(
        simulate(cs, replications=8, seed=3, engine="fast"),
        simulate(cs, replications=8, seed=3, engine="reference"),
    )
