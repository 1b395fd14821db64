"""One input layer: every input file kind has a model, a schema_version, migrations, a schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iadsim.errors import ScenarioError, SweepError
from iadsim.runner import build_sweep
from iadsim.scenario import versions
from iadsim.scenario.load import read_raw
from iadsim.scenario.sweep import SweepFile
from iadsim.scenario.versions import CURRENT, KINDS, MIGRATIONS, json_schema, migrate

from repo_paths import EXAMPLES

EXAMPLE = EXAMPLES / "single_battery.yaml"


def _undescribed(kind: str) -> list[str]:
    document = json_schema(kind)
    missing = []
    for name, definition in [(kind, document), *document.get("$defs", {}).items()]:
        for field, spec in (definition.get("properties") or {}).items():
            if not spec.get("description"):
                missing.append(f"{name}.{field}")
    return missing


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_json_schema_with_its_version(kind: str) -> None:
    document = json_schema(kind)
    assert document["$schema"].endswith("2020-12/schema")
    assert document["x-iadsim-kind"] == kind
    assert document["x-iadsim-schema-version"] == CURRENT[kind]
    assert "schema_version" in document["properties"]
    assert document["additionalProperties"] is False  # unknown fields are refused
    json.dumps(document)  # plain JSON


@pytest.mark.parametrize("kind", ["sweep", "laydown", "procurement"])
def test_every_field_has_a_description(kind: str) -> None:
    assert _undescribed(kind) == []


def test_the_sweep_schema_documents_its_distributions() -> None:
    document = json_schema("sweep")
    vary = document["$defs"]["RandomSpec"]["properties"]["vary"]
    shapes = vary["additionalProperties"]["oneOf"]
    assert [next(iter(s["properties"])) for s in shapes] == [
        "uniform",
        "log_uniform",
        "integers",
        "choice",
    ]
    assert document["properties"]["set"]["description"]  # the file's name, not "fixed"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="expected one of scenario, sweep"):
        json_schema("sweeps")


# --- versions and migrations ---------------------------------------------------------------


@pytest.fixture
def version_two(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Pretend the sweep format is at version 2; version 1 called `replications` `runs`."""
    calls: dict[str, Any] = {"n": 0}

    def one_to_two(raw: dict[str, Any]) -> dict[str, Any]:
        calls["n"] += 1
        out = dict(raw)
        if "runs" in out:
            out["replications"] = out.pop("runs")
        return out

    monkeypatch.setitem(CURRENT, "sweep", 2)
    monkeypatch.setitem(MIGRATIONS["sweep"], 1, one_to_two)
    return calls


def test_an_older_file_is_migrated_before_validation(
    tmp_path: Path, version_two: dict[str, Any]
) -> None:
    raw = {"schema_version": 1, "scenario": "s.yaml", "runs": 7}
    out = migrate(raw, kind="sweep", source="w.yaml")
    assert out == {"schema_version": 2, "scenario": "s.yaml", "replications": 7}
    assert raw["schema_version"] == 1 and "runs" in raw  # the caller's data is not changed
    assert version_two["n"] == 1
    assert migrate(out, kind="sweep", source="w.yaml") is out  # current: untouched


def test_a_newer_file_is_a_clear_error(tmp_path: Path) -> None:
    file = tmp_path / "w.yaml"
    file.write_text(f"scenario: {EXAMPLE}\nschema_version: 7\n")
    with pytest.raises(SweepError) as info:
        build_sweep(file)
    message = str(info.value)
    assert message.startswith(f"{file}: invalid sweep: field `schema_version` (line 2)")
    assert "version 7 is newer than this iadsim reads (1); upgrade iadsim" in message


@pytest.mark.parametrize(
    ("version", "words"),
    [("one", "expected an integer, e.g. 1, got 'one'"), ("true", "got true"), ("0", "from 1 to 1")],
)
def test_a_version_that_is_not_one_is_named(tmp_path: Path, version: str, words: str) -> None:
    file = tmp_path / "w.yaml"
    file.write_text(f"scenario: {EXAMPLE}\nschema_version: {version}\n")
    with pytest.raises(SweepError, match="`schema_version`") as info:
        build_sweep(file)
    assert words in str(info.value).replace("True", "true")


def test_a_missing_migration_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CURRENT, "laydown", 3)
    monkeypatch.setitem(MIGRATIONS["laydown"], 2, lambda raw: raw)
    with pytest.raises(ScenarioError) as info:
        migrate({"schema_version": 1}, kind="laydown", source="l.yaml")
    message = str(info.value)
    assert message.startswith("l.yaml: invalid laydown: field `schema_version`")
    assert "no migration from version 1 of the laydown format to 2" in message


