"""Rolling-origin backtests of the simulation-based forecast against naive baselines.

For each month of a span (and, separately, each night), every model is fitted
only on nights before it and predicts it from its raid sizes (known: they are
the input); the reported outcomes are then scored. Four models run side by
side on the same targets:

- ``simulation``: the national-defence scenario's shares by raid size
  (:mod:`iadsim.history.model`) with the kill probability and the EW
  susceptibility drifting as logit random walks (:mod:`iadsim.history.drift`);
- ``random walk``: the purely statistical model without the simulator, the
  leaked share (and the share of the rest lost to EW) as logit random walks
  with beta-binomial (Dirichlet-multinomial) nights;
- ``persistence``: the shares of the last month (nightly: the last night) of the kind;
- ``climatology``: the pooled shares of the training window (``window`` months,
  or :data:`CLIMATOLOGY_MONTHS` when the models use all history; never before a break).

The baselines carry the same kind of night-to-night spread as the models (a
Dirichlet concentration fitted by maximum likelihood on the window's nights),
so that their intervals are intervals and not points.

**Targets.** Nights are the national rows of one kind and night summed
(several weapon models of a kind on one night are one raid of that kind). A
month's (night's) outcomes are the shares of its launched threats destroyed,
lost to EW and leaked, as the rows report them: ``leaked`` always;
``destroyed`` as destroyed + lost to EW for a kind the model's EW does not act
on, and as destroyed alone, with ``lost_to_ew``, only when every night of the
month reported EW losses separately.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit

from iadsim.history.drift import (
    DEFAULT_CONCENTRATIONS,
    DEFAULT_SIGMAS,
    DriftModel,
    FilterRun,
    night_logliks,
    sample_counts,
)
from iadsim.history.errors import HistoryError
from iadsim.history.kinds import HISTORY_KINDS
from iadsim.history.load import RaidHistory
from iadsim.history.model import (
    NationalModel,
    ResponseTable,
    interpolation_weights,
    response_table,
)
from iadsim.history.saturation import size_effect
from iadsim.history.scores import (
    LEVELS,
    coverage_from_pit,
    crps,
    interval,
    interval_score,
    pit,
)

__all__ = [
    "CAPACITY",
    "CLIMATOLOGY_MONTHS",
    "DEFAULT_SPAN",
    "MISSILE_KINDS",
    "MODELS",
    "SIZE_REF",
    "SIZE_SLOPES",
    "Backtest",
    "backtest",
    "kind_nights",
    "months_before",
]

MODELS = ("simulation", "random walk", "persistence", "climatology")
"""The forecasts of a backtest, the simulation first."""

MISSILE_KINDS = ("cruise_missile", "ballistic_missile", "hypersonic")
"""Kinds scored together as ``missiles``."""

CLIMATOLOGY_MONTHS = 12
"""Months pooled by the climatology baseline when the models use all history."""

DEFAULT_SPAN = (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
"""The span of the issue's targets."""

_COLUMNS = ["date", "month", "launched", "destroyed", "lost_to_ew", "neutralised", "leaked",
            "ew_reporting"]  # fmt: skip


