"""Calibrate on a training period, then predict a test period the fit never saw.

:func:`calibrate` builds a response table per threat kind (simulated once,
cached) and fits each kind on the training nights. By default the parameters
drift: the backtest's forecaster (:mod:`iadsim.history.drift`,
:func:`~iadsim.history.forecasters.simulation_model`) filters them as logit random
walks over the training nights (restarting at each break), with the volatility,
the night-to-night spread and the drones' decoy share by raid size chosen by one-step
predictive likelihood; the filtered path is reported month by month, and the test
nights are forecast from the end of training along sampled drift paths, so the
intervals hold the drift over the horizon, the parameter uncertainty and the
overdispersion. With ``stationary=True`` each period is fitted as constant
(maximum likelihood, bootstrap over nights) and each test night predicted from a
bootstrap draw of the parameters, the model's shares for the night's size, a
Dirichlet draw for night-to-night spread, and a multinomial draw of the counts.
Summed by month and kind, the samples give prediction intervals that are
compared with what was reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.history.drift import FilterRun
from iadsim.history.fit import KindFit, fit_kind
from iadsim.history.forecasters import simulation_model
from iadsim.history.kinds import HISTORY_KINDS
from iadsim.history.load import RaidHistory
from iadsim.history.model import (
    NationalModel,
    ResponseTable,
    interpolation_weights,
    response_table,
    size_ladder,
)

__all__ = [
    "DEFAULT_DECOY_GRID",
    "DEFAULT_EW_GRID",
    "DEFAULT_PK_GRID",
    "Calibration",
    "calibrate",
    "compare",
    "sample_counts",
]

DEFAULT_PK_GRID = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Kill probabilities simulated for the response tables."""

DEFAULT_EW_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
"""EW susceptibilities simulated (for kinds the scenario's EW sites act on)."""

DEFAULT_DECOY_GRID = (0.0, 0.25, 0.5, 0.75, 0.9)
"""Shares of decoys among a night's threats simulated (for kinds the scenario has decoys
for: the built-in scenario's drones)."""

_FIGURES = ("destroyed", "lost_to_ew", "leaked")


def sample_counts(
    table: ResponseTable,
    fit: KindFit,
    nights: pd.DataFrame,
    *,
    samples: int = 400,
    seed: int = 0,
) -> NDArray[np.float64]:
    """Predicted counts destroyed / lost to EW / leaked of each night: ``[samples, N, 3]``."""
    rng = np.random.default_rng(seed)
    n = nights["launched"].to_numpy(float)
    pick = rng.integers(0, len(fit.draws), size=samples)
    theta = fit.draws[pick]
    wp = interpolation_weights(table.pk, theta[:, 0])
    we = interpolation_weights(table.ew, theta[:, 1] if table.has_ew else np.zeros(samples))
    p = np.einsum("sp,se,penk->snk", wp, we, table.at_sizes(n))
    p = np.clip(p, 0.0, None)
    p /= p.sum(axis=-1, keepdims=True)
    if np.isfinite(fit.dispersion):
        g = rng.gamma(np.maximum(fit.dispersion * p, 1e-9))
        total = g.sum(axis=-1, keepdims=True)
        p = np.where(total > 0, g / np.where(total > 0, total, 1.0), p)
    counts = rng.multinomial(n.astype(np.int64)[None, :], p)
    return counts.astype(float)


def _interval(x: NDArray[np.float64], level: float) -> tuple[float, float, float]:
    a = (1 - level) / 2
    lo, hi = np.quantile(x, [a, 1 - a])
    return float(x.mean()), float(lo), float(hi)


