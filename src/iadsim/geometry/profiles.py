"""Flight profiles: a threat's ground track and class turned into a 4-D trajectory.

A trajectory is piecewise linear in space and time: points ``(x, y, z, t)``,
flown in straight lines at constant velocity between them. Every profile is a
function of the distance flown along the ground track, ``s`` from 0 at launch
to ``L`` at the target; the points are the track's corners plus the profile's
own breakpoints (and samples of its curves), and the time between two points is
the ground distance over the mean of their ground speeds.

The profiles (equations in each function's docstring):

- ``cruise``: the class's altitude, changed by waypoints at the class's climb and
  descent rates; as before this release when no waypoint sets an altitude.
- ``terrain_following``: a constant height above the highest terrain of each
  stretch of the track.
- ``dive``: cruise, then a straight dive from ``dive_distance`` before the target.
- ``ballistic``: boost and a drag-free arc on a flat earth in the vertical plane.
- ``glide``: a climb to the apogee, a straight glide back down, a terminal dive.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["GRAVITY", "ProfileError", "ballistic_arc", "threat_trajectory"]

GRAVITY = 9.80665
"""Standard gravity, m/s^2."""

_ARC_POINTS = 32
"""Points of a ballistic arc (the chord error of the arc is below 0.1% of its apogee)."""

Elevation = Callable[[float, float], float]
"""Terrain elevation (m above sea level) at a point of the local frame."""


class ProfileError(ValueError):
    """A profile that cannot be flown on its route; the message says why."""


def _flat(x: float, y: float) -> float:
    return 0.0


def _cumulative(xs: Sequence[float], ys: Sequence[float]) -> list[float]:
    """Ground distance flown at each point of a polyline, from its first."""
    cum = [0.0]
    for k in range(len(xs) - 1):
        cum.append(cum[-1] + math.hypot(xs[k + 1] - xs[k], ys[k + 1] - ys[k]))
    return cum


def _along(
    xs: Sequence[float], ys: Sequence[float], s: float, cum: Sequence[float]
) -> tuple[float, float]:
    """The point at ground distance ``s`` along the polyline."""
    k = 0
    while k < len(cum) - 2 and cum[k + 1] < s:
        k += 1
    span = cum[k + 1] - cum[k]
    f = (s - cum[k]) / span if span > 0.0 else 0.0
    return xs[k] + f * (xs[k + 1] - xs[k]), ys[k] + f * (ys[k + 1] - ys[k])


def _timed(
    xs: list[float], ys: list[float], zs: list[float], vs: list[float], t0: float
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Times of the points: ground distance over the mean ground speed, leg by leg."""
    ts = [t0]
    t = t0
    for k in range(len(xs) - 1):
        d = math.hypot(xs[k + 1] - xs[k], ys[k + 1] - ys[k])
        # 2d / (v + v) is d / v exactly when the speed is constant (doubling is exact)
        t += 2.0 * d / (vs[k] + vs[k + 1]) if vs[k] != vs[k + 1] else d / vs[k]
        ts.append(t)
    return xs, ys, zs, ts


def ballistic_arc(
    ground: float, speed: float, boost_time: float
) -> list[tuple[float, float, float]]:
    """A depressed drag-free arc: ``(distance, altitude, time)`` points from launch to impact.

    On a flat earth with gravity g, a missile leaving the ground at speed V with
    horizontal and vertical components ``(u, w)`` lands ``2uw/g`` away, so the arc
    over a ground range L has ``u w = g L / 2`` and ``u^2 + w^2 = V^2``: of the
    two solutions the depressed one has ``w^2 = (V^2 - sqrt(V^4 - g^2 L^2)) / 2``.
    Then ``z(x) = (w/u) x - g x^2 / (2 u^2)``, the apogee is ``w^2 / 2g`` at L/2, and
    the horizontal speed is u all the way. Boost: for ``boost_time`` tb the
    missile accelerates evenly along the same arc, covering ``x = u t^2 / (2 tb)``,
    so the flight takes ``L / u + tb / 2``.

    Raises:
        ProfileError: if V^2 < g L (no arc of that speed reaches so far).
    """
    g = GRAVITY
    if speed * speed < g * ground:
        need = math.sqrt(g * ground)
        raise ProfileError(
            f"a ballistic arc at {speed:.0f} m/s reaches at most {speed * speed / g / 1000:.0f} "
            f"km; this route is {ground / 1000:.0f} km long (it needs at least {need:.0f} m/s)"
        )
    w2 = (speed**2 - math.sqrt(max(speed**4 - (g * ground) ** 2, 0.0))) / 2.0
    w = math.sqrt(w2)
    u = math.sqrt(max(speed * speed - w2, 0.0))
    boost = u * boost_time / 2.0  # ground covered while accelerating
    cuts = sorted({ground * k / _ARC_POINTS for k in range(_ARC_POINTS + 1)} | {min(boost, ground)})
    out = []
    for x in cuts:
        z = max((w / u) * x - g * x * x / (2.0 * u * u), 0.0)
        if x <= boost and boost > 0.0:
            t = math.sqrt(2.0 * boost_time * x / u)
        else:
            t = x / u + boost_time / 2.0
        out.append((x, z, t))
    return out


