"""Sweep definitions: grids, seeded random designs, sweep files, and their errors."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from iadsim.errors import ScenarioError, SweepError
from iadsim.runner import Sweep, build_sweep, parse_grid_option, parse_random_option, run_sweep

from repo_paths import EXAMPLES

EXAMPLE = EXAMPLES / "single_battery.yaml"


def invoke(*commands):
    """Run ``iadsim`` commands in this process (typer's runner): fast, same exit codes."""
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    runner = CliRunner()
    results = []
    for args in commands:
        r = runner.invoke(app, [str(a) for a in args])
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        results.append(
            SimpleNamespace(args=args, returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)
        )
    return results


JSON = ["--format", "json", "--engine", "reference"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return path


def test_grid_crossed_with_random_design(tmp_path: Path) -> None:
    file = _write(
        tmp_path,
        f"""
name: magazines
scenario: {EXAMPLE}
replications: 7
seed: 4
set: {{doctrine.reaction_time: 8 s}}
grid:
  raids.0.count: [5, 10]
  fire_units.0.rounds: [10, 20, 30]
random:
  points: 4
  seed: 9
  vary:
    fire_units.0.pk.drone: {{uniform: [0.5, 0.9]}}
    fire_units.0.max_range: {{uniform: [15 km, 25 km]}}
    doctrine.mode: {{choice: [shoot-look-shoot, shoot-shoot-look]}}
    raids.0.launch.sites.0.0: {{integers: [-120, -90]}}
""",
    )
    sweep = build_sweep(file)
    points = sweep.points()
    assert len(points) == 2 * 3 * 4
    assert [p.index for p in points] == list(range(24))
    assert all(p.seed == 4 for p in points)  # common random numbers
    assert points[0].values["doctrine.reaction_time"] == "8 s"
    assert points[0].values["raids.0.count"] == 5 and points[-1].values["raids.0.count"] == 10
    draws = [p.values["fire_units.0.pk.drone"] for p in points[:4]]
    assert all(0.5 <= d <= 0.9 for d in draws) and len(set(draws)) == 4
    assert points[4].values["fire_units.0.pk.drone"] == draws[0]  # the same draws at each combo
    assert points[0].values["fire_units.0.max_range"].endswith(" km")
    assert build_sweep(file).points() == points  # reproducible
    assert build_sweep(file, design_seed=10).points() != points
    assert build_sweep(file).sweep_id == sweep.sweep_id
    assert build_sweep(file, replications=8).sweep_id != sweep.sweep_id
    again = Sweep.from_definition(json.loads(json.dumps(sweep.definition())), source="x")
    assert again.points() == points and again.sweep_id == sweep.sweep_id


def test_command_line_options() -> None:
    assert parse_grid_option("raids.0.count=10,20, 40") == ("raids.0.count", [10, 20, 40])
    _path, values = parse_grid_option("fire_units.0.position=[1 km, 0 km],[2 km, 0 km]")
    assert values == [["1 km", "0 km"], ["2 km", "0 km"]]
    _, dist = parse_random_option("fire_units.0.max_range=uniform(10 km, 30 km)")
    assert (dist.kind, dist.args, dist.unit) == ("uniform", (10, 30), "km")
    _, dist = parse_random_option("doctrine.mode=choice(shoot-look-shoot, shoot-shoot-look)")
    assert dist.args == ("shoot-look-shoot", "shoot-shoot-look")
    sweep = build_sweep(
        EXAMPLE,
        grid=["raids.0.count=4,6"],
        random=["fire_units.0.pk.drone=uniform(0.6, 0.8)"],
        points=3,
        design_seed=1,
        seeds="distinct",
        replications=5,
    )
    points = sweep.points()
    assert len(points) == 6 and len({p.seed for p in points}) == 6
    assert sweep.scenario_path == str(EXAMPLE)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("scenario: {ex}\ngrids: {{}}\n", "grids", "unknown field"),
        ("scenario: nowhere.yaml\n", "scenario", "no scenario file"),
        ("scenario: {ex}\nreplications: 0\n", "replications", "at least 1"),
        ("scenario: {ex}\ngrid: {{raids.0.count: 5}}\n", "grid.raids.0.count", "list"),
        (
            "scenario: {ex}\nrandom: {{points: 2, vary: {{a.b: {{normal: [0, 1]}}}}}}\n",
            "random.vary.a.b",
            "uniform",
        ),
        (
            "scenario: {ex}\nrandom: {{points: 2, vary: {{a.b: {{uniform: [1 km, 2 m]}}}}}}\n",
            "random.vary.a.b",
            "same unit",
        ),
        (
            "scenario: {ex}\nrandom: {{vary: {{a.b: {{choice: [1, 2]}}}}}}\n",
            "random.points",
            "points",
        ),
        ("scenario: {ex}\nseeds: fresh\n", "seeds", "'common' or 'distinct'"),
    ],
)
def test_bad_sweep_files_name_the_field(tmp_path: Path, text: str, field: str, words: str) -> None:
    file = _write(tmp_path, text.format(ex=EXAMPLE))
    with pytest.raises(SweepError) as info:
        build_sweep(file)
    message = str(info.value)
    assert message.startswith(f"{file}: invalid sweep")
    assert f"`{field}`" in message and words in message


