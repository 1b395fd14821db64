"""Decoys and raid size, on a history the simulator made with a known decoy share.

The world: a small national-defence scenario with a decoy raid that mimics the
drones. Each night's counts are a multinomial draw around the simulated shares of
a night of its size (``NationalModel.shares``, four replications) whose share of
decoys grows with the raid's size as ``expit(logit(SHARE) + SLOPE * log(n / 100))``
(one of the forecaster's variants); the kill probability and EW susceptibility stay
put. (One simulated replication per night would be less spread than a multinomial:
the scenario's routes are fixed, so large nights vary less than binomially.) Decoys
not shot down are counted among the drones that did not reach a target, as the
reports count them, so the leaked share falls with raid size within a month.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from iadsim.history import load_raids
from iadsim.history.backtest import Backtest, backtest, kind_nights
from iadsim.history.backtest_text import backtest_text
from iadsim.history.drift import FilterRun
from iadsim.history.forecasters import (
    DECOY_VARIANTS,
    SIZE_SLOPES,
    decoy_shares,
    random_walk_model,
    simulation_model,
)
from iadsim.history.model import NationalModel, response_table, size_ladder
from iadsim.history.saturation import size_effect

SCENARIO = """
schema_version: 1
name: small national defence with decoys (test)
start: "18:00"
duration: 10 h
threat_classes:
  drone: {preset: shahed-136-class}
  decoy: {preset: gerbera-class}
assets:
  - {id: city, position: [0 km, 0 km], value: 100, hardness: medium}
sensors:
  - {id: radar, preset: surveillance-radar, position: [40 km, 0 km]}
fire_units:
  - {id: ew, preset: ew-site, position: [120 km, 0 km], max_range: 40 km,
     pk: {owa_drone: 1.0, decoy: 1.0}}
  - {id: mft-1, preset: mobile-fire-team, position: [90 km, -6 km], reserve: 60}
  - {id: mft-2, preset: mobile-fire-team, position: [90 km, 0 km], reserve: 60}
  - {id: mft-3, preset: mobile-fire-team, position: [90 km, 6 km], reserve: 60}
raids:
  - id: drones
    threat: drone
    count: 10
    launch: {sites: [[400 km, 0 km]], start: "18:00", end: "22:00"}
    route: {waypoints: [[120 km, 0 km], [85 km, 0 km]], jitter: 8 km, seed: 1}
    targets: {city: 1}
  - id: decoys
    threat: decoy
    count: 5
    launch: {sites: [[400 km, 0 km]], start: "18:00", end: "22:00"}
    route: {waypoints: [[120 km, 0 km], [85 km, 0 km]], jitter: 8 km, seed: 2}
    targets: {city: 1}
doctrine:
  decision_cycle: 2 s
  reaction_time: 10 s
  max_engagements: 1
"""

HEADER = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
FIRST = dt.date(2024, 1, 1)
NIGHTS = 150
PK, EW = 0.6, 0.3
SHARE, SLOPE = 0.25, 1.0
"""The true decoy curve: a quarter of a 100-drone night, growing with log size."""
SPAN = (dt.date(2024, 3, 1), dt.date(2024, 5, 29))
GRID: dict[str, Any] = {
    "pk_grid": (0.2, 0.4, 0.6, 0.8, 1.0), "ew_grid": (0.0, 0.15, 0.3, 0.45, 0.6),
    "decoy_grid": (0.25, 0.5, 0.75, 0.9), "rungs": 4, "draws": 120,
}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(scenario, CSV of simulated nights, cache folder)."""
    assert (SHARE, SLOPE) in DECOY_VARIANTS
    folder = tmp_path_factory.mktemp("decoys")
    scenario = folder / "national.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    model = NationalModel(scenario)
    raw = model.kind_raw("owa_drone", decoys=True)
    rng = np.random.default_rng(7)
    lines = []
    for i in range(NIGHTS):
        date = FIRST + dt.timedelta(days=i)
        n = int(np.exp(rng.uniform(np.log(8), np.log(400))))
        d = float(decoy_shares(np.array([n]), SHARE, SLOPE)[0])
        shares = model.shares("owa_drone", n, PK, EW, replications=4, seed=100 + i, raw=raw,
                              decoy=d)  # fmt: skip
        destroyed, lost, _ = rng.multinomial(n, shares / shares.sum())
        end = date + dt.timedelta(days=1)
        lines.append(f"{date} 19:00,{end} 07:00,Shahed-136/131,{n},{destroyed},{lost},kpszsu/{i}")
    csv = folder / "raids.csv"
    csv.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return scenario, csv, folder / "cache"


