"""The command-and-control network: hand-worked cases, both engines, the metrics.

The base scenario (:func:`scenarios.base`): drones at 100 m/s, one a minute,
from x = -100 km east to a depot at the origin; a perfect acoustic sensor at
-50 km that hears them from launch; decision cycle 1 s, reaction 2 s.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.compile import CompiledScenario
from iadsim.engine import run_replications
from iadsim.engine.network import (
    N_KILLS,
    arrival,
    build_picture,
    first_seen,
    network_metrics,
    new_picture,
)
from iadsim.engine.reference import trace_replication
from iadsim.engine.scene import build_scene
from iadsim.errors import ScenarioError
from iadsim.scenario import parse_scenario

from scenarios import base, build, unit
from strategies import network_scenarios


def first_fire(cs: CompiledScenario, seed: int = 1, rep: int = 0) -> dict[int, float]:
    """When each threat is first fired at (reference engine, traced)."""
    events, _ = trace_replication(cs, seed=seed, replicate_index=rep)
    first: dict[int, float] = {}
    for e in events:
        if e.what == "fire" and e.threat not in first:
            first[e.threat] = e.time
    return first


def fire_times(cs: CompiledScenario, seed: int = 1, rep: int = 0) -> list[tuple[float, int]]:
    events, _ = trace_replication(cs, seed=seed, replicate_index=rep)
    return [(e.time, e.threat) for e in events if e.what == "fire"]


def agree(cs: CompiledScenario, reps: int = 8, seed: int = 5) -> None:
    """Both engines give the same Outcomes, bit for bit."""
    rows = np.arange(reps)
    a = run_replications(cs, rows, seed=seed, engine="reference")
    b = run_replications(cs, rows, seed=seed, engine="fast")
    assert a.equals(b)


def networked(raw: dict[str, Any], links: list[dict[str, Any]], **network: Any) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    out["network"] = {"links": links, **network}
    return out


def short_sighted(raw: dict[str, Any], range_km: float = 10.5) -> dict[str, Any]:
    """The sensor stands with the SAM at -20 km and hears only ``range_km``: the track
    comes after the firing gate opens, so it decides when the first shot goes."""
    out = copy.deepcopy(raw)
    out["sensors"][0]["position"] = ["-20 km", "0 km"]
    out["sensors"][0]["range"] = f"{range_km} km"
    return out


# --- latency ---------------------------------------------------------------------------------


def test_one_link_of_latency_l_delays_every_first_engagement_by_exactly_l() -> None:
    raw = base()
    raw["raids"][0]["count"] = 8
    raw["raids"][0]["launch"]["end"] = "00:07"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    raw = short_sighted(raw)
    plain = build(raw)
    delayed = build(networked(raw, [{"from": "radar", "to": "sam", "latency": "4 s"}]))
    zero = build(networked(raw, [{"from": "radar", "to": "sam", "latency": "0 s"}]))
    for rep in range(3):
        before = first_fire(plain, rep=rep)
        after = first_fire(delayed, rep=rep)
        assert len(before) == 8
        assert sorted(after) == sorted(before)
        for threat, t in before.items():
            assert after[threat] - t == 4.0
        # a link of no latency is the perfect picture, shot for shot
        assert fire_times(zero, rep=rep) == fire_times(plain, rep=rep)
    agree(delayed)


def test_latency_through_a_command_post_and_its_cycle_adds_up() -> None:
    raw = base()
    raw["raids"][0]["count"] = 6
    raw["raids"][0]["launch"]["end"] = "00:05"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    raw = short_sighted(raw)
    plain = build(raw)
    cs = build(
        networked(
            raw,
            [
                {"from": "radar", "to": "cp", "latency": "1 s"},
                {"from": "cp", "to": "sam", "latency": "2 s"},
            ],
            command_posts=[{"id": "cp", "position": ["-25 km", "0 km"], "decision_cycle": "5 s"}],
        )
    )
    sc = build_scene(cs, lists=True)
    pic = new_picture(sc, lists=True)
    build_picture(sc, pic, np.uint64(1), 0)
    for i in range(cs.n_threats):
        seen = first_seen(sc, pic, i)  # one sensor
        at_post = seen + 1.0
        passed_on = math.ceil(at_post / 5.0) * 5.0
        assert arrival(sc, pic, i, 1) == at_post
        assert arrival(sc, pic, i, 2) == passed_on + 2.0
    before, after = first_fire(plain), first_fire(cs)
    assert sorted(before) == sorted(after)
    assert all(after[i] >= before[i] + 3.0 for i in before)
    agree(cs)


# --- outages ---------------------------------------------------------------------------------


def test_an_outage_of_the_sole_link_leaves_exactly_the_threats_crossing_then_unengaged() -> None:
    # threat k crosses the SAM's zone (x from -30 to -10 km) at 60k + 700 .. 60k + 900 s,
    # its firing gate opening 10 s earlier; the link is down from 1250 s to 1700 s
    raw = base()
    raw["raids"][0]["count"] = 20
    raw["raids"][0]["launch"]["end"] = "00:19"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    t1, t2 = 1250.0, 1700.0
    cs = build(
        networked(
            raw,
            [{"from": "radar", "to": "sam", "outages": [{"start": f"{t1} s", "end": f"{t2} s"}]}],
        )
    )
    inside = {k for k in range(20) if t1 <= 60 * k + 690 and 60 * k + 900 <= t2}
    assert inside == {10, 11, 12, 13}
    for rep in range(3):
        fires = fire_times(cs, rep=rep)
        assert not [t for t, _ in fires if t1 <= t < t2]
        engaged = {i for _, i in fires}
        assert engaged == set(range(20)) - inside
    metrics = network_metrics(cs, run_replications(cs, np.arange(4), seed=1))
    assert (metrics["engagement_windows_lost"] >= len(inside)).all()
    agree(cs)


def test_jammer_cuts_a_jammable_link_while_it_is_on_but_not_a_hardened_one() -> None:
    raw = base()
    raw["raids"][0]["count"] = 20
    raw["raids"][0]["launch"]["end"] = "00:19"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    jammer = {"id": "j", "position": ["-20 km", "5 km"], "radius": "6 km"}
    jammer |= {"start": "1250 s", "end": "1700 s"}
    jammed = build(networked(raw, [{"from": "radar", "to": "sam"}], jammers=[jammer]))
    hardened = build(
        networked(raw, [{"from": "radar", "to": "sam", "jammable": False}], jammers=[jammer])
    )
    outage = build(
        networked(
            raw, [{"from": "radar", "to": "sam", "outages": [{"start": "1250 s", "end": "1700 s"}]}]
        )
    )
    assert fire_times(jammed) == fire_times(outage)
    assert fire_times(hardened) == fire_times(build(raw))
    agree(jammed)


# --- capacity ------------------------------------------------------------------------------


def _capacity_raw(capacity: int) -> dict[str, Any]:
    """Two slow drones launched at 0 s and 60 s (impact 1000 s and 1060 s), then three fast
    missiles at 100, 110, 120 s (1000 m/s: impact 200, 210, 220 s), all heard at launch."""
    raw = base()
    raw["raids"][0]["count"] = 2
    raw["raids"][0]["launch"]["end"] = "00:01"
    raw["threat_classes"]["missile"] = {
        "preset": "kh-101-class",
        "speed": "1000 m/s",
        "altitude": "100 m",
        "ew_susceptibility": 0.0,
    }
    raw["raids"].append(
        {
            "id": "missiles",
            "threat": "missile",
            "count": 3,
            "launch": {"sites": [["-100 km", "0 km"]], "start": "100 s", "end": "120 s"},
            "targets": {"depot": 1},
        }
    )
    sam = unit("sam", -20, pk=0.5)
    sam["pk"] = {"drone": 0.5, "missile": 0.5}
    raw["fire_units"] = [sam]
    return networked(
        raw,
        [{"from": "radar", "to": "cp"}, {"from": "cp", "to": "sam"}],
        command_posts=[{"id": "cp", "position": ["0 km", "0 km"], "track_capacity": capacity}],
    )


@pytest.mark.parametrize(("capacity", "dropped"), [(1, 3), (2, 3), (3, 0), (5, 0)])
def test_a_command_post_drops_the_tracks_the_hand_count_says(capacity: int, dropped: int) -> None:
    # capacity 1 or 2: the drones hold every slot past 1000 s, and each missile arrives
    # before that: all three dropped. Capacity 3: missile 0 takes the last slot and lets it
    # go at 200 s, when missile 1 (arriving at 210 s) takes it, then missile 2: none dropped.
    cs = build(_capacity_raw(capacity))
    impact = cs.impact_time
    assert list(impact[:2]) == [1000.0, 1060.0]
    assert np.allclose(impact[2:], [200.0, 210.0, 220.0])
    sc = build_scene(cs, lists=True)
    pic = new_picture(sc, lists=True)
    build_picture(sc, pic, np.uint64(1), 0)
    # hand count: tracks come in order drone 0, drone 1, missile 0, 1, 2; each is held
    # until its impact; one that finds the post full takes the slot that frees first, or
    # is dropped if its own threat arrives before that slot frees
    holds: list[float] = []
    expected = 0
    for i in range(5):
        live = sorted(h for h in holds if h > first_seen(sc, pic, i))
        if len(live) < capacity:
            holds = [*live, impact[i]]
        elif live[0] < impact[i]:
            live[0] = impact[i]
            holds = live
        else:
            expected += 1
            holds = live
    assert expected == dropped
    assert sum(pic.dropped) == dropped
    out = run_replications(cs, np.arange(3), seed=1)
    assert (network_metrics(cs, out)["tracks_dropped"] == dropped).all()
    agree(cs)


def test_a_track_waiting_for_a_slot_is_taken_when_the_held_one_ends() -> None:
    raw = _capacity_raw(1)
    raw["raids"] = raw["raids"][:1]  # the two drones only
    cs = build(raw)
    sc = build_scene(cs, lists=True)
    pic = new_picture(sc, lists=True)
    build_picture(sc, pic, np.uint64(1), 0)
    assert arrival(sc, pic, 0, 1) == first_seen(sc, pic, 0)
    assert arrival(sc, pic, 1, 1) == cs.impact_time[0]  # drone 0's track let go
    assert sum(pic.dropped) == 0


# --- attacks on the defence ----------------------------------------------------------------


def _strike(raw: dict[str, Any], target: str) -> dict[str, Any]:
    """One missile launched at 0 s at ``target`` 100 km away from it at 100 m/s: it hits at
    1000 s; nothing can engage it, and it destroys what it hits."""
    out = copy.deepcopy(raw)
    out["threat_classes"]["strike"] = {
        "preset": "kh-101-class",
        "speed": "100 m/s",
        "altitude": "100 m",
        "ew_susceptibility": 0.0,
        "lethality": {"soft": 1.0, "medium": 1.0, "hard": 1.0},
    }
    out["raids"].append(
        {
            "id": "strike",
            "threat": "strike",
            "count": 1,
            "launch": {"sites": [["-50 km", "-100 km"]], "start": "00:00"},
            "targets": {target: 1},
        }
    )
    return out


def test_a_destroyed_radar_stops_detections_and_its_tracks_from_the_time_of_the_hit() -> None:
    raw = base()
    raw["raids"][0]["count"] = 20
    raw["raids"][0]["launch"]["end"] = "00:19"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    cs = build(_strike(raw, "radar"))
    hit = float(cs.impact_time[-1])
    assert hit == pytest.approx(1000.0)
    assert cs.asset_ids[-1] == "radar"
    for rep in range(3):
        fires = fire_times(cs, rep=rep)
        assert fires and max(t for t, _ in fires) < hit
        events, out = trace_replication(cs, seed=1, replicate_index=rep)
        assert out.asset_destroyed[0, -1]
        tracked = [e.time for e in events if e.what == "track"]
        assert max(tracked) < hit  # nothing detected after the hit
    # without the strike the SAM fights on well after 1000 s
    plain = build(raw)
    assert fire_times(plain)[-1][0] > hit
    agree(cs)


def test_a_destroyed_fire_unit_fires_no_more_and_a_command_post_hit_cuts_its_units() -> None:
    raw = base()
    raw["raids"][0]["count"] = 20
    raw["raids"][0]["launch"]["end"] = "00:19"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    cs = build(_strike(raw, "sam"))
    fires = fire_times(cs)
    assert fires and max(t for t, _ in fires) < 1000.0
    agree(cs)
    post = networked(
        raw,
        [{"from": "radar", "to": "cp"}, {"from": "cp", "to": "sam"}],
        command_posts=[{"id": "cp", "position": ["-50 km", "0 km"]}],
    )
    cs = build(_strike(post, "cp"))
    fires = fire_times(cs)
    assert fires and max(t for t, _ in fires) < 1000.0
    out = run_replications(cs, np.arange(2), seed=1)
    cut = network_metrics(cs, out)["unit_seconds_cut_off"]
    assert np.allclose(cut, cs.duration - 1000.0)
    agree(cs)


# --- fallback ------------------------------------------------------------------------------


def _cut_off(fallback: str, delay: str | None = None) -> CompiledScenario:
    """The SAM's only link is down all night; it has a 15 km organic radar."""
    raw = base()
    raw["raids"][0]["count"] = 20
    raw["raids"][0]["launch"]["end"] = "00:19"
    sam = unit("sam", -20, pk=0.5, fallback=fallback)
    sam["organic_sensor"] = {"kind": "optical", "range": "15 km", "scan_period": "1 s", "pd": 1.0}
    if delay is not None:
        sam["activation_delay"] = delay
    raw["fire_units"] = [sam]
    return build(
        networked(
            raw,
            [{"from": "radar", "to": "sam", "outages": [{"start": "0 s"}]}],
        )
    )


