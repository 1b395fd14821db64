"""Every ``--format json`` command prints exactly one JSON document on stdout, nothing else.

Libraries that print banners or logs on stdout (HiGHS prints "Running HiGHS ..."
from its constructor) would break programs reading the output; so would a stray
progress line. Each command runs as a subprocess on small inputs and its whole
stdout must parse with ``json.loads``. A last check walks the command tree so
that a new command with a json format cannot be left out of this test.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from iadsim.cli import app
from iadsim.wta import ahuja_instance, solve, write_json

from scenarios import base, unit

WTA_TEXT = "2 3 1\n10\n20\n30\n0 0 0.5\n0 1 0.25\n0 2 0.1\n1 0 0.9\n1 1 0.8\n1 2 0.7\n"
RAIDS_HEADER = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"

CALIBRATE_SCENARIO = {
    "schema_version": 1,
    "name": "small national defence (json test)",
    "start": "18:00",
    "duration": "10 h",
    "threat_classes": {"ballistic": {"preset": "iskander-m-class"}},
    "assets": [{"id": "city", "position": ["0 km", "0 km"], "value": 100, "hardness": "medium"}],
    "sensors": [{"id": "radar", "preset": "surveillance-radar", "position": ["40 km", "0 km"]}],
    "fire_units": [
        {"id": "lr", "preset": "patriot-class", "position": ["3 km", "0 km"], "max_range": "35 km"}
    ],
    "raids": [
        {
            "id": "ballistic",
            "threat": "ballistic",
            "count": 2,
            "launch": {"sites": [["300 km", "-100 km"]], "start": "02:00+1", "end": "02:10+1"},
            "targets": {"city": 1},
        }
    ],
    "doctrine": {"decision_cycle": "2 s", "reaction_time": "10 s", "salvo": {"default": 2}},
}


def _defence() -> dict[str, Any]:
    raw = base(salvo={"default": 1})
    raw["raids"][0]["count"] = 6
    raw["fire_units"] = [unit("sam-1", -30, pk=0.7, rounds=6, reserve=6, **{"class": "sam-class"})]
    return raw


def _inputs(folder: Path) -> dict[str, Path]:
    """Small input files of every kind, written into ``folder``."""
    paths: dict[str, Path] = {}

    def put(name: str, text: str) -> None:
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")

    put("scenario.json", json.dumps(_defence()))
    campaign = {
        "schema_version": 1,
        "name": "tiny",
        "defence": _defence(),
        "days": 3,
        "schedule": [{"day": d, "scale": 1.0} for d in range(1, 4)],
        "stockpiles": {"sam-class": 6},
    }
    put("campaign.json", json.dumps(campaign))
    gun = unit("gun", -10, pk=0.4, rounds=20, **{"class": "gun-class"})
    procurement = {
        "schema_version": 1,
        "name": "tiny",
        "campaign": "campaign.json",
        "catalogue": [
            {"id": "sam-lot", "interceptors": "sam-class", "lot": 6, "cost": "3 MUSD",
             "lead_time": 0, "max": 2},
            {"id": "gun", "fire_unit": gun, "cost": "5 MUSD", "lead_time": 1, "max": 1},
        ],
        "budget": "100 MUSD",
        "bound": {"metric": "leaked", "max": 1e9, "confidence": 0.9},
        "replications": 4,
    }  # fmt: skip
    put("procurement.json", json.dumps(procurement))
    put("national.json", json.dumps(CALIBRATE_SCENARIO))
    lines = []
    for night in range(12):  # 2025-05-01 .. 2025-05-12, two to four missiles a night
        day = dt.date(2025, 5, 1) + dt.timedelta(days=night)
        launched = 2 + night % 3
        lines.append(
            f"{day} 19:00,{day + dt.timedelta(days=1)} 07:00,Iskander-M/KN-23,{launched},"
            f"{launched // 2},,kpszsu/posts/{night}"
        )
    put("raids.csv", RAIDS_HEADER + "\n".join(lines) + "\n")
    paths["wta.json"] = folder / "wta.json"
    write_json(ahuja_instance(8, seed=1), paths["wta.json"])
    put("wta.txt", WTA_TEXT)
    return paths


def _commands(paths: dict[str, Path], store: Path, cache: Path) -> dict[str, list[Any]]:
    """argv (after ``iadsim``) of every json command that needs no stored results."""
    # fmt: off
    commands: dict[str, list[Any]] = {
        "run": ["run", paths["scenario.json"], "-n", "20", "--seed", "1"],
        "presets": ["presets"],
        "campaign": ["campaign", paths["campaign.json"], "-n", "4", "--seed", "1"],
        "optimize procurement": ["optimize", "procurement", paths["procurement.json"]],
        "history load": ["history", "load", paths["raids.csv"], "--rejected"],
        "calibrate": [
            "calibrate", paths["raids.csv"], "--scenario", paths["national.json"],
            *["--train", "2025-05-01:2025-05-08", "--test", "2025-05-09:2025-05-12"],
            *["--night", "2025-05-10", "--kind", "ballistic_missile", "--cache"], cache,
        ],
        "backtest": [
            "backtest", paths["raids.csv"], "--scenario", paths["national.json"],
            *["--span", "2025-05-09:2025-05-12", "--by", "night", "--kind", "ballistic_missile"],
            *["--samples", "50", "--cache"], cache,
        ],
        "sweep": [
            "sweep", paths["scenario.json"], "--store", store,
            *["--grid", "raids.0.count=4,8", "-n", "6", "--backend", "in-process"],
        ],
        "wta bench": ["wta", "bench", "--quick", "--time-limit", "1", "--heuristic-limit", "0.1"],
    }
    # fmt: on
    for solver in ("greedy", "descent", "local", "exact", "oa"):
        for name in ("wta.json", "wta.txt"):
            argv = ["wta", "solve", paths[name], "--solver", solver, "--time-limit", "60"]
            commands[f"wta solve {solver} {name}"] = argv
    return {name: [*argv, "--format", "json"] for name, argv in commands.items()}


def _strict_json(name: str, result: Any) -> Any:
    assert result.returncode == 0, f"{name}: exit {result.returncode}\n{result.stderr}"
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        head = result.stdout[:300]
        raise AssertionError(f"{name}: stdout is not one JSON document ({exc}):\n{head}") from None


def test_every_json_command_prints_only_json(tmp_path: Path, cli: Callable[..., list[Any]]) -> None:
    paths = _inputs(tmp_path)
    store = tmp_path / "store"
    commands = _commands(paths, store, tmp_path / "cache")
    names = list(commands)
    documents = {}
    for name, result in zip(names, cli(*commands.values()), strict=True):
        documents[name] = _strict_json(name, result)
    # wta solve: the exact solvers prove the optimum of these small instances
    for solver in ("exact", "oa"):
        for file in ("wta.json", "wta.txt"):
            document = documents[f"wta solve {solver} {file}"]
            assert document["status"] == "optimal", document
            assert document["bound"] <= document["objective"] + 1e-9
    assert {row["solver"] for row in documents["wta bench"]["rows"]} >= {"exact", "oa"}

    listed = cli(["results", "list", "--store", store, "--format", "json"])[0]
    runs = _strict_json("results list", listed)
    run_ids = [run["run_id"] for run in runs]
    assert len(run_ids) == 2, runs
    stored = {
        "results list --sweeps": ["results", "list", "--sweeps", "--store", store],
        "results show": ["results", "show", run_ids[0], "--store", store],
        "results compare": ["results", "compare", run_ids[0], run_ids[1], "--store", store],
        "results sql": ["results", "sql", "select count(*) as n from runs", "--store", store],
    }
    for name, result in zip(
        stored, cli(*([*argv, "--format", "json"] for argv in stored.values())), strict=True
    ):
        documents[name] = _strict_json(name, result)

    covered = {" ".join(name.split()[:2]) if name.startswith("wta") else name for name in names}
    covered |= {" ".join(name.split()[:2]) for name in stored} | {"results list"}
    assert _json_commands() <= covered, "a command with --format json is not tested here"


def test_wta_solve_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    problem = ahuja_instance(6, seed=2)
    for solver in ("exact", "oa", "local"):
        assert solve(problem, solver, time_limit=5).status in ("optimal", "heuristic")
    out, _ = capfd.readouterr()  # file descriptor 1 itself: C libraries write there
    assert out == ""


def _json_commands() -> set[str]:
    """Every command whose ``--format`` option offers json, by its words after ``iadsim``."""
    found: set[str] = set()

    def walk(command: click.Command, words: tuple[str, ...]) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*words, name))
            return
        for param in command.params:
            if "--format" not in getattr(param, "opts", ()):
                continue
            choices = getattr(param.type, "choices", None)
            text = " ".join(map(str, choices)) if choices else (param.help or "")  # type: ignore[attr-defined]
            if "json" in text.lower():
                found.add(" ".join(words))

    walk(typer.main.get_command(app), ())
    return found
