"""Campaigns: stockpiles carried over nights, deliveries, and agreement with a single run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from iadsim.compile import compile_scenario
from iadsim.engine import run_replications
from iadsim.errors import ScenarioError
from iadsim.planning import night_sizes, run_campaign
from iadsim.scenario import parse_scenario
from iadsim.scenario.campaign import Campaign, Production, load_campaign

from scenarios import base, unit


def defence() -> dict:
    raw = base(salvo={"default": 1})
    raw["raids"][0]["count"] = 12
    raw["fire_units"] = [
        unit("sam-1", -30, pk=0.6, rounds=6, reserve=4, **{"class": "sam-class"}),
        unit("sam-2", -15, pk=0.6, rounds=6, reserve=0, **{"class": "sam-class"}),
    ]
    return raw


def plan(**fields) -> Campaign:
    data = {"schema_version": 1, "name": "test", "defence": defence(), "days": 10}
    data.update(fields)
    return Campaign.model_validate(data)


def test_no_raids_spend_nothing_and_deliveries_arrive_on_their_day() -> None:
    campaign = plan(
        schedule=[],
        stockpiles={"sam-class": 5},
        deliveries=[{"type": "sam-class", "day": 4, "count": 7}],
        production=[{"type": "sam-class", "count": 2, "every": 3, "pauses": [[4, 6]]}],
    )
    result = run_campaign(campaign, defence(), replications=3, seed=1)
    assert (result.spend == 0).all() and (result.fired == 0).all()
    # production on days 1, 7, 10 (4 paused); delivery on day 4
    expected = 5 + np.cumsum([2, 0, 0, 7, 0, 0, 2, 0, 0, 2])
    assert (result.stock[:, :, 0] == expected).all()


def test_stock_never_goes_negative_and_runs_out() -> None:
    campaign = plan(
        schedule=[{"day": d, "scale": 1.0} for d in range(1, 11)], stockpiles={"sam-class": 30}
    )
    result = run_campaign(campaign, defence(), replications=20, seed=2)
    assert (result.stock >= 0).all()
    assert (result.fired.sum(axis=1)[:, 0] <= 30).all()
    assert (result.stock[:, -1, 0] == 0).all()  # 12 threats a night eat 30 rounds
    days = result.exhaustion_day()
    assert ((days[:, 0] >= 2) & (days[:, 0] <= 4)).all()
    summary = result.summary()
    assert summary["exhaustion"]["sam-class"]["share_exhausted"] == 1.0


def test_one_night_campaign_equals_a_single_run() -> None:
    campaign = plan(days=1, schedule=[{"day": 1, "scale": 1.0}], stockpiles={"sam-class": 16})
    result = run_campaign(campaign, defence(), replications=25, seed=4)
    cs = compile_scenario(parse_scenario(defence()))
    single = run_replications(cs, np.arange(25), seed=(4 * 1_000_003 + 1) % 2**64)
    assert (result.fired[:, 0, 0] == single.shots.sum(axis=1)).all()
    assert (result.leaked[:, 0, 0] == (single.fate == 3).sum(axis=1)).all()
    assert (result.stock[:, 0, 0] == 16 - single.shots.sum(axis=1)).all()


def test_nightly_model_is_seeded_and_sized() -> None:
    model = {"seed": 3, "raid_probability": 0.8, "mean_threats": 24, "dispersion": 2.0}
    a = night_sizes(plan(days=400, model=model), standard=12)
    b = night_sizes(plan(days=400, model=model), standard=12)
    assert (a == b).all()
    raid_nights = a > 0
    assert 0.7 < raid_nights.mean() < 0.9
    assert 1.6 < a[raid_nights].mean() < 2.4  # 24 threats = twice the standard night


def test_production_pauses() -> None:
    flow = Production(type="x", count=3, every=5, start=1, end=30, pauses=[(10, 20)])
    assert flow.arrivals(30) == {1: 3, 6: 3, 21: 3, 26: 3}


def test_bad_campaign_files_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        json.dumps(
            {"schema_version": 1, "name": "x", "defence": "nowhere.yaml", "days": 5, "schedule": []}
        )
    )
    with pytest.raises(ScenarioError, match="defence"):
        load_campaign(path)
    path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "name": "x",
                "defence": defence(),
                "days": 5,
                "schedule": [],
                "stockpiles": {"nope": 3},
            }
        )
    )
    campaign, raw, _ = load_campaign(path)
    with pytest.raises(ScenarioError, match=r"stockpiles\.nope"):
        run_campaign(campaign, raw, replications=1, seed=0)
    path.write_text(json.dumps({"schema_version": 1, "name": "x", "defence": defence(), "days": 5}))
    proc = subprocess.run(
        [sys.executable, "-m", "iadsim.cli", "campaign", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "schedule" in proc.stderr and "Traceback" not in proc.stderr


def test_nights_from_a_reported_raids_csv(tmp_path: Path) -> None:
    header = (
        "time_start,time_end,model,launch_place,target,launched,destroyed,not_reach_goal,"
        "still_attacking,source\n"
    )
    rows = [
        "2025-03-01 19:00,2025-03-02 08:00,Shahed-136/131,,Ukraine,24,10,5,,kpszsu/posts/a",
        "2025-03-01 19:00,2025-03-02 08:00,Shahed-136/131,,Odesa,99,9,9,,PvKPivden/posts/b",
        "2025-03-03 19:00,2025-03-04 08:00,Shahed-136/131,,Ukraine,6,3,1,,kpszsu/posts/c",
    ]
    (tmp_path / "raids.csv").write_text(header + "\n".join(rows) + "\n")
    raw = defence()
    raw["threat_classes"]["fake"] = {"preset": "gerbera-class", "speed": "100 m/s"}
    raw["raids"].append({**raw["raids"][0], "id": "decoys", "threat": "fake", "count": 12})
    campaign = Campaign.model_validate(
        {
            "schema_version": 1,
            "name": "csv",
            "defence": raw,
            "days": 4,
            "reported": {"csv": "raids.csv", "first_night": "2025-03-01"},
            "stockpiles": {"sam-class": 100},
        }
    )
    result = run_campaign(campaign, raw, replications=2, seed=1, base_dir=tmp_path)
    # 24 reported drones on day 1 (the regional row is not counted again): the standard
    # night's 12 drones and 12 decoys, each scaled by 24 / 24; 6 on day 3: a quarter
    assert result.launched[:, result.kinds.index("owa_drone")].tolist() == [12, 0, 3, 0]
    assert result.launched[:, result.kinds.index("decoy")].tolist() == [12, 0, 3, 0]
    assert list(result.scale) == [1.0, 0.0, 0.25, 0.0]
    (tmp_path / "c.json").write_text(
        json.dumps(
            {
                **campaign.model_dump(),
                "reported": {"csv": "missing.csv", "first_night": "2025-03-01"},
            }
        )
    )
    with pytest.raises(ScenarioError, match="reported"):
        load_campaign(tmp_path / "c.json")
