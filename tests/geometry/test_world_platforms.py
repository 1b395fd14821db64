"""Moving and airborne platforms (issue 13): exact windows, orbits, relocations, sorties.

The windows of :mod:`iadsim.geometry.visibility` are checked against brute force:
the conditions (slant range, altitude envelope, 4/3-earth horizon, field of
regard) evaluated independently at thousands of instants on random cases. Then
the platforms of :mod:`iadsim.geometry.platforms` (racetrack orbits, relocations,
aircraft sorties) and the interceptor that leaves from where its unit is when it
fires.
"""

from __future__ import annotations

import copy
import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from iadsim.compile import compile_scenario
from iadsim.engine import Fate, simulate
from iadsim.engine.reference import Replication
from iadsim.errors import ScenarioError
from iadsim.geometry import intercept_time, position_at
from iadsim.geometry.platforms import platform_motion, sortie_windows
from iadsim.geometry.visibility import KR2, moving_windows, site_windows
from iadsim.scenario import parse_scenario
from iadsim.scenario.world import Motion

from scenarios import base, build, unit
from strategies import Path4, Visibility, paths_4d, platform_paths, visibilities

NO_SLOPES = np.zeros((0, 0), dtype=np.float32)
SAMPLES = 3001
"""Instants of brute force per case."""


def kernel_windows(threat: Path4, platform: Path4, vis: Visibility) -> list[tuple[float, float]]:
    """The windows by the kernels: site_windows for one point, moving_windows otherwise."""
    tx, ty, tz, tt = threat.arrays()
    out = np.empty((4 * len(tt) * (len(platform.ts) + 1) + 64, 2))
    args = (vis.r_min, vis.r_max, vis.z_min, vis.z_max, vis.horizon, vis.cone_tan2)
    if len(platform.ts) == 1:
        n = site_windows(
            tx, ty, tz, tt, platform.xs[0], platform.ys[0], platform.zs[0], *args,
            NO_SLOPES, 0, 0, 0.0, 0.0, 1.0, out,
        )  # fmt: skip
    else:
        px, py, pz, pt = platform.arrays()
        n = moving_windows(tx, ty, tz, tt, px, py, pz, pt, *args, out)
    assert n >= 0
    return [(float(out[k, 0]), float(out[k, 1])) for k in range(n)]


def margins(threat: Path4, platform: Path4, vis: Visibility, t: np.ndarray) -> np.ndarray:
    """[condition, instant] margins (m): every condition holds where all are >= 0.

    Computed from the definitions, independently of the kernels: slant range within
    ``[r_min, r_max]``, altitude within ``[z_min, z_max]``, ground distance within
    ``sqrt(2kR h_p) + sqrt(2kR h_t)``, and inside the downward cone of half-angle a:
    ``h_p > h_t`` and ``ground <= tan(a) (h_p - h_t)``.
    """
    x, y, z = threat.at(t)
    px, py, pz = platform.at(t)
    ground = np.hypot(x - px, y - py)
    slant = np.sqrt(ground**2 + (z - pz) ** 2)
    rows = [
        vis.r_max - slant,
        slant - vis.r_min if vis.r_min > 0 else np.full_like(t, np.inf),
        z - vis.z_min,
        vis.z_max - z,
    ]
    if vis.horizon:
        rows.append(np.sqrt(KR2 * np.maximum(pz, 0.0)) + np.sqrt(KR2 * np.maximum(z, 0.0)) - ground)
    if vis.cone is not None:
        rows.append(pz - z)
        rows.append(math.tan(math.radians(vis.cone / 2.0)) * (pz - z) - ground)
    return np.array(rows)


def inside(windows: list[tuple[float, float]], t: np.ndarray, slack: float) -> np.ndarray:
    got = np.zeros(t.shape, dtype=bool)
    for a, b in windows:
        got |= (t >= a - slack) & (t <= b + slack)
    return got


