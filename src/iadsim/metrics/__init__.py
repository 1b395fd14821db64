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
from iadsim.metrics.summary import Accumulator, Summary, per_replication, summarize, supports

__all__ = [
    "Accumulator",
    "Estimate",
    "Summary",
    "mean_estimate",
    "mean_interval",
    "per_replication",
    "proportion_estimate",
    "proportion_interval",
    "score_bounds",
    "summarize",
    "supports",
    "upper_limit",
]
