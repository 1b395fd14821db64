"""Bad input: every malformed scenario gets one clear paragraph, exit code 2, no traceback.

Each case writes a small valid scenario with one thing wrong, runs the real
``iadsim`` command in a subprocess (``validate`` and ``run -n 2``) and checks
that stderr is a single paragraph starting with ``error:`` that names the file,
the dotted field path and what was expected.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from iadsim.errors import IadsimError, ScenarioError
from iadsim.scenario import load_scenario, parse_scenario

BASE: dict[str, Any] = {
    "schema_version": 1,
    "name": "Bad input base (fictional)",
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


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def to_yaml(data: Any) -> str:
    stream = io.StringIO()
    YAML().dump(data, stream)
    return stream.getvalue()


@dataclass(frozen=True)
class Case:
    """One malformed scenario and what its error must say."""

    id: str
    field: str
    """Dotted field path the message must name; ``""`` for a problem with the whole file."""
    expect: tuple[str, ...] = ()
    """Words the message must hold (case-insensitive): what was expected or found."""
    change: Callable[[dict[str, Any]], Any] | None = None
    text: str | None = None
    """The file's whole text, for files that are not a scenario mapping at all."""
    suffix: str = ".yaml"
    args: tuple[str, ...] = ()
    missing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, tmp_path: Path) -> Path:
        path = tmp_path / f"{self.id}{self.suffix}"
        if self.missing:
            return path
        if self.text is not None:
            path.write_text(self.text, encoding="utf-8")
            return path
        data = base()
        if self.change is not None:
            self.change(data)
        body = json.dumps(data, indent=2) if self.suffix == ".json" else to_yaml(data)
        path.write_text(body, encoding="utf-8")
        return path


def raid(data: dict[str, Any]) -> dict[str, Any]:
    return data["raids"][0]


def sensor(data: dict[str, Any]) -> dict[str, Any]:
    return data["sensors"][0]


