"""Intervals stay inside what is possible: no negative counts, no share above 1.

Hand-worked values: Wilson's interval for 10 of 50; the score interval of a count
seen once in 200 replications against the exact (Garwood) Poisson interval.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2
from scipy.stats import t as student_t

from iadsim.compile import compile_scenario
from iadsim.engine import simulate, simulate_batches
from iadsim.metrics import (
    Accumulator,
    mean_estimate,
    mean_interval,
    proportion_interval,
    score_bounds,
    summarize,
    supports,
    upper_limit,
)
from iadsim.scenario import parse_scenario

from scenarios import base, unit


def test_all_zeros_and_all_equal_give_the_value_itself() -> None:
    assert mean_interval(np.zeros(200), lower=0).to_dict() == {"mean": 0.0, "lo": 0.0, "hi": 0.0}
    assert mean_interval(np.ones(30), lower=0, upper=1).to_dict() == {
        "mean": 1.0,
        "lo": 1.0,
        "hi": 1.0,
    }
    assert mean_interval(np.full(10, 6.0), lower=0, upper=6).to_dict()["hi"] == 6.0
    assert mean_interval(np.full(10, 3.0), lower=0).to_dict()["lo"] == 3.0


def test_one_replication_has_no_interval() -> None:
    e = mean_interval([4.0], lower=0)
    assert e.mean == 4.0 and math.isnan(e.lo) and math.isnan(e.hi)
    assert e.to_dict() == {"mean": 4.0, "lo": None, "hi": None}


def test_wilson_interval_of_ten_in_fifty() -> None:
    # textbook value: 10 successes in 50, 95%: 0.1124 to 0.3304
    e = proportion_interval([1] * 10 + [0] * 40)
    assert e.mean == 0.2
    assert e.lo == pytest.approx(0.11244, abs=5e-5) and e.hi == pytest.approx(0.33037, abs=5e-5)


def test_zero_one_data_in_zero_one_is_wilson_with_the_t_quantile() -> None:
    n, k = 50, 10
    x = np.array([1.0] * k + [0.0] * (n - k))
    e = mean_interval(x, lower=0, upper=1)
    # Wilson's formula with z^2 / n replaced by q^2 / (n - 1), q the Student-t quantile
    p = k / n
    c = student_t.ppf(0.975, n - 1) ** 2 / (n - 1)
    centre = (p + c / 2) / (1 + c)
    half = math.sqrt(c * p * (1 - p) + c * c / 4) / (1 + c)
    assert e.lo == pytest.approx(centre - half, rel=1e-12)
    assert e.hi == pytest.approx(centre + half, rel=1e-12)


def test_one_event_in_two_hundred_nights() -> None:
    """The run summary's `damaging hits 0.01 [-0.0013-0.021]` case: a count nearly always 0."""
    x = np.zeros(200)
    x[0] = 1.0
    e = mean_interval(x, lower=0)
    # by hand: mean 0.005, s^2 = 0.995 / 199 = 0.005, phi = s^2 / mean = 1,
    # k = q^2 phi / n = 1.97196^2 / 200 = 0.019443;
    # hi = m + k/2 + sqrt(m k + k^2/4) = 0.028568, lo = m^2 / hi = 0.000875
    assert e.lo == pytest.approx(0.000875, abs=1e-6)
    assert e.hi == pytest.approx(0.028568, abs=1e-6)
    # the exact (Garwood) Poisson interval for 1 event in 200 is [0.00013, 0.0279]
    garwood_hi = chi2.ppf(0.975, 4) / 2 / 200
    assert abs(e.hi - garwood_hi) < 0.03 * garwood_hi
    t = mean_interval(x)  # Student-t: below zero, and half the upper limit
    assert t.lo < 0 < e.lo and t.hi < 0.6 * e.hi


@pytest.mark.parametrize("k", [1, 2, 5, 10, 30])
def test_count_upper_limits_follow_the_exact_poisson_ones(k: int) -> None:
    x = np.zeros(400)
    x[:k] = 1.0
    e = mean_interval(x, lower=0)
    exact_hi = chi2.ppf(0.975, 2 * k + 2) / 2 / 400
    exact_lo = chi2.ppf(0.025, 2 * k) / 2 / 400
    assert 0 < e.lo < k / 400 < e.hi
    assert e.hi == pytest.approx(exact_hi, rel=0.05)
    assert exact_lo <= e.lo  # the score interval is a little narrower below (as Wilson is)


def test_ends_solve_the_score_equation() -> None:
    x = np.array([0, 0, 0, 1, 0, 3, 0, 0, 7, 0, 2, 0], dtype=float)
    n, mean, var = len(x), float(x.mean()), float(x.var(ddof=1))
    q = student_t.ppf(0.975, n - 1)
    for upper in (math.inf, 12.0):
        lo, hi = score_bounds(mean, var, n, q, 0.0, upper)

        def v(mu: float, upper: float = upper) -> float:
            return mu if math.isinf(upper) else mu * (upper - mu) / upper

        phi = var / v(mean)
        for end in (lo, hi):
            assert (mean - end) ** 2 == pytest.approx(q * q * phi * v(end) / n, rel=1e-9)
        assert 0 < lo < mean < hi <= upper


