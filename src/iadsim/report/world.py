"""The four-dimensional world on the map: terrain shading, moving platforms, the side view.

Everything here is read from the compiled scenario (:class:`~iadsim.compile.CompiledScenario`):
``terrain_extent`` and ``terrain_preview`` give the shaded relief under the map,
``sensor_path_*`` / ``unit_path_*`` and ``*_available_*`` the tracks of moving
platforms and when they can look or fire, ``route_z`` the threats' altitudes.
Long trajectories are thinned for drawing (:data:`MAX_PATH_POINTS`,
:data:`MAX_ROUTE_POINTS`); nothing here changes what the engines compute.
"""

from __future__ import annotations

import base64
import itertools
import math
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.compile import CompiledScenario
from iadsim.report.frame import MapFrame
from iadsim.report.style import esc, kind_colour

__all__ = [
    "MAX_PATH_POINTS",
    "MAX_ROUTE_POINTS",
    "PROFILES_PER_CLASS",
    "Envelope",
    "Profile",
    "SideView",
    "TerrainLayer",
    "Track",
    "build_side_view",
    "build_terrain",
    "build_tracks",
    "class_colours",
    "png_bytes",
    "thin",
    "thin_route",
]

MAX_PATH_POINTS = 600
"""Points drawn of one platform's trajectory at most (evenly chosen, ends kept)."""
MAX_ROUTE_POINTS = 150
"""Points drawn of one threat's trajectory at most (see :func:`thin_route`)."""
PROFILES_PER_CLASS = 8
"""Distinct trajectories of one threat class drawn in the side view at most."""
SENSOR_COLOUR = "#525252"


def thin(n: int, cap: int) -> NDArray[np.int64]:
    """Indices of at most ``cap`` of ``n`` points, evenly spread, first and last kept."""
    if n <= cap:
        return np.arange(n, dtype=np.int64)
    return np.unique(np.round(np.linspace(0, n - 1, max(cap, 2))).astype(np.int64))