def test_decoys_fly_with_the_drones_and_count_as_not_reaching_a_target(
    world: tuple[Path, Path, Path],
) -> None:
    scenario, _, _ = world
    model = NationalModel(scenario)
    assert model.decoy_raid("owa_drone") == (1, "decoy")
    items = model.overrides("owa_drone", 40, 0.5, 0.2, decoys=10)
    assert items[:2] == ["raids.0.count=30", "raids.1.count=10"]
    assert "threat_classes.decoy.ew_susceptibility=0.2" in items
    # every kinetic unit shoots at decoys with the drones' kill probability
    assert all("decoy: 0.5" in i and "owa_drone: 0.5" in i for i in items if ".pk=" in i)
    raw = model.kind_raw("owa_drone", decoys=True)
    alone = model.shares("owa_drone", 200, 0.5, 0.2, replications=2, seed=1, raw=raw)
    half = model.shares("owa_drone", 200, 0.5, 0.2, replications=2, seed=1, raw=raw, decoy=0.5)
    assert np.isclose(alone.sum(), 1) and np.isclose(half.sum(), 1)
    # decoys never get through: the leaked share is the real drones' only
    assert half[2] < 0.75 * alone[2]
    assert half[1] > alone[1]  # decoys not shot down "did not reach the target"
    with pytest.raises(ValueError, match="decoy share"):
        model.shares("owa_drone", 10, 0.5, 0.2, replications=1, seed=1, decoy=1.0)


def test_a_decoy_share_growing_with_raid_size_is_recovered(world: tuple[Path, Path, Path]) -> None:
    scenario, csv, cache = world
    history = load_raids(csv)
    nights = kind_nights(history, "owa_drone")
    # the data: within months, the leaked share falls with raid size
    effect = size_effect(nights["launched"].to_numpy(), nights["leaked"].to_numpy(),
                         nights["month"].to_numpy())  # fmt: skip
    assert effect.per_doubling < -0.2 and effect.p_value < 1e-3, effect
    model = NationalModel(scenario)
    sizes = size_ladder(nights["launched"].to_numpy(), rungs=GRID["rungs"])  # as the backtest's
    table = response_table(model, "owa_drone", sizes, seed=0, cache_dir=cache,
                           **{k: v for k, v in GRID.items() if k != "rungs"})  # fmt: skip
    assert table.has_decoys and list(table.decoy) == [0.0, 0.25, 0.5, 0.75, 0.9]
    drift = simulation_model(table, nights, sigmas=(0.0,), concentrations=(30.0, np.inf))
    run = FilterRun(drift)
    for i, date in enumerate(drift.dates):
        run.advance(date)
        run.observe(i)
    best = run.pairs[run.choose()]
    chosen = drift.variants[best[2]]
    assert (chosen["decoys_at_ref"], chosen["decoy_slope"]) == (SHARE, SLOPE), chosen
    # by predictive likelihood, decoys growing with size beat no decoys by a wide margin
    score = {drift.variants[v]["decoy_slope"] if drift.variants[v]["decoys_at_ref"] else None:
             run.score[f] for f, (_, _, v) in enumerate(run.pairs)}  # fmt: skip
    assert (
        run.score.max()
        - max(
            s
            for f, s in enumerate(run.score)
            if drift.variants[run.pairs[f][2]]["decoys_at_ref"] == 0
        )
        > 20
    ), score


@pytest.fixture(scope="module")
def result(world: tuple[Path, Path, Path]) -> Backtest:
    scenario, csv, cache = world
    return backtest(load_raids(csv), NationalModel(scenario), span=SPAN, by=("night",),
                    kinds=("owa_drone",), samples=300, cache_dir=cache, sigmas=(0.0, 0.2),
                    concentrations=(30.0, 300.0, np.inf), **GRID)  # fmt: skip


