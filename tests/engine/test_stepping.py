"""A replication stepped decision by decision gives exactly the engines' Outcomes.

:class:`iadsim.engine.reference.Replication` runs to each decision cycle with
options and waits for a choice. Stepping it with the built-in decision maker
(:func:`~iadsim.engine.reference.policy_decision`), or with an outside function
that computes the same choice from the public :class:`Decision` data alone,
must reproduce ``simulate(..., engine="fast")`` and ``engine="reference"`` bit
for bit, for every example scenario, every registered policy and random small
scenarios. The views a decision maker reads (tracks, units, offers) must agree
with the scenario and with what was chosen before; bad choices are refused
with a clear message and leave the replication as it was.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.c2 import POLICY_NAMES, exact_choose
from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.engine import Fate, Outcomes, run_replications, simulate
from iadsim.engine.kernels import detection_time
from iadsim.engine.reference import Decision, Replication, policy_decision
from iadsim.engine.scene import build_scene
from iadsim.scenario import load_scenario

from repo_paths import ROOT
from scenarios import base, build, unit
from strategies import small_scenarios

EXAMPLES = sorted(
    path
    for path in (ROOT / "examples").glob("*.yaml")
    if "threat_classes:" in path.read_text()  # scenarios, not campaign or laydown files
)
SMALL = ROOT / "examples" / "national_defence.yaml"
"""A mid-sized example (139 threats, 30 units) for the tests that need only one."""
SEED = 20251122
REPS = (0, 3)
"""Replicate indices checked per scenario (few: the capital raid takes 0.15 s each)."""

STEPPING = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def example(path: Path, policy: str = "greedy") -> CompiledScenario:
    scenario = load_scenario(
        path, overrides=[f"doctrine.policy={policy}", "doctrine.value_unit=1 MUSD"]
    )
    return compile_scenario(scenario)


# --- decision makers that see only the public Decision data -----------------------------


def outside_greedy(decision: Decision) -> list[int]:
    """Greedy from the public data: offers in order, a threat once, within channels and rounds."""
    units = decision.units()
    free = [v.free_channels for v in units]
    ready = [v.ready for v in units]
    taken: set[int] = set()
    chosen = []
    for k, o in enumerate(decision.offers):
        if o.threat in taken or free[o.unit] <= 0 or ready[o.unit] < o.rounds:
            continue
        taken.add(o.threat)
        free[o.unit] -= 1
        ready[o.unit] -= o.rounds
        chosen.append(k)
    return chosen


def outside_exact(node_limit: int, n_threats: int) -> Callable[[Decision], list[int]]:
    """Branch and bound (the public kernel) over the public data."""

    def decide(decision: Decision) -> list[int]:
        offers = decision.offers
        n = len(offers)
        order = list(range(n))
        units = decision.units()
        chosen = exact_choose(
            order,
            n,
            [o.score for o in offers],
            [o.threat for o in offers],
            [o.unit for o in offers],
            [o.rounds for o in offers],
            [v.free_channels for v in units],
            [v.ready for v in units],
            [False] * n_threats,
            node_limit,
            [0.0] * (2 * n + 2),
            [0] * (3 * n + 1),
        )
        return order[:chosen]

    return decide


def outside_maker(cs: CompiledScenario, policy: str) -> Callable[[Decision], list[int]]:
    """The outside twin of ``policy``'s choice (cost_aware chooses greedily over its scores)."""
    if policy == "exact":
        return outside_exact(cs.exact_node_limit, cs.n_threats)
    assert policy in ("greedy", "cost_aware"), f"no outside decision maker for {policy}"
    return outside_greedy


def decline(decision: Decision) -> list[int]:
    return []


def step(
    cs: CompiledScenario,
    rep: int,
    maker: Callable[[Decision], Iterable[int]] | None,
    *,
    seed: int = SEED,
    policy: str | None = None,
    again: bool = False,
) -> tuple[Outcomes, list[Decision]]:
    """Step replication ``rep`` by hand; ``maker`` None is the built-in policy_decision."""
    replication = Replication(cs, seed, rep, policy=policy)
    decisions = []
    while (decision := replication.next_decision()) is not None:
        assert replication.next_decision() is decision  # asking again returns the same one
        decisions.append(decision)
        chosen = policy_decision(replication, decision) if maker is None else maker(decision)
        replication.decide(chosen, again=again)
    assert replication.finished and replication.next_decision() is None
    return replication.out, decisions


def engine_row(cs: CompiledScenario, rep: int, engine: str, seed: int, policy: str) -> Outcomes:
    return simulate(
        cs, replications=rep + 1, seed=seed, replicate_index=rep, policy=policy, engine=engine
    )


