"""Metrics: leakage, kills by layer, shots, spend and the cost-exchange ratio, with intervals."""

from iadsim.metrics.estimates import Estimate, mean_interval, proportion_interval
from iadsim.metrics.summary import Summary, summarize

__all__ = ["Estimate", "Summary", "mean_interval", "proportion_interval", "summarize"]
