"""Geometry kernels: route windows, radar horizon, intercept times, the local frame."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.geometry import (
    enu_to_geodetic,
    geodetic_to_enu,
    intercept_time,
    radar_horizon,
    route_windows,
    slant_range_at,
)
from iadsim.geometry.windows import EARTH_RADIUS, REFRACTION_K

from strategies import Annulus, Route, annuli, interceptor_speeds, routes

REL = 1e-6
"""Relative tolerance on ranges at computed window endpoints and intercepts."""


def level(xs: object, altitude: float) -> list[float]:
    """Altitudes of a route flown at one altitude."""
    return [altitude] * len(xs)  # type: ignore[arg-type]


def windows_of(route: Route, ann: Annulus) -> list[tuple[float, float]]:
    return route_windows(
        route.xs, route.ys, route.ts, route.altitude, ann.cx, ann.cy, ann.cz, ann.r_min, ann.r_max
    )


def critical_times(route: Route, cx: float, cy: float) -> list[float]:
    """Route vertices and, per leg, the time of closest ground approach to ``(cx, cy)``.

    Range along a leg is convex, so its extremes on the leg are among these times.
    """
    times = list(route.ts)
    for k in range(len(route.ts) - 1):
        ex, ey = route.xs[k + 1] - route.xs[k], route.ys[k + 1] - route.ys[k]
        e2 = ex * ex + ey * ey
        if e2 == 0.0:
            continue
        s = -((route.xs[k] - cx) * ex + (route.ys[k] - cy) * ey) / e2
        s = min(max(s, 0.0), 1.0)
        times.append(route.ts[k] + s * (route.ts[k + 1] - route.ts[k]))
    return times


# --- route_windows: properties -------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_route_windows_properties(data: st.DataObject) -> None:
    route = data.draw(routes(), label="route")
    ann = data.draw(annuli(route), label="annulus")
    windows = windows_of(route, ann)
    t_first, t_last = route.ts[0], route.ts[-1]
    tol = REL * ann.r_max

    def slant(t: float) -> float:
        return route.slant(t, ann.cx, ann.cy, ann.cz)

    # sorted, disjoint (touching windows are merged), within the route's time span
    for start, end in windows:
        assert t_first <= start <= end <= t_last
    for (_, end0), (start1, _) in pairwise(windows):
        assert end0 < start1

    # every endpoint is a crossing of r_min or r_max, or an end of the route
    for t in (t for window in windows for t in window):
        if t in (t_first, t_last):
            continue
        r = slant(t)
        assert min(abs(r - ann.r_min), abs(r - ann.r_max)) <= tol, (t, r)

    # inside every window the range is within the annulus
    for start, end in windows:
        for f in (0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999):
            r = slant(start + f * (end - start))
            assert ann.r_min - tol <= r <= ann.r_max + tol

    # outside all windows the range is outside the annulus: a dense grid, the route's
    # vertices, each leg's closest approach, and the middle of every gap between windows
    n = 2000
    samples = [min(t_first + (t_last - t_first) * i / n, t_last) for i in range(n + 1)]
    samples += critical_times(route, ann.cx, ann.cy)
    samples += [(end0 + start1) / 2 for (_, end0), (start1, _) in pairwise(windows)]
    for t in samples:
        if any(start <= t <= end for start, end in windows):
            continue
        r = slant(t)
        assert not (ann.r_min + tol < r < ann.r_max - tol), (t, r)


@settings(max_examples=100, deadline=None)
@given(route=routes(), data=st.data())
def test_route_windows_split_legs_change_nothing(route: Route, data: st.DataObject) -> None:
    """Splitting a leg at an extra vertex on the same line and timing gives the same windows."""
    ann = data.draw(annuli(route), label="annulus")
    k = data.draw(st.integers(0, len(route.ts) - 2), label="leg")
    s = data.draw(st.floats(0.05, 0.95), label="split")
    x = route.xs[k] + s * (route.xs[k + 1] - route.xs[k])
    y = route.ys[k] + s * (route.ys[k + 1] - route.ys[k])
    t = route.ts[k] + s * (route.ts[k + 1] - route.ts[k])
    split = Route(
        [*route.xs[: k + 1], x, *route.xs[k + 1 :]],
        [*route.ys[: k + 1], y, *route.ys[k + 1 :]],
        [*route.ts[: k + 1], t, *route.ts[k + 1 :]],
        route.altitude,
    )
    # a double root (a pass grazing a circle) is ill-conditioned: its time is good to
    # about sqrt(eps) of the leg, so compare to a microsecond per second of route
    eps = 1e-6 * (route.ts[-1] - route.ts[0])
    whole = tidy(windows_of(route, ann), eps)
    parts = tidy(windows_of(split, ann), eps)
    assert len(whole) == len(parts)
    for (a0, b0), (a1, b1) in zip(whole, parts, strict=True):
        assert a0 == pytest.approx(a1, abs=eps)
        assert b0 == pytest.approx(b1, abs=eps)


def tidy(windows: list[tuple[float, float]], eps: float) -> list[tuple[float, float]]:
    """Windows with gaps under ``eps`` (s) closed, then windows under ``eps`` dropped.

    Where the route runs exactly along a circle or turns exactly on it, rounding may leave
    or close a gap of an ulp or a window of an instant; these are not what is compared.
    """
    merged: list[tuple[float, float]] = []
    for start, end in windows:
        if merged and start - merged[-1][1] < eps:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return [(start, end) for start, end in merged if end - start >= eps]


# --- route_windows: hand-computed cases ----------------------------------------------------


def assert_windows(got: list[tuple[float, float]], expected: list[tuple[float, float]]) -> None:
    assert len(got) == len(expected), got
    for (start, end), (start_x, end_x) in zip(got, expected, strict=True):
        assert start == pytest.approx(start_x, rel=1e-12)
        assert end == pytest.approx(end_x, rel=1e-12)


# A straight pass along the x axis from -50 km to +50 km at 200 m/s, over the origin at t = 250 s.
PASS_X = [-50_000.0, 50_000.0]
PASS_Y = [0.0, 0.0]
PASS_T = [0.0, 500.0]
V = 200.0


def test_pass_through_centre_gives_chord_over_speed() -> None:
    altitude, radius = 3000.0, 10_000.0
    half = math.sqrt(radius**2 - altitude**2) / V
    [(start, end)] = route_windows(PASS_X, PASS_Y, PASS_T, altitude, 0.0, 0.0, 0.0, 0.0, radius)
    assert end - start == pytest.approx(2 * half, rel=1e-12)
    assert start == pytest.approx(250.0 - half, rel=1e-12)
    assert end == pytest.approx(250.0 + half, rel=1e-12)


def test_pass_uses_height_of_centre() -> None:
    # a sensor 1 km up and a threat at 1 km altitude: the slant range is the ground range
    [(start, end)] = route_windows(PASS_X, PASS_Y, PASS_T, 1000.0, 0.0, 0.0, 1000.0, 0.0, 4000.0)
    assert (start, end) == pytest.approx((230.0, 270.0), rel=1e-12)


def test_pass_wide_of_circle_gives_nothing() -> None:
    ys = [12_000.0, 12_000.0]
    assert route_windows(PASS_X, ys, PASS_T, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0) == []
    # closest approach 6 km on the ground but 8 km up: slant range 10 km > 9.9 km
    ys = [6000.0, 6000.0]
    assert route_windows(PASS_X, ys, PASS_T, 8000.0, 0.0, 0.0, 0.0, 0.0, 9_900.0) == []
    # overhead, but the circle is below the threat's altitude
    assert route_windows(PASS_X, PASS_Y, PASS_T, 5000.0, 0.0, 0.0, 0.0, 0.0, 4000.0) == []


def test_offset_pass_chord() -> None:
    # closest approach 6 km: the chord of a 10 km circle is 16 km, 80 s at 200 m/s
    ys = [6000.0, 6000.0]
    [(start, end)] = route_windows(PASS_X, ys, PASS_T, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0)
    assert (start, end) == pytest.approx((210.0, 290.0), rel=1e-12)


def test_route_ending_inside_circle() -> None:
    xs, ys, ts = [-50_000.0, 0.0], [0.0, 0.0], [0.0, 250.0]
    assert route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0) == [(200.0, 250.0)]


def test_route_starting_inside_circle() -> None:
    xs, ys, ts = [0.0, 50_000.0], [0.0, 0.0], [100.0, 350.0]
    assert route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0) == [(100.0, 150.0)]


def test_route_entirely_inside_circle() -> None:
    xs, ys, ts = [-1000.0, 2000.0, 0.0], [0.0, 500.0, -900.0], [5.0, 50.0, 80.0]
    assert route_windows(xs, ys, ts, 100.0, 0.0, 0.0, 0.0, 0.0, 10_000.0) == [(5.0, 80.0)]


def test_min_range_hole_splits_a_pass() -> None:
    windows = route_windows(PASS_X, PASS_Y, PASS_T, 0.0, 0.0, 0.0, 0.0, 2000.0, 10_000.0)
    assert_windows(windows, [(200.0, 240.0), (260.0, 300.0)])


def test_min_range_hole_with_altitude() -> None:
    # 3 km up: the 5 km hole is 4 km wide on the ground, the 10 km circle sqrt(91) km
    half = math.sqrt(10_000.0**2 - 3000.0**2) / V
    windows = route_windows(PASS_X, PASS_Y, PASS_T, 3000.0, 0.0, 0.0, 0.0, 5000.0, 10_000.0)
    assert_windows(windows, [(250.0 - half, 230.0), (270.0, 250.0 + half)])


def test_min_range_below_altitude_is_no_hole() -> None:
    # every point of the route is at least 3 km away, so a 2 km minimum range removes nothing
    half = math.sqrt(10_000.0**2 - 3000.0**2) / V
    windows = route_windows(PASS_X, PASS_Y, PASS_T, 3000.0, 0.0, 0.0, 0.0, 2000.0, 10_000.0)
    assert_windows(windows, [(250.0 - half, 250.0 + half)])


def test_pass_inside_hole_only_gives_nothing_in_between() -> None:
    # a route that starts and ends inside the hole is never in the annulus
    xs, ys, ts = [-1000.0, 1000.0], [0.0, 0.0], [0.0, 10.0]
    assert route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 2000.0, 10_000.0) == []


def test_legs_meeting_inside_circle_merge_into_one_window() -> None:
    # the same pass cut into irregular legs at the same speed, several vertices inside
    xs = [-50_000.0, -3_000.0, -0.1, 1234.5, 7_777.7, 50_000.0]
    ts = [(x + 50_000.0) / V for x in xs]
    ys = [0.0] * len(xs)
    windows = route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0)
    assert_windows(windows, [(200.0, 300.0)])
    windows = route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 2000.0, 10_000.0)
    assert_windows(windows, [(200.0, 240.0), (260.0, 300.0)])


def test_vertex_on_the_hole_boundary() -> None:
    xs = [-50_000.0, -2000.0, 2000.0, 50_000.0]
    ts = [(x + 50_000.0) / V for x in xs]
    windows = route_windows(xs, [0.0] * 4, ts, 0.0, 0.0, 0.0, 0.0, 2000.0, 10_000.0)
    assert_windows(windows, [(200.0, 240.0), (260.0, 300.0)])


def test_loitering_inside_circle_and_inside_hole() -> None:
    # fly in, hover over the centre for 150 s, fly out
    xs, ys, ts = [-50_000.0, 0.0, 0.0, 50_000.0], [0.0] * 4, [0.0, 250.0, 400.0, 650.0]
    windows = route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0)
    assert_windows(windows, [(200.0, 450.0)])
    windows = route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 2000.0, 10_000.0)
    assert_windows(windows, [(200.0, 240.0), (410.0, 450.0)])


def test_two_passes_give_two_windows() -> None:
    # out and back over the centre
    xs, ys, ts = [-20_000.0, 20_000.0, -20_000.0], [0.0] * 3, [0.0, 200.0, 400.0]
    windows = route_windows(xs, ys, ts, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0)
    assert_windows(windows, [(50.0, 150.0), (250.0, 350.0)])
    # turning inside the circle: one window
    windows = route_windows(xs, ys, ts, 0.0, 15_000.0, 0.0, 0.0, 0.0, 10_000.0)
    assert_windows(windows, [(125.0, 275.0)])


# --- radar_horizon ----------------------------------------------------------------------------


def test_radar_horizon_value() -> None:
    # a 20 m mast against a sea-skimmer: about 18.4 km with 4/3-Earth refraction
    assert radar_horizon(20.0, 0.0) == pytest.approx(18_400.0, rel=0.005)
    assert radar_horizon(0.0, 20.0) == radar_horizon(20.0, 0.0)
    k_r = REFRACTION_K * EARTH_RADIUS
    assert radar_horizon(20.0, 0.0) == pytest.approx(math.sqrt(2 * k_r * 20.0), rel=1e-12)
    # the two heights add their own horizons: 20 m and 1 km
    expected = math.sqrt(2 * k_r * 20.0) + math.sqrt(2 * k_r * 1000.0)
    assert radar_horizon(20.0, 1000.0) == pytest.approx(expected, rel=1e-12)
    assert radar_horizon(20.0, 1000.0) == pytest.approx(148_700.0, rel=0.005)
    assert radar_horizon(0.0, 0.0) == 0.0


@given(
    st.floats(0.0, 30_000.0),
    st.floats(0.0, 30_000.0),
    st.floats(0.0, 1000.0),
)
def test_radar_horizon_monotonic(h_s: float, h_t: float, dh: float) -> None:
    d = radar_horizon(h_s, h_t)
    assert d >= 0.0
    assert radar_horizon(h_s + dh, h_t) >= d
    assert radar_horizon(h_s, h_t + dh) >= d


# --- slant_range_at -----------------------------------------------------------------------------


@settings(max_examples=200)
@given(route=routes(), data=st.data())
def test_slant_range_at_matches_interpolation(route: Route, data: st.DataObject) -> None:
    t = data.draw(st.floats(route.ts[0], route.ts[-1]), label="t")
    cx, cy, cz = data.draw(st.tuples(*[st.floats(-1e5, 1e5)] * 2, st.floats(0, 1000)), label="c")
    got = slant_range_at(
        route.xs, route.ys, level(route.xs, route.altitude), route.ts, cx, cy, cz, t
    )
    assert got == pytest.approx(route.slant(t, cx, cy, cz), rel=1e-9, abs=1e-6)


def test_slant_range_at_vertices() -> None:
    xs, ys, ts = [0.0, 3000.0, 3000.0], [0.0, 0.0, 4000.0], [0.0, 10.0, 30.0]
    assert slant_range_at(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 0.0) == 0.0
    assert slant_range_at(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 10.0) == 3000.0
    assert slant_range_at(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 30.0) == 5000.0
    assert slant_range_at(xs, ys, level(xs, 400.0), ts, 0.0, 0.0, 100.0, 5.0) == math.hypot(
        1500.0, 300.0
    )


# --- intercept_time -----------------------------------------------------------------------------


def gap(route: Route, cx: float, cy: float, speed: float, t_fire: float, t: float) -> float:
    """Slant range to the threat minus the interceptor's reach at time ``t`` (m)."""
    return route.slant(t, cx, cy, 0.0) - speed * (t - t_fire)