def months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def kind_nights(history: RaidHistory, kind: str) -> pd.DataFrame:
    """One row per night of a kind (its national rows summed), sorted by date.

    A night is ``separate`` only if every row of it reported EW losses separately;
    otherwise its ``destroyed`` and ``lost_to_ew`` are NaN.
    """
    rows = history.of_kind(kind)
    rows = rows[rows["launched"] > 0]
    if rows.empty:
        return pd.DataFrame(columns=_COLUMNS)
    grouped = rows.groupby("date", sort=True)
    table = grouped.agg(
        month=("month", "first"),
        launched=("launched", "sum"),
        destroyed=("destroyed", lambda s: s.sum() if s.notna().all() else np.nan),
        lost_to_ew=("lost_to_ew", lambda s: s.sum() if s.notna().all() else np.nan),
        neutralised=("neutralised", "sum"),
        leaked=("leaked", "sum"),
        ew_reporting=("ew_reporting", lambda s: "separate" if (s == "separate").all()
                      else "combined"),
    ).reset_index()  # fmt: skip
    return table[_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class Backtest:
    """What :func:`backtest` found."""

    source: str
    scenario: str
    span: tuple[dt.date, dt.date]
    settings: dict[str, Any]
    """Options of the run (window, half-life, breaks, seed, ...)."""
    forecasts: pd.DataFrame
    """One row per level (``month``/``night``), period, kind, outcome and model:
    ``launched``, ``reported`` (share), ``mean``, ``lo50``, ``hi50``, ``lo90``, ``hi90``,
    ``inside50``, ``inside90``, ``is50``, ``is90`` (interval scores), ``crps``, ``bias``,
    ``pit``; for the drifting models ``sigma`` and ``c`` chosen at that origin."""
    scores: pd.DataFrame = field(repr=False)
    """Means of the forecasts' scores by level, kind (and ``missiles``, ``all``), outcome
    (and ``all``) and model; ``pit50`` and ``pit90`` are the coverages read from the
    randomised PIT (fair for small counts, whose intervals' ends hold much mass)."""
    saturation: pd.DataFrame = field(repr=False)
    """Within-month slope of the nightly leaked share on raid size, per kind, in the
    reported nights of the span and in the nightly forecasts of the two drifting models
    (see :mod:`iadsim.history.saturation`): ``kind``, ``source``, ``per_doubling``,
    ``se``, ``p_value``, ``nights``."""

    def score(self, level: str, kind: str, outcome: str, model: str) -> pd.Series:
        """The row of :attr:`scores` for one level, kind, outcome and model."""
        s = self.scores
        pick = s[(s["level"] == level) & (s["kind"] == kind) & (s["outcome"] == outcome)
                 & (s["model"] == model)]  # fmt: skip
        if pick.empty:
            raise KeyError(f"no scores for {level}, {kind}, {outcome}, {model}")
        return pick.iloc[0]


CAPACITY = (1.0, 1.5, 2.2, 3.3, 5.0, 7.5, 11.0, 17.0, 25.0)
"""Defence capacities tried for kinds without EW: a night of ``n`` threats is read from the
simulated shares at ``n / capacity`` threats (the scenario's defence ``capacity`` times
larger against that kind; 1 is the scenario as it is)."""


SIZE_SLOPES = (0.0, 0.25, 0.5)
"""Variants of the simulation for kinds with EW: the EW susceptibility of a night of ``n``
threats is ``expit(logit(ew) + slope * log(n / SIZE_REF))``, so that a larger raid holds a
larger share of threats the EW belt defeats (decoys, which the reports count among those
that did not reach their target). ``0`` is the scenario as it is; the slope is chosen, like
the volatility, by past predictive likelihood."""

SIZE_REF = 100.0
"""Raid size at which the EW susceptibility is the grid's value."""


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


def _sim_drift(table: ResponseTable, nights: pd.DataFrame, **options: Any) -> DriftModel:
    """The simulation's grid, shares by night.

    Kinds with EW in the scenario: kill probability x EW susceptibility. Other kinds: kill
    probability x the inverse of the defence's capacity (:data:`CAPACITY`), which sets
    how soon a raid saturates the defence.
    """
    pk = _steps(table.pk, 0.02)
    n = nights["launched"].to_numpy(float)
    if table.has_ew:
        ew = _steps(table.ew, 0.025)
        by_pk = np.tensordot(interpolation_weights(table.pk, pk), table.at_sizes(n),
                             axes=([1], [0]))  # [Pf, E, N, 3]  # fmt: skip
        z = np.log(np.clip(ew, 1e-9, None)) - np.log1p(-np.clip(ew, None, 1 - 1e-9))
        tables = []
        for slope in SIZE_SLOPES:
            eff = expit(z[:, None] + slope * np.log(n / SIZE_REF)[None, :])  # [Ef, N]
            eff = np.where(ew[:, None] > 0, eff, 0.0)
            we = interpolation_weights(table.ew, eff.ravel()).reshape(len(ew), len(n), -1)
            fine = np.einsum("bne,aenk->abnk", we, by_pk)  # [Pf, Ef, N, 3]
            tables.append(fine.reshape(len(pk) * len(ew), len(n), 3))
        return DriftModel(pk, ew, np.stack(tables), nights, True, variants=SIZE_SLOPES,
                          **options)  # fmt: skip
    factor = 1.0 / np.array(CAPACITY)
    parts = [
        _bilinear(table.at_sizes(np.maximum(n * f, 1.0)), table.pk, table.ew, pk, table.ew)
        for f in factor
    ]  # each [Pf, 1, N, 3]
    shares = np.concatenate(parts, axis=1).reshape(len(pk) * len(factor), len(nights), 3)
    return DriftModel(pk, factor, shares, nights, False, **options)


def _rw_drift(nights: pd.DataFrame, has_ew: bool, **options: Any) -> DriftModel:
    """The statistical model's grid: leaked share x share of the rest lost to EW."""
    a = expit(np.linspace(-6.2, 6.2, 61))
    b = expit(np.linspace(-4.6, 4.6, 25)) if has_ew else np.zeros(1)
    leak = a[:, None]
    ew = b[None, :]
    shares = np.stack(
        [(1 - leak) * (1 - ew), (1 - leak) * ew, np.broadcast_to(leak, (len(a), len(b)))],
        axis=-1,
    ).reshape(-1, 1, 3)
    return DriftModel(a, b, shares, nights, has_ew, **options)


def _pooled(nights: pd.DataFrame, fallback: pd.DataFrame) -> NDArray[np.float64]:
    """Pooled shares (destroyed, lost to EW, leaked) of some nights.

    The split of the neutralised between shot down and EW comes from the nights
    that reported it separately (of ``nights``, else of ``fallback``; none: all shot down).
    """
    n = float(nights["launched"].sum())
    if n <= 0:
        if fallback is nights or fallback.empty:
            return np.array([1 / 3, 1 / 3, 1 / 3])
        return _pooled(fallback, fallback)
    leak = float(nights["leaked"].sum()) / n
    q = 0.0
    for source in (nights, fallback):
        sep = source[source["ew_reporting"] == "separate"]
        both = float(sep["destroyed"].sum() + sep["lost_to_ew"].sum())
        if both > 0:
            q = float(sep["lost_to_ew"].sum()) / both
            break
    return np.array([(1 - leak) * (1 - q), (1 - leak) * q, leak])


def _best_c(
    shares: NDArray[np.float64], nights: pd.DataFrame, has_ew: bool, options: Sequence[float]
) -> float:
    """The concentration of the nights around fixed shares, by maximum likelihood."""
    if nights.empty:
        return 30.0
    grid = np.broadcast_to(shares, (1, len(nights), 3))
    best = max(options, key=lambda c: float(night_logliks(grid, nights, c, has_ew=has_ew).sum()))
    return float(best)


def _outcomes(
    rows: pd.DataFrame,
    counts: NDArray[np.float64],
    has_ew: bool,
    expected: NDArray[np.float64] | None = None,
) -> list[tuple[str, float, NDArray[np.float64], float]]:
    """(outcome, reported share, predicted shares [S], predicted mean) of a target's nights.

    The predicted mean is that of the samples, or ``expected`` (shares destroyed, lost to
    EW, leaked) when the forecast's mean is known exactly (the baselines).
    """
    n = float(rows["launched"].sum())
    total = counts.sum(axis=1)  # [S, 3]
    p = expected if expected is not None else total.mean(axis=0) / n
    out = [("leaked", float(rows["leaked"].sum()) / n, total[:, 2] / n, float(p[2]))]
    if not has_ew:
        out.append(("destroyed", float(rows["neutralised"].sum()) / n,
                    (total[:, 0] + total[:, 1]) / n, float(p[0] + p[1])))  # fmt: skip
    elif (rows["ew_reporting"] == "separate").all():
        out.append(("destroyed", float(rows["destroyed"].sum()) / n, total[:, 0] / n,
                    float(p[0])))  # fmt: skip
        out.append(("lost_to_ew", float(rows["lost_to_ew"].sum()) / n, total[:, 1] / n,
                    float(p[1])))  # fmt: skip
    return out


@dataclass
class _Plan:
    """One pass of the filters over nights ``first..last`` (indices), and what it forecasts."""

    first: int
    last: int
    months: dict[int, tuple[str, list[int]]]
    """Night index opening a target month -> (month, the month's night indices)."""
    nights: set[int]
    """Night indices forecast one at a time."""


def _plans(
    nights: pd.DataFrame,
    span: tuple[dt.date, dt.date],
    *,
    window: int | None,
    start: dt.date | None,
    by: Sequence[str],
) -> list[_Plan]:
    dates = nights["date"]
    inside = nights[(dates >= span[0]) & (dates <= span[1])]
    if inside.empty:
        return []
    first_used = 0 if start is None else int((dates < start).sum())
    months = {m: list(ix) for m, ix in inside.groupby("month", sort=True).indices.items()}
    offset = int(inside.index[0])
    months = {m: [offset + i for i in ix] for m, ix in months.items()}
    if window is None:
        return [
            _Plan(
                first=first_used,
                last=int(inside.index[-1]),
                months={ix[0]: (m, ix) for m, ix in months.items()} if "month" in by else {},
                nights=set(inside.index) if "night" in by else set(),
            )
        ]
    plans = []
    for m, ix in months.items():
        opening = dt.date(int(m[:4]), int(m[5:7]), 1)
        begin = months_before(opening, window)
        if start is not None:
            begin = max(begin, start)
        plans.append(
            _Plan(
                first=int((dates < begin).sum()),
                last=ix[-1],
                months={ix[0]: (m, ix)} if "month" in by else {},
                nights=set(ix) if "night" in by else set(),
            )
        )
    return plans


def _drift_forecasts(
    model: DriftModel,
    plans: list[_Plan],
    breaks: Sequence[dt.date],
    samples: int,
    rng: np.random.Generator,
) -> dict[tuple[str, str], tuple[list[int], NDArray[np.float64], tuple[float, float, float]]]:
    """Forecast samples of every target.

    Returns:
        ``(level, label)`` -> ``(night indices, counts [S, nights, 3], (sigma, c, slope))``,
        the last as chosen at the forecast origin.
    """
    out: dict[
        tuple[str, str], tuple[list[int], NDArray[np.float64], tuple[float, float, float]]
    ] = {}
    dates = model.dates
    run = FilterRun(model)

    def chosen(f: int) -> tuple[float, float, float]:
        sigma, c, v = run.pairs[f]
        return sigma, c, float(model.variants[v])

    for plan in plans:
        run.reset()
        cuts = sorted(b for b in breaks)
        for i in range(plan.first, plan.last + 1):
            date = dates[i]
            if cuts and run.date is not None and any(run.date < b <= date for b in cuts):
                run.reset()
            if i in plan.months:
                label, ix = plan.months[i]
                f = run.choose()
                out[("month", label)] = (ix, run.sample_path(f, ix, samples, rng), chosen(f))
            run.advance(date)
            if i in plan.nights:
                f = run.choose()
                n = float(model.launched[i])
                counts = run.sample_now(f, i, n, samples, rng)[:, None, :]
                out[("night", date.isoformat())] = ([i], counts, chosen(f))
            run.observe(i)
    return out


def _baseline_forecasts(
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
        clim = _pooled(trained, earlier)
        month = dt.date(origin.year, origin.month, 1)
        if month not in spread:  # the spread of nights: fitted once a month, on its window
            first = months_before(month, months)
            window_nights = earlier[(earlier["date"] >= max(first, start or first))
                                    & (earlier["date"] < month)]  # fmt: skip
            spread[month] = _best_c(_pooled(window_nights, earlier), window_nights, has_ew,
                                    concentrations)  # fmt: skip
        c = spread[month]
        rows = nights.iloc[ix]
        n = rows["launched"].to_numpy(float)
        for name, shares in (("persistence", _pooled(last, earlier)), ("climatology", clim)):
            p = np.broadcast_to(shares, (samples, len(ix), 3))
            counts = sample_counts(p, np.broadcast_to(n, (samples, len(ix))), c, rng)
            out[name][(level, label)] = (counts, shares)
    return out


def _days_before(day: dt.date, months: int) -> dt.date:
    """``months`` months (of 30.44 days) before ``day``."""
    return day - dt.timedelta(days=round(30.44 * months))


def _score_rows(
    kind: str,
    level: str,
    label: str,
    model: str,
    rows: pd.DataFrame,
    counts: NDArray[np.float64],
    has_ew: bool,
    rng: np.random.Generator,
    pair: tuple[float, float, float] | None,
    expected: NDArray[np.float64] | None,
) -> list[dict[str, Any]]:
    records = []
    for outcome, reported, x, mean in _outcomes(rows, counts, has_ew, expected):
        y = np.array([reported])
        record: dict[str, Any] = {
            "level": level, "period": label, "kind": kind, "outcome": outcome, "model": model,
            "nights": len(rows), "launched": float(rows["launched"].sum()),
            "reported": reported, "mean": mean,
        }  # fmt: skip
        for level_ in LEVELS:
            lo, hi = interval(x, level_)
            tag = f"{round(level_ * 100)}"
            record[f"lo{tag}"] = float(lo[0])
            record[f"hi{tag}"] = float(hi[0])
            record[f"inside{tag}"] = bool(lo[0] - 1e-12 <= reported <= hi[0] + 1e-12)
            record[f"is{tag}"] = float(interval_score(x, y, level_)[0])
        record["crps"] = float(crps(x, y)[0])
        record["bias"] = record["mean"] - reported
        record["pit"] = float(pit(x, y, rng)[0])
        record["sigma"] = pair[0] if pair is not None else float("nan")
        record["c"] = pair[1] if pair is not None else float("nan")
        record["size_slope"] = pair[2] if pair is not None else float("nan")
        records.append(record)
    return records


def _summary(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Mean scores by level, kind (and ``missiles``, ``all``), outcome (and ``all``), model."""
    if forecasts.empty:
        return pd.DataFrame()
    frames = [forecasts]
    missiles = forecasts[forecasts["kind"].isin(MISSILE_KINDS)].assign(kind="missiles")
    frames += [missiles, forecasts.assign(kind="all")]
    both = pd.concat(frames, ignore_index=True)
    both = pd.concat([both, both.assign(outcome="all")], ignore_index=True)
    grouped = both.groupby(["level", "kind", "outcome", "model"], sort=False)
    table = grouped.agg(
        targets=("reported", "size"),
        cover50=("inside50", "mean"),
        cover90=("inside90", "mean"),
        is50=("is50", "mean"),
        is90=("is90", "mean"),
        crps=("crps", "mean"),
        bias=("bias", "mean"),
        pit50=("pit", lambda v: coverage_from_pit(v.to_numpy(), 0.5)),
        pit90=("pit", lambda v: coverage_from_pit(v.to_numpy(), 0.9)),
    ).reset_index()
    order = {m: i for i, m in enumerate(MODELS)}
    kinds = {k: i for i, k in enumerate((*HISTORY_KINDS, "missiles", "all"))}
    outcomes = {o: i for i, o in enumerate(("leaked", "destroyed", "lost_to_ew", "all"))}
    table["_o"] = (table["level"].map({"month": 0, "night": 1}) * 10**6
                   + table["kind"].map(kinds) * 10**4 + table["outcome"].map(outcomes) * 100
                   + table["model"].map(order))  # fmt: skip
    return table.sort_values("_o").drop(columns="_o").reset_index(drop=True)


def backtest(
    history: RaidHistory,
    model: NationalModel,
    *,
    span: tuple[dt.date, dt.date] = DEFAULT_SPAN,
    by: Sequence[str] = ("month", "night"),
    window: int | None = None,
    half_life: float | None = None,
    selection_half_life: float | None = None,
    start: dt.date | None = None,
    breaks: Sequence[dt.date] = (),
    kinds: Sequence[str] = HISTORY_KINDS,
    sigmas: Sequence[float] = DEFAULT_SIGMAS,
    concentrations: Sequence[float] = DEFAULT_CONCENTRATIONS,
    pk_grid: Sequence[float] | None = None,
    ew_grid: Sequence[float] | None = None,
    rungs: int = 6,
    draws: int = 400,
    samples: int = 400,
    seed: int = 0,
    engine: str = "fast",
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Backtest:
    """Rolling-origin backtest of the simulation and three baselines over ``span``.

    Args:
        history: the reported raids.
        model: the national-defence scenario.
        span: first and last night forecast.
        by: ``"month"`` (one-month-ahead forecasts of each month) and/or ``"night"``
            (each night from every night before it).
        window: training window in whole months before the forecast month (None: all
            history from ``start``).
        half_life: days after which a night's log-likelihood counts half (None: no
            forgetting; the random walk's volatility does the forgetting).
        selection_half_life: days after which a night counts half in choosing the
            volatility, spread and variant of the drifting models (None: all count fully).
        start: first night ever used (None: the first in the file).
        breaks: dates at which the drifting models forget everything before.
        kinds: threat kinds forecast (kinds without nights in the span are skipped).
        sigmas: random-walk volatilities (logit, per 30 days) the filters try.
        concentrations: Dirichlet concentrations of nights the filters try.
        pk_grid: kill probabilities simulated (default: calibrate's).
        ew_grid: EW susceptibilities simulated (default: calibrate's).
        rungs: raid sizes simulated per kind.
        draws: simulated threats per size and grid point.
        samples: forecast samples per target.
        seed: seed of the simulations and the forecasts.
        engine: ``"fast"`` or ``"reference"``.
        cache_dir: folder caching simulated response tables.
        progress: called with the number of simulated grid points just done.

    Raises:
        HistoryError: a span with no nights, a window or start that leaves a forecast
            with no earlier nights.
        ValueError: an option out of range (``by``, ``window``, ``half_life``, ``samples``).
    """
    from iadsim.history.check import DEFAULT_EW_GRID, DEFAULT_PK_GRID
    from iadsim.history.model import size_ladder

    check_options(by=by, window=window, half_life=half_life, samples=samples, span=span,
                  start=start)  # fmt: skip
    if selection_half_life is not None and not (
        math.isfinite(selection_half_life) and selection_half_life > 0
    ):
        raise ValueError(
            f"the selection half-life must be a positive number of days, not {selection_half_life}"
        )
    check_history(history, span=span, window=window, start=start)
    records: list[dict[str, Any]] = []
    used: list[str] = []
    saturation: list[dict[str, Any]] = []
    for number, kind in enumerate(kinds):
        nights = kind_nights(history, kind)
        if start is not None:
            nights = nights[nights["date"] >= start].reset_index(drop=True)
        nights = nights[nights["date"] <= span[1]].reset_index(drop=True)
        inside = nights[nights["date"] >= span[0]]
        if inside.empty:
            continue
        if (nights["date"] < span[0]).sum() == 0:
            continue  # nothing to learn from before the span: not forecastable
        used.append(kind)
        saturation.append(_effect(kind, "reported", inside["launched"], inside["leaked"],
                                  inside["month"]))  # fmt: skip
        sizes = size_ladder(nights["launched"].to_numpy(), rungs=rungs)
        table = response_table(
            model, kind, sizes, pk_grid=pk_grid or DEFAULT_PK_GRID,
            ew_grid=ew_grid or DEFAULT_EW_GRID, seed=seed, draws=draws, engine=engine,
            cache_dir=cache_dir, progress=progress,
        )  # fmt: skip
        options = {"sigmas": sigmas, "concentrations": concentrations, "half_life": half_life,
                   "selection_half_life": selection_half_life}  # fmt: skip
        plans = _plans(nights, span, window=window, start=start, by=by)
        krng = np.random.default_rng([seed, number])
        sim = _drift_forecasts(_sim_drift(table, nights, **options), plans, breaks, samples, krng)
        rw = _drift_forecasts(
            _rw_drift(nights, table.has_ew, **options), plans, breaks, samples, krng
        )
        targets = {key: value[0] for key, value in sim.items()}
        base = _baseline_forecasts(
            nights, targets, has_ew=table.has_ew, window=window, start=start, breaks=breaks,
            concentrations=concentrations, samples=samples, rng=krng,
        )  # fmt: skip
        for key, ix in targets.items():
            rows = nights.iloc[ix]
            for name, counts, pair, expected in (
                ("simulation", sim[key][1], sim[key][2], None),
                ("random walk", rw[key][1], rw[key][2], None),
                ("persistence", *base["persistence"][key][:1], None, base["persistence"][key][1]),
                ("climatology", *base["climatology"][key][:1], None, base["climatology"][key][1]),
            ):
                records += _score_rows(kind, key[0], key[1], name, rows, counts, table.has_ew,
                                       krng, pair, expected)  # fmt: skip
    if not records:
        raise HistoryError(
            history.source,
            f"no nights to forecast from {span[0]} to {span[1]}: no kind has nights both in "
            "that span and before it",
        )
    forecasts = pd.DataFrame(records)
    for kind in used:
        for name in ("simulation", "random walk"):
            pick = (
                (forecasts["level"] == "night")
                & (forecasts["kind"] == kind)
                & (forecasts["outcome"] == "leaked")
                & (forecasts["model"] == name)
            )
            f = forecasts[pick]
            if not f.empty:
                saturation.append(_effect(kind, name, f["launched"], f["mean"] * f["launched"],
                                          f["period"].str[:7]))  # fmt: skip
    settings = {
        "by": list(by), "window": window, "half_life": half_life,
        "selection_half_life": selection_half_life,
        "start": start.isoformat() if start else None,
        "breaks": [b.isoformat() for b in breaks], "kinds": used, "sigmas": list(sigmas),
        "concentrations": list(concentrations), "samples": samples, "seed": seed,
        "climatology_months": window if window is not None else CLIMATOLOGY_MONTHS,
    }  # fmt: skip
    return Backtest(
        source=history.source,
        scenario=str(model.path),
        span=span,
        settings=settings,
        forecasts=forecasts,
        scores=_summary(forecasts),
        saturation=pd.DataFrame(
            saturation, columns=["kind", "source", "per_doubling", "se", "p_value", "nights"]
        ),
    )


def _effect(kind: str, source: str, n: Any, leaked: Any, months: Any) -> dict[str, Any]:
    e = size_effect(np.asarray(n, dtype=float), np.asarray(leaked, dtype=float),
                    np.asarray(months))  # fmt: skip
    return {"kind": kind, "source": source, "per_doubling": e.per_doubling, "se": e.se,
            "p_value": e.p_value, "nights": e.nights}  # fmt: skip


def check_options(
    *,
    by: Sequence[str],
    window: int | None,
    half_life: float | None,
    samples: int,
    span: tuple[dt.date, dt.date],
    start: dt.date | None,
) -> None:
    """Raise ValueError for options :func:`backtest` cannot use."""
    if not by or any(b not in ("month", "night") for b in by):
        raise ValueError(f"by must name 'month' and/or 'night', not {list(by)}")
    if window is not None and not 1 <= window <= 600:
        raise ValueError(f"the training window must be 1 to 600 months, not {window}")
    if half_life is not None and not (math.isfinite(half_life) and half_life > 0):
        raise ValueError(f"the half-life must be a positive number of days, not {half_life}")
    if not 20 <= samples <= 100_000:
        raise ValueError(f"samples must be 20 to 100,000, not {samples}")
    if span[1] < span[0]:
        raise ValueError(f"the span ends ({span[1]}) before it starts ({span[0]})")
    if start is not None and start >= span[0]:
        raise ValueError(
            f"the training start {start} is not before the span's first night {span[0]}: "
            "training and forecast nights would overlap"
        )


def check_history(
    history: RaidHistory,
    *,
    span: tuple[dt.date, dt.date],
    window: int | None,
    start: dt.date | None,
) -> None:
    """Raise HistoryError if the file cannot give a backtest over ``span``.

    A span with no usable nights, no usable nights before it (from ``start``), or a
    training window that reaches back before the first usable night.
    """
    rows = history.rows[history.rows["launched"] > 0]
    where = (
        f"its usable nights run from {rows['date'].min()} to {rows['date'].max()}"
        if not rows.empty
        else "the file has no usable national rows"
    )
    inside = rows[(rows["date"] >= span[0]) & (rows["date"] <= span[1])]
    if inside.empty:
        raise HistoryError(
            history.source, f"no usable national rows in the span {span[0]} to {span[1]}; {where}"
        )
    before = rows[rows["date"] < span[0]]
    if start is not None:
        before = before[before["date"] >= start]
    if before.empty:
        since = f" from {start}" if start is not None else ""
        raise HistoryError(
            history.source,
            f"no usable national rows before the span's first night {span[0]}{since} to "
            f"train on; {where}",
        )
    if window is not None:
        first = before["date"].min()
        begin = months_before(span[0], window)
        if begin < first:
            raise HistoryError(
                history.source,
                f"the training window of {window} months before {span[0]} starts {begin}, "
                f"before the first usable night {first}"
                + (f" (from {start})" if start is not None else "")
                + "; expected a window of at most "
                f"{_months_between(first, span[0])} months, or a later span",
            )


def _months_between(first: dt.date, day: dt.date) -> int:
    """Whole months from ``first`` (rounded up to its month's end) to ``day``'s month."""
    months = (day.year * 12 + day.month) - (first.year * 12 + first.month)
    return max(months - (1 if first.day > 1 else 0), 0)
