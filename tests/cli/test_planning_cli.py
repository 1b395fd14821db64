"""Planning commands: files resolved against their scenario, output paths checked first,
progress on stderr only, pure JSON, tables at 80 columns, intervals inside the support."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from iadsim.errors import ScenarioError
from iadsim.planning import campaign_work, run_campaign
from iadsim.planning.laydown import optimize_laydown
from iadsim.planning.procurement import search
from iadsim.scenario.campaign import Campaign
from iadsim.scenario.laydown import Laydown
from iadsim.scenario.procurement import Procurement

from conftest import run_cli
from scenarios import base, unit


def defence() -> dict[str, Any]:
    raw = base(salvo={"default": 1})
    raw["raids"][0]["count"] = 10
    raw["fire_units"] = [
        unit("sam-1", -30, pk=0.7, rounds=6, reserve=6, **{"class": "sam-class"}),
    ]
    return raw


def campaign_data(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "tiny",
        "defence": "defence.json",
        "days": 4,
        "schedule": [{"day": d, "scale": 1.0} for d in range(1, 5)],
        "stockpiles": {"sam-class": 6},
    }
    data.update(fields)
    return data


def laydown_data(**fields: Any) -> dict[str, Any]:
    placed = {k: v for k, v in unit("x", 0, pk=0.7).items() if k != "position"}
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "tiny laydown",
        "scenario": "defence.json",
        "remove": ["sam-1"],
        "place": [{"unit": placed, "count": 1}],
        "sites": [
            {"id": "on-route", "position": ["-30 km", "0 km"]},
            {"id": "far-away", "position": ["-30 km", "60 km"]},
        ],
        "replications": 20,
    }
    data.update(fields)
    return data


def procurement_data(**fields: Any) -> dict[str, Any]:
    gun = unit("gun", -10, pk=0.4, rounds=20, **{"class": "gun-class"})
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "tiny procurement",
        "campaign": "campaign.json",
        "catalogue": [
            {
                "id": "sam-lot",
                "interceptors": "sam-class",
                "lot": 6,
                "cost": "3 MUSD",
                "lead_time": 0,
                "max": 2,
            },
            {"id": "gun", "fire_unit": gun, "cost": "5 MUSD", "lead_time": 1, "max": 1},
        ],
        "budget": "100 MUSD",
        "bound": {"metric": "leaked", "max": 1e9, "confidence": 0.9},
        "replications": 6,
    }
    data.update(fields)
    return data


def write(folder: Path, **files: dict[str, Any]) -> None:
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(
        tmp_path,
        **{
            "defence.json": defence(),
            "campaign.json": campaign_data(),
            "laydown.json": laydown_data(),
            "procurement.json": procurement_data(),
        },
    )
    return tmp_path


# --- progress callbacks -------------------------------------------------------------------------


def test_campaign_progress_counts_replication_nights() -> None:
    campaign = Campaign.model_validate(campaign_data(defence=defence()))
    seen: list[int] = []
    run_campaign(campaign, defence(), replications=5, seed=1, progress=seen.append)
    assert seen == [5] * 4 and sum(seen) == campaign_work(campaign, 5) == 20


def test_laydown_progress_goes_through_every_stage() -> None:
    plan = Laydown.model_validate(laydown_data(scenario=defence()))
    told: list[tuple[int, int | None, str]] = []
    result, _ = optimize_laydown(plan, defence(), seed=2, progress=lambda *a: told.append(a))
    stages = list(dict.fromkeys(what for _, _, what in told))
    assert stages[0] == "baseline" and stages[-1] == "verifying"
    assert any("MILP" in s for s in stages) and any("coverage" in s for s in stages)
    assert (20, 20, "baseline") in told and (20, 20, "verifying") in told
    assert result.choice == {"0": ["on-route"]} and result.gap == 0.0


def test_procurement_progress_names_each_plan() -> None:
    campaign = Campaign.model_validate(campaign_data(defence=defence()))
    plan = Procurement.model_validate(procurement_data(bound={"metric": "leaked", "max": 0.0}))
    told: list[tuple[int, int | None, str]] = []
    found = search(plan, campaign, defence(), seed=1, progress=lambda *a: told.append(a))
    plans = list(dict.fromkeys(what for _, _, what in told))
    assert len(plans) == len(found.evaluated) and plans[0] == "plan 1: buy nothing"
    assert all(total == 6 * 4 for _, total, _ in told)
    assert {(done, what) for done, _, what in told} >= {(24, p) for p in plans}


# --- resolution errors (API) --------------------------------------------------------------------


def test_laydown_remove_of_an_unknown_unit_names_the_field_and_the_units() -> None:
    plan = Laydown.model_validate(laydown_data(scenario=defence(), remove=["sam-1", "nope"]))
    with pytest.raises(ScenarioError) as caught:
        optimize_laydown(plan, defence(), source="l.yaml")
    text = str(caught.value)
    assert "l.yaml: invalid laydown" in text and "`remove.1`" in text
    assert "'nope'" in text and "sam-1" in text


def test_laydown_unit_problems_point_at_the_laydown_fields() -> None:
    data = laydown_data(scenario=defence())
    data["place"][0]["unit"]["channels"] = 0
    with pytest.raises(ScenarioError) as caught:
        optimize_laydown(Laydown.model_validate(data), defence(), source="l.yaml")
    assert [path for path, _ in caught.value.problems] == ["place.0.unit.channels"]
    data = laydown_data(scenario=defence())
    data["sites"][1]["position"] = {"lat": 50.0, "lon": 30.0}  # the scenario has no origin
    with pytest.raises(
        ScenarioError, match=r"l\.yaml: invalid laydown: field `sites\.1\.position`"
    ):
        optimize_laydown(Laydown.model_validate(data), defence(), source="l.yaml")


def test_campaign_problems_name_the_campaign_file() -> None:
    campaign = Campaign.model_validate(campaign_data(defence=defence(), stockpiles={"nope": 3}))
    with pytest.raises(ScenarioError, match=r"c\.yaml: invalid campaign: field `stockpiles\.nope`"):
        run_campaign(campaign, defence(), replications=2, seed=0, source="c.yaml")
    bad = defence()
    bad["raids"][0]["count"] = -1
    campaign = Campaign.model_validate(campaign_data(defence=bad))
    with pytest.raises(ScenarioError, match=r"invalid campaign: field `defence\.raids\.0\.count`"):
        run_campaign(campaign, bad, replications=2, seed=0, source="c.yaml")


def test_campaign_too_large_for_memory_is_refused_before_any_work() -> None:
    campaign = Campaign.model_validate(campaign_data(defence=defence()))
    start = time.monotonic()
    with pytest.raises(ScenarioError, match="memory"):
        run_campaign(campaign, defence(), replications=10**12, seed=0, source="c.yaml")
    assert time.monotonic() - start < 5


def test_procurement_resolution_errors() -> None:
    campaign = Campaign.model_validate(campaign_data(defence=defence()))
    data = procurement_data(bound={"metric": "leaked", "kind": "hypersonic", "max": 3})
    data["catalogue"][0]["interceptors"] = "gun-class"
    data["catalogue"][1]["fire_unit"]["pk"] = {"drone": 7}
    plan = Procurement.model_validate(data)
    with pytest.raises(ScenarioError) as caught:
        search(plan, campaign, defence(), procurement_source="p.yaml")
    text = str(caught.value)
    assert text.startswith("p.yaml: invalid procurement")
    fields = [path for path, _ in caught.value.problems]
    assert "bound.kind" in fields and "catalogue.0.interceptors" in fields
    assert any(f.startswith("catalogue.1.fire_unit.pk") for f in fields), fields
    assert "owa_drone" in text and "sam-class" in text


# --- the commands -------------------------------------------------------------------------------


def _lines_fit(text: str, width: int = 80) -> None:
    too_long = [line for line in text.splitlines() if len(line.rstrip()) > width]
    assert not too_long, too_long


def test_commands_print_pure_json_and_80_column_tables(folder: Path) -> None:
    env = {**os.environ, "COLUMNS": "80"}
    commands = [
        ["campaign", folder / "campaign.json", "-n", "6", "-f", "json"],
        ["optimize", "laydown", folder / "laydown.json", "-f", "json", "--seed", str(2**64 - 1)],
        ["optimize", "procurement", folder / "procurement.json", "-f", "json"],
    ]
    results = run_cli(*commands)
    for result in results:
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)  # one JSON document, nothing else
    summary = json.loads(results[0].stdout)
    for fate in ("destroyed", "lost_to_ew", "leaked"):
        e = summary["totals"][fate]["owa_drone"]
        assert 0 <= e["lo"] <= e["mean"] <= e["hi"] <= summary["launched"]["owa_drone"]
    laydown = json.loads(results[1].stdout)
    assert laydown["choice"] == [{"place": 0, "unit": "sam", "sites": ["on-route"]}]
    assert laydown["without_units"]["leaked"]["lo"] >= 0
    table_free = ("-f", "json")
    tables = [
        subprocess.run(
            [
                sys.executable,
                "-m",
                "iadsim.cli",
                *[str(a) for a in args if a not in table_free],
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        for args in commands
    ]
    for result in tables:
        assert result.returncode == 0, result.stderr
        _lines_fit(result.stdout)
    assert "[95% CI]" in tables[0].stdout and "sam-class" in tables[0].stdout
    assert "on-route" in tables[1].stdout and "paired" in tables[1].stdout
    assert "trade-off" in tables[2].stdout


def test_progress_goes_to_a_terminal_stderr_and_never_to_stdout(folder: Path) -> None:
    parent, child = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "iadsim.cli", "campaign", str(folder / "campaign.json"),
             "-n", "50", "-f", "json"],
            stdout=subprocess.PIPE,
            stderr=child,
            text=True,
        )  # fmt: skip
        os.close(child)
        seen = b""
        while True:
            try:
                chunk = os.read(parent, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(parent)
    assert proc.returncode == 0
    json.loads(out)
    assert b"replication-nights" in seen


def test_output_paths_are_checked_before_the_work(folder: Path) -> None:
    laydown = folder / "laydown.json"
    cases = [
        (["--out", folder / "missing" / "x.yaml"], ["--out", "does not exist"]),
        (["--geojson", folder], ["--geojson", "folder"]),
        (["--out", laydown], ["--out", "input"]),
        (["--out", folder / "defence.json"], ["--out", "input"]),
        (["--out", folder / "a.yaml", "--geojson", folder / "a.yaml"], ["--geojson", "--out"]),
    ]
    before = laydown.read_text()
    start = time.monotonic()
    results = run_cli(*[["optimize", "laydown", laydown, *args] for args, _ in cases])
    assert time.monotonic() - start < 60
    for (args, fragments), result in zip(cases, results, strict=True):
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("error:"), result.stderr
        for fragment in fragments:
            assert fragment in result.stderr, (args, result.stderr)
    assert laydown.read_text() == before


def test_command_errors_name_the_planning_file(folder: Path) -> None:
    write(
        folder,
        **{
            "c2.json": campaign_data(stockpiles={"nope": 3}),
            "l2.json": laydown_data(remove=["nope"]),
            "p2.json": procurement_data(bound={"metric": "leaked", "kind": "cruise_missile",
                                               "max": 3}),
        },
    )  # fmt: skip
    results = run_cli(
        ["campaign", folder / "c2.json", "-n", "2"],
        ["optimize", "laydown", folder / "l2.json"],
        ["optimize", "procurement", folder / "p2.json"],
        ["campaign", folder / "campaign.json", "--seed", str(2**64)],
    )
    expected = [
        ["c2.json: invalid campaign", "stockpiles.nope", "sam-class"],
        ["l2.json: invalid laydown", "remove.0", "'nope'", "sam-1"],
        ["p2.json: invalid procurement", "bound.kind", "cruise_missile", "owa_drone"],
        ["--seed"],
    ]
    for fragments, result in zip(expected, results, strict=True):
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        for fragment in fragments:
            assert fragment in result.stderr, (fragment, result.stderr)


def test_written_laydown_is_a_valid_scenario(folder: Path) -> None:
    out, geo = folder / "chosen.yaml", folder / "chosen.geojson"
    (result,) = run_cli(
        ["optimize", "laydown", folder / "laydown.json", "--out", out, "--geojson", geo]
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    (check,) = run_cli(["validate", out])
    assert check.returncode == 0, check.stderr
    features = json.loads(geo.read_text())["features"]
    assert any(f["properties"]["id"] == "sam-on-route" for f in features)


def test_estimates_print_to_the_digits_their_interval_supports() -> None:
    from iadsim.cli.campaign import estimate_text

    assert estimate_text({"mean": 703.2, "lo": 678.4, "hi": 729.9}) == "703 [678, 730]"
    assert estimate_text({"mean": 1.83, "lo": 0.71, "hi": 4.12}) == "1.8 [0.7, 4.1]"
    assert estimate_text({"mean": 0.0123, "lo": 0.001, "hi": 0.03}) == "0.012 [0.001, 0.030]"
    assert estimate_text({"mean": 20.0, "lo": 20.0, "hi": 20.0}) == "20"
    assert estimate_text({"mean": 4.5, "lo": None, "hi": None}) == "4.50"
    assert estimate_text({"mean": -18.2, "lo": -28.1, "hi": -7.3}) == "-18 [-28, -7]"
    assert estimate_text({"mean": 2.25e9, "lo": 2.24e9, "hi": 2.26e9}, money=True) == (
        "$2.25B [$2.24B, $2.26B]"
    )
