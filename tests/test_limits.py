"""The documented limits hold: quantities, counts, design sizes, nights, and compile-time work.

Every check is in-process and fast: a hostile value must be refused in well
under a second, before anything large is allocated, with a message that names
the field and the limit.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from iadsim import limits
from iadsim.compile import compile_scenario, detection_looks, replication_bytes
from iadsim.errors import CampaignError, LaydownError, ProcurementError, ScenarioError, SweepError
from iadsim.runner.design import build_sweep
from iadsim.scenario import load_scenario, parse_scenario
from iadsim.scenario.campaign import load_campaign
from iadsim.scenario.laydown import load_laydown
from iadsim.scenario.procurement import load_procurement
from iadsim.scenario.units import (
    AREA,
    DURATION,
    LENGTH,
    MONEY,
    SPEED,
    _registry,
    parse_quantity,
)

from repo_paths import EXAMPLES


def base() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "Limits base (fictional)",
        "start": "00:00",
        "duration": "2 h",
        "threat_classes": {"drone": {"preset": "shahed-136-class"}},
        "assets": [{"id": "depot", "position": ["0 km", "0 km"], "value": 10, "hardness": "soft"}],
        "sensors": [
            {
                "id": "radar",
                "kind": "radar",
                "position": ["0 km", "0 km"],
                "range": "100 km",
                "height": "10 m",
                "scan_period": "1 s",
                "pd": 1.0,
            }
        ],
        "fire_units": [
            {
                "id": "battery",
                "kind": "sam",
                "position": ["0 km", "0 km"],
                "min_range": "1 km",
                "max_range": "20 km",
                "channels": 1,
                "rounds": 20,
                "reserve": 0,
                "reload_time": "30 min",
                "interceptor_speed": "1000 m/s",
                "pk": {"drone": 0.7},
                "cost_per_shot": "100000 USD",
            }
        ],
        "raids": [
            {
                "id": "drones",
                "threat": "drone",
                "count": 10,
                "launch": {"sites": [["-100 km", "0 km"]], "start": "00:00", "end": "00:45"},
                "targets": {"depot": 1},
            }
        ],
    }


def problem(data: dict[str, Any]) -> tuple[str, str]:
    """The first (field, message) of a scenario that must be refused, quickly."""
    started = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, source="s.yaml")
    assert time.monotonic() - started < 1.0
    return info.value.problems[0]


# --- quantities ------------------------------------------------------------------------------

LEGIT = [
    ("150 km", LENGTH, "m"),
    ("-2 km", LENGTH, "m"),
    ("1.5e3 m", LENGTH, "m"),
    ("10km", LENGTH, "m"),
    (".5 km", LENGTH, "m"),
    ("1 nmi", LENGTH, "m"),
    ("185 km/h", SPEED, "m/s"),
    ("1400 m/s", SPEED, "m/s"),
    ("300 km / h", SPEED, "m/s"),
    ("10 s", DURATION, "s"),
    ("30 min", DURATION, "s"),
    ("14 h", DURATION, "s"),
    ("1 ms", DURATION, "s"),
    ("0.1 m^2", AREA, "m**2"),
    ("0.1 m**2", AREA, "m**2"),
    ("1 m ^ 2", AREA, "m**2"),
    ("4 MUSD", MONEY, "USD"),
    ("120 kUSD", MONEY, "USD"),
    ("120000 USD", MONEY, "USD"),
    ("1e13 USD", MONEY, "USD"),
]


@pytest.mark.parametrize(("text", "dim", "si"), LEGIT, ids=[t for t, _, _ in LEGIT])
def test_legit_quantities_read_exactly_as_pint_reads_them(text: str, dim: Any, si: str) -> None:
    expected = float(_registry().Quantity(text).to(si).magnitude)
    assert parse_quantity(text, dim) == expected  # bit for bit: results do not move


HOSTILE = [
    ("9**9**9 km", "could not read"),
    ("10**100000 km", "could not read"),
    ("km**99999999", "could not read"),
    ("1 km**99999999", "could not read"),
    ("1 km^(9**9)", "could not read"),
    ("1 km^9/m^8", "power 9"),
    ("1 m*m*m*m*m*m*m/m/m/m/m/m", "parts"),
    ("1e400 km", "finite"),
    ("1e9 km", "at most 100000 km"),
    ("-1e9 km", "at most 100000 km"),
    ("inf km", "could not read"),
    ("nan km", "could not read"),
    ("10 nan", "no unit"),
    ("(1+2) km", "could not read"),
    ("2*3 km", "could not read"),
    ("1 km + 1 km", "could not read"),
    ("1" * 200 + " km", "the limit is 100"),
    ("10 s", "[time]"),
    ("ten km", "could not read"),
]


@pytest.mark.parametrize(("text", "words"), HOSTILE, ids=[t[:30] for t, _ in HOSTILE])
def test_hostile_quantities_are_refused_in_well_under_a_second(text: str, words: str) -> None:
    started = time.monotonic()
    with pytest.raises(ValueError) as info:
        parse_quantity(text, LENGTH)
    assert time.monotonic() - started < 1.0
    assert words in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("text", "dim", "limit"),
    [
        ("200000 km", LENGTH, "100000 km"),
        ("200 km/s", SPEED, "100 km/s"),
        ("31 day", DURATION, "30 days"),
        ("2e6 m^2", AREA, "1000000 m^2"),
        ("2e13 USD", MONEY, "1e13 USD"),
    ],
)
def test_each_dimension_has_an_upper_bound(text: str, dim: Any, limit: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_quantity(text, dim)
    assert f"at most {limit}" in str(info.value)


def test_bare_huge_integer_is_not_printed_whole() -> None:
    with pytest.raises(ValueError) as info:
        parse_quantity(10**200, LENGTH)
    assert len(str(info.value)) < 200


# --- scenario bounds -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10**23, 200_000_000, limits.MAX_THREATS + 1])
def test_raid_count_has_an_upper_bound(count: int) -> None:
    data = base()
    data["raids"][0]["count"] = count
    field, message = problem(data)
    assert field == "raids.0.count"
    assert "less than or equal to 100000" in message


def test_threats_over_all_raids_have_an_upper_bound() -> None:
    data = base()
    data["raids"][0]["count"] = 60_000
    data["raids"].append({**copy.deepcopy(data["raids"][0]), "id": "more"})
    field, message = problem(data)
    assert field == "raids"
    assert "120,000 threats" in message and "100,000" in message


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("fire_units", 0, "channels"), 10**12, "fire_units.0.channels"),
        (("fire_units", 0, "rounds"), 10**20, "fire_units.0.rounds"),
        (("fire_units", 0, "reserve"), 10**20, "fire_units.0.reserve"),
        (("assets", 0, "value"), 1e300, "assets.0.value"),
        (("raids", 0, "targets", "depot"), 1e300, "raids.0.targets.depot"),
        (("raids", 0, "route"), {"seed": 2**64}, "raids.0.route.seed"),
        (("raids", 0, "route"), {"waypoints": [["1 km", "0 km"]] * 33}, "raids.0.route.waypoints"),
        (("doctrine",), {"max_engagements": 10**20}, "doctrine.max_engagements"),
        (("doctrine",), {"exact_node_limit": 10**20}, "doctrine.exact_node_limit"),
    ],
)
def test_scenario_field_upper_bounds(path: tuple[Any, ...], value: Any, field: str) -> None:
    data = base()
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    found, message = problem(data)
    assert found == field, message


def test_limits_are_in_the_schema_descriptions() -> None:
    from iadsim.scenario import Scenario

    text = json.dumps(Scenario.model_json_schema(by_alias=True))
    for words in ("at most 100,000", "at most 100000 km", "at most 32", "at most 1e13 USD"):
        assert words in text, words


# --- compile-time work -----------------------------------------------------------------------


def test_too_many_pairs_is_refused_before_compiling() -> None:
    data = base()
    data["raids"][0]["count"] = limits.MAX_THREATS
    data["fire_units"] += [
        {"id": f"gun-{k}", "preset": "gepard-class", "position": [f"{k} km", "1 km"]}
        for k in range(100)
    ]
    scenario = parse_scenario(data)
    started = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        compile_scenario(scenario, source="s.yaml")
    assert time.monotonic() - started < 1.0
    assert "10,200,000" in str(info.value) and "10,000,000" in str(info.value)


def test_runaway_sensor_looks_are_refused() -> None:
    data = base()
    data["sensors"][0].update(scan_period="1 us", pd=0.0)
    scenario = parse_scenario(data)
    started = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        compile_scenario(scenario, source="s.yaml")
    assert time.monotonic() - started < 2.0
    assert info.value.problems[0][0] == "sensors.0.scan_period"
    assert "sensor looks" in str(info.value)


def test_memory_estimate_refuses_what_does_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IADSIM_MEMORY_LIMIT", str(10**6))
    data = base()
    data["raids"][0]["count"] = 50_000
    with pytest.raises(ScenarioError, match=r"would need about .* of memory"):
        compile_scenario(parse_scenario(data), source="s.yaml")
    assert limits.check_memory(10**5, "x") is None
    assert "1.0 GB" in (limits.check_memory(1e9, "x") or "")


@pytest.mark.parametrize("name", ["single_battery", "capital_night_raid", "national_defence"])
def test_examples_are_far_inside_the_limits(name: str) -> None:
    cs = compile_scenario(load_scenario(EXAMPLES / f"{name}.yaml"))
    assert detection_looks(cs).sum() < limits.MAX_DETECTION_LOOKS / 1000
    per_batch = replication_bytes(cs, 1024, threads=2)
    assert 0 < per_batch < 100e6
    assert replication_bytes(cs, 2048, 2) > per_batch
    assert isinstance(detection_looks(cs), np.ndarray)


# --- sweeps ----------------------------------------------------------------------------------


def sweep_file(tmp_path: Path, extra: str) -> Path:
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(base()))
    path = tmp_path / "w.yaml"
    path.write_text(f"scenario: s.json\nreplications: 2\n{extra}")
    return path


def test_sweep_points_limit(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, "")
    started = time.monotonic()
    with pytest.raises(SweepError, match="at most 100,000"):
        build_sweep(path, random=["fire_units.0.pk.drone=uniform(0.5, 0.9)"], points=10**8)
    assert time.monotonic() - started < 1.0


def test_sweep_grid_of_40_axes_is_refused_without_listing_it(tmp_path: Path) -> None:
    grid = "grid:\n" + "".join(f"  doctrine.salvo.k{k}: [1, 2]\n" for k in range(40))
    started = time.monotonic()
    with pytest.raises(SweepError) as info:
        build_sweep(sweep_file(tmp_path, grid))
    assert time.monotonic() - started < 1.0
    assert info.value.problems[0][0] == "grid"
    assert "1,099,511,627,776 points" in str(info.value)


def test_sweep_at_the_limit_is_built(tmp_path: Path) -> None:
    grid = "grid:\n  raids.0.count: [" + ", ".join(str(k + 1) for k in range(1000)) + "]\n"
    sweep = build_sweep(
        sweep_file(
            tmp_path,
            grid + "random: {points: 100, vary: {fire_units.0.pk.drone: {uniform: [0.5, 0.9]}}}\n",
        )
    )
    assert sweep.random is not None and sweep.random.points == 100


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("seed: 18446744073709551616\n", "seed"),
        ("batch_size: 100000000000\n", "batch_size"),
        ("random: {points: 2, seed: -1, vary: {a: {uniform: [0, 1]}}}\n", "random.seed"),
        (
            "random: {points: 2, vary: {a: {integers: [0, 100000000000000000000]}}}\n",
            "random.vary.a",
        ),
        ("random: {points: 2, vary: {a: {uniform: [0, .inf]}}}\n", "random.vary.a"),
    ],
)
def test_sweep_settings_are_bounded(tmp_path: Path, extra: str, field: str) -> None:
    with pytest.raises(SweepError) as info:
        build_sweep(sweep_file(tmp_path, extra))
    assert info.value.problems[0][0] == field, str(info.value)


def test_sweep_option_values_that_are_not_yaml(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, "")
    with pytest.raises(SweepError, match="not valid YAML"):
        build_sweep(path, grid=["name=[a"])
    with pytest.raises(SweepError, match="not valid YAML"):
        build_sweep(path, grid=["raids.0.count=1,2"], overrides=["name=[a"])


# --- campaigns, laydowns, procurement --------------------------------------------------------


def campaign_file(tmp_path: Path, **changes: Any) -> Path:
    (tmp_path / "s.json").write_text(json.dumps(base()))
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "c",
        "defence": "s.json",
        "days": 5,
        "schedule": [{"day": 1, "scale": 1}, {"day": 3, "scale": 2}],
        "stockpiles": {"sam": 30},
    }
    data.update(changes)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    return path


def campaign_problem(path: Path) -> tuple[str, str]:
    started = time.monotonic()
    with pytest.raises(CampaignError) as info:
        load_campaign(path)
    assert time.monotonic() - started < 5.0
    assert str(info.value).startswith(f"{path}: invalid campaign")
    return info.value.problems[0]


def test_campaign_model_of_a_billion_threats(tmp_path: Path) -> None:
    model = {"seed": 1, "raid_probability": 1, "mean_threats": 1e9, "dispersion": 1}
    path = campaign_file(tmp_path, schedule=None, model=model)
    assert campaign_problem(path)[0] == "model.mean_threats"


def test_campaign_model_nights_above_the_limit(tmp_path: Path) -> None:
    model = {"seed": 1, "raid_probability": 1, "mean_threats": 90_000, "dispersion": 0.5}
    field, message = campaign_problem(campaign_file(tmp_path, schedule=None, model=model))
    assert field == "model.max_threats" and "100,000 a night" in message
    model["max_threats"] = 100_000
    load_campaign(campaign_file(tmp_path, schedule=None, model=model))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"schedule": [{"day": 1, "scale": 1e8}]}, "schedule.0.scale", "less than or equal"),
        ({"schedule": [{"day": 1, "scale": 20_000}]}, "schedule.0.scale", "200,000 threats"),
        (
            {"schedule": [{"day": 2, "scale": 1}, {"day": 2, "scale": 3}]},
            "schedule.1.day",
            "also `schedule.0`",
        ),
        ({"days": 10**8}, "days", "less than or equal to 3650"),
        ({"stockpiles": {"sam": 10**30}}, "stockpiles.sam", "less than or equal"),
        ({"deliveries": [{"type": "sam", "day": 9, "count": 1}]}, "deliveries.0.day", "horizon"),
    ],
)
def test_campaign_bounds(tmp_path: Path, changes: dict[str, Any], field: str, words: str) -> None:
    found, message = campaign_problem(campaign_file(tmp_path, **changes))
    assert found == field and words in message, message


def test_unquoted_date_in_a_campaign_is_read_as_written(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(base()))
    (tmp_path / "r.csv").write_text("x\n")
    path = tmp_path / "c.yaml"
    text = (
        "schema_version: 1\nname: c\ndefence: s.json\ndays: 5\n"
        "reported: {csv: r.csv, first_night: 2025-01-01}\n"
    )
    path.write_text(text)
    campaign, _, _ = load_campaign(path)
    assert campaign.reported is not None and campaign.reported.first_night == "2025-01-01"
    path.write_text(text.replace("2025-01-01", "2025-13-01"))
    field, message = campaign_problem(path)
    assert field == "reported.first_night" and "got '2025-13-01'" in message


def laydown_file(tmp_path: Path, count: int = 10, **changes: Any) -> Path:
    data = base()
    data["raids"][0]["count"] = count
    (tmp_path / "s.json").write_text(json.dumps(data))
    laydown: dict[str, Any] = {
        "schema_version": 1,
        "name": "l",
        "scenario": "s.json",
        "remove": ["battery"],
        "place": [{"unit": {"preset": "gepard-class"}, "count": 1}],
        "replications": 5,
        "sites": [
            {"id": "a", "position": ["1 km", "0 km"]},
            {"id": "b", "position": ["0 km", "1 km"]},
        ],
    }
    laydown.update(changes)
    path = tmp_path / "l.json"
    path.write_text(json.dumps(laydown))
    return path


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"remove": ["battery", "nope"]}, "remove.1", "'nope'"),
        ({"replications": 10**12}, "replications", "less than or equal"),
        (
            {"place": [{"unit": {"preset": "gepard-class", "channels": 0}, "count": 1}]},
            "place.0.unit.channels",
            "greater than or equal",
        ),
        (
            {"sites": [{"id": "a", "position": {"lat": 50, "lon": 30}}]},
            "sites.0.position",
            "origin",
        ),
    ],
)
def test_laydown_checked_against_its_scenario(
    tmp_path: Path, changes: dict[str, Any], field: str, words: str
) -> None:
    path = laydown_file(tmp_path, **changes)
    with pytest.raises(LaydownError) as info:
        load_laydown(path)
    assert info.value.problems[0][0] == field and words in str(info.value), str(info.value)


def test_laydown_memory_and_pairs_are_checked(tmp_path: Path) -> None:
    path = laydown_file(tmp_path, count=limits.MAX_THREATS, replications=5_000_000)
    with pytest.raises(LaydownError, match="memory"):
        load_laydown(path)
    sites = [{"id": f"s{k}", "position": [f"{k} km", "1 km"]} for k in range(100)]
    path = laydown_file(tmp_path, count=limits.MAX_THREATS, sites=sites)
    with pytest.raises(LaydownError, match="pairs"):
        load_laydown(path)


def procurement_file(tmp_path: Path, **changes: Any) -> Path:
    campaign_file(tmp_path)
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "p",
        "campaign": "c.json",
        "catalogue": [
            {
                "id": "lot",
                "interceptors": "sam",
                "lot": 5,
                "cost": "1 MUSD",
                "lead_time": 1,
                "max": 3,
            }
        ],
        "budget": "10 MUSD",
        "bound": {"metric": "leaked", "kind": "owa_drone", "max": 5},
        "replications": 4,
    }
    data.update(changes)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"budget": "-100 MUSD"}, "budget", "must not be negative"),
        (
            {"bound": {"metric": "leaked", "kind": "balistic", "max": 5}},
            "bound.kind",
            "'ballistic_missile'",
        ),
        (
            {"bound": {"metric": "leaked", "kind": "hypersonic", "max": 5}},
            "bound.kind",
            "launch no hypersonic",
        ),
        ({"bound": {"metric": "leaked", "max": -1}}, "bound.max", "greater than or equal to 0"),
        (
            {
                "catalogue": [
                    {"id": "lot", "interceptors": "sma", "cost": "1 MUSD", "lead_time": 1, "max": 3}
                ]
            },
            "catalogue.0.interceptors",
            "stocked: sam",
        ),
    ],
)
def test_procurement_checked_against_its_campaign(
    tmp_path: Path, changes: dict[str, Any], field: str, words: str
) -> None:
    path = procurement_file(tmp_path, **changes)
    with pytest.raises(ProcurementError) as info:
        load_procurement(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid procurement")
    assert info.value.problems[0][0] == field and words in message, message
