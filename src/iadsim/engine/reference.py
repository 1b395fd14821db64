"""The reference engine: plain, readable, event-driven Python. It is the specification.

One replication runs as a discrete-event simulation over a heap keyed
``(time, priority, sequence)`` so that ties never depend on anything but the
order events were scheduled in. Each event kind has one handler, named as in
the fast engine (:mod:`iadsim.engine.fast`), so the two read side by side:

- ``RELOAD`` (:meth:`Replication.on_reload`) a launcher that ran dry is full
  again from its reserve;
- ``RESOLVE`` (``on_resolve``) a salvo meets its threat: each round kills with
  the unit's pk;
- ``EW`` (``on_ew``) a threat enters an EW site's area: a susceptible threat is
  defeated with the site's pk;
- ``IMPACT`` (``on_impact``) a threat still flying reaches its aim point and
  leaks; it destroys its asset with the chance set by its lethality and the
  asset's hardness (a decoy's class usually sets it to 0);
- ``TRACK`` (``on_track``) a threat has been detected and the reaction time has
  passed: it becomes eligible for engagement;
- ``WAKE`` (``on_wake``) the firing gate of one of a tracked threat's
  engagement windows opens (a decision is called if its unit can fire);
- ``LOOK`` (``on_look``) a track a unit lacked at the last decision reaches
  it (with a network, :mod:`iadsim.engine.network`), or a rule of engagement
  that held its fire lapses: a decision is called.
  Only the earliest is kept (one slot, not the heap);
- ``DECIDE`` (``on_decide``) the decision cycle: command evaluates threats and
  lists every option; a decision maker (the doctrine's policy from
  :mod:`iadsim.c2`, or anyone stepping the replication) chooses among them.

Anything that could change an assignment schedules a ``DECIDE`` at the next
tick of the decision-cycle grid ``k * decision_cycle``. Every piece of model
arithmetic (draws, looks, ticks, kills, intercepts, scores, choices) is a
kernel in :mod:`iadsim.engine.kernels` or :mod:`iadsim.c2`, shared with the
fast engine; this module holds only the bookkeeping.

The fast engine does the same work organised for speed, and its module
docstring gives the argument for each difference: it takes the events known
before the night (TRACK, EW, IMPACT, gate openings) from sorted streams rather
than this heap, with keys that reproduce this heap's order; it passes over
stream events whose threat is gone (whose handlers here return at once); it
keeps each unit's open windows instead of scanning tracked threats (parking
those of a threat with all its salvos in flight, dropping those that can never
be candidates again); and it visits only the units that can fire. None of
these changes what any handler here would do.

A replication can be stepped decision by decision (:class:`Replication`):
:meth:`~Replication.next_decision` runs to the next decision cycle that has
options and returns them; :meth:`~Replication.decide` takes the choice. This is
where a person, a learning agent or an external optimiser takes command.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from iadsim.c2 import choice_positions, choose, greedy_order
from iadsim.compile import CompiledScenario
from iadsim.engine.kernels import (
    BLOCKED,
    MAX_SALVO,
    OFFERED,
    damages,
    detection_time,
    evaluate,
    ew_defeats,
    grid_tick,
    held_until,
    salvo_kills,
)
from iadsim.engine.network import (
    N_KILLS,
    build_picture,
    first_seen,
    new_picture,
    picture_from,
)
from iadsim.engine.outcomes import Fate, Outcomes
from iadsim.engine.scene import Scene, build_scene

__all__ = [
    "MAX_SALVO",
    "Decision",
    "DecisionMaker",
    "EventKind",
    "Offer",
    "Replication",
    "TraceEvent",
    "TrackView",
    "UnitView",
    "count_events",
    "detection_time",
    "grid_tick",
    "policy_decision",
    "run_replication",
    "trace_replication",
]


class EventKind:
    """Event kinds; the number is the tie-break priority at equal times (lower first)."""

    RELOAD = 0
    RESOLVE = 1
    EW = 2
    IMPACT = 3
    TRACK = 4
    WAKE = 5
    LOOK = 6
    DECIDE = 7


EVENT_NAMES = ("RELOAD", "RESOLVE", "EW", "IMPACT", "TRACK", "WAKE", "LOOK", "DECIDE")
"""Event kind names by number."""


class Offer(NamedTuple):
    """One way to engage one threat at a decision: a fire unit, its salvo, its expected effect."""

    score: float
    """The policy's score (greedy: threat priority x kill chance)."""
    intercept: float
    """When the salvo would meet the threat (s)."""
    threat: int
    unit: int
    window: int
    """The engagement window it falls in."""
    rounds: int
    """Rounds of the salvo (the threat class's salvo, as far as the magazine allows)."""
    kill: float
    """The chance command expects the salvo to kill (decoys taken for what they mimic)."""


