"""Scenario files that are right: units, presets, overrides, the schema and the sketch."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from iadsim.errors import ScenarioError
from iadsim.scenario import (
    FIRE_UNIT_PRESETS,
    SENSOR_PRESETS,
    THREAT_PRESETS,
    FireUnit,
    Scenario,
    Sensor,
    ThreatClass,
    apply_overrides,
    load_scenario,
    parse_scenario,
    read_raw,
)
from iadsim.scenario.units import (
    AREA,
    DURATION,
    LENGTH,
    MONEY,
    SPEED,
    TimePoint,
    parse_quantity,
)

# The scenario of DESIGN.md, "Scenario file sketch", as written there.
DESIGN_SKETCH = """\
schema_version: 1
name: Capital night raid (fictional geography)
origin: {lat: 50.0, lon: 30.0}        # optional; positions are east/north of it
duration: 14 h
threat_classes:                        # a preset fills every field; any may be overridden
  owa_drone: {preset: shahed-136-class}
  decoy:     {preset: gerbera-class}
  ballistic: {preset: iskander-m-class}
assets:
  - {id: power-plant, position: [3 km, -2 km], value: 100, hardness: medium}
sensors:
  - {id: radar-north, kind: radar, position: [0 km, 20 km], range: 150 km,
     height: 20 m, scan_period: 10 s, pd: 0.9}
fire_units:
  - {id: lr-1,  preset: patriot-class,  position: [0 km, 5 km], rounds: 16}
  - {id: team-7, kind: manpads, position: [2 km, 9 km], max_range: 6 km,
     rounds: 6, pk: {owa_drone: 0.5, decoy: 0.5}, cost_per_shot: 120000 USD}
  - {id: gun-3, preset: gepard-class,   position: [8 km, 2 km]}
  - {id: ew-1,  preset: ew-site,        position: [-10 km, 0 km]}
raids:
  - id: drones
    threat: owa_drone
    count: 480
    launch: {sites: [[-400 km, 300 km]], start: 18:00, end: "02:00+1", spacing: uniform}
    route: {waypoints: [[-60 km, 80 km]], jitter: 5 km}
    targets: {power-plant: 1}
doctrine:
  policy: greedy                       # greedy | cost_aware | exact
  decision_cycle: 2 s
  reaction_time: 10 s
  mode: shoot-look-shoot
  salvo: {ballistic: 2, default: 1}
  authority: {patriot-class: [ballistic, cruise_missile, hypersonic]}
