"""Monte Carlo estimates with confidence intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Estimate", "mean_interval", "proportion_interval"]


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


def mean_interval(samples: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Mean of per-replication values with a Student-t confidence interval.

    With zero spread the interval is the mean itself; with one replication it
    is undefined (NaN bounds).
    """
    x = np.asarray(samples, dtype=float)
    n = x.shape[0]
    mean = float(x.mean()) if n else math.nan
    if n < 2:
        return Estimate(mean, math.nan, math.nan)
    from scipy.stats import t as student_t

    half = float(student_t.ppf(0.5 + confidence / 2.0, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half)


def proportion_interval(samples: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Share of replications where an event happened, with a Wilson score interval.

    Unlike the normal interval, Wilson's stays inside [0, 1] and does not
    collapse to a point when every replication agrees.
    """
    x = np.asarray(samples, dtype=float)
    n = x.shape[0]
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    from scipy.stats import norm

    p = float(x.mean())
    z = float(norm.ppf(0.5 + confidence / 2.0))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half))
