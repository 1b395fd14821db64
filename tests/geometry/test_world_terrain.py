"""Terrain (issue 13): a flat grid changes nothing, a ridge hides what is behind it.

Line of sight uses the 4/3 earth: over a ground distance d the surface drops
``d^2 / (2 k R)`` below the tangent plane of the site (k = 4/3, R = 6371 km, so
``2 k R = 16,989.3 km``). Fire units and radar or optical sensors get this
horizon with or without a grid; a grid adds the terrain's own masking.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from iadsim.engine import simulate
from iadsim.errors import ScenarioError
from iadsim.geometry.terrain import ElevationGrid, horizon_slopes
from iadsim.geometry.visibility import site_windows

from repo_paths import EXAMPLES
from scenarios import base, build, unit
from strategies import GRID_EXTENT, small_scenarios, terrain_file

KR2 = 2.0 * (4.0 / 3.0) * 6_371_000.0
"""2 k R (m), written out here rather than imported: the hand computations use it."""

OUTCOMES = ("fate", "time", "cause", "hit", "shots", "engagements", "asset_destroyed")


def with_grid(raw: dict[str, Any], path: Path, z: np.ndarray, x0: float, y0: float, cell: float):
    """``raw`` with the local grid ``z`` (rows north to south) written to ``path``."""
    np.save(path, z)
    out = copy.deepcopy(raw)
    out["terrain"] = {
        "file": str(path),
        "crs": "local",
        "transform": [x0, cell, 0.0, y0, 0.0, -cell],
    }
    return out


# --- (a) a flat grid gives the outcomes of no grid ------------------------------------------------


def flat_case(acoustic: bool) -> dict[str, Any]:
    """Drones at 60 m along y = 0 toward a depot at the origin, two radars and two SAMs."""
    raw = base(salvo={"default": 1})
    raw["threat_classes"]["drone"]["altitude"] = "60 m"
    if acoustic:
        raw["sensors"][0]["pd"] = 0.3
    else:
        raw["sensors"] = []
    raw["sensors"] += [
        {
            "id": "r1",
            "kind": "radar",
            "position": ["-30 km", "2 km"],
            "range": "120 km",
            "height": "20 m",
            "scan_period": "4 s",
            "pd": 0.6,
        },
        {
            "id": "eo",
            "kind": "optical",
            "position": ["-70 km", "-3 km"],
            "range": "40 km",
            "height": "5 m",
            "scan_period": "2 s",
            "pd": 0.4,
        },
    ]
    raw["fire_units"] = [
        unit("a", -60, pk=0.5, channels=1, rounds=8, height="10 m", max_range="30 km"),
        unit("b", -20, pk=0.4, channels=2, rounds=6, height="5 m"),
        unit("c", -5, pk=0.6, channels=1, rounds=4, height="0 m", max_range="40 km"),
    ]
    return raw


WINDOWS = (
    "det_offset",
    "det_sensor",
    "det_start",
    "det_end",
    "eng_offset",
    "ew_offset",
    "ew_unit",
    "ew_start",
)


def engagement_windows(cs: Any) -> list[list[tuple[int, float, float]]]:
    """Each threat's engagement windows as (unit, start, end), in order of unit and start."""
    return [
        sorted(
            (int(cs.eng_unit[e]), float(cs.eng_start[e]), float(cs.eng_end[e]))
            for e in range(cs.eng_offset[i], cs.eng_offset[i + 1])
        )
        for i in range(cs.n_threats)
    ]


def assert_same_windows(a: Any, b: Any) -> None:
    for name in WINDOWS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape, name
        # the same conditions solved two ways (legacy circle windows without a grid, the
        # 4-D kernels with one): equal to rounding
        assert x == pytest.approx(y, rel=1e-12, abs=1e-9), name
    # engagement windows are in order of their gates, which a grid may move (below)
    for wa, wb in zip(engagement_windows(a), engagement_windows(b), strict=True):
        assert [u for u, _, _ in wa] == [u for u, _, _ in wb]
        assert np.ravel([w[1:] for w in wa]) == pytest.approx(
            np.ravel([w[1:] for w in wb]), rel=1e-12, abs=1e-9
        )
    # a standing unit's gate may open later over terrain (no shot fired before w0 - d / v
    # can meet the threat in the window, d its distance at w0), never earlier
    gates_a = sorted(zip(a.eng_unit, a.eng_start, a.eng_fire_start, strict=True))
    gates_b = sorted(zip(b.eng_unit, b.eng_start, b.eng_fire_start, strict=True))
    for (_, _, ga), (_, _, gb) in zip(gates_a, gates_b, strict=True):
        assert gb >= ga - 1e-9
    assert (b.eng_fire_start <= b.eng_start).all()


