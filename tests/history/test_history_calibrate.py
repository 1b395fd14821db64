"""Calibration recovers known effectiveness from nights simulated with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from iadsim.history import load_raids
from iadsim.history.check import calibrate
from iadsim.history.fit import fit_kind
from iadsim.history.model import NationalModel, ResponseTable, response_table
from iadsim.history.report import calibration_text

from repo_paths import EXAMPLES

SCENARIO = """
schema_version: 1
name: small national defence (test)
start: "18:00"
duration: 10 h
threat_classes:
  drone: {preset: shahed-136-class}
  ballistic: {preset: iskander-m-class}
assets:
  - {id: city, position: [0 km, 0 km], value: 100, hardness: medium}
sensors:
  - {id: radar, preset: surveillance-radar, position: [40 km, 0 km]}
fire_units:
  - {id: ew, preset: ew-site, position: [120 km, 0 km], max_range: 40 km, pk: {owa_drone: 1.0}}
  - {id: mft-1, preset: mobile-fire-team, position: [90 km, -6 km], reserve: 60}
  - {id: mft-2, preset: mobile-fire-team, position: [90 km, 0 km], reserve: 60}
  - {id: mft-3, preset: mobile-fire-team, position: [90 km, 6 km], reserve: 60}
  - {id: lr, preset: patriot-class, position: [3 km, 0 km], max_range: 35 km}
raids:
  - id: drones
    threat: drone
    count: 10
    launch: {sites: [[400 km, 0 km]], start: "18:00", end: "22:00"}
    route: {waypoints: [[120 km, 0 km], [85 km, 0 km]], jitter: 8 km, seed: 1}
    targets: {city: 1}
  - id: ballistic
    threat: ballistic
    count: 2
    launch: {sites: [[300 km, -100 km]], start: "02:00+1", end: "02:10+1"}
    targets: {city: 1}
doctrine:
  decision_cycle: 2 s
  reaction_time: 10 s
  max_engagements: 1
  salvo: {ballistic_missile: 2, default: 1}
  authority: {patriot-class: [ballistic_missile]}