def threat_trajectory(
    cls: Any,
    ground: Sequence[tuple[float, float]],
    waypoints: Sequence[Any],
    t0: float,
    elevation: Elevation | None = None,
    step: float = 1000.0,
    cell: float = 0.0,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """The trajectory of one threat of class ``cls`` along the ground track ``ground``.

    Args:
        cls: a validated :class:`~iadsim.scenario.ThreatClass`.
        ground: launch point, waypoints and target, in the local frame (m).
        waypoints: the route's :class:`~iadsim.scenario.world.Waypoint` objects
            (``ground[1:-1]`` are their jittered positions).
        t0: launch time (s).
        elevation: terrain elevation at a point; None for a smooth earth at sea level.
        step: ground distance between the samples of a terrain-following leg.
        cell: the terrain grid's cell (m): the terrain under each sample's stretch is
            read at least once a cell.

    Returns:
        ``(x, y, z, t)`` lists, one entry per point.

    Raises:
        ProfileError: when the profile cannot be flown on this route.
    """
    elev = elevation or _flat
    xs = [p[0] for p in ground]
    ys = [p[1] for p in ground]
    cum = _cumulative(xs, ys)
    total = cum[-1]
    profile = cls.profile
    if profile == "ballistic":
        if total <= 0.0:
            raise ProfileError("a ballistic arc needs a launch point away from its target")
        arc = ballistic_arc(total, cls.speed, cls.boost_time)
        px, py, pz, pt = [], [], [], []
        base0, base1 = elev(xs[0], ys[0]), elev(xs[-1], ys[-1])
        corners = sorted({*(a[0] for a in arc), *cum})
        for s in corners:
            x, y = _along(xs, ys, s, cum)
            z, t = _arc_at(arc, s)
            px.append(x)
            py.append(y)
            pz.append(z + base0 + (base1 - base0) * (s / total))
            pt.append(t0 + t)
        return px, py, pz, pt
    if profile in ("dive", "glide") and cls.dive_distance >= total:
        raise ProfileError(
            f"the dive starts {cls.dive_distance / 1000:g} km before the target, behind the "
            f"launch point ({total / 1000:.1f} km from the target along the route)"
        )
    if profile == "glide":
        return _glide(cls, xs, ys, cum, t0, elev)
    # cruise, terrain following and dive: the class's altitude, changed by waypoints
    above_ground = profile == "terrain_following"
    pts: list[tuple[float, float, float, float, bool]] = []  # x, y, altitude, speed, above
    z_now, v_now, ground_now = cls.altitude, cls.speed, above_ground
    pts.append((xs[0], ys[0], z_now, v_now, ground_now))
    for k in range(len(xs) - 1):
        spec = waypoints[k - 1] if k >= 1 else None
        if spec is not None and spec.speed is not None and spec.speed != v_now:
            # a change of speed at the waypoint: a second point there, reached in no time
            v_now = spec.speed
            pts.append((*pts[-1][:3], v_now, pts[-1][4]))
        v_leg = v_now
        target_z, target_ground = z_now, ground_now
        if spec is not None and spec.altitude is not None:
            target_z, target_ground = spec.altitude, spec.above == "ground"
        if target_ground != ground_now:
            # the height now, said in the waypoint's reference: a second point here
            ground_here = elev(xs[k], ys[k])
            z_now = z_now - ground_here if target_ground else z_now + ground_here
            ground_now = target_ground
            pts.append((pts[-1][0], pts[-1][1], z_now, v_now, ground_now))
        leg = cum[k + 1] - cum[k]
        if target_z != z_now:
            rate = cls.climb_rate if target_z > z_now else cls.descent_rate
            if rate is not None and leg > 0.0:
                reach = v_leg * abs(target_z - z_now) / rate  # ground covered while changing
                if reach < leg:
                    f = reach / leg
                    x = xs[k] + f * (xs[k + 1] - xs[k])
                    y = ys[k] + f * (ys[k + 1] - ys[k])
                    pts.append((x, y, target_z, v_leg, target_ground))
                    z_now, ground_now = target_z, target_ground
                else:
                    z_now = z_now + math.copysign(rate * leg / v_leg, target_z - z_now)
                    ground_now = target_ground
            else:
                z_now, ground_now = target_z, target_ground
        pts.append((xs[k + 1], ys[k + 1], z_now, v_leg, ground_now))
    # over a smooth earth a height above the ground is an altitude: no samples needed
    px, py, pz, pv = _resolve(pts, elev, step if elevation is not None else 0.0, cell)
    if profile == "dive":
        px, py, pz, pv = _dive(px, py, pz, pv, cls, elev)
    return _timed(px, py, pz, pv, t0)


def _arc_at(arc: list[tuple[float, float, float]], s: float) -> tuple[float, float]:
    for k in range(len(arc) - 1):
        if arc[k + 1][0] >= s:
            x0, z0, t0 = arc[k]
            x1, z1, t1 = arc[k + 1]
            f = (s - x0) / (x1 - x0) if x1 > x0 else 0.0
            return z0 + f * (z1 - z0), t0 + f * (t1 - t0)
    return arc[-1][1], arc[-1][2]


def _resolve(
    pts: list[tuple[float, float, float, float, bool]], elev: Elevation, step: float, cell: float
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Altitudes above sea level; legs flown above the ground are cut into ``step`` pieces.

    A point above the ground is put ``altitude`` above the highest terrain within
    a step either side along the track, so the straight line to the next point keeps
    at least that height over the terrain it crosses.
    """
    px, py, pz, pv = [], [], [], []
    before: tuple[float, float, float, float, float] | None = None  # the incoming leg's end
    for k, (x, y, z, v, above) in enumerate(pts):
        nxt = pts[k + 1] if k + 1 < len(pts) else None
        if above and step > 0.0:
            # the corner itself keeps its height over the last step of the leg in
            behind = -math.inf if before is None else _highest(elev, *before, 1.0, cell)
            if nxt is None:
                px.append(x)
                py.append(y)
                pv.append(v)
                pz.append(z + max(behind, elev(x, y)))
                continue
            length = math.hypot(nxt[0] - x, nxt[1] - y)
            pieces = max(1, math.ceil(length / step))
            # each sample keeps its height over the whole step on either side, so the
            # straight line between two samples does too
            half = 1.0 / pieces
            for j in range(pieces):
                f = j / pieces
                sx, sy = x + f * (nxt[0] - x), y + f * (nxt[1] - y)
                sz = z + f * (nxt[2] - z)
                top = _highest(elev, x, y, nxt[0], nxt[1], half, f, cell)
                px.append(sx)
                py.append(sy)
                pz.append(sz + (max(top, behind) if j == 0 else top))
                pv.append(v + f * (nxt[3] - v))
            before = (x, y, nxt[0], nxt[1], half)
            continue
        before = None
        px.append(x)
        py.append(y)
        pv.append(v)
        pz.append(z + (elev(x, y) if above else 0.0))
    return px, py, pz, pv


def _highest(
    elev: Elevation,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    half: float,
    f: float,
    cell: float,
) -> float:
    """The highest elevation within ``half`` (a fraction of the leg) of ``f`` along a leg.

    Sampled at least every cell (and at 9 points at the least).
    """
    highest = getattr(elev, "highest_along", None)
    if highest is not None:  # every cell the stretch crosses
        ga, gb = max(f - half, 0.0), min(f + half, 1.0)
        return float(
            highest(
                x0 + ga * (x1 - x0), y0 + ga * (y1 - y0), x0 + gb * (x1 - x0), y0 + gb * (y1 - y0)
            )
        )
    length = math.hypot(x1 - x0, y1 - y0) * half
    n = max(4, math.ceil(length / cell)) if cell > 0.0 else 4
    best = -math.inf
    for j in range(-n, n + 1):
        g = min(max(f + half * j / n, 0.0), 1.0)
        best = max(best, elev(x0 + g * (x1 - x0), y0 + g * (y1 - y0)))
    return best


def _dive(
    px: list[float], py: list[float], pz: list[float], pv: list[float], cls: Any, elev: Elevation
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Cut the trajectory ``dive_distance`` before the target and dive straight down to it.

    From the point P at ground distance D before the target (altitude z_P), the
    threat flies a straight line to the target at the ground there, its ground
    speed changing evenly from its speed at P to ``terminal_speed``.
    """
    cum = _cumulative(px, py)
    s_dive = cum[-1] - cls.dive_distance
    k = 0
    while cum[k + 1] < s_dive:
        k += 1
    span = cum[k + 1] - cum[k]
    f = (s_dive - cum[k]) / span if span > 0.0 else 0.0
    x = px[k] + f * (px[k + 1] - px[k])
    y = py[k] + f * (py[k + 1] - py[k])
    z = pz[k] + f * (pz[k + 1] - pz[k])
    v = pv[k] + f * (pv[k + 1] - pv[k])
    end_v = cls.terminal_speed or v
    out_x, out_y, out_z, out_v = px[: k + 1], py[: k + 1], pz[: k + 1], pv[: k + 1]
    if f > 0.0:
        out_x, out_y, out_z, out_v = [*out_x, x], [*out_y, y], [*out_z, z], [*out_v, v]
    # the dive keeps the ground track's remaining corners, descending evenly
    for j in range(k + 1, len(px)):
        g = (cum[j] - s_dive) / cls.dive_distance
        out_x.append(px[j])
        out_y.append(py[j])
        ground_j = elev(px[j], py[j])
        out_z.append(z + g * (ground_j - z) if j < len(px) - 1 else ground_j)
        out_v.append(v + g * (end_v - v))
    return out_x, out_y, out_z, out_v


def _glide(
    cls: Any,
    xs: Sequence[float],
    ys: Sequence[float],
    cum: Sequence[float],
    t0: float,
    elev: Elevation,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """The glide profile: climb, straight glide down, terminal dive.

    The threat climbs from ``altitude`` to ``apogee`` at ``apogee_distance``, glides
    straight back to ``altitude`` at ``dive_distance`` before the target, then dives
    to the target. The ground speed is ``speed`` up to the apogee and then changes
    evenly with distance to ``terminal_speed`` at impact.
    """
    total = cum[-1]
    s_dive = total - cls.dive_distance
    s_top = cls.apogee_distance if cls.apogee_distance is not None else total / 4.0
    if s_top >= s_dive:
        raise ProfileError(
            f"the apogee ({s_top / 1000:g} km from launch) is not before the dive "
            f"({s_dive / 1000:.1f} km from launch)"
        )
    v_end = cls.terminal_speed or cls.speed
    z_end = elev(xs[-1], ys[-1])

    def z_at(s: float) -> float:
        if s <= s_top:
            return cls.altitude + (cls.apogee - cls.altitude) * s / s_top
        if s <= s_dive:
            return cls.apogee + (cls.altitude - cls.apogee) * (s - s_top) / (s_dive - s_top)
        return cls.altitude + (z_end - cls.altitude) * (s - s_dive) / cls.dive_distance

    def v_at(s: float) -> float:
        return (
            cls.speed
            if s <= s_top
            else cls.speed + (v_end - cls.speed) * (s - s_top) / (total - s_top)
        )

    px, py, pz, pv = [], [], [], []
    for s in sorted({*cum, s_top, s_dive}):
        x, y = _along(xs, ys, s, cum)
        px.append(x)
        py.append(y)
        pz.append(z_at(s))
        pv.append(v_at(s))
    return _timed(px, py, pz, pv, t0)
