"""The wargame session: a player's night is a replication like any other.

A player who always picks what greedy picks gets greedy's night bit for bit;
delegating every unit to a policy gives that policy's night; a saved session
replays to the same night (and a half-played one carries on the same); bad
picks are refused with a message saying why, leaving the session as it was; the
after-action review's figures are those worked out by hand on a tiny raid.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.c2 import POLICY_NAMES
from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.engine import Fate, Outcomes, simulate
from iadsim.engine.reference import Replication, policy_decision
from iadsim.scenario import load_scenario
from iadsim.wargame import (
    PLAYER,
    Session,
    WargameError,
    after_action_review,
    load_record,
    record,
    replay,
    save,
    start,
)

from repo_paths import EXAMPLES
from scenarios import base, build, unit
from strategies import small_scenarios

SEED = 20261130


def example(name: str) -> CompiledScenario:
    scenario = load_scenario(EXAMPLES / f"{name}.yaml", overrides=["doctrine.value_unit=1 MUSD"])
    return compile_scenario(scenario)


def engine_row(cs: CompiledScenario, rep: int, policy: str, seed: int = SEED) -> Outcomes:
    return simulate(
        cs, replications=rep + 1, seed=seed, replicate_index=rep, policy=policy, engine="reference"
    )


def assert_same(a: Outcomes, b: Outcomes, what: str) -> None:
    for name in ("fate", "time", "cause", "hit", "shots", "engagements", "asset_destroyed"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), f"{what}: {name} differs"
    assert a.equals(b), what


def play_greedy(session: Session) -> int:
    """Pick, threat by unit, exactly what greedy would take; returns the picks made."""
    picks = 0
    while not session.finished:
        decision = session.decision
        assert decision is not None
        for k in policy_decision(session.replication, decision):
            o = decision.offers[k]
            picked = session.assign(o.threat, session.compiled.unit_ids[o.unit])
            assert picked == o  # the pair's best window is greedy's
            picks += 1
        session.step()
    return picks


# --- the player's night is a replication -------------------------------------------------


@pytest.mark.parametrize("name", ["single_battery", "national_defence"])
def test_picking_what_greedy_picks_is_greedys_night(name: str) -> None:
    cs = example(name)
    for rep in (0, 3):
        session = start(cs, seed=SEED, replication=rep)
        assert play_greedy(session) > 0
        assert_same(session.replication.out, engine_row(cs, rep, "greedy"), f"{name} rep {rep}")
        assert all(c.by == PLAYER for m in session.moves for c in m.chosen)


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(raw=small_scenarios(), seed=st.integers(0, 2**64 - 1), rep=st.integers(0, 50))
def test_picking_what_greedy_picks_on_random_scenarios(raw: dict, seed: int, rep: int) -> None:
    cs = build(raw)
    session = start(cs, seed=seed, replication=rep)
    play_greedy(session)
    assert_same(session.replication.out, engine_row(cs, rep, "greedy", seed), "random")


@pytest.mark.parametrize("policy", POLICY_NAMES)
@pytest.mark.parametrize("name", ["single_battery", "national_defence", "capital_night_raid"])
def test_delegating_every_unit_is_the_policys_night(name: str, policy: str) -> None:
    cs = example(name)
    session = start(cs, seed=SEED, replication=1)
    session.delegate(policy)
    assert session.player_units() == []
    session.finish()
    assert_same(session.replication.out, engine_row(cs, 1, policy), f"{name} under {policy}")
    assert session.moves and all(c.by == policy for m in session.moves for c in m.chosen)
    assert sum(len(m.chosen) for m in session.moves) == engine_row(cs, 1, policy).engagements.sum()


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(raw=small_scenarios(), seed=st.integers(0, 2**64 - 1), rep=st.integers(0, 50))
def test_delegating_every_unit_on_random_scenarios(raw: dict, seed: int, rep: int) -> None:
    raw["doctrine"]["value_unit"] = "1 MUSD"
    cs = build(raw)
    for policy in POLICY_NAMES:
        session = start(cs, seed=seed, replication=rep)
        session.delegate(policy)
        session.finish()
        assert_same(session.replication.out, engine_row(cs, rep, policy, seed), policy)


def test_delegating_by_layer_splits_command() -> None:
    """Guns to cost_aware, the rest to greedy: each offer taken is its unit's policy's."""
    cs = example("national_defence")
    session = start(cs, seed=SEED, replication=0)
    guns = session.delegate("cost_aware", layer="gun")
    assert guns and all(cs.unit_layer[u] == "gun" for u in guns)
    session.delegate("greedy", units=[u for u in range(cs.n_units) if u not in guns])
    session.finish()
    by = {c.by for m in session.moves for c in m.chosen}
    assert by == {"greedy", "cost_aware"}
    for m in session.moves:
        threats = [c.threat for c in m.chosen]
        assert len(threats) == len(set(threats))  # a threat once per decision
        for c in m.chosen:
            assert c.by == ("cost_aware" if c.unit in guns else "greedy")
    # the split night is a night of the same world: draws are the policies' draws
    assert (session.replication.out.fate != Fate.AIRBORNE).all()


# --- saving and replaying ---------------------------------------------------------------


def mixed_pick(session: Session) -> bool:
    """At two decisions in three, pick the worst of the player's offers; whether it picked."""
    decision = session.decision
    assert decision is not None
    mine = [o for o in session.view()["offers"] if o["delegated"] is None]
    if mine and decision.tick % 3 != 2:
        worst = min(mine, key=lambda o: (o["kill"], o["offer"]))
        session.assign(worst["threat"], worst["unit"])
        return True
    return False


