"""The command-and-control network: which fire unit has which track, when.

With a ``network`` (or anything that can take a sensor, command post, link or
fire unit down) the engines no longer assume one instant, perfect air picture.
At the start of each replication, and again whenever a threat destroys an
element of the defence, :func:`build_picture` works out the night's picture;
the engines then ask :func:`picture_from` when a fire unit can engage a threat.
Both are kernels (:mod:`iadsim.kernel`), so the two engines share them.

The model, with ``S`` sensors (organic ones included), ``C`` command posts and
``U`` fire units as the nodes, and the links as edges:

1. **Down time.** Every element (link or node) is down during its scheduled
   outages, while a jammer covers a jammable link's end (compiled), during
   random failures (up for an exponential time of mean ``mtbf``, then down for
   one of mean ``mttr``; drawn with the counter-based draws, purpose
   ``NET_FAIL``, entity the element, at most :data:`MAX_FAILURES` per night), and
   from the time a threat destroys it. The night is cut into *pieces* at every
   time an element goes down or comes back: within a piece nothing changes.
2. **Detection.** Sensor ``s`` detects threat ``i`` at ``det[i, s]``: the first of
   its looks (the same draws as without a network) that succeeds while the
   sensor is up.
3. **Delivery.** A track travels from each sensor that detected it, earliest
   first (a label-setting search, which is exact because waiting never makes a
   track arrive earlier). A node that is down holds it until it is up; a link
   that is down holds it until it is up, then adds its latency; a command post
   passes it on at the next multiple of its decision cycle; a command post with
   a track capacity takes at most that many tracks at once, each held until its
   threat's planned impact (a track it cannot take waits for a slot, and is
   *dropped* if its threat arrives first). :func:`arrival` is when the track
   first reaches a node. While no post's capacity can bind (a quick binned
   count says so), each threat's search runs alone, over the posts only, with
   a queue of its own (none when no post-to-post links make a cycle); otherwise
   one search runs over all threats at once, in time order, first come first
   served. The two give the same arrivals whenever capacity does not bind. A
   fire unit passes nothing on, so its arrival is worked out when asked for,
   from its links' sources.
4. **The picture.** Fire unit ``u`` may engage threat ``i`` at time ``t`` when
   the track reached it at least the reaction time ago
   (``arrival(i, u) + reaction_time <= t``), the unit is up, and at ``t`` some sensor
   that has detected ``i`` still reaches ``u`` over elements that are all up
   (a link cut during an engagement takes the track away until it is back).
   A unit with links is *cut off* while no command post and no networked sensor
   reaches it; it then fights on its organic sensor's tracks (``autonomous``),
   holds fire (``hold``), or holds fire for its ``activation_delay`` first
   (``delayed``).

Without a network but with outages, failures or targets among the defence, the
sensors feed one implicit command post of no latency that feeds every fire
unit: the perfect picture, as without any of these, until something goes down.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from iadsim.draws import Purpose, key_prefix, uniform, uniform_after
from iadsim.kernel import kernel

__all__ = [
    "MAX_FAILURES",
    "METRICS",
    "Picture",
    "arrival",
    "build_picture",
    "first_seen",
    "network_metrics",
    "new_picture",
    "picture_from",
    "picture_metrics",
]

MAX_FAILURES = 16
"""Random failures of one element in one night at most (later ones are not drawn)."""

_NET_FAIL = int(Purpose.NET_FAIL)
_DETECT_PHASE = int(Purpose.DETECT_PHASE)
_DETECT = int(Purpose.DETECT)

# counters in Picture.cnt
N_PIECES, N_KILLS, N_QUEUE = 0, 1, 2


class Picture(NamedTuple):
    """One replication's network picture: workspaces sized once per scenario."""

    cnt: Any
    """N_PIECES, N_KILLS, N_QUEUE."""
    kill_elem: Any
    """Elements destroyed so far, and when (``cnt[N_KILLS]`` of them)."""
    kill_time: Any
    dn_n: Any
    """Down intervals of each element this night: ``dn_n[e]`` of them, sorted and merged,
    at ``dn_s[e * width:]`` and ``dn_e[e * width:]``."""
    dn_s: Any
    dn_e: Any
    tau: Any
    """Start of each piece (``cnt[N_PIECES]`` of them); the last ends at infinity."""
    reach: Any
    """[piece, sensor, unit]: 1 if the sensor reaches the unit over elements all up."""
    cut_since: Any
    """[piece, unit]: when the unit's present cut-off began (``inf``: not cut off)."""
    keys: Any
    """The replication's key prefixes of detection draws: phases, looks (``uint64``)."""
    first: Any
    """[threat]: its first detection by any sensor (``inf``: none)."""
    ready: Any
    """[threat]: 1 once ``det``, ``seen_by`` and ``arr`` hold its picture (:func:`_ensure`)."""
    det: Any
    """[threat, sensor]: first detection (``inf``: none)."""
    seen_by: Any
    """[threat, ...]: the sensors that detect the threat (``n_seen[threat]`` of them)."""
    n_seen: Any
    arr: Any
    """[threat, post]: when the track first reaches the command post (``inf``: never);
    any node's is :func:`arrival`'s."""
    tent: Any
    """[threat, post]: the earliest arrival found so far (the search's tentative labels)."""
    wait: Any
    """[threat, post]: when a slot kept at a full command post frees (``inf``: none kept)."""
    dropped: Any
    """[threat]: command posts that dropped its track for want of capacity."""
    hq_t: Any
    """The search's queue: times, keys (threat * nodes + node)."""
    hq_k: Any
    hold: Any
    """[command post, slot]: when each held track is let go."""
    n_hold: Any
    stack: Any
    """Workspaces of the reachability search."""
    post_reach: Any
    """Workspace: [post, unit] the units each post reaches in a piece; a last row for any."""
    seen: Any
    times: Any
    """Workspace: every piece boundary before sorting."""
    bins: Any
    """Workspace: the tracks held per time bin (:func:`_capacity_free`)."""