def check_against_brute_force(threat: Path4, platform: Path4, vis: Visibility) -> None:
    windows = kernel_windows(threat, platform, vis)
    t0, t1 = threat.ts[0], threat.ts[-1]
    # sorted, disjoint (touching ones merged), within the flight
    for a, b in windows:
        assert t0 <= a <= b <= t1
    for (_, b), (a, _) in pairwise(windows):
        assert b < a
    t = np.unique(
        np.concatenate([np.linspace(t0, t1, SAMPLES), threat.ts, np.clip(platform.ts, t0, t1)])
    )
    m = margins(threat, platform, vis, t)
    # a margin of 1 mm per 100 km is beyond rounding, and clearly in or out
    tol = 1e-8 * max(vis.r_max, 1_000.0, max(threat.zs), max(platform.zs))
    slack = 1e-9 * (t1 - t0)
    clearly_in = (m > tol).all(axis=0)
    clearly_out = (m < -tol).any(axis=0)
    event(f"windows: {min(len(windows), 3)}; partly in: {0 < clearly_in.sum() < len(t)}")
    missed = clearly_in & ~inside(windows, t, slack)
    assert not missed.any(), (windows, t[missed])
    spurious = clearly_out & inside(windows, t, -slack)
    assert not spurious.any(), (windows, t[spurious])
    # nothing spurious: every window's ends and middle meet the conditions
    for a, b in windows:
        ends = margins(threat, platform, vis, np.array([a, 0.5 * (a + b), b]))
        assert (ends >= -100 * tol).all(), (a, b, ends)


BRUTE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BRUTE
@given(data=st.data())
def test_site_windows_equal_brute_force(data: st.DataObject) -> None:
    threat = data.draw(paths_4d(), label="threat")
    platform = data.draw(platform_paths(threat, moving=False), label="site")
    check_against_brute_force(threat, platform, data.draw(visibilities(), label="vis"))


@BRUTE
@given(data=st.data())
def test_moving_windows_equal_brute_force(data: st.DataObject) -> None:
    threat = data.draw(paths_4d(), label="threat")
    platform = data.draw(platform_paths(threat), label="platform")
    check_against_brute_force(threat, platform, data.draw(visibilities(), label="vis"))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_moving_windows_of_a_platform_standing_still_equal_site_windows(
    data: st.DataObject,
) -> None:
    # a platform whose timed points are all the same place is a site
    threat = data.draw(paths_4d(), label="threat")
    site = data.draw(platform_paths(threat, moving=False), label="site")
    vis = data.draw(visibilities(), label="vis")
    times = sorted(data.draw(st.sets(st.floats(-1e4, 1e5), min_size=2, max_size=4)))
    still = Path4(site.xs * len(times), site.ys * len(times), site.zs * len(times), times)
    fixed, moving = kernel_windows(threat, site, vis), kernel_windows(threat, still, vis)
    eps = 1e-6 * (threat.ts[-1] - threat.ts[0])
    # the cuts at the platform's times split and merge windows again; compare what is left
    a = [(s, e) for s, e in fixed if e - s > eps]
    b = [(s, e) for s, e in moving if e - s > eps]
    assert len(a) == len(b)
    for (s0, e0), (s1, e1) in zip(a, b, strict=True):
        assert s0 == pytest.approx(s1, abs=eps) and e0 == pytest.approx(e1, abs=eps)


def test_head_on_pass_under_an_airborne_sensor_by_hand() -> None:
    # a threat at 1 km flies east along y = 0 at 200 m/s under a platform flying west at
    # 100 m/s at 7 km altitude; a 90-degree cone (tan 45 = 1) sees ground distance <= 6 km:
    # closing at 300 m/s from 60 km apart at t = 0, the window is |60 km - 300 t| <= 6 km
    threat = Path4([-30_000.0, 30_000.0], [0.0, 0.0], [1000.0, 1000.0], [0.0, 300.0])
    platform = Path4([30_000.0, 0.0], [0.0, 0.0], [7000.0, 7000.0], [0.0, 300.0])
    vis = Visibility(0.0, 100_000.0, -math.inf, math.inf, True, 90.0)
    [(a, b)] = kernel_windows(threat, platform, vis)
    assert a == pytest.approx(54_000.0 / 300.0, rel=1e-9)
    assert b == pytest.approx(66_000.0 / 300.0, rel=1e-9)
    # with a 10 km slant range instead: ground <= 8 km, |60 km - 300 t| <= 8 km
    vis = Visibility(0.0, 10_000.0, -math.inf, math.inf, True, None)
    [(a, b)] = kernel_windows(threat, platform, vis)
    assert a == pytest.approx(52_000.0 / 300.0, rel=1e-9)
    assert b == pytest.approx(68_000.0 / 300.0, rel=1e-9)


