"""Per-target allocations: pricing and enumeration by depth-first search (Numba kernels).

An *allocation* of target j is a vector a (a_i rounds of weapon type i at j).
Given non-negative prices w_i per round (dual prices of the weapon counts plus
lambda x cost), its priced cost is

    c_j(a) + w . a = V_j prod_i q_ij^a_i + w . a.

:func:`price_all` finds, for every target, the allocation of least priced cost;
:func:`enumerate_target` lists every allocation whose priced cost is at most a
threshold. Both search the same tree: an allocation is a non-decreasing
sequence of type positions (types sorted by w_i / s_ij, s_ij = -ln q_ij), so
each allocation is visited once. A subtree whose rounds are all of types from
position p on is pruned by the convex bound

    g + min_{0 <= t <= T_p} (f e^-t + r_p t)

where f and g are the node's surviving value and price, r_p = w/s of position
p (the smallest of the remaining ones, as they are sorted) and T_p the most
log-kill the remaining rounds can add: every extension b has w . b >= r_p s . b
and s . b <= T_p. The bound is a true lower bound of the priced cost (the
surviving value uses the exact products prod q^a; s is floored at
``LOG_FLOOR``, which only matters when some q < e^-40, and then ``slack``
lowers the bound by f e^-40).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["compress_columns", "enumerate_target", "price_all", "target_order"]

_FLOOR_SLACK = math.exp(-40.0)


@njit(cache=True)
def _h(f: float, r: float, t_max: float) -> float:  # pragma: no cover - compiled
    """Min over t in [0, t_max] of f e^-t + r t (f >= 0, r >= 0)."""
    if f <= 0.0:
        return 0.0
    if r <= 0.0:
        return f * math.exp(-t_max)
    if f <= r:
        return f
    t = math.log(f / r)
    if t >= t_max:
        return f * math.exp(-t_max) + r * t_max
    return r * (1.0 + t)


@njit(cache=True)
def target_order(s, w, cap):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Useful types of one target sorted by w / s, with suffix log-kill capacities.

    Returns (types, ratio, tail): ``tail[p]`` = sum over positions >= p of cap x s.
    Types with s = 0 (no effect) or cap = 0 are left out.
    """
    m = s.shape[0]
    keep = np.empty(m, dtype=np.int64)
    k = 0
    for i in range(m):
        if s[i] > 0.0 and cap[i] > 0:
            keep[k] = i
            k += 1
    keep = keep[:k]
    ratio = np.empty(k)
    for p in range(k):
        ratio[p] = w[keep[p]] / s[keep[p]]
    order = np.argsort(ratio, kind="mergesort")
    types = keep[order]
    ratio = ratio[order]
    tail = np.zeros(k + 1)
    for p in range(k - 1, -1, -1):
        tail[p] = tail[p + 1] + cap[types[p]] * s[types[p]]
    return types, ratio, tail


@njit(cache=True)
def _search(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    v, q, s, w, cap, limit, thr, minimise, slack, out_types, out_start, max_cols, max_nodes
):
    """Depth-first search over the allocations of one target.

    ``minimise``: keep lowering ``thr`` to the best priced cost found and return
    the best allocation (as the first column of the output). Otherwise record
    every allocation with priced cost <= ``thr``. Columns are written as runs of
    type indices (one entry per round) into ``out_types``, column c occupying
    ``out_start[c]:out_start[c + 1]``. Returns (columns written, best value,
    nodes visited); columns = -1 when ``max_cols`` or the type buffer overflowed,
    -2 when more than ``max_nodes`` nodes were visited (then, minimising, the
    best allocation found so far is still written, but it is not proven least).

    When minimising, the greedy allocation (add the round of largest net gain
    while one gains) is the first incumbent.
    """
    types, ratio, tail = target_order(s, w, cap)
    k = types.shape[0]
    depth_max = limit
    total = 0
    for p in range(k):
        total += cap[types[p]]
    if total < depth_max:
        depth_max = total
    pos = np.zeros(depth_max + 1, dtype=np.int64)
    run = np.zeros(depth_max + 1, dtype=np.int64)
    f = np.zeros(depth_max + 2)
    g = np.zeros(depth_max + 2)
    nxt = np.zeros(depth_max + 2, dtype=np.int64)
    f[0] = v
    g[0] = 0.0
    nxt[0] = 0
    cols = 0
    used = 0
    best = v
    nodes = 1
    out_start[0] = 0
    if minimise:
        # greedy incumbent: add the round of largest net gain while one gains
        cnt = np.zeros(k, dtype=np.int64)
        fv = v
        gv = 0.0
        nr = 0
        while nr < limit:
            bp = -1
            bgain = 0.0
            for p in range(k):
                t = types[p]
                if cnt[p] < cap[t]:
                    gain = fv * (1.0 - q[t]) - w[t]
                    if gain > bgain:
                        bgain = gain
                        bp = p
            if bp < 0:
                break
            cnt[bp] += 1
            fv *= q[types[bp]]
            gv += w[types[bp]]
            nr += 1
        best = fv + gv
        thr = best
        e = 0
        for p in range(k):
            for _ in range(cnt[p]):
                out_types[e] = types[p]
                e += 1
        out_start[1] = e
        cols = 1
    elif v <= thr:
        out_start[1] = 0
        cols = 1
    d = 0
    cap_types = out_types.shape[0]
    while d >= 0:
        p = nxt[d]
        if p >= k or d >= depth_max:
            d -= 1
            continue
        fd = f[d]
        lb = g[d] + _h(fd, ratio[p], tail[p]) - slack * fd
        if lb > thr:
            d -= 1
            continue
        nxt[d] = p + 1
        t = types[p]
        same = d > 0 and pos[d - 1] == p
        r = run[d - 1] + 1 if same else 1
        if r > cap[t]:
            continue
        fc = fd * q[t]
        gc = g[d] + w[t]
        if gc + _h(fc, ratio[p], tail[p]) - slack * fc > thr:
            continue
        nodes += 1
        if nodes > max_nodes:
            return -2, best, nodes
        pos[d] = p
        run[d] = r
        f[d + 1] = fc
        g[d + 1] = gc
        nxt[d + 1] = p
        d += 1
        value = fc + gc
        if value <= thr:
            if minimise:
                if value < best:
                    best = value
                    thr = value
                    for e in range(d):
                        out_types[e] = types[pos[e]]
                    out_start[1] = d
            else:
                if cols >= max_cols or used + d > cap_types:
                    return -1, best, nodes
                for e in range(d):
                    out_types[used + e] = types[pos[e]]
                used += d
                cols += 1
                out_start[cols] = used
                if value < best:
                    best = value
    return cols, best, nodes