CASES = [
    # wrong types
    Case(
        "count-not-a-number",
        "raids.0.count",
        ("integer", "'many'"),
        lambda d: raid(d).update(count="many"),
    ),
    Case(
        "count-boolean", "raids.0.count", ("integer", "True"), lambda d: raid(d).update(count=True)
    ),
    Case(
        "count-wrong-type-json",
        "raids.0.count",
        ("integer", "'many'"),
        lambda d: raid(d).update(count="many"),
        suffix=".json",
    ),
    Case(
        "raid-not-a-mapping",
        "raids.0",
        ("mapping", "'wave'"),
        lambda d: d["raids"].__setitem__(0, "wave"),
    ),
    Case(
        "hardness-not-allowed",
        "assets.0.hardness",
        ("'soft', 'medium' or 'hard'", "'squishy'"),
        lambda d: d["assets"][0].update(hardness="squishy"),
    ),
    Case(
        "id-with-space",
        "assets.0.id",
        ("id of letters", "'power plant'"),
        lambda d: d["assets"][0].update(id="power plant"),
    ),
    # unknown fields
    Case("unknown-top-level-field", "colour", ("unknown field",), lambda d: d.update(colour="red")),
    Case(
        "unknown-nested-field",
        "sensors.0.colour",
        ("unknown field",),
        lambda d: sensor(d).update(colour="red"),
    ),
    # quantities and units
    Case(
        "bare-number-needs-unit",
        "sensors.0.range",
        ("length", "unit", "150 km"),
        lambda d: sensor(d).update(range=150),
    ),
    Case(
        "wrong-dimension",
        "sensors.0.range",
        ("length", "'10 s'"),
        lambda d: sensor(d).update(range="10 s"),
    ),
    Case(
        "unreadable-quantity",
        "sensors.0.range",
        ("could not read", "'ten km'", "length"),
        lambda d: sensor(d).update(range="ten km"),
    ),
    Case(
        "position-three-values",
        "assets.0.position",
        ("[east, north]", "3 values"),
        lambda d: d["assets"][0].update(position=["1 km", "2 km", "3 km"]),
    ),
    # counts and ranges of values
    Case(
        "negative-count",
        "raids.0.count",
        ("greater than or equal to 1", "-5"),
        lambda d: raid(d).update(count=-5),
    ),
    Case(
        "zero-count",
        "raids.0.count",
        ("greater than or equal to 1", "got 0"),
        lambda d: raid(d).update(count=0),
    ),
    Case(
        "pk-above-one",
        "fire_units.0.pk.drone",
        ("less than or equal to 1", "1.5"),
        lambda d: d["fire_units"][0].update(pk={"drone": 1.5}),
    ),
    Case(
        "pk-above-one-json",
        "fire_units.0.pk.drone",
        ("less than or equal to 1", "1.5"),
        lambda d: d["fire_units"][0].update(pk={"drone": 1.5}),
        suffix=".json",
    ),
    # presets and references
    Case(
        "unknown-threat-preset",
        "threat_classes.drone.preset",
        ("unknown threat preset", "'nope'", "shahed-136-class"),
        lambda d: d["threat_classes"]["drone"].update(preset="nope"),
    ),
    Case(
        "unknown-fire-unit-preset",
        "fire_units.0.preset",
        ("unknown fire unit preset", "patriot-class"),
        lambda d: d["fire_units"][0].update(preset="patriot"),
    ),
    Case(
        "unknown-asset-in-targets",
        "raids.0.targets.nowhere",
        ("unknown target", "'nowhere'", "plant", "sensor, fire unit or command post"),
        lambda d: raid(d).update(targets={"nowhere": 1}),
    ),
    Case(
        "unknown-threat-class-in-raid",
        "raids.0.threat",
        ("unknown threat class", "'jet'", "drone"),
        lambda d: raid(d).update(threat="jet"),
    ),
    Case(
        "unknown-pk-key",
        "fire_units.0.pk.jets",
        ("unknown key", "owa_drone"),
        lambda d: d["fire_units"][0].update(pk={"jets": 0.5}),
    ),
    Case(
        "duplicate-asset-id",
        "assets.1.id",
        ("duplicate id", "'plant'"),
        lambda d: d["assets"].append(dict(d["assets"][0])),
    ),
    Case(
        "latlon-without-origin",
        "assets.0.position",
        ("origin",),
        lambda d: d["assets"][0].update(position={"lat": 50.0, "lon": 30.0}),
    ),
    Case(
        "ew-site-with-rounds",
        "fire_units.1.rounds",
        ("EW site",),
        lambda d: d["fire_units"].append(
            {"id": "ew-1", "preset": "ew-site", "position": ["0 km", "0 km"], "rounds": 4}
        ),
    ),
    # empty and missing
    Case("empty-raids", "raids", ("must not be empty",), lambda d: d.update(raids=[])),
    Case(
        "empty-targets",
        "raids.0.targets",
        ("must not be empty",),
        lambda d: raid(d).update(targets={}),
    ),
    Case("missing-duration", "duration", ("required",), lambda d: d.pop("duration")),
    Case("missing-launch", "raids.0.launch", ("required",), lambda d: raid(d).pop("launch")),
    # times
    Case(
        "clock-25h",
        "raids.0.launch.start",
        ("time of day", "'25:00'"),
        lambda d: raid(d)["launch"].update(start="25:00"),
    ),
    Case(
        "launch-end-before-start",
        "raids.0.launch.end",
        ("before the launch start",),
        lambda d: raid(d)["launch"].update(end="17:00"),
    ),
    Case("arrives-after-end", "raids.0", ("duration", "wave"), lambda d: d.update(duration="1 h")),
    # versions
    Case(
        "schema-version-99",
        "schema_version",
        ("99", "newer"),
        lambda d: d.update(schema_version=99),
    ),
    Case(
        "schema-version-text",
        "schema_version",
        ("integer",),
        lambda d: d.update(schema_version="one"),
    ),
    # not a scenario mapping at all
    Case("not-yaml", "", ("not valid YAML", "line 1"), text="{unclosed: ["),
    Case("tab-indented-yaml", "", ("not valid YAML", "line 2"), text="name: x\n\tduration: 6 h\n"),
    Case("top-level-list", "", ("mapping", "a list"), text="- schema_version: 1\n- name: x\n"),
    Case("empty-file", "", ("empty",), text=""),
    Case(
        "invalid-json",
        "",
        ("not valid JSON", "line 2"),
        text='{"schema_version": 1,\n  "name": }\n',
        suffix=".json",
    ),
    Case("missing-file", "", ("no such file",), missing=True),
    # --set overrides
    Case(
        "set-index-out-of-range",
        "raids.5",
        ("raids.5.count=3", "index from 0 to 0"),
        args=("--set", "raids.5.count=3"),
    ),
    Case(
        "set-wrong-type",
        "raids.0.count",
        ("integer", "'many'"),
        args=("--set", "raids.0.count=many"),
    ),
    Case("set-without-equals", "", ("path=value",), args=("--set", "raids.0.count")),
    Case("set-into-plain-value", "name.x", ("plain value",), args=("--set", "name.x=1")),
]


