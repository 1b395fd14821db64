"""The fast engine: the reference engine compiled with Numba, parallel over replications.

It is a line-for-line twin of :mod:`iadsim.engine.reference` working on the
CompiledScenario arrays: the same events, scheduled in the same order (so the
same ``(time, priority, sequence)`` keys), the same counter-based draws and the
same floating-point operations (no fastmath), so every replication's Outcomes
are identical to the reference's, bit for bit. A test holds the two together.

The geometry kernel (:func:`iadsim.geometry.intercept_time`) is not rewritten:
its very bytecode is compiled here. Numba is imported only when this module is.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
from numba import njit, prange

from iadsim.c2 import POLICY_CODES
from iadsim.compile import CompiledScenario
from iadsim.draws import GOLDEN, Purpose
from iadsim.engine.outcomes import ARRAYS, Fate
from iadsim.engine.reference import MAX_SALVO, EventKind
from iadsim.engine.simulate import start_magazines
from iadsim.geometry import windows as _windows

__all__ = ["run_batch"]

_U = np.uint64
_GOLDEN = _U(GOLDEN)
_M1 = _U(0xBF58476D1CE4E5B9)
_M2 = _U(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = _U(11), _U(27), _U(30), _U(31)
_TO_UNIT = 2.0**-53

RELOAD, RESOLVE, EW, IMPACT = EventKind.RELOAD, EventKind.RESOLVE, EventKind.EW, EventKind.IMPACT
TRACK, WAKE, DECIDE = EventKind.TRACK, EventKind.WAKE, EventKind.DECIDE
P_PHASE, P_DETECT, P_KILL = int(Purpose.DETECT_PHASE), int(Purpose.DETECT), int(Purpose.KILL)
P_SUSCEPT, P_EW, P_DAMAGE = int(Purpose.EW_SUSCEPTIBLE), int(Purpose.EW_EFFECT), int(Purpose.DAMAGE)
GREEDY, COST_AWARE, EXACT = (
    POLICY_CODES["greedy"],
    POLICY_CODES["cost_aware"],
    POLICY_CODES["exact"],
)
DESTROYED, LOST_TO_EW, LEAKED = int(Fate.DESTROYED), int(Fate.LOST_TO_EW), int(Fate.LEAKED)


def _jit_kernel(fn: Any, **helpers: Any) -> Any:
    """Compile a geometry kernel's own bytecode, with its helpers replaced by compiled ones."""
    namespace = dict(fn.__globals__)
    namespace.update(helpers)
    clone = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__)
    return njit(cache=True)(clone)


_leg = njit(cache=True)(_windows._leg)
_intercept_time = _jit_kernel(_windows.intercept_time, _leg=_leg)


# --- counter-based draws: the same SplitMix64 as iadsim.draws, in uint64 arithmetic
@njit(cache=True, inline="always")
def _mix(z: Any) -> Any:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def _uniform(seed: Any, rep: int, purpose: int, entity: int, index: int) -> float:
    h = _mix(seed + _GOLDEN)
    h = _mix((h ^ _U(rep)) + _GOLDEN)
    h = _mix((h ^ _U(purpose)) + _GOLDEN)
    h = _mix((h ^ _U(entity)) + _GOLDEN)
    h = _mix((h ^ _U(index)) + _GOLDEN)
    return float(h >> _S11) * _TO_UNIT


# --- the event heap: parallel arrays ordered by (time, kind << 40 | sequence)
_SHIFT = 40  # kinds above the sequence numbers in one int64: orders as (kind, sequence)


@njit(cache=True, inline="always")
def _before(t1: float, k1: int, t2: float, k2: int) -> bool:
    return t1 < t2 or (t1 == t2 and k1 < k2)


@njit(cache=True, inline="always")
def _push(ht: Any, hk: Any, ha: Any, hb: Any, n: int, t: float, k: int, a: int, b: int) -> None:
    """Insert into the heap of size ``n`` (sift up by moving parents into the hole)."""
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        if _before(t, k, ht[parent], hk[parent]):
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


