"""Presets for the 4-D world (flight profiles, airborne platforms) and the terrain example.

Every preset validates (the airborne ones given the motion a preset cannot hold),
names a public source or says it is an assumption, and labels kill probabilities
as assumptions; every missile class flies its profile over the ranges it is used
at; the terrain example shows the ridge hiding low threats from the valley.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from iadsim.compile import compile_scenario
from iadsim.geometry.profiles import GRAVITY, ProfileError, ballistic_arc, threat_trajectory
from iadsim.scenario import (
    FIRE_UNIT_PRESETS,
    SENSOR_PRESETS,
    THREAT_PRESETS,
    FireUnit,
    Sensor,
    ThreatClass,
    load_scenario,
    parse_scenario,
)
from iadsim.scenario.presets import KIND_DEFAULTS
from iadsim.scenario.world import Waypoint

from repo_paths import EXAMPLES, TESTS

ORBIT = {
    "centre": ["0 km", "20 km"],
    "length": "20 km",
    "width": "8 km",
    "heading": 90,
    "speed": "600 km/h",
    "altitude": "6 km",
    "start": "+0 s",
}


def _airborne(table: dict[str, Any]) -> bool:
    return table.get("kind") == "aircraft" or table.get("field_of_regard") is not None


def _scenario(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "preset check (fictional)",
        "duration": "3 h",
        "threat_classes": {"drone": {"preset": "shahed-136-class"}},
        "assets": [{"id": "city", "position": ["0 km", "0 km"], "value": 10, "hardness": "soft"}],
        "sensors": [{"id": "radar", "preset": "surveillance-radar", "position": ["0 km", "0 km"]}],
        "fire_units": [],
        "raids": [
            {
                "id": "raid",
                "threat": "drone",
                "count": 2,
                "launch": {"sites": [["0 km", "150 km"]], "start": "+0 s", "end": "+10 min"},
                "targets": {"city": 1},
            }
        ],
    }
    data.update(extra)
    return data


# --- every preset: source, labels, validation -------------------------------------------------

ALL = [
    *(("threat", n) for n in THREAT_PRESETS),
    *(("fire unit", n) for n in FIRE_UNIT_PRESETS),
    *(("sensor", n) for n in SENSOR_PRESETS),
]


@pytest.mark.parametrize(("what", "name"), ALL, ids=[n for _, n in ALL])
def test_every_preset_is_sourced_and_compiles(what: str, name: str) -> None:
    table = {"threat": THREAT_PRESETS, "fire unit": FIRE_UNIT_PRESETS, "sensor": SENSOR_PRESETS}
    fields = table[what][name]
    source = fields["source"]
    assert len(source) > 80
    assert "pproximate public figure" in source or "ssumption" in source
    extra = {"motion": {"orbit": ORBIT}} if _airborne(fields) else {}
    if _airborne(fields):  # the preset says what the scenario must add
        assert "motion" in source
    data = _scenario()
    if what == "threat":
        data["threat_classes"]["drone"] = {"preset": name}
        data["duration"] = "12 h"
    elif what == "fire unit":
        data["fire_units"].append(
            {"id": "x", "preset": name, "position": ["1 km", "2 km"], **extra}
        )
    else:
        data["sensors"].append({"id": "x", "preset": name, "position": ["1 km", "2 km"], **extra})
    scenario = parse_scenario(data)
    compiled = compile_scenario(scenario)
    assert compiled.impact_time.shape == (2,)


@pytest.mark.parametrize("name", [n for n, f in FIRE_UNIT_PRESETS.items() if f.get("pk")])
def test_kill_probabilities_are_labelled_assumptions(name: str) -> None:
    source = FIRE_UNIT_PRESETS[name]["source"]
    assert "ssumption" in source or "claimed success" in source


def test_airborne_presets_need_the_motion_the_scenario_gives() -> None:
    with pytest.raises(ValueError, match=r"motion\.orbit"):
        FireUnit.model_validate(
            {"id": "f", "preset": "fighter-cap-class", "position": ["0 km", "0 km"]}
        )
    with pytest.raises(ValueError, match="field of regard"):
        Sensor.model_validate({"id": "r", "preset": "recon-drone-eo", "position": ["0 km", "0 km"]})
    unit = FireUnit.model_validate(
        {
            "id": "f",
            "preset": "fighter-cap-class",
            "position": ["0 km", "-50 km"],
            "motion": {"orbit": ORBIT},
        }
    )
    assert unit.reload_time is None  # an aircraft rearms at base: 2 transits + turnaround
    assert unit.sortie_gap == pytest.approx(2 * 20 * 60 + 3600)
    assert "reload_time" not in KIND_DEFAULTS["aircraft"]


def test_aircraft_fly_sorties_from_the_preset() -> None:
    cap = {"id": "cap", "preset": "fighter-cap-class", "position": ["0 km", "-50 km"]}
    data = _scenario(duration="6 h", fire_units=[{**cap, "motion": {"orbit": ORBIT}}])
    compiled = compile_scenario(parse_scenario(data))
    lo, hi = compiled.unit_available_offset[0], compiled.unit_available_offset[1]
    starts = compiled.unit_available_start[lo:hi]
    ends = compiled.unit_available_end[lo:hi]
    # one hour on station, then 20 min back, an hour at base and 20 min out again
    np.testing.assert_allclose(starts, [0.0, 9600.0, 19200.0])
    np.testing.assert_allclose(ends, [3600.0, 13200.0, 21600.0])
    assert compiled.unit_reload[0] == pytest.approx(6000.0)


# --- missile classes fly their profiles ------------------------------------------------------


def _fly(name: str, length: float, **override: Any) -> tuple[np.ndarray, ...]:
    cls = ThreatClass.model_validate({"preset": name, **override})
    xs, ys, zs, ts = threat_trajectory(cls, [(0.0, length), (0.0, 0.0)], [], 0.0)
    return np.array(xs), np.array(ys), np.array(zs), np.array(ts)


def test_every_missile_preset_has_its_profile() -> None:
    profiles = {
        n: f.get("profile", "cruise")
        for n, f in THREAT_PRESETS.items()
        if f["kind"] in ("cruise_missile", "ballistic_missile", "hypersonic")
    }
    assert profiles == {
        "kh-101-class": "terrain_following",
        "iskander-m-class": "ballistic",
        "kinzhal-class": "glide",
    }


@pytest.mark.parametrize("km", [100, 300, 440, 480])
def test_iskander_class_reaches_its_public_ranges(km: float) -> None:
    cls = ThreatClass.model_validate({"preset": "iskander-m-class"})
    assert cls.speed**2 / GRAVITY >= 480e3  # the 480 km test shot, drag-free
    _, _, zs, ts = _fly("iskander-m-class", km * 1e3)
    assert zs[0] == 0.0 and zs[-1] == pytest.approx(0.0, abs=1e-6)
    apogee = zs.max()
    # the depressed arc: below the lofted one's, and at most V^2 / 4g (the 45-degree arc's)
    assert 0.0 < apogee <= cls.speed**2 / (4 * GRAVITY) + 1.0
    # horizontal speed u all the way (plus half the boost): flight time L / u + tb / 2
    w2 = 2 * GRAVITY * max(a[1] for a in ballistic_arc(km * 1e3, cls.speed, 0.0))
    u = math.sqrt(cls.speed**2 - w2)
    assert ts[-1] == pytest.approx(km * 1e3 / u + cls.boost_time / 2, rel=1e-3)


def test_iskander_class_cannot_fly_past_its_reach() -> None:
    with pytest.raises(ProfileError, match="reaches at most 494 km"):
        _fly("iskander-m-class", 520e3)


def test_example_ballistic_routes_are_reachable() -> None:
    """Every ballistic raid of the shipped scenarios is within its class's arc."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "schema_version" not in text or "threat_classes" not in text:
            continue  # planning files
        scenario = load_scenario(path)
        compiled = compile_scenario(scenario, source=path)  # raises if an arc falls short
        assert compiled.impact_time.size > 0


