"""Flight profiles (issue 13): each profile's trajectory against its equations.

:func:`iadsim.geometry.profiles.threat_trajectory` turns a ground track and a
threat class into points ``(x, y, z, t)`` flown in straight lines. These tests
check each profile where its definition says what must hold, and the ballistic
missile's engagement window against a unit with a 20 km ceiling by hand.
"""

from __future__ import annotations

import copy
import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.errors import ScenarioError
from iadsim.geometry.profiles import GRAVITY, ProfileError, ballistic_arc, threat_trajectory
from iadsim.geometry.terrain import ElevationGrid
from iadsim.scenario.models import ThreatClass
from iadsim.scenario.world import Waypoint

from scenarios import base, build, unit


def threat(preset: str = "shahed-136-class", **fields: Any) -> ThreatClass:
    return ThreatClass.model_validate({"preset": preset, **fields})


def waypoint(x: float, y: float, **fields: Any) -> Waypoint:
    return Waypoint.model_validate({"position": [f"{x} m", f"{y} m"], **fields})


def ground_distance(xs: list[float], ys: list[float]) -> np.ndarray:
    steps = np.hypot(np.diff(xs), np.diff(ys))
    return np.concatenate([[0.0], np.cumsum(steps)])


# --- cruise --------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    points=st.lists(st.tuples(st.floats(-2e5, 2e5), st.floats(-2e5, 2e5)), min_size=2, max_size=8),
    t0=st.floats(0, 1e4),
    speed=st.floats(10, 3000),
)
def test_cruise_without_waypoint_altitudes_is_the_old_trajectory(
    points: list[tuple[float, float]], t0: float, speed: float
) -> None:
    cls = threat(speed=f"{speed} m/s", altitude="700 m")
    wps = [waypoint(x, y) for x, y in points[1:-1]]
    xs, ys, zs, ts = threat_trajectory(cls, points, wps, t0)
    # exactly what compiling did before flight profiles: the points, one altitude, and
    # times accumulated leg by leg as hypot / speed
    assert xs == [p[0] for p in points] and ys == [p[1] for p in points]
    assert zs == [700.0] * len(points)
    t, old = t0, [t0]
    for (x0, y0), (x1, y1) in pairwise(points):
        t += math.hypot(x1 - x0, y1 - y0) / cls.speed
        old.append(t)
    assert ts == old


def test_waypoint_altitude_with_climb_rate_is_reached_after_dz_over_rate() -> None:
    # 50 m/s over the ground, climbing from 500 m to 3 km at 10 m/s from the waypoint
    # 20 km out: it takes 2500 / 10 = 250 s, i.e. 12.5 km of ground; then level at 3 km
    cls = threat(speed="50 m/s", altitude="500 m", climb_rate="10 m/s", descent_rate="5 m/s")
    points = [(0.0, 0.0), (20_000.0, 0.0), (60_000.0, 0.0), (100_000.0, 0.0)]
    wps = [waypoint(20_000.0, 0.0, altitude="3 km"), waypoint(60_000.0, 0.0, altitude="1 km")]
    xs, _ys, zs, ts = threat_trajectory(cls, points, wps, 0.0)
    top = zs.index(3000.0)
    start = xs.index(20_000.0)
    assert zs[start] == 500.0 and ts[start] == pytest.approx(400.0)
    assert ts[top] - ts[start] == pytest.approx(2500.0 / 10.0)
    assert xs[top] == pytest.approx(20_000.0 + 12_500.0)
    # the descent to 1 km at 5 m/s from the next waypoint: 2000 / 5 = 400 s
    down = xs.index(60_000.0)
    assert zs[down] == 3000.0
    low = zs.index(1000.0)
    assert ts[low] - ts[down] == pytest.approx(2000.0 / 5.0)
    assert zs[-1] == 1000.0
    # climbing or not, the ground speed is the class's
    assert ts[-1] == pytest.approx(100_000.0 / 50.0)


def test_climb_longer_than_the_leg_goes_on_at_its_rate() -> None:
    # 10 km of leg at 100 m/s is 100 s: at 5 m/s it climbs 500 m of the 2 km asked
    cls = threat(speed="100 m/s", altitude="500 m", climb_rate="5 m/s")
    points = [(0.0, 0.0), (10_000.0, 0.0), (20_000.0, 0.0)]
    _xs, _ys, zs, _ts = threat_trajectory(
        cls, points, [waypoint(10_000.0, 0.0, altitude="2500 m")], 0
    )
    # the leg after the waypoint ends at 500 + 5 x 100 = 1000 m
    assert zs[-1] == pytest.approx(1000.0)


