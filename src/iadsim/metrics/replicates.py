"""Per-replication totals: one row per replication (night), as the store keeps them.

The :class:`~iadsim.metrics.Summary` holds means with intervals; these are the
values those means are taken over, for histograms, quantiles and the report's
headline figures. The same columns are stored beside a run's outcomes
(:meth:`iadsim.store.Store.replicates`) and returned by
:func:`iadsim.api.run_replicates`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario
from iadsim.engine import Fate, Outcomes
from iadsim.metrics.estimates import Estimate, mean_interval

__all__ = ["FATE_TOTALS", "REPLICATE_COLUMNS", "replicate_totals", "total_estimates"]

REPLICATE_COLUMNS = {
    "launched": "threats launched",
    "destroyed": "threats destroyed by fire units",
    "lost_to_ew": "threats defeated by EW",
    "leaked": "threats that reached their aim point",
    "hits": "leakers that destroyed their target",
    "rounds": "rounds fired by all fire units",
    "defender_cost": "defender spend, US dollars",
    "exchange_ratio": "defender spend / attacker spend",
    "value_lost": "value of the assets destroyed",
    "assets_destroyed": "assets destroyed",
}
"""Per-replicate totals: column name → meaning."""

FATE_TOTALS = ("destroyed", "lost_to_ew", "leaked")
"""The totals over every threat kind that :func:`total_estimates` gives intervals for."""


def replicate_totals(compiled: CompiledScenario, o: Outcomes) -> dict[str, np.ndarray]:
    """Each :data:`REPLICATE_COLUMNS` total for each row of ``o`` (one array per column)."""
    spend = (o.shots * compiled.unit_cost[None, :]).sum(axis=1)
    attacker = float(compiled.class_cost[compiled.threat_class].sum())
    return {
        "launched": np.full(len(o), compiled.n_threats, dtype=np.int32),
        "destroyed": (o.fate == Fate.DESTROYED).sum(axis=1).astype(np.int32),
        "lost_to_ew": (o.fate == Fate.LOST_TO_EW).sum(axis=1).astype(np.int32),
        "leaked": (o.fate == Fate.LEAKED).sum(axis=1).astype(np.int32),
        "hits": o.hit.sum(axis=1).astype(np.int32),
        "rounds": o.shots.sum(axis=1).astype(np.int64),
        "defender_cost": spend.astype(np.float64),
        "exchange_ratio": spend / attacker if attacker > 0 else np.full(len(o), np.nan),
        "value_lost": (o.asset_destroyed * compiled.asset_value[None, :]).sum(axis=1),
        "assets_destroyed": o.asset_destroyed.sum(axis=1).astype(np.int32),
    }


def total_estimates(replicates: Any, confidence: float = 0.95) -> dict[str, Estimate]:
    """Destroyed, lost to EW and leaked over all threat kinds, each mean with its interval.

    ``replicates`` is a table with the :data:`REPLICATE_COLUMNS` (a DataFrame or a
    mapping of column to values); each interval lies in [0, threats launched].
    With no rows, every estimate is NaN.
    """
    launched_values = np.asarray(replicates["launched"], dtype=float)
    launched = float(launched_values.max()) if len(launched_values) else math.inf
    out = {}
    for name in FATE_TOTALS:
        values = np.asarray(replicates[name], dtype=float)
        out[name] = mean_interval(values, confidence, lower=0.0, upper=launched)
    return out
