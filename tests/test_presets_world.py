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

EXAMPLES = Path(__file__).parent.parent / "examples"

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