def assert_same(a: Outcomes, b: Outcomes, what: str) -> None:
    for name in ("replications", "fate", "time", "cause", "hit", "shots", "engagements"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), f"{what}: {name} differs"
    assert a.equals(b), what


def check_agreement(cs: CompiledScenario, policy: str, seed: int, reps: Iterable[int]) -> int:
    """Stepped (built-in and outside maker) == fast == reference; returns the shots fired."""
    shots = 0
    for rep in reps:
        fast = engine_row(cs, rep, "fast", seed, policy)
        ref = engine_row(cs, rep, "reference", seed, policy)
        assert_same(fast, ref, f"fast vs reference, replication {rep}")
        stepped, decisions = step(cs, rep, None, seed=seed, policy=policy)
        assert_same(stepped, fast, f"stepped with policy_decision, replication {rep}")
        outside, seen = step(cs, rep, outside_maker(cs, policy), seed=seed, policy=policy)
        assert_same(outside, fast, f"stepped with the outside {policy}, replication {rep}")
        assert [(d.tick, d.offers) for d in seen] == [(d.tick, d.offers) for d in decisions]
        shots += int(fast.shots.sum())
    return shots


# --- the engines' outcomes, stepped ------------------------------------------------------


@pytest.mark.parametrize("policy", POLICY_NAMES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_stepping_the_examples_gives_the_engines_outcomes(path: Path, policy: str) -> None:
    cs = example(path, policy)
    assert check_agreement(cs, policy, SEED, REPS) > 0  # the defence fires: a real check


@STEPPING
@given(raw=small_scenarios(), seed=st.integers(0, 2**64 - 1), rep=st.integers(0, 50))
def test_stepping_random_scenarios_gives_the_engines_outcomes(
    raw: dict, seed: int, rep: int
) -> None:
    cs = build(raw)
    for policy in POLICY_NAMES:
        check_agreement(cs, policy, seed, (rep,))


def test_the_policy_argument_overrides_the_doctrine() -> None:
    cs = example(SMALL, "greedy")
    for policy in POLICY_NAMES:
        stepped, _ = step(cs, 1, None, policy=policy)
        assert_same(stepped, engine_row(cs, 1, "fast", SEED, policy), policy)


def test_run_with_a_decision_maker_is_stepping_by_hand() -> None:
    cs = example(SMALL)
    by_hand, _ = step(cs, 2, outside_greedy)
    assert_same(Replication(cs, SEED, 2).run(outside_greedy), by_hand, "run(maker)")
    assert_same(Replication(cs, SEED, 2).run(), by_hand, "run()")


def test_stepping_is_deterministic() -> None:
    cs = example(SMALL)
    first, d1 = step(cs, 3, outside_greedy)
    second, d2 = step(cs, 3, outside_greedy)
    assert_same(first, second, "same seed and index")
    assert [(d.time, d.tick, d.offers, d.blocked) for d in d1] == [
        (d.time, d.tick, d.offers, d.blocked) for d in d2
    ]
    row = simulate(cs, replications=4, seed=SEED, engine="reference")
    assert np.array_equal(first.fate[0], row.fate[3]) and np.array_equal(first.time[0], row.time[3])
    other, _ = step(cs, 3, outside_greedy, seed=SEED + 1)
    assert not np.array_equal(other.time, first.time)  # the seed matters


# --- declining, and looking again ---------------------------------------------------------


def crowded(**doctrine: object) -> dict:
    """Forty drones three seconds apart: several in a unit's envelope at once."""
    raw = base(**doctrine)
    raw["raids"][0]["launch"]["end"] = "00:02"
    return raw


def test_declining_everything_is_a_defence_that_never_fires() -> None:
    cs = example(SMALL)
    no_rounds = (np.zeros((1, cs.n_units), np.int64), np.zeros((1, cs.n_units), np.int64))
    for rep in REPS:
        declined, _ = step(cs, rep, decline)
        looked, _ = step(cs, rep, decline, again=True)
        silent = run_replications(cs, np.array([rep]), seed=SEED, start=no_rounds)
        assert_same(declined, silent, "declining everything")
        assert_same(looked, silent, "declining everything, looking again")
        assert declined.shots.sum() == 0 and declined.engagements.sum() == 0
        assert not (declined.fate == Fate.DESTROYED).any()
        fired = engine_row(cs, rep, "fast", SEED, "greedy")
        assert declined.shots.sum() <= fired.shots.sum()
        # draws are fixed by seed and index: whatever leaks under fire leaks without it
        leaked = fired.fate == Fate.LEAKED
        assert (declined.fate[leaked] == Fate.LEAKED).all()
        assert (declined.hit >= fired.hit).all()
        assert (declined.asset_destroyed >= fired.asset_destroyed).all()


def test_looking_again_asks_at_the_next_tick() -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    cs = build(raw)
    for again in (False, True):
        replication = Replication(cs, 1, 0)
        first = replication.next_decision()
        assert first is not None and first.offers
        replication.decide([], again=again)
        later = replication.next_decision()
        assert later is not None
        if again:
            assert later.tick == first.tick + 1
            assert later.time == later.tick * cs.decision_cycle
            assert [(o.threat, o.unit, o.window) for o in later.offers] == [
                (o.threat, o.unit, o.window) for o in first.offers
            ]
        else:  # nobody asked: the next cycle comes with the next event (a drone tracked)
            assert later.tick > first.tick + 1


def test_looking_again_every_tick_until_a_late_shot() -> None:
    """Hold fire while the drone closes, then take it: still a feasible, recorded engagement."""
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=1.0)]
    cs = build(raw)
    replication = Replication(cs, 1, 0)
    first = replication.next_decision()
    assert first is not None
    threat = first.offers[0].threat
    ticks = []
    decision: Decision | None = first
    while decision is not None and len(ticks) < 5:
        ticks.append(decision.tick)
        replication.decide([], again=True)
        decision = replication.next_decision()
    assert ticks == list(range(first.tick, first.tick + 5))
    assert decision is not None and decision.offers[0].threat == threat
    replication.decide([0])
    out = replication.run()
    assert out.fate[0, threat] == Fate.DESTROYED
    assert out.time[0, threat] == decision.offers[0].intercept