def thin_route(z: NDArray[np.float64], cap: int = MAX_ROUTE_POINTS) -> NDArray[np.int64]:
    """Indices of at most ``cap`` points of a trajectory that keep its altitude's shape.

    The points are cut into buckets of consecutive points; each keeps its lowest
    and highest point (the first and last points are kept too), so a terrain
    follower's hops and a dive's bottom survive the thinning.
    """
    n = len(z)
    if n <= cap:
        return np.arange(n, dtype=np.int64)
    edges = np.linspace(1, n - 1, max((cap - 2) // 2, 1) + 1).astype(np.int64)
    keep = [0, n - 1]
    for a, b in itertools.pairwise(edges):
        if b > a:
            part = z[a:b]
            keep += [a + int(np.argmin(part)), a + int(np.argmax(part))]
    return np.unique(np.asarray(keep, dtype=np.int64))


def _mix(colour: str, towards: str, share: float) -> str:
    """``colour`` moved ``share`` of the way to ``towards`` (both ``#rrggbb``)."""
    a = [int(colour[k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(towards[k : k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + share * (y - x)):02x}" for x, y in zip(a, b, strict=True))


def class_colours(compiled: CompiledScenario) -> list[str]:
    """A colour for each threat class: its kind's colour, in shades when a kind has several.

    The first class of a kind (among those launched) gets the kind's colour, the
    next ones darker and lighter shades of it, so the side view's classes are
    told apart and still read as their kind on the map.
    """
    shades = [(None, 0.0), ("#000000", 0.35), ("#ffffff", 0.4), ("#000000", 0.6), ("#ffffff", 0.65)]
    seen: dict[str, int] = {}
    out = []
    present = set(compiled.threat_class.tolist())
    for c, kind in enumerate(compiled.class_kind):
        n = seen.get(kind, 0)
        if c in present:
            seen[kind] = n + 1
        towards, share = shades[n % len(shades)]
        base = kind_colour(kind)
        out.append(base if towards is None else _mix(base, towards, share))
    return out


# --- moving platforms --------------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    """A sensor's or fire unit's trajectory in map coordinates, and when it is available.

    Fixed platforms that are always available have none; those that move, or stand
    but are not always available (set up, on station), have one.
    """

    id: str
    what: str
    """``sensor`` or ``fire unit``."""
    index: int
    """Index among the scenario's sensors or fire units (the compiled order)."""
    group: str
    """The fire unit's layer, or the sensor's kind."""
    colour: str
    x: list[float]
    y: list[float]
    z: list[float]
    """Altitude above sea level (m)."""
    t: list[float]
    """Seconds after the start; the platform moves in straight lines between points."""
    available: list[tuple[float, float]]
    """Intervals when it can look or fire (on station, set up)."""
    ring_dx: list[float] = field(default_factory=list)
    ring_dy: list[float] = field(default_factory=list)
    """Its coverage ring as offsets from the platform (map units); empty without one."""

    @property
    def moves(self) -> bool:
        """True when the platform is not always at one place."""
        return len(set(zip(self.x, self.y, strict=True))) > 1

    def at(self, t: float) -> tuple[float, float, float]:
        """Map position and altitude at time ``t`` (linear between points, held at the ends)."""
        return (
            float(np.interp(t, self.t, self.x)),
            float(np.interp(t, self.t, self.y)),
            float(np.interp(t, self.t, self.z)),
        )

    def is_available(self, t: float) -> bool:
        """Whether the platform can look or fire at time ``t``."""
        return any(a <= t < b for a, b in self.available)

    def to_json(self) -> dict[str, Any]:
        """Plain, compact data for the page's script."""

        def r(values: Any, digits: int) -> Any:
            return np.round(np.asarray(values, dtype=float), digits).tolist()

        return {
            "id": esc(self.id),  # shown in plotly labels
            "what": self.what,
            "group": esc(self.group),
            "colour": self.colour,
            "x": r(self.x, 5),
            "y": r(self.y, 5),
            "z": r(self.z, 0),
            "t": r(self.t, 3),
            "available": [[a, b] for a, b in self.available],
            "ring_dx": r(self.ring_dx, 5),
            "ring_dy": r(self.ring_dy, 5),
        }


def _track(
    what: str,
    index: int,
    ident: str,
    group: str,
    colour: str,
    paths: tuple[Any, Any, Any, Any, Any],
    available: tuple[Any, Any, Any],
    radius: float,
    frame: MapFrame,
    duration: float,
) -> Track | None:
    offset, px, py, pz, pt = paths
    lo, hi = int(offset[index]), int(offset[index + 1])
    a_off, a_start, a_end = available
    spans = [
        (float(a), float(b))
        for a, b in zip(
            a_start[int(a_off[index]) : int(a_off[index + 1])],
            a_end[int(a_off[index]) : int(a_off[index + 1])],
            strict=True,
        )
    ]
    always = len(spans) == 1 and spans[0][0] <= 0.0 and spans[0][1] >= duration
    if hi - lo <= 1 and always:
        return None
    keep = lo + thin(hi - lo, MAX_PATH_POINTS)
    east, north = px[keep], py[keep]
    mx, my = frame.xy(east, north)
    ring_dx: list[float] = []
    ring_dy: list[float] = []
    if radius > 0:
        rx, ry = frame.ring(float(east[0]), float(north[0]), radius)
        ring_dx = (rx - mx[0]).tolist()
        ring_dy = (ry - my[0]).tolist()
    return Track(
        id=ident,
        what=what,
        index=index,
        group=group,
        colour=colour,
        x=mx.tolist(),
        y=my.tolist(),
        z=np.asarray(pz[keep], dtype=float).tolist(),
        t=np.asarray(pt[keep], dtype=float).tolist(),
        available=spans,
        ring_dx=ring_dx,
        ring_dy=ring_dy,
    )


def build_tracks(
    scenario: Any, compiled: CompiledScenario, frame: MapFrame, layer_colour: dict[str, str]
) -> list[Track]:
    """Tracks of the platforms that move or are not always available, sensors first."""
    cs = compiled
    out = []
    for k, s in enumerate(scenario.sensors):
        track = _track(
            "sensor",
            k,
            s.id,
            s.kind,
            SENSOR_COLOUR,
            (cs.sensor_path_offset, cs.sensor_path_x, cs.sensor_path_y, cs.sensor_path_z,
             cs.sensor_path_t),
            (cs.sensor_available_offset, cs.sensor_available_start, cs.sensor_available_end),
            float(s.range),
            frame,
            float(cs.duration),
        )  # fmt: skip
        if track is not None:
            out.append(track)
    for k, u in enumerate(scenario.fire_units):
        track = _track(
            "fire unit",
            k,
            u.id,
            u.layer,
            layer_colour.get(u.layer, "#636363"),
            (cs.unit_path_offset, cs.unit_path_x, cs.unit_path_y, cs.unit_path_z,
             cs.unit_path_t),
            (cs.unit_available_offset, cs.unit_available_start, cs.unit_available_end),
            float(u.max_range),
            frame,
            float(cs.duration),
        )  # fmt: skip
        if track is not None:
            out.append(track)
    return out


# --- terrain -----------------------------------------------------------------------------------

_TINT = (
    (0.0, (0xDD, 0xE7, 0xD2)),
    (0.35, (0xE9, 0xE6, 0xC9)),
    (0.7, (0xE6, 0xD7, 0xBE)),
    (1.0, (0xEE, 0xEA, 0xE4)),
)
"""A muted hypsometric tint, low to high (the relief's shading does most of the work)."""
_WATER = (0xD7, 0xE5, 0xEF)
"""Cells at or below sea level."""


@dataclass(frozen=True)
class TerrainLayer:
    """The scenario's elevation grid as a shaded-relief image in map coordinates."""

    west: float
    east: float
    south: float
    north: float
    """Edges of the image, map coordinates."""
    low: float
    high: float
    """Lowest and highest elevation on the grid (m)."""
    rgba: NDArray[np.uint8]
    """[row from north, column from west, RGBA]; cells without data are transparent."""

    def data_uri(self) -> str:
        """The image as a PNG ``data:`` URI (for plotly's layout images)."""
        return "data:image/png;base64," + base64.b64encode(png_bytes(self.rgba)).decode("ascii")


def png_bytes(rgba: NDArray[np.uint8]) -> bytes:
    """A PNG file of an RGBA image (rows from the top), written with zlib alone."""
    height, width, _ = rgba.shape
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(height))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + tag
            + body
            + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _shade(z: NDArray[np.float64], dx: float, dy: float) -> NDArray[np.float64]:
    """Hill shading in [0, 1] with the light from the north-west, 45 degrees up.

    The relief is exaggerated so that the steeper slopes (95th percentile) rise
    about 1 in 2, at most 50 times: a plain still reads as a plain.
    """
    d_row, d_col = np.gradient(z, dy, dx)
    east, north = d_col, -d_row  # rows run from north to south
    steep = float(np.nanpercentile(np.hypot(east, north), 95)) if z.size > 1 else 0.0
    exaggerate = min(max(0.5 / steep, 1.0), 50.0) if steep > 0 else 1.0
    east, north = east * exaggerate, north * exaggerate
    azimuth, elevation = math.radians(315.0), math.radians(45.0)
    light = (
        math.sin(azimuth) * math.cos(elevation),
        math.cos(azimuth) * math.cos(elevation),
        math.sin(elevation),
    )
    shade = (-east * light[0] - north * light[1] + light[2]) / np.sqrt(1 + east**2 + north**2)
    return np.clip(shade / light[2], 0.0, 1.5) / 1.5  # flat ground: 2/3


def build_terrain(compiled: CompiledScenario, frame: MapFrame) -> TerrainLayer | None:
    """The shaded relief of the scenario's terrain, or None for a smooth earth.

    The grid is a rectangle of the local frame, so its image's edges are its
    extent's, in kilometres.
    """
    extent = np.asarray(compiled.terrain_extent, dtype=float)
    grid = np.asarray(compiled.terrain_preview, dtype=float)
    if extent.size != 4 or grid.size == 0:
        return None
    west, east, south, north = (float(v) for v in extent)
    rows, cols = grid.shape
    known = np.isfinite(grid)
    if not known.any():
        return None
    low, high = float(grid[known].min()), float(grid[known].max())
    filled = np.where(known, grid, low)
    shade = _shade(filled, (east - west) / cols, (north - south) / rows)
    level = (filled - low) / (high - low) if high > low else np.zeros_like(filled)
    stops = [s for s, _ in _TINT]
    tint = np.stack([np.interp(level, stops, [c[k] for _, c in _TINT]) for k in range(3)], -1)
    tint[filled <= 0.0] = _WATER
    light = 0.45 + 0.55 * shade[..., None]  # muted: never darker than 45% of the tint
    rgb = np.clip(tint * light * 1.15, 0, 255)
    rgba = np.empty((rows, cols, 4), dtype=np.uint8)
    rgba[..., :3] = np.round(rgb).astype(np.uint8)
    rgba[..., 3] = np.where(known, 255, 0).astype(np.uint8)
    middle_e, middle_n = (west + east) / 2, (south + north) / 2
    xs, _ = frame.xy([west, east], [middle_n, middle_n])
    _, ys = frame.xy([middle_e, middle_e], [south, north])
    return TerrainLayer(float(xs[0]), float(xs[1]), float(ys[0]), float(ys[1]), low, high, rgba)


# --- the side view -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Some threats of one class in the side view: altitude against distance to their target."""

    name: str
    """The threat class."""
    kind: str
    colour: str
    threats: list[int]
    """The threats drawn (one of each distinct trajectory, at most :data:`PROFILES_PER_CLASS`)."""
    launched: int
    """Threats of this class launched."""
    distance: list[list[float]]
    """Ground distance (km) from each drawn point to the threat's aim point (its last)."""
    altitude: list[list[float]]
    """Altitude above sea level (m) of each drawn point: the compiled ``route_z``."""
    time: list[list[float]]
    """Seconds after the threat's launch."""
    ground_distance: list[list[float]] = field(default_factory=list)
    ground: list[list[float]] = field(default_factory=list)
    """The terrain under each drawn trajectory (m above sea level, NaN off the grid) at
    evenly spaced distances (km); empty without terrain."""


GROUND_POINTS = 200
"""Points of the terrain sampled under each trajectory drawn in the side view."""


def _ground_under(
    compiled: CompiledScenario, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[list[float], list[float]]:
    """Distances to the last point (km) and terrain heights (m) along a ground track.

    The track is resampled evenly along its length and each sample reads the
    cell of the terrain preview it falls in (each cell the highest of the grid's
    cells it holds, as on the map).
    """
    extent = np.asarray(compiled.terrain_extent, dtype=float)
    grid = np.asarray(compiled.terrain_preview, dtype=float)
    if extent.size != 4 or grid.size == 0 or len(x) < 2:
        return [], []
    west, east, south, north = extent
    step = np.hypot(np.diff(x), np.diff(y))
    along = np.concatenate([[0.0], np.cumsum(step)])
    if along[-1] <= 0:
        return [], []
    s = np.linspace(0.0, along[-1], GROUND_POINTS)
    px, py = np.interp(s, along, x), np.interp(s, along, y)
    rows, cols = grid.shape
    col = np.floor((px - west) / (east - west) * cols).astype(np.int64)
    row = np.floor((north - py) / (north - south) * rows).astype(np.int64)
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    height = np.full(len(s), np.nan)
    height[inside] = grid[row[inside], col[inside]]
    distance = np.hypot(px - x[-1], py - y[-1]) / 1000.0
    return distance.tolist(), height.tolist()


@dataclass(frozen=True)
class Envelope:
    """Where and how high one fire unit engages, seen from the side."""

    id: str
    layer: str
    colour: str
    near: float
    far: float
    """Distances (km) from the reference asset its range reaches (from where it stands or is
    on station)."""
    low: float
    high: float
    """Its altitude envelope (m): ``min_altitude`` to ``max_altitude``."""


@dataclass(frozen=True)
class SideView:
    """Threat trajectories from the side, with the fire units' altitude envelopes."""

    target: str
    """The asset that envelopes are placed against: the one most threats aim at."""
    profiles: list[Profile]
    envelopes: list[Envelope]


def _position(position: Any, origin: Any) -> tuple[float, float]:
    if isinstance(position, tuple):
        return float(position[0]), float(position[1])
    from iadsim.geometry import geodetic_to_enu

    east, north = geodetic_to_enu(position.lat, position.lon, origin.lat, origin.lon)
    return float(east), float(north)


def build_side_view(
    scenario: Any, compiled: CompiledScenario, layer_colour: dict[str, str]
) -> SideView:
    """The side view of a scenario's threats and fire units."""
    cs = compiled
    colours = class_colours(cs)
    profiles = []
    for c in dict.fromkeys(cs.threat_class.tolist()):
        members = np.flatnonzero(cs.threat_class == c).tolist()
        seen: dict[bytes, int] = {}
        for i in members:
            lo, hi = int(cs.route_offset[i]), int(cs.route_offset[i + 1])
            x, y, z = cs.route_x[lo:hi], cs.route_y[lo:hi], cs.route_z[lo:hi]
            d = np.hypot(x - x[-1], y - y[-1])
            key = np.round(np.concatenate([d, z]), 0).tobytes()
            seen.setdefault(key, i)
        distinct = list(seen.values())
        chosen = [distinct[k] for k in thin(len(distinct), PROFILES_PER_CLASS).tolist()]
        distance, altitude, time, ground_distance, ground = [], [], [], [], []
        for i in chosen:
            lo, hi = int(cs.route_offset[i]), int(cs.route_offset[i + 1])
            keep = lo + thin_route(cs.route_z[lo:hi])
            x, y = cs.route_x[keep], cs.route_y[keep]
            distance.append((np.hypot(x - x[-1], y - y[-1]) / 1000.0).tolist())
            altitude.append(np.asarray(cs.route_z[keep], dtype=float).tolist())
            time.append((cs.route_t[keep] - cs.route_t[lo]).tolist())
            gd, gz = _ground_under(cs, cs.route_x[lo:hi], cs.route_y[lo:hi])
            if gd:
                ground_distance.append(gd)
                ground.append(gz)
        profiles.append(
            Profile(
                name=cs.class_names[c],
                kind=cs.class_kind[c],
                colour=colours[c],
                threats=chosen,
                launched=len(members),
                distance=distance,
                altitude=altitude,
                time=time,
                ground_distance=ground_distance,
                ground=ground,
            )
        )
    counts = np.bincount(cs.threat_target, minlength=cs.n_assets)
    main = int(np.argmax(counts)) if cs.n_threats else 0
    asset = scenario.assets[main]
    ax, ay = _position(asset.position, scenario.origin)
    envelopes = []
    for k, u in enumerate(scenario.fire_units):
        if u.kind == "ew":
            continue
        lo, hi = int(cs.unit_path_offset[k]), int(cs.unit_path_offset[k + 1])
        t = cs.unit_path_t[lo:hi]
        a_lo, a_hi = int(cs.unit_available_offset[k]), int(cs.unit_available_offset[k + 1])
        on = np.zeros(hi - lo, dtype=bool)
        for a, b in zip(
            cs.unit_available_start[a_lo:a_hi], cs.unit_available_end[a_lo:a_hi], strict=True
        ):
            on |= (t >= a) & (t <= b)
        if not on.any():
            on[:] = True
        d = np.hypot(cs.unit_path_x[lo:hi][on] - ax, cs.unit_path_y[lo:hi][on] - ay)
        reach = float(u.max_range)
        envelopes.append(
            Envelope(
                id=u.id,
                layer=u.layer,
                colour=layer_colour.get(u.layer, "#636363"),
                near=max(float(d.min()) - reach, 0.0) / 1000.0,
                far=(float(d.max()) + reach) / 1000.0,
                low=float(u.min_altitude),
                high=float(u.max_altitude),
            )
        )
    return SideView(asset.id, profiles, envelopes)