def test_waypoint_altitude_without_rates_spreads_over_the_leg() -> None:
    cls = threat(speed="100 m/s", altitude="500 m")
    points = [(0.0, 0.0), (10_000.0, 0.0), (30_000.0, 0.0)]
    xs, _ys, zs, _ts = threat_trajectory(cls, points, [waypoint(10_000.0, 0.0, altitude="2 km")], 0)
    assert (xs, zs) == ([0.0, 10_000.0, 30_000.0], [500.0, 500.0, 2000.0])


def test_waypoint_speed_changes_the_time_of_the_legs_after_it() -> None:
    cls = threat(speed="100 m/s", altitude="500 m")
    points = [(0.0, 0.0), (10_000.0, 0.0), (30_000.0, 0.0)]
    _xs, _ys, zs, ts = threat_trajectory(cls, points, [waypoint(10_000.0, 0.0, speed="50 m/s")], 0)
    assert ts[-1] == pytest.approx(100.0 + 400.0)
    assert zs == [500.0] * len(zs)


# --- dive ----------------------------------------------------------------------------------------


def test_dive_starts_at_dive_distance_and_reaches_the_ground_at_the_target() -> None:
    cls = threat(profile="dive", altitude="3 km", dive_distance="8 km", terminal_speed="90 m/s")
    v = cls.speed
    points = [(0.0, 0.0), (30_000.0, 40_000.0), (30_000.0, 70_000.0)]  # 50 km + 30 km
    wps = [waypoint(30_000.0, 40_000.0)]
    xs, ys, zs, ts = threat_trajectory(cls, points, wps, 0.0)
    s = ground_distance(xs, ys)
    assert s[-1] == pytest.approx(80_000.0)
    k = int(np.flatnonzero(np.isclose(s, 72_000.0))[0])
    assert zs[: k + 1] == [3000.0] * (k + 1)  # cruise until the dive
    assert (xs[k], ys[k]) == pytest.approx((30_000.0, 62_000.0))
    assert ts[k] == pytest.approx(72_000.0 / v)
    assert zs[-1] == 0.0 and (xs[-1], ys[-1]) == (30_000.0, 70_000.0)
    # a straight line down: altitude falls evenly with ground distance
    assert zs[k:] == pytest.approx(list(3000.0 * (80_000.0 - s[k:]) / 8000.0))
    # its ground speed goes evenly from v to the terminal speed: 8 km at the mean speed
    assert ts[-1] - ts[k] == pytest.approx(8000.0 / ((v + 90.0) / 2.0))


def test_dive_with_a_corner_inside_it_keeps_the_ground_track() -> None:
    cls = threat(profile="dive", altitude="2 km", dive_distance="10 km")
    points = [(0.0, 0.0), (20_000.0, 0.0), (20_000.0, 4_000.0)]  # the corner 4 km out
    xs, ys, zs, _ts = threat_trajectory(cls, points, [waypoint(20_000.0, 0.0)], 0.0)
    assert (20_000.0, 0.0) in list(zip(xs, ys, strict=True))
    corner = list(zip(xs, ys, strict=True)).index((20_000.0, 0.0))
    assert zs[corner] == pytest.approx(2000.0 * 4_000.0 / 10_000.0)
    assert zs[-1] == 0.0


def test_dive_onto_terrain_ends_on_the_ground() -> None:
    grid = ElevationGrid(-1000.0, 1000.0, 500.0, np.full((4, 100), 250.0))
    cls = threat(profile="dive", altitude="3 km", dive_distance="8 km")
    _xs, _ys, zs, _ts = threat_trajectory(cls, [(0.0, 0.0), (40_000.0, 0.0)], [], 0.0, grid.at)
    assert zs[-1] == 250.0 and zs[0] == 3000.0


# --- terrain following ---------------------------------------------------------------------------


def hills(seed: int, rows: int = 60, cols: int = 400, cell: float = 100.0) -> ElevationGrid:
    """Rough random terrain: smooth hills plus cell-sized spikes up to 300 m."""
    rng = np.random.default_rng(seed)
    x = np.arange(cols) * cell
    z = 400.0 + 300.0 * np.sin(x / 3000.0)[None, :] + rng.uniform(0, 300.0, (rows, cols))
    return ElevationGrid(0.0, rows * cell, cell, z)