# --- bad choices ---------------------------------------------------------------------------


def find(replication: Replication, wanted: Callable[[Decision], bool]) -> Decision:
    """Decline (looking again) until a decision satisfies ``wanted``."""
    while (decision := replication.next_decision()) is not None:
        if wanted(decision):
            return decision
        replication.decide([], again=True)
    raise AssertionError("no such decision")


def pairs(decision: Decision, same: str) -> tuple[int, int] | None:
    """Two offers sharing ``same`` ("threat" or "unit") and differing in the other."""
    other = "unit" if same == "threat" else "threat"
    for a, oa in enumerate(decision.offers):
        for b, ob in enumerate(decision.offers):
            if (
                a < b
                and getattr(oa, same) == getattr(ob, same)
                and getattr(oa, other) != getattr(ob, other)
            ):
                return a, b
    return None


def refused(replication: Replication, decision: Decision, chosen: list[int], message: str) -> None:
    """``chosen`` is refused with ``message``; the decision stays pending, nothing fired."""
    before = (decision.units(), decision.tracks(), replication.out.shots.copy())
    with pytest.raises(ValueError, match=message):
        replication.decide(chosen)
    assert replication.next_decision() is decision
    assert (decision.units(), decision.tracks()) == before[:2]
    assert np.array_equal(replication.out.shots, before[2])


def finish_and_compare(
    replication: Replication, cs: CompiledScenario, wanted: Callable[[Decision], bool]
) -> None:
    """After refusals the replication runs on as a twin that was never refused."""
    twin = Replication(cs, replication.seed, replication.rep)
    find(twin, wanted)  # the same path up to the refused decision
    assert_same(replication.run(outside_greedy), twin.run(outside_greedy), "after a refusal")


def test_choices_must_name_offers_that_exist() -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    cs = build(raw)
    replication = Replication(cs, 1, 0)
    decision = replication.next_decision()
    assert decision is not None
    n = len(decision.offers)
    refused(replication, decision, [n], rf"offer {n} does not exist: the offers are 0 to {n - 1}")
    refused(replication, decision, [-1], "offer -1 does not exist")
    refused(replication, decision, [0, n + 5], f"offer {n + 5} does not exist")
    finish_and_compare(replication, cs, lambda d: True)


def test_a_threat_is_taken_once_per_choice() -> None:
    raw = crowded()
    raw["fire_units"] = [unit("a", -20, pk=0.5), unit("b", -21, pk=0.5)]
    cs = build(raw)
    replication = Replication(cs, 4, 0)
    wanted: Callable[[Decision], bool] = lambda d: pairs(d, "threat") is not None  # noqa: E731
    decision = find(replication, wanted)
    a, b = pairs(decision, "threat")  # type: ignore[misc]
    threat = decision.offers[a].threat
    refused(replication, decision, [a, b], f"offer {b}: threat {threat} is already engaged")
    finish_and_compare(replication, cs, wanted)