def mixed_player(session: Session, moves: int | None = None) -> None:
    """Delegates the guns, then :func:`mixed_pick` at every decision.

    Its choice depends only on the decision, so any way of stepping gives the same night.
    """
    session.delegate("greedy", layer="gun")
    while not session.finished and (moves is None or len(session.moves) < moves):
        mixed_pick(session)
        session.step()


def test_a_saved_session_replays_identically(tmp_path: Path) -> None:
    cs = example("national_defence")
    session = start(cs, seed=SEED, replication=2)
    mixed_player(session)
    path = save(session, tmp_path / "night.json")
    data = load_record(path)
    assert data["scenario"]["content_hash"] == cs.content_hash
    assert (data["seed"], data["replication"]) == (SEED, 2)
    assert len(data["moves"]) == len(session.moves) > 0
    assert {c["by"] for m in data["moves"] for c in m["chosen"]} == {PLAYER, "greedy"}
    again = replay(data, cs)
    assert again.finished and again.now == session.now
    assert_same(again.replication.out, session.replication.out, "replayed")
    assert again.moves == session.moves
    assert record(again)["moves"] == data["moves"]
    assert after_action_review(again) == after_action_review(session)
    # the player's night is not greedy's (a real check of the replay)
    assert not session.replication.out.equals(engine_row(cs, 2, "greedy"))


def test_a_half_played_session_carries_on_the_same() -> None:
    cs = example("national_defence")
    whole = start(cs, seed=SEED, replication=4)
    mixed_player(whole)
    half = start(cs, seed=SEED, replication=4)
    mixed_player(half, moves=40)
    while not mixed_pick(half):
        half.step()
    assert not half.finished and half.picks  # saved with a pick pending
    data = json.loads(json.dumps(record(half)))
    resumed = replay(data, cs)
    assert resumed.delegation == half.delegation and resumed.picks == half.picks
    assert resumed.now == half.now
    assert {**resumed.view(), "version": 0} == {**half.view(), "version": 0}
    mixed_player(resumed)
    assert_same(resumed.replication.out, whole.replication.out, "resumed")
    assert resumed.moves == whole.moves


