"""The reference engine: plain, readable, event-driven Python. It is the specification.

One replication runs as a discrete-event simulation over a heap keyed
``(time, priority, sequence)`` so that ties never depend on anything but the
order events were scheduled in. Events:

- ``RELOAD`` a launcher that ran dry is full again from its reserve;
- ``RESOLVE`` a salvo meets its threat: each round kills with the unit's pk;
- ``EW`` a threat enters an EW site's area: a susceptible threat is defeated
  with the site's pk;
- ``IMPACT`` a threat still flying reaches its aim point and leaks; it
  destroys its asset with the chance set by its lethality and the asset's
  hardness (decoys never do);
- ``TRACK`` a threat has been detected and the reaction time has passed: it
  becomes eligible for engagement;
- ``WAKE`` a tracked threat may come within reach of a fire unit;
- ``DECIDE`` the decision cycle: command evaluates threats and assigns fire
  units greedily (:mod:`iadsim.c2`).

Anything that could change an assignment schedules a ``DECIDE`` at the next
tick of the decision-cycle grid ``k * decision_cycle``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from iadsim.c2 import (
    Option,
    exact_assign,
    greedy_assign,
    greedy_order,
    salvo_kill,
    threat_priority,
)
from iadsim.compile import CompiledScenario
from iadsim.draws import Purpose, uniform
from iadsim.engine.outcomes import Fate, Outcomes
from iadsim.geometry import intercept_time

__all__ = [
    "EventKind",
    "Tables",
    "TraceEvent",
    "detection_time",
    "grid_tick",
    "run_replication",
    "trace_replication",
]

MAX_SALVO = 8


class EventKind:
    """Event kinds; the number is the tie-break priority at equal times (lower first)."""

    RELOAD = 0
    RESOLVE = 1
    EW = 2
    IMPACT = 3
    TRACK = 4
    WAKE = 5
    DECIDE = 6


def grid_tick(t: float, cycle: float) -> int:
    """Index of the first decision tick at or after ``t``."""
    k = math.ceil(t / cycle)
    if k * cycle < t:
        k += 1
    return int(k)


def detection_time(cs: CompiledScenario, seed: int, rep: int, threat: int) -> float:
    """First time any sensor detects ``threat`` in replication ``rep`` (``inf`` if none does).

    Each sensor looks every ``scan_period`` from a random phase while the
    threat is in its window; each look detects with probability ``pd``.
    """
    best = math.inf
    for w in range(int(cs.det_offset[threat]), int(cs.det_offset[threat + 1])):
        start = float(cs.det_start[w])
        if start >= best:
            break
        end = float(cs.det_end[w])
        s = int(cs.det_sensor[w])
        period, pd = float(cs.sensor_scan[s]), float(cs.sensor_pd[s])
        phase = uniform(seed, rep, Purpose.DETECT_PHASE, w, 0)
        look = 0
        t = start + phase * period
        while t <= end and t < best:
            if uniform(seed, rep, Purpose.DETECT, w, look) < pd:
                best = t
                break
            look += 1
            t = start + (phase + look) * period
    return best


class _Replication:
    """State of one replication while it runs."""

    def __init__(
        self,
        cs: CompiledScenario,
        tables: Tables,
        seed: int,
        rep: int,
        out: Outcomes,
        row: int,
        policy: str | None = None,
        start: tuple[Any, Any] | None = None,
    ) -> None:
        self.cs, self.seed, self.rep, self.row = cs, seed, rep, row
        self.tab = tables
        self.policy = policy or cs.policy
        self.trace: list[TraceEvent] | None = None  # set to a list to record events
        self.out = out
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.sequence = 0
        self.last_tick = -1
        self.alive = [True] * cs.n_threats
        self.tracked: list[int] = []  # tracked threats, in the order they became eligible
        self.inflight = [0] * cs.n_threats
        self.engaged = [0] * cs.n_threats  # engagements of each threat so far, all units
        self.engaged_by: dict[tuple[int, int], int] = {}  # ... by (threat, unit)
        self.ready = [int(r) for r in (cs.unit_rounds if start is None else start[0])]
        self.reserve = [int(r) for r in (cs.unit_reserve if start is None else start[1])]
        self.busy = [0] * cs.n_units
        # engagements in flight: id -> (threat, unit, rounds, ordinal)
        self.shots: dict[int, tuple[int, int, int, int]] = {}

    # --- the event queue
    def push(self, time: float, kind: int, a: int, b: int = 0) -> None:
        heapq.heappush(self.heap, (time, kind, self.sequence, a, b))
        self.sequence += 1

    def decide_at(self, tick: int) -> None:
        """Schedule a decision at grid tick ``tick`` unless one is already due at or after it."""
        if tick > self.last_tick:
            self.last_tick = tick
            self.push(tick * self.cs.decision_cycle, EventKind.DECIDE, tick)

    def decide_soon(self, t: float) -> None:
        self.decide_at(grid_tick(t, self.cs.decision_cycle))

    def end(self, threat: int, fate: Fate, t: float, cause: int) -> None:
        self.alive[threat] = False
        self.out.fate[self.row, threat] = fate
        self.out.time[self.row, threat] = t
        self.out.cause[self.row, threat] = cause

    # --- the run
    def run(self) -> None:
        cs = self.cs
        for i in range(cs.n_threats):
            impact = float(cs.impact_time[i])
            seen = detection_time(cs, self.seed, self.rep, i)
            if seen + cs.reaction_time < impact:
                self.push(seen + cs.reaction_time, EventKind.TRACK, i)
            for v in range(int(cs.ew_offset[i]), int(cs.ew_offset[i + 1])):
                self.push(float(cs.ew_start[v]), EventKind.EW, v, i)
            self.push(impact, EventKind.IMPACT, i)
        handlers: dict[int, Callable[[float, int, int], None]] = {
            EventKind.RELOAD: self.on_reload,
            EventKind.RESOLVE: self.on_resolve,
            EventKind.EW: self.on_ew,
            EventKind.IMPACT: self.on_impact,
            EventKind.TRACK: self.on_track,
            EventKind.WAKE: self.on_wake,
            EventKind.DECIDE: self.on_decide,
        }
        while self.heap:
            t, kind, _, a, b = heapq.heappop(self.heap)
            handlers[kind](t, a, b)

    def note(self, t: float, what: str, threat: int = -1, unit: int = -1, **extra: float) -> None:
        """Record an event when tracing (for replays); no effect on the simulation."""
        if self.trace is not None:
            self.trace.append(TraceEvent(t, what, threat, unit, extra.get("until", math.nan)))

    def on_reload(self, t: float, unit: int, _: int = 0) -> None:
        refill = min(int(self.cs.unit_rounds[unit]), self.reserve[unit])
        self.ready[unit] += refill
        self.reserve[unit] -= refill
        self.note(t, "reload", unit=unit)
        self.decide_soon(t)

    def on_resolve(self, t: float, shot: int, _: int = 0) -> None:
        threat, unit, rounds, ordinal = self.shots.pop(shot)
        self.inflight[threat] -= 1
        self.busy[unit] -= 1
        if self.alive[threat]:
            pk = float(self.cs.pk[unit, self.cs.threat_class[threat]])
            killed = False
            for r in range(rounds):
                if uniform(self.seed, self.rep, Purpose.KILL, threat, ordinal * MAX_SALVO + r) < pk:
                    killed = True
            if killed:
                self.end(threat, Fate.DESTROYED, t, unit)
            self.note(t, "kill" if killed else "miss", threat, unit)
        else:
            self.note(t, "wasted", threat, unit)
        self.decide_soon(t)

    def on_ew(self, t: float, window: int, threat: int) -> None:
        cs = self.cs
        unit = int(cs.ew_unit[window])
        if not self.alive[threat]:
            return
        c = int(cs.threat_class[threat])
        susceptible = uniform(self.seed, self.rep, Purpose.EW_SUSCEPTIBLE, threat, 0)
        if susceptible >= cs.class_ew_susceptibility[c]:
            return
        if uniform(self.seed, self.rep, Purpose.EW_EFFECT, threat, window) < cs.pk[unit, c]:
            self.end(threat, Fate.LOST_TO_EW, t, unit)
            self.note(t, "jammed", threat, unit)

    def on_impact(self, t: float, threat: int, _: int = 0) -> None:
        if not self.alive[threat]:
            return
        self.end(threat, Fate.LEAKED, t, -1)
        hit = uniform(self.seed, self.rep, Purpose.DAMAGE, threat, 0) < self.cs.damage_prob[threat]
        if hit:
            self.out.hit[self.row, threat] = True
            self.out.asset_destroyed[self.row, self.cs.threat_target[threat]] = True
        self.note(t, "impact" if hit else "leak", threat)

    def on_track(self, t: float, threat: int, _: int = 0) -> None:
        if not self.alive[threat]:
            return
        self.tracked.append(threat)
        self.note(t, "track", threat)
        cs = self.cs
        for e in range(int(cs.eng_offset[threat]), int(cs.eng_offset[threat + 1])):
            if cs.eng_fire_start[e] > t:
                self.push(float(cs.eng_fire_start[e]), EventKind.WAKE, threat)
        self.decide_soon(t)

    def on_wake(self, t: float, threat: int, _: int = 0) -> None:
        if self.alive[threat]:
            self.decide_soon(t)

    def on_decide(self, t: float, tick: int, _: int = 0) -> None:
        cs, tab = self.cs, self.tab
        self.tracked = [i for i in self.tracked if self.alive[i]]
        options: list[Option] = []
        blocked = False  # a unit could fire but the intercept falls outside its envelope
        for i in self.tracked:
            if self.inflight[i] >= cs.max_inflight:
                continue
            priority = -1.0
            for e in range(tab.eng_offset[i], tab.eng_offset[i + 1]):
                if tab.eng_fire_start[e] > t:
                    break
                if t > tab.eng_end[e]:
                    continue
                u = tab.eng_unit[e]
                if self.ready[u] <= 0 or self.busy[u] >= tab.unit_channels[u]:
                    continue
                if self.engaged_by.get((i, u), 0) >= cs.max_engagements:
                    continue
                lo, hi = tab.route_offset[i], tab.route_offset[i + 1]
                meet = intercept_time(
                    tab.route_x[lo:hi],
                    tab.route_y[lo:hi],
                    tab.route_t[lo:hi],
                    tab.altitude[i],
                    tab.unit_x[u],
                    tab.unit_y[u],
                    tab.unit_speed[u],
                    t,
                )
                impact = tab.impact_time[i]
                if not (tab.eng_start[e] <= meet <= tab.eng_end[e]) or meet >= impact:
                    blocked = True
                    continue
                rounds = min(tab.salvo[i], self.ready[u])
                kill = salvo_kill(tab.pk_perceived[u][tab.threat_class[i]], rounds)
                if self.policy == "cost_aware":
                    net = kill * tab.worth[i] - rounds * tab.unit_cost[u]
                    if net <= 0.0:
                        continue  # not worth its rounds
                    score = net / max(impact - t, cs.decision_cycle)
                else:
                    if priority < 0.0:
                        priority = threat_priority(tab.value[i], impact - t, cs.decision_cycle)
                    score = priority * kill
                options.append(Option(score, meet, i, u, e, rounds))
        if not options:
            if blocked:
                self.decide_at(tick + 1)
            return
        free = [tab.unit_channels[u] - self.busy[u] for u in range(cs.n_units)]
        if self.policy == "exact":
            chosen = exact_assign(
                greedy_order(options), free, list(self.ready), node_limit=cs.exact_node_limit
            )
        else:
            chosen = greedy_assign(options, free, list(self.ready))
        for option in chosen:
            self.fire(t, option)
        if chosen or blocked:
            self.decide_at(tick + 1)

    def fire(self, t: float, option: Option) -> None:
        u, i = option.unit, option.threat
        self.ready[u] -= option.rounds
        self.busy[u] += 1
        self.out.shots[self.row, u] += option.rounds
        self.out.engagements[self.row, u] += 1
        self.inflight[i] += 1
        shot = self.sequence
        self.shots[shot] = (i, u, option.rounds, self.engaged[i])
        self.engaged[i] += 1
        self.engaged_by[i, u] = self.engaged_by.get((i, u), 0) + 1
        self.push(option.intercept, EventKind.RESOLVE, shot)
        self.note(t, "fire", i, u, until=option.intercept)
        if self.ready[u] == 0 and self.reserve[u] > 0:
            self.push(t + float(self.cs.unit_reload[u]), EventKind.RELOAD, u)


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
    out = Outcomes.empty(seed, np.array([replicate_index]), cs.n_threats, cs.n_units, cs.n_assets)
    replication = _Replication(cs, Tables(cs), seed, replicate_index, out, 0, policy)
    replication.trace = []
    replication.run()
    return replication.trace, out


class Tables:
    """The compiled arrays the decision loop reads, as Python lists (fast scalar access)."""

    def __init__(self, cs: CompiledScenario) -> None:
        for name in (
            "eng_offset",
            "eng_fire_start",
            "eng_start",
            "eng_end",
            "eng_unit",
            "unit_channels",
            "route_offset",
            "route_x",
            "route_y",
            "route_t",
            "altitude",
            "unit_x",
            "unit_y",
            "unit_speed",
            "impact_time",
            "value",
            "salvo",
            "pk_perceived",
            "threat_class",
            "worth",
            "unit_cost",
        ):
            setattr(self, name, getattr(cs, name).tolist())

    def __getattr__(self, name: str) -> Any:  # for type checkers: attributes set above
        raise AttributeError(name)


def run_replication(
    cs: CompiledScenario,
    seed: int,
    rep: int,
    out: Outcomes,
    row: int,
    tables: Tables | None = None,
    policy: str | None = None,
    start: tuple[Any, Any] | None = None,
) -> None:
    """Run replication ``rep`` and write its outcome into row ``row`` of ``out``.

    ``tables`` (from :class:`Tables`) may be shared by all replications of a run;
    ``policy`` overrides the doctrine's assignment policy; ``start`` gives each
    unit's ready rounds and reserve at the start (default: the scenario's).
    """
    _Replication(cs, tables or Tables(cs), seed, rep, out, row, policy, start).run()
