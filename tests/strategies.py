"""Hypothesis strategies shared by the test suite (STYLE.md item 13).

Geometry strategies draw piecewise-linear routes in the local frame (metres,
seconds) and centres placed near them, so that random cases actually cross the
circles they are tested against instead of missing them by 100 km.
"""

from __future__ import annotations

import atexit
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from iadsim.c2 import POLICY_NAMES

__all__ = [
    "Annulus",
    "Path4",
    "Route",
    "Visibility",
    "annuli",
    "centres_near",
    "draw_keys",
    "interceptor_speeds",
    "paths_4d",
    "platform_paths",
    "routes",
    "visibilities",
]

SPAN = 60_000.0
"""Half-width (m) of the square that route points are drawn from."""


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@dataclass(frozen=True)
class Route:
    """A threat's route: points (m) reached at strictly increasing times (s), one altitude (m)."""

    xs: list[float]
    ys: list[float]
    ts: list[float]
    altitude: float

    def at(self, t: float) -> tuple[float, float]:
        """Ground position at time ``t`` (clamped to the route's span), computed independently."""
        ts = self.ts
        if t <= ts[0]:
            return self.xs[0], self.ys[0]
        for k in range(len(ts) - 1):
            if t <= ts[k + 1]:
                s = (t - ts[k]) / (ts[k + 1] - ts[k])
                return (
                    self.xs[k] + s * (self.xs[k + 1] - self.xs[k]),
                    self.ys[k] + s * (self.ys[k + 1] - self.ys[k]),
                )
        return self.xs[-1], self.ys[-1]

    def slant(self, t: float, cx: float, cy: float, cz: float) -> float:
        """Slant range (m) from ``(cx, cy, cz)`` at time ``t``."""
        x, y = self.at(t)
        return math.sqrt((x - cx) ** 2 + (y - cy) ** 2 + (self.altitude - cz) ** 2)

    def leg_speeds(self) -> list[float]:
        """Ground speed (m/s) on each leg."""
        return [
            math.hypot(self.xs[k + 1] - self.xs[k], self.ys[k + 1] - self.ys[k])
            / (self.ts[k + 1] - self.ts[k])
            for k in range(len(self.ts) - 1)
        ]


@dataclass(frozen=True)
class Annulus:
    """A centre (m) and slant-range bounds ``r_min <= r_max`` (m)."""

    cx: float
    cy: float
    cz: float
    r_min: float
    r_max: float


@st.composite
def routes(draw: st.DrawFn, min_points: int = 2, max_points: int = 6) -> Route:
    """Random piecewise-linear routes with strictly increasing times.

    Points lie in a 120 km square at millimetre resolution; legs last 1 s to 30 min;
    altitude is 0 to 15 km.
    Repeated points (a threat loitering) are allowed and do occur.
    """
    n = draw(st.integers(min_points, max_points))
    # millimetre resolution: no legs of 1e-161 m whose squared length underflows
    coord = _floats(-SPAN, SPAN).map(lambda v: round(v, 3))
    xs = draw(st.lists(coord, min_size=n, max_size=n))
    ys = draw(st.lists(coord, min_size=n, max_size=n))
    t = draw(_floats(-10_000.0, 10_000.0))
    ts = [t]
    for _ in range(n - 1):
        t = t + draw(_floats(1.0, 1800.0))
        ts.append(t)
    altitude = draw(st.one_of(st.just(0.0), _floats(0.0, 15_000.0)))
    return Route(xs, ys, ts, altitude)


@st.composite
def centres_near(
    draw: st.DrawFn, route: Route, max_offset: float = 30_000.0
) -> tuple[float, float]:
    """A ground point within ``max_offset`` (m, each axis) of a random point on ``route``."""
    k = draw(st.integers(0, len(route.xs) - 2))
    s = draw(_floats(0.0, 1.0))
    px = route.xs[k] + s * (route.xs[k + 1] - route.xs[k])
    py = route.ys[k] + s * (route.ys[k + 1] - route.ys[k])
    # near misses at every scale: right on the route, metres off, kilometres off
    scale = draw(st.sampled_from([0.0, 100.0, 3000.0, max_offset]))
    off = _floats(-scale, scale)
    return px + draw(off), py + draw(off)


