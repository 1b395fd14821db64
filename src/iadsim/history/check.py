"""Calibrate on a training period, then predict a test period the fit never saw.

:func:`calibrate` builds a response table per threat kind (simulated once,
cached), fits each kind on the training nights (optionally in several
periods), and predicts every test night by simulation-free sampling: a
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

from iadsim.history.fit import KindFit, fit_kind
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
    rungs: int = 6,
    draws: int = 400,
    bootstrap: int = 200,
    samples: int = 400,
    level: float = 0.9,
    seed: int = 0,
    engine: str = "fast",
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
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
        rungs: raid sizes simulated per kind (geometric ladder).
        draws: simulated threats per size and grid point (see :func:`response_table`).
        bootstrap: bootstrap resamples of the training nights.
        samples: prediction samples per night.
        level: level of the prediction intervals.
        seed: seed of simulations, bootstrap and predictions.
        engine: ``"fast"`` or ``"reference"``.
        cache_dir: folder caching the simulated response tables.
        progress: called with the number of simulated grid points just done.

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
            model, kind, sizes, pk_grid=pk_grid, ew_grid=ew_grid, seed=seed, draws=draws,
            engine=engine, cache_dir=cache_dir, progress=progress,
        )  # fmt: skip
        tables[kind] = table
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
    )