def test_a_bad_point_is_reported_before_anything_runs(tmp_path: Path) -> None:
    sweep = build_sweep(EXAMPLE, grid=["raids.0.count=3,-2"], replications=2)
    with pytest.raises(ScenarioError) as info:
        run_sweep(sweep, tmp_path / "store", backend="in-process")
    message = str(info.value)
    assert "sweep point 1: raids.0.count=-2" in message and "`raids.0.count`" in message
    assert not (tmp_path / "store").exists()


def test_sweep_command_errors_are_one_paragraph(tmp_path: Path) -> None:
    bad_file = _write(tmp_path, "scenario: [1, 2]\n")
    results = invoke(
        ["sweep", bad_file, "--store", tmp_path / "s1"],
        ["sweep", EXAMPLE, "--grid", "raids.0.count", "--store", tmp_path / "s2"],
        ["sweep", EXAMPLE, "--random", "raids.0.count=gauss(1, 2)", "--store", tmp_path / "s3"],
        ["sweep", EXAMPLE, "--grid", "raids.0.count=1,0", "-n", "2", "--store", tmp_path / "s4"],
        ["sweep", "--store", tmp_path / "s5"],
        ["sweep", EXAMPLE, "-n", "2", "--address", "127.0.0.1:1", "-o", tmp_path / "s6"],
    )
    for result in results:
        assert result.returncode == 2, (result.args, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "field `scenario`" in results[0].stderr
    assert "path=" in results[1].stderr
    assert "uniform(...)" in results[2].stderr
    assert "sweep point 1" in results[3].stderr
    assert "--resume" in results[4].stderr
    assert "--address is for the ray backend" in results[5].stderr


def test_unknown_engine_or_policy_is_named(tmp_path: Path) -> None:
    with pytest.raises(SweepError, match="`engine`: expected one of"):
        build_sweep(EXAMPLE, engine="quantum")
    with pytest.raises(SweepError, match="`policy`: expected one of"):
        build_sweep(EXAMPLE, policy="random")


def test_sweep_command_runs_and_prints(tmp_path: Path) -> None:
    (result,) = invoke(
        [
            "sweep",
            EXAMPLE,
            "--grid",
            "raids.0.count=3,6",
            "-n",
            "4",
            "-b",
            "in-process",
            "-o",
            tmp_path / "s",
            *JSON,
        ]
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [p["values"] for p in doc["points"]] == [{"raids.0.count": 3}, {"raids.0.count": 6}]
    assert doc["replications_computed"] == 8
    assert all(p["leaked"]["mean"] is not None for p in doc["points"])
