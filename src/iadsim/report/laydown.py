"""The laydown on the map: assets, sensors, fire units and rings, launch sites, routes, terrain.

Platforms that move or are not always on are kept as tracks (:mod:`iadsim.report.world`);
the coastlines, borders, rivers and cities under them are the basemap
(:mod:`iadsim.report.basemap`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from iadsim import format as fmt
from iadsim.compile import CompiledScenario
from iadsim.report.basemap import BaseMap, build_basemap
from iadsim.report.frame import MapFrame
from iadsim.report.style import colour_of
from iadsim.report.world import (
    TerrainLayer,
    Track,
    build_terrain,
    build_tracks,
    thin_route,
)

__all__ = ["Laydown", "Site", "build_laydown"]


@dataclass(frozen=True)
class Site:
    """One thing placed on the map. Strings are as the user wrote them (escaped on output)."""

    id: str
    group: str
    """Asset hardness, sensor kind, fire unit layer, or the raid of a launch site."""
    x: float
    y: float
    """Map coordinates (see :class:`MapFrame`)."""
    detail: str
    """One line of facts for the hover label."""
    ring: tuple[list[float], list[float]] | None = None
    """Coverage ring (sensor range, fire unit maximum range, EW radius), map coordinates."""
    value: float = 0.0
    """Asset value (sizes the marker)."""
    moves: bool = False
    """The platform moves or is not always available: its track is in :attr:`Laydown.tracks`
    and its ring moves with it in the replay (``ring`` is then None)."""


@dataclass(frozen=True)
class Laydown:
    """Everything static on the map, in map coordinates."""

    frame: MapFrame
    assets: list[Site]
    sensors: list[Site]
    fire_units: list[Site]
    """Kinetic fire units and EW sites, in scenario order (the compiled unit order)."""
    launch_sites: list[Site]
    routes: dict[str, tuple[list[float | None], list[float | None]]] = field(default_factory=dict)
    """Raid id → every threat's route, joined with ``None`` between threats."""
    raid_kind: dict[str, str] = field(default_factory=dict)
    """Raid id → threat kind."""
    tracks: list[Track] = field(default_factory=list)
    """Sensors and fire units that move or are not always available."""
    terrain: TerrainLayer | None = None
    """The scenario's elevation grid as shaded relief; None for a smooth earth."""
    basemap: BaseMap | None = None
    """Coastlines, borders, rivers, lakes and cities around the raid; None without an origin."""

    @property
    def layer_colours(self) -> dict[str, str]:
        """Fire unit layer → its colour on the map and in the side view."""
        return layer_colours(u.group for u in self.fire_units)

    def whole_raid(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Axis ranges (x, y) around everything but the coverage rings, padded by 5%.

        Routes, launch sites, assets, sensors, fire units, moving platforms' tracks
        and the terrain: a long-range radar's ring no longer shrinks the raid to a
        corner of the map (rings run off its edges).
        """
        xs = [s.x for s in self.assets + self.sensors + self.fire_units + self.launch_sites]
        ys = [s.y for s in self.assets + self.sensors + self.fire_units + self.launch_sites]
        for rx, ry in self.routes.values():
            xs += [v for v in rx if v is not None]
            ys += [v for v in ry if v is not None]
        for track in self.tracks:
            xs += track.x
            ys += track.y
        if self.terrain is not None:
            xs += [self.terrain.west, self.terrain.east]
            ys += [self.terrain.south, self.terrain.north]
        pad_x = 0.05 * (max(xs) - min(xs) or 1.0)
        pad_y = 0.05 * (max(ys) - min(ys) or 1.0)
        return (min(xs) - pad_x, max(xs) + pad_x), (min(ys) - pad_y, max(ys) + pad_y)

    def defended_area(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Axis ranges (x, y) around the assets, sensors and fire units, padded by 8%.

        Neither side is less than 60% of the other on the ground, so that a
        laydown along one line still gives a view that can be read.
        """
        sites = self.assets + self.sensors + self.fire_units
        xs = [s.x for s in sites]
        ys = [s.y for s in sites]
        span_x = max(xs) - min(xs) or 1.0
        span_y = max(ys) - min(ys) or 1.0
        span_x, span_y = max(span_x, 0.6 * span_y), max(span_y, 0.6 * span_x)
        mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        half_x, half_y = 0.58 * span_x, 0.58 * span_y
        return (mid_x - half_x, mid_x + half_x), (mid_y - half_y, mid_y + half_y)


def _km(metres: float) -> str:
    return f"{metres / 1000.0:g} km"


def _position(position: Any, frame: MapFrame) -> tuple[float, float, float, float]:
    """(east m, north m, map x, map y) of a scenario position (a tuple or a LatLon)."""
    if isinstance(position, tuple):
        east, north = position
    else:
        from iadsim.geometry import geodetic_to_enu

        assert frame.origin is not None  # validation requires an origin for lat/lon
        east, north = geodetic_to_enu(position.lat, position.lon, *frame.origin)
    x, y = frame.xy(east, north)
    return east, north, float(x), float(y)


def layer_colours(layers_in_order: Iterable[str]) -> dict[str, str]:
    """Each fire unit layer's colour, by order of first appearance."""
    layers = list(dict.fromkeys(layers_in_order))
    return {layer: colour_of(k) for k, layer in enumerate(layers)}


def build_laydown(scenario: Any, compiled: CompiledScenario) -> Laydown:
    """The laydown of a validated scenario and its compiled arrays, for the map."""
    origin = scenario.origin
    frame = MapFrame(None if origin is None else (origin.lat, origin.lon))

    def ring(east: float, north: float, radius: float) -> tuple[list[float], list[float]]:
        xs, ys = frame.ring(east, north, radius)
        return xs.tolist(), ys.tolist()

    assets = []
    for a in scenario.assets:
        _, _, x, y = _position(a.position, frame)
        detail = f"asset, value {a.value:g}, {a.hardness}"
        assets.append(Site(a.id, a.hardness, x, y, detail, value=float(a.value)))
    layers = layer_colours(u.layer for u in scenario.fire_units)
    tracks = build_tracks(scenario, compiled, frame, layers)
    moving = {(t.what, t.index) for t in tracks}
    sensors = []
    for k, s in enumerate(scenario.sensors):
        e, n, x, y = _position(s.position, frame)
        detail = f"{s.kind}, range {_km(s.range)}, pd {s.pd:g} per {s.scan_period:g} s look"
        if ("sensor", k) in moving:
            detail += "; moves or is not always on (see the replay)"
            sensors.append(Site(s.id, s.kind, x, y, detail, None, moves=True))
        else:
            sensors.append(Site(s.id, s.kind, x, y, detail, ring(e, n, s.range)))
    units = []
    for k, u in enumerate(scenario.fire_units):
        e, n, x, y = _position(u.position, frame)
        if u.kind == "ew":
            detail = f"EW site ({u.unit_class}), radius {_km(u.max_range)}"
        else:
            detail = (
                f"{u.unit_class}, {_km(u.min_range)}–{_km(u.max_range)}, "
                f"{int(compiled.unit_rounds[k])} ready + {int(compiled.unit_reserve[k])} "
                f"reserve rounds at {fmt.money(float(compiled.unit_cost[k]))}"
            )
        detail += f", altitudes {_km(u.min_altitude)}–{_km(u.max_altitude)}"
        if ("fire unit", k) in moving:
            detail += "; moves or is not always on (see the replay)"
            units.append(Site(u.id, u.layer, x, y, detail, None, moves=True))
        else:
            units.append(Site(u.id, u.layer, x, y, detail, ring(e, n, u.max_range)))
    launch_sites = []
    seen: set[tuple[float, float]] = set()
    for raid in scenario.raids:
        for p in raid.launch.sites:
            _, _, x, y = _position(p, frame)
            key = (round(x, 6), round(y, 6))
            detail = f"launch site of raid {raid.id} ({raid.count} × {raid.threat})"
            if key not in seen:
                seen.add(key)
                launch_sites.append(Site(raid.id, raid.id, x, y, detail))
    routes: dict[str, tuple[list[float | None], list[float | None]]] = {}
    raid_ids = [r.id for r in scenario.raids]
    for i in range(compiled.n_threats):
        rx, ry, _ = compiled.route(i)
        lo = int(compiled.route_offset[i])
        keep = thin_route(compiled.route_z[lo : lo + len(rx)])
        mx, my = frame.xy(rx[keep], ry[keep])
        xs, ys = routes.setdefault(raid_ids[int(compiled.threat_raid[i])], ([], []))
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(np.round(mx, 5).tolist())
        ys.extend(np.round(my, 5).tolist())
    raid_kind = {
        r.id: compiled.class_kind[compiled.class_names.index(r.threat)] for r in scenario.raids
    }
    laydown = Laydown(
        frame,
        assets,
        sensors,
        units,
        launch_sites,
        routes,
        raid_kind,
        tracks,
        build_terrain(compiled, frame),
    )
    return dataclasses.replace(laydown, basemap=build_basemap(frame, laydown.whole_raid()))