def test_flat_grid_gives_the_windows_and_outcomes_of_no_grid(tmp_path: Path) -> None:
    raw = flat_case(acoustic=False)
    flat = with_grid(raw, tmp_path / "flat.npy", np.zeros((40, 240)), -110_000.0, 10_000.0, 500.0)
    smooth, gridded = build(raw), build(flat)
    for name in ("route_x", "route_y", "route_z", "route_t", "impact_time"):
        assert (getattr(smooth, name) == getattr(gridded, name)).all(), name
    assert_same_windows(smooth, gridded)
    # the horizon binds: the radar at 20 m sees the drones at 60 m from 50.4 km, not 67.5 km
    horizon = math.sqrt(KR2 * 20.0) + math.sqrt(KR2 * 60.0)
    first = [smooth.det_start[w] for w in range(smooth.det_offset[1]) if smooth.det_sensor[w] == 0]
    assert first == pytest.approx(
        [(100_000.0 - 30_000.0 - math.sqrt(horizon**2 - 2000.0**2)) / 100.0]
    )
    # and so does a fire unit's: unit c on the ground at x = -5 km reaches 40 km, but a drone
    # at 60 m is above its horizon only within sqrt(2kR 60) = 31.9 km
    for cs in (smooth, gridded):
        [start] = [cs.eng_start[e] for e in range(cs.eng_offset[1]) if cs.eng_unit[e] == 2]
        assert start == pytest.approx((100_000.0 - 5000.0 - math.sqrt(KR2 * 60.0)) / 100.0)
    for engine in ("fast", "reference"):
        a = simulate(smooth, replications=30, seed=3, engine=engine)
        b = simulate(gridded, replications=30, seed=3, engine=engine)
        for name in OUTCOMES:
            assert (getattr(a, name) == getattr(b, name)).all(), (engine, name)


def test_flat_grid_leaves_an_acoustic_sensor_without_horizon(tmp_path: Path) -> None:
    # sound is not masked by terrain: a grid must not give it the horizon it lacks
    raw = flat_case(acoustic=True)
    flat = with_grid(raw, tmp_path / "flat.npy", np.zeros((40, 240)), -110_000.0, 10_000.0, 500.0)
    smooth, gridded = build(raw), build(flat)
    # the acoustic sensor (10 m up, 200 km range, no horizon) hears the drone all the way
    heard = [
        (smooth.det_start[w], smooth.det_end[w])
        for w in range(smooth.det_offset[1])
        if smooth.det_sensor[w] == 0
    ]
    assert heard == [(0.0, 1000.0)]
    assert_same_windows(smooth, gridded)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=small_scenarios(world=False), seed=st.integers(0, 2**64 - 1))
def test_flat_sea_level_grid_changes_no_outcome_on_random_scenarios(raw: dict, seed: int) -> None:
    flat = copy.deepcopy(raw)
    west, _, _, north = GRID_EXTENT
    flat["terrain"] = {
        "file": terrain_file(0),
        "crs": "local",
        "transform": [west, 1000.0, 0.0, north, 0.0, -1000.0],
    }
    smooth, gridded = build(raw), build(flat)
    assert_same_windows(smooth, gridded)
    a = simulate(smooth, replications=4, seed=seed)
    b = simulate(gridded, replications=4, seed=seed)
    for name in OUTCOMES:
        if name != "time":
            assert (getattr(a, name) == getattr(b, name)).all(), name
    # times to rounding: see the next test
    assert a.time == pytest.approx(b.time, rel=1e-12, abs=1e-9)