def test_a_record_of_another_world_is_refused(tmp_path: Path) -> None:
    cs = example("single_battery")
    session = start(cs, seed=SEED, replication=0)
    play_greedy(session)
    data = record(session)
    other = example("national_defence")
    with pytest.raises(WargameError, match="played on another scenario"):
        replay(data, other)
    with pytest.raises(WargameError, match=r"field `outcome\.fate` is not what replaying"):
        replay({**data, "seed": SEED + 1}, cs)  # the same moves fit, but another night
    edited = json.loads(json.dumps(data))
    edited["outcome"]["shots"][0] += 1
    with pytest.raises(WargameError, match=r"field `outcome\.shots` is not what replaying"):
        replay(edited, cs)
    national = start(other, seed=SEED, replication=0)
    mixed_player(national)
    moved = {**record(national), "seed": SEED + 1}
    with pytest.raises(WargameError, match=r"move \d+ (is at tick \d+ but|\(t = .*not offered)"):
        replay(moved, other)
    bad_unit = json.loads(json.dumps(data))
    bad_unit["moves"][0]["chosen"][0]["unit"] = "nobody"
    with pytest.raises(WargameError, match=r"field `moves.0.chosen.0.unit`: unknown fire unit"):
        replay(bad_unit, cs)
    for broken, message in (
        ({**data, "format": "x"}, "field `format`"),
        ({**data, "seed": "7"}, "field `seed` must be a whole number"),
        ({**data, "moves": {}}, "field `moves` must be a list"),
        ({**data, "moves": [*data["moves"], data["moves"][-1]]}, "after the end of the night"),
    ):
        with pytest.raises(WargameError, match=message):
            replay(broken, cs)
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(WargameError, match=r"junk.json: not JSON \(line 1"):
        load_record(tmp_path / "junk.json")
    with pytest.raises(WargameError, match="no such session file"):
        load_record(tmp_path / "missing.json")


# --- bad picks ------------------------------------------------------------------------------


def crowded(**doctrine: object) -> dict:
    """Drones three seconds apart: several in a unit's envelope at once."""
    raw = base(**doctrine)
    raw["raids"][0]["launch"]["end"] = "00:02"
    return raw


def first_with(session: Session, wanted) -> None:  # type: ignore[no-untyped-def]
    while not session.finished and not wanted(session):
        session.step()
    assert not session.finished


def test_bad_picks_say_why_and_change_nothing() -> None:
    raw = crowded()
    raw["fire_units"] = [
        unit("a", -20, pk=0.5, channels=1),
        unit("b", -21, pk=0.5, channels=4, rounds=1, reserve=0),
        unit("far", 60, pk=0.5),
        {"id": "jammer", "preset": "ew-site", "position": ["-5 km", "0 km"]},
    ]
    late = {**raw["raids"][0], "id": "late", "count": 1}
    raw["raids"].append({**late, "launch": {**late["launch"], "start": "01:30", "end": "01:30"}})
    cs = build(raw)
    session = start(cs, seed=4, replication=0)
    session.delegate("greedy", units=["b"])
    first_with(session, lambda s: len({o.threat for o in s.decision.offers if o.unit == 0}) >= 2)
    d = session.decision
    assert d is not None
    threats = sorted({o.threat for o in d.offers if o.unit == 0})
    session.assign(threats[0], "a")
    before = (session.view(), dict(session.picks))

    def refused(threat: int, unit: object, message: str) -> None:
        with pytest.raises(WargameError, match=message):
            session.assign(threat, unit)  # type: ignore[arg-type]
        assert (session.view(), dict(session.picks)) == before

    refused(threats[1], "a", rf"a has no free fire channel left for threat {threats[1]}: its 1")
    refused(threats[1], "zz", "unknown fire unit 'zz'; known: a, b, far, jammer")
    refused(threats[1], 9, r"unit must be in \[0, 4\), got 9")
    refused(threats[1], "jammer", "jammer is an EW site")
    refused(threats[1], "b", "b is delegated to greedy: take it back before assigning it")
    refused(threats[1], "far", f"far cannot engage threat {threats[1]} anywhere on its route")
    untracked = max(i for i in range(cs.n_threats) if i not in session.replication.tracked)
    refused(untracked, "a", f"threat {untracked} is not tracked yet")
    refused(cs.n_threats, "a", rf"threat must be in \[0, {cs.n_threats}\)")
    refused(True, "a", "threat must be a whole number, got bool")  # type: ignore[arg-type]
    # moving the pick: the same threat to another unit is a reassignment, not a second pick
    session.unassign(threats[0])
    session.assign(threats[1], "a")
    assert set(session.picks) == {threats[1]}
    # a threat that is gone
    session.finish()
    with pytest.raises(WargameError, match="the night is over"):
        session.assign(threats[0], "a")


