"""Scores of a forecast given as samples: coverage, interval score, CRPS, bias, PIT.

Every function takes predictive samples ``x`` ``[S]`` (or ``[S, T]`` for ``T``
targets at once) and the reported value ``y`` (``[T]``). The values are shares
of the launched threats (destroyed, lost to EW or leaked, divided by launched),
so that months and nights of any size score on one scale.

- **Central intervals** at level ``L`` are the sample quantiles ``(1 - L) / 2``
  and ``(1 + L) / 2``.
- **Interval score** (Gneiting and Raftery 2007, eq. 43) of the central
  ``(1 - a)`` interval ``[l, u]``: ``(u - l) + (2 / a) (l - y)`` if ``y < l``,
  ``+ (2 / a) (y - u)`` if ``y > u``. Lower is better; it rewards narrow
  intervals and punishes misses in proportion to their size.
- **CRPS** from samples: ``E|X - y| - E|X - X'| / 2`` (lower is better; for a
  point forecast it is the absolute error).
- **Bias**: predicted mean minus reported.
- **PIT**: the predictive distribution function at the reported value,
  randomised within the jump of a discrete distribution (Czado, Gneiting and
  Held 2009), so that a calibrated forecast has uniform PIT even for counts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["LEVELS", "coverage_from_pit", "crps", "interval", "interval_score", "pit"]

LEVELS = (0.5, 0.9)
"""Levels of the central prediction intervals scored."""


def _2d(x: NDArray[np.float64]) -> NDArray[np.float64]:
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else x


def interval(
    x: NDArray[np.float64], level: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Central interval ``(lo [T], hi [T])`` at ``level`` of samples ``[S, T]``."""
    a = (1 - level) / 2
    lo, hi = np.quantile(_2d(x), [a, 1 - a], axis=0)
    return lo, hi


def interval_score(
    x: NDArray[np.float64], y: NDArray[np.float64], level: float
) -> NDArray[np.float64]:
    """Interval score ``[T]`` of the central interval at ``level`` (lower is better)."""
    lo, hi = interval(x, level)
    y = np.atleast_1d(np.asarray(y, dtype=float))
    alpha = 1 - level
    below = np.clip(lo - y, 0, None)
    above = np.clip(y - hi, 0, None)
    return np.asarray((hi - lo) + (2 / alpha) * (below + above))


def crps(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Continuous ranked probability score ``[T]`` of samples ``[S, T]``."""
    xs = np.sort(_2d(x), axis=0)
    y = np.atleast_1d(np.asarray(y, dtype=float))
    m = xs.shape[0]
    first = np.abs(xs - y[None, :]).mean(axis=0)
    # sum over pairs |x_i - x_j| = 2 sum_i (2 i - m - 1) x_(i), i = 1..m
    weights = (2 * np.arange(1, m + 1) - m - 1)[:, None]
    spread = 2 * (weights * xs).sum(axis=0) / m**2
    return np.asarray(first - spread / 2)


def pit(
    x: NDArray[np.float64], y: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.float64]:
    """Randomised probability integral transform ``[T]``: ``F(y-) + V (F(y) - F(y-))``."""
    xs = _2d(x)
    y = np.atleast_1d(np.asarray(y, dtype=float))
    tol = 1e-9 * np.maximum(1.0, np.abs(y))
    below = (xs < y[None, :] - tol).mean(axis=0)
    at_or_below = (xs <= y[None, :] + tol).mean(axis=0)
    v = rng.uniform(size=len(y))
    return np.asarray(below + v * (at_or_below - below))


def coverage_from_pit(values: NDArray[np.float64], level: float) -> float:
    """Share of PIT values inside the central ``level`` band (coverage at that level)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    a = (1 - level) / 2
    return float(((values >= a) & (values <= 1 - a)).mean())