def test_flat_grid_gives_bit_identical_times() -> None:
    raw = small_scenarios_example()
    flat = copy.deepcopy(raw)
    west, _, _, north = GRID_EXTENT
    flat["terrain"] = {
        "file": terrain_file(0),
        "crs": "local",
        "transform": [west, 1000.0, 0.0, north, 0.0, -1000.0],
    }
    a = simulate(build(raw), replications=1, seed=0)
    b = simulate(build(flat), replications=1, seed=0)
    assert (a.time == b.time).all(), (a.time, b.time)


def small_scenarios_example() -> dict[str, Any]:
    """A decoy flying into an EW site's 2 km circle (found by Hypothesis)."""
    sites = [["-90 km", "10 km"], ["-80 km", "-20 km"]]
    raid = {"count": 1, "launch": {"sites": sites, "start": "00:00"}, "targets": {"a": 1, "b": 1}}
    return {
        "schema_version": 1,
        "name": "random",
        "start": "00:00",
        "duration": "4 h",
        "threat_classes": {
            "d": {"preset": "shahed-136-class", "ew_susceptibility": 0.0, "speed": "30 m/s"},
            "fake": {"preset": "gerbera-class", "ew_susceptibility": 1.0},
        },
        "assets": [
            {"id": "a", "position": ["0 km", "0 km"], "value": 5, "hardness": "soft"},
            {"id": "b", "position": ["3 km", "-4 km"], "value": 9, "hardness": "hard"},
        ],
        "sensors": [
            {"id": "s", "kind": "radar", "position": ["-20 km", "0 km"], "range": "150 km",
             "height": "15 m", "scan_period": "5 s", "pd": 1.0},
        ],
        "fire_units": [
            {"id": "u0", "kind": "ew", "position": ["0 km", "0 km"], "max_range": "2 km",
             "pk": {"owa_drone": 0.0, "decoy": 1.0}},
        ],
        "raids": [
            {"id": "r0", "threat": "d", **raid, "route": {"waypoints": [["-30 km", "0 km"]]}},
            {"id": "r1", "threat": "fake", **raid,
             "route": {"waypoints": [["-30 km", "1 km"]], "jitter": "1 km"}},
        ],
        "doctrine": {"decision_cycle": "1 s", "reaction_time": "0 s", "value_unit": "1 kUSD"},
    }  # fmt: skip


def test_sites_stand_on_the_grid(tmp_path: Path) -> None:
    # ground at 300 m everywhere: every sensor and unit stands its height above it
    raw = flat_case(acoustic=False)
    raw["threat_classes"]["drone"]["altitude"] = "360 m"
    high = with_grid(
        raw, tmp_path / "high.npy", np.full((40, 240), 300.0), -110_000.0, 10_000.0, 500.0
    )
    cs = build(high)
    assert cs.unit_path_z.tolist() == [310.0, 305.0, 300.0]
    assert cs.sensor_path_z.tolist() == [320.0, 305.0]


# --- (b) a knife-edge ridge ----------------------------------------------------------------------

CELL = 100.0
HS = 20.0  # radar antenna height above the ground at 0 m (m)
RIDGE_D = 10_000.0  # ground distance of the ridge's cells' centres (m)
RIDGE_H = 100.0  # ridge height (m)
THREAT_Z = 200.0  # the threat's altitude (m)
SPEED = 100.0


def ridge_case() -> dict[str, Any]:
    raw = base()
    raw["duration"] = "1 h"
    raw["threat_classes"]["drone"].update(
        altitude=f"{THREAT_Z} m", speed=f"{SPEED} m/s", rcs="1 m^2"
    )
    raw["assets"][0]["position"] = ["1 km", "0 km"]
    raw["sensors"] = [
        {
            "id": "radar",
            "kind": "radar",
            "position": ["0 km", "0 km"],
            "range": "100 km",
            "reference_rcs": "1 m^2",
            "height": f"{HS} m",
            "scan_period": "1 s",
            "pd": 1.0,
        }
    ]
    # launched 12 km east of the radar, out to 30 km and back to the depot 1 km east of it
    raw["raids"][0].update(
        count=1,
        launch={"sites": [["12 km", "0 km"]], "start": "00:00"},
        route={"waypoints": [["30 km", "0 km"]]},
    )
    return raw