def test_a_cut_off_unit_fights_on_its_own_sensor_holds_fire_or_waits_as_told() -> None:
    autonomous = _cut_off("autonomous")
    fires = fire_times(autonomous)
    assert {i for _, i in fires} == set(range(20))
    # on its organic sensor only: never before the threat is within 15 km (x >= -35 km)
    for t, i in fires:
        assert t - 60 * i >= 650.0
    assert fire_times(_cut_off("hold")) == []
    delayed = fire_times(_cut_off("delayed", "1000 s"))
    assert delayed and min(t for t, _ in delayed) >= 1000.0
    assert {i for _, i in delayed} == {i for i in range(20) if 60 * i + 900 > 1000}
    out = run_replications(autonomous, np.arange(2), seed=1)
    assert np.allclose(network_metrics(autonomous, out)["unit_seconds_cut_off"], 3 * 3600.0)
    for cs in (autonomous, _cut_off("hold"), _cut_off("delayed", "1000 s")):
        agree(cs)


# --- doctrine ------------------------------------------------------------------------------


def test_a_unit_keeps_its_last_rounds_for_the_threats_named() -> None:
    raw = base()
    raw["fire_units"] = [
        unit(
            "sam",
            -20,
            pk=0.5,
            rounds=4,
            reserve=0,
            reserve_for={"rounds": 3, "for": ["ballistic_missile"]},
        )
    ]
    cs = build(raw)
    for rep in range(3):
        _, out = trace_replication(cs, seed=1, replicate_index=rep)
        assert out.shots[0, 0] == 1
    raw["fire_units"][0]["reserve_for"]["for"] = ["drone"]
    cs = build(raw)
    _, out = trace_replication(cs, seed=1, replicate_index=0)
    assert out.shots[0, 0] == 4
    agree(cs)