@pytest.mark.parametrize("km", [200, 540, 1000])
def test_kinzhal_class_climbs_glides_and_dives(km: float) -> None:
    cls = ThreatClass.model_validate({"preset": "kinzhal-class"})
    xs, ys, zs, ts = _fly("kinzhal-class", km * 1e3)
    assert zs[0] == pytest.approx(cls.altitude)
    assert zs.max() == pytest.approx(cls.apogee)
    assert ys[np.argmax(zs)] == pytest.approx(km * 1e3 * 0.75)  # a quarter of the way
    assert zs[-1] == 0.0
    # below a SAM's 24 km ceiling only over the last stretch of the glide and the dive
    low = ys[zs < 24e3]
    assert low.min() >= 0.0
    speed = np.hypot(np.diff(xs), np.diff(ys)) / np.diff(ts)
    assert speed.max() <= cls.speed * (1 + 1e-9)
    assert speed[-1] < cls.speed  # slower at the end of the dive
    assert cls.terminal_speed is not None and speed[-1] >= cls.terminal_speed


def test_kh101_class_keeps_its_height_over_the_ground() -> None:
    _, _, zs, _ = _fly("kh-101-class", 1000e3)
    assert np.all(zs == 60.0)  # no terrain: as before, 60 m above sea level
    cls = ThreatClass.model_validate({"preset": "kh-101-class"})

    def hill(x: float, y: float) -> float:
        return 500.0 * math.exp(-(((y - 50e3) / 5e3) ** 2))

    xs, ys, zs, _ = (
        np.array(v) for v in threat_trajectory(cls, [(0.0, 100e3), (0.0, 0.0)], [], 0.0, hill)
    )
    ground = np.array([hill(x, y) for x, y in zip(xs, ys, strict=True)])
    assert np.all(zs >= ground + 60.0 - 1e-6)
    assert zs.max() == pytest.approx(560.0, abs=1.0)