def ridge_grid() -> np.ndarray:
    """41 x 411 cells of 100 m: centres at x = -1 .. 40 km, y = -2 .. 2 km; the radar's cell
    is centred on it, and the column centred at x = 10 km is the ridge."""
    z = np.zeros((41, 411))
    z[:, 110] = RIDGE_H
    return z


X0, Y0 = -1050.0, 2050.0


def test_knife_edge_ridge_hides_the_threat_over_the_interval_by_hand(tmp_path: Path) -> None:
    """A ridge 100 m high, 10 km east of a radar 20 m up, hides a threat at 200 m beyond d*.

    From the radar (height h_s = 20 m) the ridge top subtends the slope
    ``m = (H - d_r^2 / 2kR - h_s) / d_r = (100 - 5.886 - 20) / 10,000 = 0.0074114``.
    A point at ground distance d > d_r behind the ridge is visible if its altitude is at
    least ``h_s + m d + d^2 / 2kR``; the threat at z = 200 m is hidden beyond the root d*
    of ``d^2 / 2kR + m d + h_s - z = 0``:
    ``d* = (sqrt(m^2 + 4 (z - h_s) / 2kR) - m) / (2 / 2kR)
    = (sqrt(5.4929e-5 + 4.2380e-5) - 0.0074114) x 8,494,667 m = 20,838 m``
    (24.29 km on a flat earth, where ``d* = (z - h_s) / m``, with m = 0.008).
    The threat flies at 100 m/s from 12 km out to 30 km (180 s) and back to 1 km (290 s):
    visible until it passes 20,838 m going out, at t = (20,838 - 12,000) / 100 = 88.38 s,
    hidden until it comes back past it at t = 180 + (30,000 - 20,838) / 100 = 271.62 s.
    Without the ridge (a flat grid) it is seen all the way (the smooth earth's horizon for
    20 m and 200 m is 76.7 km). The grid's resolution limits the answer to about a cell:
    the assertion allows a cell's travel time (1 s).
    """
    m = (RIDGE_H - RIDGE_D**2 / KR2 - HS) / RIDGE_D
    assert m == pytest.approx(0.0074114, rel=1e-4)
    d_star = (math.sqrt(m * m + 4.0 * (THREAT_Z - HS) / KR2) - m) / (2.0 / KR2)
    assert d_star == pytest.approx(20_838.3, abs=0.1)
    hidden = ((d_star - 12_000.0) / SPEED, 180.0 + (30_000.0 - d_star) / SPEED)
    impact = 180.0 + 29_000.0 / SPEED

    raw = ridge_case()
    cs = build(with_grid(raw, tmp_path / "ridge.npy", ridge_grid(), X0, Y0, CELL))
    assert cs.impact_time[0] == pytest.approx(impact)
    windows = list(zip(cs.det_start, cs.det_end, strict=True))
    assert len(windows) == 2
    (a0, a1), (b0, b1) = windows
    tick = CELL / SPEED
    assert a0 == 0.0 and b1 == pytest.approx(impact)
    assert a1 == pytest.approx(hidden[0], abs=tick)
    assert b0 == pytest.approx(hidden[1], abs=tick)

    flat = build(with_grid(raw, tmp_path / "flat.npy", np.zeros((41, 411)), X0, Y0, CELL))
    assert list(zip(flat.det_start, flat.det_end, strict=True)) == [(0.0, pytest.approx(impact))]


