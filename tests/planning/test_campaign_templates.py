"""Campaigns with raid templates (per-replication nights) and damage carried between nights."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from iadsim.draws import uniform
from iadsim.errors import CampaignError
from iadsim.planning import campaign as campaign_module
from iadsim.planning import run_campaign
from iadsim.planning.campaign import template_draws
from iadsim.scenario.campaign import Campaign, load_campaign, template_raids

from repo_paths import EXAMPLES
from scenarios import base, unit


def defence(**fields: Any) -> dict[str, Any]:
    """Two raids of drones on one depot (8 + 4 = 12 a night) against two SAMs."""
    raw = base(salvo={"default": 1})
    first = raw["raids"][0]
    first["count"] = 8
    second = {
        **first,
        "id": "late",
        "count": 4,
        "launch": {"sites": [["-100 km", "0 km"]], "start": "00:45", "end": "01:00"},
    }
    raw["raids"] = [first, second]
    raw["fire_units"] = [
        unit("sam-1", -30, pk=0.6, rounds=6, reserve=4, **{"class": "sam-class"}),
        unit("sam-2", -15, pk=0.6, rounds=6, reserve=0, **{"class": "sam-class"}),
    ]
    raw.update(fields)
    return raw


def plan(**fields: Any) -> Campaign:
    data: dict[str, Any] = {"schema_version": 1, "name": "t", "defence": defence(), "days": 10}
    data.update(fields)
    return Campaign.model_validate(data)


def template(name: str, size: Any, **fields: Any) -> dict[str, Any]:
    return {"name": name, "axes": ["drones", "late"], "size": size, **fields}


ARRAYS = ("stock", "fired", "leaked", "destroyed", "lost_to_ew", "value_lost", "spend")


def test_vectorised_draws_are_the_counter_based_uniform() -> None:
    reps = np.arange(50, dtype=np.int64)
    got = campaign_module._uniforms(2**64 - 5, reps, 92, 17, 1)
    assert got.tolist() == [uniform(2**64 - 5, int(r), 92, 17, 1) for r in reps]


def test_two_templates_are_drawn_in_proportion_to_their_weights() -> None:
    nights = [{"day": d} for d in range(1, 11)]
    campaign = plan(
        schedule=nights,
        templates=[
            template("small", {"fixed": 6}, weight=1),
            template("big", {"uniform": [10, 30], "step": 5}, weight=3),
        ],
    )
    chosen, size = template_draws(campaign, 400, seed=7)
    share = (chosen == 1).mean()
    n = chosen.size  # 4,000 independent draws with p = 3/4
    assert abs(share - 0.75) < 4 * math.sqrt(0.75 * 0.25 / n)
    assert (size[chosen == 0] == 6).all()
    big = size[chosen == 1]
    assert big.min() >= 10 and big.max() <= 30 and (big % 5 == 0).all()
    assert set(big.tolist()) == {10, 15, 20, 25, 30}
    # the same seed draws the same nights; another seed, others
    again, _ = template_draws(campaign, 400, seed=7)
    other, _ = template_draws(campaign, 400, seed=8)
    assert (again == chosen).all() and (other != chosen).any()


def test_sizes_are_rounded_to_a_twentieth_of_the_mean_by_default() -> None:
    campaign = plan(
        schedule=[{"day": d} for d in range(1, 6)],
        templates=[template("a", {"uniform": [100, 300]}), template("b", 37)],
    )
    chosen, size = template_draws(campaign, 200, seed=1)
    ranged = size[chosen == 0]
    assert (ranged % 10 == 0).all() and ranged.min() >= 100 and ranged.max() <= 300
    assert len(set(ranged.tolist())) > 15  # 21 sizes: few compilations, still spread
    assert (size[chosen == 1] == 37).all()  # a fixed size is never rounded


def test_a_night_from_a_template_shares_its_size_over_axes_and_classes() -> None:
    raw = defence()
    plain = plan(schedule=[{"day": 1}], templates=[template("a", 12)]).templates[0]
    raids = [r for r, _ in template_raids(raw, plain, 12)]
    assert [(r["id"], r["count"]) for r in raids] == [("drones", 8), ("late", 4)]
    assert [r["count"] for r, _ in template_raids(raw, plain, 7)] == [5, 2]  # 4.67, 2.33
    raw["threat_classes"]["fake"] = {"preset": "gerbera-class", "speed": "100 m/s"}
    mixed = plan(
        defence=raw,
        schedule=[{"day": 1}],
        templates=[
            template(
                "m",
                10,
                mix={"drone": 3, "fake": 1},
                targets={"depot": 1},
                timing={"start": "00:10", "end": "00:20"},
            )
        ],
    ).templates[0]
    raids = [r for r, _ in template_raids(raw, mixed, 10)]
    # 7.5 -> 8 drones (first by largest remainder) and 2 decoys, each spread over the two axes
    assert [(r["threat"], r["count"]) for r in raids] == [
        ("drone", 4),
        ("drone", 4),
        ("fake", 1),
        ("fake", 1),
    ]
    assert all(r["launch"]["start"] == "00:10" and r["launch"]["end"] == "00:20" for r in raids)


def test_a_fixed_size_template_reproduces_the_schedule_bit_for_bit() -> None:
    days = [{"day": d, "scale": 1.0} for d in (1, 2, 4, 5)] + [{"day": 7, "scale": 2.0}]
    scaled = plan(schedule=days, stockpiles={"sam-class": 40})
    drawn = plan(
        schedule=days,
        stockpiles={"sam-class": 40},
        templates=[template("all", 12)],
    )
    a = run_campaign(scaled, defence(), replications=20, seed=3)
    b = run_campaign(drawn, defence(), replications=20, seed=3)
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.launched, b.launched)
    assert (b.template[:, [0, 1, 3, 4, 6]] == 0).all() and (b.template[:, [2, 5]] == -1).all()


def test_same_seed_same_result_whatever_the_replications_around_it() -> None:
    campaign = plan(
        model={"seed": 4, "raid_probability": 0.8},
        stockpiles={"sam-class": 50},
        templates=[
            template("a", {"uniform": [4, 20], "step": 2}, weight=2),
            template("b", {"mean": 10, "dispersion": 2, "max": 30}),
        ],
        damage={"repair": {"default": "3 d"}},
    )
    small = run_campaign(campaign, defence(), replications=7, seed=11)
    large = run_campaign(campaign, defence(), replications=30, seed=11)
    again = run_campaign(campaign, defence(), replications=30, seed=11)
    for name in (*ARRAYS, "launched_each", "template", "asset_lost"):
        assert np.array_equal(getattr(large, name), getattr(again, name)), name
        assert np.array_equal(getattr(small, name), getattr(large, name)[:7]), name
    assert len(set(large.launched_each.sum(axis=(1, 2)).tolist())) > 5  # raids differ


def test_the_reference_engine_agrees() -> None:
    campaign = plan(
        days=3,
        schedule=[{"day": 1}, {"day": 3}],
        stockpiles={"sam-class": 14},
        templates=[template("a", {"uniform": [3, 12]})],
    )
    fast = run_campaign(campaign, defence(), replications=4, seed=2)
    ref = run_campaign(campaign, defence(), replications=4, seed=2, engine="reference")
    for name in ARRAYS:
        assert np.array_equal(getattr(fast, name), getattr(ref, name)), name


def test_the_exhaustion_interval_widens_when_sizes_vary() -> None:
    nights = [{"day": d} for d in range(1, 21)]

    def spread(size: Any) -> tuple[float, float]:
        campaign = plan(
            days=20, schedule=nights, stockpiles={"sam-class": 60}, templates=[template("a", size)]
        )
        result = run_campaign(campaign, defence(), replications=80, seed=5)
        entry = result.summary()["exhaustion"]["sam-class"]
        assert entry["share_exhausted"] == 1.0
        return entry["day_5"], entry["day_95"]

    lo_fixed, hi_fixed = spread(6)
    lo_varied, hi_varied = spread({"uniform": [0, 12]})
    assert hi_varied - lo_varied > hi_fixed - lo_fixed + 1


def depot_campaign(days: int, **damage: Any) -> Campaign:
    raw = defence(fire_units=[])  # nothing defends: every drone reaches the depot and destroys it
    fields: dict[str, Any] = {"defence": raw, "days": days}
    if damage:
        fields["damage"] = damage
    return plan(schedule=[{"day": d, "scale": 1.0} for d in range(1, days + 1)], **fields)


def test_a_destroyed_asset_stays_destroyed_until_repaired() -> None:
    raw = defence(fire_units=[])
    whole = run_campaign(depot_campaign(6), raw, replications=3, seed=1)
    assert whole.asset_lost[:, :, 0].all() and (whole.value_lost == 10).all()
    repaired = run_campaign(depot_campaign(6, repair={"depot": "2 d"}), raw, replications=3, seed=1)
    # destroyed on night 1, down on night 2, back (and destroyed again) on night 3, ...
    assert (repaired.asset_lost[:, :, 0] == [True, False] * 3).all()
    assert (repaired.value_lost == [10, 0] * 3).all()
    assert (repaired.asset_down == 1).all()
    forever = depot_campaign(6, repair={"default": "never"})
    never = run_campaign(forever, raw, replications=3, seed=1)
    assert (never.asset_lost[:, :, 0] == [True] + [False] * 5).all()
    summary = never.summary()
    assert summary["damage_carried"] is True
    assert summary["assets"]["depot"]["share_destroyed"] == 1.0
    assert summary["assets"]["depot"]["first_day_median"] == 1.0
    # a repair of 36 h takes two nights, like 2 d
    hours = run_campaign(depot_campaign(6, repair={"depot": "36 h"}), raw, replications=3, seed=1)
    assert np.array_equal(hours.asset_lost, repaired.asset_lost)


def test_destroyed_launchers_are_replaced_by_spares_then_repaired(monkeypatch: Any) -> None:
    raw = defence()
    for sam in raw["fire_units"]:
        sam["pk"] = {"drone": 0.01}  # they fire, and miss: drones reach sam-1
    for raid in raw["raids"]:
        raid["targets"] = {"sam-1": 1}
    real = campaign_module.run_replications
    shots: list[int] = []

    def run(cs: Any, rows: Any, **kw: Any) -> Any:
        out = real(cs, rows, **kw)
        shots.append(int(out.shots[:, list(cs.unit_ids).index("sam-1")].sum()))
        return out

    monkeypatch.setattr(campaign_module, "run_replications", run)
    campaign = plan(
        defence=raw,
        days=7,
        schedule=[{"day": d, "scale": 1.0} for d in range(1, 8)],
        damage={"repair": {"sam-class": "3 d"}, "spares": {"sam-class": 1}},
    )
    result = run_campaign(campaign, raw, replications=2, seed=1)
    lost = result.asset_lost[:, :, result.assets.index("sam-1")]
    # night 1: destroyed, a spare replaces it; night 2: destroyed, no spare, back for night 5
    assert (lost == [True, True, False, False, True, False, False]).all()
    # out of action all night (an outage): it fires on nights 1, 2 and 5 only
    assert [n > 0 for n in shots] == [True, True, False, False, True, False, False]
    summary = result.summary()
    assert summary["elements_destroyed"]["sam-1"]["times_destroyed"]["mean"] == 3
    assert "sam-2" not in summary["elements_destroyed"] and "depot" in summary["assets"]


def test_the_example_runs() -> None:
    campaign, raw, _ = load_campaign(EXAMPLES / "campaign_templates.yaml")
    short = campaign.model_copy(update={"days": 6})
    result = run_campaign(short, raw, replications=3, seed=0, base_dir=EXAMPLES)
    summary = result.summary()
    assert set(summary["templates"]) == {"north-east", "south-late", "energy-strike", "west"}
    assert summary["damage_carried"] is True


@pytest.mark.parametrize(
    ("fields", "path", "words"),
    [
        ({"templates": [template("a", 5, axes=["nope"])]}, "templates.0.axes.0", "no raid"),
        (
            {"templates": [template("a", 5, mix={"ghost": 1})]},
            "templates.0.mix.ghost",
            "unknown threat class",
        ),
        (
            {"templates": [template("a", 5, targets={"nowhere": 1})]},
            "templates.0.targets.nowhere",
            "unknown target",
        ),
        (
            {"templates": [template("a", 5, timing={"end": "04:00"})]},
            "templates.0.timing.end",
            "after the end",
        ),
        ({"damage": {"repair": {"depot": "3 d", "silo": "3 d"}}}, "damage.repair.silo", "no "),
        ({"damage": {"spares": {"depot": 1}}}, "damage.spares.depot", "preset"),
    ],
)
def test_templates_and_damage_are_checked_against_the_defence(
    tmp_path: Path, fields: dict[str, Any], path: str, words: str
) -> None:
    import json

    data = {
        "schema_version": 1,
        "name": "x",
        "defence": defence(),
        "days": 5,
        "schedule": [{"day": 1}] if "templates" in fields else [{"day": 1, "scale": 1}],
        **fields,
    }
    file = tmp_path / "c.json"
    file.write_text(json.dumps(data))
    with pytest.raises(CampaignError) as caught:
        load_campaign(file)
    text = str(caught.value)
    assert f"`{path}`" in text and words in text and "c.json" in text


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"templates": [template("a", 5, weight=0)]}, "templates.0.weight"),
        ({"templates": [template("a", {"uniform": [9, 3]})]}, "templates.0.size.uniform"),
        ({"templates": [template("a", {"mean": 9})]}, "templates.0.size.dispersion"),
        ({"templates": [template("a", 5), template("a", 6)]}, "templates.1.name"),
        ({"schedule": [{"day": 1, "templates": ["b"]}]}, "schedule.0.templates.0"),
        ({"damage": {"repair": {"depot": 3}}}, "damage.repair.depot"),
        ({"damage": {"repair": {"depot": "3 km"}}}, "damage.repair.depot"),
    ],
)
def test_bad_template_fields_name_their_path(
    tmp_path: Path, fields: dict[str, Any], path: str
) -> None:
    import json

    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "x",
        "defence": defence(),
        "days": 5,
        "schedule": [{"day": 1}],
        "templates": [template("a", 5)],
        **fields,
    }
    file = tmp_path / "c.json"
    file.write_text(json.dumps(data))
    with pytest.raises(CampaignError) as caught:
        load_campaign(file)
    assert f"`{path}`" in str(caught.value) and "c.json" in str(caught.value)


def test_campaign_result_as_a_frame_has_a_row_per_replication_and_day() -> None:

    from iadsim.planning import run_campaign
    from iadsim.scenario.campaign import load_campaign

    examples = EXAMPLES
    campaign, defence, _ = load_campaign(examples / "supply_pause.yaml")
    result = run_campaign(campaign, defence, replications=3, seed=1, base_dir=examples)
    frame = result.to_frame()
    assert len(frame) == 3 * result.days
    assert list(frame["day"][: result.days]) == list(range(1, result.days + 1))
    stock = frame[f"stock.{result.types[0]}"].to_numpy().reshape(3, result.days)
    assert (stock == result.stock[:, :, 0]).all()
