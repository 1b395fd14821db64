"""Invariants of the engine on random small scenarios (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenarios import build

from iadsim.engine import Fate, simulate

KINDS = ["sam", "gun", "manpads", "interceptor_drone"]


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict:
    n_units = draw(st.integers(0, 4))
    units = []
    for u in range(n_units):
        kind = draw(st.sampled_from([*KINDS, "ew"]))
        x, y = draw(st.integers(-60, 0)), draw(st.integers(-15, 15))
        reach = draw(st.integers(2, 30))
        spec = {
            "id": f"u{u}",
            "kind": kind,
            "position": [f"{x} km", f"{y} km"],
            "max_range": f"{reach} km",
            "pk": {"owa_drone": draw(st.floats(0, 1))},
        }
        if kind != "ew":
            spec.update(
                rounds=draw(st.integers(0, 12)),
                reserve=draw(st.integers(0, 6)),
                channels=draw(st.integers(1, 3)),
                reload_time=f"{draw(st.integers(0, 300))} s",
                cost_per_shot=f"{draw(st.integers(0, 10**6))} USD",
            )
        units.append(spec)
    count = draw(st.integers(1, 25))
    return {
        "schema_version": 1,
        "name": "random",
        "start": "00:00",
        "duration": "4 h",
        "threat_classes": {
            "d": {
                "preset": "shahed-136-class",
                "ew_susceptibility": draw(st.floats(0, 1)),
                "speed": f"{draw(st.integers(30, 300))} m/s",
            },
        },
        "assets": [
            {"id": "a", "position": ["0 km", "0 km"], "value": 5, "hardness": "soft"},
            {"id": "b", "position": ["3 km", "-4 km"], "value": 9, "hardness": "hard"},
        ],
        "sensors": [
            {
                "id": "s",
                "kind": "radar",
                "position": ["-20 km", "0 km"],
                "range": "150 km",
                "height": "15 m",
                "scan_period": "5 s",
                "pd": draw(st.floats(0.05, 1)),
            }
        ],
        "fire_units": units,
        "raids": [
            {
                "id": "r",
                "threat": "d",
                "count": count,
                "launch": {
                    "sites": [["-90 km", "10 km"], ["-80 km", "-20 km"]],
                    "start": "00:00",
                    "end": f"00:{draw(st.integers(0, 40)):02d}",
                    "spacing": draw(st.sampled_from(["uniform", "random"])),
                },
                "route": {
                    "waypoints": [["-30 km", "0 km"]],
                    "jitter": "5 km",
                    "seed": draw(st.integers(0, 100)),
                },
                "targets": {"a": 1, "b": draw(st.integers(1, 3))},
            }
        ],
        "doctrine": {
            "decision_cycle": f"{draw(st.integers(1, 5))} s",
            "reaction_time": f"{draw(st.integers(0, 30))} s",
            "mode": draw(st.sampled_from(["shoot-look-shoot", "shoot-shoot-look"])),
            "salvo": {"default": draw(st.integers(1, 3))},
        },
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=small_scenarios(), seed=st.integers(0, 2**64 - 1))
def test_every_threat_ends_once_and_magazines_hold(raw: dict, seed: int) -> None:
    cs = build(raw)
    out = simulate(cs, replications=3, seed=seed)
    assert (out.fate != Fate.AIRBORNE).all()
    # fates happen inside the flight, and a kill or EW loss names a unit of the right kind
    assert (out.time >= cs.launch_time - 1e-9).all() and (out.time <= cs.impact_time).all()
    leaked = out.fate == Fate.LEAKED
    assert (out.time[leaked] == np.broadcast_to(cs.impact_time, out.time.shape)[leaked]).all()
    assert (out.cause[leaked] == -1).all()
    killed = out.fate == Fate.DESTROYED
    assert not cs.unit_is_ew[out.cause[killed]].any()
    assert cs.unit_is_ew[out.cause[out.fate == Fate.LOST_TO_EW]].all()
    # never more rounds than the magazine and reserve hold; salvos at most the doctrine's size
    assert (out.shots <= cs.unit_rounds + cs.unit_reserve).all()
    assert (out.shots <= out.engagements * cs.salvo.max(initial=1)).all()
    assert (out.shots[:, cs.unit_is_ew] == 0).all()
    # only leakers hit, and an asset is destroyed exactly when one of its leakers hit
    assert not (out.hit & ~leaked).any()
    for a in range(cs.n_assets):
        aimed = cs.threat_target == a
        assert np.array_equal(out.asset_destroyed[:, a], (out.hit & aimed).any(axis=1))
    # and the run reproduces
    assert out.equals(simulate(cs, replications=3, seed=seed))
