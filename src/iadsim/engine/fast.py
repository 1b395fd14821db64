"""The fast engine: the reference engine's handlers over arrays, compiled by Numba.

It handles the same events as :mod:`iadsim.engine.reference` with handlers of
the same names (``on_reload``, ``on_resolve``, ``on_ew``, ``on_impact``,
``on_track``, ``on_wake``, ``on_decide``), in the same order (the same
``(time, priority, sequence)`` keys), and every piece of model arithmetic in
them is the same kernel (:mod:`iadsim.engine.kernels`, :mod:`iadsim.c2`,
:mod:`iadsim.draws`, :mod:`iadsim.geometry`), compiled from the same bytecode
(:mod:`iadsim.engine.jit`). So every replication's Outcomes are identical to
the reference's, bit for bit; a test holds the two together.

It organises the work differently where that is faster, and says why each
way is equivalent:

- **Merged streams.** TRACK, EW and IMPACT events are known before the night
  starts; they come from arrays sorted once (EW, IMPACT: per scenario, with
  sort keys reproducing the reference's sequence numbers; TRACK: per
  replication), and gate openings (WAKE) from the windows sorted by gate time.
  Only the events scheduled while running (RESOLVE, RELOAD, DECIDE) go through
  a heap. The loop takes the earliest head of the four by the reference's key.
  Stream events whose threat is gone are passed over unhandled (their handlers
  would do nothing), and gate openings are handled in runs while they come
  first (they commute with one another and end no threat).
- **Open windows by fire unit.** A decision visits only the units that can fire
  (kept as a set, updated as rounds and channels change) and, for each, the
  windows whose gate has opened for a tracked threat; a window that can never
  be a candidate again (threat gone, window closed, the
  unit's engagements of the threat used up: all only ever grow) is dropped as
  it is met, and one whose threat has all the salvos in flight it may have is
  parked until one of them resolves (the only event that lowers the count).
  The reference scans tracked threats window by window and skips the same
  windows one by one; the order candidates are found in does not matter,
  since options are sorted into one strict total order and ``blocked`` is an
  "any".
- **The network.** With a command-and-control network the picture of the
  night (:mod:`iadsim.engine.network`) is built by the same kernel at the start
  and after each hit on an element of the defence; a window whose unit lacks the
  track stays on the list, and the LOOK slot (one time, not the heap) calls the
  decision at which the first such track arrives, as in the reference. A TRACK
  that a destroyed sensor postpones goes through the heap.
- **Threads.** Replications are independent (counter-based draws): batches of
  rows run on threads with the GIL released, each writing its own rows.

The scenario reaches the handlers as one :class:`~iadsim.engine.scene.Scene`
of fixed-type arrays, plus :class:`Streams` (its events sorted once) and the
replication's :class:`State`, so every scenario runs on one compiled version.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

from iadsim.c2 import choose, sort_options
from iadsim.compile import CompiledScenario
from iadsim.engine.jit import compiled
from iadsim.engine.kernels import (
    BLOCKED,
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
    picture_span,
)
from iadsim.engine.outcomes import ARRAYS, Fate
from iadsim.engine.reference import EventKind
from iadsim.engine.scene import Scene, build_scene
from iadsim.engine.simulate import start_magazines
from iadsim.kernel import kernel

__all__ = ["Prepared", "State", "Streams", "prepare", "run_batch"]

RELOAD, RESOLVE, EW, IMPACT = EventKind.RELOAD, EventKind.RESOLVE, EventKind.EW, EventKind.IMPACT
TRACK, WAKE, DECIDE = EventKind.TRACK, EventKind.WAKE, EventKind.DECIDE
LOOK = EventKind.LOOK
DESTROYED, LOST_TO_EW, LEAKED = int(Fate.DESTROYED), int(Fate.LOST_TO_EW), int(Fate.LEAKED)

SHIFT = 40
"""Event kinds sit above the sequence numbers in one int64 key: it orders as (kind, sequence)."""

# counters of a replication, in State.count
N_HEAP, SEQUENCE, LAST_TICK, N_FREE, N_ABLE = 0, 1, 2, 3, 4


class Streams(NamedTuple):
    """What the fast engine sorts once per scenario, beside the Scene."""

    st_time: Any
    """EW and IMPACT events in the order the reference's heap pops them: time, ..."""
    st_kind: Any
    st_key: Any
    """... their heap key: kind << SHIFT | the sequence number the reference gives them
    (scheduled first, threat by threat) ..."""
    st_a: Any
    st_b: Any
    st_threat: Any
    """... and their threat."""
    stride: int
    """Sequence numbers per threat among the initial events: TRACK ``i * stride``, its EW
    entries ``+ 1 + k``, its IMPACT ``+ stride - 1``."""
    wk_time: Any
    """Gate openings of every engagement window, by time (ties by window): the time, ..."""
    wk_window: Any
    """... the window ..."""
    wk_threat: Any
    """... and its threat (laid out in this order, so the stream is read straight through)."""
    unit_off: Any
    """Start of each fire unit's share of the open-window list."""
    heap_size: int
    """Most events pending in the heap at once: salvos in flight, reloads, decisions."""
    shot_size: int
    """Most salvos in flight at once."""


