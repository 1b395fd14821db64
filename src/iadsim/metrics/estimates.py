"""Monte Carlo estimates with confidence intervals that stay inside what is possible.

A figure averaged over replications has a *support*: a count of threats leaked
is at least 0 and at most the number launched, a share lies in [0, 1], spend is
never negative. A Student-t interval ignores it and reads ``0.01 [-0.0013–0.021]``
when nearly every replication gives 0. Intervals here respect the support:

- **Means with a support** (:func:`mean_estimate`, :func:`mean_interval` with
  ``lower`` and optionally ``upper``): a *score interval* — the means ``mu`` not
  rejected by the test ``(mean - mu)^2 <= q^2 V(mu) / n`` — under the variance
  function that the support suggests: ``V(mu) = phi (mu - a)`` for values at least
  ``a`` (the quasi-Poisson form of counts), ``V(mu) = phi (mu - a)(b - mu) / (b - a)``
  for values in ``[a, b]`` (the quasi-binomial form, whose largest possible value
  at a given mean is the Bhatia–Davis bound). The dispersion ``phi`` is estimated
  from the replications (``phi = s^2 / V(mean)``, so the interval has the observed
  spread at the observed mean) and ``q`` is the Student-t quantile with ``n - 1``
  degrees of freedom. The interval is the pair of roots of a quadratic, in closed
  form from the running mean and sum of squared deviations, so a summary streamed
  over a million replications needs no per-replication values. Its ends always lie
  in the support and reach a bound only when the mean is on it; far from the
  bounds it is the Student-t interval shifted outwards by about ``h^2 / (2 (mean - a))``
  for a half-width ``h``; for 0/1 data in ``[0, 1]`` it is Wilson's interval (with
  ``q^2 / (n - 1)`` for Wilson's ``z^2 / n``). When nearly every replication gives
  0, it still widens upwards as a count's interval should (one leaker in 200
  nights: ``0.005 [0.0009–0.029]``, close to the exact Poisson ``[0.0001–0.028]``).
- **Shares of replications** (:func:`proportion_estimate`,
  :func:`proportion_interval`): Wilson's score interval.
- **Means without a support** (differences between paired runs, which may be
  negative): the Student-t interval.

When every replication gives the same value, the interval is that value: the
replications show no spread to measure (an event seen in none of ``n``
replications can still happen, at a rate per replication of up to about
``3.7 / n``: the Wilson interval of a share shows it). With one replication the
interval is undefined (NaN bounds, JSON ``null``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Estimate",
    "mean_estimate",
    "mean_interval",
    "proportion_estimate",
    "proportion_interval",
    "score_bounds",
    "student_quantile",
    "upper_limit",
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


@lru_cache(maxsize=256)
def student_quantile(probability: float, dof: int) -> float:
    """The Student-t quantile: ``P(T <= q) = probability`` with ``dof`` degrees of freedom."""
    from scipy.stats import t as student_t

    return float(student_t.ppf(probability, dof))


def score_bounds(
    mean: float,
    variance: float,
    n: int,
    q: float,
    lower: float,
    upper: float = math.inf,
) -> tuple[float, float]:
    """Ends of the score interval of a mean of ``n`` values in ``[lower, upper]``.

    ``variance`` is the sample variance (``n - 1`` in the denominator) and ``q``
    the quantile (two-sided: ``t(0.5 + confidence / 2)``; for a one-sided limit
    ``t(confidence)`` and take one end). The means ``mu`` kept are those with
    ``(mean - mu)^2 <= q^2 phi V(mu) / n``, where ``V(mu) = mu - lower`` if
    ``upper`` is infinite, else ``(mu - lower)(upper - mu) / (upper - lower)``, and
    ``phi = variance / V(mean)``. Both ends are in ``[lower, upper]``. With no
    spread (``variance <= 0``) both ends are the mean.
    """
    if not upper > lower:
        return mean, mean
    width = upper - lower
    m = min(max(mean - lower, 0.0), width)  # the mean above the lower bound
    if variance <= 0.0 or m <= 0.0 or m >= width:
        return mean, mean
    v_mean = m if math.isinf(width) else m * (width - m) / width
    k = q * q * variance / (n * v_mean)  # q^2 phi / n
    if math.isinf(width):
        # (m - y)^2 = k y:  y^2 - (2m + k) y + m^2 = 0
        hi = m + k / 2.0 + math.sqrt(m * k + k * k / 4.0)
        lo = m * m / hi  # the product of the roots is m^2 (no cancellation)
    else:
        # (m - y)^2 = k y (w - y) / w:  (1 + k/w) y^2 - (2m + k) y + m^2 = 0
        a = 1.0 + k / width
        disc = k * k + 4.0 * m * k * (1.0 - m / width)
        hi = min((2.0 * m + k + math.sqrt(max(disc, 0.0))) / (2.0 * a), width)
        lo = m * m / (a * hi)
    return lower + max(lo, 0.0), lower + hi


def _student(mean: float, m2: float, n: int, q: float) -> tuple[float, float]:
    half = q * math.sqrt(max(m2, 0.0) / (n - 1)) / math.sqrt(n)
    return mean - half, mean + half


def mean_estimate(
    mean: float,
    m2: float,
    n: int,
    confidence: float = 0.95,
    *,
    lower: float | None = None,
    upper: float = math.inf,
) -> Estimate:
    """A mean with its confidence interval, from running moments.

    Args:
        mean: the mean of the ``n`` values.
        m2: their sum of squared deviations from the mean.
        n: how many values (replications).
        confidence: two-sided level.
        lower: the least value possible (``0`` for counts, spend, value lost):
            gives the score interval described in this module's docstring, inside
            ``[lower, upper]``. ``None`` (the default) for a figure without one,
            such as a paired difference: the Student-t interval.
        upper: the largest value possible (threats launched, for those leaked).

    With no spread the interval is the mean itself; with one replication it
    is undefined (NaN bounds).
    """
    if n < 2 or math.isnan(mean):
        return Estimate(mean, math.nan, math.nan)
    q = student_quantile(0.5 + confidence / 2.0, n - 1)
    if lower is None:
        lo, hi = _student(mean, m2, n, q)
    else:
        lo, hi = score_bounds(mean, max(m2, 0.0) / (n - 1), n, q, lower, upper)
    return Estimate(mean, lo, hi)


def upper_limit(
    samples: ArrayLike, confidence: float, *, lower: float | None = 0.0, upper: float = math.inf
) -> float:
    """One-sided upper confidence limit of the mean of ``samples``.

    The upper end of the two-sided interval at level ``2 confidence - 1``: the score
    limit of :func:`score_bounds` for values at least ``lower`` (at most ``upper``),
    or the Student-t limit with ``lower=None``. With one sample, the sample itself.
    """
    x = np.asarray(samples, dtype=float)
    n = int(x.shape[0])
    if n == 0:
        return math.nan
    mean = float(x.mean())
    if n < 2:
        return mean
    m2 = float(((x - mean) ** 2).sum())
    q = student_quantile(confidence, n - 1)
    if lower is None:
        return _student(mean, m2, n, q)[1]
    lo_obs, hi_obs = float(x.min()), float(x.max())
    return score_bounds(mean, m2 / (n - 1), n, q, min(lower, lo_obs), max(upper, hi_obs))[1]


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


def mean_interval(
    samples: ArrayLike,
    confidence: float = 0.95,
    *,
    lower: float | None = None,
    upper: float = math.inf,
) -> Estimate:
    """Mean of per-replication values with its confidence interval.

    With ``lower`` (and ``upper``), the score interval inside the support (see
    :func:`mean_estimate`); a value outside the support given widens it to the
    values seen, so a wrong bound cannot exclude the data. Without, Student-t.
    """
    x = np.asarray(samples, dtype=float)
    n = int(x.shape[0])
    mean = float(x.mean()) if n else math.nan
    m2 = float(((x - mean) ** 2).sum()) if n else 0.0
    if lower is not None and n:
        lower = min(lower, float(x.min()))
        upper = max(upper, float(x.max()))
    return mean_estimate(mean, m2, n, confidence, lower=lower, upper=upper)


def proportion_interval(samples: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Share of replications where an event happened, with a Wilson score interval."""
    x = np.asarray(samples, dtype=float)
    return proportion_estimate(
        float(x.mean()) if x.shape[0] else math.nan, int(x.shape[0]), confidence
    )
