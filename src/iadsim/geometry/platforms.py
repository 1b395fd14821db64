"""Moving sensors and fire units: their motion as a trajectory and when they can act.

A platform's trajectory is piecewise linear like a threat's: points
``(x, y, z, t)`` (one point for a platform that stands still). Its
*availability* is a list of intervals of time in which it can detect or fire: the
whole night for a fixed or route-following platform, the on-station window of an
orbit, the time set up at each site of a relocating unit, and for an aircraft the
time on station of each sortie.

A racetrack orbit of leg length L and width W around centre C, legs along the unit
heading vector u (clockwise from north), is flown as the polygon: the leg
``C - L/2 u + W/2 n -> C + L/2 u + W/2 n``, a half turn of radius W/2 drawn as
``_TURN_CHORDS`` chords, the return leg, and the second half turn; laps repeat
at constant ground speed from the on-station time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = [
    "MAX_PLATFORM_POINTS",
    "PlatformError",
    "Trajectory",
    "platform_motion",
    "sortie_windows",
]

MAX_PLATFORM_POINTS = 200_000
"""Points of one platform's trajectory at most (about 8,000 laps of an orbit)."""

_TURN_CHORDS = 12


class PlatformError(ValueError):
    """A motion that cannot be flown; ``field`` is the path under the unit or sensor."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Trajectory(NamedTuple):
    """A platform's positions over time and the intervals in which it can act."""

    x: list[float]
    y: list[float]
    z: list[float]
    t: list[float]
    available: list[tuple[float, float]]
    sites: list[tuple[float, float, float, float, float]]
    """For a platform standing still over an interval: ``(x, y, z, start, end)`` of each
    stand (one for a fixed platform, one per relocation); empty for a platform always
    moving."""


def _racetrack(orbit: Any, cx: float, cy: float) -> list[tuple[float, float]]:
    h = math.radians(orbit.heading)
    ux, uy = math.sin(h), math.cos(h)
    nx, ny = uy, -ux  # to the right of the heading
    a, r = orbit.length / 2.0, orbit.width / 2.0
    pts = [
        (cx - a * ux + r * nx, cy - a * uy + r * ny),
        (cx + a * ux + r * nx, cy + a * uy + r * ny),
    ]
    for sign in (1.0, -1.0):
        # a half turn around the end of a leg, from one side of the track to the other
        ex, ey = cx + sign * a * ux, cy + sign * a * uy
        for c in range(1, _TURN_CHORDS + 1):
            ang = math.pi * c / _TURN_CHORDS
            along, across = sign * r * math.sin(ang), sign * r * math.cos(ang)
            pts.append((ex + along * ux + across * nx, ey + along * uy + across * ny))
        if sign > 0:
            pts.append((cx - a * ux - r * nx, cy - a * uy - r * ny))
    return pts


