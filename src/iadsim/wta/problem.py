"""The static weapon-target assignment (WTA) problem and its objective."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.wta.limits import MAX_PAIRS, MAX_ROUNDS

__all__ = ["LOG_FLOOR", "Problem"]

LOG_FLOOR = -40.0
"""Floor on ln(1 - p) used inside solvers: a certain kill (p = 1) counts as e^-40 survival."""


def _whole(name: str, raw: Any, *, cap: int | None = None) -> NDArray[np.int64]:
    """``raw`` as int64 whole numbers >= 0, checked before conversion (no silent wrap-around).

    Values above ``cap`` are clipped to it (for shot limits, where any limit above
    the total number of rounds means the same as none).
    """
    array = np.asarray(raw)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        try:
            array = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{name} must be whole numbers >= 0") from None
    floats = np.issubdtype(array.dtype, np.floating)
    if floats and not (np.all(np.isfinite(array)) and np.all(array == np.floor(array))):
        raise ValueError(f"{name} must be whole numbers >= 0 (no NaN or infinity)")
    if np.any(array < 0):
        raise ValueError(f"{name} must be whole numbers >= 0")
    if cap is not None:
        array = np.minimum(array, cap)
    elif np.any(array > MAX_ROUNDS):
        raise ValueError(f"{name} must be at most {MAX_ROUNDS:,} each")
    return np.ascontiguousarray(array, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Problem:
    """One static WTA instance: weapon types with counts against targets with values.

    Choose integer shots ``x[i, j] >= 0`` (rounds of weapon type ``i`` at target
    ``j``) with ``sum_j x[i, j] <= counts[i]`` and, if given,
    ``sum_i x[i, j] <= shot_limits[j]``, to minimise

        sum_j values[j] * prod_i (1 - pk[i, j]) ** x[i, j]
        + cost_weight * sum_ij costs[i] * x[i, j]

    the expected surviving target value plus ``cost_weight`` times the money spent.
    Shots are independent. Without costs every weapon is worth firing, so optimal
    solutions fire every round that the shot limits allow.

    Attributes:
        values: target values V_j, shape (n,), non-negative (any unit, e.g. asset value).
        pk: kill probability p_ij of one round of type i at target j, shape (m, n), in [0, 1].
        counts: rounds available of each weapon type, shape (m,), non-negative integers.
        costs: cost of one round of each type, shape (m,) (e.g. US dollars); zero by default.
        cost_weight: lambda, value units per cost unit; 0 means costs are ignored.
        shot_limits: most rounds that may be fired at each target, shape (n,); None: no limit.
            A limit above the total number of rounds is stored as that total (the same).
        name: a label for reports.

    Limits (:mod:`iadsim.wta.limits`): m x n at most 1,000,000 pairs and at most
    100,000 rounds in all; every number finite. Breaking one raises ``ValueError``.
    """

    values: NDArray[np.float64]
    pk: NDArray[np.float64]
    counts: NDArray[np.int64]
    costs: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    cost_weight: float = 0.0
    shot_limits: NDArray[np.int64] | None = None
    name: str = "wta"

    def __post_init__(self) -> None:
        values = np.ascontiguousarray(self.values, dtype=np.float64)
        pk = np.ascontiguousarray(self.pk, dtype=np.float64)
        counts = _whole("weapon counts", self.counts)
        if values.ndim != 1 or pk.ndim != 2 or counts.ndim != 1:
            raise ValueError("values and counts must be 1-D and pk 2-D")
        m, n = pk.shape
        if m < 1 or n < 1:
            raise ValueError(f"pk must have at least one row and one column, not {pk.shape}")
        if m * n > MAX_PAIRS:
            raise ValueError(
                f"{m:,} weapon types x {n:,} targets is more than the limit of {MAX_PAIRS:,} pairs"
            )
        if values.shape != (n,) or counts.shape != (m,):
            raise ValueError(
                f"shapes disagree: pk is {pk.shape}, values {values.shape}, counts {counts.shape}"
            )
        total = int(counts.sum())
        if total > MAX_ROUNDS:
            raise ValueError(
                f"weapon counts add up to {total:,} rounds, more than the limit of {MAX_ROUNDS:,}"
            )
        costs = np.ascontiguousarray(self.costs, dtype=np.float64)
        if costs.size == 0:
            costs = np.zeros(m)
        if costs.shape != (m,):
            raise ValueError(f"costs must have shape ({m},), not {costs.shape}")
        if not (np.all(np.isfinite(values)) and np.all(values >= 0)):
            raise ValueError("target values must be finite and non-negative")
        with np.errstate(over="ignore"):
            overflow = not np.isfinite(values.sum())
        if overflow:
            raise ValueError("target values (`values`) add up to more than the largest float")
        if not (np.all(np.isfinite(pk)) and np.all((pk >= 0) & (pk <= 1))):
            raise ValueError("kill probabilities must lie in [0, 1]")
        if not (np.all(np.isfinite(costs)) and np.all(costs >= 0)):
            raise ValueError("costs must be finite and non-negative")
        if not (np.isfinite(self.cost_weight) and self.cost_weight >= 0):
            raise ValueError("cost_weight must be finite and non-negative")
        with np.errstate(over="ignore"):
            overflow = not np.isfinite(self.cost_weight * float(costs @ counts))
        if overflow:
            raise ValueError("cost_weight x costs of all rounds is more than the largest float")
        limits = self.shot_limits
        if limits is not None:
            limits = _whole("shot_limits", limits, cap=total)
            if limits.shape != (n,):
                raise ValueError(f"shot_limits must be {n} non-negative integers")
            limits.setflags(write=False)
        for array in (values, pk, counts, costs):
            array.setflags(write=False)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "pk", pk)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "shot_limits", limits)
        object.__setattr__(self, "cost_weight", float(self.cost_weight))

    @property
    def n_weapons(self) -> int:
        """Number of weapon types m."""
        return int(self.pk.shape[0])

    @property
    def n_targets(self) -> int:
        """Number of targets n."""
        return int(self.pk.shape[1])

    @property
    def has_costs(self) -> bool:
        """Whether per-shot costs enter the objective."""
        return self.cost_weight > 0 and bool(np.any(self.costs > 0))

    def log_survival(self) -> NDArray[np.float64]:
        """ln(1 - p_ij), floored at ``LOG_FLOOR`` so that certain kills stay finite."""
        with np.errstate(divide="ignore"):
            out = np.log1p(-self.pk)
        return np.maximum(out, LOG_FLOOR)

    def shot_cap(self) -> NDArray[np.int64]:
        """Most rounds of type i that target j can usefully take: min(count_i, limit_j)."""
        cap = np.broadcast_to(self.counts[:, None], self.pk.shape).copy()
        if self.shot_limits is not None:
            cap = np.minimum(cap, self.shot_limits[None, :])
        return cap

    def survival(self, x: NDArray[np.integer]) -> NDArray[np.float64]:
        """Survival probability of each target under shots ``x`` (exact, no floor)."""
        x = np.asarray(x)
        return np.prod(np.power(1.0 - self.pk, x), axis=0)

    def objective(self, x: NDArray[np.integer]) -> float:
        """Expected surviving value plus cost_weight x cost of shots ``x`` (shape (m, n))."""
        x = np.asarray(x)
        damage = float(self.values @ self.survival(x))
        if self.cost_weight > 0:
            damage += self.cost_weight * float(self.costs @ x.sum(axis=1))
        return damage

    def is_feasible(self, x: NDArray[np.integer]) -> bool:
        """Whether ``x`` is a non-negative integer (m, n) matrix within counts and limits."""
        x = np.asarray(x)
        if x.shape != self.pk.shape or not np.issubdtype(x.dtype, np.integer):
            return False
        if np.any(x < 0) or np.any(x.sum(axis=1) > self.counts):
            return False
        return self.shot_limits is None or not np.any(x.sum(axis=0) > self.shot_limits)