def least_gap(
    route: Route, cx: float, cy: float, speed: float, t_fire: float, t_end: float
) -> float:
    """Smallest ``gap`` over ``[max(t_fire, start), t_end]``: golden-section search per leg.

    ``gap`` is convex on each leg (a norm of an affine function minus a linear one), so
    a unimodal search finds each leg's minimum.
    """
    best = math.inf
    phi = (math.sqrt(5.0) - 1.0) / 2.0
    for k in range(len(route.ts) - 1):
        lo, hi = max(route.ts[k], t_fire), min(route.ts[k + 1], t_end)
        if lo > hi:
            continue

        def g(t: float) -> float:
            return gap(route, cx, cy, speed, t_fire, t)

        best = min(best, g(lo), g(hi))
        a, b = lo, hi
        for _ in range(80):
            c, d = b - phi * (b - a), a + phi * (b - a)
            if g(c) < g(d):
                b = d
            else:
                a = c
        best = min(best, g((a + b) / 2))
    return best


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_intercept_time_properties(data: st.DataObject) -> None:
    route = data.draw(routes(), label="route")
    cx, cy = data.draw(
        st.tuples(st.floats(-80_000.0, 80_000.0), st.floats(-80_000.0, 80_000.0)), label="launcher"
    )
    speed = data.draw(interceptor_speeds(route), label="speed")
    t_fire = data.draw(st.floats(route.ts[0], route.ts[-1] + 10.0), label="t_fire")
    t = intercept_time(
        route.xs, route.ys, level(route.xs, route.altitude), route.ts, cx, cy, 0.0, speed, t_fire
    )
    # the size of the numbers involved: tolerances on the gap are relative to it
    far = route.ts[-1] if math.isinf(t) else t
    scale = max(route.slant(t_fire, cx, cy, 0.0), speed * (far - t_fire), 1.0)

    if math.isinf(t):
        # the route ends before the interceptor can reach it: never within reach
        assert least_gap(route, cx, cy, speed, t_fire, route.ts[-1]) > -REL * scale
        return

    assert max(t_fire, route.ts[0]) <= t <= route.ts[-1]
    r = route.slant(t, cx, cy, 0.0)
    reach = speed * (t - t_fire)
    if t == t_fire:
        assert r <= reach + REL * scale
    else:
        assert r == pytest.approx(reach, rel=REL, abs=1e-6)
        # the earliest: out of reach at every earlier time
        assert least_gap(route, cx, cy, speed, t_fire, t) > -REL * scale
        for i in range(200):
            s = t_fire + (t - t_fire) * i / 200
            assert gap(route, cx, cy, speed, t_fire, s) > -REL * scale


