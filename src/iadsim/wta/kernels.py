"""Numba kernels of the heuristics: greedy marginal return, local search, ruin and recreate.

Units are single rounds: ``unit_type[u]`` is the weapon type of round u and
``unit_target[u]`` its target (-1: not fired). ``logq[i, j] = ln(1 - p_ij)``
(floored), ``pen[i] = lambda * cost_i`` and ``limits[j]`` the shot limit of
target j (a large number when there is none). The surviving value of target j
is ``values[j] * exp(z[j])`` with ``z[j]`` the sum of logq over its rounds.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "greedy_fill",
    "local_search",
    "objective_units",
    "ruin_recreate",
    "splitmix_next",
    "target_state",
]


@njit(cache=True)
def splitmix_next(state: np.ndarray) -> np.uint64:  # pragma: no cover - compiled
    """Advance a SplitMix64 generator held in ``state[0]`` and return 64 random bits."""
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _below(state: np.ndarray, n: int) -> int:  # pragma: no cover - compiled
    return int(splitmix_next(state) % np.uint64(n))


@njit(cache=True)
def target_state(logq, unit_type, unit_target, n):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Sum of logq and number of rounds on each target."""
    z = np.zeros(n)
    shots = np.zeros(n, dtype=np.int64)
    for u in range(unit_type.shape[0]):
        j = unit_target[u]
        if j >= 0:
            z[j] += logq[unit_type[u], j]
            shots[j] += 1
    return z, shots


@njit(cache=True)
def objective_units(values, logq, pen, unit_type, unit_target):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Objective (floored survival) of a unit assignment."""
    z, _ = target_state(logq, unit_type, unit_target, values.shape[0])
    total = 0.0
    for j in range(values.shape[0]):
        total += values[j] * np.exp(z[j])
    for u in range(unit_type.shape[0]):
        if unit_target[u] >= 0:
            total += pen[unit_type[u]]
    return total


@njit(cache=True)
def greedy_fill(values, logq, pen, limits, unit_type, unit_target, order):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Maximum marginal return: fire the free units in ``order``-independent greedy fashion.

    Repeatedly fires the free round (of any type) at the target where it removes
    the most expected surviving value net of its cost, until no round gains.
    ``order`` lists the free units to consider; units already assigned stay.
    Ties go to the lower weapon type, then the lower target index.
    """
    m, n = logq.shape
    z, shots = target_state(logq, unit_type, unit_target, n)
    surv = np.empty(n)
    for j in range(n):
        surv[j] = values[j] * np.exp(z[j])
    # free units of each type, in the given order
    free = np.zeros(m, dtype=np.int64)
    for u in order:
        free[unit_type[u]] += 1
    stack_start = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        stack_start[i + 1] = stack_start[i] + free[i]
    fill = stack_start[:-1].copy()
    stack = np.empty(order.shape[0], dtype=np.int64)
    for u in order:
        i = unit_type[u]
        stack[fill[i]] = u
        fill[i] += 1
    used = np.zeros(m, dtype=np.int64)
    best_j = np.full(m, -1, dtype=np.int64)
    best_g = np.full(m, -np.inf)
    for i in range(m):
        if free[i] > 0:
            for j in range(n):
                if shots[j] < limits[j]:
                    g = surv[j] * (1.0 - np.exp(logq[i, j])) - pen[i]
                    if g > best_g[i]:
                        best_g[i] = g
                        best_j[i] = j
    while True:
        bi = -1
        bg = 0.0
        for i in range(m):
            if best_g[i] > bg:
                bg = best_g[i]
                bi = i
        if bi < 0:
            break
        j = best_j[bi]
        u = stack[stack_start[bi] + used[bi]]
        used[bi] += 1
        unit_target[u] = j
        z[j] += logq[bi, j]
        shots[j] += 1
        surv[j] = values[j] * np.exp(z[j])
        for i in range(m):
            if used[i] >= free[i]:
                best_g[i] = -np.inf
                best_j[i] = -1
                continue
            if best_j[i] != j:
                continue
            best_g[i] = -np.inf
            best_j[i] = -1
            for k in range(n):
                if shots[k] < limits[k]:
                    g = surv[k] * (1.0 - np.exp(logq[i, k])) - pen[i]
                    if g > best_g[i]:
                        best_g[i] = g
                        best_j[i] = k
    return unit_target


