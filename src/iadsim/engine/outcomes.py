"""Outcomes: what happened in each replication, as arrays with a leading replication axis."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from iadsim.compile import CompiledScenario

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

    def to_frame(
        self,
        compiled: CompiledScenario | None = None,
        *,
        table: Literal["threats", "units", "assets"] = "threats",
    ) -> Any:
        """The outcomes as a long ``pandas.DataFrame``, one row per replication and entity.

        ``table="threats"`` (default): ``replication``, ``threat`` (index), ``fate``
        (its name: destroyed, lost_to_ew, leaked, airborne), ``time_s`` (seconds after
        the start at which the fate was sealed), ``cause`` (fire-unit index, -1 for
        none) and ``hit``. ``"units"``: ``replication``, ``unit``, ``shots`` (rounds)
        and ``engagements``. ``"assets"``: ``replication``, ``asset``, ``destroyed``.

        With ``compiled`` (the scenario these outcomes are of), the names are added:
        a threat's ``threat_class``, ``kind``, ``raid`` and ``target`` (asset id) and
        the ``cause_unit`` id; a unit's ``unit_id`` and ``unit_class``; an asset's
        ``asset_id``.
        """
        import pandas as pd

        if table == "threats":
            rows, n = self.fate.shape
            frame = pd.DataFrame(
                {
                    "replication": np.repeat(self.replications, n),
                    "threat": np.tile(np.arange(n, dtype=np.int64), rows),
                    "fate": pd.Categorical.from_codes(
                        self.fate.reshape(-1).astype(np.int64),
                        [f.name.lower() for f in Fate],
                    ),
                    "time_s": self.time.reshape(-1),
                    "cause": self.cause.reshape(-1),
                    "hit": self.hit.reshape(-1),
                }
            )
            if compiled is not None:
                index = frame["threat"].to_numpy()
                cls = np.asarray(compiled.threat_class)[index]
                frame["threat_class"] = np.asarray(compiled.class_names, dtype=object)[cls]
                frame["kind"] = np.asarray(compiled.class_kind, dtype=object)[cls]
                frame["raid"] = np.asarray(compiled.threat_raid)[index]
                targets = np.asarray(compiled.asset_ids, dtype=object)
                aim = np.asarray(compiled.threat_target)[index]
                frame["target"] = (
                    np.where(aim >= 0, targets[np.maximum(aim, 0)], None) if len(targets) else None
                )
                units = np.asarray(compiled.unit_ids, dtype=object)
                cause = frame["cause"].to_numpy()
                frame["cause_unit"] = (
                    np.where(cause >= 0, units[np.maximum(cause, 0)], None) if len(units) else None
                )
            return frame
        if table == "units":
            rows, n = self.shots.shape
            frame = pd.DataFrame(
                {
                    "replication": np.repeat(self.replications, n),
                    "unit": np.tile(np.arange(n, dtype=np.int64), rows),
                    "shots": self.shots.reshape(-1),
                    "engagements": self.engagements.reshape(-1),
                }
            )
            if compiled is not None:
                index = frame["unit"].to_numpy()
                frame["unit_id"] = np.asarray(compiled.unit_ids, dtype=object)[index]
                frame["unit_class"] = np.asarray(compiled.unit_class, dtype=object)[index]
            return frame
        if table == "assets":
            rows, n = self.asset_destroyed.shape
            frame = pd.DataFrame(
                {
                    "replication": np.repeat(self.replications, n),
                    "asset": np.tile(np.arange(n, dtype=np.int64), rows),
                    "destroyed": self.asset_destroyed.reshape(-1),
                }
            )
            if compiled is not None:
                index = frame["asset"].to_numpy()
                frame["asset_id"] = np.asarray(compiled.asset_ids, dtype=object)[index]
            return frame
        raise ValueError(f"table must be threats, units or assets, got {table!r}")