"""

TRUE = {"owa_drone": (0.6, 0.3), "ballistic_missile": (0.4, 0.0)}
MERGED = dt.date(2025, 7, 1)
"""The test data's reports merge EW into destroyed from this night."""
HEADER = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
MODELS = {"owa_drone": "Shahed-136/131", "ballistic_missile": "Iskander-M/KN-23"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A scenario and a CSV of nights simulated with the TRUE parameters."""
    folder = tmp_path_factory.mktemp("history")
    scenario = folder / "national.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    model = NationalModel(scenario)
    rng = np.random.default_rng(7)
    lines = []
    day = dt.date(2025, 5, 1)
    for night in range(80):  # May to July 2025; EW merged into destroyed from 2025-07-01
        date = day + dt.timedelta(days=night)
        for kind, (pk, ew) in TRUE.items():
            n = int(rng.integers(15, 60)) if kind == "owa_drone" else int(rng.integers(1, 5))
            shares = model.shares(kind, n, pk, ew, replications=1, seed=1000 + night)
            d, e, _ = np.rint(shares * n).astype(int)
            if kind != "owa_drone":
                destroyed, not_reach = str(d + e), ""
            elif date < MERGED:
                destroyed, not_reach = str(d), str(e)
            else:
                destroyed, not_reach = str(d + e), "0"
            lines.append(
                f"{date} 19:00,{date + dt.timedelta(days=1)} 07:00,{MODELS[kind]},{n},"
                f"{destroyed},{not_reach},kpszsu/posts/{night}"
            )
    csv = folder / "raids.csv"
    csv.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return scenario, csv


PK_GRID = (0.2, 0.4, 0.6, 0.8, 1.0)
EW_GRID = (0.0, 0.15, 0.3, 0.45, 0.6)


def test_response_table_shape_and_ew_only_where_the_scenario_has_it(
    world: tuple[Path, Path],
) -> None:
    model = NationalModel(world[0])
    assert model.has_ew("owa_drone") and not model.has_ew("ballistic_missile")
    table = response_table(model, "ballistic_missile", [1, 4], pk_grid=(0.2, 0.8), ew_grid=EW_GRID)
    assert table.shares.shape == (2, 1, 2, 3)
    assert np.allclose(table.shares.sum(axis=-1), 1.0)
    assert (table.shares[1, 0, :, 0] >= table.shares[0, 0, :, 0]).all()  # more pk, more kills


@pytest.mark.parametrize("stationary", [True, False], ids=["stationary", "time-varying"])
def test_calibration_recovers_the_parameters_it_was_simulated_with(
    world: tuple[Path, Path], tmp_path: Path, stationary: bool
) -> None:
    scenario, csv = world
    history = load_raids(csv, ew_merged_from=MERGED)
    assert set(history.rows["ew_reporting"]) == {"separate", "combined"}
    result = calibrate(
        history,
        NationalModel(scenario),
        train=(dt.date(2025, 5, 1), dt.date(2025, 6, 30)),
        test=(dt.date(2025, 7, 1), dt.date(2025, 7, 19)),
        night=dt.date(2025, 7, 4),
        kinds=("owa_drone", "ballistic_missile"),
        pk_grid=PK_GRID,
        ew_grid=EW_GRID,
        rungs=3,
        draws=150,
        bootstrap=100,
        samples=200,
        cache_dir=tmp_path,
        stationary=stationary,
    )
    drone = result.fit_for("owa_drone")
    ballistic = result.fit_for("ballistic_missile")
    assert drone is not None and ballistic is not None and drone.ew is not None
    assert abs(drone.pk - 0.6) <= 0.1
    assert abs(drone.ew - 0.3) <= 0.05
    lo, hi = drone.interval("ew")
    slack = 0.02 if stationary else 0.05  # the filtered end state: a grid of 0.025 steps
    assert lo - slack <= 0.3 <= hi + slack
    assert abs(ballistic.pk - 0.4) <= 0.2
    assert ballistic.ew is None
    # the test month is reported with EW merged: only leaked is compared for drones
    july = result.monthly[result.monthly["kind"] == "owa_drone"].iloc[0]
    assert july["ew_reporting"] == "combined" and july["destroyed_inside"] is None
    assert july["leaked_lo"] <= july["leaked_predicted"] <= july["leaked_hi"]
    inside, compared = result.coverage()["all"]
    assert compared >= 2 and inside >= 1
    assert result.night is not None and len(result.night) == 2
    text = calibration_text(result)
    assert "Training period: 2025-05-01 to 2025-06-30" in text
    assert "The night of 2025-07-04" in text
    # the table is cached: a second run simulates nothing
    calls: list[int] = []
    response_table(
        NationalModel(scenario), "ballistic_missile",
        result.tables["ballistic_missile"].sizes, pk_grid=PK_GRID, ew_grid=EW_GRID,
        draws=150, cache_dir=tmp_path, progress=calls.append,
    )  # fmt: skip
    assert calls == [len(PK_GRID) * len(result.tables["ballistic_missile"].sizes)]


def test_fit_on_a_known_table_finds_the_maximum() -> None:
    import pandas as pd

    pk = np.array([0.0, 0.5, 1.0])
    shares = np.zeros((3, 1, 1, 3))
    for i, p in enumerate(pk):
        shares[i, 0, 0] = [p, 0.0, 1 - p]
    table = ResponseTable("cruise_missile", pk, np.zeros(1), np.array([10]), np.array([1]), shares)
    nights = pd.DataFrame(
        {
            "launched": [10.0] * 20,
            "destroyed": [np.nan] * 20,
            "lost_to_ew": [np.nan] * 20,
            "neutralised": [7.0] * 20,
            "leaked": [3.0] * 20,
            "ew_reporting": ["combined"] * 20,
        }
    )
    fit = fit_kind(table, nights, bootstrap=50)
    assert fit.pk == pytest.approx(0.7, abs=0.011)
    assert fit.interval("pk") == pytest.approx((0.7, 0.7), abs=0.011)  # every night alike
    assert fit.dispersion == float("inf")  # no spread beyond binomial


def _one_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_cli_calibrate_errors_are_one_paragraph(world: tuple[Path, Path], cli) -> None:  # type: ignore[no-untyped-def]
    scenario, csv = world
    bad_kind, bad_scenario, empty = cli(
        ["calibrate", csv, "--scenario", scenario, "--kind", "zeppelin"],
        ["calibrate", csv, "--scenario", csv, "--test", "2025-07-01:2025-07-19"],
        ["calibrate", csv, "--scenario", scenario, "--train", "2020-01-01:2020-02-01"],
    )
    assert "--kind: 'zeppelin' is not a threat kind" in _one_error(bad_kind)
    assert "raids.csv" in _one_error(bad_scenario)
    message = _one_error(empty)
    assert "raids.csv: no usable national rows in the training period 2020-01-01" in message
    assert "its usable nights run from 2025-05-01 to 2025-07-19" in message


GOOD_PERIODS = ["--train", "2025-05-01:2025-06-30", "--test", "2025-07-01:2025-07-19"]


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--train", "2025-05-01:2025-06-30", "--test", "2025-06-01:2025-07-19"],
         "--test: 2025-06-01:2025-07-19 overlaps the training period 2025-05-01:2025-06-30"),
        (["--train", "2025-05-01:2025-06-30", "--test", "2025-04-01:2025-12-31"],
         "overlaps the training period"),
        (["--train", "2025-06-30:2025-05-01"], "--train: '2025-06-30:2025-05-01' ends before"),
        (["--train", "2025-05-01..2025-06-30"], "'2025-05-01..2025-06-30' is not a period"),
        (["--train", "2025-05-01:"], "--train: '' in '2025-05-01:' is not a date"),
        (["--train", "2025-02-30:2025-06-30"], "'2025-02-30' in '2025-02-30:2025-06-30' is not a"),
        (["--train", "a:b:c"], "is not a period; expected FIRST:LAST"),
        (["--test", "2025-8-01:2025-08-31"], "--test: '2025-8-01' in"),
        ([*GOOD_PERIODS, "--night", "2025-06-10"], "--night: 2025-06-10 is not in the test period"),
        ([*GOOD_PERIODS, "--night", "July"], "--night: 'July' is not a date"),
        (["--train", "2025-05-01:2025-06-30", "--test", "", "--night", "2025-07-04"],
         "--night: 2025-07-04 is not in a test period"),
        ([*GOOD_PERIODS, "--break", "2026-01-01"], "--break: 2026-01-01 is not inside the"),
        ([*GOOD_PERIODS, "--break", "2025-05-01"], "is not inside the training period"),
        ([*GOOD_PERIODS, "--ew-merged-from", "August"], "--ew-merged-from: 'August' is not a"),
        ([*GOOD_PERIODS, "--test", "2026-01-01:2026-12-31"],
         "raids.csv: no usable national rows in the test period 2026-01-01 to 2026-12-31"),
        ([*GOOD_PERIODS, "--night", "2025-07-25"], "--night: 2025-07-25 is not in the test"),
        (["--train", "2025-05-01:2025-06-30", "--test", "2025-07-01:2025-07-31", "--night",
          "2025-07-25"], "raids.csv: no usable national rows on the night of 2025-07-25"),
        ([*GOOD_PERIODS, "--kind", "hypersonic"],
         "no usable national rows of hypersonic (--kind) in the training period"),
        ([*GOOD_PERIODS, "--seed", str(2**64)], "--seed"),
        ([*GOOD_PERIODS, "--seed", "-1"], "--seed"),
    ],
)  # fmt: skip
def test_cli_calibrate_refuses_bad_periods_before_any_work(
    world: tuple[Path, Path], tmp_path: Path, options: list[str], fragment: str
) -> None:
    from conftest import run_cli

    scenario, csv = world
    cache = tmp_path / "cache"
    (result,) = run_cli(["calibrate", csv, "--scenario", scenario, "--cache", cache, *options])
    if options[-2] == "--seed":  # a usage error of the command line
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert fragment in result.stderr
    else:
        assert fragment in _one_error(result)
    assert not list(cache.glob("*.npz"))  # nothing was simulated


def test_cli_calibrate_cache_must_be_a_folder(
    world: tuple[Path, Path], tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    scenario, csv = world
    a_file = tmp_path / "cache.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    (result,) = cli(["calibrate", csv, "--scenario", scenario, "--cache", a_file])
    assert f"error: --cache: expected a folder, but {a_file} is a file" in _one_error(result)
    assert a_file.read_text(encoding="utf-8") == "not a folder"


def test_the_shipped_national_scenario_has_a_raid_per_kind() -> None:
    from iadsim.history import HISTORY_KINDS
    from iadsim.history.model import default_scenario

    model = NationalModel(default_scenario())
    for kind in HISTORY_KINDS:
        model.raid_of(kind)
    assert [k for k in HISTORY_KINDS if model.has_ew(k)] == ["owa_drone"]
    items = model.overrides("owa_drone", 120, 0.5, 0.2)
    assert items[0] == "raids.0.count=120"
    assert items[-1] == "threat_classes.drone.ew_susceptibility=0.2"
    assert all("owa_drone: 0.5" in item for item in items[1:-1])


def test_the_built_in_scenario_is_the_example_byte_for_byte() -> None:
    from iadsim.history.model import default_scenario

    example = EXAMPLES / "national_defence.yaml"
    built_in = default_scenario()
    assert built_in.name == "national_defence.yaml"
    assert "iadsim" in built_in.parts and "data" in built_in.parts
    assert built_in.read_bytes() == example.read_bytes(), (
        "src/iadsim/data/national_defence.yaml and examples/national_defence.yaml differ: "
        "copy one onto the other"
    )


def test_cli_kinds_are_the_data_kinds() -> None:
    from iadsim.cli.history import KINDS
    from iadsim.history import HISTORY_KINDS

    assert KINDS == HISTORY_KINDS


def _kinzhal_csv(path: Path) -> Path:
    rng = np.random.default_rng(3)
    lines = []
    for i in range(40):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=3 * i)
        n = int(rng.integers(1, 5))
        lines.append(
            f"{day} 03:00,{day} 05:00,X-47 Kinzhal,{n},{rng.integers(0, n + 1)},,kpszsu/{i}"
        )
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_calibrate_runs_from_any_folder_with_the_built_in_scenario(
    tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    """No --scenario, run from a folder without examples/: the built-in model; JSON is pure."""
    import json
    import subprocess
    import sys

    _kinzhal_csv(tmp_path / "kinzhal.csv")
    # the tables of the built-in scenario are kept between test runs (about 10 s to simulate)
    # in pytest's cache; with -p no:cacheprovider there is none, and they are made here
    kept = getattr(pytestconfig, "cache", None)
    cache = kept.mkdir("iadsim-history-tables") if kept is not None else tmp_path / "tables"
    common = [sys.executable, "-m", "iadsim.cli", "calibrate", "kinzhal.csv", "--cache", str(cache),
              "--train", "2025-01-01:2025-02-28", "--test", "2025-03-01:2025-04-30"]  # fmt: skip
    runs = [
        subprocess.run([*common, *extra], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        for extra in (["--format", "json"], [])
    ]
    document = json.loads(runs[0].stdout, parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
    assert runs[0].returncode == 0, runs[0].stderr
    assert "Traceback" not in runs[0].stderr
    assert (
        Path(document["scenario"]).read_bytes() == (EXAMPLES / "national_defence.yaml").read_bytes()
    )
    assert [f["kind"] for f in document["fits"]] == ["hypersonic"]
    assert document["night"] is None  # 2025-07-03 is not in this test period
    assert [m["period"] for m in document["monthly"]] == ["2025-03", "2025-04"]
    text = runs[1].stdout
    assert runs[1].returncode == 0, runs[1].stderr
    assert "test period (never seen by the fit): 2025-03-01 to 2025-04-30" in text


def test_an_unusable_default_cache_only_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from iadsim.cli.history import _default_cache

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _default_cache() is None
    warning = capsys.readouterr().err
    assert warning.startswith("warning: cannot cache simulated tables")
    assert "simulating without a cache" in warning
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _default_cache() == tmp_path / "xdg" / "iadsim"