@pytest.mark.parametrize("name", ["shahed-136-high-class", "geran-3-class"])
def test_high_drones_cross_the_gun_belt_above_the_guns_and_dive(name: str) -> None:
    cls = ThreatClass.model_validate({"preset": name})
    gun_ceiling = 2500.0  # gepard-class
    assert cls.profile == "dive" and cls.altitude > gun_ceiling
    assert cls.dive_distance is not None and cls.dive_distance <= 6e3
    xs, ys, zs, ts = _fly(name, 600e3)
    assert zs[-1] == 0.0
    # the dive is straight: the altitude falls evenly over the last dive_distance
    for d in (10e3, cls.dive_distance, 2e3, 1e3):
        z = float(np.interp(d, ys[::-1], zs[::-1]))
        expected = cls.altitude * min(d / cls.dive_distance, 1.0)
        assert z == pytest.approx(expected, rel=1e-9)
    # inside 5.5 km (a gun's reach) it is still above the gun's ceiling at first
    assert float(np.interp(5.5e3, ys[::-1], zs[::-1])) > gun_ceiling or (
        cls.dive_distance < 5.5e3
        and float(np.interp(cls.dive_distance, ys[::-1], zs[::-1])) > gun_ceiling
    )
    speed = np.hypot(np.diff(xs), np.diff(ys)) / np.diff(ts)
    assert speed[0] == pytest.approx(cls.speed)


def test_geran_3_is_faster_and_dearer_than_shahed_136() -> None:
    jet = ThreatClass.model_validate({"preset": "geran-3-class"})
    prop = ThreatClass.model_validate({"preset": "shahed-136-class"})
    assert jet.speed * 3.6 >= 500.0 > prop.speed * 3.6
    assert jet.cost > prop.cost


# --- the terrain example --------------------------------------------------------------------


@pytest.fixture(scope="module")
def valley() -> tuple[Any, Any]:
    path = EXAMPLES / "terrain_valley.yaml"
    with_terrain = compile_scenario(load_scenario(path), source=path)
    smooth = compile_scenario(load_scenario(path, overrides=["terrain=null"]), source=path)
    return with_terrain, smooth


def _first(compiled: Any, kind: str, cls: str, what: str) -> np.ndarray:
    """Per threat of class ``cls``: first detection (or engagement) by ``what``, after launch."""
    c = compiled.class_names.index(cls)
    out = []
    for i in np.flatnonzero(compiled.threat_class == c):
        if kind == "sensor":
            lo, hi = compiled.det_offset[i], compiled.det_offset[i + 1]
            mask = compiled.det_sensor[lo:hi] == compiled.sensor_ids.index(what)
            starts = compiled.det_start[lo:hi][mask]
        else:
            lo, hi = compiled.eng_offset[i], compiled.eng_offset[i + 1]
            mask = compiled.eng_unit[lo:hi] == compiled.unit_ids.index(what)
            starts = compiled.eng_start[lo:hi][mask]
        out.append(starts.min() - compiled.launch_time[i] if starts.size else np.inf)
    return np.array(out)


def test_the_grid_script_made_the_committed_grid() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_grid", EXAMPLES / "terrain/make_grid.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    grid = np.load(EXAMPLES / "terrain/valley.npy", allow_pickle=False)
    assert np.array_equal(grid, module.elevation())
    assert (EXAMPLES / "terrain/valley.npy").stat().st_size < 2_000_000