def clearance(xs, ys, zs, grid: ElevationGrid, spacing: float = 1.0) -> float:
    """The least height above the terrain along the trajectory, sampled every ``spacing`` m."""
    worst = math.inf
    for k in range(len(xs) - 1):
        leg = math.hypot(xs[k + 1] - xs[k], ys[k + 1] - ys[k])
        f = np.linspace(0.0, 1.0, max(2, math.ceil(leg / spacing) + 1))
        x = xs[k] + f * (xs[k + 1] - xs[k])
        y = ys[k] + f * (ys[k + 1] - ys[k])
        z = zs[k] + f * (zs[k + 1] - zs[k])
        ground = np.array([grid.at(a, b) for a, b in zip(x, y, strict=True)])
        worst = min(worst, float(np.min(z - ground)))
    return worst


@pytest.mark.parametrize("seed", [0, 1])
def test_terrain_following_keeps_its_height_at_the_sampled_points(seed: int) -> None:
    grid = hills(seed)
    cls = threat("kh-101-class", profile="terrain_following", altitude="60 m")
    points = [(500.0, 3000.0), (20_000.0, 5000.0), (39_000.0, 1000.0)]
    xs, ys, zs, _ts = threat_trajectory(cls, points, [waypoint(20_000.0, 5000.0)], 0.0, grid.at)
    assert len(xs) > 30  # cut into pieces of at most the 1 km step
    for x, y, z in zip(xs, ys, zs, strict=True):
        assert z - grid.at(x, y) >= 60.0 - 1e-9


@pytest.mark.parametrize("case", ["cliff", "hills"])
def test_terrain_following_keeps_its_height_between_samples(case: str) -> None:
    cls = threat("kh-101-class", profile="terrain_following", altitude="100 m")
    if case == "cliff":
        # a plateau at 500 m ending at x = 2300 m, cells of 1 km, samples every 1 km: had the
        # sample at 2 km taken only the terrain within half a step (600 m) and the one at
        # 3 km 100 m, the threat would be at 600 - 500 x 0.299 = 450.5 m at 2299 m, under
        # the plateau's 500 m
        z = np.zeros((3, 20))
        z[:, :3] = 500.0
        grid = ElevationGrid(-700.0, 1500.0, 1000.0, z)
        points = [(0.0, 0.0), (15_000.0, 0.0)]
    else:
        grid = hills(0)
        points = [(500.0, 3000.0), (39_000.0, 1000.0)]
    # as compiling calls it: samples at most 4 cells apart, the terrain read every cell
    step = max(1000.0, 4.0 * grid.cell)
    xs, ys, zs, _ = threat_trajectory(cls, points, [], 0.0, grid.at, step=step, cell=grid.cell)
    assert clearance(xs, ys, zs, grid) >= 100.0 - 1e-6


def following(tmp_path: Path) -> Any:
    """Three cruise missiles following hills at 80 m, compiled."""
    grid = hills(3)
    raw = base()
    raw["threat_classes"]["drone"].update(profile="terrain_following", altitude="80 m")
    raw["raids"][0].update(
        count=3,
        launch={"sites": [["1 km", "2 km"]], "start": "00:00", "end": "00:02"},
        route={"waypoints": [["20 km", "5 km"]], "jitter": "500 m", "seed": 3},
    )
    raw["assets"][0]["position"] = ["39 km", "1 km"]
    raw["sensors"][0]["position"] = ["30 km", "3 km"]
    np.save(tmp_path / "hills.npy", grid.z)
    raw["terrain"] = {
        "file": str(tmp_path / "hills.npy"),
        "crs": "local",
        "transform": [grid.x0, grid.cell, 0.0, grid.y0, 0.0, -grid.cell],
    }
    return build(raw)


def test_compiled_terrain_following_route_keeps_its_height(tmp_path: Path) -> None:
    cs, grid = following(tmp_path), hills(3)
    for i in range(cs.n_threats):
        lo, hi = cs.route_offset[i], cs.route_offset[i + 1]
        xs, ys, zs = cs.route_x[lo:hi], cs.route_y[lo:hi], cs.route_z[lo:hi]
        # the terrain is read every cell along the track (a track clipping the corner of a
        # cell for less than that may pass lower over it: see the next test)
        assert clearance(list(xs), list(ys), list(zs), grid, spacing=50.0) >= 80.0 - 1e-6