def test_a_unit_out_of_rounds_or_not_yet_in_reach() -> None:
    raw = base()
    raw["fire_units"] = [
        unit("near", -20, pk=1.0, rounds=1, reserve=0),
        unit("late", -5, pk=1.0),
    ]
    cs = build(raw)
    session = start(cs, seed=1, replication=0)
    first_with(session, lambda s: any(o.unit == 0 for o in s.decision.offers))
    d = session.decision
    assert d is not None
    threat = next(o.threat for o in d.offers if o.unit == 0)
    with pytest.raises(WargameError, match=rf"threat {threat} is not in late's reach yet: it can"):
        session.assign(threat, "late")
    session.assign(threat, "near")
    session.step()
    first_with(session, lambda s: any(o.unit == 1 for o in s.decision.offers))
    d = session.decision
    assert d is not None
    other = next(o.threat for o in d.offers if o.unit == 1)
    if session.replication.alive[threat]:
        pytest.fail("pk 1.0: the first drone is destroyed")
    with pytest.raises(WargameError, match=rf"threat {threat} is gone \(destroyed\)"):
        session.assign(threat, "late")
    with pytest.raises(WargameError, match="near has no rounds ready: it cannot engage"):
        session.assign(other, "near")


def test_a_threat_with_a_salvo_in_flight_waits_for_it() -> None:
    raw = crowded(max_engagements=1)
    raw["fire_units"] = [unit("a", -20, pk=0.01), unit("b", -21, pk=0.01)]
    cs = build(raw)
    session = start(cs, seed=8, replication=0, auto_pause=False)
    first_with(session, lambda s: any(o.unit == 0 for o in s.decision.offers))
    threat = next(o.threat for o in session.decision.offers if o.unit == 0)  # type: ignore[union-attr]
    session.assign(threat, "a")
    session.advance(0.0)  # fired
    assert session.moves[-1].chosen[0].threat == threat
    refused = 0
    while session.decision is not None and session.replication.inflight[threat]:
        with pytest.raises(WargameError, match=rf"threat {threat} already has 1 salvo\(s\) in"):
            session.assign(threat, "b")
        refused += 1
        session.step()
    assert refused > 0
    assert session.replication.alive[threat]  # missed (pk 0.01): a fires no second time at it
    with pytest.raises(WargameError, match=rf"a has engaged threat {threat} 1 time\(s\), the"):
        session.assign(threat, "a")
    session.assign(threat, "b")  # b may


def test_bad_arguments() -> None:
    cs = build({**base(), "fire_units": [unit("a", -20, pk=0.5)]})
    for kwargs, message in (
        ({"seed": -1, "replication": 0}, r"seed must be in \[0, 2\*\*64\)|seed must be in"),
        ({"seed": 1.5, "replication": 0}, "seed must be a whole number, got float"),
        ({"seed": 1, "replication": -2}, "replication must be in"),
    ):
        with pytest.raises(WargameError, match=message):
            start(cs, **kwargs)  # type: ignore[arg-type]
    session = start(cs, seed=1, replication=0)
    with pytest.raises(WargameError, match="unknown policy 'best'; known: greedy, cost_aware"):
        session.delegate("best")
    with pytest.raises(WargameError, match=r"cost_aware needs the scenario's doctrine\.value_unit"):
        session.delegate("cost_aware")
    with pytest.raises(WargameError, match="unknown layer 'navy'; known: medium_range"):
        session.delegate("greedy", layer="navy")
    with pytest.raises(WargameError, match="delegate units or a layer, not both"):
        session.delegate("greedy", units=["a"], layer="medium_range")
    for bad in (-1.0, math.nan, math.inf, "5"):
        with pytest.raises(WargameError, match="the clock runs forward by a finite number"):
            session.advance(bad)  # type: ignore[arg-type]
    with pytest.raises(WargameError, match="the night is not over"):
        after_action_review(session)


