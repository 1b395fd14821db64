"""Rolling-origin backtests on histories the simulator itself made, with known parameters.

The world: a small national-defence scenario; each night's counts are one simulated
night (``NationalModel.shares`` with one replication) at the parameters of that night.
The drones' kill probability steps down at :data:`STEP` (the war changed), the EW
susceptibility and the ballistic missiles' kill probability stay put.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from iadsim.history import HistoryError, load_raids
from iadsim.history.backtest import Backtest, backtest, kind_nights, months_before
from iadsim.history.backtest_text import backtest_text, targets, verdicts
from iadsim.history.drift import DEFAULT_CONCENTRATIONS, DEFAULT_SIGMAS
from iadsim.history.forecasters import SIZE_SLOPES
from iadsim.history.model import NationalModel

SCENARIO = """
schema_version: 1
name: small national defence (backtest test)
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

HEADER = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
FIRST = dt.date(2025, 1, 1)
NIGHTS = 180
STEP = dt.date(2025, 4, 11)
"""From this night the drones' kill probability is PK_AFTER instead of PK_BEFORE."""
PK_BEFORE, PK_AFTER, EW = 0.9, 0.3, 0.3
SPAN = (dt.date(2025, 3, 1), dt.date(2025, 6, 29))
GRID = {"pk_grid": (0.2, 0.4, 0.6, 0.8, 1.0), "ew_grid": (0.0, 0.15, 0.3, 0.45, 0.6),
        "rungs": 3, "draws": 150}  # fmt: skip


def _line(date: dt.date, model: str, n: int, destroyed: int | str, ew: int | str, i: int) -> str:
    end = date + dt.timedelta(days=1)
    return f"{date} 19:00,{end} 07:00,{model},{n},{destroyed},{ew},kpszsu/{i}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(scenario, CSV of simulated nights, cache folder)."""
    folder = tmp_path_factory.mktemp("backtest")
    scenario = folder / "national.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    model = NationalModel(scenario)
    raws = {k: model.kind_raw(k) for k in ("owa_drone", "ballistic_missile")}
    rng = np.random.default_rng(11)
    lines = []
    for i in range(NIGHTS):
        date = FIRST + dt.timedelta(days=i)
        pk = PK_BEFORE if date < STEP else PK_AFTER
        n = int(rng.integers(10, 40))
        shares = model.shares("owa_drone", n, pk, EW, replications=1, seed=100 + i,
                              raw=raws["owa_drone"])  # fmt: skip
        d, e, _ = np.rint(shares * n).astype(int)
        lines.append(_line(date, "Shahed-136/131", n, d, e, i))
        if i % 3 == 0:
            m = int(rng.integers(1, 5))
            shares = model.shares("ballistic_missile", m, 0.5, 0.0, replications=1,
                                  seed=5000 + i, raw=raws["ballistic_missile"])  # fmt: skip
            d, e, _ = np.rint(shares * m).astype(int)
            lines.append(_line(date, "Iskander-M/KN-23", m, d + e, "", i))
    csv = folder / "raids.csv"
    csv.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return scenario, csv, folder / "cache"


@pytest.fixture(scope="module")
def result(world: tuple[Path, Path, Path]) -> Backtest:
    scenario, csv, cache = world
    history = load_raids(csv)
    return backtest(history, NationalModel(scenario), span=SPAN, samples=300, cache_dir=cache,
                    **GRID)  # type: ignore[arg-type]  # fmt: skip


def test_the_simulation_recovers_nominal_coverage(result: Backtest) -> None:
    night = result.score("night", "all", "leaked", "simulation")
    assert night["targets"] >= 150
    # PIT-read coverage: fair for nights of a few missiles (intervals of small counts)
    assert 0.80 <= night["pit90"] <= 0.97, night
    assert 0.38 <= night["pit50"] <= 0.62, night
    pits = result.forecasts.query("level == 'night' and model == 'simulation'")["pit"]
    counts, _ = np.histogram(pits, bins=5, range=(0, 1))
    assert counts.min() >= 0.4 * len(pits) / 5, counts  # no bin far from flat
    month = result.forecasts.query("level == 'month' and model == 'simulation'")
    assert month["inside90"].mean() >= 0.6


