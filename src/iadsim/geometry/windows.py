"""Exact windows of time when a threat on a piecewise-linear route is within range.

A route is a list of points ``(x[k], y[k])`` reached at times ``t[k]``, flown at a
constant altitude. A window is an interval of time when the slant range from a
centre lies in ``[r_min, r_max]``; it comes from exact segment-circle
intersection (a quadratic per leg), not from sampling.

The functions marked as kernels (:mod:`iadsim.kernel`) are written in plain scalar
arithmetic so that the compiled engine runs the very same code and gets
bit-identical floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from iadsim.kernel import kernel

__all__ = [
    "EARTH_RADIUS",
    "REFRACTION_K",
    "intercept_time",
    "position_at",
    "radar_horizon",
    "route_windows",
    "slant_range_at",
]

EARTH_RADIUS = 6371000.0
"""Mean Earth radius, metres."""
REFRACTION_K = 4.0 / 3.0
"""Effective Earth-radius factor for standard atmospheric refraction."""


def radar_horizon(sensor_height: float, target_height: float) -> float:
    """Ground distance (m) beyond which a target at ``target_height`` is below the horizon.

    The 4/3-Earth model: ``sqrt(2 k R h_s) + sqrt(2 k R h_t)``.
    """
    kr2 = 2.0 * REFRACTION_K * EARTH_RADIUS
    return math.sqrt(kr2 * max(sensor_height, 0.0)) + math.sqrt(kr2 * max(target_height, 0.0))


def _inside(a: float, b: float, c: float) -> tuple[float, float]:
    """Parameter interval where ``a s^2 + b s + c <= 0`` for s in [0, 1]; empty if lo > hi."""
    if a <= 0.0:  # a stationary leg: the whole leg or nothing
        return (0.0, 1.0) if c <= 0.0 else (1.0, 0.0)
    disc = b * b - 4.0 * a * c
    if disc < 0.0:
        return 1.0, 0.0
    root = math.sqrt(disc)
    return max((-b - root) / (2.0 * a), 0.0), min((-b + root) / (2.0 * a), 1.0)


def route_windows(
    xs: Sequence[float],
    ys: Sequence[float],
    ts: Sequence[float],
    altitude: float,
    cx: float,
    cy: float,
    cz: float,
    r_min: float,
    r_max: float,
) -> list[tuple[float, float]]:
    """Intervals of time when the slant range from ``(cx, cy, cz)`` is within ``[r_min, r_max]``.

    Args:
        xs: the route's points, east (m).
        ys: the route's points, north (m).
        ts: the times (s) the points are reached, non-decreasing.
        altitude: the route's constant altitude (m).
        cx: the centre, east (m).
        cy: the centre, north (m).
        cz: the centre's height (m).
        r_min: least slant range (m); 0 for none.
        r_max: greatest slant range (m).

    Returns:
        Disjoint, sorted ``(start, end)`` intervals; touching ones are merged.
    """
    dz2 = (altitude - cz) * (altitude - cz)
    out_r2 = r_max * r_max - dz2
    in_r2 = r_min * r_min - dz2
    windows: list[tuple[float, float]] = []
    if out_r2 < 0.0:
        return windows
    for k in range(len(xs) - 1):
        dx, dy = xs[k] - cx, ys[k] - cy
        ex, ey = xs[k + 1] - xs[k], ys[k + 1] - ys[k]
        a = ex * ex + ey * ey
        b = 2.0 * (dx * ex + dy * ey)
        c0 = dx * dx + dy * dy
        lo, hi = _inside(a, b, c0 - out_r2)
        if lo > hi:
            continue
        pieces = [(lo, hi)]
        if in_r2 > 0.0:
            h_lo, h_hi = _inside(a, b, c0 - in_r2)
            if h_lo < h_hi:
                pieces = [(lo, min(hi, h_lo)), (max(lo, h_hi), hi)]
        span = ts[k + 1] - ts[k]
        for s0, s1 in pieces:
            if s0 > s1 or (s0 == s1 and in_r2 > 0.0 and len(pieces) > 1):
                continue
            t0, t1 = ts[k] + s0 * span, ts[k] + s1 * span
            if windows and t0 <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], t1))
            else:
                windows.append((t0, t1))
    return windows


@kernel
def _leg(ts: Sequence[float], t: float) -> int:
    """Index k of the leg with ts[k] <= t < ts[k + 1] (the last leg for t at the end).

    Bisection: a terrain-following route has hundreds of legs.
    """
    last = len(ts) - 2
    if last <= 0 or t < ts[1]:
        return 0
    if t >= ts[last]:
        return last
    lo, hi = 1, last  # ts[lo] <= t < ts[hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ts[mid] <= t:
            lo = mid
        else:
            hi = mid
    return lo


@kernel
def position_at(
    xs: Sequence[float], ys: Sequence[float], zs: Sequence[float], ts: Sequence[float], t: float
) -> tuple[float, float, float]:
    """Where a trajectory is at time ``t`` (held at its ends; one point: standing still)."""
    n = len(ts)
    if n == 1 or t <= ts[0]:
        return xs[0], ys[0], zs[0]
    if t >= ts[n - 1]:
        return xs[n - 1], ys[n - 1], zs[n - 1]
    k = _leg(ts, t)
    span = ts[k + 1] - ts[k]
    s = (t - ts[k]) / span if span > 0.0 else 0.0
    return (
        xs[k] + s * (xs[k + 1] - xs[k]),
        ys[k] + s * (ys[k + 1] - ys[k]),
        zs[k] + s * (zs[k + 1] - zs[k]),
    )


@kernel
def slant_range_at(
    xs: Sequence[float],
    ys: Sequence[float],
    zs: Sequence[float],
    ts: Sequence[float],
    cx: float,
    cy: float,
    cz: float,
    t: float,
) -> float:
    """Slant range (m) from ``(cx, cy, cz)`` to the threat at time ``t``."""
    k = _leg(ts, t)
    span = ts[k + 1] - ts[k]
    s = (t - ts[k]) / span if span > 0.0 else 0.0
    x = xs[k] + s * (xs[k + 1] - xs[k])
    y = ys[k] + s * (ys[k + 1] - ys[k])
    dz = zs[k] + s * (zs[k + 1] - zs[k]) - cz
    return math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy) + dz * dz)


@kernel
def intercept_time(
    xs: Sequence[float],
    ys: Sequence[float],
    zs: Sequence[float],
    ts: Sequence[float],
    cx: float,
    cy: float,
    cz: float,
    speed: float,
    t_fire: float,
) -> float:
    """Earliest time (s) an interceptor fired from ``(cx, cy, cz)`` at ``t_fire`` meets the threat.

    The threat flies straight legs at constant velocity between the points of its
    trajectory (``zs`` its altitudes); the interceptor flies straight at constant
    ``speed`` (m/s); the meeting time is the first ``t >= t_fire`` with
    ``slant_range(t) <= speed * (t - t_fire)``, solved exactly leg by leg.
    Returns ``inf`` if the threat's route ends first.
    """
    n = len(ts)
    if t_fire >= ts[n - 1]:
        return math.inf
    v2 = speed * speed
    k = _leg(ts, t_fire)
    while k < n - 1:
        span = ts[k + 1] - ts[k]
        if span <= 0.0:
            k += 1
            continue
        vx = (xs[k + 1] - xs[k]) / span
        vy = (ys[k + 1] - ys[k]) / span
        vz = (zs[k + 1] - zs[k]) / span
        # threat position relative to the launcher, at the moment of firing, on this leg's line
        qx = xs[k] + vx * (t_fire - ts[k]) - cx
        qy = ys[k] + vy * (t_fire - ts[k]) - cy
        qz = zs[k] + vz * (t_fire - ts[k]) - cz
        a = vx * vx + vy * vy + vz * vz - v2
        b = 2.0 * (qx * vx + qy * vy + qz * vz)
        c = qx * qx + qy * qy + qz * qz
        lo = max(ts[k] - t_fire, 0.0)
        hi = ts[k + 1] - t_fire
        g_lo = (a * lo + b) * lo + c
        if g_lo <= 0.0:
            return t_fire + lo
        u = math.inf
        if a == 0.0:
            if b < 0.0:
                u = -c / b
        else:
            disc = b * b - 4.0 * a * c
            if disc >= 0.0:
                # the roots without cancellation: q / a and c / q (Numerical Recipes 5.6);
                # (-b -+ sqrt(disc)) / 2a loses every digit when the interceptor's speed
                # is close to the threat's and a is tiny
                q = -0.5 * (b + math.copysign(math.sqrt(disc), b))
                r1 = q / a
                r2 = c / q if q != 0.0 else 0.0
                if a < 0.0:
                    # a downward parabola with g > 0 at lo: lo lies between the roots
                    u = max(r1, r2)
                elif 2.0 * a * lo + b < 0.0:
                    # an upward parabola falling at lo, where g > 0: lo is before both roots
                    u = min(r1, r2)
        # g > 0 at lo, so the crossing is after lo; only rounding could say otherwise
        u = max(u, lo)
        if u <= hi:
            return t_fire + u
        k += 1
    return math.inf