def test_intercept_head_on() -> None:
    # a threat at 0 m altitude closing at u from D away; interceptor at v: meet at D / (u + v)
    d, u, v = 30_000.0, 200.0, 800.0
    xs, ys, ts = [d, 0.0], [0.0, 0.0], [0.0, d / u]
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, v, 0.0) == pytest.approx(
        d / (u + v)
    )
    # fired 10 s later: the threat is d - 10 u away
    expected = 10.0 + (d - 10.0 * u) / (u + v)
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, v, 10.0) == pytest.approx(
        expected
    )


def test_intercept_head_on_at_a_vertex() -> None:
    # the same head-on case with a route vertex exactly at the meeting point (t = 30 s)
    xs, ys, ts = [30_000.0, 24_000.0, 0.0], [0.0] * 3, [0.0, 30.0, 150.0]
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 800.0, 0.0) == pytest.approx(
        30.0
    )


@pytest.mark.parametrize(
    ("xs", "ys", "ts", "altitude", "speed"),
    [
        (
            [1162.4244185248522, 350.78173511627455, 71042.8212177008],
            [3565.330463199454, 1075.9003219591061, -50744.24222857438],
            [0.0, 2.9873047954268026, 102.98730479542681],
            5047.204674288633,
            1731.4980349353218,
        ),
        (
            [-34922.12700014536, -31340.43712235322, -35379.85549839434],
            [1092.4464305989322, 980.4027305548295, 14434.003017514337],
            [0.0, 25.510497820936465, 125.51049782093646],
            0.0,
            1229.1319537013264,
        ),
        (
            [-3456.430375870818, -3074.194365292824, 10651.120138944754],
            [36766.62453050503, 32700.716540265654, 28979.935288781093],
            [0.0, 28.717530264398036, 128.71753026439802],
            0.0,
            1143.7230455862887,
        ),
    ],
)
def test_intercept_exactly_at_a_turn(
    xs: list[float], ys: list[float], ts: list[float], altitude: float, speed: float
) -> None:
    # the meeting point is the route's middle vertex: rounding puts the first leg's root a
    # hair after the turn and the second leg's a hair before it; neither may be dropped
    # (these three once returned inf)
    t = intercept_time(xs, ys, level(xs, altitude), ts, 0.0, 0.0, 0.0, speed, 0.0)
    assert t == pytest.approx(ts[1], rel=1e-12)