@pytest.mark.parametrize("slope", [0.3, 1.0])
def test_ridge_crossed_obliquely_hides_over_the_interval_by_hand(
    tmp_path: Path, slope: float
) -> None:
    """The same ridge (a north-south wall at x = 10 km), the threat on the line y = slope x.

    Along that ray the ridge is at ground distance ``d_r = 10 km x sqrt(1 + slope^2)``
    (a cell centre: the wall's cells are centred on multiples of 100 m), so the same
    equation holds with that d_r: hidden beyond ``d*``, the root of
    ``d^2 / 2kR + m d + h_s - z = 0`` with ``m = (H - d_r^2 / 2kR - h_s) / d_r``. Off the
    axes the horizon-slope map interpolates between cells (within a cell of the exact
    ray), so the answer holds to a cell's travel time.
    """
    stretch = math.hypot(1.0, slope)
    d_r = RIDGE_D * stretch
    m = (RIDGE_H - d_r**2 / KR2 - HS) / d_r
    d_star = (math.sqrt(m * m + 4.0 * (THREAT_Z - HS) / KR2) - m) / (2.0 / KR2)
    out_at, far, home = 12_000.0 * stretch, 30_000.0 * stretch, 1000.0 * stretch
    hidden = ((d_star - out_at) / SPEED, (far - out_at + far - d_star) / SPEED)
    impact = (far - out_at + far - home) / SPEED

    raw = ridge_case()
    raw["assets"][0]["position"] = ["1 km", f"{slope} km"]
    raw["raids"][0]["launch"]["sites"] = [["12 km", f"{12 * slope} km"]]
    raw["raids"][0]["route"] = {"waypoints": [["30 km", f"{30 * slope} km"]]}
    y_top = 100.0 * math.ceil((30_000.0 * slope + 2000.0) / 100.0) + 50.0
    rows = round((y_top + 2050.0) / 100.0)
    z = np.zeros((rows, 411))
    z[:, 110] = RIDGE_H
    cs = build(with_grid(raw, tmp_path / "ridge.npy", z, X0, y_top, CELL))
    assert cs.impact_time[0] == pytest.approx(impact)
    (a0, a1), (b0, b1) = zip(cs.det_start, cs.det_end, strict=True)
    assert a0 == 0.0 and b1 == pytest.approx(impact)
    assert a1 == pytest.approx(hidden[0], abs=CELL / SPEED)
    assert b0 == pytest.approx(hidden[1], abs=CELL / SPEED)


def test_ridge_lower_than_the_line_of_sight_hides_nothing(tmp_path: Path) -> None:
    # a 30 m ridge: m = (30 - 5.886 - 20) / 10,000 = 4.1e-4, and the threat at 200 m would
    # be hidden only beyond d* where d^2 / 2kR + m d = 180: about 51.5 km, past its route
    raw = ridge_case()
    z = ridge_grid()
    z[:, 110] = 30.0
    cs = build(with_grid(raw, tmp_path / "low.npy", z, X0, Y0, CELL))
    assert len(cs.det_start) == 1


def test_ridge_masks_fire_units_too(tmp_path: Path) -> None:
    # a SAM at the radar's place, reaching 40 km: the ridge splits its window the same way
    raw = ridge_case()
    raw["fire_units"] = [
        unit("sam", 0, pk=0.9, max_range="40 km", height=f"{HS} m", min_range="0 m")
    ]
    cs = build(with_grid(raw, tmp_path / "ridge.npy", ridge_grid(), X0, Y0, CELL))
    engage = list(zip(cs.eng_start, cs.eng_end, strict=True))
    detect = list(zip(cs.det_start, cs.det_end, strict=True))
    # the same site, height and (in range) geometry
    assert np.ravel(engage) == pytest.approx(np.ravel(detect))


def test_horizon_slopes_along_an_axis_are_exact() -> None:
    # a site at the centre of cell (0, 0) of a row; cells east at 100 m spacing; one peak
    z = np.zeros((1, 50))
    z[0, 10] = 80.0
    out = horizon_slopes(z, 0, 0, 0, 1, 0, 50, 50.0, -50.0, 15.0, 0.0, 0.0, 100.0)
    assert out[0, 0] == -np.inf and out[0, 1] == -np.inf  # nothing between
    own = [(z[0, j] - (100.0 * j) ** 2 / KR2 - 15.0) / (100.0 * j) for j in range(1, 50)]
    for j in range(2, 50):
        assert out[0, j] == pytest.approx(max(own[: j - 1]), rel=1e-6)


# --- errors ---------------------------------------------------------------------------------------