"""

SMALL = {
    "schema_version": 1,
    "name": "Small (fictional)",
    "duration": "6 h",
    "threat_classes": {"drone": {"preset": "shahed-136-class"}},
    "assets": [{"id": "plant", "position": ["0 km", "0 km"], "value": 10, "hardness": "medium"}],
    "sensors": [
        {
            "id": "radar-1",
            "kind": "radar",
            "position": ["0 km", "0 km"],
            "range": "150 km",
            "height": "20 m",
            "scan_period": "10 s",
            "pd": 0.9,
        }
    ],
    "fire_units": [{"id": "sam-1", "preset": "nasams-class", "position": ["0 km", "2 km"]}],
    "raids": [
        {
            "id": "wave",
            "threat": "drone",
            "count": 10,
            "launch": {"sites": [["-100 km", "0 km"]], "start": "18:00", "end": "19:00"},
            "targets": {"plant": 1},
        }
    ],
}


def small(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(SMALL))
    data.update(changes)
    return data


@pytest.fixture
def sketch(tmp_path: Path) -> Path:
    path = tmp_path / "sketch.yaml"
    path.write_text(DESIGN_SKETCH, encoding="utf-8")
    return path


# --- units


@pytest.mark.parametrize(
    ("text", "dim", "expected"),
    [
        ("150 km", LENGTH, 150_000.0),
        ("20 m", LENGTH, 20.0),
        ("-2 km", LENGTH, -2000.0),
        ("185 km/h", SPEED, 185 / 3.6),
        ("1400 m/s", SPEED, 1400.0),
        ("10 s", DURATION, 10.0),
        ("30 min", DURATION, 1800.0),
        ("14 h", DURATION, 50_400.0),
        ("0.1 m^2", AREA, 0.1),
        ("0.1 m²", AREA, 0.1),
        ("4 MUSD", MONEY, 4e6),
        ("120 kUSD", MONEY, 120_000.0),
        ("120000 USD", MONEY, 120_000.0),
    ],
)
def test_quantities_parse_to_si(text: str, dim: Any, expected: float) -> None:
    assert parse_quantity(text, dim) == pytest.approx(expected, rel=1e-12)


def test_speed_in_km_per_hour() -> None:
    assert parse_quantity("185 km/h", SPEED) == pytest.approx(51.388888888, rel=1e-9)


# --- presets


def test_preset_fills_every_field_and_the_file_overrides_one() -> None:
    unit = FireUnit.model_validate(
        {"id": "lr-1", "preset": "patriot-class", "position": ["0 km", "5 km"], "rounds": 8}
    )
    preset = FIRE_UNIT_PRESETS["patriot-class"]
    assert unit.rounds == 8
    assert unit.reserve == preset["reserve"]
    assert unit.channels == preset["channels"]
    assert unit.max_range == 65_000.0
    assert unit.cost_per_shot == 4e6
    assert unit.pk == preset["pk"]
    assert unit.unit_class == "patriot-class"
    assert unit.kind == "sam"


def test_threat_preset_override_keeps_the_rest() -> None:
    threat = ThreatClass.model_validate({"preset": "shahed-136-class", "speed": "150 km/h"})
    assert threat.speed == pytest.approx(150 / 3.6)
    assert threat.altitude == 500.0
    assert threat.kind == "owa_drone"


def test_kind_alone_gets_generic_fields() -> None:
    unit = FireUnit.model_validate(
        {
            "id": "team-7",
            "kind": "manpads",
            "position": ["2 km", "9 km"],
            "max_range": "6 km",
            "rounds": 6,
            "pk": {"owa_drone": 0.5},
            "cost_per_shot": "120000 USD",
        }
    )
    assert unit.unit_class == "manpads"
    assert unit.channels == 1
    assert unit.min_range == 200.0


def test_preset_null_means_no_preset() -> None:
    sensor = Sensor.model_validate({**SMALL["sensors"][0], "preset": None})
    assert sensor.range == 150_000.0


ALL_PRESETS = [
    *(("threat", name) for name in THREAT_PRESETS),
    *(("fire unit", name) for name in FIRE_UNIT_PRESETS),
    *(("sensor", name) for name in SENSOR_PRESETS),
]


@pytest.mark.parametrize(("what", "name"), ALL_PRESETS, ids=[n for _, n in ALL_PRESETS])
def test_every_preset_names_its_source_and_validates(what: str, name: str) -> None:
    table = {"threat": THREAT_PRESETS, "fire unit": FIRE_UNIT_PRESETS, "sensor": SENSOR_PRESETS}
    source = table[what][name]["source"]
    assert "pproximate" in source or "ssumption" in source
    data = small()
    fields = table[what][name]
    # a preset cannot hold an orbit: an aircraft, or a sensor looking down, is given one
    airborne = fields.get("kind") == "aircraft" or fields.get("field_of_regard") is not None
    orbit = {
        "centre": ["0 km", "20 km"],
        "length": "20 km",
        "width": "8 km",
        "heading": 90,
        "speed": "600 km/h",
        "altitude": "6 km",
        "start": "+0 s",
    }
    extra = {"motion": {"orbit": orbit}} if airborne else {}
    if what == "threat":
        data["threat_classes"]["drone"] = {"preset": name}
    elif what == "fire unit":
        unit = {"id": "extra", "preset": name, "position": ["1 km", "1 km"], **extra}
        data["fire_units"].append(unit)
    else:
        sensor = {"id": "extra", "preset": name, "position": ["1 km", "1 km"], **extra}
        data["sensors"].append(sensor)
    scenario = parse_scenario(data)
    if what == "threat":
        assert scenario.threat_classes["drone"].source == source
    elif what == "fire unit":
        assert scenario.fire_units[-1].source == source
    else:
        assert scenario.sensors[-1].source == source


# --- the DESIGN.md sketch and YAML details


def test_design_sketch_loads(sketch: Path) -> None:
    scenario = load_scenario(sketch)
    assert scenario.start is None  # optional: the earliest launch sets the clock
    assert scenario.start_clock == 18 * 3600
    assert scenario.duration == 14 * 3600
    assert scenario.origin is not None and scenario.origin.lat == 50.0
    raid = scenario.raids[0]
    assert raid.count == 480
    assert raid.launch.start == TimePoint(18 * 3600.0, False)
    assert raid.launch.end == TimePoint(26 * 3600.0, False)
    assert raid.route.jitter == 5000.0
    assert scenario.assets[0].position == (3000.0, -2000.0)
    units = {u.id: u for u in scenario.fire_units}
    assert units["lr-1"].rounds == 16
    assert units["team-7"].cost_per_shot == 120_000.0
    assert units["ew-1"].is_ew
    assert scenario.doctrine.salvo == {"ballistic": 2, "default": 1}


def test_design_sketch_validates_on_the_command_line(sketch: Path, cli: Any) -> None:
    (result,) = cli(["validate", sketch])
    assert result.returncode == 0, result.stderr
    assert "valid scenario" in result.stdout


def test_unquoted_clock_time_is_yaml_1_2_string(tmp_path: Path) -> None:
    # YAML 1.1 would read 18:00 as the sexagesimal integer 1080
    raw, _ = read_raw(_write(tmp_path, DESIGN_SKETCH))
    assert raw["raids"][0]["launch"]["start"] == "18:00"
    text = DESIGN_SKETCH.replace('end: "02:00+1"', "end: 19:30")
    scenario = load_scenario(_write(tmp_path, text))
    assert scenario.raids[0].launch.start == TimePoint(64_800.0, False)
    assert scenario.raids[0].launch.end == TimePoint(70_200.0, False)


def test_yaml_no_is_a_string_not_false(tmp_path: Path) -> None:
    raw, _ = read_raw(_write(tmp_path, "name: no\nflag: yes\n"))
    assert raw == {"name": "no", "flag": "yes"}


def test_json_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small()), encoding="utf-8")
    assert load_scenario(path).raids[0].count == 10


def test_launch_offset_after_start(tmp_path: Path) -> None:
    data = small(start="17:00")
    data["raids"][0]["launch"] = {"sites": [["-100 km", "0 km"]], "start": "30 min"}
    scenario = parse_scenario(data)
    assert scenario.start_clock == 17 * 3600
    assert scenario.raids[0].launch.start == TimePoint(1800.0, True)


def test_dump_loads_back_the_same(sketch: Path) -> None:
    scenario = load_scenario(sketch)
    again = parse_scenario(scenario.model_dump(mode="json", by_alias=True))
    assert again == scenario


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- overrides


def test_overrides_nested_paths_and_list_indices(sketch: Path) -> None:
    raw, _ = read_raw(sketch)
    changed = apply_overrides(
        raw,
        [
            "raids.0.count=1000",
            "sensors.0.range=200 km",
            "fire_units.3.position=[1 km, 2 km]",
            "doctrine.salvo.owa_drone=2",
            "raids.0.launch.start=19:00",
            "start=17:00",
        ],
    )
    assert changed["raids"][0]["count"] == 1000
    assert changed["sensors"][0]["range"] == "200 km"
    assert changed["fire_units"][3]["position"] == ["1 km", "2 km"]
    assert changed["doctrine"]["salvo"] == {"ballistic": 2, "default": 1, "owa_drone": 2}
    assert raw["raids"][0]["count"] == 480  # the original is left alone
    scenario = parse_scenario(changed)
    assert scenario.raids[0].count == 1000
    assert scenario.sensors[0].range == 200_000.0
    assert scenario.fire_units[3].position == (1000.0, 2000.0)
    assert scenario.raids[0].launch.start == TimePoint(19 * 3600.0, False)
    assert scenario.start_clock == 17 * 3600


@pytest.mark.parametrize("index", ["-1", "-4", "+1", "1.0", "²", "9" * 5000])
def test_override_refuses_a_list_index_that_is_not_0_to_n_minus_1(index: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_overrides(small(), [f"raids.{index}.count=3"])
    assert "not an index; expected an index from 0 to 0" in str(info.value)


def test_override_creates_a_missing_section() -> None:
    changed = apply_overrides(small(), ["doctrine.reaction_time=5 s"])
    assert parse_scenario(changed).doctrine.reaction_time == 5.0


def test_load_scenario_applies_overrides(sketch: Path) -> None:
    scenario = load_scenario(sketch, overrides=["raids.0.count=12", "duration=20 h"])
    assert scenario.raids[0].count == 12
    assert scenario.duration == 20 * 3600


# --- JSON Schema and the informational commands


def test_json_schema_describes_the_file() -> None:
    document = Scenario.model_json_schema(by_alias=True)
    text = json.dumps(document)
    assert json.loads(text) == document
    assert {"raids", "fire_units", "threat_classes", "duration"} <= set(document["properties"])
    assert "class" in document["$defs"]["FireUnit"]["properties"]
    assert document["$defs"]["Sensor"]["properties"]["range"]["type"] == "string"


def test_schema_command(cli: Any) -> None:
    (result,) = cli(["schema"])
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert "raids" in document["properties"]
    assert document["$schema"].startswith("https://json-schema.org/")


def test_presets_commands(cli: Any) -> None:
    table, as_json = cli(["presets"], ["presets", "--format", "json"])
    assert table.returncode == 0, table.stderr
    assert "patriot-class" in table.stdout
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert set(document["threat"]) == set(THREAT_PRESETS)
    assert set(document["fire unit"]) == set(FIRE_UNIT_PRESETS)
    assert set(document["sensor"]) == set(SENSOR_PRESETS)


def test_small_scenario_written_by_ruamel_loads(tmp_path: Path) -> None:
    stream = io.StringIO()
    YAML().dump(small(), stream)
    scenario = load_scenario(_write(tmp_path, stream.getvalue()))
    assert scenario.fire_units[0].unit_class == "nasams-class"
