"""Conversion between shot matrices and lists of single rounds, as the kernels use them."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.wta.problem import Problem

__all__ = ["KernelArrays", "kernel_arrays", "to_matrix", "to_units"]


class KernelArrays:
    """The arrays that the Numba kernels take, built once per problem.

    Attributes:
        values: target values (n,).
        logq: ln(1 - p) floored, (m, n).
        pen: lambda x cost per round of each type (m,).
        limits: shot limit of each target, or the total number of rounds when unlimited (n,).
        unit_type: weapon type of each round, types in index order (U,).
    """

    def __init__(self, problem: Problem) -> None:
        self.values = np.ascontiguousarray(problem.values)
        self.logq = np.ascontiguousarray(problem.log_survival())
        self.pen = np.ascontiguousarray(problem.cost_weight * problem.costs)
        total = int(problem.counts.sum())
        if problem.shot_limits is None:
            self.limits = np.full(problem.n_targets, total + 1, dtype=np.int64)
        else:
            self.limits = np.ascontiguousarray(problem.shot_limits, dtype=np.int64)
        self.may_hold = problem.has_costs or problem.shot_limits is not None
        """Whether holding a round back can ever be best (costs or shot limits)."""
        self.unit_type = np.repeat(np.arange(problem.n_weapons, dtype=np.int64), problem.counts)


def kernel_arrays(problem: Problem) -> KernelArrays:
    """The kernel arrays of ``problem``."""
    return KernelArrays(problem)


def to_matrix(
    problem: Problem, unit_type: NDArray[np.int64], unit_target: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Shot matrix x (m, n) of a unit assignment (unfired rounds are dropped)."""
    x = np.zeros((problem.n_weapons, problem.n_targets), dtype=np.int64)
    fired = unit_target >= 0
    np.add.at(x, (unit_type[fired], unit_target[fired]), 1)
    return x


def to_units(x: NDArray[np.integer], unit_type: NDArray[np.int64]) -> NDArray[np.int64]:
    """Unit targets (-1: not fired) of a shot matrix, rounds of each type in target order."""
    unit_target = np.full(unit_type.shape[0], -1, dtype=np.int64)
    start = 0
    for i in range(x.shape[0]):
        count = int(np.sum(unit_type == i))
        targets = np.repeat(np.arange(x.shape[1], dtype=np.int64), x[i])
        unit_target[start : start + len(targets)] = targets
        start += count
    return unit_target
