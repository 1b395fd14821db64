"""Reading files within limits: hostile YAML and JSON end in a clear error, fast and small.

In-process checks of :mod:`iadsim.scenario.load` (the reader every scenario,
sweep, campaign, laydown and procurement file goes through) and of ``--set``
values: alias expansion, nesting depth, size, duplicate keys, tags, dates, and
the messages that name the file type.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from iadsim import limits
from iadsim.errors import (
    CampaignError,
    LaydownError,
    ProcurementError,
    ScenarioError,
    SweepError,
)
from iadsim.scenario import apply_overrides, load_scenario, read_raw
from iadsim.scenario.campaign import load_campaign
from iadsim.scenario.laydown import load_laydown
from iadsim.scenario.load import parse_value, read_document
from iadsim.scenario.procurement import load_procurement

BASE = """schema_version: 1
name: Hardening base (fictional)
start: "00:00"
duration: 2 h
threat_classes:
  drone: {preset: shahed-136-class}
assets:
  - {id: depot, position: [0 km, 0 km], value: 10, hardness: soft}
sensors:
  - {id: radar, kind: radar, position: [0 km, 0 km], range: 100 km, height: 10 m,
     scan_period: 1 s, pd: 1.0}
fire_units:
  - {id: battery, kind: sam, position: [0 km, 0 km], min_range: 1 km, max_range: 20 km,
     channels: 1, rounds: 20, reserve: 0, reload_time: 30 min,
     interceptor_speed: 1000 m/s, pk: {drone: 0.7}, cost_per_shot: 100000 USD}
raids:
  - id: drones
    threat: drone
    count: 10
    launch: {sites: [[-100 km, 0 km]], start: "00:00", end: "00:45"}
    targets: {depot: 1}