def compare(
    groups: dict[tuple[str, str], tuple[pd.DataFrame, NDArray[np.float64]]],
    *,
    has_ew: dict[str, bool],
    level: float = 0.9,
) -> pd.DataFrame:
    """Reported against predicted for each (label, kind) group of nights.

    ``groups[(label, kind)] = (rows, samples)`` with samples ``[S, N, 3]``.
    For a kind without EW in the model, ``destroyed`` compares destroyed + lost
    to EW (all the model can say); for a kind with EW, destroyed and lost to EW
    are compared only when every night of the group reported them separately.
    """
    records = []
    for (label, kind), (rows, samples) in groups.items():
        total = samples.sum(axis=1)  # [S, 3]
        separate = bool((rows["ew_reporting"] == "separate").all())
        reported = {"leaked": float(rows["leaked"].sum())}
        predicted = {"leaked": total[:, 2]}
        if has_ew[kind]:
            predicted["destroyed"] = total[:, 0]
            predicted["lost_to_ew"] = total[:, 1]
            if separate:
                reported["destroyed"] = float(rows["destroyed"].sum())
                reported["lost_to_ew"] = float(rows["lost_to_ew"].sum())
        else:
            predicted["destroyed"] = total[:, 0] + total[:, 1]
            reported["destroyed"] = float(rows["neutralised"].sum())
        record: dict[str, object] = {
            "period": label,
            "kind": kind,
            "nights": len(rows),
            "launched": float(rows["launched"].sum()),
            "ew_reporting": "separate" if separate else "combined",
        }
        for name in _FIGURES:
            if name not in predicted:
                mean = lo = hi = float("nan")
            else:
                mean, lo, hi = _interval(predicted[name], level)
            got = reported.get(name, float("nan"))
            record[f"{name}_reported"] = got
            record[f"{name}_predicted"] = mean
            record[f"{name}_lo"] = lo
            record[f"{name}_hi"] = hi
            record[f"{name}_inside"] = (lo <= got <= hi) if not np.isnan(got) else None
        records.append(record)
    return pd.DataFrame(records)


@dataclass(frozen=True)
class Calibration:
    """What :func:`calibrate` found: fits, the test-period comparison, one night."""

    source: str
    scenario: str
    train: tuple[dt.date, dt.date]
    test: tuple[dt.date, dt.date] | None
    fits: list[KindFit]
    tables: dict[str, ResponseTable] = field(repr=False)
    monthly: pd.DataFrame
    """Test period, per month and kind (see :func:`compare`)."""
    by_kind: pd.DataFrame
    """Test period, per kind over the whole period."""
    night: pd.DataFrame | None
    """The chosen night, per kind (and all missile kinds together, kind ``"missiles"``);
    None if no night was asked for or it has no rows."""
    night_date: dt.date | None
    level: float
    paths: pd.DataFrame | None = None
    """Time-varying fit only: the parameters' path over the training period, one row per
    kind and month (its last training night): ``kind``, ``month``, ``date``, ``pk``,
    ``pk_lo``, ``pk_hi`` and ``ew``/``ew_lo``/``ew_hi`` (kinds with EW) or
    ``capacity``/``capacity_lo``/``capacity_hi`` (others), filtered (from the nights up to
    it; means and ``level`` intervals), and the same prefixed ``smoothed_`` (from all
    training nights, up to the next break)."""
    drift: dict[str, dict[str, float]] = field(default_factory=dict)
    """Time-varying fit only: per kind, the ``sigma`` (logit volatility per 30 days),
    ``c`` (Dirichlet concentration of nights) and, for drones with decoys in the scenario,
    ``decoys_at_ref`` and ``decoy_slope`` (the decoy share of a night, see
    :data:`~iadsim.history.forecasters.DECOY_VARIANTS`), chosen by predictive likelihood."""

    @property
    def stationary(self) -> bool:
        """True if the parameters were fitted as constant over the training period."""
        return self.paths is None

    def coverage(self) -> dict[str, tuple[int, int]]:
        """Per figure and ``"all"``: (reported values inside their interval, values compared)."""
        out: dict[str, tuple[int, int]] = {}
        inside_all = compared_all = 0
        for name in _FIGURES:
            flags = self.monthly[f"{name}_inside"].dropna() if not self.monthly.empty else []
            inside = int(sum(bool(f) for f in flags))
            out[name] = (inside, len(flags))
            inside_all += inside
            compared_all += len(flags)
        out["all"] = (inside_all, compared_all)
        return out

    def fit_for(self, kind: str) -> KindFit | None:
        """The fit used for predictions of a kind: that of its latest training period."""
        fits = [f for f in self.fits if f.kind == kind]
        return fits[-1] if fits else None


def _segments(
    start: dt.date, end: dt.date, breaks: Sequence[dt.date]
) -> list[tuple[dt.date, dt.date]]:
    edges = [b for b in sorted(breaks) if start < b <= end]
    bounds = [start, *edges]
    ends = [b - dt.timedelta(days=1) for b in edges] + [end]
    return list(zip(bounds, ends, strict=True))


