"""Very-large-scale neighbourhood: re-insert one round per target by a linear assignment.

Take one round off every target that has one (plus every round held back),
then put the freed rounds back with at most one freed round per target, the
best way overall. Given the rounds that stay, the cost of each re-insertion
is exact and independent of the others, so this is a linear assignment
problem, solved exactly by :func:`scipy.optimize.linear_sum_assignment`. It
searches every cyclic and path exchange among the freed rounds at once (the
neighbourhood of Ahuja, Kumar, Jha and Orlin 2007, searched here exactly
rather than by negative-cycle detection).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from iadsim.wta.units import KernelArrays

__all__ = ["exchange_pass"]


def exchange_pass(
    a: KernelArrays, unit_target: NDArray[np.int64], rotation: int, tol: float, width: int = 0
) -> bool:
    """One assignment exchange; ``rotation`` picks which round leaves a target with several.

    Each freed round may go to its ``width`` best targets or back where it was
    (0: every target; a dense assignment then, slower past a few hundred rounds).
    Changes ``unit_target`` in place and returns whether the objective fell by more than ``tol``.
    """
    n = a.values.shape[0]
    freed = np.zeros(unit_target.shape[0], dtype=bool)
    freed[unit_target < 0] = True
    assigned = np.flatnonzero(unit_target >= 0)
    if assigned.size:
        targets = unit_target[assigned]
        order = np.lexsort((assigned, targets))
        sorted_targets = targets[order]
        first = np.searchsorted(sorted_targets, sorted_targets, side="left")
        last = np.searchsorted(sorted_targets, sorted_targets, side="right")
        rank = np.arange(len(order)) - first
        size = last - first
        pick = rank == (rotation % size)
        freed[assigned[order[pick]]] = True
    units = np.flatnonzero(freed)
    if not units.size:
        return False
    types = a.unit_type[units]
    stay = unit_target.copy()
    stay[units] = -1
    z = np.zeros(n)
    shots = np.zeros(n, dtype=np.int64)
    kept = stay >= 0
    np.add.at(z, stay[kept], a.logq[a.unit_type[kept], stay[kept]])
    np.add.at(shots, stay[kept], 1)
    level = a.values * np.exp(z)
    before = level.sum() + a.pen[a.unit_type[kept]].sum()
    cost = level[None, :] * np.expm1(a.logq[types]) + a.pen[types][:, None]
    cost[:, shots >= a.limits] = np.inf
    rows, cols, total = _match(cost, unit_target[units], a.may_hold or len(units) > n, width)
    new = np.where(cols < n, cols, -1)
    after = before + total
    old_obj = before + _insert_cost(level, a, types, unit_target[units])
    if after < old_obj - tol:
        unit_target[units[rows]] = new
        return True
    return False


def _insert_cost(
    level: NDArray[np.float64],
    a: KernelArrays,
    types: NDArray[np.int64],
    targets: NDArray[np.int64],
) -> float:
    fired = targets >= 0
    return float(
        (level[targets[fired]] * np.expm1(a.logq[types[fired], targets[fired]])).sum()
        + a.pen[types[fired]].sum()
    )


def _match(
    cost: NDArray[np.float64], old: NDArray[np.int64], hold: bool, width: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], float]:
    """Cheapest assignment of rows to columns (column n + r: row r held back)."""
    k, n = cost.shape
    finite = np.where(np.isfinite(cost), cost, 1e300)
    if width <= 0 or width >= n:
        full = np.concatenate([finite, np.zeros((k, k))], axis=1) if hold else finite
        rows, cols = linear_sum_assignment(full)
        return rows, cols, float(full[rows, cols].sum())
    best = np.argpartition(finite, width - 1, axis=1)[:, :width]
    col_lists = [best, np.where(old >= 0, old, best[:, 0])[:, None]]
    if hold:
        col_lists.append((n + np.arange(k))[:, None])
    cols_all = np.concatenate(col_lists, axis=1)
    rows_all = np.repeat(np.arange(k), cols_all.shape[1])
    cols_flat = cols_all.ravel()
    weight = np.where(cols_flat < n, finite[rows_all, np.minimum(cols_flat, n - 1)], 0.0)
    keep = weight < 1e299
    pairs = np.unique(np.stack([rows_all[keep], cols_flat[keep]]), axis=1)
    weight = np.where(pairs[1] < n, finite[pairs[0], np.minimum(pairs[1], n - 1)], 0.0)
    shift = weight.min() - 1.0  # positive weights: zeros would vanish from a sparse matrix
    graph = csr_matrix((weight - shift, (pairs[0], pairs[1])), shape=(k, n + k if hold else n))
    try:
        match = min_weight_full_bipartite_matching(graph)
    except ValueError:  # no full matching within the candidates: keep things as they are
        return (
            np.arange(k),
            np.where(old >= 0, old, n + np.arange(k)),
            float(np.where(old >= 0, finite[np.arange(k), np.maximum(old, 0)], 0.0).sum()),
        )
    rows, cols = match
    total = np.where(cols < n, finite[rows, np.minimum(cols, n - 1)], 0.0).sum()
    return rows, cols, float(total)