def test_far_from_the_bounds_it_is_the_student_interval() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(500.0, 20.0, size=400).round()
    t = mean_interval(x)
    s = mean_interval(x, lower=0)
    half = t.hi - t.mean
    assert s.mean == t.mean
    assert abs(s.lo - t.lo) < 0.01 * half and abs(s.hi - t.hi) < 0.01 * half


def test_near_the_top_it_stays_under_the_bound() -> None:
    x = np.array([6.0] * 48 + [5.0, 4.0])  # 6 launched, nearly all leak
    e = mean_interval(x, lower=0, upper=6)
    t = mean_interval(x)
    assert t.hi > 6 and e.lo < e.mean < e.hi < 6


def test_differences_keep_the_student_interval() -> None:
    d = np.array([-3.0, 1.0, -2.0, 0.5, -1.0, 2.0])
    e = mean_interval(d)
    half = student_t.ppf(0.975, 5) * d.std(ddof=1) / math.sqrt(6)
    assert e.lo == pytest.approx(d.mean() - half) and e.hi == pytest.approx(d.mean() + half)


def test_a_wrong_bound_does_not_exclude_the_data() -> None:
    x = np.array([0.0, 2.0, 9.0, 1.0])
    e = mean_interval(x, lower=0, upper=5)  # 9 is above the bound given: bound widened
    assert e.lo <= e.mean <= e.hi and e.hi <= 9.0


def test_upper_limit_is_the_two_sided_end_at_twice_the_level() -> None:
    x = np.array([150.0, 160.0, 155.0, 149.0, 158.0, 162.0, 151.0, 157.0])
    assert upper_limit(x, 0.9) == pytest.approx(mean_interval(x, 0.8, lower=0).hi)
    t_limit = x.mean() + student_t.ppf(0.9, 7) * x.std(ddof=1) / math.sqrt(8)
    assert upper_limit(x, 0.9, lower=None) == pytest.approx(t_limit)
    assert upper_limit(x, 0.9) == pytest.approx(t_limit, rel=1e-3)  # far from 0: the same
    rare = np.zeros(50)
    rare[3] = 4.0
    assert upper_limit(rare, 0.9) > upper_limit(rare, 0.9, lower=None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 20), min_size=2, max_size=60),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    st.booleans(),
)
def test_intervals_never_leave_the_support(values: list[int], confidence: float, top: bool) -> None:
    x = np.array(values, dtype=float)
    upper = 20.0 if top else math.inf
    e = mean_interval(x, confidence, lower=0, upper=upper)
    assert 0.0 <= e.lo <= e.mean <= e.hi <= upper
    if x.min() < x.max():
        assert e.lo < e.mean < e.hi  # some spread: a real interval, on both sides
    m2 = float(((x - x.mean()) ** 2).sum())
    assert mean_estimate(float(x.mean()), m2, len(x), confidence, lower=0, upper=upper) == e


def _rare_hits() -> dict:
    """A depot hit in a few nights only: one good SAM, one shot at each of 40 drones."""
    raw = base(salvo={"default": 1}, max_engagements=1)
    raw["fire_units"] = [unit("sam", -30, pk=0.995, rounds=200, channels=4)]
    return raw


def test_run_summary_intervals_respect_the_support() -> None:
    cs = compile_scenario(parse_scenario(_rare_hits()))
    out = simulate(cs, replications=300, seed=5)
    summary = summarize(cs, out)
    hits = summary.assets["hits"]["depot"]
    assert 0 < hits.mean < 0.5 and hits.lo > 0  # mostly zeros, yet a positive lower end
    bounds = supports(cs)
    flat = summary.to_dict()
    for table in ("by_kind", "by_class", "by_layer", "by_unit"):
        for group, figures in flat[table].items():
            for name, e in figures.items():
                lo_b, hi_b = bounds[(table, group, name)]
                assert lo_b <= e["lo"] <= e["mean"] <= e["hi"] <= hi_b, (table, group, name)
    for kind, figures in summary.by_kind.items():
        launched = figures["launched"].mean
        for fate in ("destroyed", "lost_to_ew", "leaked"):
            assert figures[fate].hi <= launched, (kind, fate)


def test_streamed_batches_give_the_same_intervals() -> None:
    cs = compile_scenario(parse_scenario(_rare_hits()))
    out = simulate(cs, replications=120, seed=9)
    whole = summarize(cs, out).to_dict()
    acc = Accumulator(cs)
    for batch in simulate_batches(cs, replications=120, seed=9, batch_size=50):
        acc.add(batch)
    streamed = acc.summary().to_dict()
    for name, e in whole["by_kind"]["owa_drone"].items():
        assert streamed["by_kind"]["owa_drone"][name] == pytest.approx(e), name
    assert streamed["assets"]["hits"]["depot"] == pytest.approx(whole["assets"]["hits"]["depot"])
