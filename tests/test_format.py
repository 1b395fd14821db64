"""One formatting module: numbers, money and intervals as every table and report writes them."""

from __future__ import annotations

import math

import pytest

from iadsim import format as fmt
from iadsim.metrics import Estimate


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (-1e-20, "-1e-20"),
        (0.0312, "0.0312"),
        (4.5, "4.5"),
        (703.2, "703"),
        (999.4, "999"),
        (999.6, "1,000"),
        (12480.0, "12,480"),
        (-2500.0, "-2,500"),
        (None, "–"),
        (math.nan, "–"),
        (math.inf, "∞"),
        (-math.inf, "-∞"),
    ],
)
def test_number(x: float | None, text: str) -> None:
    assert fmt.number(x) == text


@pytest.mark.parametrize(
    ("dollars", "text"),
    [
        (0, "$0"),
        (0.4, "$0"),
        (-0.4, "$0"),
        (900, "$900"),
        (999.4, "$999"),
        (45_000, "$45k"),
        (147_000_000, "$147M"),
        (999_950, "$1M"),  # rounded first, then the unit: never $1e+03k
        (999_949, "$1M"),
        (310e6, "$310M"),
        (2.25e9, "$2.25B"),
        (1.2e12, "$1.2T"),
        (1e16, "$10,000T"),
        (-45_000, "-$45k"),
        (None, "–"),
        (math.nan, "–"),
        (math.inf, "$∞"),
    ],
)
def test_money(dollars: float | None, text: str) -> None:
    assert fmt.money(dollars) == text


def test_money_digits() -> None:
    assert fmt.money(147_049_000, digits=4) == "$147M"
    assert fmt.money(147_250_000, digits=4) == "$147.2M"
    assert fmt.money(2_251_000_000, digits=2) == "$2.3B"


def test_fixed_and_percent() -> None:
    assert fmt.fixed(12480.456, 1) == "12,480.5"
    assert fmt.fixed(-0.0001, 2) == "0.00"  # no "-0.00"
    assert fmt.fixed(None, 2) == "–"
    assert fmt.percent(0.125, 1) == "12.5%"
    assert fmt.percent(0.95) == "95%"
    assert fmt.percent(math.nan) == "–"


def test_intervals_are_unambiguous() -> None:
    assert fmt.estimate(Estimate(-0.5, -1.25, 0.25)) == "-0.5 [-1.25, 0.25]"
    assert fmt.estimate(Estimate(0.01, 0.0, 0.0213)) == "0.01 [0, 0.0213]"
    assert fmt.estimate({"mean": 3.0, "lo": None, "hi": None}) == "3"
    assert fmt.estimate((5.0, 5.0, 5.0)) == "5"  # bounds that print the same: the mean alone
    assert fmt.estimate({"mean": None, "lo": None, "hi": None}) == "–"
    assert fmt.estimate(Estimate(2e6, 1.5e6, 2.5e6), money=True) == "$2M [$1.5M, $2.5M]"
    assert fmt.estimate(Estimate(1.0, 0.5, 2.0), sep="\n") == "1\n[0.5, 2]"
    assert fmt.estimate(Estimate(1.234, 1.0, 1.5), show="{:.2f}".format) == "1.23 [1.00, 1.50]"
    assert fmt.interval(1.0, math.nan, 2.0) == "1"


@pytest.mark.parametrize(
    ("e", "text"),
    [
        ({"mean": 703.2, "lo": 678.4, "hi": 729.9}, "703 [678, 730]"),
        ({"mean": 1.83, "lo": 0.71, "hi": 4.12}, "1.8 [0.7, 4.1]"),
        ({"mean": 0.0123, "lo": 0.001, "hi": 0.03}, "0.012 [0.001, 0.030]"),
        ({"mean": 20.0, "lo": 20.0, "hi": 20.0}, "20"),
        ({"mean": 4.5, "lo": None, "hi": None}, "4.50"),
        ({"mean": -18.2, "lo": -28.1, "hi": -7.3}, "-18 [-28, -7]"),
        ({"mean": 12480.0, "lo": 11000.0, "hi": 14000.0}, "12,480 [11,000, 14,000]"),
    ],
)
def test_interval_digits(e: dict[str, float | None], text: str) -> None:
    assert fmt.estimate(e, show=fmt.interval_digits(e)) == text


def test_values_of_a_sweep() -> None:
    assert fmt.value(0.30000000000000004) == "0.3"
    assert fmt.value("12.345678901 km") == "12.35 km"
    assert fmt.value("12 km") == "12 km"
    assert fmt.value(7) == "7" and fmt.value(True) == "True" and fmt.value(None) == "None"
    assert fmt.value("shoot-look-shoot") == "shoot-look-shoot"
    assert fmt.value([1, "2 km"]) == '[1, "2 km"]'


def test_the_command_line_tables_use_it() -> None:
    from iadsim.cli import campaign, tables

    e = Estimate(2.25e9, 2.24e9, 2.26e9)
    assert tables.estimate_text(e, money=True) == fmt.estimate(e, money=True)
    assert tables.number(3.2e6, money=True) == fmt.money(3.2e6) == "$3.2M"
    assert campaign.money_text(3.2e6) == fmt.money(3.2e6)
    assert campaign.estimate_text(e, money=True) == "$2.25B [$2.24B, $2.26B]"