class State(NamedTuple):
    """One replication's state: arrays only, so handlers change it in place."""

    count: Any
    """Counters: N_HEAP, SEQUENCE, LAST_TICK, N_FREE, N_ABLE."""
    alive: Any
    inflight: Any
    engaged: Any
    engaged_by: Any
    track_plan: Any
    """When each threat's TRACK is due (``inf``: never), from its detection."""
    discerned: Any
    """When each threat is told apart as a decoy (``inf``: never); no fire after."""
    ready: Any
    reserve: Any
    busy: Any
    able: Any
    """The fire units that can fire now (a free channel and a round ready), in
    ``able[:count[N_ABLE]]``, in no particular order; ``able_at[u]`` is a unit's place
    there, or -1."""
    able_at: Any
    ulist: Any
    n_open: Any
    opened: Any
    parked: Any
    """Windows taken off their unit's list while their threat has all the salvos in flight it
    may have; they go back when one resolves."""
    s_thr: Any
    s_unit: Any
    s_rounds: Any
    s_ord: Any
    s_free: Any
    ht: Any
    hk: Any
    ha: Any
    hb: Any
    op_score: Any
    op_meet: Any
    op_thr: Any
    op_unit: Any
    op_win: Any
    op_rounds: Any
    order: Any
    free: Any
    spare: Any
    used: Any
    fwork: Any
    """Workspaces of the choice kernels."""
    iwork: Any
    track_time: Any
    """The TRACK stream of the replication: times, threats, and their order by time."""
    track_who: Any
    by_time: Any
    sort_work: Any
    look: Any
    """The LOOK slot: ``look[0]``, when a track a unit lacked at a decision reaches it."""
    ok_from: Any
    """With a network, per engagement window: its unit lacks the threat's track until
    ``ok_from`` and has it until ``ok_until`` (:func:`~iadsim.engine.network.picture_span`,
    kept while the clock is before ``ok_until``; ``-inf``: not asked yet)."""
    ok_until: Any


class Row(NamedTuple):
    """One replication's row of the Outcomes arrays."""

    fate: Any
    time: Any
    cause: Any
    hit: Any
    shots: Any
    engagements: Any
    asset_destroyed: Any


# --- the event heap: parallel arrays ordered by (time, kind << SHIFT | sequence)
@kernel(inline=True)
def before(t1: float, k1: int, t2: float, k2: int) -> bool:
    return t1 < t2 or (t1 == t2 and k1 < k2)


@kernel(inline=True)
def push(st: Any, t: float, kind: int, a: int, b: int) -> None:
    """Schedule an event: sift up by moving parents into the hole."""
    ht, hk, ha, hb = st.ht, st.hk, st.ha, st.hb
    k = (kind << SHIFT) | st.count[SEQUENCE]
    st.count[SEQUENCE] += 1
    i = st.count[N_HEAP]
    st.count[N_HEAP] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        if before(t, k, ht[parent], hk[parent]):
            ht[i] = ht[parent]
            hk[i] = hk[parent]
            ha[i] = ha[parent]
            hb[i] = hb[parent]
            i = parent
        else:
            break
    ht[i] = t
    hk[i] = k
    ha[i] = a
    hb[i] = b