def calibrate(
    history: RaidHistory,
    model: NationalModel,
    *,
    train: tuple[dt.date, dt.date],
    test: tuple[dt.date, dt.date] | None = None,
    breaks: Sequence[dt.date] = (),
    kinds: Sequence[str] = HISTORY_KINDS,
    night: dt.date | None = None,
    pk_grid: Sequence[float] = DEFAULT_PK_GRID,
    ew_grid: Sequence[float] = DEFAULT_EW_GRID,
    decoy_grid: Sequence[float] = DEFAULT_DECOY_GRID,
    rungs: int = 6,
    draws: int = 400,
    bootstrap: int = 200,
    samples: int = 400,
    level: float = 0.9,
    seed: int = 0,
    engine: str = "fast",
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    stationary: bool = False,
    average: bool = True,
) -> Calibration:
    """Fit effectiveness by kind on ``train``; predict ``test`` and one ``night``.

    Args:
        history: the reported raids.
        model: the national-defence scenario.
        train: first and last night of the training period.
        test: first and last night of the test period (None: no test).
        breaks: dates that split the training period into periods fitted apart;
            predictions use the latest period's fit.
        kinds: threat kinds to fit (kinds with no training nights are skipped).
        night: a night (its start date) to reproduce with the calibrated model.
        pk_grid: kill probabilities simulated.
        ew_grid: EW susceptibilities simulated.
        decoy_grid: decoy shares simulated, for a kind the scenario has decoys for (the
            time-varying fit chooses the decoy share by raid size; the stationary fit has
            no decoys).
        rungs: raid sizes simulated per kind (geometric ladder).
        draws: simulated threats per size and grid point (see :func:`response_table`).
        bootstrap: bootstrap resamples of the training nights.
        samples: prediction samples per night.
        level: level of the prediction intervals.
        seed: seed of simulations, bootstrap and predictions.
        engine: ``"fast"`` or ``"reference"``.
        cache_dir: folder caching the simulated response tables.
        progress: called with the number of simulated grid points just done.
        stationary: fit constant parameters by maximum likelihood with a bootstrap (the
            behaviour before); by default the parameters drift as logit random walks
            filtered over the training nights (:mod:`iadsim.history.drift`, as in the
            backtest) and the test period is forecast along sampled drift paths.
        average: time-varying fit: each forecast sample comes from a ``(sigma, c,
            variant)`` filter drawn by its predictive likelihood over the training nights
            (Bayesian model averaging, as the backtest does by default); False: all from
            the best filter. The path and the reported parameters are the best filter's.

    Raises:
        ValueError: if the test period overlaps the training period.
    """
    if test is not None and not (test[1] < train[0] or test[0] > train[1]):
        raise ValueError(
            f"the test period {test[0]} to {test[1]} overlaps the training period "
            f"{train[0]} to {train[1]}; a test period holds only nights the fit never saw"
        )
    fits: list[KindFit] = []
    tables: dict[str, ResponseTable] = {}
    monthly_groups: dict[tuple[str, str], tuple[pd.DataFrame, NDArray[np.float64]]] = {}
    total_groups: dict[tuple[str, str], tuple[pd.DataFrame, NDArray[np.float64]]] = {}
    night_groups: dict[tuple[str, str], tuple[pd.DataFrame, NDArray[np.float64]]] = {}
    paths: list[pd.DataFrame] = []
    drift: dict[str, dict[str, float]] = {}
    for number, kind in enumerate(kinds):
        rows = history.of_kind(kind)
        training = rows[(rows["date"] >= train[0]) & (rows["date"] <= train[1])]
        if training.empty:
            continue
        testing = (
            rows[(rows["date"] >= test[0]) & (rows["date"] <= test[1])]
            if test is not None
            else rows.iloc[:0]
        )
        tonight = rows[rows["date"] == night] if night is not None else rows.iloc[:0]
        sizes = size_ladder(
            pd.concat([training, testing, tonight])["launched"].to_numpy(), rungs=rungs
        )
        table = response_table(
            model, kind, sizes, pk_grid=pk_grid, ew_grid=ew_grid,
            decoy_grid=() if stationary else decoy_grid, seed=seed, draws=draws,
            engine=engine, cache_dir=cache_dir, progress=progress,
        )  # fmt: skip
        tables[kind] = table
        if not stationary:
            fit, path, chosen_drift, per_night = _drift_fit(
                history, kind, table, train=train, test=test, night=night, breaks=breaks,
                samples=samples, level=level, seed=seed + 1 + number, average=average,
            )  # fmt: skip
            fits.append(fit)
            paths.append(path)
            drift[kind] = chosen_drift
            for group, (chosen_nights, counts), by in (
                (monthly_groups, per_night["test"], "month"),
                (total_groups, per_night["test"], None),
                (night_groups, per_night["night"], None),
            ):
                if chosen_nights.empty:
                    continue
                if by is None:
                    group[("all", kind)] = (chosen_nights, counts)
                    continue
                for label, index in chosen_nights.groupby(by, sort=True).indices.items():
                    group[(str(label), kind)] = (chosen_nights.iloc[index], counts[:, index])
            continue
        for first, last in _segments(train[0], train[1], breaks):
            part = training[(training["date"] >= first) & (training["date"] <= last)]
            if not part.empty:
                fits.append(
                    fit_kind(table, part, start=first, end=last, bootstrap=bootstrap, seed=seed)
                )
        fit = [f for f in fits if f.kind == kind][-1]
        for group, chosen, by in (
            (monthly_groups, testing, "month"),
            (total_groups, testing, None),
            (night_groups, tonight, None),
        ):
            if chosen.empty:
                continue
            counts = sample_counts(table, fit, chosen, samples=samples, seed=seed + 1 + number)
            if by is None:
                group[("all", kind)] = (chosen, counts)
                continue
            for label, index in chosen.groupby(by, sort=True).indices.items():
                group[(str(label), kind)] = (chosen.iloc[index], counts[:, index])
    has_ew = {k: t.has_ew for k, t in tables.items()}
    missiles = [key for key in night_groups if key[1] != "owa_drone"]
    if len(missiles) > 1:  # the night's missiles together, as the reports sum them
        night_groups[("all", "missiles")] = (
            pd.concat([night_groups[key][0] for key in missiles]),
            np.concatenate([night_groups[key][1] for key in missiles], axis=1),
        )
        has_ew["missiles"] = False
    monthly = compare(dict(sorted(monthly_groups.items())), has_ew=has_ew, level=level)
    by_kind = compare(total_groups, has_ew=has_ew, level=level)
    night_table = compare(night_groups, has_ew=has_ew, level=level) if night_groups else None
    return Calibration(
        source=history.source,
        scenario=str(model.path),
        train=train,
        test=test,
        fits=fits,
        tables=tables,
        monthly=monthly,
        by_kind=by_kind,
        night=night_table,
        night_date=night if night_groups else None,
        level=level,
        paths=None
        if stationary
        else pd.concat(paths, ignore_index=True)
        if paths
        else pd.DataFrame(),
        drift=drift,
    )


