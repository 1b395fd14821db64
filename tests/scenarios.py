"""Small scenarios built in Python for the engine tests, with answers known by hand."""

from __future__ import annotations

import copy
from typing import Any

from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.scenario import parse_scenario


def base(**doctrine: Any) -> dict[str, Any]:
    """Drones flying east along y = 0 from x = -100 km to a depot at the origin.

    One per minute (well spaced), 100 m/s, seen from launch by a perfect radar;
    no defence yet: add fire units with :func:`unit`.
    """
    return {
        "schema_version": 1,
        "name": "test",
        "start": "00:00",
        "duration": "3 h",
        "threat_classes": {
            "drone": {
                "preset": "shahed-136-class",
                "speed": "100 m/s",
                "ew_susceptibility": 0.0,
                "lethality": {"soft": 1.0, "medium": 1.0, "hard": 1.0},
            }
        },
        "assets": [{"id": "depot", "position": ["0 km", "0 km"], "value": 10, "hardness": "soft"}],
        "sensors": [
            {
                "id": "radar",
                "kind": "acoustic",
                "position": ["-50 km", "0 km"],
                "range": "200 km",
                "height": "10 m",
                "scan_period": "1 s",
                "pd": 1.0,
            }
        ],
        "fire_units": [],
        "raids": [
            {
                "id": "drones",
                "threat": "drone",
                "count": 40,
                "launch": {"sites": [["-100 km", "0 km"]], "start": "00:00", "end": "00:39"},
                "targets": {"depot": 1},
            }
        ],
        "doctrine": {"decision_cycle": "1 s", "reaction_time": "2 s", **doctrine},
    }


def unit(uid: str, x_km: float, *, pk: float, **fields: Any) -> dict[str, Any]:
    """A SAM at (x_km, 0) with a 10 km envelope, plenty of rounds and channels."""
    spec: dict[str, Any] = {
        "id": uid,
        "kind": "sam",
        "position": [f"{x_km} km", "0 km"],
        "min_range": "0 m",
        "max_range": "10 km",
        "channels": 4,
        "rounds": 1000,
        "reserve": 0,
        "reload_time": "1 min",
        "interceptor_speed": "1000 m/s",
        "pk": {"drone": pk},
        "cost_per_shot": "1000 USD",
    }
    spec.update(fields)
    return spec


def build(raw: dict[str, Any]) -> CompiledScenario:
    return compile_scenario(parse_scenario(copy.deepcopy(raw)))