def test_read_raw_migrates_every_kind_by_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iadsim.errors import CampaignError

    seen = []

    def step(raw: dict[str, Any]) -> dict[str, Any]:
        seen.append(raw["name"])
        return {**raw, "name": raw["name"].upper()}

    monkeypatch.setitem(CURRENT, "campaign", 2)
    monkeypatch.setitem(MIGRATIONS["campaign"], 1, step)
    file = tmp_path / "c.yaml"
    file.write_text("schema_version: 1\nname: night\n")
    data, lines = read_raw(file, error=CampaignError)
    assert data == {"schema_version": 2, "name": "NIGHT"} and seen == ["night"]
    assert lines["name"] == 2
    raw, _ = read_raw(file, error=CampaignError, kind="")  # as written
    assert raw["schema_version"] == 1


def test_the_scenario_migration_table_is_the_shared_one() -> None:
    from iadsim.scenario.load import MIGRATIONS as SCENARIO_MIGRATIONS

    assert SCENARIO_MIGRATIONS is versions.MIGRATIONS["scenario"]


def test_a_scenario_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    from iadsim.scenario import load_scenario

    text = EXAMPLE.read_text().replace("schema_version: 1", "schema_version: 2")
    file = tmp_path / "s.yaml"
    file.write_text(text)
    with pytest.raises(ScenarioError, match=r"`schema_version` \(line \d+\): version 2 is newer"):
        load_scenario(file)


# --- the sweep file ------------------------------------------------------------------------


def test_sweep_version_defaults_to_current_and_the_old_name_is_read(tmp_path: Path) -> None:
    file = tmp_path / "w.yaml"
    file.write_text(f"scenario: {EXAMPLE}\ngrid: {{raids.0.count: [1, 2]}}\n")
    plain = build_sweep(file)
    file.write_text(f"sweep_version: 1\nscenario: {EXAMPLE}\ngrid: {{raids.0.count: [1, 2]}}\n")
    assert build_sweep(file).sweep_id == plain.sweep_id
    file.write_text(f"sweep_version: 5\nscenario: {EXAMPLE}\n")
    with pytest.raises(SweepError, match=r"`schema_version` \(line 1\): version 5 is newer"):
        build_sweep(file)


def test_sweep_errors_carry_line_numbers_and_list_the_fields(tmp_path: Path) -> None:
    file = tmp_path / "w.yaml"
    file.write_text(
        f"scenario: {EXAMPLE}\nreplications: 5\nrandom:\n  points: 2\n  sede: 3\n"
        "  vary: {a.b: {uniform: [0, 1]}}\ncolour: red\n"
    )
    with pytest.raises(SweepError) as info:
        build_sweep(file)
    message = str(info.value)
    assert "field `random.sede` (line 5): unknown field (random has points, seed, vary)" in message
    assert "field `colour` (line 7): unknown field (a sweep file has schema_version" in message


def test_an_option_is_checked_like_the_file_field(tmp_path: Path) -> None:
    file = tmp_path / "w.yaml"
    file.write_text(f"scenario: {EXAMPLE}\nreplications: 5\n")
    with pytest.raises(SweepError) as info:
        build_sweep(file, replications=0)
    message = str(info.value)
    # the option replaced the file's value: no line number of the file's field
    assert "field `replications`: expected a whole number of at least 1" in message
    assert "(line" not in message


def test_grid_and_random_may_not_share_a_path(tmp_path: Path) -> None:
    file = tmp_path / "w.yaml"
    file.write_text(
        f"scenario: {EXAMPLE}\ngrid: {{raids.0.count: [1, 2]}}\n"
        "random: {points: 2, vary: {raids.0.count: {integers: [1, 5]}}}\n"
    )
    with pytest.raises(SweepError, match="both a grid axis and a random field"):
        build_sweep(file)


def test_the_model_reads_a_file_on_its_own() -> None:
    model = SweepFile.model_validate(
        {
            "scenario": "s.yaml",
            "set": ["doctrine.reaction_time=8 s"],
            "random": {"points": 3, "vary": {"a.b": {"uniform": ["1 km", "2 km"]}}},
        }
    )
    assert model.fixed == {"doctrine.reaction_time": "8 s"}
    assert model.random is not None
    dist = model.random.vary["a.b"]
    assert (dist.kind, dist.args, dist.unit) == ("uniform", (1, 2), "km")
    assert model.replications == 200 and model.schema_version == CURRENT["sweep"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_schema_command_prints_each_kind(kind: str) -> None:
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    result = CliRunner().invoke(app, ["schema", "--kind", kind])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == json_schema(kind)


def test_the_schema_command_names_a_wrong_kind() -> None:
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    result = CliRunner().invoke(app, ["schema", "--kind", "x" * 500])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --kind: expected one of scenario, sweep, campaign")
    assert len(result.stderr) < 200


@pytest.mark.parametrize("kind", KINDS)
def test_each_model_reads_the_current_version(kind: str) -> None:
    """The version table and the models agree: a model validates only the current version."""
    from iadsim.scenario.models import SCHEMA_VERSION

    assert json_schema(kind)["properties"]["schema_version"]["const"] == CURRENT[kind]
    assert CURRENT["scenario"] == SCHEMA_VERSION