def new_picture(sc: Any, lists: bool = False) -> Picture:
    """A picture's workspaces for the scene ``sc`` (lists for the reference engine)."""
    n_threats = len(sc.impact_time)
    n_sensors = len(sc.sensor_pd)
    n_units = len(sc.unit_x)
    n_nodes = len(sc.net_node_cycle)
    n_elems = len(sc.net_mtbf)
    width = sc.net_width
    n_cp = n_nodes - n_sensors - n_units
    pieces = 1 + 2 * n_elems * width
    hold_slots = max(1, n_cp) * max(1, min(sc.net_max_capacity, n_threats))
    queue = n_threats * (len(sc.net_link_to) + n_nodes * (width + 2)) + 1

    def f(n: int, value: float = 0.0) -> Any:
        a = np.full(max(n, 1), value)
        return a.tolist() if lists else a

    def i(n: int, dtype: Any = np.int64) -> Any:
        a = np.zeros(max(n, 1), dtype=dtype)
        return a.tolist() if lists else a

    return Picture(
        cnt=i(4),
        kill_elem=i(n_elems),
        kill_time=f(n_elems),
        dn_n=i(n_elems),
        dn_s=f(n_elems * width),
        dn_e=f(n_elems * width),
        tau=f(pieces),
        reach=i(pieces * n_sensors * n_units, np.int8),
        cut_since=f(pieces * n_units),
        keys=[0, 0] if lists else np.zeros(2, dtype=np.uint64),
        first=f(n_threats, math.inf),
        ready=i(n_threats, np.int8),
        det=f(n_threats * n_sensors),
        seen_by=i(n_threats * n_sensors),
        n_seen=i(n_threats),
        arr=f(n_threats * n_cp, math.inf),
        tent=f(n_threats * n_cp),
        wait=f(n_threats * n_cp),
        dropped=i(n_threats),
        hq_t=f(queue),
        hq_k=i(queue),
        hold=f(hold_slots),
        n_hold=i(max(1, n_cp)),
        stack=i(n_nodes),
        post_reach=i((n_cp + 1) * n_units, np.int8),
        seen=i(n_nodes),
        times=f(2 * n_elems * width),
        bins=i(BINS + 1),
    )


# --- element down intervals
@kernel(inline=True)
def is_up(pic: Any, width: int, e: int, t: float) -> bool:
    """Whether element ``e`` is up at ``t`` (intervals are ``[start, end)``)."""
    base = e * width
    for k in range(pic.dn_n[e]):  # sorted by start
        if pic.dn_s[base + k] > t:
            return True
        if t < pic.dn_e[base + k]:
            return False
    return True


@kernel(inline=True)
def next_up(pic: Any, width: int, e: int, t: float) -> float:
    """The first time at or after ``t`` that element ``e`` is up (``inf``: never again)."""
    base = e * width
    for k in range(pic.dn_n[e]):  # sorted, disjoint, never touching
        if pic.dn_s[base + k] > t:
            return t
        if t < pic.dn_e[base + k]:
            t = pic.dn_e[base + k]
    return t


@kernel(inline=True)
def _add_down(pic: Any, width: int, e: int, start: float, end: float) -> None:
    """Add ``[start, end)`` to element ``e``'s down intervals, keeping them sorted and merged."""
    if not end > start:
        return
    base = e * width
    n = pic.dn_n[e]
    # insert by start
    k = n
    while k > 0 and pic.dn_s[base + k - 1] > start:
        pic.dn_s[base + k] = pic.dn_s[base + k - 1]
        pic.dn_e[base + k] = pic.dn_e[base + k - 1]
        k -= 1
    pic.dn_s[base + k] = start
    pic.dn_e[base + k] = end
    n += 1
    # merge overlapping or touching neighbours
    out = 0
    for j in range(n):
        s, f = pic.dn_s[base + j], pic.dn_e[base + j]
        if out > 0 and s <= pic.dn_e[base + out - 1]:
            if f > pic.dn_e[base + out - 1]:
                pic.dn_e[base + out - 1] = f
        else:
            pic.dn_s[base + out] = s
            pic.dn_e[base + out] = f
            out += 1
    pic.dn_n[e] = out