def test_a_rule_of_engagement_holds_fire_in_its_window_and_binds_only_the_units_named() -> None:
    raw = base()
    raw["raids"][0]["count"] = 20
    raw["raids"][0]["launch"]["end"] = "00:19"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    t1, t2 = 1250.0, 1700.0
    raw["doctrine"]["rules"] = [{"start": f"{t1} s", "end": f"{t2} s", "hold_fire": ["owa_drone"]}]
    cs = build(raw)
    inside = {k for k in range(20) if t1 <= 60 * k + 690 and 60 * k + 900 <= t2}
    fires = fire_times(cs)
    assert not [t for t, _ in fires if t1 <= t < t2]
    assert {i for _, i in fires} == set(range(20)) - inside
    # the first shot after the rule lapses goes at its end, on the decision grid
    assert min(t for t, _ in fires if t >= t2) == t2
    agree(cs)
    # a rule for another unit, or another threat kind, holds nothing here
    raw["doctrine"]["rules"][0]["units"] = ["gun"]
    raw["fire_units"].append(unit("gun-1", 50, pk=0.5, kind="gun"))
    assert fire_times(build(raw)) == fire_times(build(base_with_sam(20)))
    raw["doctrine"]["rules"][0]["units"] = []
    raw["doctrine"]["rules"][0]["hold_fire"] = ["ballistic_missile"]
    assert fire_times(build(raw)) == fire_times(build(base_with_sam(20)))


