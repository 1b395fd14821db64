"""Rolling-origin backtests of the simulation-based forecast against naive baselines.

For each month of a span (and, separately, each night), every model is fitted
only on nights before it and predicts it from its raid sizes (known: they are
the input); the reported outcomes are then scored. Four models run side by
side on the same targets:

- ``simulation``: the national-defence scenario's shares by raid size
  (:mod:`iadsim.history.model`; for drones with a share of decoys growing with
  raid size when the scenario has decoys) with the kill probability and the EW
  susceptibility drifting as logit random walks (:mod:`iadsim.history.drift`);
- ``random walk``: the purely statistical model without the simulator, the
  leaked share (and the share of the rest lost to EW) as logit random walks
  with beta-binomial (Dirichlet-multinomial) nights, the leaked share's logit
  moving with the night's raid size;
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

from iadsim.history.drift import DEFAULT_CONCENTRATIONS, DEFAULT_SIGMAS, DriftModel, FilterRun
from iadsim.history.errors import HistoryError
from iadsim.history.forecasters import (
    CLIMATOLOGY_MONTHS,
    baseline_forecasts,
    months_before,
    random_walk_model,
    simulation_model,
)
from iadsim.history.kinds import HISTORY_KINDS
from iadsim.history.load import RaidHistory
from iadsim.history.model import NationalModel, response_table
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
    "CLIMATOLOGY_MONTHS",
    "DEFAULT_SPAN",
    "MISSILE_KINDS",
    "MODELS",
    "Backtest",
    "backtest",
    "kind_nights",
    "months_before",
]

MODELS = ("simulation", "random walk", "persistence", "climatology")
"""The forecasts of a backtest, the simulation first."""

MISSILE_KINDS = ("cruise_missile", "ballistic_missile", "hypersonic")
"""Kinds scored together as ``missiles``."""

DEFAULT_SPAN = (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
"""The span of the issue's targets."""

_COLUMNS = ["date", "month", "launched", "destroyed", "lost_to_ew", "neutralised", "leaked",
            "ew_reporting"]  # fmt: skip


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
    ``pit``; for the drifting models ``sigma`` and ``c`` chosen at that origin, and their
    variant: ``decoys_at_ref`` and ``decoy_slope`` (the simulation's decoy share, see
    :data:`~iadsim.history.forecasters.DECOY_VARIANTS`), ``size_slope`` (the random
    walk's)."""
    scores: pd.DataFrame = field(repr=False)
    """Means of the forecasts' scores by level, kind (and ``missiles``, ``all``), outcome
    (and ``all``) and model; ``pit50`` and ``pit90`` are the coverages read from the
    randomised PIT (fair for small counts, whose intervals' ends hold much mass)."""
    saturation: pd.DataFrame = field(repr=False)
    """Within-month slope of the nightly leaked share on raid size, per kind, in the
    reported nights of the span and in the nightly forecasts of the two drifting models
    (see :mod:`iadsim.history.saturation`): ``kind``, ``source``, ``per_doubling``,
    ``se``, ``p_value``, ``nights``."""

    by_size: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    """Nightly leaked counts by raid size: per ``kind`` (and ``missiles``, ``all``),
    ``size`` (``small``: at most the median size of the kind's forecast nights;
    ``large``: above it), ``model``: ``targets``, ``cover50``, ``cover90``, ``pit50``,
    ``pit90``, ``is90``, ``crps``, ``bias`` and the ``launched`` range."""

    def score(self, level: str, kind: str, outcome: str, model: str) -> pd.Series:
        """The row of :attr:`scores` for one level, kind, outcome and model."""
        s = self.scores
        pick = s[(s["level"] == level) & (s["kind"] == kind) & (s["outcome"] == outcome)
                 & (s["model"] == model)]  # fmt: skip
        if pick.empty:
            raise KeyError(f"no scores for {level}, {kind}, {outcome}, {model}")
        return pick.iloc[0]


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
    average: bool = True,
) -> dict[tuple[str, str], tuple[list[int], NDArray[np.float64], dict[str, float]]]:
    """Forecast samples of every target.

    With ``average``, each sample comes from a filter drawn by its posterior weight
    (:meth:`FilterRun.weights`); otherwise all from the best filter.

    Returns:
        ``(level, label)`` -> ``(night indices, counts [S, nights, 3], chosen)``, the last
        the ``sigma``, ``c`` and variant of the best filter at the forecast origin, by name.
    """
    out: dict[tuple[str, str], tuple[list[int], NDArray[np.float64], dict[str, float]]] = {}
    dates = model.dates
    run = FilterRun(model)

    def chosen(f: int) -> dict[str, float]:
        sigma, c, v = run.pairs[f]
        return {"sigma": sigma, "c": c, **model.variants[v]}

    for plan in plans:
        run.reset()
        cuts = sorted(b for b in breaks)
        for i in range(plan.first, plan.last + 1):
            date = dates[i]
            if cuts and run.date is not None and any(run.date < b <= date for b in cuts):
                run.reset()
            if i in plan.months:
                label, ix = plan.months[i]
                picks = run.pick(samples, rng, average)
                out[("month", label)] = (ix, run.sample_mixed_path(picks, ix, rng),
                                         chosen(run.choose()))  # fmt: skip
            run.advance(date)
            if i in plan.nights:
                picks = run.pick(samples, rng, average)
                n = float(model.launched[i])
                counts = run.sample_mixed_now(picks, i, n, rng)[:, None, :]
                out[("night", date.isoformat())] = ([i], counts, chosen(run.choose()))
            run.observe(i)
    return out