class TrackView(NamedTuple):
    """A tracked threat as command sees it at a decision."""

    threat: int
    threat_class: str
    x: float
    """East of the origin now (m)."""
    y: float
    """North of the origin now (m)."""
    altitude: float
    impact_time: float
    """When it reaches its aim point if nothing stops it (s)."""
    impact_x: float
    impact_y: float
    target: int
    """The asset it is aimed at."""
    inflight: int
    """Salvos in flight at it."""


class UnitView(NamedTuple):
    """A fire unit's state at a decision."""

    unit: int
    id: str
    ready: int
    """Rounds ready to fire."""
    reserve: int
    """Rounds in reserve (reloaded when the launcher runs dry)."""
    free_channels: int
    """Engagements it can still start now."""


class Decision:
    """A decision cycle with options: what a decision maker sees and chooses from.

    ``offers`` are in greedy order (best score first; ties by earlier intercept,
    lower threat, unit and window). A choice is a set of offer positions taking
    each threat at most once, no more offers per unit than it has free channels
    and no more rounds than it has ready.
    """

    def __init__(
        self, replication: Replication, time: float, tick: int, offers: list[Offer], blocked: bool
    ) -> None:
        self._replication = replication
        self.time = time
        """Seconds after the start."""
        self.tick = tick
        """The decision grid's tick (``time = tick * decision_cycle``)."""
        self.offers = offers
        self.blocked = blocked
        """Whether some unit could fire but its intercept falls outside its window for now
        (the cycle is then called again at the next tick)."""

    def tracks(self) -> list[TrackView]:
        """Every tracked threat still flying, in the order they were tracked.

        Views read the replication's live state: read them before deciding.
        """
        return self._replication.track_views(self.time)

    def units(self) -> list[UnitView]:
        """Every fire unit (EW sites included, with no channels); live, like :meth:`tracks`."""
        return self._replication.unit_views()

    def __repr__(self) -> str:
        return f"Decision(time={self.time:g}, tick={self.tick}, offers={len(self.offers)})"


DecisionMaker = Callable[[Decision], Iterable[int]]
"""Chooses offers at a decision: returns their positions in ``decision.offers``."""


def policy_decision(replication: Replication, decision: Decision) -> list[int]:
    """What the replication's assignment policy chooses: the built-in decision maker."""
    sc = replication.sc
    free = [sc.unit_channels[u] - replication.busy[u] for u in range(len(replication.busy))]
    return choice_positions(
        partial(choose, sc.policy),
        decision.offers,
        free,
        list(replication.ready),
        sc.node_limit,
        replication.used,
    )