@njit(cache=True)
def price_all(values, q, s, w, cap, limits, slack, max_nodes):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Least priced allocation of every target.

    ``q``, ``s``, ``cap``: (m, n) survival per round, its -log (floored) and the
    most rounds of each type per target; ``w``: price per round of each type
    (m,); ``limits``: most rounds per target (n,); ``slack``: (n,) 0 or e^-40
    (targets with a floored log). Returns (best priced cost (n,), type counts of
    the best allocations as an (n, m) int64 matrix, nodes visited, number of
    targets whose search stopped at ``max_nodes``: their allocation is the best
    found, not proven least, and the sum of minima is then no bound).
    """
    m, n = q.shape
    best = np.empty(n)
    alloc = np.zeros((n, m), dtype=np.int64)
    out_types = np.empty(m + 1, dtype=np.int64)
    out_start = np.zeros(3, dtype=np.int64)
    nodes = 0
    stopped = 0
    for j in range(n):
        qj = np.ascontiguousarray(q[:, j])
        sj = np.ascontiguousarray(s[:, j])
        cj = cap[:, j].copy()
        need = 0
        for i in range(m):
            need += cj[i]
        if need > out_types.shape[0]:
            out_types = np.empty(need + 1, dtype=np.int64)
        # price-0 types at their cap when the shot limit cannot bind: more such
        # rounds never cost more, and fixing them keeps the search small
        v = values[j]
        fixed = np.zeros(m, dtype=np.int64)
        if need <= limits[j]:
            for i in range(m):
                if w[i] <= 0.0 and cj[i] > 0 and sj[i] > 0.0:
                    fixed[i] = cj[i]
                    v *= qj[i] ** cj[i]
                    cj[i] = 0
        c, b, visited = _search(
            v, qj, sj, w, cj, limits[j], v, True, slack[j], out_types, out_start, 1, max_nodes
        )
        for i in range(m):
            alloc[j, i] += fixed[i]
        if c == -2:
            stopped += 1
        nodes += visited
        best[j] = b
        for e in range(out_start[0], out_start[1]):
            alloc[j, out_types[e]] += 1
    return best, alloc, nodes, stopped


@njit(cache=True)
def enumerate_target(v, q, s, w, cap, limit, thr, slack, max_cols, max_entries, max_nodes):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Every allocation of one target with priced cost <= ``thr``.

    Returns (columns, or -1 on overflow / -2 past ``max_nodes``, types flat, starts, nodes).
    """
    out_types = np.empty(max_entries, dtype=np.int64)
    out_start = np.zeros(max_cols + 1, dtype=np.int64)
    cols, _, nodes = _search(
        v, q, s, w, cap, limit, thr, False, slack, out_types, out_start, max_cols, max_nodes
    )
    if cols < 0:
        return cols, out_types[:0], out_start[:1], nodes
    return cols, out_types[: out_start[cols]], out_start[: cols + 1], nodes


@njit(cache=True)
def compress_columns(flat, starts, count, v, q, pen):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Columns as (type, rounds) runs with their costs, from :func:`enumerate_target`'s output.

    Rounds of one type are consecutive in ``flat`` (the search lists types in a
    fixed order); each column's types come out in index order. Returns (types,
    rounds, run starts (count + 1,), costs (count,)), the cost of a column being
    v prod q^a + pen . a.
    """
    types = np.empty(flat.shape[0], dtype=np.int64)
    rounds = np.empty(flat.shape[0], dtype=np.int64)
    cstart = np.zeros(count + 1, dtype=np.int64)
    cost = np.empty(count)
    k = 0
    for c in range(count):
        f = v
        g = 0.0
        e = starts[c]
        while e < starts[c + 1]:
            t = flat[e]
            r = 0
            while e < starts[c + 1] and flat[e] == t:
                f *= q[t]
                g += pen[t]
                r += 1
                e += 1
            types[k] = t
            rounds[k] = r
            k += 1
        for a in range(cstart[c] + 1, k):  # types in index order (insertion sort)
            b = a
            while b > cstart[c] and types[b - 1] > types[b]:
                types[b - 1], types[b] = types[b], types[b - 1]
                rounds[b - 1], rounds[b] = rounds[b], rounds[b - 1]
                b -= 1
        cstart[c + 1] = k
        cost[c] = f + g
    return types[:k], rounds[:k], cstart, cost
