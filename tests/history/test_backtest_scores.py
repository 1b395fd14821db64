"""Scores of sample forecasts, the raid-size test and the drift filter against theory."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import kstest, norm

from iadsim.history.drift import DriftModel, FilterRun, night_logliks, sample_counts
from iadsim.history.saturation import size_effect
from iadsim.history.scores import coverage_from_pit, crps, interval, interval_score, pit


def test_crps_of_a_point_forecast_is_the_absolute_error() -> None:
    x = np.full((50, 3), 0.3)
    assert np.allclose(crps(x, np.array([0.3, 0.5, 0.0])), [0.0, 0.2, 0.3])


def test_crps_of_normal_samples_matches_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20_000, 1))
    y = 0.7
    exact = 2 * norm.pdf(y) + y * (2 * norm.cdf(y) - 1) - 1 / math.sqrt(math.pi)
    assert crps(x, np.array([y]))[0] == pytest.approx(exact, abs=0.01)


def test_interval_score_is_width_plus_the_scaled_miss() -> None:
    x = np.linspace(0, 1, 1001)
    lo, hi = interval(x, 0.9)
    assert lo[0] == pytest.approx(0.05) and hi[0] == pytest.approx(0.95)
    inside, above = interval_score(x, np.array([0.5, 1.15]), 0.9)
    assert inside == pytest.approx(0.9)
    assert above == pytest.approx(0.9 + (2 / 0.1) * 0.2)


def test_pit_is_uniform_for_calibrated_counts_and_gives_coverage() -> None:
    rng = np.random.default_rng(2)
    n, p = 5, 0.3  # small counts: the randomisation is what makes PIT uniform
    x = rng.binomial(n, p, size=(2000, 800)).astype(float)
    y = rng.binomial(n, p, size=800).astype(float)
    u = pit(x, y, rng)
    assert kstest(u, "uniform").pvalue > 0.01
    assert coverage_from_pit(u, 0.9) == pytest.approx(0.9, abs=0.04)
    assert coverage_from_pit(u, 0.5) == pytest.approx(0.5, abs=0.05)
    assert math.isnan(coverage_from_pit(np.array([]), 0.5))


def _months(nights: int) -> np.ndarray:
    return np.array([f"2025-{1 + i // 30:02d}" for i in range(nights)])


def test_size_effect_recovers_a_known_slope_within_months() -> None:
    rng = np.random.default_rng(3)
    nights = 600
    months = _months(nights)
    level = {m: rng.normal(-1.5, 0.5) for m in set(months)}
    n = rng.integers(5, 400, size=nights).astype(float)
    slope = -0.4  # per unit of log(n)
    p = expit(np.array([level[m] for m in months]) + slope * (np.log(n) - 4))
    leaked = rng.binomial(n.astype(int), p)
    effect = size_effect(n, leaked, months)
    assert effect.per_doubling == pytest.approx(slope * math.log(2), abs=3 * effect.se)
    assert effect.p_value < 1e-6 and effect.nights == nights
    flat = size_effect(n, rng.binomial(n.astype(int), 0.2), months)
    assert flat.p_value > 0.001
    none = size_effect(np.full(10, 5.0), np.ones(10), _months(10))
    assert none.nights == 0 and math.isnan(none.per_doubling)


def _nights(leaked_share: list[float], n: int = 50) -> pd.DataFrame:
    dates = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(len(leaked_share))]
    leaked = np.rint(np.array(leaked_share) * n)
    return pd.DataFrame({"date": dates, "launched": float(n), "leaked": leaked,
                         "neutralised": n - leaked, "destroyed": np.nan, "lost_to_ew": np.nan,
                         "ew_reporting": "combined"})  # fmt: skip


def _walk(nights: pd.DataFrame, sigmas: tuple[float, ...]) -> DriftModel:
    a = expit(np.linspace(-5, 5, 81))
    shares = np.stack([1 - a, np.zeros_like(a), a], axis=-1)[:, None, :]
    return DriftModel(a, np.zeros(1), shares, nights, False, sigmas=sigmas,
                      concentrations=(math.inf,))  # fmt: skip


def _mean_after(model: DriftModel) -> float:
    run = FilterRun(model)
    for i, date in enumerate(model.dates):
        run.advance(date)
        run.observe(i)
    f = run.choose()
    p = np.exp(run.logp[f].ravel())
    return float((p * model.a).sum())


def test_the_filter_follows_a_step_only_when_it_may_drift() -> None:
    nights = _nights([0.1] * 60 + [0.4] * 15)
    assert _mean_after(_walk(nights, (0.0,))) == pytest.approx(0.16, abs=0.02)  # pooled
    assert _mean_after(_walk(nights, (0.5,))) == pytest.approx(0.4, abs=0.05)
    # given both, the past predictive likelihood picks the drifting filter
    run = FilterRun(_walk(nights, (0.0, 0.5)))
    for i, date in enumerate(run.model.dates):
        run.advance(date)
        run.observe(i)
    assert run.pairs[run.choose()][0] == 0.5


def test_dirichlet_multinomial_spread_and_likelihood() -> None:
    rng = np.random.default_rng(4)
    p = np.broadcast_to(np.array([0.6, 0.1, 0.3]), (20_000, 3))
    n = np.full(20_000, 100.0)
    for c in (10.0, math.inf):
        leaked = sample_counts(p, n, c, rng)[:, 2]
        expected = 100 * 0.3 * 0.7 * ((100 + c) / (1 + c) if math.isfinite(c) else 1.0)
        assert leaked.var() == pytest.approx(expected, rel=0.08)
    nights = _nights([0.3] * 5, n=100)
    grid = np.array([[[0.7, 0.0, 0.3]], [[0.5, 0.0, 0.5]]])
    ll = night_logliks(grid, nights, math.inf, has_ew=False)
    assert ll.shape == (2, 5) and (ll[0] > ll[1]).all()


def test_a_break_makes_a_stationary_filter_forget_what_came_before() -> None:
    from iadsim.history.backtest import _drift_forecasts, _plans

    nights = _nights([0.1] * 60 + [0.4] * 30)
    nights["month"] = [d.strftime("%Y-%m") for d in nights["date"]]
    step = nights["date"].iloc[60]
    span = (step + dt.timedelta(days=10), nights["date"].iloc[-1])
    plans = _plans(nights, span, window=None, start=None, by=("night",))
    rng = np.random.default_rng(5)

    def level(breaks: list[dt.date]) -> float:
        out = _drift_forecasts(_walk(nights, (0.0,)), plans, breaks, 200, rng)
        return float(np.mean([counts[..., 2].mean() / 50 for _, counts, _ in out.values()]))

    assert level([step]) == pytest.approx(0.4, abs=0.03)  # only nights after the break
    assert level([]) < 0.3  # all history pooled
