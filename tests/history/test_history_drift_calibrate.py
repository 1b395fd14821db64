"""``calibrate`` fits parameters that drift: the backtest's synthetic world, fitted once.

The history (from :mod:`test_backtest`) is made by the simulator: the drones' kill
probability steps from 0.9 to 0.3 on ``STEP``; the ballistic missiles' stays at 0.5.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from iadsim.history import load_raids
from iadsim.history.check import Calibration, calibrate
from iadsim.history.model import NationalModel
from test_backtest import EW, FIRST, GRID, NIGHTS, PK_AFTER, PK_BEFORE, STEP, world

__all__ = ["world"]  # the fixture, shared with the backtest's tests

LAST = FIRST + dt.timedelta(days=NIGHTS - 1)


def _calibrate(
    world: tuple[Path, Path, Path], train_end: dt.date, test_days: int, *, stationary: bool
) -> Calibration:
    scenario, csv, cache = world
    test_start = train_end + dt.timedelta(days=1)
    return calibrate(
        load_raids(csv),
        NationalModel(scenario),
        train=(FIRST, train_end),
        test=(test_start, min(LAST, test_start + dt.timedelta(days=test_days - 1))),
        kinds=("owa_drone", "ballistic_missile"),
        samples=300,
        cache_dir=cache,
        stationary=stationary,
        **GRID,  # type: ignore[arg-type]
    )


def test_the_fitted_path_follows_a_step_where_the_stationary_fit_sits_between(
    world: tuple[Path, Path, Path],
) -> None:
    end = dt.date(2025, 6, 10)
    drifting = _calibrate(world, end, 19, stationary=False)
    constant = _calibrate(world, end, 19, stationary=True)
    assert not drifting.stationary and constant.stationary
    assert drifting.paths is not None
    path = drifting.paths[drifting.paths["kind"] == "owa_drone"].set_index("month")
    assert list(path.index) == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    # before the step the path sits at the old value, after it at the new one
    assert abs(path.loc["2025-03", "pk"] - PK_BEFORE) <= 0.1
    for month in ("2025-05", "2025-06"):
        assert abs(path.loc[month, "pk"] - PK_AFTER) <= 0.12, path
        assert path.loc[month, "pk_lo"] <= PK_AFTER <= path.loc[month, "pk_hi"]
    assert abs(path.loc["2025-06", "ew"] - EW) <= 0.15
    # smoothed: the month before the step at the old value, the step's month at the new,
    # the last month the same as filtered (the same nights)
    assert abs(path.loc["2025-03", "smoothed_pk"] - PK_BEFORE) <= 0.1
    assert abs(path.loc["2025-04", "smoothed_pk"] - PK_AFTER) <= 0.12
    assert abs(path.loc["2025-06", "smoothed_pk"] - path.loc["2025-06", "pk"]) < 1e-9
    late = drifting.fit_for("owa_drone")
    old = constant.fit_for("owa_drone")
    assert late is not None and old is not None
    assert abs(late.pk - PK_AFTER) <= 0.12
    assert PK_AFTER + 0.1 < old.pk < PK_BEFORE - 0.1  # the stationary fit: in between
    # the drift chosen is not zero: the step was seen as change
    assert drifting.drift["owa_drone"]["sigma"] > 0
    # the test month's leaked drones: inside the time-varying interval, and its mean closer
    drones = lambda cal: cal.monthly[cal.monthly["kind"] == "owa_drone"].iloc[0]  # noqa: E731
    new, before = drones(drifting), drones(constant)
    assert new["leaked_inside"]
    reported = new["leaked_reported"]
    assert abs(new["leaked_predicted"] - reported) < abs(before["leaked_predicted"] - reported)


def test_intervals_cover_at_the_nominal_rate_on_a_drifting_history(
    world: tuple[Path, Path, Path],
) -> None:
    inside = compared = 0
    origin = dt.date(2025, 3, 1)
    while origin + dt.timedelta(days=13) <= LAST:
        cal = _calibrate(world, origin - dt.timedelta(days=1), 14, stationary=False)
        i, n = cal.coverage()["all"]
        inside, compared = inside + i, compared + n
        origin += dt.timedelta(days=14)
    assert compared >= 40
    assert 0.8 <= inside / compared <= 1.0, (inside, compared)


def test_cli_calibrate_json_carries_the_path_and_the_drift(
    world: tuple[Path, Path, Path],
) -> None:
    scenario, csv, cache = world
    argv = [sys.executable, "-m", "iadsim.cli", "calibrate", str(csv), "--scenario",
            str(scenario), "--test", "2025-06-01:2025-06-29", "--kind", "owa_drone",
            "--cache", str(cache), "--format", "json"]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert document["stationary"] is False
    assert document["train"] == [str(FIRST), "2025-05-31"]  # all history by default
    assert {row["month"] for row in document["paths"]} >= {"2025-01", "2025-05"}
    # the test scenario has no decoys: no decoy share to choose
    assert set(document["drift"]["owa_drone"]) == {"sigma", "c"}
    old = subprocess.run([*argv, "--stationary"], capture_output=True, text=True, timeout=300)
    assert old.returncode == 0, old.stderr
    constant = json.loads(old.stdout)
    assert constant["stationary"] is True and constant["paths"] is None
    assert STEP.isoformat() < "2025-05-31"


def test_a_break_restarts_the_filter(world: tuple[Path, Path, Path]) -> None:
    scenario, csv, cache = world
    cal = calibrate(
        load_raids(csv),
        NationalModel(scenario),
        train=(FIRST, dt.date(2025, 5, 31)),
        test=(dt.date(2025, 6, 1), dt.date(2025, 6, 29)),
        breaks=(STEP,),
        kinds=("owa_drone",),
        samples=200,
        cache_dir=cache,
        **GRID,  # type: ignore[arg-type]
    )
    fit = cal.fit_for("owa_drone")
    assert fit is not None and fit.start == STEP and fit.end == dt.date(2025, 5, 31)
    assert fit.nights == (dt.date(2025, 5, 31) - STEP).days + 1
    assert abs(fit.pk - PK_AFTER) <= 0.12
    assert cal.paths is not None
    path = cal.paths.set_index("month")
    # before the break, the path keeps the old value (smoothing stops at the break)
    assert abs(path.loc["2025-03", "smoothed_pk"] - PK_BEFORE) <= 0.1