def check_error(result: Any, path: Path, case: Case) -> None:
    """One paragraph on stderr naming the file, the field path and what was expected."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    err = result.stderr
    assert "Traceback" not in err
    message = err.strip("\n")
    assert message.startswith("error:"), err
    assert len(message.splitlines()) == 1, f"not one paragraph: {err!r}"
    assert str(path) in message
    if case.field:
        assert f"`{case.field}`" in message, message
    for word in case.expect:
        assert word.lower() in message.lower(), (word, message)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_scenario_gives_one_paragraph_and_exit_2(tmp_path: Path, cli: Any, case: Case) -> None:
    path = case.write(tmp_path)
    validate, run = cli(
        ["validate", path, *case.args],
        ["run", path, "-n", "2", *case.args],
    )
    check_error(validate, path, case)
    check_error(run, path, case)
    assert validate.stderr.strip() == run.stderr.strip()


@pytest.mark.parametrize("case", [CASES[0], CASES[-4]], ids=lambda c: c.id)
def test_run_json_format_gives_the_same_error(tmp_path: Path, cli: Any, case: Case) -> None:
    path = case.write(tmp_path)
    (result,) = cli(["run", path, "-n", "2", "--format", "json", *case.args])
    check_error(result, path, case)
    assert result.stderr.startswith("error:")


def test_run_table_format_error_starts_stderr(tmp_path: Path, cli: Any) -> None:
    case = CASES[0]
    path = case.write(tmp_path)
    (result,) = cli(["run", path, "-n", "2"])
    assert result.returncode == 2
    assert result.stderr.startswith("error:")


def test_several_problems_share_one_paragraph(tmp_path: Path, cli: Any) -> None:
    data = base()
    raid(data)["count"] = "many"
    sensor(data)["range"] = 150
    path = tmp_path / "two.yaml"
    path.write_text(to_yaml(data), encoding="utf-8")
    (result,) = cli(["validate", path])
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "(2 problems)" in message
    assert "`raids.0.count`" in message
    assert "`sensors.0.range`" in message


def test_message_gives_the_line_of_the_field(tmp_path: Path) -> None:
    text = to_yaml(base()).replace("count: 10", "count: many")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "count: many" in row)
    path = tmp_path / "lined.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert f"field `raids.0.count` (line {line})" in str(info.value)


def test_overridden_field_does_not_point_at_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(to_yaml(base()), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=["raids.0.count=many"])
    assert "field `raids.0.count`:" in str(info.value)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_python_api_raises_scenario_error_with_problems(tmp_path: Path, case: Case) -> None:
    path = case.write(tmp_path)
    overrides = [case.args[1]] if case.args else []
    if case.id == "arrives-after-end":
        from iadsim.compile import compile_scenario

        scenario = load_scenario(path)
        with pytest.raises(ScenarioError) as info:
            compile_scenario(scenario, source=path)
    else:
        with pytest.raises(ScenarioError) as info:
            load_scenario(path, overrides=overrides)
    error = info.value
    assert isinstance(error, IadsimError)
    assert error.source == str(path)
    assert case.field in [p for p, _ in error.problems]
    assert str(path) in str(error)


def test_parse_scenario_of_a_dict_names_the_source() -> None:
    data = base()
    raid(data)["count"] = -1
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, source="inline")
    assert info.value.problems[0][0] == "raids.0.count"
    assert str(info.value).startswith("inline: invalid scenario")


def test_base_scenario_is_valid(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(to_yaml(base()), encoding="utf-8")
    validate, run = cli(["validate", path], ["run", path, "-n", "2", "--format", "json"])
    assert validate.returncode == 0, validate.stderr
    assert "valid scenario" in validate.stdout
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)