def _marginal(
    p: NDArray[np.float64], values: NDArray[np.float64], level: float
) -> tuple[float, float, float]:
    """Mean and central ``level`` interval of a distribution ``p`` over grid ``values``."""
    p = p / p.sum()
    cdf = np.cumsum(p)
    a = (1 - level) / 2
    lo = values[min(int(np.searchsorted(cdf, a)), len(values) - 1)]
    hi = values[min(int(np.searchsorted(cdf, 1 - a)), len(values) - 1)]
    return float(p @ values), float(lo), float(hi)


def _smoothed(
    run: FilterRun,
    f: int,
    snapshots: list[NDArray[np.float64]],
    month_ends: list[tuple[int, int]],
    cuts: Sequence[dt.date],
    count: int,
) -> list[NDArray[np.float64]]:
    """Smoothed log-distributions of filter ``f`` at the month ends (all training nights).

    A backward pass of the grid's random walk: ``beta`` is the likelihood of the later
    nights (up to the next break) given the state at a night; the smoothed distribution
    is the filtered one times ``beta``.
    """
    model = run.model
    sigma = run.pairs[f][0]
    ends = dict(month_ends)
    out: dict[int, NDArray[np.float64]] = {}
    log_beta = np.zeros((len(model.a), len(model.b)))
    for i in range(count - 1, -1, -1):
        if i in ends:
            out[i] = snapshots[ends[i]][f] + log_beta
        if i == 0:
            break
        before, date = model.dates[i - 1], model.dates[i]
        if any(before < cut <= date for cut in cuts):  # a restart: nothing after it counts
            log_beta = np.zeros_like(log_beta)
            continue
        m = run.ll[run.which[f], :, i].reshape(log_beta.shape).astype(np.float64) + log_beta
        top = m.max()
        ka, kb = model.kernels(sigma, (date - before).days) if sigma > 0 else (None, None)
        e = np.exp(m - top)
        if ka is not None and kb is not None:
            e = ka @ e @ kb.T
        log_beta = np.log(np.maximum(e, 1e-300)) + top
    return [out[i] for i, _ in month_ends]