def test_horizon_between_two_airborne_points_by_hand() -> None:
    # platform at 9 km, threat at 100 m, both standing still then the threat flies away:
    # the horizon is sqrt(2kR 9000) + sqrt(2kR 100) ground metres away
    reach = math.sqrt(KR2 * 9000.0) + math.sqrt(KR2 * 100.0)
    threat = Path4([0.0, 500_000.0], [0.0, 0.0], [100.0, 100.0], [0.0, 2_000.0])
    platform = Path4([0.0, 0.0], [0.0, 0.0], [9000.0, 9000.0], [0.0, 2_000.0])
    vis = Visibility(0.0, 1e6, -math.inf, math.inf, True, None)
    [(a, b)] = kernel_windows(threat, platform, vis)
    assert a == 0.0
    assert b == pytest.approx(reach / 250.0, rel=1e-9)


# --- racetrack orbits ----------------------------------------------------------------------------


def orbit(**fields: object) -> Motion:
    spec: dict[str, object] = {
        "centre": ["10 km", "-20 km"],
        "length": "40 km",
        "width": "12 km",
        "heading": 30,
        "speed": "200 m/s",
        "altitude": "8 km",
        "start": "+10 min",
        "end": "+100 min",
    }
    spec.update(fields)
    return Motion.model_validate({"orbit": spec})


def xy(position: object) -> tuple[float, float]:
    assert isinstance(position, tuple)
    return position


def motion(m: Motion, duration: float = 3 * 3600.0, height: float = 0.0):
    return platform_motion(m, xy, (0.0, 0.0), height, 0.0, duration, lambda x, y: 0.0)


def test_racetrack_closes_and_laps_at_its_length() -> None:
    path = motion(orbit())
    xs, ys, ts = np.array(path.x), np.array(path.y), np.array(path.t)
    # 2 legs of 40 km and two half turns of radius 6 km, each drawn as 12 chords
    chords = 24 * 12_000.0 * math.sin(math.pi / 24)
    lap = 2 * 40_000.0 + chords
    assert lap == pytest.approx(2 * 40_000.0 + math.pi * 12_000.0, rel=5e-3)
    per_lap = 27  # points of one lap, the first repeated at its end
    first = slice(0, per_lap)
    assert xs[per_lap - 1] == pytest.approx(xs[0], abs=1e-6)
    assert ys[per_lap - 1] == pytest.approx(ys[0], abs=1e-6)
    steps = np.hypot(np.diff(xs[first]), np.diff(ys[first]))
    assert steps.sum() == pytest.approx(lap, rel=1e-12)
    assert ts[per_lap - 1] - ts[0] == pytest.approx(lap / 200.0, rel=1e-12)
    # constant ground speed all the way, laps repeat the same points
    speeds = np.hypot(np.diff(xs), np.diff(ys)) / np.diff(ts)
    assert speeds == pytest.approx(200.0, rel=1e-9)
    assert xs[per_lap : 2 * per_lap - 1] == pytest.approx(xs[1:per_lap], abs=1e-6)
    # on station from +10 min, laps until it leaves at +100 min (the last lap may overrun)
    assert ts[0] == 600.0
    assert ts[-1] >= 6000.0 and ts[-1] - lap / 200.0 < 6000.0
    assert path.available == [(600.0, 6000.0)]
    assert path.z == [8000.0] * len(xs)
    assert path.sites == []


def test_racetrack_geometry_follows_centre_heading_and_width() -> None:
    path = motion(orbit())
    h = math.radians(30.0)
    u = np.array([math.sin(h), math.cos(h)])  # along the legs
    n = np.array([u[1], -u[0]])  # across
    rel = np.stack([np.array(path.x) - 10_000.0, np.array(path.y) + 20_000.0], axis=1)
    along, across = rel @ u, rel @ n
    assert np.abs(along).max() <= 20_000.0 + 6_000.0 + 1e-6
    # the legs are 6 km either side of the centre line; the turns' points 6 km from the ends
    on_legs = np.abs(along) <= 20_000.0 + 1e-6
    assert np.abs(np.abs(across[on_legs]) - 6_000.0).max() < 1e-6
    turns = ~on_legs
    ends = np.where(along[turns] > 0, 20_000.0, -20_000.0)
    radius = np.hypot(along[turns] - ends, across[turns])
    assert radius == pytest.approx(6_000.0, rel=1e-9)
    # the first leg runs along the heading, on the right of the centre line
    assert along[1] - along[0] == pytest.approx(40_000.0)
    assert across[0] == pytest.approx(6_000.0)