class Replication:
    """One replication, run to the end or stepped decision by decision.

    Args:
        cs: the compiled scenario.
        seed: the run's seed.
        replicate_index: which replication (its draws are fixed by seed and index).
        policy: the assignment policy (default: the doctrine's); it is the
            decision maker of :meth:`run`, and its scores rank the offers.
        start: each unit's ready rounds and reserve at the start (default: the
            scenario's).
        scene: the scene of ``cs`` as lists (:func:`build_scene` with
            ``lists=True``), shared by the replications of a run; it fixes the
            policy, so ``policy`` must not be given with it.
        out: the Outcomes to write the outcome into (default: a fresh one-row
            :class:`Outcomes`).
        row: the row of ``out`` to write.
    """

    def __init__(
        self,
        cs: CompiledScenario,
        seed: int,
        replicate_index: int,
        *,
        policy: str | None = None,
        start: tuple[Sequence[int], Sequence[int]] | None = None,
        scene: Scene | None = None,
        out: Outcomes | None = None,
        row: int = 0,
    ) -> None:
        if scene is not None and policy is not None:
            raise ValueError("give the policy or a scene (which fixes the policy), not both")
        self.cs = cs
        self.sc = sc = scene if scene is not None else build_scene(cs, policy, lists=True)
        self.seed, self.rep, self.row = seed, replicate_index, row
        self.out = out if out is not None else _one_row(cs, seed, replicate_index)
        self.trace: list[TraceEvent] | None = None  # set to a list to record events
        self.counts = [0] * len(EVENT_NAMES)  # events handled, by kind
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.sequence = 0
        self.last_tick = -1
        n_threats, n_windows = cs.n_threats, len(sc.eng_unit)
        self.alive = [True] * n_threats
        self.tracked: list[int] = []  # tracked threats, in the order they became eligible
        self.inflight = [0] * n_threats
        self.engaged = [0] * n_threats  # engagements of each threat so far, all units
        self.engaged_by = [0] * n_windows  # ... by (threat, unit), at the pair's first window
        self.used = [False] * n_threats  # scratch for the choice kernels, left clear
        self.discerned = [math.inf] * n_threats  # when a decoy is told apart: no fire after
        self.ready = [int(r) for r in (sc.unit_rounds if start is None else start[0])]
        self.reserve = [int(r) for r in (sc.unit_reserve if start is None else start[1])]
        self.busy = [0] * cs.n_units
        # engagements in flight: id -> (threat, unit, rounds, ordinal)
        self.shots: dict[int, tuple[int, int, int, int]] = {}
        self.pending: Decision | None = None
        self.finished = False
        self.look_due = math.inf  # the LOOK slot: when a deferred track reaches its unit
        self.pic = new_picture(sc, lists=True)
        if sc.net_on:
            build_picture(sc, self.pic, seed, replicate_index)
        self._schedule_initial_events()

    # --- the event queue
    def push(self, time: float, kind: int, a: int, b: int = 0) -> None:
        """Schedule an event of ``kind`` at ``time`` with arguments ``a`` and ``b``."""
        heapq.heappush(self.heap, (time, kind, self.sequence, a, b))
        self.sequence += 1

    def decide_at(self, tick: int) -> None:
        """Schedule a decision at grid tick ``tick`` unless one is already due at or after it."""
        if tick > self.last_tick:
            self.last_tick = tick
            self.push(tick * self.sc.decision_cycle, EventKind.DECIDE, tick)

    def decide_soon(self, t: float) -> None:
        """Schedule a decision at the first grid tick at or after ``t``."""
        self.decide_at(grid_tick(t, self.sc.decision_cycle))

    def end(self, threat: int, fate: Fate, t: float, cause: int) -> None:
        """Record how and when ``threat`` ended, and by which unit (-1: none)."""
        self.alive[threat] = False
        self.out.fate[self.row, threat] = fate
        self.out.time[self.row, threat] = t
        self.out.cause[self.row, threat] = cause

    def _schedule_initial_events(self) -> None:
        """Each threat's TRACK (if it is tracked before impact), EW entries and IMPACT.

        The fast engine takes these from streams sorted once instead of the heap; its
        keys reproduce these sequence numbers (see ``fast.Streams``).
        """
        sc = self.sc
        for i in range(len(sc.impact_time)):
            impact = sc.impact_time[i]
            if sc.net_on:
                seen = first_seen(sc, self.pic, i)
            else:
                seen = detection_time(sc, self.seed, self.rep, i, False)
            if sc.discern[i]:
                self.discerned[i] = detection_time(sc, self.seed, self.rep, i, True)
            if seen + sc.reaction_time < impact:
                self.push(seen + sc.reaction_time, EventKind.TRACK, i)
            for v in range(sc.ew_offset[i], sc.ew_offset[i + 1]):
                self.push(sc.ew_start[v], EventKind.EW, v, i)
            self.push(impact, EventKind.IMPACT, i)

    # --- running and stepping
    def next_decision(self) -> Decision | None:
        """Run to the next decision cycle with options and return it; ``None`` at the end.

        Call :meth:`decide` before asking again (asking again without deciding
        returns the same decision).
        """
        if self.pending is not None:
            return self.pending
        handlers: tuple[Callable[[float, int, int], None], ...] = (
            self.on_reload,
            self.on_resolve,
            self.on_ew,
            self.on_impact,
            self.on_track,
            self.on_wake,
        )
        heap, counts = self.heap, self.counts
        while heap or self.look_due < math.inf:
            look = self.look_due
            if look < math.inf and (not heap or (look, EventKind.LOOK) < heap[0][:2]):
                counts[EventKind.LOOK] += 1
                self.on_look(look)
                continue
            t, kind, _, a, b = heapq.heappop(heap)
            counts[kind] += 1
            if kind == EventKind.DECIDE:
                decision = self.on_decide(t, a)
                if decision is not None:
                    self.pending = decision
                    return decision
            else:
                handlers[kind](t, a, b)
        self.finished = True
        return None

    def decide(self, chosen: Iterable[int], *, again: bool = False) -> None:
        """Take offers ``chosen`` (positions in the pending decision's ``offers``).

        They fire in greedy order. The cycle is called again at the next tick if
        anything fired or an intercept was blocked, or if ``again`` (a decision
        maker who declined everything may ask to look again then).

        Raises:
            ValueError: there is no pending decision, or the choice is not
                feasible (an unknown offer, a threat twice, a unit without a
                free channel or the rounds).
        """
        decision = self.pending
        if decision is None:
            raise ValueError("no decision is pending: call next_decision() first")
        picks = self._checked(decision, chosen)
        self.pending = None
        t = decision.time
        for k in picks:
            self.fire(t, decision.offers[k])
        if picks or decision.blocked or again:
            self.decide_at(decision.tick + 1)

    def _checked(self, decision: Decision, chosen: Iterable[int]) -> list[int]:
        picks: list[int] = []
        for k in chosen:
            if isinstance(k, bool | np.bool_) or not isinstance(k, int | np.integer):
                raise ValueError(f"offer positions must be integers, got {type(k).__name__} {k}")
            if int(k) in picks:
                raise ValueError(f"offer {int(k)} is chosen twice")
            picks.append(int(k))
        picks.sort()
        offers = decision.offers
        threats: set[int] = set()
        free = [self.sc.unit_channels[u] - self.busy[u] for u in range(len(self.busy))]
        ready = list(self.ready)
        for k in picks:
            if not 0 <= k < len(offers):
                raise ValueError(f"offer {k} does not exist: the offers are 0 to {len(offers) - 1}")
            o = offers[k]
            if o.threat in threats:
                raise ValueError(f"offer {k}: threat {o.threat} is already engaged in this choice")
            if free[o.unit] <= 0:
                raise ValueError(f"offer {k}: unit {o.unit} has no free fire channel left")
            if ready[o.unit] < o.rounds:
                raise ValueError(f"offer {k}: unit {o.unit} has {ready[o.unit]} rounds ready")
            threats.add(o.threat)
            free[o.unit] -= 1
            ready[o.unit] -= o.rounds
        return picks

    def run(self, decision_maker: DecisionMaker | None = None) -> Outcomes:
        """Run to the end, each decision taken by ``decision_maker`` (default: the policy)."""
        while (decision := self.next_decision()) is not None:
            if decision_maker is None:
                self.decide(policy_decision(self, decision))
            else:
                self.decide(decision_maker(decision))
        return self.out

    # --- what a decision maker may look at
    def track_views(self, t: float) -> list[TrackView]:
        """Every tracked threat still flying, as command sees it at ``t``."""
        sc, cs = self.sc, self.cs
        views = []
        for i in self.tracked:
            if not self.alive[i]:
                continue
            lo, hi = sc.route_offset[i], sc.route_offset[i + 1]
            xs, ys, ts = sc.route_x[lo:hi], sc.route_y[lo:hi], sc.route_t[lo:hi]
            x, y = float(np.interp(t, ts, xs)), float(np.interp(t, ts, ys))
            z = float(np.interp(t, ts, sc.route_z[lo:hi]))
            views.append(
                TrackView(
                    i,
                    cs.class_names[sc.threat_class[i]],
                    x,
                    y,
                    z,
                    sc.impact_time[i],
                    xs[-1],
                    ys[-1],
                    sc.threat_target[i],
                    self.inflight[i],
                )
            )
        return views

    def unit_views(self) -> list[UnitView]:
        """Every fire unit's magazine and free channels now."""
        sc = self.sc
        return [
            UnitView(
                u,
                self.cs.unit_ids[u],
                self.ready[u],
                self.reserve[u],
                sc.unit_channels[u] - self.busy[u],
            )
            for u in range(len(self.busy))
        ]

    def note(self, t: float, what: str, threat: int = -1, unit: int = -1, **extra: float) -> None:
        """Record an event when tracing (for replays); no effect on the simulation."""
        if self.trace is not None:
            self.trace.append(TraceEvent(t, what, threat, unit, extra.get("until", math.nan)))

    # --- the handlers, one per event kind
    def on_reload(self, t: float, unit: int, _: int = 0) -> None:
        """RELOAD: the launcher is full again from its reserve."""
        refill = min(self.sc.unit_rounds[unit], self.reserve[unit])
        self.ready[unit] += refill
        self.reserve[unit] -= refill
        self.note(t, "reload", unit=unit)
        self.decide_soon(t)

    def on_resolve(self, t: float, shot: int, _: int = 0) -> None:
        """RESOLVE: salvo ``shot`` meets its threat; each round kills with the unit's pk."""
        threat, unit, rounds, ordinal = self.shots.pop(shot)
        self.inflight[threat] -= 1
        self.busy[unit] -= 1
        if self.alive[threat]:
            killed = salvo_kills(self.sc, self.seed, self.rep, threat, unit, ordinal, rounds)
            if killed:
                self.end(threat, Fate.DESTROYED, t, unit)
            self.note(t, "kill" if killed else "miss", threat, unit)
        else:
            self.note(t, "wasted", threat, unit)
        self.decide_soon(t)

    def on_ew(self, t: float, window: int, threat: int) -> None:
        """EW: ``threat`` enters the area of the EW site of ``window``."""
        if not self.alive[threat]:
            return
        if ew_defeats(self.sc, self.seed, self.rep, threat, window):
            unit = self.sc.ew_unit[window]
            self.end(threat, Fate.LOST_TO_EW, t, unit)
            self.note(t, "jammed", threat, unit)

    def on_impact(self, t: float, threat: int, _: int = 0) -> None:
        """IMPACT: ``threat`` reaches its aim point still flying: it leaks.

        A hit on a sensor, fire unit or command post puts it out of action from now
        on: the network's picture is worked out again.
        """
        if not self.alive[threat]:
            return
        self.end(threat, Fate.LEAKED, t, -1)
        sc = self.sc
        hit = damages(sc, self.seed, self.rep, threat)
        if hit:
            target = sc.threat_target[threat]
            self.out.hit[self.row, threat] = True
            if not self.out.asset_destroyed[self.row, target] and sc.asset_element[target] >= 0:
                pic = self.pic
                pic.kill_elem[pic.cnt[N_KILLS]] = sc.asset_element[target]
                pic.kill_time[pic.cnt[N_KILLS]] = t
                pic.cnt[N_KILLS] += 1
                build_picture(sc, pic, self.seed, self.rep)
            self.out.asset_destroyed[self.row, target] = True
        self.note(t, "impact" if hit else "leak", threat)

    def on_look(self, t: float) -> None:
        """LOOK: a track a unit lacked at a decision reaches it now: call a decision."""
        self.look_due = math.inf
        self.decide_soon(t)

    def on_track(self, t: float, threat: int, _: int = 0) -> None:
        """TRACK: ``threat`` can be engaged from now; its later gate openings are scheduled."""
        if not self.alive[threat]:
            return
        sc = self.sc
        if sc.net_on:
            # a sensor destroyed since the night began may have seen it no more: the
            # picture as it now stands says when it is tracked, if ever
            due = first_seen(sc, self.pic, threat) + sc.reaction_time
            if due > t:
                if due < sc.impact_time[threat]:
                    self.push(due, EventKind.TRACK, threat)
                return
        self.tracked.append(threat)
        self.note(t, "track", threat)
        for e in range(sc.eng_offset[threat], sc.eng_offset[threat + 1]):
            if sc.eng_fire_start[e] > t:
                self.push(sc.eng_fire_start[e], EventKind.WAKE, threat, e)
        self.decide_soon(t)

    def on_wake(self, t: float, threat: int, window: int) -> None:
        """WAKE: the firing gate of ``window`` opens for tracked ``threat``.

        It calls for a decision only if the window's unit can fire now. If it cannot,
        nothing can come of that decision: a unit regains a channel or rounds only by
        an event that calls for a decision itself (a salvo resolving, a reload), and
        every other unit's options are those it had at the last decision, which (for
        greedy and cost_aware, which take an option whenever there is one) had none
        left, or were blocked, which calls the next tick anyway. In the capital raid
        about three gate openings in four find their unit busy or dry; skipping their
        decisions left every example's outcome unchanged. (For exact, a decision cut
        short by its node limit may leave options untaken; a gate opening of a busy
        unit then no longer re-runs it.)
        """
        if not self.alive[threat]:
            return
        u = self.sc.eng_unit[window]
        if self.ready[u] > 0 and self.busy[u] < self.sc.unit_channels[u]:
            self.decide_soon(t)

    def on_decide(self, t: float, tick: int) -> Decision | None:
        """List the options of this cycle; ``None`` if there are none.

        The fast engine finds the same candidates another way: it keeps each
        unit's open windows (gate open, threat tracked) and visits only the units
        that can fire, where this scans tracked threats window by window. Both
        skip exactly the same windows, and the options are then sorted into one
        strict total order, so the order they were found in does not matter.
        """
        sc = self.sc
        self.tracked = [i for i in self.tracked if self.alive[i]]
        offers: list[Offer] = []
        blocked = False  # a unit could fire but the intercept falls outside its envelope
        look = math.inf  # the first time a track a unit lacks now reaches it
        ready, busy, engaged_by = self.ready, self.busy, self.engaged_by
        for i in self.tracked:
            if self.inflight[i] >= sc.max_inflight or t >= self.discerned[i]:
                continue
            for e in range(sc.eng_offset[i], sc.eng_offset[i + 1]):
                if sc.eng_fire_start[e] > t:
                    break
                if t > sc.eng_end[e]:
                    continue
                u = sc.eng_unit[e]
                if ready[u] <= 0 or busy[u] >= sc.unit_channels[u]:
                    continue
                if engaged_by[sc.eng_first[e]] >= sc.max_engagements:
                    continue
                if len(sc.roe_start) > 0:
                    free = held_until(sc, t, u, sc.threat_class[i])
                    if free > t:  # the rules of engagement hold fire until then
                        look = min(look, free)
                        continue
                if sc.net_on:
                    has = picture_from(sc, self.pic, i, u, t)
                    if has > t:  # the track has not reached the unit (yet)
                        look = min(look, has)
                        continue
                status, meet, rounds, kill, score = evaluate(sc, t, i, e, ready[u])
                if status == OFFERED:
                    offers.append(Offer(score, meet, i, u, e, rounds, kill))
                elif status == BLOCKED:
                    blocked = True
        if look < self.look_due:
            self.look_due = look
        if not offers:
            if blocked:
                self.decide_at(tick + 1)
            return None
        return Decision(self, t, tick, greedy_order(offers), blocked)

    def fire(self, t: float, offer: Offer) -> None:
        """Fire ``offer``'s salvo now: the rounds leave, its RESOLVE (and a RELOAD) are due."""
        u, i = offer.unit, offer.threat
        self.ready[u] -= offer.rounds
        self.busy[u] += 1
        self.out.shots[self.row, u] += offer.rounds
        self.out.engagements[self.row, u] += 1
        self.inflight[i] += 1
        shot = self.sequence
        self.shots[shot] = (i, u, offer.rounds, self.engaged[i])
        self.engaged[i] += 1
        self.engaged_by[self.sc.eng_first[offer.window]] += 1
        self.push(offer.intercept, EventKind.RESOLVE, shot)
        self.note(t, "fire", i, u, until=offer.intercept)
        if self.ready[u] == 0 and self.reserve[u] > 0:
            self.push(t + self.sc.unit_reload[u], EventKind.RELOAD, u)