@st.composite
def annuli(draw: st.DrawFn, route: Route) -> Annulus:
    """A centre near ``route`` at 0 to 500 m height and slant-range bounds.

    ``r_max`` is drawn from the slant distance that matters (the altitude
    difference plus a horizontal radius) so the circle is seldom empty; ``r_min``
    is zero half the time and otherwise a fraction of ``r_max``.

    Ranges are at least 50 m (``r_max``) and 1 m (a non-zero ``r_min``): a crossing
    is found from squared distances, so its absolute error is about
    ``eps * D**2 / r`` for points ``D`` away; 3 cm circles 60 km from a leg's end
    are outside what a relative tolerance of 1e-6 can promise.
    """
    cx, cy = draw(centres_near(route))
    cz = draw(st.one_of(st.just(0.0), _floats(0.0, 500.0)))
    dz = abs(route.altitude - cz)
    rho = draw(_floats(50.0, 50_000.0))
    r_max = draw(st.one_of(st.just(math.hypot(dz, rho)), _floats(50.0, 80_000.0)))
    r_min = draw(st.one_of(st.just(0.0), _floats(1.0 / r_max, 0.99).map(lambda f: f * r_max)))
    return Annulus(cx, cy, cz, r_min, r_max)


@st.composite
def interceptor_speeds(draw: st.DrawFn, route: Route) -> float:
    """Interceptor speeds (m/s): free, or exactly a leg's speed (the degenerate quadratic)."""
    free = _floats(20.0, 3000.0)
    leg = st.sampled_from([v for v in route.leg_speeds() if v > 1.0] or [300.0])
    return draw(st.one_of(free, leg))


# --- 4-D trajectories and platforms (issue 13) ------------------------------------------