def test_orbit_window_clipped_to_the_scenario() -> None:
    path = motion(orbit(end=None), duration=7200.0)
    assert path.available == [(600.0, 7200.0)]


def test_orbit_never_on_station_is_an_error_with_its_field() -> None:
    raw = base()
    raw["duration"] = "1 h"
    raw["raids"][0]["count"] = 2
    raw["raids"][0]["launch"]["end"] = "00:01"
    raw["sensors"].append(
        {
            "id": "awacs",
            "kind": "radar",
            "position": ["0 km", "0 km"],
            "range": "300 km",
            "height": "0 m",
            "scan_period": "10 s",
            "pd": 0.8,
            "motion": {
                "orbit": {
                    "centre": ["0 km", "-50 km"],
                    "length": "40 km",
                    "width": "10 km",
                    "heading": 90,
                    "speed": "700 km/h",
                    "altitude": "9 km",
                    "start": "+2 h",
                }
            },
        }
    )
    with pytest.raises(ScenarioError) as err:
        build(raw)
    [(field, message)] = err.value.problems
    assert field == "sensors.1.motion.orbit.start"
    assert "never comes on station" in message


# --- relocations ---------------------------------------------------------------------------------


def relocating_scenario() -> dict:
    """Drones every minute along y = 0; a gun that stands at x = -60 km, then at -20 km."""
    raw = base()
    raw["fire_units"] = [
        unit(
            "mfg",
            -60,
            pk=0.5,
            max_range="5 km",
            motion={
                "relocations": [
                    {"position": ["-60 km", "0 km"], "start": "+0 s", "end": "+20 min"},
                    {"position": ["-20 km", "1 km"], "start": "+35 min", "end": "+90 min"},
                ]
            },
        )
    ]
    return raw


def test_relocations_are_available_only_while_set_up() -> None:
    raw = relocating_scenario()
    cs = build(raw)
    lo, hi = cs.unit_available_offset[0], cs.unit_available_offset[1]
    assert list(zip(cs.unit_available_start[lo:hi], cs.unit_available_end[lo:hi], strict=True)) == [
        (0.0, 1200.0),
        (2100.0, 5400.0),
    ]
    # the windows are those of a unit standing at each site, clipped to its time there
    fixed = []
    for x_km, y_km, a, b in ((-60, 0, 0.0, 1200.0), (-20, 1, 2100.0, 5400.0)):
        other = copy.deepcopy(raw)
        spec = other["fire_units"][0]
        del spec["motion"]
        spec["position"] = [f"{x_km} km", f"{y_km} km"]
        one = build(other)
        fixed.append((one, a, b))
    for i in range(cs.n_threats):
        got = [
            (cs.eng_start[e], cs.eng_end[e]) for e in range(cs.eng_offset[i], cs.eng_offset[i + 1])
        ]
        expected = []
        for one, a, b in fixed:
            for e in range(one.eng_offset[i], one.eng_offset[i + 1]):
                lo_t, hi_t = max(one.eng_start[e], a), min(one.eng_end[e], b)
                if lo_t <= hi_t:
                    expected.append((lo_t, hi_t))
        assert np.array(got).ravel() == pytest.approx(np.array(sorted(expected)).ravel(), rel=1e-12)
        for e in range(cs.eng_offset[i], cs.eng_offset[i + 1]):
            # a shot may leave only once the unit is set up at the site
            ready = 0.0 if cs.eng_start[e] < 1200.0 else 2100.0
            assert cs.eng_fire_start[e] >= ready
    assert any(cs.eng_offset[i + 1] > cs.eng_offset[i] for i in range(cs.n_threats))


def test_relocating_unit_fires_only_while_set_up() -> None:
    cs = build(relocating_scenario())
    out = simulate(cs, replications=20, seed=11)
    killed = out.fate == Fate.DESTROYED
    times = out.time[killed]
    assert killed.any()
    # a kill can only be inside one of the stands (intercepts inside the windows)
    assert (((times >= 0.0) & (times <= 1200.0)) | ((times >= 2100.0) & (times <= 5400.0))).all()