def test_intercept_overhead_pass_with_altitude() -> None:
    # the threat passes over the launcher at 3 km: a 300 m/s interceptor fired when
    # it is 4 km out (slant 5 km) meets it where (4000 - 100 t)^2 + 3000^2 = (300 t)^2
    xs, ys, ts = [4000.0, -4000.0], [0.0, 0.0], [0.0, 80.0]
    t = intercept_time(xs, ys, level(xs, 3000.0), ts, 0.0, 0.0, 0.0, 300.0, 0.0)
    # 80000 t^2 + 800000 t - 25e6 = 0
    expected = (-800_000.0 + math.sqrt(800_000.0**2 + 4 * 80_000.0 * 25e6)) / (2 * 80_000.0)
    assert t == pytest.approx(expected, rel=1e-12)


def test_intercept_receding_faster_threat_is_never_reached() -> None:
    # the threat flies away at 300 m/s from 5 km; the interceptor does 250 m/s
    xs, ys, ts = [5000.0, 95_000.0], [0.0, 0.0], [0.0, 300.0]
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 250.0, 0.0) == math.inf


def test_intercept_route_ends_first() -> None:
    # a slow interceptor (100 m/s) against a threat that stops 20 km away after 60 s
    xs, ys, ts = [30_000.0, 20_000.0], [0.0, 0.0], [0.0, 60.0]
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 100.0, 0.0) == math.inf
    # a fast one gets there in time: 30000 - 166.67 t = 1000 t at t = 25.71 s
    t = intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 1000.0, 0.0)
    assert t == pytest.approx(30_000.0 / (1000.0 + 10_000.0 / 60.0))