def test_the_drift_model_tracks_a_step_change(
    world: tuple[Path, Path, Path], result: Backtest
) -> None:
    scenario, csv, cache = world
    still = backtest(load_raids(csv), NationalModel(scenario), span=SPAN, by=("night",),
                     kinds=("owa_drone",), sigmas=(0.0,), samples=200, cache_dir=cache,
                     **GRID)  # type: ignore[arg-type]  # fmt: skip

    def error(bt: Backtest) -> float:
        f = bt.forecasts.query("level == 'night' and kind == 'owa_drone' and outcome == 'leaked'"
                               " and model == 'simulation'")  # fmt: skip
        late = f[f["period"] >= (STEP + dt.timedelta(days=20)).isoformat()]
        assert len(late) >= 40
        return float(abs((late["mean"] - late["reported"]).mean()))

    drifting, stationary = error(result), error(still)
    assert drifting < 0.05, drifting
    assert stationary > 2 * drifting, (stationary, drifting)
    # before the step, the same: the model is not simply noisier
    f = result.forecasts.query("level == 'night' and kind == 'owa_drone' and model == "
                               "'simulation' and outcome == 'leaked'")  # fmt: skip
    early = f[f["period"] < STEP.isoformat()]
    assert abs((early["mean"] - early["reported"]).mean()) < 0.05


def test_the_simulation_beats_climatology_after_the_step_and_says_so(result: Backtest) -> None:
    sim = result.score("night", "owa_drone", "leaked", "simulation")
    clim = result.score("night", "owa_drone", "leaked", "climatology")
    assert sim["crps"] < clim["crps"]
    lines = verdicts(result)
    drone = next(v for v in lines if v.startswith("nightly owa_drone leaked"))
    assert "climatology on CRPS" in drone.split("does not")[0]
    text = backtest_text(result)
    assert "Targets (issue 15)" in text and "| nightly | owa_drone" in text
    assert {t.text.split(":")[0] for t in targets(result)} >= {"monthly drones", "nightly"}


def test_every_model_scores_the_same_targets(result: Backtest) -> None:
    f = result.forecasts
    keys = f.groupby("model").apply(lambda g: sorted(zip(g["level"], g["period"], g["kind"],
                                                         g["outcome"], strict=True)))  # fmt: skip
    assert all(k == keys.iloc[0] for k in keys)
    # each month forecast is of the whole month, from before it
    months = f[(f["level"] == "month")]["period"].unique()
    assert list(months) == ["2025-03", "2025-04", "2025-05", "2025-06"]
    # drones reported EW separately: all three outcomes scored; ballistic: destroyed + leaked
    outcomes = f.groupby("kind")["outcome"].unique()
    assert set(outcomes["owa_drone"]) == {"leaked", "destroyed", "lost_to_ew"}
    assert set(outcomes["ballistic_missile"]) == {"leaked", "destroyed"}
    assert f[["reported", "mean", "crps", "is90", "pit"]].notna().all().all()
    # the drifting models record what they chose at each origin, from the sets they try
    sim = f[f["model"] == "simulation"]
    assert set(sim["sigma"]) <= set(DEFAULT_SIGMAS) and set(sim["c"]) <= set(DEFAULT_CONCENTRATIONS)
    walk = f[f["model"] == "random walk"]
    assert set(walk["size_slope"]) <= set(SIZE_SLOPES)
    # the scenario has no decoys: the simulation chooses no decoy share
    assert sim[["decoys_at_ref", "decoy_slope", "size_slope"]].isna().all().all()
    assert f.loc[f["model"] == "persistence", "sigma"].isna().all()


def test_the_random_walk_and_baselines_need_no_simulation(result: Backtest) -> None:
    s = result.scores
    assert set(s["model"]) == {"simulation", "random walk", "persistence", "climatology"}
    persistence = result.score("night", "owa_drone", "leaked", "persistence")
    walk = result.score("night", "owa_drone", "leaked", "random walk")
    # nights vary binomially around a level: the random walk's intervals beat a single night's
    assert walk["is90"] < persistence["is90"]