@kernel(inline=True)
def _down_intervals(sc: Any, pic: Any, seed: Any, rep: int) -> None:
    """Every element's down intervals this night: scheduled, jammed, failed, destroyed."""
    width = sc.net_width
    for e in range(len(sc.net_mtbf)):
        pic.dn_n[e] = 0
        for k in range(sc.net_down_offset[e], sc.net_down_offset[e + 1]):
            _add_down(pic, width, e, sc.net_down_start[k], sc.net_down_end[k])
        mtbf, mttr = sc.net_mtbf[e], sc.net_mttr[e]
        if mtbf > 0.0:
            t = 0.0
            for k in range(MAX_FAILURES):
                u = uniform(seed, rep, _NET_FAIL, e, 2 * k)
                t += -mtbf * math.log(1.0 - u)
                if t >= sc.duration:
                    break
                v = uniform(seed, rep, _NET_FAIL, e, 2 * k + 1)
                repair = -mttr * math.log(1.0 - v)
                _add_down(pic, width, e, t, t + repair)
                t += repair
    for k in range(pic.cnt[N_KILLS]):
        _add_down(pic, width, pic.kill_elem[k], pic.kill_time[k], math.inf)


@kernel(inline=True)
def _sift(a: Any, start: int, end: int) -> None:
    root = start
    while 2 * root + 1 < end:
        child = 2 * root + 1
        if child + 1 < end and a[child] < a[child + 1]:
            child += 1
        if a[root] < a[child]:
            a[root], a[child] = a[child], a[root]
            root = child
        else:
            return