"""

LAUGHS = "".join(
    f"{a}: &{a} [{', '.join(['*' + b] * 10) if b else ', '.join(['x'] * 10)}]\n"
    for a, b in zip("abcdefghi", ["", *"abcdefgh"], strict=True)
)
"""Nine lines, a kilobyte: 10^9 values once every alias is expanded."""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, *words: str, error: type[ScenarioError] = ScenarioError) -> str:
    """Read ``path``; it must fail with one ScenarioError naming the file and ``words``."""
    started = time.monotonic()
    with pytest.raises(error) as info:
        read_raw(path, error=error)
    assert time.monotonic() - started < 5.0
    message = str(info.value)
    assert message.startswith(f"{path}: invalid {error.what}")
    for word in words:
        assert word in message, (word, message)
    return message


# --- aliases ---------------------------------------------------------------------------------


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    refused(write(tmp_path, "laughs.yaml", LAUGHS), "100,000 values", "alias", "line 5")
    assert time.monotonic() - started < 1.0


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    refused(write(tmp_path, "r.yaml", "a: &a [1, *a]\n"), "recursive alias", "*a")


def test_alias_whose_expansion_is_too_deep_is_refused(tmp_path: Path) -> None:
    text = "".join(
        f"a{k}: &a{k} [[[[[[[[[[{'*a' + str(k - 1) if k else 'x'}]]]]]]]]]]\n" for k in range(12)
    )
    refused(write(tmp_path, "d.yaml", text), "64 levels", "once the alias")


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (limits.MAX_ALIASES + 1)) + "]\n"
    refused(write(tmp_path, "many.yaml", text), f"{limits.MAX_ALIASES:,} YAML aliases")


def test_moderate_aliases_and_merge_keys_still_work(tmp_path: Path) -> None:
    text = BASE.replace(
        "    targets: {depot: 1}\n",
        "    targets: {depot: 1}\n    route: &route {waypoints: [[-50 km, 0 km]], jitter: 1 km}\n",
    )
    text += (
        "  - id: more\n    threat: drone\n    count: 5\n"
        '    launch: {sites: [[-100 km, 0 km]], start: "00:00", end: "00:45"}\n'
        "    targets: {depot: 1}\n    route: *route\n"
        "doctrine: &d {decision_cycle: 1 s}\n"
    )
    path = write(tmp_path, "ok.yaml", text)
    scenario = load_scenario(path)
    assert scenario.raids[1].route == scenario.raids[0].route
    merged = write(tmp_path, "merge.yaml", "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  z: 3\n")
    data, _ = read_raw(merged)
    assert data["other"] == {"z": 3, "x": 1, "y": 2}


# --- depth and size --------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_yaml_is_refused_not_a_recursion_error(tmp_path: Path, depth: int) -> None:
    refused(write(tmp_path, "deep.yaml", "a: " + "[" * depth), "nested more than 64")


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_json_is_refused_not_a_recursion_error(tmp_path: Path, depth: int) -> None:
    text = '{"a": ' + "[" * depth + "]" * depth + "}"
    refused(write(tmp_path, "deep.json", text), "nested", "64")


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    depth = limits.MAX_DEPTH - 1  # the top-level mapping is one level
    data, _ = read_raw(write(tmp_path, "ok.yaml", "a: " + "[" * depth + "]" * depth + "\n"))
    node = data["a"]
    for _ in range(depth - 1):
        node = node[0]
    assert node == []


def test_file_above_the_size_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:  # sparse: 1 GB on paper
        handle.truncate(2**30)
    refused(path, "larger than", f"{limits.MAX_FILE_BYTES:,} bytes")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_input_is_refused() -> None:
    with pytest.raises(ScenarioError, match="larger than"):
        read_raw("/dev/zero")


def test_too_many_values_json(tmp_path: Path) -> None:
    text = '{"a": [' + "1," * (limits.MAX_NODES + 10) + "1]}"
    refused(write(tmp_path, "many.json", text), "100,000 values")


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\u00e9\n".encode("latin-1"))
    refused(path, "not UTF-8")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, "folder")


# --- keys, values and tags -------------------------------------------------------------------


def test_duplicate_key_yaml(tmp_path: Path) -> None:
    refused(write(tmp_path, "d.yaml", "name: a\nname: b\n"), "'name' appears twice", "line 2")


def test_duplicate_key_json(tmp_path: Path) -> None:
    refused(write(tmp_path, "d.json", '{"a": {"x": 1, "x": 2}}'), "'x' appears twice")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(tmp_path: Path, constant: str) -> None:
    refused(write(tmp_path, "n.json", '{"a": ' + constant + "}"), constant)


def test_integer_of_thousands_of_digits(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "i.yaml", "a: " + "9" * 5000 + "\n"), "4300 digits")
    assert "sys." not in message
    refused(write(tmp_path, "i.json", '{"a": ' + "9" * 5000 + "}"), "4300 digits")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!python/object/apply:os.system [echo]", "!!python/object/apply:os.system"),
        ("!!set {a, b}", "!!set"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!custom 3", "!custom"),
    ],
)
def test_tags_are_refused(tmp_path: Path, value: str, shown: str) -> None:
    refused(write(tmp_path, "t.yaml", f"name: {value}\n"), shown, "not supported")


def test_unquoted_dates_stay_as_written(tmp_path: Path) -> None:
    data, _ = read_raw(write(tmp_path, "d.yaml", "a: 2025-01-01\nb: 2025-01-01 18:00:00\n"))
    assert data == {"a": "2025-01-01", "b": "2025-01-01 18:00:00"}
    path = write(tmp_path, "s.yaml", BASE.replace('start: "00:00"', "start: 2025-01-01"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "got '2025-01-01'" in message and "datetime" not in message


def test_read_document_returns_lines(tmp_path: Path) -> None:
    data, lines = read_document(write(tmp_path, "s.yaml", BASE))
    assert data["raids"][0]["count"] == 10
    assert lines["raids.0.count"] == 19


# --- --set values ----------------------------------------------------------------------------


def small() -> dict[str, Any]:
    return json.loads(json.dumps(read_raw_text(BASE)))


def read_raw_text(text: str) -> dict[str, Any]:
    from iadsim.scenario.load import _load_yaml, _plain

    data: dict[str, Any] = _plain(_load_yaml(text), (), {})
    return data


@pytest.mark.parametrize("text", ["[unclosed", '"unclosed', "{a: 1", "a: b: c"])
def test_set_value_that_is_not_yaml_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="not valid YAML"):
        parse_value(text)
    with pytest.raises(ScenarioError) as info:
        apply_overrides(small(), [f"name={text}"], source="s.yaml")
    assert info.value.problems[0][0] == "name"
    assert "not valid YAML" in str(info.value)


def test_set_value_limits() -> None:
    with pytest.raises(ValueError, match="nested more than 64"):
        parse_value("[" * 1000)
    with pytest.raises(ValueError, match="100,000 values"):
        parse_value("{" + LAUGHS.strip().replace("\n", ", ") + "}")
    with pytest.raises(ValueError, match="65,536 bytes"):
        parse_value("x" * (limits.MAX_OVERRIDE_BYTES + 1))


def test_set_values_that_are_yaml_still_work() -> None:
    assert parse_value("1000") == 1000
    assert parse_value("150 km") == "150 km"
    assert parse_value("[1 km, 2 km]") == ["1 km", "2 km"]
    assert parse_value("18:00") == "18:00"
    assert parse_value("2025-01-01") == "2025-01-01"
    assert parse_value("") is None


@pytest.mark.parametrize("index", ["-1", "-0", "+0", "0x0", "\u0660", "1" * 20])
def test_set_refuses_indices_other_than_0_to_n_minus_1(index: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_overrides(small(), [f"raids.{index}.count=3"], source="s.yaml")
    assert f"raids.{index}" == info.value.problems[0][0]
    assert "expected an index from 0 to 0" in str(info.value)


def test_set_path_depth_is_limited() -> None:
    with pytest.raises(ScenarioError, match="100 parts"):
        apply_overrides(small(), [".".join(["a"] * 100) + "=1"])
    deep = apply_overrides(small(), [".".join(["a"] * 10) + "=1"])  # made, then refused by
    assert isinstance(deep["a"], dict)  # the scenario format as an unknown field


# --- every file type names itself ------------------------------------------------------------


@pytest.mark.parametrize(
    "error", [ScenarioError, SweepError, CampaignError, LaydownError, ProcurementError]
)
def test_reading_errors_name_the_file_type(tmp_path: Path, error: type[ScenarioError]) -> None:
    refused(write(tmp_path, "x.yaml", LAUGHS), f"invalid {error.what}", error=error)
    with pytest.raises(error, match=f"expected a mapping of {error.what} fields"):
        read_raw(write(tmp_path, "l.yaml", "- 1\n"), error=error)
    with pytest.raises(error, match=f"empty; expected {error.what} fields"):
        read_raw(write(tmp_path, "e.yaml", ""), error=error)


def planning_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "s": write(tmp_path, "s.yaml", BASE),
        "c": write(
            tmp_path,
            "c.yaml",
            "schema_version: 1\nname: c\ndefence: s.yaml\ndays: 5\n"
            "schedule: [{day: 1, scale: 1}]\nstockpiles: {sam: 30}\n",
        ),
        "l": write(
            tmp_path,
            "l.yaml",
            "schema_version: 1\nname: l\nscenario: s.yaml\nremove: [battery]\n"
            "place: [{unit: {preset: gepard-class}, count: 1}]\nreplications: 5\n"
            "sites: [{id: a, position: [1 km, 0 km]}, {id: b, position: [0 km, 1 km]}]\n",
        ),
        "p": write(
            tmp_path,
            "p.yaml",
            "schema_version: 1\nname: p\ncampaign: c.yaml\n"
            "catalogue: [{id: lot, interceptors: sam, lot: 5, cost: 1 MUSD, lead_time: 1, "
            "max: 3}]\nbudget: 10 MUSD\nbound: {metric: leaked, kind: owa_drone, max: 5}\n"
            "replications: 4\n",
        ),
    }
    return files


def test_planning_files_load(tmp_path: Path) -> None:
    files = planning_files(tmp_path)
    load_campaign(files["c"])
    load_laydown(files["l"])
    load_procurement(files["p"])


@pytest.mark.parametrize(
    ("key", "loader", "what"),
    [
        ("c", load_campaign, "campaign"),
        ("l", load_laydown, "laydown"),
        ("p", load_procurement, "procurement"),
    ],
)
def test_unknown_field_names_the_file_type(
    tmp_path: Path, key: str, loader: Any, what: str
) -> None:
    path = planning_files(tmp_path)[key]
    path.write_text(path.read_text() + "colour: red\n")
    with pytest.raises(ScenarioError) as info:
        loader(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid {what}")
    assert f"not part of the {what} format" in message
    assert "scenario format" not in message


def test_an_error_is_a_paragraph_not_a_dump() -> None:
    problems = [(f"f{k}", "x" * 5000) for k in range(100)]
    message = str(ScenarioError("s.yaml", problems))
    assert message.startswith("s.yaml: invalid scenario (100 problems)")
    assert "and 80 more" in message
    assert len(message) < 25_000
    assert "`f19`" in message and "`f20`" not in message


def test_long_user_strings_are_shortened_in_messages(tmp_path: Path) -> None:
    long = "x" * 100_000
    path = write(tmp_path, "s.yaml", BASE.replace("threat: drone", f"threat: {long}"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(str(info.value)) < 2_000