def _one_row(cs: CompiledScenario, seed: int, rep: int) -> Outcomes:
    return Outcomes.empty(seed, np.array([rep]), cs.n_threats, cs.n_units, cs.n_assets)


class TraceEvent(NamedTuple):
    """One thing that happened in a traced replication, for replays and reports."""

    time: float
    """Seconds after the start."""
    what: str
    """track, fire, kill, miss, wasted (the threat was already gone), jammed, leak (no
    damage), impact (destroyed its asset) or reload."""
    threat: int
    """The threat, or -1."""
    unit: int
    """The fire unit or EW site, or -1."""
    until: float
    """For ``fire``: when the salvo meets the threat; NaN otherwise."""


def trace_replication(
    cs: CompiledScenario, *, seed: int, replicate_index: int, policy: str | None = None
) -> tuple[list[TraceEvent], Outcomes]:
    """Re-run one replication with the reference engine and record what happened, in order.

    Counter-based draws make the re-run identical to that replication in any
    run with the same seed (either engine): the returned Outcomes row says so.
    """
    replication = Replication(cs, seed, replicate_index, policy=policy)
    replication.trace = []
    out = replication.run()
    return replication.trace, out


def count_events(
    cs: CompiledScenario, *, seed: int, replicate_index: int, policy: str | None = None
) -> dict[str, int]:
    """Events the reference engine handles in one replication, by kind name."""
    replication = Replication(cs, seed, replicate_index, policy=policy)
    replication.run()
    return dict(zip(EVENT_NAMES, replication.counts, strict=True))


def run_replication(
    cs: CompiledScenario,
    seed: int,
    rep: int,
    out: Outcomes,
    row: int,
    scene: Scene | None = None,
    policy: str | None = None,
    start: tuple[Any, Any] | None = None,
) -> None:
    """Run replication ``rep`` and write its outcome into row ``row`` of ``out``.

    ``scene`` (from :func:`build_scene` with ``lists=True``) may be shared by all
    replications of a run, and then fixes the policy; otherwise ``policy``
    overrides the doctrine's. ``start`` gives each unit's ready rounds and
    reserve at the start (default: the scenario's).
    """
    if scene is not None:
        policy = None  # the scene fixes it
    Replication(cs, seed, rep, policy=policy, start=start, scene=scene, out=out, row=row).run()
