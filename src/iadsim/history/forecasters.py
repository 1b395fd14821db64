"""What the backtest forecasts with: the drifting models' grids and the naive baselines.

- :func:`simulation_model`: the scenario's simulated shares on a grid of kill
  probability x EW susceptibility (drones; with variants for the share of decoys
  among a night's drones, growing with raid size, :data:`DECOY_VARIANTS`) or kill
  probability x defence capacity (missiles, :data:`CAPACITY`), for every night at
  its size.
- :func:`random_walk_model`: the purely statistical grid, leaked share x share of
  the rest lost to EW, with variants in which the leaked share's logit moves with
  the night's raid size (:data:`SIZE_SLOPES`, per doubling), so that it too knows
  each night's size.
- :func:`baseline_forecasts`: persistence and climatology, with a Dirichlet
  spread of nights fitted by maximum likelihood on the training window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit

from iadsim.history.drift import DriftModel, night_logliks, sample_counts
from iadsim.history.model import ResponseTable, interpolation_weights

__all__ = [
    "CAPACITY",
    "CLIMATOLOGY_MONTHS",
    "DECOY_VARIANTS",
    "SIZE_REF",
    "SIZE_SLOPES",
    "baseline_forecasts",
    "best_concentration",
    "months_before",
    "pooled_shares",
    "random_walk_model",
    "simulation_model",
]

CLIMATOLOGY_MONTHS = 12
"""Months pooled by the climatology baseline when the models use all history."""


def months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


CAPACITY = (1.0, 1.5, 2.2, 3.3, 5.0, 7.5, 11.0, 17.0, 25.0)
"""Defence capacities tried for kinds without EW: a night of ``n`` threats is read from the
simulated shares at ``n / capacity`` threats (the scenario's defence ``capacity`` times
larger against that kind; 1 is the scenario as it is)."""


DECOY_VARIANTS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    *((d, s) for d in (0.1, 0.25, 0.4) for s in (0.5, 1.0, 1.5)),
)
"""Variants of the simulation for kinds whose scenario has decoys: ``(share, slope)``, the
share of decoys among the threats of a night of ``n`` being
``expit(logit(share) + slope * log(n / SIZE_REF))`` (``share`` at :data:`SIZE_REF`
threats; ``(0, 0)``: no decoys). The variant is chosen, like the volatility, by past
predictive likelihood: a static parameter of the forecast, not tuned to any month."""

SIZE_SLOPES = (-0.75, -0.5, -0.25, 0.0, 0.25)
"""Variants of the statistical random walk: the leaked share's logit changes by ``slope``
when the raid doubles (``slope / log 2`` times ``log(n / SIZE_REF)``). Chosen by past
predictive likelihood."""

SIZE_REF = 100.0
"""Raid size at which the decoy share, and the random walk's leaked share, are the grid's."""


def decoy_shares(n: NDArray[np.float64], share: float, slope: float) -> NDArray[np.float64]:
    """[N] share of decoys of nights of ``n`` threats (see :data:`DECOY_VARIANTS`)."""
    if share <= 0:
        return np.zeros(len(n))
    z = np.log(share) - np.log1p(-share) + slope * np.log(np.asarray(n, float) / SIZE_REF)
    return np.asarray(expit(z), dtype=np.float64)


def _steps(grid: NDArray[np.float64], step: float) -> NDArray[np.float64]:
    """Points ``step`` apart over a simulated grid's range."""
    points = np.arange(float(grid[0]), float(grid[-1]) + 1e-9, step, dtype=np.float64)
    return np.asarray(np.round(points, 6), dtype=np.float64)