@kernel(inline=True)
def pop(st: Any) -> None:
    """Remove the top of the heap: the last entry sifts down from the root."""
    ht, hk, ha, hb = st.ht, st.hk, st.ha, st.hb
    n = st.count[N_HEAP] - 1
    st.count[N_HEAP] = n
    t, k, a, b = ht[n], hk[n], ha[n], hb[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and before(ht[child + 1], hk[child + 1], ht[child], hk[child]):
            child += 1
        if before(ht[child], hk[child], t, k):
            ht[i] = ht[child]
            hk[i] = hk[child]
            ha[i] = ha[child]
            hb[i] = hb[child]
            i = child
        else:
            break
    ht[i] = t
    hk[i] = k
    ha[i] = a
    hb[i] = b


@kernel(inline=True)
def decide_at(sc: Any, st: Any, tick: int) -> None:
    """Schedule a decision at grid tick ``tick`` unless one is already due at or after it."""
    if tick > st.count[LAST_TICK]:
        st.count[LAST_TICK] = tick
        push(st, tick * sc.decision_cycle, DECIDE, tick, 0)


@kernel(inline=True)
def end(row: Any, st: Any, threat: int, fate: int, t: float, cause: int) -> None:
    st.alive[threat] = False
    row.fate[threat] = fate
    row.time[threat] = t
    row.cause[threat] = cause


@kernel(inline=True)
def open_window(sc: Any, st: Any, sm: Any, e: int) -> None:
    """Put window ``e`` on its unit's list of open windows."""
    u = sc.eng_unit[e]
    st.ulist[sm.unit_off[u] + st.n_open[u]] = e
    st.n_open[u] += 1
    st.opened[e] = True


@kernel(inline=True)
def now_able(sc: Any, st: Any, u: int) -> None:
    """Put unit ``u`` in or out of the set of units that can fire, as it now stands."""
    can = st.ready[u] > 0 and st.busy[u] < sc.unit_channels[u]
    at = st.able_at[u]
    if can and at < 0:
        n = st.count[N_ABLE]
        st.able[n] = u
        st.able_at[u] = n
        st.count[N_ABLE] = n + 1
    elif not can and at >= 0:
        n = st.count[N_ABLE] - 1
        last = st.able[n]
        st.able[at] = last
        st.able_at[last] = at
        st.able_at[u] = -1
        st.count[N_ABLE] = n


# --- the handlers, one per event kind, as in the reference
@kernel(inline=True)
def on_reload(sc: Any, st: Any, t: float, unit: int) -> None:
    refill = min(sc.unit_rounds[unit], st.reserve[unit])
    st.ready[unit] += refill
    st.reserve[unit] -= refill
    now_able(sc, st, unit)
    decide_at(sc, st, grid_tick(t, sc.decision_cycle))


@kernel(inline=True)
def on_resolve(
    sc: Any, st: Any, sm: Any, row: Any, seed: Any, rep: int, t: float, shot: int
) -> None:
    threat, unit = st.s_thr[shot], st.s_unit[shot]
    rounds, ordinal = st.s_rounds[shot], st.s_ord[shot]
    st.s_free[st.count[N_FREE]] = shot
    st.count[N_FREE] += 1
    st.inflight[threat] -= 1
    st.busy[unit] -= 1
    now_able(sc, st, unit)
    if st.alive[threat] and salvo_kills(sc, seed, rep, threat, unit, ordinal, rounds):
        end(row, st, threat, DESTROYED, t, unit)
    if st.alive[threat] and st.inflight[threat] < sc.max_inflight:
        # its parked windows are candidates again
        for e in range(sc.eng_offset[threat], sc.eng_offset[threat + 1]):
            if st.parked[e]:
                st.parked[e] = False
                open_window(sc, st, sm, e)
    decide_at(sc, st, grid_tick(t, sc.decision_cycle))


@kernel(inline=True)
def on_ew(
    sc: Any, st: Any, row: Any, seed: Any, rep: int, t: float, window: int, threat: int
) -> None:
    if st.alive[threat] and ew_defeats(sc, seed, rep, threat, window):
        end(row, st, threat, LOST_TO_EW, t, sc.ew_unit[window])


@kernel(inline=True)
def on_impact(
    sc: Any, st: Any, pic: Any, row: Any, seed: Any, rep: int, t: float, threat: int
) -> None:
    if not st.alive[threat]:
        return
    end(row, st, threat, LEAKED, t, -1)
    if damages(sc, seed, rep, threat):
        target = sc.threat_target[threat]
        row.hit[threat] = True
        if not row.asset_destroyed[target] and sc.asset_element[target] >= 0:
            pic.kill_elem[pic.cnt[N_KILLS]] = sc.asset_element[target]
            pic.kill_time[pic.cnt[N_KILLS]] = t
            pic.cnt[N_KILLS] += 1
            build_picture(sc, pic, seed, rep)
            for e in range(len(st.ok_until)):
                st.ok_until[e] = -math.inf  # the picture has changed
        row.asset_destroyed[target] = True


@kernel(inline=True)
def on_track(sc: Any, st: Any, sm: Any, pic: Any, t: float, threat: int) -> None:
    if not st.alive[threat]:
        return
    if sc.net_on:
        due = first_seen(sc, pic, threat) + sc.reaction_time
        if due > t:  # a sensor destroyed since: tracked later, or never
            st.track_plan[threat] = math.inf
            if due < sc.impact_time[threat]:
                st.track_plan[threat] = due
                push(st, due, TRACK, threat, 0)
            return
    # windows already open join their units' lists now; the reference pushes a WAKE for
    # each later one, which here comes from the sorted wake stream
    for e in range(sc.eng_offset[threat], sc.eng_offset[threat + 1]):
        if sc.eng_fire_start[e] <= t and t <= sc.eng_end[e] and not st.opened[e]:
            open_window(sc, st, sm, e)
    decide_at(sc, st, grid_tick(t, sc.decision_cycle))


@kernel(inline=True)
def on_wake(sc: Any, st: Any, sm: Any, t: float, threat: int, window: int) -> None:
    if not st.alive[threat]:
        return
    if not st.opened[window]:
        open_window(sc, st, sm, window)
    if st.able_at[sc.eng_unit[window]] >= 0:  # its unit can fire now
        decide_at(sc, st, grid_tick(t, sc.decision_cycle))


@kernel(inline=True)
def on_look(sc: Any, st: Any, t: float) -> None:
    st.look[0] = math.inf
    decide_at(sc, st, grid_tick(t, sc.decision_cycle))


@kernel(inline=True)
def on_decide(sc: Any, st: Any, sm: Any, pic: Any, row: Any, t: float, tick: int) -> None:
    n_opt = 0
    blocked = False
    look = math.inf
    ready = st.ready
    ulist, n_open, unit_off = st.ulist, st.n_open, sm.unit_off
    eng_threat, eng_end, eng_first = sc.eng_threat, sc.eng_end, sc.eng_first
    alive, inflight, engaged_by, parked = st.alive, st.inflight, st.engaged_by, st.parked
    discerned = st.discerned
    max_inflight, max_engagements = sc.max_inflight, sc.max_engagements
    for k in range(st.count[N_ABLE]):  # the units that can fire (any order: see above)
        u = st.able[k]
        first = unit_off[u]
        kept = first
        for p in range(first, first + n_open[u]):
            e = ulist[p]
            i = eng_threat[e]
            if (
                not alive[i]
                or t > eng_end[e]
                or engaged_by[eng_first[e]] >= max_engagements
                or t >= discerned[i]  # a decoy told apart
            ):
                continue  # never a candidate again: drop it
            if inflight[i] >= max_inflight:
                parked[e] = True  # back on the list when one of the threat's salvos resolves
                continue
            ulist[kept] = e
            kept += 1
            if len(sc.roe_start) > 0:
                free = held_until(sc, t, u, sc.threat_class[i])
                if free > t:  # the rules of engagement hold fire until then: kept
                    if free < look:
                        look = free
                    continue
            if sc.net_on:
                if t >= st.ok_until[e]:
                    st.ok_from[e], st.ok_until[e] = picture_span(sc, pic, i, u, t)
                has = st.ok_from[e]
                if has > t:  # the track has not reached the unit (yet): kept on the list
                    if has < look:
                        look = has
                    continue
            status, meet, rounds, _, score = evaluate(sc, t, i, e, ready[u])
            if status == BLOCKED:
                blocked = True
            elif status == OFFERED:
                st.op_score[n_opt] = score
                st.op_meet[n_opt] = meet
                st.op_thr[n_opt] = i
                st.op_unit[n_opt] = u
                st.op_win[n_opt] = e
                st.op_rounds[n_opt] = rounds
                st.order[n_opt] = n_opt
                n_opt += 1
        n_open[u] = kept - first
    if look < st.look[0]:
        st.look[0] = look
    if n_opt == 0:
        if blocked:
            decide_at(sc, st, tick + 1)
        return
    sort_options(st.order, n_opt, st.op_score, st.op_meet, st.op_thr, st.op_unit, st.op_win)
    for k in range(st.count[N_ABLE]):  # every option's unit is one of them
        u = st.able[k]
        st.free[u] = sc.unit_channels[u] - st.busy[u]
        st.spare[u] = st.ready[u]
    n_chosen = choose(
        sc.policy,
        st.order,
        n_opt,
        st.op_score,
        st.op_thr,
        st.op_unit,
        st.op_rounds,
        st.free,
        st.spare,
        st.used,
        sc.node_limit,
        st.fwork,
        st.iwork,
    )
    for k in range(n_chosen):
        o = st.order[k]
        fire(
            sc,
            st,
            row,
            t,
            st.op_thr[o],
            st.op_unit[o],
            st.op_win[o],
            st.op_rounds[o],
            st.op_meet[o],
        )
    if n_chosen > 0 or blocked:
        decide_at(sc, st, tick + 1)


@kernel(inline=True)
def fire(
    sc: Any, st: Any, row: Any, t: float, i: int, u: int, e: int, rounds: int, meet: float
) -> None:
    st.ready[u] -= rounds
    st.busy[u] += 1
    now_able(sc, st, u)
    row.shots[u] += rounds
    row.engagements[u] += 1
    st.inflight[i] += 1
    st.count[N_FREE] -= 1
    shot = st.s_free[st.count[N_FREE]]
    st.s_thr[shot] = i
    st.s_unit[shot] = u
    st.s_rounds[shot] = rounds
    st.s_ord[shot] = st.engaged[i]
    st.engaged[i] += 1
    st.engaged_by[sc.eng_first[e]] += 1
    push(st, meet, RESOLVE, shot, 0)
    if st.ready[u] == 0 and st.reserve[u] > 0:
        push(st, t + sc.unit_reload[u], RELOAD, u, 0)


# --- one replication
@kernel(allocates=True)
def new_state(sc: Any, sm: Any) -> State:
    """A replication's state, allocated once for every replication a thread runs."""
    n_threats = len(sc.impact_time)
    n_units = len(sc.unit_x)
    n_windows = max(len(sc.eng_unit), 1)
    shots = sm.shot_size
    return State(
        np.zeros(5, dtype=np.int64),
        np.ones(n_threats, dtype=np.bool_),
        np.zeros(n_threats, dtype=np.int64),
        np.zeros(n_threats, dtype=np.int64),
        np.zeros(n_windows, dtype=np.int64),
        np.full(n_threats, math.inf),
        np.full(n_threats, math.inf),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_windows, dtype=np.int64),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_windows, dtype=np.bool_),
        np.zeros(n_windows, dtype=np.bool_),
        np.zeros(shots, dtype=np.int64),
        np.zeros(shots, dtype=np.int64),
        np.zeros(shots, dtype=np.int64),
        np.zeros(shots, dtype=np.int64),
        np.zeros(shots, dtype=np.int64),
        np.zeros(sm.heap_size),
        np.zeros(sm.heap_size, dtype=np.int64),
        np.zeros(sm.heap_size, dtype=np.int64),
        np.zeros(sm.heap_size, dtype=np.int64),
        np.zeros(n_windows),
        np.zeros(n_windows),
        np.zeros(n_windows, dtype=np.int64),
        np.zeros(n_windows, dtype=np.int64),
        np.zeros(n_windows, dtype=np.int64),
        np.zeros(n_windows, dtype=np.int64),
        np.zeros(n_windows, dtype=np.int64),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_units, dtype=np.int64),
        np.zeros(n_threats, dtype=np.bool_),
        np.zeros(2 * n_windows + 2),
        np.zeros(3 * n_windows + 1, dtype=np.int64),
        np.zeros(n_threats),
        np.zeros(n_threats, dtype=np.int64),
        np.zeros(n_threats, dtype=np.int64),
        np.zeros(n_threats, dtype=np.int64),
        np.full(1, math.inf),
        np.zeros(n_windows),
        np.full(n_windows, -math.inf),
    )