# --- the clock and the picture -------------------------------------------------------------


def test_the_clock_stops_at_new_options_and_runs_through_the_rest() -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    cs = build(raw)
    session = start(cs, seed=3, replication=0)
    first = session.decision
    assert first is not None and session.now == 0
    assert session.advance(first.time / 2) is False and session.now == first.time / 2
    assert session.advance(10_000) is True  # stopped at the first decision: new options
    assert session.now == first.time and session.decision is first
    assert session.view()["decision"]["presented"] is True
    session.assign(first.offers[0].threat, "sam")
    session.advance(0.0)  # taking it
    assert session.moves[-1].chosen[0].threat == first.offers[0].threat
    # without pausing, the night runs to its end; the clock stops there
    session.auto_pause = False
    assert session.advance(1e9) is False
    assert session.finished and session.now == session.end_time < 1e9
    view = session.view()
    assert view["finished"] and view["tracks"] == [] and view["offers"] == []


def test_the_view_is_the_picture_at_the_clock() -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5, channels=1)]
    cs = build(raw)
    session = start(cs, seed=3, replication=0)
    session.step()
    d = session.decision
    assert d is not None
    o = d.offers[0]
    session.assign(o.threat, "sam")
    view = session.view()
    assert [x["picked"] for x in view["tracks"] if x["threat"] == o.threat] == ["sam"]
    offer = view["offers"][0]
    assert (offer["threat"], offer["unit"], offer["rounds"], offer["kill"]) == (
        o.threat,
        "sam",
        o.rounds,
        o.kill,
    )
    unit_view = view["units"][0]
    assert (unit_view["free_channels"], unit_view["ready"], unit_view["delegated"]) == (
        1,
        1000,
        None,
    )
    session.advance(0.0)  # fires
    assert session.advance((o.intercept - d.time) / 2) is False  # the one channel is busy
    t = session.now
    assert d.time < t < o.intercept
    view = session.view()
    assert view["inflight"] == [
        {"threat": o.threat, "unit": "sam", "fired": d.time, "intercept": o.intercept}
    ]
    assert view["units"][0]["free_channels"] == 0
    for track in view["tracks"]:
        i = track["threat"]
        xs, ys, ts = cs.route(i)
        assert math.isclose(track["x"], float(np.interp(t, ts, xs)), abs_tol=1e-6)
        assert math.isclose(track["y"], float(np.interp(t, ts, ys)), abs_tol=1e-6)
        assert track["impact_time"] == cs.impact_time[i] > t
        assert (track["impact_x"], track["impact_y"]) == (xs[-1], ys[-1])
        assert track["target"] == "depot"
    assert view["tally"]["rounds"] == 1 and view["tally"]["money"] == 1000.0
    # nothing that happens after the clock shows before it
    assert all(e["time"] <= t for e in view["events"])


def test_at_a_decision_the_picture_is_the_engines() -> None:
    """Magazines, channels and tracks at the clock, rebuilt from the trace, are the engine's."""
    cs = example("national_defence")
    session = start(cs, seed=SEED, replication=5)
    session.delegate("greedy", layer="gun")
    checked = 0
    while not session.finished:
        mixed_pick(session)
        session.step()
        d = session.decision
        if d is None:
            break
        assert session.now == d.time
        view = session.view()
        engine = [(v.ready, v.reserve, v.free_channels) for v in d.units()]
        assert [(u["ready"], u["reserve"], u["free_channels"]) for u in view["units"]] == engine
        assert [u["fired"] for u in view["units"]] == session.replication.out.shots[0].tolist()
        assert [x["threat"] for x in view["tracks"]] == [v.threat for v in d.tracks()]
        assert [x["inflight"] for x in view["tracks"]] == [v.inflight for v in d.tracks()]
        checked += 1
    assert checked > 50 and session.replication.out.shots.sum() > 0


