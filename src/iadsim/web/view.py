"""What the editor's map draws: a validated scenario in the local frame, in metres.

Positions are metres east and north of the scenario's origin (as the engine sees
them), rings are radii in metres, routes are a few threats of each raid as the
compiler flew them, and the terrain is the shaded relief of the report. The
browser draws all of it in that flat frame; the basemap is projected into it.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario

__all__ = ["ROUTES_PER_RAID", "scenario_view"]

ROUTES_PER_RAID = 24
"""Threat routes drawn per raid at most (spread over the raid)."""


def _en(position: Any, origin: Any) -> list[float]:
    """[east, north] in metres of a validated position (a tuple or a LatLon)."""
    if isinstance(position, tuple | list):
        return [round(float(position[0]), 2), round(float(position[1]), 2)]
    from iadsim.geometry import geodetic_to_enu

    east, north = geodetic_to_enu(position.lat, position.lon, origin.lat, origin.lon)
    return [round(east, 2), round(north, 2)]


def _route(compiled: CompiledScenario, threat: int) -> list[list[float]]:
    from iadsim.report.world import thin_route

    rx, ry, _ = compiled.route(threat)
    lo = int(compiled.route_offset[threat])
    keep = thin_route(compiled.route_z[lo : lo + len(rx)], cap=60)
    return [
        [round(float(x), 1), round(float(y), 1)] for x, y in zip(rx[keep], ry[keep], strict=True)
    ]


def scenario_view(scenario: Any, compiled: CompiledScenario) -> dict[str, Any]:
    """The map's content of a validated and compiled scenario, as JSON-ready data."""
    origin = scenario.origin
    assets = [
        {
            "index": k,
            "id": a.id,
            "at": _en(a.position, origin),
            "value": float(a.value),
            "hardness": a.hardness,
        }
        for k, a in enumerate(scenario.assets)
    ]
    sensors = [
        {
            "index": k,
            "id": s.id,
            "kind": s.kind,
            "at": _en(s.position, origin),
            "range": float(s.range),
            "moves": s.motion is not None,
        }
        for k, s in enumerate(scenario.sensors)
    ]
    units = []
    for k, u in enumerate(scenario.fire_units):
        units.append(
            {
                "index": k,
                "id": u.id,
                "kind": u.kind,
                "layer": u.layer,
                "class": u.unit_class,
                "at": _en(u.position, origin),
                "min_range": float(u.min_range or 0.0),
                "max_range": float(u.max_range),
                "ew": u.kind == "ew",
                "rounds": int(compiled.unit_rounds[k]),
                "moves": u.motion is not None,
            }
        )
    raids = []
    by_raid: dict[int, list[int]] = {}
    for i in range(compiled.n_threats):
        by_raid.setdefault(int(compiled.threat_raid[i]), []).append(i)
    for r, raid in enumerate(scenario.raids):
        threats = by_raid.get(r, [])
        if len(threats) > ROUTES_PER_RAID:
            pick = np.linspace(0, len(threats) - 1, ROUTES_PER_RAID).round().astype(int)
            threats = [threats[int(j)] for j in pick]
        raids.append(
            {
                "index": r,
                "id": raid.id,
                "threat": raid.threat,
                "count": raid.count,
                "kind": compiled.class_kind[compiled.class_names.index(raid.threat)],
                "sites": [_en(p, origin) for p in raid.launch.sites],
                "waypoints": [_en(w.position, origin) for w in raid.route.waypoints],
                "routes": [_route(compiled, i) for i in threats],
            }
        )
    return {
        "name": scenario.name,
        "origin": None if origin is None else {"lat": origin.lat, "lon": origin.lon},
        "assets": assets,
        "sensors": sensors,
        "fire_units": units,
        "raids": raids,
        "terrain": _terrain(compiled),
        "threats": int(compiled.n_threats),
        "windows": int(compiled.eng_offset[-1]),
    }


def _terrain(compiled: CompiledScenario) -> dict[str, Any] | None:
    """The terrain as a shaded-relief PNG with its edges in metres, or None."""
    from iadsim.report.frame import MapFrame
    from iadsim.report.world import build_terrain, png_bytes

    layer = build_terrain(compiled, MapFrame(None))  # kilometres east and north
    if layer is None:
        return None
    return {
        "west": layer.west * 1000.0,
        "east": layer.east * 1000.0,
        "south": layer.south * 1000.0,
        "north": layer.north * 1000.0,
        "low": layer.low,
        "high": layer.high,
        "png": "data:image/png;base64," + base64.b64encode(png_bytes(layer.rgba)).decode(),
    }