def base_with_sam(count: int) -> dict[str, Any]:
    raw = base()
    raw["raids"][0]["count"] = count
    raw["raids"][0]["launch"]["end"] = f"00:{count - 1:02d}"
    raw["fire_units"] = [unit("sam", -20, pk=0.5), unit("gun-1", 50, pk=0.5, kind="gun")]
    return raw


# --- both engines on a busy network ------------------------------------------------------


def test_engines_agree_on_failures_capacity_jamming_strikes_and_fallbacks() -> None:
    raw = base()
    raw["raids"][0]["count"] = 30
    raw["raids"][0]["launch"]["end"] = "00:29"
    raw["sensors"].append(
        {
            "id": "eye",
            "kind": "optical",
            "position": ["-30 km", "3 km"],
            "range": "30 km",
            "height": "5 m",
            "scan_period": "3 s",
            "pd": 0.7,
            "failures": {"mtbf": "20 min", "mttr": "5 min"},
        }
    )
    a = unit("a", -20, pk=0.6, channels=2, fallback="delayed", activation_delay="60 s")
    a["organic_sensor"] = {"range": "12 km", "pd": 0.8}
    b = unit("b", -12, pk=0.5, channels=1, fallback="hold")
    c = unit("c", -35, pk=0.4, channels=1)
    raw["fire_units"] = [a, b, c]
    raw = _strike(raw, "cp1")
    raw = networked(
        raw,
        [
            {"from": "radar", "to": "cp1", "latency": "1.5 s"},
            {"from": "eye", "to": "cp2", "latency": "0.5 s"},
            {
                "from": "cp1",
                "to": "cp2",
                "latency": "3 s",
                "failures": {"mtbf": "30 min", "mttr": "2 min"},
            },
            {"from": "cp1", "to": "a", "latency": "1 s"},
            {
                "from": "cp2",
                "to": "b",
                "latency": "2 s",
                "outages": [{"start": "900 s", "end": "1300 s"}],
            },
            {"from": "cp2", "to": "c"},
            {"from": "radar", "to": "c", "latency": "7 s"},
        ],
        command_posts=[
            {
                "id": "cp1",
                "position": ["-50 km", "0 km"],
                "track_capacity": 6,
                "decision_cycle": "4 s",
            },
            {"id": "cp2", "position": ["-25 km", "0 km"], "track_capacity": 3},
        ],
        jammers=[
            {
                "id": "j",
                "position": ["-35 km", "2 km"],
                "radius": "5 km",
                "start": "600 s",
                "end": "1500 s",
            }
        ],
    )
    cs = build(raw)
    assert cs.net_on
    agree(cs, reps=24, seed=11)
    out = run_replications(cs, np.arange(24), seed=11)
    metrics = network_metrics(cs, out)
    assert metrics["tracks_dropped"].sum() > 0
    assert (metrics["track_delay"] > 0).all()
    # the strike on cp1 lands at 1000 s + its flight from (-50, -100) km: destroyed each time
    assert out.asset_destroyed[:, cs.asset_ids.index("cp1")].all()