def test_a_decoy_shows_as_what_it_mimics_until_told_apart() -> None:
    scenario = load_scenario(EXAMPLES / "capital_night_raid.yaml")
    cs = compile_scenario(scenario)
    decoy = cs.class_names.index("decoy")
    mimics = scenario.threat_classes["decoy"].mimics
    assert cs.class_kind[decoy] == "decoy" and mimics == "owa_drone"
    shown = start(cs, seed=SEED, replication=0, scenario=scenario)
    plain = start(cs, seed=SEED, replication=0)
    for session in (shown, plain):
        session.delegate("greedy")
    seen = told = 0
    while not shown.finished:
        shown.advance(180.0)
        plain.advance(180.0)
        discerned = shown.replication.discerned
        for a, b in zip(shown.view()["tracks"], plain.view()["tracks"], strict=True):
            i = a["threat"]
            if cs.threat_class[i] != decoy:
                assert a["kind"] == b["kind"] == cs.class_kind[cs.threat_class[i]]
            elif shown.now < discerned[i]:
                assert (a["kind"], b["kind"]) == ("owa_drone", "decoy")
                seen += 1
            else:
                assert a["kind"] == b["kind"] == "decoy"
                told += 1
    assert seen > 0


# --- the after-action review, by hand --------------------------------------------------------


def two_drones() -> CompiledScenario:
    """Two drones a minute apart, 100 km at 100 m/s to a depot worth 10; one sure-kill SAM."""
    raw = base(value_unit="1 MUSD")
    raw["raids"][0]["count"] = 2
    raw["raids"][0]["launch"]["end"] = "00:01"
    raw["fire_units"] = [unit("sam", -20, pk=1.0)]
    return build(raw)


def test_the_review_by_hand() -> None:
    cs = two_drones()
    assert list(cs.impact_time) == [1000.0, 1060.0]  # 100 km at 100 m/s, launched 60 s apart
    session = start(cs, seed=11, replication=0)
    # the player kills the first drone at the first chance and lets the second through
    first_with(session, lambda s: any(o.threat == 0 for o in s.decision.offers))
    session.assign(0, "sam")
    session.step()
    while not session.finished:
        session.step()  # declining everything: asked again each tick
    review = after_action_review(session)
    # the player's night: drone 0 killed with one $1000 round, drone 1 leaks and destroys the depot
    assert review["nights"]["player"] == {
        "leakers": 1,
        "hits": 1,
        "value_lost": 10.0,
        "assets_destroyed": ["depot"],
        "destroyed": 1,
        "jammed": 0,
        "rounds": 1,
        "engagements": 1,
        "money": 1000.0,
    }
    # every policy kills both (pk 1, worth 10 x 1 MUSD > $1000 a round)
    for policy in POLICY_NAMES:
        assert review["nights"][policy] == {
            "leakers": 0,
            "hits": 0,
            "value_lost": 0.0,
            "assets_destroyed": [],
            "destroyed": 2,
            "jammed": 0,
            "rounds": 2,
            "engagements": 2,
            "money": 2000.0,
        }
    assert review["best"] == "greedy"  # ties go to the first registered
    # the decisions that differed: each time drone 1 was offered and declined; greedy would take
    # it with kill chance 1, scored 10 / (1060 - t) (value per second to impact). One situation
    # (greedy takes drone 1 with the sam, the player nothing): listed once, at its worst, the last
    declined = [m for m in session.moves if not m.chosen]
    assert review["decisions_differing"] == len(declined) > 1
    (worst,) = review["decisions"]
    last = max(m.time for m in declined)
    assert worst["time"] == last and worst["repeated"] == len(declined)
    assert worst["kill_lost"] == 1.0
    assert math.isclose(worst["score_lost"], 10.0 / (1060.0 - last), rel_tol=1e-12)
    assert worst["taken"] == [] and [(o["threat"], o["unit"]) for o in worst["policy"]] == [
        (1, "sam")
    ]
    total = sum(10.0 / (1060.0 - m.time) for m in declined)
    assert math.isclose(review["score_lost_total"], total, rel_tol=1e-12)