def _score_rows(
    kind: str,
    level: str,
    label: str,
    model: str,
    rows: pd.DataFrame,
    counts: NDArray[np.float64],
    has_ew: bool,
    rng: np.random.Generator,
    pair: dict[str, float] | None,
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
        for name in _CHOSEN:
            record[name] = (pair or {}).get(name, float("nan"))
        records.append(record)
    return records


_CHOSEN = ("sigma", "c", "decoys_at_ref", "decoy_slope", "size_slope")
"""What a drifting model chose at a forecast origin (NaN where it has no such choice)."""


def _by_size(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Nightly leaked scores on small and large nights (split at each kind's median size)."""
    night = forecasts[(forecasts["level"] == "night") & (forecasts["outcome"] == "leaked")]
    if night.empty:
        return pd.DataFrame()
    median = night.groupby("kind")["launched"].transform("median")
    night = night.assign(size=np.where(night["launched"] <= median, "small", "large"))
    frames = [night, night[night["kind"].isin(MISSILE_KINDS)].assign(kind="missiles"),
              night.assign(kind="all")]  # fmt: skip
    both = pd.concat(frames, ignore_index=True)
    table = (
        both.groupby(["kind", "size", "model"], sort=False)
        .agg(
            targets=("reported", "size"),
            smallest=("launched", "min"),
            largest=("launched", "max"),
            cover50=("inside50", "mean"),
            cover90=("inside90", "mean"),
            pit50=("pit", lambda v: coverage_from_pit(v.to_numpy(), 0.5)),
            pit90=("pit", lambda v: coverage_from_pit(v.to_numpy(), 0.9)),
            is90=("is90", "mean"),
            crps=("crps", "mean"),
            bias=("bias", "mean"),
        )
        .reset_index()
    )
    order = {m: i for i, m in enumerate(MODELS)}
    kinds = {k: i for i, k in enumerate((*HISTORY_KINDS, "missiles", "all"))}
    table["_o"] = (table["kind"].map(kinds) * 100 + table["size"].map({"small": 0, "large": 1})
                   * 10 + table["model"].map(order))  # fmt: skip
    return table.sort_values("_o").drop(columns="_o").reset_index(drop=True)


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
    decoy_grid: Sequence[float] | None = None,
    rungs: int = 6,
    draws: int = 400,
    samples: int = 400,
    seed: int = 0,
    engine: str = "fast",
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    average: bool = True,
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
        decoy_grid: decoy shares simulated, for a scenario with decoys (default:
            calibrate's; ``()``: no decoys).
        rungs: raid sizes simulated per kind.
        draws: simulated threats per size and grid point.
        samples: forecast samples per target.
        seed: seed of the simulations and the forecasts.
        engine: ``"fast"`` or ``"reference"``.
        cache_dir: folder caching simulated response tables.
        progress: called with the number of simulated grid points just done.
        average: forecast from every ``(sigma, c, variant)`` filter of the drifting models,
            each sample from a filter drawn by its posterior weight (its predictive
            likelihood so far: Bayesian model averaging); False: from the best filter only.

    Raises:
        HistoryError: a span with no nights, a window or start that leaves a forecast
            with no earlier nights.
        ValueError: an option out of range (``by``, ``window``, ``half_life``, ``samples``).
    """
    from iadsim.history.check import DEFAULT_DECOY_GRID, DEFAULT_EW_GRID, DEFAULT_PK_GRID
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
            ew_grid=ew_grid or DEFAULT_EW_GRID,
            decoy_grid=DEFAULT_DECOY_GRID if decoy_grid is None else decoy_grid,
            seed=seed, draws=draws, engine=engine, cache_dir=cache_dir, progress=progress,
        )  # fmt: skip
        options = {"sigmas": sigmas, "concentrations": concentrations, "half_life": half_life,
                   "selection_half_life": selection_half_life}  # fmt: skip
        plans = _plans(nights, span, window=window, start=start, by=by)
        # one stream per model (and one for the PIT): a change to one model leaves the
        # others' samples, and so their scores, exactly as they were
        sim_rng, rw_rng, base_rng, krng = (np.random.default_rng([seed, number, k])
                                           for k in range(4))  # fmt: skip
        sim = _drift_forecasts(
            simulation_model(table, nights, **options), plans, breaks, samples, sim_rng, average
        )
        rw = _drift_forecasts(
            random_walk_model(nights, table.has_ew, **options), plans, breaks, samples, rw_rng,
            average,
        )  # fmt: skip
        targets = {key: value[0] for key, value in sim.items()}
        base = baseline_forecasts(
            nights, targets, has_ew=table.has_ew, window=window, start=start, breaks=breaks,
            concentrations=concentrations, samples=samples, rng=base_rng,
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
        "average": average,
        "climatology_months": window if window is not None else CLIMATOLOGY_MONTHS,
    }  # fmt: skip
    return Backtest(
        source=history.source,
        scenario=str(model.path),
        span=span,
        settings=settings,
        forecasts=forecasts,
        scores=_summary(forecasts),
        by_size=_by_size(forecasts),
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