def test_random_failures_are_reproducible_and_differ_between_replications() -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    raw = networked(
        raw, [{"from": "radar", "to": "sam", "failures": {"mtbf": "15 min", "mttr": "5 min"}}]
    )
    cs = build(raw)
    sc = build_scene(cs, lists=True)
    downs = []
    for rep in range(4):
        pic = new_picture(sc, lists=True)
        build_picture(sc, pic, np.uint64(3), rep)
        again = new_picture(sc, lists=True)
        build_picture(sc, again, np.uint64(3), rep)
        assert pic.dn_s == again.dn_s and pic.dn_n == again.dn_n
        assert pic.cnt[N_KILLS] == 0
        downs.append(tuple(pic.dn_s[: pic.dn_n[0]]))
        assert pic.dn_n[0] >= 1  # 3 h at a mean of 20 min a cycle
    assert len(set(downs)) == 4


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda r: r["network"]["links"].append({"from": "nowhere", "to": "sam"}),
            "network.links.1.from",
            "unknown node",
        ),
        (
            lambda r: r["network"]["links"].append({"from": "radar", "to": "nobody"}),
            "network.links.1.to",
            "unknown node",
        ),
        (
            lambda r: r["network"].update(
                links=[
                    {"from": "radar", "to": "cp"},
                    {"from": "cp", "to": "cp2"},
                    {"from": "cp2", "to": "cp"},
                ],
                command_posts=[
                    {"id": "cp", "position": ["0 km", "0 km"]},
                    {"id": "cp2", "position": ["0 km", "0 km"]},
                ],
            ),
            "fire_units.0",
            "could never engage",
        ),
        (
            lambda r: r["network"]["links"][0].update(failures={"mtbf": "1 h", "mttr": 10}),
            "network.links.0.failures.mttr",
            "unit",
        ),
        (
            lambda r: r["network"]["links"][0].update(
                outages=[{"start": "10 min", "end": "5 min"}]
            ),
            "network.links.0.outages.0.end",
            "after",
        ),
        (
            lambda r: r["raids"][0]["targets"].update(ghost=1),
            "raids.0.targets.ghost",
            "unknown target",
        ),
        (
            lambda r: r["network"]["links"][0].update(latency="-1 s"),
            "network.links.0.latency",
            "negative",
        ),
    ],
)
def test_bad_network_input_is_a_clear_error(change: Any, field: str, words: str) -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    raw = networked(raw, [{"from": "radar", "to": "sam"}])
    change(raw)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw)
    text = str(info.value)
    assert field in text
    assert words in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=network_scenarios(), seed=st.integers(0, 2**64 - 1))