@kernel(inline=True)
def _heapsort(a: Any, n: int) -> None:
    """Sort ``a[:n]`` in place, ascending (heapsort: no workspace, n log n)."""
    for start in range((n - 2) // 2, -1, -1):
        _sift(a, start, n)
    for end in range(n - 1, 0, -1):
        a[0], a[end] = a[end], a[0]
        _sift(a, 0, end)


@kernel(inline=True)
def _pieces(sc: Any, pic: Any) -> int:
    """Cut the night at every boundary of a down interval; returns the number of pieces."""
    width = sc.net_width
    n = 0
    for e in range(len(sc.net_mtbf)):
        base = e * width
        for k in range(pic.dn_n[e]):
            for b in (pic.dn_s[base + k], pic.dn_e[base + k]):
                if 0.0 < b < math.inf:
                    pic.times[n] = b
                    n += 1
    _heapsort(pic.times, n)  # then unique
    pic.tau[0] = 0.0
    m = 1
    for j in range(n):
        if pic.times[j] > pic.tau[m - 1]:
            pic.tau[m] = pic.times[j]
            m += 1
    pic.cnt[N_PIECES] = m
    return m


@kernel(inline=True)
def _search(sc: Any, pic: Any, t: float, start: int) -> None:
    """Mark in ``pic.seen`` every node reachable from node ``start`` over elements up at ``t``."""
    width = sc.net_width
    n_links = len(sc.net_link_to)
    top = 0
    if pic.seen[start] == 0 and is_up(pic, width, n_links + start, t):
        pic.seen[start] = 1
        pic.stack[0] = start
        top = 1
    while top > 0:
        top -= 1
        v = pic.stack[top]
        for p in range(sc.net_out_offset[v], sc.net_out_offset[v + 1]):
            link = sc.net_out_link[p]
            w = sc.net_link_to[link]
            if (
                pic.seen[w] == 0
                and is_up(pic, width, link, t)
                and is_up(pic, width, n_links + w, t)
            ):
                pic.seen[w] = 1
                pic.stack[top] = w
                top += 1


@kernel(inline=True)
def _reach(sc: Any, pic: Any, n_pieces: int) -> None:
    """For each piece: which sensor reaches which unit, and which units are cut off.

    A search from each command post finds the units it reaches; a sensor reaches the
    units its up links reach directly, and those of the up posts its up links reach.
    A linked unit is cut off while no post and no networked sensor reaches it.
    """
    n_sensors = len(sc.sensor_pd)
    n_units = len(sc.unit_x)
    n_nodes = len(sc.net_node_cycle)
    n_links = len(sc.net_link_to)
    width = sc.net_width
    first_unit = n_nodes - n_units
    n_posts = first_unit - n_sensors
    for k in range(n_pieces):
        t = pic.tau[k]
        # units each post reaches (and, in the last row, any post)
        fed = n_posts * n_units
        for u in range(n_units):
            pic.post_reach[fed + u] = 0
        for c in range(n_posts):
            for v in range(n_nodes):
                pic.seen[v] = 0
            _search(sc, pic, t, n_sensors + c)
            for u in range(n_units):
                got = pic.seen[first_unit + u]
                pic.post_reach[c * n_units + u] = got
                if got == 1:
                    pic.post_reach[fed + u] = 1
        for s in range(n_sensors):
            row = (k * n_sensors + s) * n_units
            for u in range(n_units):
                pic.reach[row + u] = 0
            if not is_up(pic, width, n_links + s, t):
                continue
            networked = sc.net_sensor_unit[s] < 0
            for p in range(sc.net_out_offset[s], sc.net_out_offset[s + 1]):
                link = sc.net_out_link[p]
                w = sc.net_link_to[link]
                if not (is_up(pic, width, link, t) and is_up(pic, width, n_links + w, t)):
                    continue
                if w >= first_unit:
                    pic.reach[row + w - first_unit] = 1
                    if networked:
                        pic.post_reach[fed + w - first_unit] = 1
                else:
                    c = w - n_sensors
                    for u in range(n_units):
                        if pic.post_reach[c * n_units + u] == 1:
                            pic.reach[row + u] = 1
        for u in range(n_units):
            at = k * n_units + u
            if sc.net_unit_linked[u] == 1 and pic.post_reach[fed + u] == 0:
                if k > 0 and pic.cut_since[at - n_units] < math.inf:
                    pic.cut_since[at] = pic.cut_since[at - n_units]
                else:
                    pic.cut_since[at] = t
            else:
                pic.cut_since[at] = math.inf


@kernel(inline=True)
def _window_look(sc: Any, pic: Any, w: int, best: float) -> float:
    """The first look in detection window ``w`` that sees its threat, the sensor up.

    Only a look before ``best`` counts; without one, ``best``.
    """
    s = sc.det_sensor[w]
    start, end = sc.det_start[w], sc.det_end[w]
    period, pd = sc.sensor_scan[s], sc.sensor_pd[s]
    phase = uniform_after(pic.keys[0], w, 0)
    look = 0
    t = start + phase * period
    while t <= end and t < best:
        if uniform_after(pic.keys[1], w, look) < pd and is_up(
            pic, sc.net_width, len(sc.net_link_to) + s, t
        ):
            return t
        look += 1
        t = start + (phase + look) * period
    return best


@kernel(inline=True)
def _detect_one(sc: Any, pic: Any, i: int) -> None:
    """Each sensor's first look that sees threat ``i`` while the sensor is up."""
    n_sensors = len(sc.sensor_pd)
    for s in range(n_sensors):
        pic.det[i * n_sensors + s] = math.inf
    n_seen = 0
    for w in range(sc.det_offset[i], sc.det_offset[i + 1]):
        s = sc.det_sensor[w]
        best = pic.det[i * n_sensors + s]
        if sc.det_start[w] >= best:
            continue
        best = _window_look(sc, pic, w, best)
        if best < math.inf:
            if pic.det[i * n_sensors + s] == math.inf:
                pic.seen_by[i * n_sensors + n_seen] = s
                n_seen += 1
            pic.det[i * n_sensors + s] = best
    pic.n_seen[i] = n_seen


@kernel(inline=True)
def _first_detection(sc: Any, pic: Any, i: int) -> float:
    """The first look of any sensor that sees threat ``i`` while up.

    The least of :func:`_detect_one`'s, found without working out each sensor's
    (windows come in order of start: the search stops at the first that starts late).
    """
    best = math.inf
    for w in range(sc.det_offset[i], sc.det_offset[i + 1]):
        if sc.det_start[w] >= best:
            break
        best = _window_look(sc, pic, w, best)
    return best


@kernel(inline=True)
def _q_before(t1: float, k1: int, t2: float, k2: int) -> bool:
    return t1 < t2 or (t1 == t2 and k1 < k2)


@kernel(inline=True)
def _q_push(pic: Any, t: float, key: int) -> None:
    i = pic.cnt[N_QUEUE]
    pic.cnt[N_QUEUE] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        if _q_before(t, key, pic.hq_t[parent], pic.hq_k[parent]):
            pic.hq_t[i] = pic.hq_t[parent]
            pic.hq_k[i] = pic.hq_k[parent]
            i = parent
        else:
            break
    pic.hq_t[i] = t
    pic.hq_k[i] = key


@kernel(inline=True)
def _q_pop(pic: Any) -> None:
    n = pic.cnt[N_QUEUE] - 1
    pic.cnt[N_QUEUE] = n
    t, key = pic.hq_t[n], pic.hq_k[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and _q_before(
            pic.hq_t[child + 1], pic.hq_k[child + 1], pic.hq_t[child], pic.hq_k[child]
        ):
            child += 1
        if _q_before(pic.hq_t[child], pic.hq_k[child], t, key):
            pic.hq_t[i] = pic.hq_t[child]
            pic.hq_k[i] = pic.hq_k[child]
            i = child
        else:
            break
    pic.hq_t[i] = t
    pic.hq_k[i] = key


@kernel(inline=True)
def _h_push(pic: Any, base: int, c: int, value: float) -> None:
    """Push ``value`` on command post ``c``'s heap of holds (at ``pic.hold[base:]``)."""
    i = pic.n_hold[c]
    pic.n_hold[c] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        if value < pic.hold[base + parent]:
            pic.hold[base + i] = pic.hold[base + parent]
            i = parent
        else:
            break
    pic.hold[base + i] = value


@kernel(inline=True)
def _h_pop(pic: Any, base: int, c: int) -> None:
    """Remove the earliest release from command post ``c``'s heap of holds."""
    n = pic.n_hold[c] - 1
    pic.n_hold[c] = n
    value = pic.hold[base + n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and pic.hold[base + child + 1] < pic.hold[base + child]:
            child += 1
        if pic.hold[base + child] < value:
            pic.hold[base + i] = pic.hold[base + child]
            i = child
        else:
            break
    pic.hold[base + i] = value


@kernel(inline=True)
def _depart(sc: Any, v: int, t: float) -> float:
    """When node ``v`` passes on a track it has from ``t``: at once, or at its next decision."""
    cycle = sc.net_node_cycle[v]
    if cycle > 0.0:
        tick = math.ceil(t / cycle)
        if tick * cycle < t:
            tick += 1
        return tick * cycle
    return t


@kernel(inline=True)
def _relax(
    sc: Any, pic: Any, i: int, v: int, depart: float, impact: float, key_base: int, queue: bool
) -> None:
    """Send threat ``i``'s track from node ``v`` at ``depart`` over each of its links to a post.

    Its arrival at a post that is down is when the post is back. Links to fire units are
    not followed: a fire unit passes nothing on, so its arrival is worked out when it is
    asked for (:func:`arrival`). With ``queue``, an improved arrival is pushed on the
    search's queue, keyed ``key_base + post`` (doubled: the low bit marks a slot kept).
    """
    width = sc.net_width
    n_links = len(sc.net_link_to)
    n_sensors = len(sc.sensor_pd)
    first_unit = len(sc.net_node_cycle) - len(sc.unit_x)
    row = i * (first_unit - n_sensors) - n_sensors
    for p in range(sc.net_out_offset[v], sc.net_out_offset[v + 1]):
        link = sc.net_out_link[p]
        w = sc.net_link_to[link]
        if w >= first_unit:
            break  # links to posts come first
        latency = sc.net_link_latency[link]
        if not depart + latency < pic.tent[row + w]:
            continue  # waiting never makes it earlier
        at = next_up(pic, width, n_links + w, next_up(pic, width, link, depart) + latency)
        if at < impact and at < pic.tent[row + w]:
            pic.tent[row + w] = at
            if queue:
                _q_push(pic, at, 2 * (key_base + w - n_sensors))


@kernel(inline=True)
def _deliver_one(sc: Any, pic: Any, i: int) -> None:
    """Threat ``i``'s arrivals at the posts, alone: posts of unlimited capacity.

    An earliest-arrival search over the posts (waiting never makes a track arrive
    earlier, so the first label settled is the earliest): in an order every post-to-post
    link follows when there is one (``net_post_order``); else, with up to
    :data:`SCAN_POSTS` posts, the next is the least of those not yet settled, and with
    more, the search has a queue of its own.
    """
    n_sensors = len(sc.sensor_pd)
    first_unit = len(sc.net_node_cycle) - len(sc.unit_x)
    n_posts = first_unit - n_sensors
    impact = sc.impact_time[i]
    row = i * n_posts
    for c in range(n_posts):
        pic.arr[row + c] = math.inf
        pic.tent[row + c] = math.inf
    ordered = len(sc.net_post_order) == n_posts
    queue = not ordered and n_posts > SCAN_POSTS
    pic.cnt[N_QUEUE] = 0
    for j in range(pic.n_seen[i]):
        # a sensor has the track when it sees it (it looks only while up)
        s = pic.seen_by[i * n_sensors + j]
        d = pic.det[i * n_sensors + s]
        if d < impact:
            _relax(sc, pic, i, s, d, impact, 0, queue)
    if ordered:
        for v in sc.net_post_order:
            t = pic.tent[row + v - n_sensors]
            if t < math.inf:
                pic.arr[row + v - n_sensors] = t
                _relax(sc, pic, i, v, _depart(sc, v, t), impact, 0, False)
        return
    if not queue:  # few posts: the next to settle is found by looking at each
        for _ in range(n_posts):
            t = math.inf
            c = -1
            for k in range(n_posts):
                if pic.arr[row + k] == math.inf and pic.tent[row + k] < t:
                    t = pic.tent[row + k]
                    c = k
            if c < 0:
                return
            pic.arr[row + c] = t
            v = n_sensors + c
            _relax(sc, pic, i, v, _depart(sc, v, t), impact, 0, False)
        return
    while pic.cnt[N_QUEUE] > 0:
        t, c = pic.hq_t[0], pic.hq_k[0] >> 1
        _q_pop(pic)
        if pic.arr[row + c] < math.inf:
            continue  # settled already, earlier
        pic.arr[row + c] = t
        v = n_sensors + c
        _relax(sc, pic, i, v, _depart(sc, v, t), impact, 0, True)


SCAN_POSTS = 16
"""Up to this many command posts linked in a cycle, a threat's search alone settles the
next post by looking at each (no queue)."""

BINS = 512
"""Time bins of the quick check that no command post's track capacity binds."""


@kernel(inline=True)
def _capacity_free(sc: Any, pic: Any) -> bool:
    """Whether no post with a track capacity ever holds as many tracks as it can take.

    A post holds each track from its arrival to its threat's planned impact. Over
    :data:`BINS` bins of time, each track counts in every bin its hold touches; when no
    bin counts more tracks than the capacity, no track ever finds the post full
    (every track held when one arrives touches that one's bin), so arrivals worked
    out one threat at a time are those of the shared search. Conservative: ``False``
    may be wrong, ``True`` never is.
    """
    n_threats = len(sc.impact_time)
    n_sensors = len(sc.sensor_pd)
    n_posts = len(sc.net_node_cycle) - len(sc.unit_x) - n_sensors
    horizon = 0.0
    for i in range(n_threats):
        if sc.impact_time[i] > horizon:
            horizon = sc.impact_time[i]
    scale = BINS / horizon if horizon > 0.0 else 0.0
    for c in range(n_posts):
        capacity = sc.net_node_capacity[n_sensors + c]
        if capacity <= 0 or capacity >= n_threats:
            continue
        for b in range(BINS + 1):
            pic.bins[b] = 0
        for i in range(n_threats):
            a = pic.arr[i * n_posts + c]
            if a < math.inf:
                lo = min(int(a * scale), BINS - 1)
                hi = min(int(sc.impact_time[i] * scale), BINS - 1)
                pic.bins[lo] += 1
                pic.bins[hi + 1] -= 1
        count = 0
        for b in range(BINS):
            count += pic.bins[b]
            if count > capacity:
                return False
    return True


@kernel
def _deliver_shared(sc: Any, pic: Any) -> None:
    """Every threat's arrivals at the posts, in one search over all threats.

    Label setting in time order over all threats at once, so that posts with a track
    capacity take tracks first come, first served. Not inlined: it runs once per
    picture at most, and is compiled once.
    """
    n_threats = len(sc.impact_time)
    n_sensors = len(sc.sensor_pd)
    n_links = len(sc.net_link_to)
    n_posts = len(sc.net_node_cycle) - len(sc.unit_x) - n_sensors
    width = sc.net_width
    slots = len(pic.hold) // max(1, len(pic.n_hold))
    pic.cnt[N_QUEUE] = 0
    for c in range(len(pic.n_hold)):
        pic.n_hold[c] = 0
    for key in range(n_threats * n_posts):
        pic.arr[key] = math.inf
        pic.wait[key] = math.inf
        pic.tent[key] = math.inf
    for i in range(n_threats):
        impact = sc.impact_time[i]
        for j in range(pic.n_seen[i]):
            s = pic.seen_by[i * n_sensors + j]
            d = pic.det[i * n_sensors + s]
            if d < impact:
                _relax(sc, pic, i, s, d, impact, i * n_posts, True)
    while pic.cnt[N_QUEUE] > 0:
        t, key = pic.hq_t[0], pic.hq_k[0]
        _q_pop(pic)
        taken = key & 1  # 1: a slot at a command post is already kept for it
        key >>= 1
        i = key // n_posts
        c = key - i * n_posts
        v = n_sensors + c
        impact = sc.impact_time[i]
        if pic.arr[key] <= t:
            continue  # reached already
        up = next_up(pic, width, n_links + v, t)
        if up > t:  # a slot freed while the post is down: it takes the track when back
            if up < impact:
                _q_push(pic, up, 2 * key + taken)
            continue
        capacity = sc.net_node_capacity[v]
        if capacity > 0 and taken == 0:
            if pic.wait[key] < math.inf:
                continue  # it already waits for the slot that frees first
            base = c * slots
            # holds are a min-heap by release time; the search runs forward in time, so
            # a hold let go by now is gone for good
            while pic.n_hold[c] > 0 and pic.hold[base] <= t:
                _h_pop(pic, base, c)
            if pic.n_hold[c] >= capacity:
                # first come, first served: it takes the slot that frees first
                release = pic.hold[base]
                if release < impact:
                    _h_pop(pic, base, c)
                    _h_push(pic, base, c, impact)
                    pic.wait[key] = release
                    _q_push(pic, release, 2 * key + 1)
                else:
                    pic.dropped[i] += 1
                continue
            _h_push(pic, base, c, impact)
        pic.arr[key] = t
        _relax(sc, pic, i, v, _depart(sc, v, t), impact, i * n_posts, True)


@kernel(inline=True)
def _deliver(sc: Any, pic: Any) -> None:
    """When each threat's track first reaches each post.

    One threat at a time while no post's track capacity can bind (the usual case, and
    far cheaper); otherwise one search over all threats (:func:`_deliver_shared`).
    """
    for i in range(len(sc.impact_time)):
        _deliver_one(sc, pic, i)
    if not _capacity_free(sc, pic):
        _deliver_shared(sc, pic)


@kernel(inline=True)
def arrival(sc: Any, pic: Any, threat: int, node: int) -> float:
    """When ``threat``'s track first reaches ``node`` (``inf``: never), after :func:`build_picture`.

    A sensor has it when it detects it, a post when :func:`_deliver` says. A fire
    unit's is worked out here, from its links' sources: a source's track leaves when it
    passes it on (:func:`_depart`), waits for the link to be up, takes the link's
    latency, and waits for the unit to be up; it counts if before the impact.
    """
    _ensure(sc, pic, threat)
    n_sensors = len(sc.sensor_pd)
    first_unit = len(sc.net_node_cycle) - len(sc.unit_x)
    impact = sc.impact_time[threat]
    if node < n_sensors:
        d = pic.det[threat * n_sensors + node]
        return d if d < impact else math.inf
    if node < first_unit:
        return pic.arr[threat * (first_unit - n_sensors) + node - n_sensors]
    width = sc.net_width
    n_links = len(sc.net_link_to)
    best = math.inf
    for p in range(sc.net_in_offset[node], sc.net_in_offset[node + 1]):
        link = sc.net_in_link[p]
        v = sc.net_link_from[link]
        if v < n_sensors:
            a = pic.det[threat * n_sensors + v]
        else:
            a = pic.arr[threat * (first_unit - n_sensors) + v - n_sensors]
        if not a < impact:
            continue
        at = next_up(pic, width, link, _depart(sc, v, a)) + sc.net_link_latency[link]
        at = next_up(pic, width, n_links + node, at)
        if at < impact and at < best:
            best = at
    return best


@kernel
def build_picture(sc: Any, pic: Any, seed: Any, rep: int) -> None:
    """The night's picture, given the elements destroyed so far (``pic.kill_*``).

    Each threat's first detection is found at once. Where no post's track capacity
    can bind (``sc.net_capacity_free``), the rest of a threat's picture (each sensor's
    detection, the arrivals at the posts) is worked out the first time it is asked
    for (:func:`_ensure`), so threats no fire unit ever asks about cost nothing more;
    otherwise every threat's is worked out here, for the shared search.
    """
    _down_intervals(sc, pic, seed, rep)
    n_pieces = _pieces(sc, pic)
    _reach(sc, pic, n_pieces)
    pic.keys[0] = key_prefix(seed, rep, _DETECT_PHASE)
    pic.keys[1] = key_prefix(seed, rep, _DETECT)
    n_threats = len(sc.impact_time)
    for i in range(n_threats):
        pic.ready[i] = 0
        pic.dropped[i] = 0
        pic.first[i] = _first_detection(sc, pic, i)
    if sc.net_capacity_free == 0:
        for i in range(n_threats):
            _detect_one(sc, pic, i)
            pic.ready[i] = 1
        _deliver(sc, pic)


@kernel(inline=True)
def _ensure(sc: Any, pic: Any, threat: int) -> None:
    """Work out ``threat``'s detections and arrivals at the posts, if not yet done."""
    if pic.ready[threat] == 0:
        _detect_one(sc, pic, threat)
        _deliver_one(sc, pic, threat)
        pic.ready[threat] = 1


@kernel(inline=True)
def first_seen(sc: Any, pic: Any, threat: int) -> float:
    """The first detection of ``threat`` by any sensor (``inf``: none)."""
    return pic.first[threat]


@kernel(inline=True)
def piece_at(pic: Any, t: float) -> int:
    """The piece that holds time ``t`` (binary search)."""
    lo, hi = 0, pic.cnt[N_PIECES] - 1
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if pic.tau[mid] <= t:
            lo = mid
        else:
            hi = mid - 1
    return lo


@kernel(inline=True)
def picture_from(sc: Any, pic: Any, threat: int, unit: int, t: float) -> float:
    """The first time at or after ``t`` that ``unit`` may engage ``threat`` (``inf``: never).

    See the module docstring, step 4.
    """
    start, _ = picture_span(sc, pic, threat, unit, t)
    return start


@kernel(inline=True)
def picture_span(sc: Any, pic: Any, threat: int, unit: int, t: float) -> tuple[float, float]:
    """``(a, b)``: ``unit`` may not engage ``threat`` from ``t`` until ``a``, then may until ``b``.

    ``a`` is :func:`picture_from`; ``b`` the end of the piece that holds it (nothing
    changes inside a piece), so a caller whose clock only moves forward may keep the
    answer until ``b`` (``inf``, ``inf``: never).
    """
    n_sensors = len(sc.sensor_pd)
    n_units = len(sc.unit_x)
    n_nodes = len(sc.net_node_cycle)
    node = n_nodes - n_units + unit
    t0 = arrival(sc, pic, threat, node) + sc.reaction_time
    if t0 < t:
        t0 = t
    if t0 == math.inf:
        return math.inf, math.inf
    n_pieces = pic.cnt[N_PIECES]
    unit_elem = len(sc.net_link_to) + node
    fallback = sc.net_unit_fallback[unit]
    for k in range(piece_at(pic, t0), n_pieces):
        a = pic.tau[k]
        b = pic.tau[k + 1] if k + 1 < n_pieces else math.inf
        if a < t0:
            a = t0
        if not is_up(pic, sc.net_width, unit_elem, a):
            continue
        since = pic.cut_since[k * n_units + unit]
        if since < math.inf:
            if fallback == 1:
                continue  # holds fire while cut off
            if fallback == 2 and since + sc.net_unit_delay[unit] > a:
                a = since + sc.net_unit_delay[unit]
        best = math.inf
        for j in range(pic.n_seen[threat]):
            s = pic.seen_by[threat * n_sensors + j]
            if pic.reach[(k * n_sensors + s) * n_units + unit] == 1:
                d = pic.det[threat * n_sensors + s]
                c = d if d > a else a
                if c < best:
                    best = c
                    if best <= a:
                        break  # no sensor's detection can make it earlier than a
        if best < b:
            return best, b
    return math.inf, math.inf


@kernel
def picture_metrics(sc: Any, pic: Any, end_time: Any, out: Any) -> None:
    """What the network did in one replication, from its final picture, into ``out``.

    ``end_time[i]`` is when threat ``i`` ended (destroyed, lost to EW or leaked).
    ``out``: [0] mean track delay (s) from the first detection to the first fire unit
    the track reaches, over the threats that reach one; [1] threats detected whose track
    reaches no fire unit; [2] tracks dropped by command posts for want of capacity;
    [3] unit-seconds cut off from the network; [4] engagement windows lost: a window in
    which a perfect picture would have let its unit fire (its gate open, the threat
    tracked and still flying) but in which the track never reached the unit.
    """
    n_threats = len(sc.impact_time)
    n_units = len(sc.unit_x)
    n_nodes = len(sc.net_node_cycle)
    first_unit = n_nodes - n_units
    delay_sum = 0.0
    delivered = 0
    undelivered = 0
    dropped = 0
    for i in range(n_threats):
        seen = first_seen(sc, pic, i)
        dropped += pic.dropped[i]
        if seen == math.inf:
            continue
        best = math.inf
        for u in range(n_units):
            a = arrival(sc, pic, i, first_unit + u)
            if a < best:
                best = a
        if best < math.inf:
            delay_sum += best - seen
            delivered += 1
        else:
            undelivered += 1
    out[0] = delay_sum / delivered if delivered > 0 else 0.0
    out[1] = undelivered
    out[2] = dropped
    cut = 0.0
    n_pieces = pic.cnt[N_PIECES]
    for k in range(n_pieces):
        a = pic.tau[k]
        b = pic.tau[k + 1] if k + 1 < n_pieces else sc.duration
        if b > sc.duration:
            b = sc.duration
        if b <= a:
            continue
        for u in range(n_units):
            if pic.cut_since[k * n_units + u] < math.inf:
                cut += b - a
    out[3] = cut
    lost = 0
    for i in range(n_threats):
        seen = first_seen(sc, pic, i)
        if seen == math.inf:
            continue
        tracked = seen + sc.reaction_time
        for e in range(sc.eng_offset[i], sc.eng_offset[i + 1]):
            lo = sc.eng_fire_start[e]
            if lo < tracked:
                lo = tracked
            hi = sc.eng_end[e]
            if hi > end_time[i]:
                hi = end_time[i]
            if lo > hi:
                continue
            if picture_from(sc, pic, i, sc.eng_unit[e], lo) > hi:
                lost += 1
    out[4] = lost


METRICS = (
    "track_delay",
    "tracks_undelivered",
    "tracks_dropped",
    "unit_seconds_cut_off",
    "engagement_windows_lost",
)
"""The names of :func:`picture_metrics`' outputs, in order."""


def network_metrics(cs: Any, outcomes: Any) -> dict[str, np.ndarray]:
    """What the network did in each replication of ``outcomes`` (one value per row).

    Each replication's picture is worked out again from its draws and the defence
    elements its threats destroyed (when, from the outcomes), so the figures are
    those of the run. Empty arrays for a scenario without a network.
    """
    from iadsim.engine.scene import build_scene

    rows = len(outcomes.replications)
    if not cs.net_on:
        return {name: np.zeros(0) for name in METRICS}
    sc = build_scene(cs)
    pic = new_picture(sc)
    build, measure = build_picture, picture_metrics
    try:  # compiled when Numba is there (the fast engine's twins)
        from iadsim.engine.jit import compiled

        build, measure = compiled(build_picture), compiled(picture_metrics)
    except ImportError:  # pragma: no cover - numba is a dependency
        pass
    values = np.zeros((rows, len(METRICS)))
    seed = np.uint64(outcomes.seed)
    for r in range(rows):
        kills = []
        for target in np.flatnonzero(outcomes.asset_destroyed[r]):
            element = int(cs.asset_element[target])
            if element < 0:
                continue
            hitters = np.flatnonzero(outcomes.hit[r] & (cs.threat_target == target))
            kills.append((float(outcomes.time[r, hitters].min()), element))
        kills.sort()
        pic.cnt[N_KILLS] = len(kills)
        for k, (t, element) in enumerate(kills):
            pic.kill_elem[k] = element
            pic.kill_time[k] = t
        build(sc, pic, seed, int(outcomes.replications[r]))
        end_time = np.where(np.isnan(outcomes.time[r]), np.inf, outcomes.time[r]).astype(float)
        measure(sc, pic, end_time, values[r])
    return {name: values[:, k] for k, name in enumerate(METRICS)}