def test_compiled_terrain_following_keeps_its_height_over_clipped_corners(
    tmp_path: Path,
) -> None:
    cs, grid = following(tmp_path), hills(3)
    for i in range(cs.n_threats):
        lo, hi = cs.route_offset[i], cs.route_offset[i + 1]
        xs, ys, zs = cs.route_x[lo:hi], cs.route_y[lo:hi], cs.route_z[lo:hi]
        assert clearance(list(xs), list(ys), list(zs), grid, spacing=1.0) >= 80.0 - 1e-6


def test_terrain_following_without_a_grid_is_cruise_at_its_height() -> None:
    cls = threat("kh-101-class", profile="terrain_following", altitude="60 m")
    xs, _, zs, ts = threat_trajectory(cls, [(0.0, 0.0), (5000.0, 0.0)], [], 0.0)
    # cut into its 1 km steps, all at 60 m over the sea
    assert zs == [60.0] * len(xs) and xs[-1] == 5000.0
    assert ts[-1] == pytest.approx(5000.0 / cls.speed)


# --- glide ---------------------------------------------------------------------------------------


def test_glide_climbs_to_apogee_then_glides_and_dives() -> None:
    cls = threat(
        "kinzhal-class",
        profile="glide",
        altitude="10 km",
        apogee="40 km",
        apogee_distance="100 km",
        dive_distance="30 km",
        terminal_speed="1000 m/s",
    )
    points = [(0.0, 0.0), (400_000.0, 0.0)]
    xs, _ys, zs, ts = threat_trajectory(cls, points, [], 0.0)
    assert xs == [0.0, 100_000.0, 370_000.0, 400_000.0]
    assert zs == [10_000.0, 40_000.0, 10_000.0, 0.0]
    assert max(zs) == 40_000.0
    v, w = cls.speed, 1000.0
    assert ts[1] == pytest.approx(100_000.0 / v)
    # after the apogee the ground speed falls evenly with distance to the terminal speed
    v_dive = v + (w - v) * 270_000.0 / 300_000.0
    assert ts[2] - ts[1] == pytest.approx(270_000.0 / ((v + v_dive) / 2.0))
    assert ts[3] - ts[2] == pytest.approx(30_000.0 / ((v_dive + w) / 2.0))


def test_glide_apogee_distance_defaults_to_a_quarter_of_the_route() -> None:
    cls = threat("kinzhal-class", profile="glide", altitude="5 km", apogee="30 km",
                 dive_distance="20 km")  # fmt: skip
    _xs, ys, zs, _ts = threat_trajectory(cls, [(0.0, 0.0), (0.0, 200_000.0)], [], 0.0)
    assert ys[zs.index(30_000.0)] == pytest.approx(50_000.0)


def test_glide_apogee_after_the_dive_is_an_error() -> None:
    cls = threat("kinzhal-class", profile="glide", altitude="5 km", apogee="30 km",
                 apogee_distance="190 km", dive_distance="20 km")  # fmt: skip
    with pytest.raises(ProfileError, match="apogee"):
        threat_trajectory(cls, [(0.0, 0.0), (0.0, 200_000.0)], [], 0.0)


# --- ballistic -----------------------------------------------------------------------------------


def arc_numbers(ground: float, speed: float) -> tuple[float, float]:
    """The depressed arc's (u, w) from u w = g L / 2, u^2 + w^2 = V^2."""
    g = GRAVITY
    w2 = (speed**2 - math.sqrt(speed**4 - (g * ground) ** 2)) / 2.0
    return math.sqrt(speed**2 - w2), math.sqrt(w2)


@settings(max_examples=100, deadline=None)
@given(
    ground=st.floats(10_000.0, 1_000_000.0), speed=st.floats(100.0, 7000.0), tb=st.floats(0, 120)
)
def test_ballistic_arc_is_the_drag_free_parabola(ground: float, speed: float, tb: float) -> None:
    if speed * speed < GRAVITY * ground * 1.0001:
        with pytest.raises(ProfileError, match="reaches at most"):
            ballistic_arc(ground, speed, tb)
        return
    u, w = arc_numbers(ground, speed)
    arc = ballistic_arc(ground, speed, tb)
    assert arc[0] == (0.0, 0.0, 0.0)
    assert arc[-1][0] == ground and arc[-1][1] == pytest.approx(0.0, abs=1e-6 * ground)
    if u * tb / 2.0 <= ground:  # x = u t^2 / (2 tb) while boosting, then t = x / u + tb / 2
        assert arc[-1][2] == pytest.approx(ground / u + tb / 2.0)
    else:  # still boosting at impact
        assert arc[-1][2] == pytest.approx(math.sqrt(2.0 * tb * ground / u))
    for x, z, _t in arc:
        assert z == pytest.approx(max((w / u) * x - GRAVITY * x * x / (2 * u * u), 0.0),
                                  rel=1e-9, abs=1e-6 * ground)  # fmt: skip
    top = max(z for _, z, _ in arc)
    assert top <= w * w / (2 * GRAVITY) * (1 + 1e-12)
    assert top >= w * w / (2 * GRAVITY) * (1 - 1e-3)  # the chord error is below 0.1% of it
    times = [t for _, _, t in arc]
    assert times == sorted(times)