def test_random_network_scenarios_agree(raw: dict, seed: int) -> None:
    cs = build(raw)
    assert cs.net_on
    rows = np.arange(4)
    a = run_replications(cs, rows, seed=seed, engine="reference")
    b = run_replications(cs, rows, seed=seed, engine="fast")
    assert a.equals(b)


def test_the_summary_json_and_report_say_what_the_network_did(tmp_path: Any) -> None:
    import json

    from ruamel.yaml import YAML

    from iadsim.api import run_compiled
    from iadsim.report import render_html, report_from_scenario

    raw = base()
    raw["raids"][0]["count"] = 20
    raw["raids"][0]["launch"]["end"] = "00:19"
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    raw = networked(
        raw,
        [
            {
                "from": "radar",
                "to": "sam",
                "latency": "4 s",
                "outages": [{"start": "1250 s", "end": "1700 s"}],
            }
        ],
    )
    cs = build(raw)
    summary = run_compiled(parse_scenario(copy.deepcopy(raw)), cs, replications=6, seed=1)
    assert summary.network["track_delay"].mean == pytest.approx(4.0)
    assert summary.network["engagement_windows_lost"].mean >= 4
    data = json.loads(json.dumps(summary.to_dict()))
    assert set(data["network"]) == {
        "track_delay",
        "tracks_undelivered",
        "tracks_dropped",
        "unit_seconds_cut_off",
        "engagement_windows_lost",
    }
    # without a network, no network section (the outputs of other scenarios are unchanged)
    plain = base()
    plain["fire_units"] = [unit("sam", -20, pk=0.5)]
    assert (
        "network"
        not in run_compiled(
            parse_scenario(copy.deepcopy(plain)), build(plain), replications=2, seed=1
        ).to_dict()
    )
    path = tmp_path / "net.yaml"
    with path.open("w") as handle:
        YAML().dump(raw, handle)
    page = render_html(report_from_scenario(path, replications=4))
    assert "windows lost to C2" in page and "track delay (s)" in page