@kernel(inline=True)
def reset(sc: Any, sm: Any, st: Any, ready0: Any, reserve0: Any) -> None:
    """Set ``st`` to the start of a replication, with magazines ``ready0`` and ``reserve0``."""
    st.count[N_HEAP] = 0
    st.count[SEQUENCE] = len(sc.impact_time) * sm.stride  # after every initial event's
    st.count[LAST_TICK] = -1
    st.count[N_FREE] = sm.shot_size
    st.count[N_ABLE] = 0
    st.look[0] = math.inf
    for k in range(sm.shot_size):
        st.s_free[k] = sm.shot_size - 1 - k
    for i in range(len(sc.impact_time)):
        st.alive[i] = True
        st.inflight[i] = 0
        st.engaged[i] = 0
    for e in range(len(st.opened)):
        st.ok_until[e] = -math.inf
        st.engaged_by[e] = 0
        st.opened[e] = False
        st.parked[e] = False
    for u in range(len(st.busy)):
        st.ready[u] = ready0[u]
        st.reserve[u] = reserve0[u]
        st.busy[u] = 0
        st.n_open[u] = 0
        st.able_at[u] = -1
        now_able(sc, st, u)


@kernel(signature="none(int64[::1], float64[::1], int64, int64[::1])")
def sort_by_time(order: Any, keys: Any, n: int, work: Any) -> None:
    """Order ``0 .. n - 1`` by ``keys``, ties by index: a stable bottom-up merge sort."""
    for k in range(n):
        order[k] = k
    width = 1
    flipped = False  # whether the sorted run is in ``work`` rather than ``order``
    while width < n:
        src, dst = (work, order) if flipped else (order, work)
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):
                if j >= hi or (i < mid and not keys[src[j]] < keys[src[i]]):
                    dst[k] = src[i]
                    i += 1
                else:
                    dst[k] = src[j]
                    j += 1
        flipped = not flipped
        width *= 2
    if flipped:
        for k in range(n):
            order[k] = work[k]


