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


def test_calibration_recovers_the_parameters_it_was_simulated_with(
    world: tuple[Path, Path], tmp_path: Path
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
    )
    drone = result.fit_for("owa_drone")
    ballistic = result.fit_for("ballistic_missile")
    assert drone is not None and ballistic is not None and drone.ew is not None
    assert abs(drone.pk - 0.6) <= 0.1
    assert abs(drone.ew - 0.3) <= 0.05
    lo, hi = drone.interval("ew")
    assert lo - 0.02 <= 0.3 <= hi + 0.02
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


def test_cli_calibrate_errors_are_one_paragraph(world: tuple[Path, Path], cli) -> None:  # type: ignore[no-untyped-def]
    scenario, csv = world
    bad_kind, bad_scenario, empty = cli(
        ["calibrate", csv, "--scenario", scenario, "--kind", "zeppelin"],
        ["calibrate", csv, "--scenario", csv],
        ["calibrate", csv, "--scenario", scenario, "--train", "2020-01-01:2020-02-01"],
    )
    for result in (bad_kind, bad_scenario, empty):
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert "--kind 'zeppelin' is not a threat kind" in bad_kind.stderr
    assert "raids.csv" in bad_scenario.stderr
    assert "no usable national rows in the training period" in empty.stderr


def test_the_shipped_national_scenario_has_a_raid_per_kind() -> None:
    from iadsim.history import HISTORY_KINDS

    model = NationalModel(Path(__file__).parent.parent / "examples" / "national_defence.yaml")
    for kind in HISTORY_KINDS:
        model.raid_of(kind)
    assert [k for k in HISTORY_KINDS if model.has_ew(k)] == ["owa_drone"]
    items = model.overrides("owa_drone", 120, 0.5, 0.2)
    assert items[0] == "raids.0.count=120"
    assert items[-1] == "threat_classes.drone.ew_susceptibility=0.2"
    assert all("owa_drone: 0.5" in item for item in items[1:-1])