def _pictures(sc: Any, seed: int, rep: int) -> tuple[Any, Any]:
    """The picture worked out threat by threat when asked (lazy), and all at once."""
    from iadsim.engine import network as net

    lazy = new_picture(sc, lists=True)
    build_picture(sc, lazy, np.uint64(seed), rep)
    eager_sc = sc._replace(net_capacity_free=0)
    eager = new_picture(eager_sc, lists=True)
    build_picture(eager_sc, eager, np.uint64(seed), rep)
    assert all(eager.ready)
    assert net._capacity_free(eager_sc, eager) in (True, False)
    return lazy, eager


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=network_scenarios(), seed=st.integers(0, 2**64 - 1), rep=st.integers(0, 50))
def test_a_threats_picture_worked_out_alone_is_the_shared_searchs(
    raw: dict, seed: int, rep: int
) -> None:
    # where no post's capacity binds, each threat's detections and arrivals worked out
    # alone, when first asked for, are exactly those of the search over all threats
    from iadsim.engine import network as net

    cs = build(raw)
    sc = build_scene(cs, lists=True)
    n_nodes = len(sc.net_node_cycle)
    n_units = len(sc.unit_x)
    n_sensors = len(sc.sensor_pd)
    lazy, eager = _pictures(sc, seed, rep)
    for i in range(cs.n_threats):
        # the first detection, found alone, is the least of every sensor's
        net._ensure(sc, lazy, i)
        dets = [lazy.det[i * n_sensors + s] for s in range(n_sensors)]
        assert first_seen(sc, lazy, i) == min(dets, default=math.inf)
        assert first_seen(sc, eager, i) == first_seen(sc, lazy, i)
    shared = copy.deepcopy(eager)
    net._deliver_shared(sc, shared)
    alone = copy.deepcopy(eager)  # every threat's search alone, capacity or not
    for i in range(cs.n_threats):
        net._deliver_one(sc, alone, i)
    binds = not net._capacity_free(sc, alone)
    for i in range(cs.n_threats):
        for node in range(n_nodes):
            # the search over all threats agrees with the one threat at a time unless a
            # post's capacity binds (then the eager picture is the shared search's)
            assert arrival(sc, eager, i, node) == arrival(sc, shared, i, node)
            if sc.net_capacity_free == 1:
                assert arrival(sc, lazy, i, node) == arrival(sc, eager, i, node)
            elif not binds:
                assert arrival(sc, alone, i, node) == arrival(sc, shared, i, node)
        if sc.net_capacity_free == 1:
            for u in range(n_units):
                for t in (0.0, cs.impact_time[i] / 2):
                    assert net.picture_span(sc, lazy, i, u, t) == net.picture_span(
                        sc, eager, i, u, t
                    )