@kernel(inline=True)
def track_stream(sc: Any, st: Any, pic: Any, seed: Any, rep: int) -> int:
    """Detect every threat and sort the TRACK events by time; returns how many there are.

    Ties go by threat, as the reference's sequence numbers order them (a stable sort).
    """
    track_time, track_who = st.track_time, st.track_who
    n_track = 0
    for i in range(len(sc.impact_time)):
        seen = first_seen(sc, pic, i) if sc.net_on else detection_time(sc, seed, rep, i, False)
        st.discerned[i] = detection_time(sc, seed, rep, i, True) if sc.discern[i] else math.inf
        st.track_plan[i] = math.inf
        if seen + sc.reaction_time < sc.impact_time[i]:
            st.track_plan[i] = seen + sc.reaction_time
            track_time[n_track] = seen + sc.reaction_time
            track_who[n_track] = i
            n_track += 1
    sort_by_time(st.by_time, track_time, n_track, st.sort_work)
    return n_track


@kernel
def replication(
    sc: Any,
    sm: Any,
    st: Any,
    pic: Any,
    seed: Any,
    rep: int,
    row: Any,
    ready0: Any,
    reserve0: Any,
) -> None:
    """Run replication ``rep`` in state ``st``, writing its outcome into ``row``."""
    reset(sc, sm, st, ready0, reserve0)
    if sc.net_on:
        pic.cnt[N_KILLS] = 0
        build_picture(sc, pic, seed, rep)
    n_track = track_stream(sc, st, pic, seed, rep)
    track_time, track_who, by_time = st.track_time, st.track_who, st.by_time
    k_track = 0
    k_static = 0
    k_wake = 0
    n_static = len(sm.st_time)
    n_wake = len(sm.wk_time)
    alive, plan = st.alive, st.track_plan
    while True:
        # Stream events that would find their threat gone are passed over here rather
        # than handled: EW, IMPACT, TRACK and WAKE handlers do nothing for a dead threat,
        # and a gate opening needs its threat tracked before it (the reference schedules
        # it at TRACK only then; the threat is then alive, or dead by now).
        while k_static < n_static and not alive[sm.st_threat[k_static]]:
            k_static += 1
        while k_track < n_track and not alive[track_who[by_time[k_track]]]:
            k_track += 1
        while k_wake < n_wake and not (
            alive[sm.wk_threat[k_wake]] and plan[sm.wk_threat[k_wake]] < sm.wk_time[k_wake]
        ):
            k_wake += 1
        # the earliest of the four heads, by the reference's key
        src = -1
        t = math.inf
        key = 0
        if k_static < n_static:
            src, t, key = 0, sm.st_time[k_static], sm.st_key[k_static]
        if k_track < n_track:
            tt = track_time[by_time[k_track]]
            kt = (TRACK << SHIFT) | (track_who[by_time[k_track]] * sm.stride)
            if src < 0 or before(tt, kt, t, key):
                src, t, key = 1, tt, kt
        if st.count[N_HEAP] > 0 and (src < 0 or before(st.ht[0], st.hk[0], t, key)):
            src, t, key = 2, st.ht[0], st.hk[0]
        if st.look[0] < math.inf and (src < 0 or before(st.look[0], LOOK << SHIFT, t, key)):
            src, t, key = 3, st.look[0], LOOK << SHIFT
        if k_wake < n_wake and (src < 0 or before(sm.wk_time[k_wake], WAKE << SHIFT, t, key)):
            # Gate openings come first: handle them in a run, as long as each still comes
            # before the other heads. Those heads stay put meanwhile (a gate opening ends
            # no threat), except that of the heap, where a decision may be scheduled.
            # (Gate openings commute with one another: any order among them.)
            while k_wake < n_wake:
                w_threat = sm.wk_threat[k_wake]
                tw = sm.wk_time[k_wake]
                if not (alive[w_threat] and plan[w_threat] < tw):
                    k_wake += 1
                    continue
                if src >= 0 and src != 2 and not before(tw, WAKE << SHIFT, t, key):
                    break
                if st.count[N_HEAP] > 0 and not before(tw, WAKE << SHIFT, st.ht[0], st.hk[0]):
                    break
                k_wake += 1
                on_wake(sc, st, sm, tw, w_threat, sm.wk_window[k_wake - 1])
            continue
        if src < 0:
            break  # nothing left
        if src == 3:
            on_look(sc, st, t)
            continue
        if src == 0:
            kind, a, b = sm.st_kind[k_static], sm.st_a[k_static], sm.st_b[k_static]
            k_static += 1
        elif src == 1:
            kind, a, b = TRACK, track_who[by_time[k_track]], 0
            k_track += 1
        else:
            t, kind, a, b = st.ht[0], st.hk[0] >> SHIFT, st.ha[0], st.hb[0]
            pop(st)
        if kind == RELOAD:
            on_reload(sc, st, t, a)
        elif kind == RESOLVE:
            on_resolve(sc, st, sm, row, seed, rep, t, a)
        elif kind == EW:
            on_ew(sc, st, row, seed, rep, t, a, b)
        elif kind == IMPACT:
            on_impact(sc, st, pic, row, seed, rep, t, a)
        elif kind == TRACK:
            on_track(sc, st, sm, pic, t, a)
        else:
            on_decide(sc, st, sm, pic, row, t, a)