def test_relocations_out_of_order_are_an_error() -> None:
    raw = relocating_scenario()
    sites = raw["fire_units"][0]["motion"]["relocations"]
    sites[1]["start"] = "+10 min"
    with pytest.raises(ScenarioError) as err:
        build(raw)
    [(field, message)] = err.value.problems
    assert field == "fire_units.0.motion.relocations.1.start"
    assert "before the unit leaves the previous site" in message


# --- aircraft sorties ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("available", "on", "gap", "expected"),
    [
        ([(0.0, 3600.0)], 3600.0, 4800.0, [(0.0, 3600.0)]),
        ([(0.0, 10_000.0)], 3000.0, 1000.0, [(0.0, 3000.0), (4000.0, 7000.0), (8000.0, 10_000.0)]),
        ([(500.0, 2000.0)], 600.0, 0.0, [(500.0, 2000.0)]),
        ([(0.0, 100.0), (200.0, 260.0)], 50.0, 20.0, [(0.0, 50.0), (70.0, 100.0), (200.0, 250.0)]),
    ],
)
def test_sortie_windows_by_hand(
    available: list[tuple[float, float]],
    on: float,
    gap: float,
    expected: list[tuple[float, float]],
) -> None:
    assert sortie_windows(available, on, gap) == expected


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(0, 1e4),
    length=st.floats(1.0, 1e5),
    on=st.floats(10.0, 2e4),
    gap=st.floats(0.0, 2e4),
)
def test_sortie_windows_properties(a: float, length: float, on: float, gap: float) -> None:
    b = a + length
    got = sortie_windows([(a, b)], on, gap)
    assert got[0][0] == a and got[-1][1] <= b
    for start, end in got:
        assert a <= start < end <= b
        assert end - start <= on + 1e-9 * b or gap == 0.0
    for (_, end), (start, _) in pairwise(got):
        assert start - end == pytest.approx(gap, abs=1e-9 * b)
    # no time on station is lost: each sortie but the last lasts `on`
    for start, end in got[:-1]:
        assert end - start == pytest.approx(on, abs=1e-9 * b)


def aircraft_scenario() -> dict:
    raw = base()
    raw["duration"] = "3 h"
    raw["fire_units"] = [
        {
            "id": "cap",
            "kind": "aircraft",
            "layer": "fighters",
            "position": ["-60 km", "-40 km"],
            "min_range": "1 km",
            "max_range": "25 km",
            "min_altitude": "0 m",
            "max_altitude": "15 km",
            "channels": 2,
            "rounds": 4,
            "reserve": 8,
            "interceptor_speed": "1000 m/s",
            "cost_per_shot": "400000 USD",
            "pk": {"drone": 0.7},
            "time_on_station": "20 min",
            "transit_time": "10 min",
            "turnaround": "15 min",
            "motion": {
                "orbit": {
                    "centre": ["-60 km", "10 km"],
                    "length": "30 km",
                    "width": "10 km",
                    "heading": 90,
                    "speed": "800 km/h",
                    "altitude": "6 km",
                    "start": "+5 min",
                }
            },
        }
    ]
    return raw


def test_aircraft_windows_lie_in_its_sorties() -> None:
    cs = build(aircraft_scenario())
    lo, hi = cs.unit_available_offset[0], cs.unit_available_offset[1]
    sorties = list(zip(cs.unit_available_start[lo:hi], cs.unit_available_end[lo:hi], strict=True))
    # on station at +5 min for 20 min, back 2 x 10 + 15 = 35 min later, until 3 h
    assert sorties == sortie_windows([(300.0, 3 * 3600.0)], 1200.0, 2100.0)
    assert sorties[:2] == [(300.0, 1500.0), (3600.0, 4800.0)]
    assert cs.unit_reload[0] == 2100.0
    n = 0
    for e in range(len(cs.eng_unit)):
        n += 1
        assert any(a <= cs.eng_start[e] <= cs.eng_end[e] <= b for a, b in sorties)
        # it fires only once on station
        assert any(a <= cs.eng_fire_start[e] <= b for a, b in sorties)
    assert n > 0
    out = simulate(cs, replications=10, seed=5)
    assert (out.shots[:, 0] > 0).any()


# --- the interceptor leaves from where its unit is when it fires ----------------------------------


