"""Metrics: leakage, kills by layer, shots, spend and the cost-exchange ratio, with intervals."""

from iadsim.metrics.estimates import (
    Estimate,
    mean_estimate,
    mean_interval,
    proportion_estimate,
    proportion_interval,
)
from iadsim.metrics.summary import Accumulator, Summary, per_replication, summarize

__all__ = [
    "Accumulator",
    "Estimate",
    "Summary",
    "mean_estimate",
    "mean_interval",
    "per_replication",
    "proportion_estimate",
    "proportion_interval",
    "summarize",
]