def _drift_fit(
    history: RaidHistory,
    kind: str,
    table: ResponseTable,
    *,
    train: tuple[dt.date, dt.date],
    test: tuple[dt.date, dt.date] | None,
    night: dt.date | None,
    breaks: Sequence[dt.date],
    samples: int,
    level: float,
    seed: int,
    average: bool = True,
) -> tuple[
    KindFit, pd.DataFrame, dict[str, float], dict[str, tuple[pd.DataFrame, NDArray[np.float64]]]
]:
    """The time-varying fit of one kind: filter the training nights, forecast the test.

    The filters of :mod:`iadsim.history.drift` (the backtest's simulation forecaster)
    run over the training nights (restarting at each break); the one with the best
    one-step predictive likelihood sets the path (filtered means and intervals at each
    month's last night), the final state (the :class:`KindFit`), and the test period's
    forecast along sampled drift paths from the end of training.
    """
    from iadsim.history.backtest import kind_nights

    every = kind_nights(history, kind)
    dates = every["date"]
    training = every[(dates >= train[0]) & (dates <= train[1])]
    testing = every[(dates >= test[0]) & (dates <= test[1])] if test is not None else every.iloc[:0]
    nights = pd.concat([training, testing]).reset_index(drop=True)
    model = simulation_model(table, nights)
    run = FilterRun(model)
    cuts = sorted(breaks)
    month_ends: list[tuple[int, int]] = []  # (night index, filter state snapshot index)
    snapshots: list[NDArray[np.float64]] = []
    first = 0
    for i in range(len(training)):
        date = model.dates[i]
        if cuts and run.date is not None and any(run.date < b <= date for b in cuts):
            run.reset()
            first = i
        run.advance(date)
        run.observe(i)
        last_of_month = i + 1 == len(training) or model.dates[i + 1].strftime(
            "%Y%m"
        ) != date.strftime("%Y%m")
        if last_of_month:
            snapshots.append(run.logp.copy())
            month_ends.append((i, len(snapshots) - 1))
    f = run.choose()
    sigma, c, v = run.pairs[f]
    a, b = model.a, model.b
    smoothed = _smoothed(run, f, snapshots, month_ends, cuts, len(training))
    records = []
    for (i, k), after in zip(month_ends, smoothed, strict=True):
        record: dict[str, object] = {
            "kind": kind, "month": str(nights["month"].iloc[i]), "date": model.dates[i].isoformat(),
        }  # fmt: skip
        for tag, logp in (("", snapshots[k][f]), ("smoothed_", after)):
            p = np.exp(logp - logp.max())
            pk = _marginal(p.sum(axis=1), a, level)
            record.update({f"{tag}pk": pk[0], f"{tag}pk_lo": pk[1], f"{tag}pk_hi": pk[2]})
            name, values = ("ew", b) if table.has_ew else ("capacity", 1.0 / b)
            m = _marginal(p.sum(axis=0), values, level)
            record.update({f"{tag}{name}": m[0], f"{tag}{name}_lo": m[1], f"{tag}{name}_hi": m[2]})
        records.append(record)
    rng = np.random.default_rng(seed)
    final = np.exp(run.logp[f] - run.logp[f].max()).ravel()
    state = rng.choice(final.size, size=200, p=final / final.sum())
    pe = len(b)
    draws = np.column_stack([a[state // pe], b[state % pe] if table.has_ew else
                             np.zeros(len(state))])  # fmt: skip
    p_last = np.exp(run.logp[f] - run.logp[f].max())
    kept = training.iloc[first:]
    fit = KindFit(
        kind=kind,
        start=kept["date"].iloc[0] if not kept.empty else train[0],
        end=train[1],
        nights=len(kept),
        launched=float(kept["launched"].sum()),
        pk=_marginal(p_last.sum(axis=1), a, level)[0],
        ew=_marginal(p_last.sum(axis=0), b, level)[0] if table.has_ew else None,
        draws=draws,
        dispersion=float(c),
    )
    ix = list(range(len(training), len(nights)))
    picks = run.pick(samples, rng, average)
    counts = run.sample_mixed_path(picks, ix, rng) if ix else np.zeros((samples, 0, 3))
    chosen_night = testing.iloc[:0]
    night_counts = np.zeros((samples, 0, 3))
    if night is not None and not testing.empty:
        hit = np.flatnonzero((testing["date"] == night).to_numpy())
        chosen_night = testing.iloc[hit]
        night_counts = counts[:, hit]
    return (
        fit,
        pd.DataFrame(records),
        {"sigma": float(sigma), "c": float(c), **model.variants[v]},
        {"test": (testing, counts), "night": (chosen_night, night_counts)},
    )