def test_the_ridge_hides_low_threats_from_the_valley(valley: tuple[Any, Any]) -> None:
    terrain, smooth = valley
    for cls in ("cruise", "shahed-low"):
        for what, kind in (("valley-radar", "sensor"), ("sam", "unit")):
            masked = _first(terrain, kind, cls, what)
            open_sky = _first(smooth, kind, cls, what)
            assert np.all(np.isfinite(masked))
            assert np.all(masked > open_sky + 60.0), (cls, what)
    # the airborne early warning radar looks over the ridge: it sees them at launch
    assert np.all(_first(terrain, "sensor", "cruise", "aew") == 0.0)


def test_high_drones_pass_over_the_gun_belt(valley: tuple[Any, Any]) -> None:
    terrain, _ = valley
    assert np.all(np.isinf(_first(terrain, "unit", "shahed-high", "gun-belt-e")))
    assert np.all(np.isfinite(_first(terrain, "unit", "shahed-low", "gun-belt-e")))


def test_the_example_runs_the_same_in_both_engines(valley: tuple[Any, Any]) -> None:
    from iadsim.engine import run_replications

    terrain, _ = valley
    reps = np.arange(3)
    fast = run_replications(terrain, reps, seed=1, engine="fast")
    reference = run_replications(terrain, reps, seed=1, engine="reference")
    for name in ("fate", "time", "cause", "shots"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(reference, name))
    shots = fast.shots.sum(axis=0)
    # every kind of defender gets to fire: the CAP, the helicopter, the relocating group
    for unit in ("cap", "helicopter", "mobile-group", "sam"):
        assert shots[terrain.unit_ids.index(unit)] > 0, unit


# --- hostile elevation grids (binary files the text corpus cannot write) -----------------------
# Run like tests/hostile/*.yaml: through the real entry point in tests/hostile_runner.py, each in
# a forked child with a time limit and a check on the growth of its peak memory.

RUNNER = TESTS / "hostile_runner.py"
MEMORY_MB = 300.0
"""No case may grow the process's peak memory by more than this (the huge grids are 1 GB+)."""

WORLD = """schema_version: 1
name: hostile grid (fictional)
duration: 3 h
{origin}threat_classes:
  drone: {{preset: shahed-136-class}}
assets:
  - {{id: depot, position: [0 km, 0 km], value: 10, hardness: soft}}
sensors:
  - {{id: radar, kind: radar, position: [0 km, {radar} km], range: 100 km, height: 10 m,
     scan_period: 1 s, pd: 1.0}}
raids:
  - {{id: d, threat: drone, count: 2, launch: {{sites: [[0 km, {site} km]], start: "+0 s"}},
     targets: {{depot: 1}}}}
terrain: {terrain}
"""

LOCAL = "{file: grid.npy, crs: local, transform: [-50000, 1000, 0, 50000, 0, -1000]}"
"""A 100 x 100 grid of 1 km cells centred on the origin, for the .npy cases."""


def _npy(data: Any, **kwargs: Any) -> Any:
    def write(folder: Path) -> None:
        np.save(folder / "grid.npy", data, **kwargs)

    return write


def _sparse_npy(shape: tuple[int, int]) -> Any:
    def write(folder: Path) -> None:  # a valid header over a sparse file: no disk, no memory
        grid = np.lib.format.open_memmap(folder / "grid.npy", mode="w+", dtype="<f8", shape=shape)
        del grid

    return write


def _truncated_npy(folder: Path) -> None:
    with open(folder / "grid.npy", "wb") as fh:
        np.lib.format.write_array_header_1_0(
            fh, {"descr": "<f8", "fortran_order": False, "shape": (5000, 5000)}
        )
        fh.write(b"\0" * 64)


def _tif(
    width: int = 50,
    height: int = 50,
    crs: str | None = "EPSG:4326",
    west: float = 29.5,
    north: float = 50.5,
    cell: float = 0.02,
    value: float = 200.0,
    nodata: float | None = None,
    sparse: bool = False,
) -> Any:
    def write(folder: Path) -> None:
        import rasterio
        from rasterio.transform import Affine

        profile: dict[str, Any] = {
            "driver": "GTiff",
            "width": width,
            "height": height,
            "count": 1,
            "dtype": "float32",
            "transform": Affine(cell, 0.0, west, 0.0, -cell, north),
            "nodata": nodata,
        }
        if crs is not None:
            profile["crs"] = crs
        if sparse:
            profile.update(tiled=True, blockxsize=512, blockysize=512, compress="deflate")
            profile["SPARSE_OK"] = "TRUE"
        with rasterio.open(folder / "grid.tif", "w", **profile) as dst:
            if not sparse:
                dst.write(np.full((1, height, width), value, dtype=np.float32))

    return write