def platform_motion(
    motion: Any,
    xy: Callable[[Any], tuple[float, float]],
    home: tuple[float, float],
    height: float,
    start_clock: float,
    duration: float,
    ground: Callable[[float, float], float],
) -> Trajectory:
    """The trajectory and availability of a platform with ``motion`` (None: it stands at home).

    Args:
        motion: a :class:`~iadsim.scenario.world.Motion`, or None.
        xy: turns a scenario position into local east and north (m).
        home: the platform's ``position`` in the local frame.
        height: its antenna height above the ground (ground platforms).
        start_clock: the scenario's clock time at t = 0 (s).
        duration: the scenario's duration (s).
        ground: terrain elevation at a point (0 without terrain).

    Raises:
        PlatformError: a motion that is out of order or never available.
    """
    if motion is None:
        z = ground(*home) + height
        return Trajectory(
            [home[0]],
            [home[1]],
            [z],
            [0.0],
            [(0.0, duration)],
            [(home[0], home[1], z, 0.0, duration)],
        )
    if motion.route is not None:
        xs: list[float] = []
        ys: list[float] = []
        zs: list[float] = []
        ts: list[float] = []
        for k, point in enumerate(motion.route):
            t = point.time.after_start(start_clock)
            if ts and t <= ts[-1]:
                raise PlatformError(
                    f"motion.route.{k}.time", "must be after the previous point's time"
                )
            x, y = xy(point.position)
            xs.append(x)
            ys.append(y)
            zs.append(point.altitude if point.altitude > 0 else ground(x, y) + height)
            ts.append(t)
        if ts[0] >= duration:
            raise PlatformError("motion.route.0.time", "is after the end of the scenario")
        return Trajectory(xs, ys, zs, ts, [(0.0, duration)], [])
    if motion.orbit is not None:
        orbit = motion.orbit
        on = orbit.start.after_start(start_clock)
        off = duration if orbit.end is None else orbit.end.after_start(start_clock)
        off = min(off, duration)
        if on >= off:
            raise PlatformError(
                "motion.orbit.start",
                "the platform never comes on station: its on-station window "
                f"[{on:g} s, {off:g} s] is empty within the scenario's {duration:g} s",
            )
        lap = _racetrack(orbit, *xy(orbit.centre))  # ends where it starts
        xs, ys, ts = [lap[0][0]], [lap[0][1]], [on]
        t = on
        while t < off:
            for k in range(1, len(lap)):
                t += math.hypot(lap[k][0] - lap[k - 1][0], lap[k][1] - lap[k - 1][1]) / orbit.speed
                xs.append(lap[k][0])
                ys.append(lap[k][1])
                ts.append(t)
            if len(ts) > MAX_PLATFORM_POINTS:
                raise PlatformError(
                    "motion.orbit",
                    f"flies more than {MAX_PLATFORM_POINTS // len(lap):,} laps in its window; "
                    "a longer or slower orbit, or a shorter window",
                )
        zs = [orbit.altitude] * len(xs)
        return Trajectory(xs, ys, zs, ts, [(on, off)], [])
    sites = motion.relocations
    xs, ys, zs, ts = [], [], [], []
    available: list[tuple[float, float]] = []
    stands: list[tuple[float, float, float, float, float]] = []
    last_end = -math.inf
    for k, site in enumerate(sites):
        a = site.start.after_start(start_clock)
        b = duration if site.end is None else site.end.after_start(start_clock)
        if site.end is None and a >= duration:
            raise PlatformError(
                f"motion.relocations.{k}.start",
                f"is at or after the end of the scenario ({duration:g} s): the unit is never "
                "set up there",
            )
        if b <= a:
            raise PlatformError(f"motion.relocations.{k}.end", "must be after its start")
        if a < last_end:
            raise PlatformError(
                f"motion.relocations.{k}.start",
                "is before the unit leaves the previous site (sites are in order of time)",
            )
        if k < len(sites) - 1 and site.end is None:
            raise PlatformError(
                f"motion.relocations.{k}.end", "needed: the unit moves on to another site"
            )
        last_end = b
        x, y = xy(site.position)
        z = ground(x, y) + height
        xs += [x, x]
        ys += [y, y]
        zs += [z, z]
        ts += [a, b]
        a, b = max(a, 0.0), min(b, duration)
        if a < b:
            available.append((a, b))
            stands.append((x, y, z, a, b))
    if not available:
        raise PlatformError("motion.relocations", "the unit is never set up during the scenario")
    return Trajectory(xs, ys, zs, ts, available, stands)


def sortie_windows(
    available: list[tuple[float, float]], on_station: float, gap: float
) -> list[tuple[float, float]]:
    """An aircraft's time on station: sorties of ``on_station`` every ``on_station + gap``.

    The first sortie arrives when the station opens; each leaves after
    ``on_station`` and is back ``gap`` later (transit both ways and turnaround).
    """
    out = []
    for a, b in available:
        t = a
        while t < b:
            out.append((t, min(t + on_station, b)))
            if gap <= 0.0:
                out[-1] = (t, b)
                break
            t += on_station + gap
            if len(out) > MAX_PLATFORM_POINTS:
                raise PlatformError(
                    "time_on_station",
                    f"more than {MAX_PLATFORM_POINTS:,} sorties in the station's window: "
                    "a longer time on station or a longer transit and turnaround",
                )
    return out