def test_a_unit_fires_only_on_free_channels() -> None:
    raw = crowded()
    raw["fire_units"] = [unit("a", -20, pk=0.5, channels=1)]
    cs = build(raw)
    replication = Replication(cs, 4, 0)
    wanted: Callable[[Decision], bool] = lambda d: pairs(d, "unit") is not None  # noqa: E731
    decision = find(replication, wanted)
    a, b = pairs(decision, "unit")  # type: ignore[misc]
    assert decision.units()[0].free_channels == 1
    refused(replication, decision, [a, b], f"offer {b}: unit 0 has no free fire channel left")
    finish_and_compare(replication, cs, wanted)


def test_a_unit_fires_only_the_rounds_it_has_ready() -> None:
    raw = crowded(salvo={"default": 2})
    raw["fire_units"] = [unit("a", -20, pk=0.5, channels=4, rounds=3, reserve=0)]
    cs = build(raw)
    replication = Replication(cs, 4, 0)
    wanted: Callable[[Decision], bool] = lambda d: pairs(d, "unit") is not None  # noqa: E731
    decision = find(replication, wanted)
    a, b = pairs(decision, "unit")  # type: ignore[misc]
    assert decision.offers[a].rounds == decision.offers[b].rounds == 2
    assert decision.units()[0].ready == 3
    refused(replication, decision, [a, b], f"offer {b}: unit 0 has 1 rounds ready")
    finish_and_compare(replication, cs, wanted)


def test_deciding_needs_a_pending_decision() -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    cs = build(raw)
    replication = Replication(cs, 1, 0)
    with pytest.raises(ValueError, match=r"no decision is pending: call next_decision\(\) first"):
        replication.decide([])
    decision = replication.next_decision()
    assert decision is not None
    replication.decide([0])
    with pytest.raises(ValueError, match="no decision is pending"):
        replication.decide([0])  # the same decision twice
    replication.run()
    with pytest.raises(ValueError, match="no decision is pending"):
        replication.decide([])  # after the end


# --- what a decision maker sees ----------------------------------------------------------


def at(cs: CompiledScenario, threat: int, t: float) -> tuple[float, float]:
    """Ground position of ``threat`` at ``t``, by walking its route (not np.interp)."""
    xs, ys, ts = cs.route(threat)
    if t <= ts[0]:
        return float(xs[0]), float(ys[0])
    for k in range(len(ts) - 1):
        if t <= ts[k + 1]:
            s = (t - ts[k]) / (ts[k + 1] - ts[k])
            return float(xs[k] + s * (xs[k + 1] - xs[k])), float(ys[k] + s * (ys[k + 1] - ys[k]))
    return float(xs[-1]), float(ys[-1])


