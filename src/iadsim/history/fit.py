"""Fitting effectiveness to reported nights: binomial/multinomial likelihood, bootstrap.

For one threat kind, each reported night ``i`` has ``n_i`` threats of known
fate. The model gives shares ``(d, e, l)`` (destroyed, lost to EW, leaked) for
a night of that size at parameters ``(pk, ew)``, read from a
:class:`~iadsim.history.model.ResponseTable`. A night reported with EW
separately contributes the multinomial log-likelihood
``D log d + E log e + L log l``; a night reported with EW merged into
destroyed contributes the binomial ``(D + E) log(d + e) + L log l``; a kind
without EW in the scenario always uses the binomial. Shares are floored
(``FLOOR``) so that a night the model calls impossible lowers the fit instead
of ruling it out.

The fit maximises the sum over nights on a fine grid (bilinear between the
simulated grid points). Its uncertainty is a bootstrap over nights: nights are
resampled with replacement and the maximum found again (cheap: the per-night
log-likelihoods are computed once). Nights vary more than a binomial allows
(targets, weather, routes); the Dirichlet-multinomial concentration that
matches the training nights' spread (``dispersion``) carries that into the
prediction intervals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.history.model import ResponseTable, interpolate

__all__ = ["FLOOR", "KindFit", "fit_kind", "night_loglik"]

FLOOR = 0.005
"""Share mixed uniformly into the model's shares: ``(1 - FLOOR) * p + FLOOR / 3``."""


@dataclass(frozen=True)
class KindFit:
    """Fitted effectiveness for one threat kind (and period), with bootstrap draws."""

    kind: str
    start: dt.date | None
    """First night of the training period this fit covers."""
    end: dt.date | None
    """Last night of it."""
    nights: int
    launched: float
    pk: float
    """Per-round kill probability of the kinetic units against the kind."""
    ew: float | None
    """EW susceptibility (share of threats EW can defeat); None if not a parameter."""
    draws: NDArray[np.float64] = field(repr=False)
    """[B, 2] bootstrap (pk, ew) pairs."""
    dispersion: float
    """Dirichlet-multinomial concentration of nights around the model (inf: binomial)."""
    confidence: float = 0.95

    def interval(self, which: str) -> tuple[float, float]:
        """Bootstrap percentile interval of ``"pk"`` or ``"ew"``."""
        column = 0 if which == "pk" else 1
        a = (1 - self.confidence) / 2
        lo, hi = np.quantile(self.draws[:, column], [a, 1 - a])
        return float(lo), float(hi)


def _floor(p: NDArray[np.float64]) -> NDArray[np.float64]:
    return (1 - FLOOR) * p + FLOOR / 3


def night_loglik(
    shares: NDArray[np.float64], nights: pd.DataFrame, *, has_ew: bool
) -> NDArray[np.float64]:
    """Log-likelihood of each night under shares ``[..., N, 3]``: ``[..., N]``."""
    p = _floor(shares)
    leaked = nights["leaked"].to_numpy(float)
    neutralised = nights["neutralised"].to_numpy(float)
    out = neutralised * np.log(p[..., 0] + p[..., 1]) + leaked * np.log(p[..., 2])
    if has_ew:
        separate = (nights["ew_reporting"] == "separate").to_numpy()
        d = np.nan_to_num(nights["destroyed"].to_numpy(float))
        e = np.nan_to_num(nights["lost_to_ew"].to_numpy(float))
        split = d * np.log(p[..., 0]) + e * np.log(p[..., 1]) + leaked * np.log(p[..., 2])
        out = np.where(separate, split, out)
    return np.asarray(out)


def _dispersion(shares: NDArray[np.float64], nights: pd.DataFrame) -> float:
    """Concentration ``c`` so that leaked's spread matches ``n p (1-p) (n+c)/(1+c)``."""
    from scipy.optimize import brentq

    n = nights["launched"].to_numpy(float)
    pl = np.clip(_floor(shares)[:, 2], 1e-6, 1 - 1e-6)
    r2 = (nights["leaked"].to_numpy(float) - n * pl) ** 2 / (n * pl * (1 - pl))
    phi = float(np.mean(r2))
    big = n > 1  # a night of one threat says nothing about spread between nights
    if not big.any() or phi <= 1.0:
        return float("inf")

    def gap(log_c: float) -> float:
        c = np.exp(log_c)
        return float(np.mean(np.where(big, (n + c) / (1 + c), 1.0))) - phi

    if gap(-5.0) < 0:
        return float(np.exp(-5.0))
    if gap(15.0) > 0:
        return float("inf")
    return float(np.exp(brentq(gap, -5.0, 15.0)))


def _fine(grid: NDArray[np.float64], step: float) -> NDArray[np.float64]:
    """Points ``step`` apart over a simulated grid's range, on the step's decimals."""
    points = np.arange(grid[0], grid[-1] + step / 2, step, dtype=np.float64)
    return np.asarray(points.round(6), dtype=np.float64)


def fit_kind(
    table: ResponseTable,
    nights: pd.DataFrame,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    bootstrap: int = 200,
    seed: int = 0,
    resolution: float = 0.01,
    confidence: float = 0.95,
) -> KindFit:
    """Maximum-likelihood ``(pk, ew)`` for the nights of one kind, with a bootstrap.

    Args:
        table: simulated shares for the kind.
        nights: the kind's reported rows (see :class:`~iadsim.history.RaidHistory`).
        start: first night of the period (for the record).
        end: last night of the period (for the record).
        bootstrap: resamples of the nights.
        seed: seed of the resampling.
        resolution: step of the fine parameter grid.
        confidence: level of the reported intervals.

    Raises:
        ValueError: if there are no nights.
    """
    if nights.empty:
        raise ValueError(f"no reported nights of {table.kind} to fit")
    pk_fine = _fine(table.pk, resolution)
    ew_fine = _fine(table.ew, resolution) if table.has_ew else table.ew
    at_n = table.at_sizes(nights["launched"].to_numpy(float))  # [P, E, N, 3]
    fine = interpolate(at_n, table.pk, table.ew, pk_fine, ew_fine)  # [Pf, Ef, N, 3]
    ll = night_loglik(fine, nights, has_ew=table.has_ew).reshape(-1, len(nights))
    best = int(np.argmax(ll.sum(axis=1)))
    i, j = np.unravel_index(best, (len(pk_fine), len(ew_fine)))
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(nights), np.full(len(nights), 1 / len(nights)), size=bootstrap)
    picks = np.argmax(ll @ counts.T.astype(float), axis=0)
    bi, bj = np.unravel_index(picks, (len(pk_fine), len(ew_fine)))
    draws = np.column_stack([pk_fine[bi], ew_fine[bj]])
    dispersion = _dispersion(fine[i, j], nights)
    return KindFit(
        kind=table.kind,
        start=start,
        end=end,
        nights=len(nights),
        launched=float(nights["launched"].sum()),
        pk=float(pk_fine[i]),
        ew=float(ew_fine[j]) if table.has_ew else None,
        draws=draws,
        dispersion=dispersion,
        confidence=confidence,
    )