def ballistic_case() -> dict[str, Any]:
    raw = base()
    raw["duration"] = "1 h"
    raw["threat_classes"] = {
        "srbm": {
            "preset": "iskander-m-class",
            "profile": "ballistic",
            "speed": "2500 m/s",
            "boost_time": "60 s",
        }
    }
    raw["sensors"][0]["position"] = ["0 km", "0 km"]
    raw["sensors"][0]["range"] = "1000 km"
    raw["raids"] = [
        {
            "id": "b",
            "threat": "srbm",
            "count": 1,
            "launch": {"sites": [["0 km", "400 km"]], "start": "00:00"},
            "targets": {"depot": 1},
        }
    ]
    raw["fire_units"] = [
        unit("pac", 0, pk=0.3, max_range="150 km", min_range="0 m", max_altitude="20 km")
    ]
    raw["fire_units"][0]["pk"] = {"srbm": 0.3}
    return raw


def test_ballistic_window_under_a_20_km_ceiling_by_hand() -> None:
    """A 400 km shot at 2500 m/s against a unit at the target with a 20 km ceiling.

    u w = g L / 2 and u^2 + w^2 = V^2 give ``w^2 = (V^2 - sqrt(V^4 - g^2 L^2)) / 2``:
    V^2 = 6.25e6, g L = 3.92266e6, so w^2 = (6.25e6 - 4.86574e6) / 2 = 692,130 m^2/s^2,
    w = 831.9 m/s, u = sqrt(V^2 - w^2) = 2357.5 m/s, apogee ``w^2 / 2g`` = 35.3 km.
    The arc ``z(x) = (w/u) x - g x^2 / (2 u^2)`` is at 20 km where
    ``g/(2u^2) x^2 - (w/u) x + 20,000 = 0``:
    ``x = (w/u -+ sqrt((w/u)^2 - 4 g/(2u^2) 20,000)) / (2 g/(2u^2))`` =
    68.4 km on the way up and 331.6 km on the way down (symmetric about L/2).
    The unit at the target reaches 150 km: on the way up the missile is out of range, on
    the way down it is in range from 250 km along (slant range 150 km needs z <= 20 km
    first). So the window opens at ``x2 = 331.6 km``, at ``t = x2 / u + tb / 2`` (boost of
    60 s covers u tb / 2 = 70.7 km, so x2 is flown at u), and lasts until impact at
    ``L / u + tb / 2``. The arc is drawn as 32 chords below the parabola (sag
    g h^2 / 8u^2 = 34 m for h = L / 32), which moves the crossing by at most
    34 m / |z'(x2)| = 150 m: 0.06 s at u. On the chords themselves it is exact.
    """
    g, big_l, v, tb, ceiling = GRAVITY, 400_000.0, 2500.0, 60.0, 20_000.0
    u, w = arc_numbers(big_l, v)
    assert (u, w, w * w / (2 * g)) == pytest.approx((2357.5, 831.9, 35_290.0), rel=2e-4)
    a, b = g / (2 * u * u), w / u
    x1 = (b - math.sqrt(b * b - 4 * a * ceiling)) / (2 * a)
    x2 = (b + math.sqrt(b * b - 4 * a * ceiling)) / (2 * a)
    assert (x1, x2) == pytest.approx((68_356.0, 331_644.0), abs=50.0)
    parabola = x2 / u + tb / 2
    impact = big_l / u + tb / 2
    # the same crossing on the chords
    arc = ballistic_arc(big_l, v, tb)
    k = next(k for k in range(len(arc) - 1) if arc[k][1] > ceiling >= arc[k + 1][1])
    (_xa, za, ta), (_xb, zb, tb_) = arc[k], arc[k + 1]
    chords = ta + (tb_ - ta) * (za - ceiling) / (za - zb)

    cs = build(ballistic_case())
    assert cs.impact_time[0] == pytest.approx(impact, rel=1e-12)
    assert len(cs.eng_start) == 1
    assert cs.eng_start[0] == pytest.approx(chords, abs=1e-6)
    assert cs.eng_start[0] == pytest.approx(parabola, abs=0.07)
    assert cs.eng_end[0] == pytest.approx(impact, rel=1e-12)
    assert cs.route_z.max() == pytest.approx(w * w / (2 * g), rel=1e-3)
    # with a ceiling above the apogee the window opens earlier, at 150 km slant range
    raw = ballistic_case()
    raw["fire_units"][0]["max_altitude"] = "40 km"
    assert build(raw).eng_start[0] < chords - 10.0