def test_grid_not_covering_a_site_is_an_error_with_its_field(tmp_path: Path) -> None:
    raw = ridge_case()
    raw["sensors"][0]["position"] = ["-5 km", "0 km"]  # west of the grid's edge at -1.05 km
    bad = with_grid(raw, tmp_path / "ridge.npy", ridge_grid(), X0, Y0, CELL)
    with pytest.raises(ScenarioError) as err:
        build(bad)
    [(field, message)] = err.value.problems
    assert field == "sensors.0.position"
    assert "does not cover" in message and "-5.0 km" in message


def test_threats_launched_off_the_grid_fly_over_a_smooth_earth(tmp_path: Path) -> None:
    # the grid must cover the defence, not launch sites far away
    raw = ridge_case()
    raw["raids"][0]["launch"]["sites"] = [["60 km", "30 km"]]
    cs = build(with_grid(raw, tmp_path / "ridge.npy", ridge_grid(), X0, Y0, CELL))
    assert cs.n_threats == 1 and (cs.route_z == THREAT_Z).all()


def test_grid_not_covering_a_relocation_site_is_an_error_with_its_field(tmp_path: Path) -> None:
    raw = ridge_case()
    raw["fire_units"] = [
        unit(
            "mfg",
            5,
            pk=0.5,
            motion={
                "relocations": [
                    {"position": ["5 km", "0 km"], "start": "+0 s", "end": "+10 min"},
                    {"position": ["5 km", "9 km"], "start": "+20 min"},
                ]
            },
        )
    ]
    bad = with_grid(raw, tmp_path / "ridge.npy", ridge_grid(), X0, Y0, CELL)
    with pytest.raises(ScenarioError) as err:
        build(bad)
    [(field, message)] = err.value.problems
    assert field == "fire_units.0.motion.relocations.1.position"
    assert "does not cover" in message


def test_grid_holes_are_no_data(tmp_path: Path) -> None:
    # NaN cells are "no data": a site on one is not covered
    raw = ridge_case()
    z = ridge_grid()
    z[20, 10] = np.nan  # the radar's cell
    bad = with_grid(raw, tmp_path / "holes.npy", z, X0, Y0, CELL)
    with pytest.raises(ScenarioError) as err:
        build(bad)
    assert err.value.problems[0][0] == "sensors.0.position"


@pytest.mark.parametrize(
    ("transform", "field"),
    [
        ([0.0, 100.0, 0.0, 0.0, 0.0, 100.0], "terrain.transform"),  # south up
        ([0.0, 100.0, 0.0, 0.0, 0.0, -50.0], "terrain.transform"),  # not square
    ],
)
def test_bad_local_transform_is_an_error(
    tmp_path: Path, transform: list[float], field: str
) -> None:
    raw = ridge_case()
    np.save(tmp_path / "g.npy", ridge_grid())
    raw["terrain"] = {"file": str(tmp_path / "g.npy"), "crs": "local", "transform": transform}
    with pytest.raises(ScenarioError) as err:
        build(raw)
    assert err.value.problems[0][0] == field


def test_elevation_grid_at_and_extent() -> None:
    grid = ElevationGrid(-100.0, 200.0, 100.0, np.arange(6.0).reshape(2, 3))
    assert grid.extent == (-100.0, 200.0, 0.0, 200.0)
    assert grid.at(-100.0, 200.0) == 0.0  # the north-west corner belongs to cell (0, 0)
    assert grid.at(150.0, 50.0) == 5.0
    assert math.isnan(grid.at(-100.1, 150.0))
    assert not grid.covers(250.0, 150.0)


# --- terrain masks in the window kernel, against brute force -------------------------------------


