"""Hypothesis strategies shared by the test suite (STYLE.md item 13).

Geometry strategies draw piecewise-linear routes in the local frame (metres,
seconds) and centres placed near them, so that random cases actually cross the
circles they are tested against instead of missing them by 100 km.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    ts = sorted(set(draw(st.lists(_floats(lo, hi), min_size=n, max_size=n, unique=True))))
    while len(ts) < n:  # equal draws: spread them
        ts.append(ts[-1] + 1.0)
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


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict:
    """Raw scenario data: up to 5 fire units (EW included), drones and decoys, two raids.

    Every doctrine option varies: mode, salvo, decision cycle, reaction time,
    engagement limit and authority; magazines are small so reloads happen.
    """
    units = []
    for u in range(draw(st.integers(0, 5))):
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
                "waypoints": [["-30 km", f"{draw(st.integers(-5, 5))} km"]],
                "jitter": f"{draw(st.integers(0, 8))} km",
                "seed": draw(st.integers(0, 100)),
            },
            "targets": {"a": 1, "b": draw(st.integers(1, 3))},
        }
        for n, threat in enumerate(["d", "fake"])
    ]
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
            "fake": {"preset": "gerbera-class", "ew_susceptibility": draw(st.floats(0, 1))},
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
        "raids": raids,
        "doctrine": doctrine,
    }