def test_intercept_after_route_end_is_inf() -> None:
    xs, ys, ts = [30_000.0, 20_000.0], [0.0, 0.0], [0.0, 60.0]
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 1000.0, 60.0) == math.inf
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 1000.0, 100.0) == math.inf


def test_intercept_receding_slower_threat_is_caught() -> None:
    # receding at 100 m/s from 5 km; the interceptor does 600 m/s: 5000 + 100 t = 600 t
    xs, ys, ts = [5000.0, 95_000.0], [0.0, 0.0], [0.0, 900.0]
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 600.0, 0.0) == pytest.approx(
        10.0
    )


def test_intercept_equal_speeds_head_on() -> None:
    # interceptor as fast as the threat: the quadratic degenerates to a line, meet at D / 2v
    xs, ys, ts = [10_000.0, -10_000.0], [0.0, 0.0], [0.0, 100.0]
    assert intercept_time(xs, ys, level(xs, 0.0), ts, 0.0, 0.0, 0.0, 200.0, 0.0) == pytest.approx(
        25.0
    )


# --- geodetic_to_enu ----------------------------------------------------------------------------


def test_origin_maps_to_zero() -> None:
    assert geodetic_to_enu(50.0, 30.0, 50.0, 30.0) == (0.0, 0.0)
    assert geodetic_to_enu(-33.9, 151.2, -33.9, 151.2) == (0.0, 0.0)