@njit(cache=True, inline="always")
def _pop(ht: Any, hk: Any, ha: Any, hb: Any, n: int) -> None:
    """Remove the top of the heap of size ``n`` (the last entry sifts down from the root)."""
    n -= 1
    t, k, a, b = ht[n], hk[n], ha[n], hb[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and _before(ht[child + 1], hk[child + 1], ht[child], hk[child]):
            child += 1
        if _before(ht[child], hk[child], t, k):
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


@njit(cache=True)
def _detection_time(
    seed: Any,
    rep: int,
    i: int,
    det_offset: Any,
    det_start: Any,
    det_end: Any,
    det_sensor: Any,
    sensor_scan: Any,
    sensor_pd: Any,
) -> float:
    best = math.inf
    for w in range(det_offset[i], det_offset[i + 1]):
        start = det_start[w]
        if start >= best:
            break
        end = det_end[w]
        s = det_sensor[w]
        period = sensor_scan[s]
        pd = sensor_pd[s]
        phase = _uniform(seed, rep, P_PHASE, w, 0)
        look = 0
        t = start + phase * period
        while t <= end and t < best:
            if _uniform(seed, rep, P_DETECT, w, look) < pd:
                best = t
                break
            look += 1
            t = start + (phase + look) * period
    return best


@njit(cache=True)
def _option_before(score: Any, meet: Any, thr: Any, unit: Any, win: Any, a: int, b: int) -> bool:
    """The greedy order: higher score, then earlier intercept, lower threat, unit, window."""
    if score[a] != score[b]:
        return score[a] > score[b]
    if meet[a] != meet[b]:
        return meet[a] < meet[b]
    if thr[a] != thr[b]:
        return thr[a] < thr[b]
    if unit[a] != unit[b]:
        return unit[a] < unit[b]
    return win[a] < win[b]


@njit(cache=True)
def _sort_options(order: Any, n: int, score: Any, meet: Any, thr: Any, unit: Any, win: Any) -> None:
    """Sort option indices ``order[:n]`` by the greedy order (binary insertion sort)."""
    for k in range(1, n):
        item = order[k]
        lo, hi = 0, k
        while lo < hi:
            mid = (lo + hi) >> 1
            if _option_before(score, meet, thr, unit, win, item, order[mid]):
                hi = mid
            else:
                lo = mid + 1
        for m in range(k, lo, -1):
            order[m] = order[m - 1]
        order[lo] = item


@njit(cache=True)
def _replication(
    seed: Any,
    rep: int,
    row: int,
    # scenario
    cycle: float,
    reaction: float,
    max_inflight: int,
    max_engagements: int,
    threat_class: Any,
    threat_target: Any,
    impact_time: Any,
    altitude: Any,
    damage_prob: Any,
    value: Any,
    salvo: Any,
    route_offset: Any,
    route_x: Any,
    route_y: Any,
    route_t: Any,
    det_offset: Any,
    det_start: Any,
    det_end: Any,
    det_sensor: Any,
    sensor_scan: Any,
    sensor_pd: Any,
    unit_x: Any,
    unit_y: Any,
    unit_channels: Any,
    unit_rounds: Any,
    unit_reserve: Any,
    unit_reload: Any,
    unit_speed: Any,
    pk: Any,
    pk_perceived: Any,
    eng_offset: Any,
    eng_unit: Any,
    eng_start: Any,
    eng_end: Any,
    eng_fire_start: Any,
    eng_first: Any,
    eng_threat: Any,
    unit_off: Any,
    ew_offset: Any,
    ew_unit: Any,
    ew_start: Any,
    susceptibility: Any,
    st_time: Any,
    st_kind: Any,
    st_vseq: Any,
    st_a: Any,
    st_b: Any,
    stride: int,
    wk_win: Any,
    policy: int,
    worth: Any,
    unit_cost: Any,
    node_limit: int,
    # outcomes
    o_fate: Any,
    o_time: Any,
    o_cause: Any,
    o_hit: Any,
    o_shots: Any,
    o_eng: Any,
    o_asset: Any,
    ready0: Any,
    reserve0: Any,
) -> None:
    n_threats = threat_class.shape[0]
    n_units = unit_x.shape[0]
    n_windows = eng_unit.shape[0]
    # most events one handler can schedule: a DECIDE's salvos and reloads, and a decision
    # (WAKEs come from their own stream, not the heap)
    most_pushes = 2 * np.sum(unit_channels) + 2

    alive = np.ones(n_threats, dtype=np.bool_)
    # Open windows by fire unit: unit u's windows whose firing gate has opened for a tracked
    # threat are ulist[unit_off[u] : unit_off[u] + n_open[u]]. A decision visits only the
    # windows of units that can fire: the same candidates as the reference's scan over
    # tracked threats, which skips every other window one by one.
    ulist = np.empty(max(n_windows, 1), dtype=np.int64)
    n_open = np.zeros(n_units, dtype=np.int64)
    opened = np.zeros(max(n_windows, 1), dtype=np.bool_)
    inflight = np.zeros(n_threats, dtype=np.int64)
    engaged = np.zeros(n_threats, dtype=np.int64)
    engaged_by = np.zeros(max(n_windows, 1), dtype=np.int64)
    ready = ready0.copy()  # magazines at the start: the scenario's, or a campaign's
    reserve = reserve0.copy()
    busy = np.zeros(n_units, dtype=np.int64)
    # engagements in flight, in slots: threat, unit, rounds, ordinal
    cap_shots = 16
    s_thr = np.empty(cap_shots, dtype=np.int64)
    s_unit = np.empty(cap_shots, dtype=np.int64)
    s_rounds = np.empty(cap_shots, dtype=np.int64)
    s_ord = np.empty(cap_shots, dtype=np.int64)
    s_free = np.empty(cap_shots, dtype=np.int64)
    n_free = cap_shots
    for k in range(cap_shots):
        s_free[k] = cap_shots - 1 - k
    # decision options
    cap_opt = 64
    op_score = np.empty(cap_opt)
    op_meet = np.empty(cap_opt)
    op_thr = np.empty(cap_opt, dtype=np.int64)
    op_unit = np.empty(cap_opt, dtype=np.int64)
    op_win = np.empty(cap_opt, dtype=np.int64)
    op_rounds = np.empty(cap_opt, dtype=np.int64)
    order = np.empty(cap_opt, dtype=np.int64)
    free = np.empty(n_units, dtype=np.int64)
    spare = np.empty(n_units, dtype=np.int64)
    taken = np.zeros(n_threats, dtype=np.bool_)

    # Events come from three streams merged by the reference's (time, kind, sequence) key:
    # IMPACT and EW events (sorted once per scenario), TRACK events (sorted here) and a small
    # heap of the events scheduled while running. The reference pushes the first two kinds
    # first, threat by threat, so their sequence numbers follow `vseq`; later events' follow.
    cap = most_pushes + 64
    ht = np.empty(cap)
    hk = np.empty(cap, dtype=np.int64)
    ha = np.empty(cap, dtype=np.int64)
    hb = np.empty(cap, dtype=np.int64)
    n_heap = 0
    sequence = n_threats * stride  # after every initial event's vseq
    last_tick = -1
    track_time = np.empty(n_threats)
    n_track = 0
    track_who = np.empty(n_threats, dtype=np.int64)
    for i in range(n_threats):
        seen = _detection_time(
            seed, rep, i, det_offset, det_start, det_end, det_sensor, sensor_scan, sensor_pd
        )
        if seen + reaction < impact_time[i]:
            track_time[n_track] = seen + reaction
            track_who[n_track] = i
            n_track += 1
    by_time = np.argsort(track_time[:n_track], kind="mergesort")  # stable: ties by threat
    k_track = 0
    k_static = 0
    k_wake = 0
    n_wake = wk_win.shape[0]
    tracked_at = np.full(n_threats, math.inf)
    n_static = st_time.shape[0]

    while True:
        # the earliest of the three stream heads
        src = -1
        t = math.inf
        key = 0
        if k_static < n_static:
            src, t, key = 0, st_time[k_static], (st_kind[k_static] << _SHIFT) | st_vseq[k_static]
        if k_track < n_track:
            tt = track_time[by_time[k_track]]
            kt = (TRACK << _SHIFT) | (track_who[by_time[k_track]] * stride)
            if src < 0 or _before(tt, kt, t, key):
                src, t, key = 1, tt, kt
        if k_wake < n_wake:
            tw = eng_fire_start[wk_win[k_wake]]
            kw = WAKE << _SHIFT  # WAKEs commute with one another: any order among them
            if src < 0 or _before(tw, kw, t, key):
                src, t, key = 3, tw, kw
        if n_heap > 0 and (src < 0 or _before(ht[0], hk[0], t, key)):
            src = 2
        if src < 0:
            break
        if src == 0:
            kind, a, b = st_kind[k_static], st_a[k_static], st_b[k_static]
            k_static += 1
        elif src == 1:
            kind, a, b = TRACK, track_who[by_time[k_track]], 0
            k_track += 1
        elif src == 3:
            b = wk_win[k_wake]
            kind, a = WAKE, eng_threat[b]
            k_wake += 1
            # Every TRACK before this moment has been handled: the reference scheduled this
            # WAKE only if its threat was tracked (alive) before the window's gate opened.
            if not tracked_at[a] < t:
                continue
        else:
            t, kind, a, b = ht[0], hk[0] >> _SHIFT, ha[0], hb[0]
            _pop(ht, hk, ha, hb, n_heap)
            n_heap -= 1
        # grow the heap if the next handler could overflow it
        need = n_heap + most_pushes
        if need > cap:
            while cap < need:
                cap *= 2
            ht2 = np.empty(cap)
            hk2 = np.empty(cap, dtype=np.int64)
            ha2 = np.empty(cap, dtype=np.int64)
            hb2 = np.empty(cap, dtype=np.int64)
            ht2[:n_heap] = ht[:n_heap]
            hk2[:n_heap] = hk[:n_heap]
            ha2[:n_heap] = ha[:n_heap]
            hb2[:n_heap] = hb[:n_heap]
            ht, hk, ha, hb = ht2, hk2, ha2, hb2

        decide_tick = -1  # a tick to schedule a decision at, after the handler
        if kind == RELOAD:
            refill = min(unit_rounds[a], reserve[a])
            ready[a] += refill
            reserve[a] -= refill
            decide_tick = _grid_tick(t, cycle)
        elif kind == RESOLVE:
            i, u, rounds, ordinal = s_thr[a], s_unit[a], s_rounds[a], s_ord[a]
            s_free[n_free] = a
            n_free += 1
            inflight[i] -= 1
            busy[u] -= 1
            if alive[i]:
                p = pk[u, threat_class[i]]
                killed = False
                for r in range(rounds):
                    if _uniform(seed, rep, P_KILL, i, ordinal * MAX_SALVO + r) < p:
                        killed = True
                if killed:
                    alive[i] = False
                    o_fate[row, i] = DESTROYED
                    o_time[row, i] = t
                    o_cause[row, i] = u
            decide_tick = _grid_tick(t, cycle)
        elif kind == EW:
            i = b
            if alive[i]:
                c = threat_class[i]
                if _uniform(seed, rep, P_SUSCEPT, i, 0) < susceptibility[c]:
                    u = ew_unit[a]
                    if _uniform(seed, rep, P_EW, i, a) < pk[u, c]:
                        alive[i] = False
                        o_fate[row, i] = LOST_TO_EW
                        o_time[row, i] = t
                        o_cause[row, i] = u
        elif kind == IMPACT:
            i = a
            if alive[i]:
                alive[i] = False
                o_fate[row, i] = LEAKED
                o_time[row, i] = t
                o_cause[row, i] = -1
                if _uniform(seed, rep, P_DAMAGE, i, 0) < damage_prob[i]:
                    o_hit[row, i] = True
                    o_asset[row, threat_target[i]] = True
        elif kind == TRACK:
            i = a
            if alive[i]:
                tracked_at[i] = t
                # windows already open join their units' lists now; the reference pushes a
                # WAKE for each later one, which here comes from the sorted `wake` stream
                for e in range(eng_offset[i], eng_offset[i + 1]):
                    if eng_fire_start[e] <= t and t <= eng_end[e] and not opened[e]:
                        u = eng_unit[e]
                        ulist[unit_off[u] + n_open[u]] = e
                        n_open[u] += 1
                        opened[e] = True
                decide_tick = _grid_tick(t, cycle)
        elif kind == WAKE:
            if alive[a]:
                if not opened[b]:
                    u = eng_unit[b]
                    ulist[unit_off[u] + n_open[u]] = b
                    n_open[u] += 1
                    opened[b] = True
                decide_tick = _grid_tick(t, cycle)
        else:  # DECIDE
            tick = a
            n_opt = 0
            blocked = False
            for u in range(n_units):
                if ready[u] <= 0 or busy[u] >= unit_channels[u]:
                    continue
                first = unit_off[u]
                kept = first
                for p in range(first, first + n_open[u]):
                    e = ulist[p]
                    i = eng_threat[e]
                    if not alive[i] or t > eng_end[e]:
                        continue  # never a candidate again: drop it
                    ulist[kept] = e
                    kept += 1
                    if inflight[i] >= max_inflight:
                        continue
                    if engaged_by[eng_first[e]] >= max_engagements:
                        continue
                    lo, hi = route_offset[i], route_offset[i + 1]
                    meet = _intercept_time(
                        route_x[lo:hi],
                        route_y[lo:hi],
                        route_t[lo:hi],
                        altitude[i],
                        unit_x[u],
                        unit_y[u],
                        unit_speed[u],
                        t,
                    )
                    impact = impact_time[i]
                    if not (eng_start[e] <= meet <= eng_end[e]) or meet >= impact:
                        blocked = True
                        continue
                    rounds = min(salvo[i], ready[u])
                    miss = 1.0
                    pk_seen = pk_perceived[u, threat_class[i]]
                    for _ in range(rounds):
                        miss *= 1.0 - pk_seen
                    kill = 1.0 - miss
                    if policy == COST_AWARE:
                        net = kill * worth[i] - rounds * unit_cost[u]
                        if net <= 0.0:
                            continue  # not worth its rounds
                        score = net / max(impact - t, cycle)
                    else:
                        score = value[i] / max(impact - t, cycle) * kill
                    if n_opt == cap_opt:
                        cap_opt *= 2
                        op_score = _grown_f(op_score, cap_opt)
                        op_meet = _grown_f(op_meet, cap_opt)
                        op_thr = _grown_i(op_thr, cap_opt)
                        op_unit = _grown_i(op_unit, cap_opt)
                        op_win = _grown_i(op_win, cap_opt)
                        op_rounds = _grown_i(op_rounds, cap_opt)
                        order = _grown_i(order, cap_opt)
                    op_score[n_opt] = score
                    op_meet[n_opt] = meet
                    op_thr[n_opt] = i
                    op_unit[n_opt] = u
                    op_win[n_opt] = e
                    op_rounds[n_opt] = rounds
                    order[n_opt] = n_opt
                    n_opt += 1
                n_open[u] = kept - first
            if n_opt == 0:
                if blocked:
                    decide_tick = tick + 1
            else:
                _sort_options(order, n_opt, op_score, op_meet, op_thr, op_unit, op_win)
                for u in range(n_units):
                    free[u] = unit_channels[u] - busy[u]
                    spare[u] = ready[u]
                if policy == EXACT:
                    n_chosen = _exact_choose(
                        order,
                        n_opt,
                        op_score,
                        op_thr,
                        op_unit,
                        op_rounds,
                        free,
                        spare,
                        taken,
                        node_limit,
                    )
                    for k in range(n_chosen):
                        taken[op_thr[order[k]]] = True  # cleared below as they fire
                else:
                    n_chosen = 0
                    for k in range(n_opt):
                        o = order[k]
                        i, u, rounds = op_thr[o], op_unit[o], op_rounds[o]
                        if taken[i]:
                            continue
                        if free[u] <= 0 or spare[u] < rounds:
                            continue
                        free[u] -= 1
                        spare[u] -= rounds
                        taken[i] = True
                        order[n_chosen] = o  # chosen options, in order, at the front
                        n_chosen += 1
                for k in range(n_chosen):
                    o = order[k]
                    i, u, rounds = op_thr[o], op_unit[o], op_rounds[o]
                    taken[i] = False
                    # fire
                    ready[u] -= rounds
                    busy[u] += 1
                    o_shots[row, u] += rounds
                    o_eng[row, u] += 1
                    inflight[i] += 1
                    if n_free == 0:
                        old = cap_shots
                        cap_shots *= 2
                        s_thr = _grown_i(s_thr, cap_shots)
                        s_unit = _grown_i(s_unit, cap_shots)
                        s_rounds = _grown_i(s_rounds, cap_shots)
                        s_ord = _grown_i(s_ord, cap_shots)
                        s_free = _grown_i(s_free, cap_shots)
                        for m in range(cap_shots - old):
                            s_free[m] = cap_shots - 1 - m
                        n_free = cap_shots - old
                    n_free -= 1
                    slot = s_free[n_free]
                    s_thr[slot], s_unit[slot], s_rounds[slot], s_ord[slot] = (
                        i,
                        u,
                        rounds,
                        engaged[i],
                    )
                    engaged[i] += 1
                    engaged_by[eng_first[op_win[o]]] += 1
                    _push(
                        ht, hk, ha, hb, n_heap, op_meet[o], (RESOLVE << _SHIFT) | sequence, slot, 0
                    )
                    n_heap += 1
                    sequence += 1
                    if ready[u] == 0 and reserve[u] > 0:
                        _push(
                            ht,
                            hk,
                            ha,
                            hb,
                            n_heap,
                            t + unit_reload[u],
                            (RELOAD << _SHIFT) | sequence,
                            u,
                            0,
                        )
                        n_heap += 1
                        sequence += 1
                if n_chosen > 0 or blocked:
                    decide_tick = tick + 1
        if decide_tick > last_tick:
            last_tick = decide_tick
            _push(
                ht,
                hk,
                ha,
                hb,
                n_heap,
                decide_tick * cycle,
                (DECIDE << _SHIFT) | sequence,
                decide_tick,
                0,
            )
            n_heap += 1
            sequence += 1


@njit(cache=True)
def _exact_choose(
    order: Any,
    n: int,
    score: Any,
    thr: Any,
    unit: Any,
    rounds: Any,
    free: Any,
    spare: Any,
    used: Any,
    node_limit: int,
) -> int:
    """:func:`iadsim.c2.exact_assign`, step for step.

    The chosen options go to the front of ``order`` (in greedy order) and their
    number is returned; ``used`` is left clear.
    """
    suffix = np.zeros(n + 1)
    for j in range(n - 1, -1, -1):
        suffix[j] = suffix[j + 1] + max(score[order[j]], 0.0)
    taken = np.zeros(n, dtype=np.bool_)
    best_set = np.zeros(n, dtype=np.bool_)
    state = np.zeros(n + 1, dtype=np.int64)
    saved = np.zeros(n + 1)
    best = 0.0
    total = 0.0
    j = 0
    nodes = 0
    while j >= 0:
        if j == n:
            if total > best:
                best = total
                best_set[:] = taken
            j -= 1
            continue
        if state[j] == 0:
            state[j] = 1
            nodes += 1
            if nodes > node_limit or total + suffix[j] <= best:
                state[j] = 2
                continue
            o = order[j]
            if (
                score[o] > 0.0
                and not used[thr[o]]
                and free[unit[o]] > 0
                and spare[unit[o]] >= rounds[o]
            ):
                taken[j] = True
                used[thr[o]] = True
                free[unit[o]] -= 1
                spare[unit[o]] -= rounds[o]
                saved[j] = total
                total = total + score[o]
                state[j + 1] = 0
                j += 1
            continue
        if state[j] == 1:
            state[j] = 2
            if taken[j]:
                o = order[j]
                taken[j] = False
                used[thr[o]] = False
                free[unit[o]] += 1
                spare[unit[o]] += rounds[o]
                total = saved[j]
            state[j + 1] = 0
            j += 1
            continue
        j -= 1
    n_chosen = 0
    for j in range(n):
        if best_set[j]:
            order[n_chosen] = order[j]
            n_chosen += 1
    return n_chosen


@njit(cache=True)
def _grid_tick(t: float, cycle: float) -> int:
    k = math.ceil(t / cycle)
    if k * cycle < t:
        k += 1
    return k


@njit(cache=True)
def _grown_f(a: Any, n: int) -> Any:
    b = np.empty(n)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _grown_i(a: Any, n: int) -> Any:
    b = np.empty(n, dtype=np.int64)
    b[: a.shape[0]] = a
    return b


@njit(cache=True, parallel=True)
def _run_batch(seed: Any, reps: Any, args: Any, outs: Any, ready0: Any, reserve0: Any) -> None:
    for row in prange(reps.shape[0]):
        _replication(  # type: ignore[call-arg]  # a Numba dispatcher takes any arguments
            seed, reps[row], row, *args, *outs, ready0[row], reserve0[row]
        )


def _first_same_unit(cs: CompiledScenario) -> np.ndarray:
    """For each engagement window, the first window of the same threat and unit."""
    first = np.arange(cs.eng_unit.shape[0], dtype=np.int64)
    for i in range(cs.n_threats):
        seen: dict[int, int] = {}
        for e in range(int(cs.eng_offset[i]), int(cs.eng_offset[i + 1])):
            first[e] = seen.setdefault(int(cs.eng_unit[e]), e)
    return first


def _static_events(cs: CompiledScenario) -> tuple[Any, ...]:
    """IMPACT and EW events in the order the reference's heap pops them, and their ``vseq``.

    The reference schedules, threat by threat, its TRACK (``vseq = i * stride``), its EW
    entries (``+ 1 + k``) and its IMPACT (``+ stride - 1``) before anything else, so these
    numbers order initial events exactly as its sequence numbers do.
    """
    n = cs.n_threats
    per_threat = np.diff(cs.ew_offset)
    stride = int(per_threat.max(initial=0)) + 2
    owner = np.repeat(np.arange(n, dtype=np.int64), per_threat)
    ew_rows = np.arange(cs.ew_offset[-1], dtype=np.int64)
    ew_vseq = owner * stride + 1 + (ew_rows - cs.ew_offset[:-1][owner])
    times = np.concatenate([cs.ew_start, cs.impact_time])
    kinds = np.concatenate([np.full(len(ew_rows), EW), np.full(n, IMPACT)]).astype(np.int64)
    vseq = np.concatenate([ew_vseq, np.arange(n, dtype=np.int64) * stride + stride - 1])
    a = np.concatenate([ew_rows, np.arange(n, dtype=np.int64)])
    b = np.concatenate([owner, np.zeros(n, dtype=np.int64)])
    order = np.lexsort((vseq, kinds, times))
    return times[order], kinds[order], vseq[order], a[order], b[order], stride


def _unit_offsets(cs: CompiledScenario) -> np.ndarray:
    """Start of each fire unit's share of the open-window list (its window count, summed)."""
    counts = np.bincount(cs.eng_unit, minlength=cs.n_units)
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def scenario_args(cs: CompiledScenario, policy: str | None = None) -> tuple[Any, ...]:
    """The compiled arrays in the order the kernel takes them."""
    i64 = np.int64

    def ints(a: Any) -> Any:
        return np.ascontiguousarray(a, dtype=i64)

    return (
        float(cs.decision_cycle),
        float(cs.reaction_time),
        int(cs.max_inflight),
        int(cs.max_engagements),
        ints(cs.threat_class),
        ints(cs.threat_target),
        cs.impact_time,
        cs.altitude,
        cs.damage_prob,
        cs.value,
        ints(cs.salvo),
        ints(cs.route_offset),
        cs.route_x,
        cs.route_y,
        cs.route_t,
        ints(cs.det_offset),
        cs.det_start,
        cs.det_end,
        ints(cs.det_sensor),
        cs.sensor_scan,
        cs.sensor_pd,
        cs.unit_x,
        cs.unit_y,
        ints(cs.unit_channels),
        ints(cs.unit_rounds),
        ints(cs.unit_reserve),
        cs.unit_reload,
        cs.unit_speed,
        np.ascontiguousarray(cs.pk),
        np.ascontiguousarray(cs.pk_perceived),
        ints(cs.eng_offset),
        ints(cs.eng_unit),
        cs.eng_start,
        cs.eng_end,
        cs.eng_fire_start,
        _first_same_unit(cs),
        np.repeat(np.arange(cs.n_threats, dtype=i64), np.diff(cs.eng_offset)),
        _unit_offsets(cs),
        ints(cs.ew_offset),
        ints(cs.ew_unit),
        cs.ew_start,
        cs.class_ew_susceptibility,
        *_static_events(cs),
        np.lexsort((np.arange(len(cs.eng_fire_start)), cs.eng_fire_start)).astype(i64),
        POLICY_CODES[policy or cs.policy],
        cs.worth,
        cs.unit_cost,
        int(cs.exact_node_limit),
    )


def run_batch(
    cs: CompiledScenario,
    seed: int,
    reps: np.ndarray,
    out: Any,
    args: Any = None,
    *,
    policy: str | None = None,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Run replications ``reps`` in parallel, writing row ``k`` of ``out`` for ``reps[k]``.

    ``args`` (from :func:`scenario_args`, which fixes the policy) may be shared by
    batches; without it, ``policy`` (default: the doctrine's) is used. ``start`` gives
    each row's ready rounds and reserve at the start, ``[rows, units]`` each (default:
    the scenario's).
    """
    ready0, reserve0 = start_magazines(cs, len(reps), start)
    outs = tuple(getattr(out, name) for name in ARRAYS)  # the kernel's order
    _run_batch(
        np.uint64(seed),
        np.ascontiguousarray(reps, dtype=np.int64),
        args if args is not None else scenario_args(cs, policy),
        outs,
        ready0,
        reserve0,
    )
