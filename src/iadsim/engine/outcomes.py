"""Outcomes: what happened in each replication, as arrays with a leading replication axis."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

__all__ = ["ARRAYS", "Fate", "Outcomes"]


class Fate(IntEnum):
    """How a threat's flight ended."""

    AIRBORNE = 0
    """Not resolved (never seen in a finished replication)."""
    DESTROYED = 1
    """Killed by a fire unit (``cause`` is the unit)."""
    LOST_TO_EW = 2
    """Defeated by electronic warfare (``cause`` is the EW site)."""
    LEAKED = 3
    """Reached its aim point (``cause`` is -1; ``hit`` says whether it destroyed the asset)."""


ARRAYS = ("fate", "time", "cause", "hit", "shots", "engagements", "asset_destroyed")
"""The per-replication arrays of :class:`Outcomes`, in a fixed order."""


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Per-replication results of :func:`iadsim.engine.simulate`.

    Row ``r`` of every array belongs to replication ``replications[r]``.
    """

    seed: int
    replications: NDArray[np.int64]
    """Replication index of each row."""
    fate: NDArray[np.int8]
    """[R, T] :class:`Fate` of each threat."""
    time: NDArray[np.float64]
    """[R, T] seconds after the start at which the fate was sealed."""
    cause: NDArray[np.int32]
    """[R, T] fire unit that killed or jammed the threat, or -1."""
    hit: NDArray[np.bool_]
    """[R, T] the threat leaked and destroyed its target."""
    shots: NDArray[np.int32]
    """[R, F] rounds fired by each fire unit."""
    engagements: NDArray[np.int32]
    """[R, F] engagements (salvos) by each fire unit."""
    asset_destroyed: NDArray[np.bool_]
    """[R, A] whether each asset was destroyed."""

    @classmethod
    def empty(
        cls, seed: int, replications: NDArray[np.int64], n_threats: int, n_units: int, n_assets: int
    ) -> Outcomes:
        """Arrays for ``len(replications)`` replications, all threats airborne."""
        r = len(replications)
        return cls(
            seed=seed,
            replications=np.asarray(replications, dtype=np.int64),
            fate=np.zeros((r, n_threats), dtype=np.int8),
            time=np.zeros((r, n_threats), dtype=np.float64),
            cause=np.full((r, n_threats), -1, dtype=np.int32),
            hit=np.zeros((r, n_threats), dtype=np.bool_),
            shots=np.zeros((r, n_units), dtype=np.int32),
            engagements=np.zeros((r, n_units), dtype=np.int32),
            asset_destroyed=np.zeros((r, n_assets), dtype=np.bool_),
        )

    def __len__(self) -> int:
        return int(self.replications.shape[0])

    def equals(self, other: Outcomes) -> bool:
        """True if every array is identical (bit for bit) to ``other``'s."""
        return self.seed == other.seed and all(
            np.array_equal(getattr(self, n), getattr(other, n)) for n in ("replications", *ARRAYS)
        )