def hidden_by_map(
    slopes: np.ndarray, i0: int, j0: int, grid: ElevationGrid, site: tuple[float, float, float],
    x: np.ndarray, y: np.ndarray, z: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Where the horizon-slope map hides the points: below ``h_s + slope d + d^2 / 2kR``."""
    sx, sy, sz = site
    i = np.floor((grid.y0 - y) / grid.cell).astype(int) - i0
    j = np.floor((x - grid.x0) / grid.cell).astype(int) - j0
    inside = (i >= 0) & (j >= 0) & (i < slopes.shape[0]) & (j < slopes.shape[1])
    h = np.full(x.shape, -np.inf)
    h[inside] = slopes[i[inside], j[inside]]
    d = np.hypot(x - sx, y - sy)
    with np.errstate(invalid="ignore"):
        return np.isfinite(h) & (z < sz + h * d + d * d / KR2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_site_windows_over_terrain_equal_brute_force(data: st.DataObject) -> None:
    """Windows over random hills agree with the map's own condition, sampled densely.

    The kernel samples the terrain condition every half cell along the track and
    bisects where it changes, so it may miss a change and back again within half a
    cell: instants are compared only where the condition holds (or fails) over a
    whole cell of track around them.
    """
    cell = data.draw(st.sampled_from([100.0, 250.0, 1000.0]), label="cell")
    n = 40
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    u = np.arange(n) * cell
    z = (
        300.0 * (1 + np.sin(u[None, :] / (7 * cell) + rng.uniform(0, 6)))
        * (1 + np.cos(u[:, None] / (5 * cell) + rng.uniform(0, 6)))
        + rng.uniform(0, 100.0, (n, n))
    )  # fmt: skip
    grid = ElevationGrid(0.0, n * cell, cell, z)
    span = n * cell
    coord = st.floats(0.02 * span, 0.98 * span)
    sx, sy = data.draw(coord, label="sx"), data.draw(coord, label="sy")
    sz = grid.at(sx, sy) + data.draw(st.floats(0.0, 30.0), label="height")
    pts = data.draw(st.lists(st.tuples(coord, coord), min_size=2, max_size=4), label="track")
    alt = data.draw(st.lists(st.floats(0.0, 1500.0), min_size=len(pts), max_size=len(pts)))
    tx, ty = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    tz = np.array(alt)
    steps = np.hypot(np.diff(tx), np.diff(ty))
    tt = np.concatenate([[0.0], np.cumsum(np.maximum(steps, 1.0) / 100.0)])
    horizon = data.draw(st.booleans(), label="horizon")
    slopes, i0, j0 = grid.slopes(sx, sy, sz, 2.0 * span)
    out = np.empty((4096, 2))
    k = site_windows(
        tx, ty, tz, tt, sx, sy, sz, 0.0, 1e7, -np.inf, np.inf, horizon, -1.0,
        slopes, i0, j0, grid.x0, grid.y0, grid.cell, out,
    )  # fmt: skip
    assert k >= 0
    windows = out[:k]
    t = np.linspace(tt[0], tt[-1], 20_001)
    x, y, zz = np.interp(t, tt, tx), np.interp(t, tt, ty), np.interp(t, tt, tz)
    seen = ~hidden_by_map(slopes, i0, j0, grid, (sx, sy, sz), x, y, zz)
    if horizon:
        margin = np.sqrt(KR2 * max(sz, 0.0)) + np.sqrt(KR2 * np.maximum(zz, 0.0))
        seen &= np.hypot(x - sx, y - sy) < margin - 1e-6 * margin
    # the ground distance flown: instants within a cell of track of a change are not compared
    s = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    change = s[np.flatnonzero(np.diff(seen.astype(int)))]
    event(f"visibility changes: {min(len(change), 4)}")
    near = np.zeros(t.shape, dtype=bool)
    for c in change:
        near |= np.abs(s - c) <= cell
    inside = np.zeros(t.shape, dtype=bool)
    for a, b in windows:
        inside |= (t >= a) & (t <= b)
    assert not (seen & ~inside & ~near).any()
    assert not (~seen & inside & ~near).any()


def test_a_terrain_file_name_with_a_nul_byte_is_an_error_naming_the_field(tmp_path: Path) -> None:
    # the name is made absolute beside the scenario file by string arithmetic, so the
    # file system's refusal reaches the terrain reader, which names the field
    from iadsim.compile import compile_scenario
    from iadsim.scenario import load_scenario

    text = (EXAMPLES / "single_battery.yaml").read_text()
    path = tmp_path / "s.yaml"
    grid = "crs: local, transform: [-90000, 1000, 0, 90000, 0, -1000]"
    path.write_text(text + f'\nterrain: {{file: "g\\0.npy", {grid}}}\n')
    with pytest.raises(ScenarioError, match=r"terrain\.file"):
        compile_scenario(load_scenario(path), source=path)
