"""Monte Carlo estimates with confidence intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Estimate",
    "mean_estimate",
    "mean_interval",
    "proportion_estimate",
    "proportion_interval",
]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo mean with its confidence interval ``[lo, hi]``.

    ``lo`` and ``hi`` are NaN when the interval is undefined (one replication).
    """

    mean: float
    lo: float
    hi: float

    def to_dict(self) -> dict[str, Any]:
        """``{mean, lo, hi}``, with ``None`` for an undefined bound (JSON null)."""
        return {
            k: (None if math.isnan(v) else v)
            for k, v in (("mean", self.mean), ("lo", self.lo), ("hi", self.hi))
        }

    def contains(self, value: float) -> bool:
        """True if ``value`` lies inside the interval."""
        return self.lo <= value <= self.hi


def mean_estimate(mean: float, m2: float, n: int, confidence: float = 0.95) -> Estimate:
    """Student-t interval from running moments: mean and sum of squared deviations ``m2``.

    With zero spread the interval is the mean itself; with one replication it
    is undefined (NaN bounds).
    """
    if n < 2 or math.isnan(mean):
        return Estimate(mean, math.nan, math.nan)
    from scipy.stats import t as student_t

    sd = math.sqrt(max(m2, 0.0) / (n - 1))
    half = float(student_t.ppf(0.5 + confidence / 2.0, n - 1)) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half)


def proportion_estimate(p: float, n: int, confidence: float = 0.95) -> Estimate:
    """Wilson score interval for a share ``p`` observed in ``n`` replications.

    Unlike the normal interval, Wilson's stays inside [0, 1] and does not
    collapse to a point when every replication agrees.
    """
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2.0))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half))


def mean_interval(samples: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Mean of per-replication values with a Student-t confidence interval."""
    x = np.asarray(samples, dtype=float)
    mean = float(x.mean()) if x.shape[0] else math.nan
    m2 = float(((x - mean) ** 2).sum()) if x.shape[0] else 0.0
    return mean_estimate(mean, m2, int(x.shape[0]), confidence)


def proportion_interval(samples: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Share of replications where an event happened, with a Wilson score interval."""
    x = np.asarray(samples, dtype=float)
    return proportion_estimate(
        float(x.mean()) if x.shape[0] else math.nan, int(x.shape[0]), confidence
    )