def test_persistence_and_climatology_are_exact_on_a_constant_history(
    world: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    scenario, _, cache = world
    lines = [_line(FIRST + dt.timedelta(days=i), "Iskander-M/KN-23", 4, 3, "", i)
             for i in range(120)]  # fmt: skip
    csv = tmp_path / "constant.csv"
    csv.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    bt = backtest(load_raids(csv), NationalModel(scenario), span=(dt.date(2025, 3, 1),
                  dt.date(2025, 4, 30)), kinds=("ballistic_missile",), samples=200,
                  cache_dir=cache, **GRID)  # type: ignore[arg-type]  # fmt: skip
    for level in ("month", "night"):
        for name in ("persistence", "climatology"):
            f = bt.forecasts.query(f"level == '{level}' and model == '{name}'")
            assert (f["bias"].abs() < 1e-12).all(), (level, name)
            assert f["inside50"].all() and f["inside90"].all()
        # the drifting models learn the constant too, within their spread
        sim = bt.score(level, "ballistic_missile", "leaked", "random walk")
        assert abs(sim["bias"]) < 0.05


def test_kind_nights_sum_a_kinds_rows_of_one_night(tmp_path: Path) -> None:
    csv = tmp_path / "raids.csv"
    csv.write_text(
        HEADER
        + "2025-01-01 19:00,,X-101/X-555,10,8,,kpszsu/a\n"
        + "2025-01-02 04:00,,Kalibr,5,3,,kpszsu/a\n"  # before noon: the night of 2025-01-01
        + "2025-01-01 19:00,,Shahed-136/131,20,10,5,kpszsu/a\n"
        + "2025-01-01 20:00,,Shahed-136/131,6,4,,kpszsu/b\n",  # EW not given: combined
        encoding="utf-8",
    )
    history = load_raids(csv)
    cruise = kind_nights(history, "cruise_missile")
    assert len(cruise) == 1 and cruise["launched"].iloc[0] == 15 and cruise["leaked"].iloc[0] == 4
    drones = kind_nights(history, "owa_drone")
    assert drones["ew_reporting"].iloc[0] == "combined"
    assert math.isnan(drones["destroyed"].iloc[0]) and drones["neutralised"].iloc[0] == 19


def test_months_before() -> None:
    assert months_before(dt.date(2024, 1, 15), 1) == dt.date(2023, 12, 1)
    assert months_before(dt.date(2024, 1, 1), 24) == dt.date(2022, 1, 1)
    assert months_before(dt.date(2024, 3, 31), 0) == dt.date(2024, 3, 1)


def test_bad_spans_and_windows_are_clear_errors(world: tuple[Path, Path, Path]) -> None:
    scenario, csv, _ = world
    history, model = load_raids(csv), NationalModel(scenario)
    with pytest.raises(HistoryError, match=r"no usable national rows in the span 2030-01-01"):
        backtest(history, model, span=(dt.date(2030, 1, 1), dt.date(2030, 2, 1)))
    with pytest.raises(HistoryError, match=r"no usable national rows before the span"):
        backtest(history, model, span=(dt.date(2024, 12, 1), dt.date(2025, 2, 1)))
    with pytest.raises(HistoryError, match=r"training window of 6 months .* at most 2 months"):
        backtest(history, model, span=SPAN, window=6)
    with pytest.raises(ValueError, match=r"training and forecast nights would overlap"):
        backtest(history, model, span=SPAN, start=dt.date(2025, 3, 15))


def _error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_cli_backtest_refuses_bad_options_before_any_work(
    world: tuple[Path, Path, Path],
    cli,  # type: ignore[no-untyped-def]
) -> None:
    scenario, csv, _ = world
    common = ["backtest", csv, "--scenario", scenario]
    overlap, window = cli(
        [*common, "--span", "2025-03-01:2025-06-29", "--from", "2025-04-01"],
        [*common, "--span", "2025-03-01:2025-06-29", "--window", "5"],
    )
    assert "--from: 2025-04-01 is not before the span's first night 2025-03-01" in _error(overlap)
    assert "training window of 5 months before 2025-03-01 starts 2024-10-01" in _error(window)


def test_cli_backtest_writes_json_html_png_and_forecasts(
    world: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    scenario, csv, cache = world
    html, png, table = tmp_path / "bt.html", tmp_path / "png", tmp_path / "forecasts.csv"
    run = subprocess.run(
        [sys.executable, "-m", "iadsim.cli", "backtest", str(csv), "--scenario", str(scenario),
         "--kind", "ballistic_missile", "--span", "2025-05-01:2025-06-29", "--by", "month",
         "--window", "3", "--samples", "100", "--cache", str(cache), "--html", str(html),
         "--png", str(png), "--forecasts", str(table), "--format", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["settings"]["window"] == 3 and document["settings"]["by"] == ["month"]
    assert {r["model"] for r in document["scores"]} == {"simulation", "random walk",
                                                        "persistence", "climatology"}  # fmt: skip
    assert any(t["target"].startswith("monthly missiles") for t in document["targets"])
    assert document["by_size"] == []  # monthly only: no nightly scores by raid size
    page = html.read_text(encoding="utf-8")
    assert "<script>" in page and "Rolling-origin backtest" in page and "fan-month" in page
    assert sorted(p.name for p in png.iterdir()) == ["coverage.png", "fan_charts.png", "pit.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in png.iterdir())
    rows = table.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("level,period,kind,outcome,model") and len(rows) == 1 + 2 * 2 * 4