def test_ballistic_too_slow_for_its_route_is_an_error_with_its_field() -> None:
    raw = ballistic_case()
    raw["threat_classes"]["srbm"]["speed"] = "1500 m/s"  # reaches at most 229 km
    with pytest.raises(ScenarioError) as err:
        build(raw)
    [(field, message)] = err.value.problems
    assert field == "raids.0"
    assert "reaches at most 229 km" in message and "400 km" in message


def test_dive_behind_the_launch_point_is_an_error_with_its_field() -> None:
    raw = base()
    raw["threat_classes"]["drone"].update(profile="dive", altitude="3 km", dive_distance="150 km")
    with pytest.raises(ScenarioError) as err:
        build(raw)
    [(field, message)] = err.value.problems
    assert field == "raids.0"
    assert "dive starts 150 km before the target" in message
    assert "behind the launch point" in message


def test_profiles_change_the_compiled_altitudes(tmp_path: Path) -> None:
    raw = base()
    raw["raids"][0]["count"] = 2
    raw["threat_classes"]["drone"].update(profile="dive", altitude="3 km", dive_distance="8 km")
    cs = build(raw)
    lo, hi = cs.route_offset[0], cs.route_offset[1]
    assert list(cs.route_z[lo:hi]) == [3000.0, 3000.0, 0.0]
    assert list(cs.route_x[lo:hi]) == [-100_000.0, -8000.0, 0.0]
    assert cs.altitude[0] == 3000.0
    flat = copy.deepcopy(raw)
    flat["threat_classes"]["drone"]["profile"] = "cruise"
    del flat["threat_classes"]["drone"]["dive_distance"]
    assert build(flat).impact_time[0] == pytest.approx(1000.0)


@pytest.mark.parametrize("profile", ["glide", "ballistic"])
def test_waypoint_altitude_or_speed_on_a_profile_that_ignores_them_is_an_error(
    profile: str,
) -> None:
    raw = base()
    if profile == "glide":
        raw["threat_classes"]["drone"].update(
            profile="glide", altitude="1 km", apogee="5 km", dive_distance="10 km"
        )
    else:
        raw["threat_classes"]["drone"].update(profile="ballistic", speed="1200 m/s")
    raw["raids"][0]["route"] = {
        "waypoints": [{"position": ["-50 km", "0 km"], "altitude": "200 m", "speed": "20 m/s"}]
    }
    with pytest.raises(ScenarioError, match=r"waypoints\.0\.altitude"):
        build(raw)


def test_climb_from_terrain_following_to_an_altitude_above_the_sea() -> None:
    # 60 m above a 1000 m plateau (1060 m above the sea), asked for 1500 m above the sea at
    # 10 m/s: a climb of 440 m, 44 s, flown at 250 m/s over 11 km of ground, never higher
    cls = threat("kh-101-class", profile="terrain_following", altitude="60 m", climb_rate="10 m/s")
    grid = ElevationGrid(-1000.0, 1000.0, 1000.0, np.full((2, 60), 1000.0))
    wps = [waypoint(10_000.0, 0.0, altitude="1500 m")]
    xs, _, zs, ts = threat_trajectory(
        cls, [(0.0, 0.0), (10_000.0, 0.0), (50_000.0, 0.0)], wps, 0.0, grid.at
    )
    after = [k for k, x in enumerate(xs) if x >= 10_000.0]
    assert zs[after[0]] == 1060.0
    assert max(zs) == pytest.approx(1500.0)
    top = next(k for k in after if zs[k] >= 1500.0 - 1e-9)
    assert ts[top] - ts[after[0]] == pytest.approx(44.0)