@dataclass(frozen=True)
class Path4:
    """A piecewise-linear 4-D trajectory: points (m) at strictly increasing times (s).

    One point is a platform standing still. Before its first time and after its last
    the position is held (as :func:`iadsim.geometry.position_at` does).
    """

    xs: list[float]
    ys: list[float]
    zs: list[float]
    ts: list[float]

    def at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions at times ``t`` (an array), by NumPy's independent interpolation."""
        return (
            np.interp(t, self.ts, self.xs),
            np.interp(t, self.ts, self.ys),
            np.interp(t, self.ts, self.zs),
        )

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The points as float64 arrays ``(x, y, z, t)``."""
        return tuple(np.asarray(v, dtype=float) for v in (self.xs, self.ys, self.zs, self.ts))  # type: ignore[return-value]


@dataclass(frozen=True)
class Visibility:
    """The conditions of a window: slant range, altitude envelope, horizon, field of regard."""

    r_min: float
    r_max: float
    z_min: float
    z_max: float
    horizon: bool
    cone: float | None
    """Full angle of the downward cone (degrees), or None for all round."""

    @property
    def cone_tan2(self) -> float:
        """``tan(half angle)^2`` as the kernels take it; -1 for no cone."""
        return -1.0 if self.cone is None else math.tan(math.radians(self.cone / 2.0)) ** 2


def _altitudes(n: int) -> st.SearchStrategy[list[float]]:
    height = _floats(0.0, 15_000.0).map(lambda v: round(v, 3))
    level = st.one_of(st.just(0.0), height, height, height)  # sea level a quarter of the time
    return st.one_of(
        level.map(lambda z: [z] * n),  # level flight, as before flight profiles
        st.lists(level, min_size=n, max_size=n),
    )


@st.composite
def paths_4d(draw: st.DrawFn, min_points: int = 2, max_points: int = 6) -> Path4:
    """Threat trajectories: 2-6 points in a 120 km square, 0-15 km altitude, legs 1 s-30 min.

    Altitudes are level (all equal) a third of the time; repeated points occur.
    """
    n = draw(st.integers(min_points, max_points))
    coord = _floats(-SPAN, SPAN).map(lambda v: round(v, 3))
    xs = draw(st.lists(coord, min_size=n, max_size=n))
    ys = draw(st.lists(coord, min_size=n, max_size=n))
    if n > 1 and draw(st.booleans()):
        xs[1], ys[1] = xs[0], ys[0]  # a climb or a descent on the spot
    zs = draw(_altitudes(n))
    t = draw(_floats(0.0, 1000.0))
    ts = [t]
    for _ in range(n - 1):
        t = t + draw(_floats(1.0, 1800.0))
        ts.append(t)
    return Path4(xs, ys, zs, ts)


@st.composite
def platform_paths(draw: st.DrawFn, threat: Path4, moving: bool = True) -> Path4:
    """A platform near ``threat``: standing still (one point) or flying 2-5 timed points.

    Its times spread over and beyond the threat's, so it is held at its ends sometimes;
    its points lie near the threat's track (within 0 m to 30 km), at 0 to 12 km altitude.
    """
    route = Route(threat.xs, threat.ys, threat.ts, 0.0)
    n = draw(st.integers(2, 5)) if moving else 1
    xs, ys = [], []
    for _ in range(n):
        x, y = draw(centres_near(route))
        xs.append(x)
        ys.append(y)
    height = _floats(0.0, 12_000.0)
    zs = draw(st.lists(st.one_of(st.just(0.0), height, height), min_size=n, max_size=n))
    lo, hi = threat.ts[0] - 600.0, threat.ts[-1] + 600.0
    drawn = sorted(set(draw(st.lists(_floats(lo, hi), min_size=n, max_size=n, unique=True))))
    while len(drawn) < n:  # equal draws: spread them
        drawn.append(drawn[-1] + 1.0)
    # at least a millisecond apart: a platform crossing kilometres in 1e-304 s tests
    # only the floating point of subnormal times, not the geometry
    ts = [drawn[0]]
    for t in drawn[1:]:
        ts.append(max(t, ts[-1] + 1e-3))
    return Path4(xs, ys, zs, ts)


@st.composite
def visibilities(draw: st.DrawFn) -> Visibility:
    """Random window conditions: every one of them sometimes on, sometimes off."""
    r_max = draw(_floats(500.0, 150_000.0))
    r_min = draw(st.one_of(st.just(0.0), _floats(0.01, 0.9).map(lambda f: f * r_max)))
    if draw(st.booleans()):
        z_min, z_max = -math.inf, math.inf
    else:
        z_min = draw(st.one_of(st.just(0.0), _floats(0.0, 4_000.0)))
        z_max = z_min + draw(_floats(100.0, 20_000.0))
    cone = draw(st.one_of(st.none(), _floats(5.0, 175.0)))
    return Visibility(r_min, r_max, z_min, z_max, draw(st.booleans()), cone)


U64 = st.integers(0, 2**64 - 1)
"""Any 64-bit unsigned word."""


def draw_keys() -> st.SearchStrategy[tuple[int, int, int, int, int]]:
    """Keys ``(seed, replication, purpose, entity, index)`` of counter-based draws."""
    return st.tuples(U64, U64, U64, U64, U64)


# --- whole scenarios, small enough for the reference engine -----------------------------

_UNIT_KINDS = ["sam", "gun", "manpads", "interceptor_drone", "ew"]

_GRID_DIR: list[Path] = []
GRID_EXTENT = (-72_000.0, 12_000.0, -28_000.0, 28_000.0)
"""West, east, south, north (m) of the small terrain grids: the whole defence."""


def terrain_file(k: int) -> str:
    """Path of small terrain grid number ``k`` (0-3), written once per process.

    1 km cells over :data:`GRID_EXTENT` (84 x 56 cells): 0 is flat at sea level, 1 flat
    at 200 m, 2 and 3 smooth hills up to 150 m, flat within 5 km of the assets (so dives
    and ballistic arcs reach their targets over open ground). Threats over a grid fly at
    400 m or more above the sea, or follow the terrain: none flies into a hill.
    """
    if not _GRID_DIR:
        _GRID_DIR.append(Path(tempfile.mkdtemp(prefix="iadsim-grids-")))
        atexit.register(shutil.rmtree, _GRID_DIR[0], ignore_errors=True)
    path = _GRID_DIR[0] / f"grid{k}.npy"
    if not path.exists():
        west, east, south, north = GRID_EXTENT
        x = np.arange(west + 500.0, east, 1000.0)[None, :]
        y = np.arange(north - 500.0, south, -1000.0)[:, None]
        if k < 2:
            z = np.full((y.size, x.size), 200.0 * k)
        else:
            phase = 1.3 * k
            hills = (1 + np.sin(x / 7000.0 + phase)) * (1 + np.cos(y / 5000.0 - phase)) / 4
            ramp = np.clip((np.hypot(x, y) - 5000.0) / 20_000.0, 0.0, 1.0)
            z = 150.0 * hills * ramp
        np.save(path, z)
    return str(path)


def _km(draw: st.DrawFn, lo: int, hi: int) -> str:
    return f"{draw(st.integers(lo, hi))} km"


@st.composite
def _threat_world(draw: st.DrawFn, grid: bool) -> dict:
    """Profile fields of the drone class: cruise, dive, terrain following or glide."""
    profiles = ["cruise", "dive", "glide"] + (["terrain_following"] if grid else [])
    profile = draw(st.sampled_from(profiles))
    low = 400 if grid else 30  # over hills up to 150 m
    spec: dict = {"profile": profile, "altitude": f"{draw(st.integers(low, 3000))} m"}
    if draw(st.booleans()):
        spec["climb_rate"] = f"{draw(st.integers(1, 30))} m/s"
    if draw(st.booleans()):
        spec["descent_rate"] = f"{draw(st.integers(1, 30))} m/s"
    if profile in ("dive", "glide"):
        spec["dive_distance"] = _km(draw, 2, 20)
        if draw(st.booleans()):
            spec["terminal_speed"] = f"{draw(st.integers(30, 400))} m/s"
    if profile == "glide":
        spec["apogee"] = f"{draw(st.integers(3500, 9000))} m"
        if draw(st.booleans()):
            spec["apogee_distance"] = _km(draw, 5, 40)
    return spec


@st.composite
def _waypoint(draw: st.DrawFn, grid: bool) -> object:
    position = ["-30 km", f"{draw(st.integers(-5, 5))} km"]
    if not draw(st.booleans()):
        return position
    point: dict = {"position": position}
    if draw(st.booleans()):
        above_ground = grid and draw(st.booleans())
        low = 30 if above_ground else (400 if grid else 0)  # over hills up to 150 m
        point["altitude"] = f"{draw(st.integers(low, 4000))} m"
        if above_ground:
            point["above"] = "ground"
    if draw(st.booleans()):
        point["speed"] = f"{draw(st.integers(30, 300))} m/s"
    return point


@st.composite
def _orbit(draw: st.DrawFn, altitude: tuple[int, int]) -> dict:
    return {
        "centre": [_km(draw, -60, 0), _km(draw, -30, 30)],
        "length": _km(draw, 0, 40),
        "width": _km(draw, 2, 20),
        "heading": draw(st.integers(0, 359)),
        "speed": f"{draw(st.integers(30, 250))} m/s",
        "altitude": f"{draw(st.integers(*altitude))} m",
        "start": f"+{draw(st.integers(0, 60))} min",
        **({"end": f"+{draw(st.integers(90, 300))} min"} if draw(st.booleans()) else {}),
    }


@st.composite
def _motion(draw: st.DrawFn, airborne: bool) -> dict:
    """A timed route (on the ground, or flying), an orbit, or relocations."""
    choices = ["route", "orbit"] if airborne else ["route", "relocations"]
    kind = draw(st.sampled_from(choices))
    if kind == "orbit":
        return {"orbit": draw(_orbit((300, 9000)))}
    if kind == "route":
        times = sorted(draw(st.sets(st.integers(0, 240), min_size=2, max_size=4)))
        return {
            "route": [
                {
                    "position": [_km(draw, -65, 5), _km(draw, -25, 25)],
                    "time": f"+{t} min",
                    **({"altitude": f"{draw(st.integers(100, 5000))} m"} if airborne else {}),
                }
                for t in times
            ]
        }
    cuts = sorted(draw(st.sets(st.integers(0, 240), min_size=2, max_size=6)))
    sites = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        sites.append(
            {
                "position": [_km(draw, -65, 5), _km(draw, -25, 25)],
                "start": f"+{a} min",
                "end": f"+{b} min",
            }
        )
    if draw(st.booleans()):
        del sites[-1]["end"]  # the last site: until the end
    return {"relocations": sites}


@st.composite
def _airborne_sensor(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["radar", "optical"]))
    spec: dict = {
        "id": "air",
        "kind": kind,
        "position": ["-40 km", "0 km"],
        "range": _km(draw, 10, 200),
        "height": "0 m",
        "scan_period": f"{draw(st.integers(2, 20))} s",
        "pd": draw(st.floats(0.05, 1)),
        "discrimination": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "motion": draw(_motion(airborne=True)),
    }
    if kind == "optical" and draw(st.booleans()):
        spec["field_of_regard"] = draw(st.floats(20.0, 170.0))
    return spec


@st.composite
def _aircraft(draw: st.DrawFn, u: int) -> dict:
    kind = draw(st.sampled_from(["aircraft", "helicopter"]))
    spec: dict = {
        "id": f"air{u}",
        "kind": kind,
        "layer": "air",
        "position": [_km(draw, -60, 0), _km(draw, -20, 20)],
        "min_range": "0 m",
        "max_range": _km(draw, 2, 30),
        "min_altitude": "0 m",
        "max_altitude": "12 km",
        "channels": draw(st.integers(1, 2)),
        "rounds": draw(st.integers(0, 6)),
        "reserve": draw(st.integers(0, 6)),
        "interceptor_speed": f"{draw(st.integers(100, 1200))} m/s",
        "cost_per_shot": f"{draw(st.integers(0, 10**6))} USD",
        "pk": {"owa_drone": draw(st.floats(0, 1)), "decoy": draw(st.floats(0, 1))},
    }
    if kind == "aircraft":
        spec.update(
            time_on_station=f"{draw(st.integers(5, 90))} min",
            transit_time=f"{draw(st.integers(0, 30))} min",
            turnaround=f"{draw(st.integers(0, 40))} min",
            motion={"orbit": draw(_orbit((500, 9000)))},
        )
    else:
        spec["reload_time"] = f"{draw(st.integers(0, 600))} s"
        if draw(st.booleans()):
            spec["motion"] = draw(_motion(airborne=True))
    return spec


@st.composite
def small_scenarios(draw: st.DrawFn, world: bool = True) -> dict:
    """Raw scenario data: up to 5 fire units (EW included), drones and decoys, two raids.

    Every doctrine option varies: mode, salvo, decision cycle, reaction time,
    engagement limit and authority; magazines are small so reloads happen.

    With ``world`` (issue 13), each of these comes in some of the time: the drones'
    flight profile (dive, glide, terrain following) with climb and descent rates,
    a waypoint with an altitude (above the sea or the ground) and a speed, a ballistic
    missile raid, sensors that discriminate decoys, an airborne sensor (orbit or
    route, optical with a field of regard), fire units that move (timed routes,
    relocations), aircraft on a racetrack station and helicopters, unit heights, and
    a small terrain grid (flat or hilly) under the whole defence.
    """
    grid = world and draw(st.integers(0, 3)) == 0
    units = []
    for u in range(draw(st.integers(0, 5))):
        if world and draw(st.integers(0, 4)) == 0:
            units.append(draw(_aircraft(u)))
            continue
        kind = draw(st.sampled_from(_UNIT_KINDS))
        x, y = draw(st.integers(-60, 0)), draw(st.integers(-15, 15))
        spec: dict = {
            "id": f"u{u}",
            "kind": kind,
            "position": [f"{x} km", f"{y} km"],
            "max_range": f"{draw(st.integers(2, 30))} km",
            "pk": {
                "owa_drone": draw(st.floats(0, 1)),
                "decoy": draw(st.floats(0, 1)),
            },
        }
        if kind != "ew":
            spec.update(
                rounds=draw(st.integers(0, 12)),
                reserve=draw(st.integers(0, 6)),
                channels=draw(st.integers(1, 3)),
                reload_time=f"{draw(st.integers(0, 300))} s",
                cost_per_shot=f"{draw(st.integers(0, 10**6))} USD",
                interceptor_speed=f"{draw(st.integers(60, 1500))} m/s",
            )
            if world and kind == "sam" and draw(st.booleans()):
                spec["pk"]["ballistic_missile"] = draw(st.floats(0, 1))
                spec["max_altitude"] = _km(draw, 5, 30)
            if world and draw(st.booleans()):
                spec["height"] = f"{draw(st.integers(0, 30))} m"
        if world and draw(st.integers(0, 3)) == 0:
            spec["motion"] = draw(_motion(airborne=False))
        units.append(spec)
    doctrine: dict = {
        "decision_cycle": f"{draw(st.integers(1, 5))} s",
        "reaction_time": f"{draw(st.integers(0, 30))} s",
        "mode": draw(st.sampled_from(["shoot-look-shoot", "shoot-shoot-look"])),
        "salvo": {"default": draw(st.integers(1, 3)), "decoy": draw(st.integers(1, 2))},
    }
    if draw(st.booleans()):
        doctrine["max_engagements"] = draw(st.integers(1, 3))
    doctrine["policy"] = draw(st.sampled_from(POLICY_NAMES))
    doctrine["value_unit"] = f"{draw(st.sampled_from([1, 30, 300, 3000]))} kUSD"
    if units and draw(st.booleans()):
        doctrine["authority"] = {"sam": ["decoy"], "gun": ["owa_drone", "decoy"]}
        doctrine["authority"] = {
            k: v for k, v in doctrine["authority"].items() if any(u["kind"] == k for u in units)
        }
    raids = [
        {
            "id": f"r{n}",
            "threat": threat,
            "count": draw(st.integers(1, 15)),
            "launch": {
                "sites": [["-90 km", "10 km"], ["-80 km", "-20 km"]],
                "start": "00:00",
                "end": f"00:{draw(st.integers(0, 40)):02d}",
                "spacing": draw(st.sampled_from(["uniform", "random"])),
            },
            "route": {
                "waypoints": [
                    draw(_waypoint(grid)) if world else ["-30 km", f"{draw(st.integers(-5, 5))} km"]
                ],
                "jitter": f"{draw(st.integers(0, 8))} km",
                "seed": draw(st.integers(0, 100)),
            },
            "targets": {"a": 1, "b": draw(st.integers(1, 3))},
        }
        for n, threat in enumerate(["d", "fake"])
    ]
    threat_classes: dict = {
        "d": {
            "preset": "shahed-136-class",
            "ew_susceptibility": draw(st.floats(0, 1)),
            "speed": f"{draw(st.integers(30, 300))} m/s",
        },
        "fake": {"preset": "gerbera-class", "ew_susceptibility": draw(st.floats(0, 1))},
    }
    sensors: list[dict] = [
        {
            "id": "s",
            "kind": "radar",
            "position": ["-20 km", "0 km"],
            "range": "150 km",
            "height": "15 m",
            "scan_period": "5 s",
            "pd": draw(st.floats(0.05, 1)),
        }
    ]
    raw: dict = {
        "schema_version": 1,
        "name": "random",
        "start": "00:00",
        "duration": "4 h",
        "threat_classes": threat_classes,
        "assets": [
            {"id": "a", "position": ["0 km", "0 km"], "value": 5, "hardness": "soft"},
            {"id": "b", "position": ["3 km", "-4 km"], "value": 9, "hardness": "hard"},
        ],
        "sensors": sensors,
        "fire_units": units,
        "raids": raids,
        "doctrine": doctrine,
    }
    if not world:
        return raw
    if draw(st.booleans()):
        threat_classes["d"].update(draw(_threat_world(grid)))
    if threat_classes["d"].get("profile") in ("ballistic", "glide"):
        # these profiles set their own altitude and speed: a waypoint may not
        for raid in raids:
            if raid["threat"] == "d":
                raid["route"]["waypoints"] = [
                    w["position"] if isinstance(w, dict) else w for w in raid["route"]["waypoints"]
                ]
    if draw(st.booleans()):
        sensors[0]["discrimination"] = draw(st.sampled_from([0.0, 0.3, 1.0]))
    if draw(st.integers(0, 2)) == 0:
        sensors.append(draw(_airborne_sensor()))
    if draw(st.integers(0, 3)) == 0:
        threat_classes["m"] = {
            "preset": "iskander-m-class",
            "profile": "ballistic",
            "speed": f"{draw(st.integers(1000, 2500))} m/s",
            "boost_time": f"{draw(st.integers(0, 60))} s",
        }
        raids.append(
            {
                "id": "rm",
                "threat": "m",
                "count": draw(st.integers(1, 3)),
                "launch": {"sites": [["-95 km", "0 km"]], "start": "00:10", "end": "00:20"},
                "targets": {"a": 1},
            }
        )
    if grid:
        west, _, _, north = GRID_EXTENT
        raw["terrain"] = {
            "file": terrain_file(draw(st.integers(0, 3))),
            "crs": "local",
            "transform": [west, 1000.0, 0.0, north, 0.0, -1000.0],
        }
    return raw


@st.composite
def _availability(draw: st.DrawFn) -> dict:
    """Scheduled outages and random failures, some of the time."""
    spec: dict = {}
    if draw(st.integers(0, 2)) == 0:
        a = draw(st.integers(0, 200))
        outage: dict = {"start": f"+{a} min"}
        if draw(st.booleans()):
            outage["end"] = f"+{a + draw(st.integers(1, 60))} min"
        spec["outages"] = [outage]
    if draw(st.integers(0, 2)) == 0:
        spec["failures"] = {
            "mtbf": f"{draw(st.integers(5, 120))} min",
            "mttr": f"{draw(st.integers(1, 30))} min",
        }
    return spec


@st.composite
def network_scenarios(draw: st.DrawFn) -> dict:
    """:func:`small_scenarios` with a command-and-control network (issue 14).

    One or two command posts (track capacity, decision cycle, outages, failures),
    links with latency, outages, failures and jamming, a jammer, fire units with
    organic sensors and every fallback, reserve keeping, rules of engagement by time
    window, and raids aimed at the sensor, a post or a fire unit.
    """
    raw = draw(small_scenarios(world=draw(st.booleans())))
    kinetic = [u for u in raw["fire_units"] if u["kind"] != "ew"]
    posts = []
    for c in range(draw(st.integers(1, 2))):
        post: dict = {"id": f"cp{c}", "position": [_km(draw, -40, 0), _km(draw, -10, 10)]}
        if draw(st.booleans()):
            post["track_capacity"] = draw(st.integers(1, 12))
        if draw(st.booleans()):
            post["decision_cycle"] = f"{draw(st.integers(0, 10))} s"
        post.update(draw(_availability()))
        posts.append(post)
    links: list[dict] = []

    def link(source: str, target: str) -> None:
        spec: dict = {"from": source, "to": target}
        spec["latency"] = f"{draw(st.integers(0, 20))} s"
        if draw(st.booleans()):
            spec["jammable"] = False
        spec.update(draw(_availability()))
        links.append(spec)

    for k, s in enumerate(raw["sensors"]):
        link(s["id"], "cp0" if k == 0 else posts[draw(st.integers(0, len(posts) - 1))]["id"])
    if len(posts) > 1:
        link("cp0", "cp1")
        if draw(st.booleans()):
            link("cp1", "cp0")
    for u in kinetic:
        if draw(st.integers(0, 4)) == 0:
            u["organic_sensor"] = {"range": _km(draw, 3, 40), "pd": draw(st.floats(0.1, 1))}
        else:
            link(posts[draw(st.integers(0, len(posts) - 1))]["id"], u["id"])
            if draw(st.integers(0, 3)) == 0:
                u["organic_sensor"] = {"range": _km(draw, 3, 40), "pd": draw(st.floats(0.1, 1))}
        fallback = draw(st.sampled_from(["autonomous", "hold", "delayed"]))
        u["fallback"] = fallback
        if fallback == "delayed":
            u["activation_delay"] = f"{draw(st.integers(0, 600))} s"
        if draw(st.integers(0, 3)) == 0:
            u["reserve_for"] = {"rounds": draw(st.integers(1, 4)), "for": ["decoy"]}
        u.update(draw(_availability()))
    if not kinetic and not posts:
        return raw
    network: dict = {"command_posts": posts, "links": links}
    if draw(st.booleans()):
        network["jammers"] = [
            {
                "id": "jam",
                "position": [_km(draw, -40, 0), _km(draw, -10, 10)],
                "radius": _km(draw, 1, 30),
                "start": f"+{draw(st.integers(0, 120))} min",
            }
        ]
    raw["network"] = network
    raw["sensors"][0].update(draw(_availability()))
    if draw(st.booleans()):
        raw["doctrine"]["rules"] = [
            {
                "start": f"+{draw(st.integers(0, 60))} min",
                "end": f"+{draw(st.integers(61, 200))} min",
                "hold_fire": [draw(st.sampled_from(["owa_drone", "decoy", "d"]))],
            }
        ]
    # attacks on the defence: the drones also aim at the sensor, a post or a fire unit
    aims = ["s", *[p["id"] for p in posts], *[u["id"] for u in kinetic]]
    raw["raids"][0]["targets"][draw(st.sampled_from(aims))] = draw(st.integers(1, 3))
    return raw
