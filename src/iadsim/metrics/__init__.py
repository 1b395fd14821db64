"""Metrics: leakage, kills by layer, shots, spend and the cost-exchange ratio, with intervals.

Intervals stay inside what is possible (see :mod:`iadsim.metrics.estimates`).
"""

from iadsim.metrics.estimates import (
    Estimate,
    mean_estimate,
    mean_interval,
    proportion_estimate,
    proportion_interval,
    score_bounds,
    upper_limit,
)
from iadsim.metrics.replicates import (
    REPLICATE_COLUMNS,
    replicate_totals,
    total_estimates,
)
from iadsim.metrics.summary import Accumulator, Summary, per_replication, summarize, supports

__all__ = [
    "REPLICATE_COLUMNS",
    "Accumulator",
    "Estimate",
    "Summary",
    "mean_estimate",
    "mean_interval",
    "per_replication",
    "proportion_estimate",
    "proportion_interval",
    "replicate_totals",
    "score_bounds",
    "summarize",
    "supports",
    "total_estimates",
    "upper_limit",
]