def test_size_aware_intervals_hold_on_small_and_large_nights(result: Backtest) -> None:
    t = result.by_size
    for model in ("simulation", "random walk"):
        for size in ("small", "large"):
            row = t[(t["kind"] == "owa_drone") & (t["size"] == size) & (t["model"] == model)]
            assert len(row) == 1
            r = row.iloc[0]
            assert r["targets"] >= 40
            assert 0.78 <= r["pit90"] <= 0.99, (model, size, r.to_dict())
            assert 0.3 <= r["pit50"] <= 0.7, (model, size, r.to_dict())
    small = t[(t["kind"] == "owa_drone") & (t["size"] == "small")].iloc[0]
    large = t[(t["kind"] == "owa_drone") & (t["size"] == "large")].iloc[0]
    assert small["largest"] <= large["smallest"]
    assert "small and large nights" in backtest_text(result)
    assert result.settings["average"] is True


def test_the_forecasts_reproduce_the_size_effect(result: Backtest) -> None:
    s = result.saturation.set_index("source")
    reported = s.loc["reported", "per_doubling"]
    assert reported < -0.2
    # the simulation with decoys and the size-aware random walk both forecast it
    for name in ("simulation", "random walk"):
        assert s.loc[name, "per_doubling"] < 0.5 * reported, (name, s)
    f = result.forecasts
    sim = f[f["model"] == "simulation"]
    walk = f[f["model"] == "random walk"]
    assert set(sim["decoys_at_ref"]) <= {d for d, _ in DECOY_VARIANTS}
    assert set(walk["size_slope"]) <= set(SIZE_SLOPES) and walk["decoys_at_ref"].isna().all()
    # the leak does not depend on the choice of variant: the random walk learns slopes < 0
    assert walk["size_slope"].mean() < 0


def test_random_walk_shares_move_with_raid_size() -> None:
    import pandas as pd

    nights = pd.DataFrame({"date": [FIRST, FIRST + dt.timedelta(days=1)],
                           "launched": [50.0, 200.0], "destroyed": [np.nan] * 2,
                           "lost_to_ew": [np.nan] * 2, "leaked": [5.0, 5.0],
                           "ew_reporting": ["combined"] * 2})  # fmt: skip
    walk = random_walk_model(nights, has_ew=False)
    flat = SIZE_SLOPES.index(0.0)
    steep = SIZE_SLOPES.index(-0.5)
    g = len(walk.a) // 2  # leaked share 1/2 at 100 threats
    assert np.allclose(walk.shares[flat, g, :, 2], 0.5)
    small, large = walk.shares[steep, g, :, 2]
    logit = np.log([small / (1 - small), large / (1 - large)])
    # 50 -> 200 threats is two doublings: -0.5 each
    assert np.isclose(logit[1] - logit[0], -1.0, atol=1e-5)


def test_model_averaging_draws_filters_by_their_predictive_likelihood() -> None:
    import pandas as pd

    rng = np.random.default_rng(0)
    n = rng.integers(20, 200, size=60).astype(float)
    leaked = rng.binomial(n.astype(int), 0.2).astype(float)
    nights = pd.DataFrame({"date": [FIRST + dt.timedelta(days=i) for i in range(60)],
                           "launched": n, "destroyed": np.nan, "lost_to_ew": np.nan,
                           "leaked": leaked, "ew_reporting": "combined"})  # fmt: skip
    walk = random_walk_model(nights, has_ew=False, sigmas=(0.0, 0.4),
                             concentrations=(3.0, np.inf))  # fmt: skip
    run = FilterRun(walk)
    for i, date in enumerate(walk.dates):
        run.advance(date)
        run.observe(i)
    w = run.weights()
    assert np.isclose(w.sum(), 1.0) and int(np.argmax(w)) == run.choose()
    assert (run.pick(50, rng, average=False) == run.choose()).all()
    picks = run.pick(20_000, rng, average=True)
    share = np.bincount(picks, minlength=len(w)) / len(picks)
    assert np.allclose(share, w, atol=0.02)
    # binomial nights: the multinomial filters carry almost all the weight
    binomial = [f for f, (_, c, _) in enumerate(run.pairs) if np.isinf(c)]
    assert w[binomial].sum() > 0.9
    counts = run.sample_mixed_now(picks[:300], 59, 100.0, rng)
    assert counts.shape == (300, 3) and (counts.sum(axis=1) == 100).all()