GRIDS: list[tuple[str, Any, dict[str, str], int, list[str]]] = [
    # id, writer, scenario fields, exit, stderr fragments
    ("npy-3d", _npy(np.zeros((3, 4, 5))), {}, 2, ["terrain.file", "2-d array", "3-d"]),
    ("npy-of-text", _npy(np.array([["a", "b"]])), {}, 2, ["terrain.file", "2-d array"]),
    ("npy-of-booleans", _npy(np.ones((4, 4), dtype=bool)), {}, 2, ["terrain.file", "of bool"]),
    ("npy-of-complex", _npy(np.ones((4, 4), dtype=complex)), {}, 2, ["terrain.file", "complex"]),
    (
        "npy-holding-a-pickle",
        _npy(np.array([[{"x": 1}, None]], dtype=object), allow_pickle=True),
        {},
        2,
        ["terrain.file", "not a numpy array of numbers", "allow_pickle=false"],
    ),
    ("npy-truncated", _truncated_npy, {}, 2, ["terrain.file"]),
    (
        "npy-huge",
        _sparse_npy((12_000, 12_000)),
        {},
        2,
        ["terrain.file", "the limit is", "crop"],
    ),
    (
        "npy-not-covering-a-sensor",
        _npy(np.full((100, 100), 150.0)),
        {"radar": "80"},
        2,
        ["sensors.0.position", "does not cover (0.0 km, 80.0 km)"],
    ),
    (
        "npy-without-data-under-a-sensor",
        _npy(np.concatenate([np.full((20, 100), np.nan), np.full((80, 100), 150.0)])),
        {"radar": "45"},
        2,
        ["sensors.0.position", "does not cover", "no data there"],
    ),
    (  # threats come from far off the grid: a smooth sea-level earth there
        "npy-launch-site-off-the-grid",
        _npy(np.full((100, 100), 150.0)),
        {"site": "300"},
        0,
        [],
    ),
    (
        "npy-crs-unreadable",
        _npy(np.full((100, 100), 150.0)),
        {"terrain": LOCAL.replace("local", "'EPSG:999999'"), "origin": "{lat: 50, lon: 30}"},
        2,
        ["terrain.crs", "cannot read the crs"],
    ),
    (
        "npy-crs-nonsense",
        _npy(np.full((100, 100), 150.0)),
        {"terrain": LOCAL.replace("local", "'+proj=nonsense'"), "origin": "{lat: 50, lon: 30}"},
        2,
        ["terrain.crs", "cannot read the crs"],
    ),
    (
        "npy-geographic-without-origin",
        _npy(np.full((100, 100), 150.0)),
        {"terrain": "{file: grid.npy, crs: 'EPSG:4326', transform: [29, 0.02, 0, 51, 0, -0.02]}"},
        2,
        ["terrain", "needs the scenario's `origin`"],
    ),
    ("npy-all-nan", _npy(np.full((100, 100), np.nan)), {}, 2, ["terrain.file", "no elevation"]),
    (
        "npy-infinite",
        _npy(np.where(np.eye(100) > 0, np.inf, 150.0)),
        {},
        2,
        ["terrain.file", "infinite"],
    ),
    (
        "npy-elevations-in-millimetres",
        _npy(np.full((100, 100), 150_000.0)),
        {},
        2,
        ["terrain.file", "expected metres above sea level"],
    ),
    (
        "npy-south-up",
        _npy(np.full((100, 100), 150.0)),
        {"terrain": "{file: grid.npy, crs: local, transform: [-50000, 1000, 0, -50000, 0, 1000]}"},
        2,
        ["terrain.transform", "north up"],
    ),
    (
        "npy-local-cells-not-square",
        _npy(np.full((100, 100), 150.0)),
        {"terrain": "{file: grid.npy, crs: local, transform: [-50000, 1000, 0, 50000, 0, -500]}"},
        2,
        ["terrain.transform", "square cells"],
    ),
    ("tif-without-crs", _tif(crs=None), {"terrain": "{file: grid.tif}"}, 2, ["no crs"]),
    (
        "tif-huge",
        _tif(width=20_000, height=20_000, cell=0.0001, sparse=True),
        {"terrain": "{file: grid.tif}", "origin": "{lat: 50, lon: 30}"},
        2,
        ["terrain.file", "400,000,000 cells", "crop it"],
    ),
    (
        "tif-reprojected-too-fine",
        _tif(),
        {"terrain": "{file: grid.tif, resolution: 1 m}", "origin": "{lat: 50, lon: 30}"},
        2,
        ["terrain.resolution", "coarsen `resolution`"],
    ),
    (
        "tif-not-covering-the-area",
        _tif(west=30.5, north=50.1, width=10, height=10),
        {"terrain": "{file: grid.tif}", "origin": "{lat: 50, lon: 30}"},
        2,
        ["assets.0.position", "does not cover"],
    ),
    (
        "tif-all-nodata",
        _tif(value=-9999.0, nodata=-9999.0),
        {"terrain": "{file: grid.tif}", "origin": "{lat: 50, lon: 30}"},
        2,
        ["terrain.file", "no elevation"],
    ),
    (
        "tif-across-the-globe",
        _tif(west=-150.0, north=-30.0),
        {"terrain": "{file: grid.tif}", "origin": "{lat: 50, lon: 30}"},
        2,
        ["terrain"],
    ),
    (
        "tif-valid-utm",
        _tif(
            crs="EPSG:32636", west=200_000.0, north=5_620_000.0, cell=1000.0, width=160, height=160
        ),
        {"terrain": "{file: grid.tif}", "origin": "{lat: 50, lon: 30}"},
        0,
        [],
    ),
]