def test_the_review_with_cost_aware_best() -> None:
    """A round dearer than the drone is worth: cost_aware holds fire and loses the least money."""
    raw = base(value_unit="1 USD")
    raw["raids"][0]["count"] = 1
    raw["assets"][0]["value"] = 500  # worth $500 x lethality 1; a round costs $1000
    raw["fire_units"] = [unit("sam", -20, pk=1.0)]
    cs = build(raw)
    session = start(cs, seed=2, replication=0)
    session.step()
    session.assign(0, "sam")
    session.finish()
    review = after_action_review(session)
    nights = review["nights"]
    assert nights["greedy"]["value_lost"] == 0.0 and nights["greedy"]["money"] == 1000.0
    assert nights["cost_aware"]["value_lost"] == 500.0 and nights["cost_aware"]["money"] == 0.0
    assert review["best"] == "greedy"  # least value lost first
    assert nights["player"] == nights["greedy"]
    assert review["decisions_differing"] == 0 and review["decisions"] == []


def test_the_review_when_cost_aware_is_best_by_money() -> None:
    """A $100k SAM and a $1k gun against one drone worth $10k: both kill it, the gun cheaper.

    greedy fires the SAM at the first chance; cost_aware declines it (10k - 100k < 0) and
    waits for the gun. Nothing is lost either way, so the best policy is the cheaper one,
    cost_aware; the player who fires the SAM lost, by cost_aware's score, the SAM's net
    value: (100k - 10k) / (1000 - t) dollars per second at the decision at time t.
    """
    raw = base(value_unit="1000 USD")
    raw["raids"][0]["count"] = 1
    raw["fire_units"] = [
        unit("sam", -20, pk=1.0, cost_per_shot="100000 USD"),
        unit("gun", -8, pk=1.0, cost_per_shot="1000 USD"),
    ]
    cs = build(raw)
    assert list(cs.impact_time) == [1000.0]
    session = start(cs, seed=3, replication=0)
    session.step()
    decision = session.decision
    assert decision is not None and [o.unit for o in decision.offers] == [0]
    session.assign(0, "sam")
    session.finish()
    review = after_action_review(session)
    nights = review["nights"]
    assert nights["player"] == nights["greedy"]
    assert (nights["greedy"]["money"], nights["cost_aware"]["money"]) == (100_000.0, 1000.0)
    assert all(nights[n]["value_lost"] == 0 and nights[n]["leakers"] == 0 for n in nights)
    assert review["best"] == "cost_aware"
    (worst,) = review["decisions"]
    assert worst["time"] == decision.time and worst["repeated"] == 1
    assert worst["policy"] == [] and [o["unit"] for o in worst["taken"]] == ["sam"]
    expected = (100_000.0 - 10_000.0) / (1000.0 - decision.time)
    assert math.isclose(worst["score_lost"], expected, rel_tol=1e-12)
    assert worst["kill_lost"] == -1.0  # the player's salvo had the kill chance the policy forwent
    assert worst["taken"][0]["value"] == -expected


def test_the_review_without_value_unit_leaves_cost_aware_out() -> None:
    raw = base()
    raw["raids"][0]["count"] = 1
    raw["fire_units"] = [unit("sam", -20, pk=1.0)]
    cs = build(raw)
    session = start(cs, seed=2, replication=0)
    session.finish()
    review = after_action_review(session)
    assert "cost_aware" not in review["nights"]
    assert review["unavailable"] == {"cost_aware": "needs the scenario's doctrine.value_unit"}
    assert review["nights"]["player"]["leakers"] == 1 and review["nights"]["greedy"]["leakers"] == 0
    assert Replication(cs, 2, 0).run().fate[0, 0] == Fate.DESTROYED