def _bilinear(
    shares: NDArray[np.float64],
    pk_grid: NDArray[np.float64],
    ew_grid: NDArray[np.float64],
    pk: NDArray[np.float64],
    ew: NDArray[np.float64],
) -> NDArray[np.float64]:
    """:func:`~iadsim.history.model.interpolate` as two matrix products (same result)."""
    wp = interpolation_weights(pk_grid, pk)
    we = interpolation_weights(ew_grid, ew)
    inner = np.tensordot(we, shares, axes=([1], [1]))  # [Ef, P, ...]
    return np.asarray(np.tensordot(wp, inner, axes=([1], [1])))  # [Pf, Ef, ...]


def simulation_model(table: ResponseTable, nights: pd.DataFrame, **options: Any) -> DriftModel:
    """The simulation's grid, shares by night.

    Kinds with EW in the scenario: kill probability x EW susceptibility, with the variants
    of :data:`DECOY_VARIANTS` if the table has decoys. Other kinds: kill probability x the
    inverse of the defence's capacity (:data:`CAPACITY`), which sets how soon a raid
    saturates the defence.
    """
    pk = _steps(table.pk, 0.02)
    n = nights["launched"].to_numpy(float)
    wp = interpolation_weights(table.pk, pk)
    if table.has_ew:
        ew = _steps(table.ew, 0.025)
        we = interpolation_weights(table.ew, ew)
        tables = []
        labels: list[dict[str, float]] = []
        for share, slope in DECOY_VARIANTS if table.has_decoys else ((0.0, 0.0),):
            if share > 0 and not table.has_decoys:
                continue
            d = decoy_shares(n, share, slope) if table.has_decoys else None
            at = table.at_sizes(n, d)  # [P, E, N, 3]
            fine = np.einsum("ap,be,penk->abnk", wp, we, at, optimize=True)
            tables.append(fine.reshape(len(pk) * len(ew), len(n), 3).astype(np.float32))
            labels.append({"decoys_at_ref": share, "decoy_slope": slope} if table.has_decoys
                          else {})  # fmt: skip
        return DriftModel(pk, ew, np.stack(tables), nights, True, variants=labels,
                          **options)  # fmt: skip
    factor = 1.0 / np.array(CAPACITY)
    parts = [
        _bilinear(table.at_sizes(np.maximum(n * f, 1.0)), table.pk, table.ew, pk, table.ew)
        for f in factor
    ]  # each [Pf, 1, N, 3]
    shares = np.concatenate(parts, axis=1).reshape(len(pk) * len(factor), len(nights), 3)
    return DriftModel(pk, factor, shares, nights, False, **options)


def random_walk_model(nights: pd.DataFrame, has_ew: bool, **options: Any) -> DriftModel:
    """The statistical model's grid: leaked share x share of the rest lost to EW.

    The leaked share is the grid's at :data:`SIZE_REF` threats; a night of ``n`` threats
    has its logit moved by ``slope * log2(n / SIZE_REF)`` for each of :data:`SIZE_SLOPES`.
    """
    z = np.linspace(-6.2, 6.2, 61)
    a = expit(z)
    b = expit(np.linspace(-4.6, 4.6, 25)) if has_ew else np.zeros(1)
    n = nights["launched"].to_numpy(float)
    ew = b[None, :, None]
    tables = []
    for slope in SIZE_SLOPES:
        leak = expit(z[:, None] + slope * np.log2(np.maximum(n, 1.0) / SIZE_REF)[None, :])
        leak = np.broadcast_to(leak[:, None, :], (len(a), len(b), len(n)))
        shares = np.stack([(1 - leak) * (1 - ew), (1 - leak) * ew, leak], axis=-1)
        tables.append(shares.reshape(len(a) * len(b), len(n), 3).astype(np.float32))
    labels = [{"size_slope": s} for s in SIZE_SLOPES]
    return DriftModel(a, b, np.stack(tables), nights, has_ew, variants=labels, **options)