def intercept_from(cs, threat: int, u: int, t: float) -> float:
    p0, p1 = cs.unit_path_offset[u], cs.unit_path_offset[u + 1]
    cx, cy, cz = position_at(
        cs.unit_path_x[p0:p1], cs.unit_path_y[p0:p1], cs.unit_path_z[p0:p1],
        cs.unit_path_t[p0:p1], t,
    )  # fmt: skip
    lo, hi = cs.route_offset[threat], cs.route_offset[threat + 1]
    return intercept_time(
        cs.route_x[lo:hi], cs.route_y[lo:hi], cs.route_z[lo:hi], cs.route_t[lo:hi],
        cx, cy, cz, cs.unit_speed[u], t,
    )  # fmt: skip


def test_intercept_time_from_an_airborne_launcher_by_hand() -> None:
    # threat at 1 km altitude closing at 200 m/s from 30 km; launcher at 7 km altitude at
    # the origin; interceptor 800 m/s: (30000 - 200 t)^2 + 6000^2 = (800 t)^2
    xs, ys, zs, ts = [30_000.0, -30_000.0], [0.0, 0.0], [1000.0, 1000.0], [0.0, 300.0]
    t = intercept_time(xs, ys, zs, ts, 0.0, 0.0, 7000.0, 800.0, 0.0)
    a, b, c = 800.0**2 - 200.0**2, 2 * 30_000.0 * 200.0, -(30_000.0**2 + 6000.0**2)
    assert t == pytest.approx((-b + math.sqrt(b * b - 4 * a * c)) / (2 * a), rel=1e-12)
    # the same launcher on the ground meets it earlier (less height to climb)
    assert intercept_time(xs, ys, zs, ts, 0.0, 0.0, 0.0, 800.0, 0.0) < t


@pytest.mark.parametrize("kind", ["aircraft", "route"])
def test_offers_intercept_from_the_units_position_at_the_decision(kind: str) -> None:
    raw = aircraft_scenario()
    if kind == "route":
        spec = raw["fire_units"][0]
        spec.update(kind="helicopter", reload_time="1 min", layer="helicopters")
        for name in ("time_on_station", "transit_time", "turnaround"):
            del spec[name]
        spec["motion"] = {
            "route": [
                {"position": ["-70 km", "-10 km"], "time": "+0 s", "altitude": "500 m"},
                {"position": ["-40 km", "8 km"], "time": "+40 min", "altitude": "1500 m"},
                {"position": ["-10 km", "-5 km"], "time": "+90 min", "altitude": "300 m"},
            ]
        }
    cs = build(raw)
    assert len(cs.unit_path_t) > 1
    replication = Replication(cs, 3, 0)
    seen = moved = 0
    while (decision := replication.next_decision()) is not None:
        for offer in decision.offers:
            seen += 1
            expected = intercept_from(cs, offer.threat, offer.unit, decision.time)
            assert offer.intercept == expected
            # from the unit's position at the start it would differ (it has moved)
            if intercept_from(cs, offer.threat, offer.unit, 0.0) != expected:
                moved += 1
        replication.decide(range(min(1, len(decision.offers))))
    assert seen > 0 and moved > 0
    ref = simulate(cs, replications=6, seed=3, engine="reference")
    fast = simulate(cs, replications=6, seed=3, engine="fast")
    assert ref.equals(fast)


def test_position_at_holds_at_the_ends_and_interpolates() -> None:
    xs, ys, zs, ts = [0.0, 100.0, 100.0], [0.0, 0.0, 50.0], [10.0, 20.0, 20.0], [5.0, 15.0, 25.0]
    assert position_at(xs, ys, zs, ts, 0.0) == (0.0, 0.0, 10.0)
    assert position_at(xs, ys, zs, ts, 10.0) == (50.0, 0.0, 15.0)
    assert position_at(xs, ys, zs, ts, 20.0) == (100.0, 25.0, 20.0)
    assert position_at(xs, ys, zs, ts, 99.0) == (100.0, 50.0, 20.0)
    assert position_at([1.0], [2.0], [3.0], [0.0], 7.0) == (1.0, 2.0, 3.0)


def test_scenario_without_motion_has_one_point_paths() -> None:
    cs = compile_scenario(parse_scenario(copy.deepcopy(relocating_scenario())))
    assert list(cs.sensor_path_offset) == [0, 1]
    assert cs.sensor_path_z[0] == 10.0  # its height above the smooth earth