@njit(cache=True)
def local_search(values, logq, pen, limits, unit_type, unit_target, tol):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Move and swap rounds until no single move or pairwise swap gains more than ``tol``.

    A move sends one round to another target (or holds it); a swap exchanges
    the targets of two rounds of different types. Best move per round, rounds
    scanned in index order, so the result is deterministic. Returns the number
    of improving moves made.
    """
    m, n = logq.shape
    n_units = unit_type.shape[0]
    z, shots = target_state(logq, unit_type, unit_target, n)
    ez = np.empty(n)
    for j in range(n):
        ez[j] = values[j] * np.exp(z[j])
    # gain[i, k]: change in target k's surviving value from one more round of type i
    add = np.empty((m, n))
    for i in range(m):
        for k in range(n):
            add[i, k] = values[k] * np.exp(z[k] + logq[i, k]) - ez[k]
    moves = 0
    improved = True
    while improved:
        improved = False
        for u in range(n_units):
            i = unit_type[u]
            j = unit_target[u]
            rem = 0.0
            if j >= 0:
                rem = values[j] * np.exp(z[j] - logq[i, j]) - ez[j] - pen[i]
            best = -tol
            best_k = -2
            if j >= 0 and rem < best:
                best = rem
                best_k = -1
            for k in range(n):
                if k == j or shots[k] >= limits[k]:
                    continue
                d = rem + add[i, k] + pen[i]
                if d < best:
                    best = d
                    best_k = k
            if best_k == -2:
                continue
            moves += 1
            improved = True
            unit_target[u] = best_k
            for t in (j, best_k):
                if t < 0:
                    continue
                if t == j:
                    z[t] -= logq[i, t]
                    shots[t] -= 1
                else:
                    z[t] += logq[i, t]
                    shots[t] += 1
                ez[t] = values[t] * np.exp(z[t])
                for w in range(m):
                    add[w, t] = values[t] * np.exp(z[t] + logq[w, t]) - ez[t]
        for u in range(n_units):
            i = unit_type[u]
            j = unit_target[u]
            best = -tol
            best_v = -1
            for v in range(u + 1, n_units):
                k = unit_type[v]
                t = unit_target[v]
                if k == i or t == j:
                    continue
                d = 0.0
                if j >= 0:
                    d += values[j] * np.exp(z[j] - logq[i, j] + logq[k, j]) - ez[j]
                    d += pen[k] - pen[i]
                if t >= 0:
                    d += values[t] * np.exp(z[t] - logq[k, t] + logq[i, t]) - ez[t]
                    d += pen[i] - pen[k]
                if d < best:
                    best = d
                    best_v = v
            if best_v < 0:
                continue
            moves += 1
            improved = True
            v = best_v
            k = unit_type[v]
            t = unit_target[v]
            unit_target[u] = t
            unit_target[v] = j
            if j >= 0:
                z[j] += logq[k, j] - logq[i, j]
            if t >= 0:
                z[t] += logq[i, t] - logq[k, t]
            for s in (j, t):
                if s < 0:
                    continue
                ez[s] = values[s] * np.exp(z[s])
                for w in range(m):
                    add[w, s] = values[s] * np.exp(z[s] + logq[w, s]) - ez[s]
        if improved:  # refresh sums so rounding never drifts
            z, shots = target_state(logq, unit_type, unit_target, n)
            for j in range(n):
                ez[j] = values[j] * np.exp(z[j])
            for i in range(m):
                for k in range(n):
                    add[i, k] = values[k] * np.exp(z[k] + logq[i, k]) - ez[k]
    return moves


@njit(cache=True)
def ruin_recreate(values, logq, pen, limits, unit_type, unit_target, n_ruin, rng):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Free the rounds on ``n_ruin`` random targets plus as many random rounds, refill greedily.

    Changes ``unit_target`` in place; ``rng`` is a one-element SplitMix64 state.
    """
    n = values.shape[0]
    n_units = unit_type.shape[0]
    freed = np.zeros(n_units, dtype=np.bool_)
    for _ in range(n_ruin):
        t = _below(rng, n)
        for u in range(n_units):
            if unit_target[u] == t:
                freed[u] = True
        freed[_below(rng, n_units)] = True
    count = 0
    for u in range(n_units):
        if freed[u]:
            unit_target[u] = -1
            count += 1
    order = np.empty(count, dtype=np.int64)
    c = 0
    for u in range(n_units):
        if freed[u]:
            order[c] = u
            c += 1
    greedy_fill(values, logq, pen, limits, unit_type, unit_target, order)