def test_no_capacity_binds_when_fewer_threats_fly_at_once_than_a_post_takes() -> None:
    # the five threats of _capacity_raw are detected from launch: the drones fly
    # [launch, 1000 s) and [launch, 1060 s), the missiles inside [100 s, 220 s), so
    # all five are in the air together: capacity 5 can never bind, 4 may
    from iadsim.engine.scene import _capacity_free

    assert _capacity_free(build(_capacity_raw(5))) == 1
    assert _capacity_free(build(_capacity_raw(4))) == 0
    plain = base()
    plain["fire_units"] = [unit("sam", -20, pk=0.5)]
    assert _capacity_free(build(plain)) == 1  # no network: nothing to bind


def test_a_threats_search_alone_settles_posts_the_same_with_or_without_a_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # two posts that pass tracks to each other (a cycle), with failing links and a slow
    # decision cycle: few posts are settled by looking at each, many with a queue; the
    # arrivals are the same either way, and the same as the shared search's
    from iadsim.engine import network as net

    raw = base()
    raw["raids"][0]["count"] = 12
    raw["raids"][0]["launch"]["end"] = "00:11"
    raw["fire_units"] = [unit("sam", -20, pk=0.5), unit("gun", -5, pk=0.3)]
    fails = {"failures": {"mtbf": "8 min", "mttr": "2 min"}}
    raw = networked(
        raw,
        [
            {"from": "radar", "to": "cp0", "latency": "3 s", **fails},
            {"from": "radar", "to": "cp1", "latency": "9 s"},
            {"from": "cp0", "to": "cp1", "latency": "2 s", **fails},
            {"from": "cp1", "to": "cp0", "latency": "1 s"},
            {"from": "cp0", "to": "sam", "latency": "1 s"},
            {"from": "cp1", "to": "gun", "latency": "1 s", **fails},
        ],
        command_posts=[
            {"id": "cp0", "position": ["-30 km", "0 km"], "decision_cycle": "7 s"},
            {"id": "cp1", "position": ["-10 km", "0 km"], "decision_cycle": "3 s"},
        ],
    )
    cs = build(raw)
    sc = build_scene(cs, lists=True)
    assert len(sc.net_post_order) == 0  # a cycle: no order to follow
    n_nodes = len(sc.net_node_cycle)

    def arrivals(rep: int) -> list[float]:
        pic = new_picture(sc, lists=True)
        build_picture(sc, pic, np.uint64(3), rep)
        return [arrival(sc, pic, i, n) for i in range(cs.n_threats) for n in range(n_nodes)]

    for rep in range(6):
        scanned = arrivals(rep)
        monkeypatch.setattr(net, "SCAN_POSTS", 0)
        queued = arrivals(rep)
        monkeypatch.setattr(net, "SCAN_POSTS", 16)
        assert scanned == queued
        eager_sc = sc._replace(net_capacity_free=0)
        pic = new_picture(eager_sc, lists=True)
        build_picture(eager_sc, pic, np.uint64(3), rep)
        net._deliver_shared(eager_sc, pic)
        shared = [arrival(sc, pic, i, n) for i in range(cs.n_threats) for n in range(n_nodes)]
        assert scanned == shared
        assert sum(a < math.inf for a in scanned) > cs.n_threats  # tracks got through
    agree(cs)
