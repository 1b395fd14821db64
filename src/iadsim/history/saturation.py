"""Does a night's leaked share depend on its raid size? In the data, and in a forecast.

Raid sizes grew while the defence changed, so a plain regression of leaked
share on size would mix the two. The test holds the month fixed: a binomial
regression of each night's leaked count on ``log(launched)`` with one
intercept per month (``logit(leaked share) = month + slope * log(n)``), fitted
by iteratively reweighted least squares, with the standard error widened by
the Pearson dispersion (quasi-binomial: nights vary more than a binomial).
The same regression on a forecast's predicted mean shares gives the slope the
forecast implies, to compare with the data's.

A positive slope is saturation (bigger raids, larger share through). The
slope is reported per doubling of the raid (``slope * log 2``, on the logit
scale) with its standard error and two-sided p-value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit
from scipy.stats import norm

__all__ = ["SizeEffect", "size_effect"]

_RIDGE = 1e-3
"""Ridge on the month intercepts, so a month without a leak stays finite."""


class SizeEffect(tuple[float, float, float, int]):
    """``(per_doubling, se, p_value, nights)``: the slope per doubling of raid size."""

    __slots__ = ()

    @property
    def per_doubling(self) -> float:
        """Change of the leaked share's logit when the raid doubles."""
        return self[0]

    @property
    def se(self) -> float:
        """Its standard error (quasi-binomial)."""
        return self[1]

    @property
    def p_value(self) -> float:
        """Two-sided p-value of no dependence."""
        return self[2]

    @property
    def nights(self) -> int:
        """Nights used (of months with at least two nights of different sizes)."""
        return self[3]


def size_effect(
    launched: NDArray[np.float64],
    leaked: NDArray[np.float64],
    months: NDArray[np.str_] | pd.Series,
) -> SizeEffect:
    """The within-month slope of the leaked share's logit on ``log(launched)``.

    ``leaked`` may be an expected (non-integer) count. Months whose nights all have
    one size say nothing about the slope and are left out.

    Returns:
        NaNs and 0 nights when no month has nights of two sizes.
    """
    n = np.asarray(launched, dtype=float)
    y = np.asarray(leaked, dtype=float)
    labels = pd.Series(np.asarray(months)).astype(str).to_numpy()
    keep = n > 0
    frame = pd.DataFrame({"n": n[keep], "y": y[keep], "m": labels[keep]})
    frame["logn"] = np.log(frame["n"])
    varied = frame.groupby("m")["logn"].transform(lambda s: s.max() - s.min() > 1e-9)
    frame = frame[varied.to_numpy(dtype=bool)]
    if frame.empty:
        return SizeEffect((math.nan, math.nan, math.nan, 0))
    codes, _ = pd.factorize(frame["m"])
    k = int(codes.max()) + 1
    x = np.zeros((len(frame), k + 1))
    x[np.arange(len(frame)), codes] = 1.0
    x[:, k] = frame["logn"].to_numpy() - frame["logn"].mean()
    n = frame["n"].to_numpy()
    y = frame["y"].to_numpy()
    share = np.clip(y / n, 0.0, 1.0)
    beta = np.zeros(k + 1)
    beta[:k] = np.log((share.mean() + 0.01) / (1.01 - share.mean()))
    ridge = np.full(k + 1, _RIDGE)
    ridge[k] = 0.0
    info = np.eye(k + 1)
    for _ in range(50):
        mu = expit(x @ beta)
        w = n * mu * (1 - mu) + 1e-12
        grad = x.T @ (y - n * mu) - ridge * beta
        info = (x * w[:, None]).T @ x + np.diag(ridge)
        step = np.linalg.solve(info, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    mu = expit(x @ beta)
    var = n * mu * (1 - mu)
    dof = max(len(frame) - (k + 1), 1)
    phi = max(float(np.sum((y - n * mu) ** 2 / np.maximum(var, 1e-12)) / dof), 1.0)
    cov = np.linalg.inv(info)
    se = math.sqrt(phi * cov[k, k])
    slope = float(beta[k])
    z = slope / se if se > 0 else math.inf
    p = float(2 * norm.sf(abs(z)))
    log2 = math.log(2)
    return SizeEffect((slope * log2, se * log2, p, len(frame)))