def pooled_shares(nights: pd.DataFrame, fallback: pd.DataFrame) -> NDArray[np.float64]:
    """Pooled shares (destroyed, lost to EW, leaked) of some nights.

    The split of the neutralised between shot down and EW comes from the nights
    that reported it separately (of ``nights``, else of ``fallback``; none: all shot down).
    """
    n = float(nights["launched"].sum())
    if n <= 0:
        if fallback is nights or fallback.empty:
            return np.array([1 / 3, 1 / 3, 1 / 3])
        return pooled_shares(fallback, fallback)
    leak = float(nights["leaked"].sum()) / n
    q = 0.0
    for source in (nights, fallback):
        sep = source[source["ew_reporting"] == "separate"]
        both = float(sep["destroyed"].sum() + sep["lost_to_ew"].sum())
        if both > 0:
            q = float(sep["lost_to_ew"].sum()) / both
            break
    return np.array([(1 - leak) * (1 - q), (1 - leak) * q, leak])


def best_concentration(
    shares: NDArray[np.float64], nights: pd.DataFrame, has_ew: bool, options: Sequence[float]
) -> float:
    """The concentration of the nights around fixed shares, by maximum likelihood."""
    if nights.empty:
        return 30.0
    grid = np.broadcast_to(shares, (1, len(nights), 3))
    best = max(options, key=lambda c: float(night_logliks(grid, nights, c, has_ew=has_ew).sum()))
    return float(best)


def baseline_forecasts(
    nights: pd.DataFrame,
    targets: dict[tuple[str, str], list[int]],
    *,
    has_ew: bool,
    window: int | None,
    start: dt.date | None,
    breaks: Sequence[dt.date],
    concentrations: Sequence[float],
    samples: int,
    rng: np.random.Generator,
) -> dict[str, dict[tuple[str, str], tuple[NDArray[np.float64], NDArray[np.float64]]]]:
    """Persistence and climatology (samples, shares) of every target."""
    dates = nights["date"]
    months = window if window is not None else CLIMATOLOGY_MONTHS
    out: dict[str, dict[tuple[str, str], tuple[NDArray[np.float64], NDArray[np.float64]]]] = {
        "persistence": {}, "climatology": {},
    }  # fmt: skip
    spread: dict[dt.date, float] = {}
    for (level, label), ix in targets.items():
        origin = dates.iloc[ix[0]]
        if level == "month":
            origin = dt.date(origin.year, origin.month, 1)
        begin = months_before(origin, months) if level == "month" else _days_before(origin, months)
        for cut in (*breaks, *((start,) if start is not None else ())):
            if cut <= origin:  # a break (or the first night used) shortens the window
                begin = max(begin, cut)
        earlier = nights[(dates < origin) & (dates >= (start or dt.date.min))]
        trained = earlier[earlier["date"] >= begin]
        if earlier.empty:
            last = earlier
        elif level == "month":
            last = earlier[earlier["month"] == earlier["month"].iloc[-1]]
        else:
            last = earlier.iloc[-1:]
        clim = pooled_shares(trained, earlier)
        month = dt.date(origin.year, origin.month, 1)
        if month not in spread:  # the spread of nights: fitted once a month, on its window
            first = months_before(month, months)
            window_nights = earlier[(earlier["date"] >= max(first, start or first))
                                    & (earlier["date"] < month)]  # fmt: skip
            around = pooled_shares(window_nights, earlier)
            spread[month] = best_concentration(around, window_nights, has_ew, concentrations)
        c = spread[month]
        rows = nights.iloc[ix]
        n = rows["launched"].to_numpy(float)
        for name, shares in (("persistence", pooled_shares(last, earlier)), ("climatology", clim)):
            p = np.broadcast_to(shares, (samples, len(ix), 3))
            counts = sample_counts(p, np.broadcast_to(n, (samples, len(ix))), c, rng)
            out[name][(level, label)] = (counts, shares)
    return out


def _days_before(day: dt.date, months: int) -> dt.date:
    """``months`` months (of 30.44 days) before ``day``."""
    return day - dt.timedelta(days=round(30.44 * months))