@kernel(allocates=True)
def run_rows(
    sc: Any,
    sm: Any,
    pic: Any,
    seed: Any,
    reps: Any,
    out: Any,
    ready0: Any,
    reserve0: Any,
    lo: int,
    hi: int,
) -> None:
    """Replications ``reps[lo:hi]``, each into its row of the Outcomes arrays ``out``."""
    st = new_state(sc, sm)
    for r in range(lo, hi):
        row = Row(
            out.fate[r],
            out.time[r],
            out.cause[r],
            out.hit[r],
            out.shots[r],
            out.engagements[r],
            out.asset_destroyed[r],
        )
        replication(sc, sm, st, pic, seed, reps[r], row, ready0[r], reserve0[r])


def _streams(sc: Scene, cs: CompiledScenario) -> Streams:
    """IMPACT and EW events in the order the reference's heap pops them, and the rest."""
    n = cs.n_threats
    ew_offset = np.asarray(sc.ew_offset)
    per_threat = np.diff(ew_offset)
    stride = int(per_threat.max(initial=0)) + 2
    owner = np.repeat(np.arange(n, dtype=np.int64), per_threat)
    ew_rows = np.arange(ew_offset[-1], dtype=np.int64)
    ew_vseq = owner * stride + 1 + (ew_rows - ew_offset[:-1][owner])
    times = np.concatenate([sc.ew_start, sc.impact_time]).astype(np.float64)
    kinds = np.concatenate([np.full(len(ew_rows), EW), np.full(n, IMPACT)]).astype(np.int64)
    vseq = np.concatenate([ew_vseq, np.arange(n, dtype=np.int64) * stride + stride - 1])
    a = np.concatenate([ew_rows, np.arange(n, dtype=np.int64)])
    b = np.concatenate([owner, np.zeros(n, dtype=np.int64)])
    order = np.lexsort((vseq, kinds, times))
    counts = np.bincount(sc.eng_unit, minlength=cs.n_units)
    unit_off = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    fire_start = np.asarray(sc.eng_fire_start)
    wake = np.lexsort((np.arange(len(fire_start)), fire_start)).astype(np.int64)
    channels = int(np.asarray(sc.unit_channels).sum())
    shots = min(channels, n * max(sc.max_inflight, 0)) + 1
    c = np.ascontiguousarray
    return Streams(
        st_time=c(times[order]),
        st_kind=c(kinds[order]),
        st_key=c((kinds[order] << SHIFT) | vseq[order]),
        st_a=c(a[order]),
        st_b=c(b[order]),
        st_threat=c(np.concatenate([owner, np.arange(n, dtype=np.int64)])[order]),
        stride=stride,
        wk_time=c(fire_start[wake]),
        wk_window=c(wake),
        wk_threat=c(np.asarray(sc.eng_threat)[wake]),
        unit_off=c(unit_off),
        # with a network, a threat whose sensor is destroyed may be tracked later: its
        # TRACK then goes through the heap (once per threat at a time)
        heap_size=shots + cs.n_units + 8 + (n if cs.net_on else 0),
        shot_size=shots,
    )