@pytest.fixture(scope="module")
def grid_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    import json
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("grids")
    jobs = []
    for name, write, fields, _, _ in GRIDS:
        folder = root / name
        folder.mkdir()
        write(folder)
        text = WORLD.format(
            origin=f"origin: {fields['origin']}\n" if "origin" in fields else "",
            radar=fields.get("radar", "0"),
            site=fields.get("site", "40"),
            terrain=fields.get("terrain", LOCAL),
        )
        (folder / "s.yaml").write_text(text, encoding="utf-8")
        jobs.append({"id": name, "args": ["validate", str(folder / "s.yaml")], "timeout": 60.0})
    proc = subprocess.run(
        [sys.executable, str(RUNNER)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {r["id"]: r for r in map(json.loads, proc.stdout.splitlines())}


@pytest.mark.parametrize(
    ("name", "code", "fragments"), [(g[0], g[3], g[4]) for g in GRIDS], ids=[g[0] for g in GRIDS]
)
def test_hostile_grid(
    name: str, code: int, fragments: list[str], grid_results: dict[str, dict[str, Any]]
) -> None:
    result = grid_results[name]
    where = f"{name}: exit {result['exit']}, stderr:\n{result['stderr'][-2000:]}"
    assert not result["timed_out"], where
    assert result["rss_growth_mb"] <= MEMORY_MB, (name, result["rss_growth_mb"])
    assert "Traceback" not in result["stderr"], where
    assert result["exit"] == code, where
    stderr = " ".join(result["stderr"].split()).lower()
    if code == 2:
        ours = [line for line in result["stderr"].splitlines() if line.startswith("error: ")]
        assert len(ours) == 1 and stderr.count("error:") == 1, where
        assert "s.yaml" in ours[0], where
    for fragment in fragments:
        assert fragment.lower() in stderr, f"missing {fragment!r} in {where}"


@pytest.mark.parametrize("name", ["shahed-136-high-class", "geran-3-class"])
def test_high_drones_climb_at_their_rate(name: str) -> None:
    """A waypoint asking for 1 km more is reached at the class's climb rate, then held."""
    cls = ThreatClass.model_validate({"preset": name})
    assert cls.climb_rate is not None
    higher = f"{cls.altitude + 1000.0:g} m"
    waypoint = Waypoint.model_validate({"position": ["0 km", "100 km"], "altitude": higher})
    ground = [(0.0, 200e3), (0.0, 100e3), (0.0, 0.0)]
    _, _, zs, ts = (np.array(v) for v in threat_trajectory(cls, ground, [waypoint], 0.0))
    top = int(np.argmax(zs >= cls.altitude + 1000.0))
    assert ts[top] - ts[1] == pytest.approx(1000.0 / cls.climb_rate)
    assert zs[-2] == pytest.approx(cls.altitude + 1000.0)  # held until the dive