def test_one_degree_of_latitude() -> None:
    east, north = geodetic_to_enu(51.0, 30.0, 50.0, 30.0)
    assert north == pytest.approx(111_200.0, rel=0.005)
    assert abs(east) < 1e-6
    east, north = geodetic_to_enu(49.0, 30.0, 50.0, 30.0)
    assert north == pytest.approx(-111_200.0, rel=0.005)


def test_one_degree_of_longitude_at_50_north() -> None:
    east, north = geodetic_to_enu(50.0, 31.0, 50.0, 30.0)
    assert east == pytest.approx(71_700.0, rel=0.005)
    # the parallel curves poleward of the tangent plane's east axis: about 0.5 km north
    assert 300.0 < north < 700.0
    west, north_w = geodetic_to_enu(50.0, 29.0, 50.0, 30.0)
    assert west == pytest.approx(-east, rel=1e-12)
    assert north_w == pytest.approx(north, rel=1e-12)


def test_longitude_wraps_across_the_antimeridian() -> None:
    east, _ = geodetic_to_enu(10.0, -179.5, 10.0, 179.5)
    assert east == pytest.approx(111_320.0 * math.cos(math.radians(10.0)), rel=0.005)


@given(
    st.floats(-80.0, 80.0),
    st.floats(-180.0, 180.0),
    st.floats(-1.0, 1.0),
    st.floats(-1.0, 1.0),
)
def test_enu_is_symmetric_and_about_right(
    lat0: float, lon0: float, dlat: float, dlon: float
) -> None:
    east, north = geodetic_to_enu(lat0 + dlat, lon0 + dlon, lat0, lon0)
    east_m, _ = geodetic_to_enu(lat0 + dlat, lon0 - dlon, lat0, lon0)
    assert east_m == pytest.approx(-east, rel=1e-9, abs=1e-6)
    # a spherical-Earth estimate agrees to within 1% of the offset (plus a metre)
    size = 111_200.0 * math.hypot(dlat, dlon * math.cos(math.radians(lat0)))
    approx_east = 111_320.0 * dlon * math.cos(math.radians(lat0 + dlat))
    approx_north = 111_200.0 * dlat
    assert abs(east - approx_east) <= 0.01 * size + 1.0
    assert abs(north - approx_north) <= 0.01 * size + 1.0


@settings(max_examples=200, deadline=None)
@given(
    lat0=st.floats(-80.0, 80.0),
    lon0=st.floats(-180.0, 180.0),
    east=st.floats(-800e3, 800e3),
    north=st.floats(-800e3, 800e3),
)
def test_enu_to_geodetic_inverts_geodetic_to_enu(lat0, lon0, east, north):
    lat, lon = enu_to_geodetic(east, north, lat0, lon0)
    e, n = geodetic_to_enu(float(lat), float(lon), lat0, lon0)
    assert e == pytest.approx(east, abs=1e-4) and n == pytest.approx(north, abs=1e-4)