class Prepared(NamedTuple):
    """What the fast engine builds once from a compiled scenario, for any number of batches."""

    scene: Scene
    streams: Streams


def prepare(cs: CompiledScenario, policy: str | None = None) -> Prepared:
    """The Scene and Streams of ``cs`` under ``policy`` (default: the doctrine's)."""
    scene = build_scene(cs, policy)
    return Prepared(scene, _streams(scene, cs))


THREADS = max(1, int(os.environ.get("NUMBA_NUM_THREADS") or os.cpu_count() or 1))
"""Threads the fast engine runs replications on (``NUMBA_NUM_THREADS``, default: the cores)."""

_run_rows: Any = compiled(run_rows)


def _rows(args: tuple[Any, ...], lo: int, hi: int) -> None:
    # each call its own picture: the network's workspaces (tiny without a network)
    scene, streams, *rest = args
    _run_rows(scene, streams, new_picture(scene), *rest, lo, hi)


def run_batch(
    cs: CompiledScenario,
    seed: int,
    reps: np.ndarray,
    out: Any,
    prepared: Prepared | None = None,
    *,
    policy: str | None = None,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Run replications ``reps``, writing row ``k`` of ``out`` for ``reps[k]``.

    ``prepared`` (from :func:`prepare`, which fixes the policy) may be shared by
    batches; without it, ``policy`` (default: the doctrine's) is used. ``start``
    gives each row's ready rounds and reserve at the start, ``[rows, units]``
    each (default: the scenario's).
    """
    if prepared is None:
        prepared = prepare(cs, policy)
    # fresh writable int64 copies: one array type whatever the caller passed
    ready0, reserve0 = (
        np.array(m, dtype=np.int64, order="C") for m in start_magazines(cs, len(reps), start)
    )
    arrays = Row(*(getattr(out, name) for name in ARRAYS))
    reps = np.ascontiguousarray(reps, dtype=np.int64)
    seed64 = np.uint64(seed)
    rows = len(reps)
    threads = min(THREADS, rows)
    args: tuple[Any, ...] = (
        prepared.scene,
        prepared.streams,
        seed64,
        reps,
        arrays,
        ready0,
        reserve0,
    )
    if threads <= 1:
        _rows(args, 0, rows)
        return
    # small interleaved chunks: every thread gets a share of slow and fast replications
    chunk = max(1, min(64, rows // (threads * 8)))
    bounds = [(lo, min(lo + chunk, rows)) for lo in range(0, rows, chunk)]
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(_rows, args, lo, hi) for lo, hi in bounds]
        for future in futures:
            future.result()