class Inspector:
    """A decision maker (outside greedy) that checks every view against the scenario."""

    def __init__(self, cs: CompiledScenario, replication: Replication) -> None:
        self.cs, self.replication = cs, replication
        scene = build_scene(cs, lists=True)
        tracked_at = np.array(
            [
                detection_time(scene, replication.seed, replication.rep, i, False)
                + cs.reaction_time
                for i in range(cs.n_threats)
            ]
        )
        self.tracked_at = np.where(tracked_at < cs.impact_time, tracked_at, np.inf)
        self.magazine = [int(r + s) for r, s in zip(cs.unit_rounds, cs.unit_reserve, strict=True)]
        self.at_threat: dict[int, list[float]] = {}  # intercepts of the salvos fired
        self.by_unit: dict[int, list[float]] = {}
        self.last: Decision | None = None
        self.decisions = self.offers_taken = 0

    def __call__(self, decision: Decision) -> list[int]:
        cs, out = self.cs, self.replication.out
        t = decision.time
        assert t == decision.tick * cs.decision_cycle
        if self.last is not None:
            assert decision.tick > self.last.tick
        self.last = decision
        self.decisions += 1

        tracks = decision.tracks()
        seen = {v.threat for v in tracks}
        assert len(seen) == len(tracks)
        # exactly the threats tracked by now and still flying
        should = (out.fate[0] == Fate.AIRBORNE) & (self.tracked_at <= t)
        assert seen == set(np.flatnonzero(should).tolist()), t
        for v in tracks:
            i = v.threat
            x, y = at(cs, i, t)
            assert math.isclose(v.x, x, rel_tol=1e-9, abs_tol=1e-6), (i, t, v.x, x)
            assert math.isclose(v.y, y, rel_tol=1e-9, abs_tol=1e-6), (i, t, v.y, y)
            xs, ys, _ = cs.route(i)
            assert (v.impact_x, v.impact_y) == (xs[-1], ys[-1])
            assert v.impact_time == cs.impact_time[i] > t
            lo, hi = cs.route_offset[i], cs.route_offset[i + 1]
            z = float(np.interp(t, cs.route_t[lo:hi], cs.route_z[lo:hi]))
            assert math.isclose(v.altitude, z, rel_tol=1e-9, abs_tol=1e-6), (i, t, v.altitude, z)
            assert v.target == cs.threat_target[i]
            assert v.threat_class == cs.class_names[cs.threat_class[i]]
            assert v.inflight == sum(m > t for m in self.at_threat.get(i, []))

        units = decision.units()
        assert [v.unit for v in units] == list(range(cs.n_units))
        for v in units:
            u = v.unit
            assert v.id == cs.unit_ids[u]
            assert v.ready >= 0 and v.reserve >= 0
            assert v.ready + v.reserve == self.magazine[u] - out.shots[0, u]
            busy = sum(m > t for m in self.by_unit.get(u, []))
            assert v.free_channels == cs.unit_channels[u] - busy >= 0
            if cs.unit_is_ew[u]:
                assert v.free_channels == 0 and v.ready == 0

        keys = [(-o.score, o.intercept, o.threat, o.unit, o.window) for o in decision.offers]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)  # greedy order, strict
        for o in decision.offers:
            i, u, e = o.threat, o.unit, o.window
            assert i in seen and not cs.unit_is_ew[u]
            assert cs.eng_offset[i] <= e < cs.eng_offset[i + 1] and cs.eng_unit[e] == u
            assert cs.eng_fire_start[e] <= t <= cs.eng_end[e]
            assert cs.eng_start[e] <= o.intercept <= cs.eng_end[e]
            assert t <= o.intercept < cs.impact_time[i]
            assert o.rounds == min(cs.salvo[i], units[u].ready) >= 1
            assert units[u].free_channels >= 1
            pk = cs.pk_perceived[u, cs.threat_class[i]]
            assert math.isclose(o.kill, 1 - (1 - pk) ** o.rounds, rel_tol=0, abs_tol=1e-12)
            assert math.isfinite(o.score)

        chosen = outside_greedy(decision)
        for k in chosen:
            o = decision.offers[k]
            self.at_threat.setdefault(o.threat, []).append(o.intercept)
            self.by_unit.setdefault(o.unit, []).append(o.intercept)
        self.offers_taken += len(chosen)
        return chosen


def inspect(cs: CompiledScenario, seed: int, rep: int) -> Inspector:
    """Step with an Inspector, checking after each choice that the magazines went down."""
    replication = Replication(cs, seed, rep)
    inspector = Inspector(cs, replication)
    while (decision := replication.next_decision()) is not None:
        before = decision.units()
        chosen = inspector(decision)
        replication.decide(chosen)
        after = decision.units()  # the live state, right after firing
        for u, (b, a) in enumerate(zip(before, after, strict=True)):
            taken = [decision.offers[k] for k in chosen if decision.offers[k].unit == u]
            assert a.ready == b.ready - sum(o.rounds for o in taken)
            assert a.free_channels == b.free_channels - len(taken)
            assert a.reserve == b.reserve
    assert_same(replication.out, engine_row(cs, rep, "reference", seed, "greedy"), "inspected")
    return inspector


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_views_agree_with_the_scenario(path: Path) -> None:
    cs = example(path)
    inspector = inspect(cs, SEED, 1)
    assert inspector.decisions > 0 and inspector.offers_taken > 0


@settings(STEPPING, max_examples=25)
@given(raw=small_scenarios(), seed=st.integers(0, 2**64 - 1), rep=st.integers(0, 50))
def test_the_views_agree_with_random_scenarios(raw: dict, seed: int, rep: int) -> None:
    raw["doctrine"]["policy"] = "greedy"
    inspect(build(raw), seed, rep)


def test_magazines_run_down_and_reload() -> None:
    raw = base(salvo={"default": 2})
    raw["fire_units"] = [
        unit("sam", -20, pk=0.3, channels=2, rounds=4, reserve=4, reload_time="30 s")
    ]
    cs = build(raw)
    replication = Replication(cs, 9, 0)
    readies = []
    while (decision := replication.next_decision()) is not None:
        readies.append(decision.units()[0].ready)
        replication.decide(outside_greedy(decision))
    assert readies[0] == 4
    assert any(b < a for a, b in itertools.pairwise(readies))  # fired
    assert any(b > a for a, b in itertools.pairwise(readies))  # reloaded
    assert replication.out.shots[0, 0] == 8  # everything, reserve included
