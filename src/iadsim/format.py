"""How iadsim writes numbers, money and intervals: one module for the CLI tables and the reports.

- :func:`number`: three significant digits, thousands in full (``0.0312``,
  ``4.5``, ``703``, ``12,480``).
- :func:`money`: US dollars to three significant digits with a suffix
  (``$900``, ``$45k``, ``$310M``, ``$2.25B``, ``$1.2T``).
- :func:`fixed`: a fixed number of decimals with thousands separators.
- :func:`percent`: a share as a percentage (``0.125`` → ``12.5%``).
- :func:`interval`, :func:`estimate`: ``mean [lo, hi]``, a comma between the
  bounds so that a negative bound can never be misread; the mean alone when the
  interval is undefined or its ends print the same.
- :func:`interval_digits`: a formatter with the decimals an interval supports
  (its half-width to two significant digits: ``703 [678, 730]``, ``1.8 [0.7, 4.1]``).
- :func:`value`: a swept or design value (``0.3``, not ``0.30000000000000004``;
  a quantity such as ``"12.50000001 km"`` keeps its unit).

A missing value (``None`` or NaN) prints as :data:`MISSING` (an en dash);
infinity as ``∞``. Nothing here depends on a terminal or a page: plain strings.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "MISSING",
    "SIGNIFICANT",
    "estimate",
    "fixed",
    "interval",
    "interval_digits",
    "money",
    "number",
    "percent",
    "value",
]

MISSING = "–"
"""What a missing or undefined number prints as (an en dash)."""

SIGNIFICANT = 4
"""Significant digits of a swept or design value (:func:`value`)."""

Formatter = Callable[[float], str]

_MONEY_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _infinite(x: float) -> str | None:
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return None


def _significant(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant digits, with no exponent from 1 up (``-0`` is ``0``)."""
    text = f"{x:.{digits}g}"
    if "e" in text and abs(float(text)) >= 1:
        text = f"{float(text):,.0f}"
    return "0" if text in ("-0", "0") else text


def number(x: float | None) -> str:
    """A figure to three significant digits; from 1,000 up, in full with thousands separators.

    ``None`` or NaN prints as :data:`MISSING`. Very small values keep an
    exponent (``1e-05``) rather than a row of zeros.
    """
    if _missing(x):
        return MISSING
    assert x is not None
    x = float(x)
    if (inf := _infinite(x)) is not None:
        return inf
    if abs(x) >= 999.5:
        return f"{x:,.0f}"
    text = f"{x:.3g}"
    return "0" if text in ("-0", "0", "-0.0") else text


def money(dollars: float | None, digits: int = 3) -> str:
    """US dollars to ``digits`` significant digits: ``$900``, ``$45k``, ``$310M``, ``$2.25B``.

    Amounts under $1,000 are whole dollars; a negative amount reads ``-$45k``.
    """
    if _missing(dollars):
        return MISSING
    assert dollars is not None
    x = float(dollars)
    if math.isinf(x):
        return "-$∞" if x < 0 else "$∞"
    sign = "-" if x < 0 else ""
    x = abs(x)
    # the unit is chosen after rounding, so $999,950 is $1M and not $1e+03k
    rounded = float(f"{x:.{digits}g}")
    for div, suffix in _MONEY_SUFFIXES:
        if rounded >= div:
            return f"{sign}${_significant(rounded / div, digits)}{suffix}"
    whole = f"{x:.0f}"
    return f"{sign if whole != '0' else ''}${whole}"


def fixed(x: float | None, decimals: int) -> str:
    """``x`` with thousands separators and ``decimals`` decimals (``12,480.5``)."""
    if _missing(x):
        return MISSING
    assert x is not None
    x = float(x)
    if (inf := _infinite(x)) is not None:
        return inf
    text = f"{x:,.{decimals}f}"
    return text[1:] if text.startswith("-") and text.strip("-0.,") == "" else text


def percent(share: float | None, decimals: int = 0) -> str:
    """A share (0.125) as a percentage to ``decimals`` decimals (``12.5%`` with 1)."""
    if _missing(share):
        return MISSING
    assert share is not None
    return f"{fixed(100.0 * float(share), decimals)}%"


def _parts(e: Any) -> tuple[float, float, float]:
    """``(mean, lo, hi)`` of an Estimate, its dict or a triple; NaN for an undefined bound."""

    def f(v: Any) -> float:
        return math.nan if v is None else float(v)

    if isinstance(e, Mapping):
        return f(e.get("mean")), f(e.get("lo")), f(e.get("hi"))
    if isinstance(e, tuple | list):
        mean, lo, hi = e
        return f(mean), f(lo), f(hi)
    return f(e.mean), f(e.lo), f(e.hi)


def interval(
    mean: float | None,
    lo: float | None,
    hi: float | None,
    *,
    show: Formatter = number,
    sep: str = " ",
) -> str:
    """``mean [lo, hi]`` with each number written by ``show``.

    Only the mean when a bound is missing or when both bounds print the same;
    :data:`MISSING` when the mean is missing. ``sep`` goes between the mean and
    the bracket (a line break in a narrow table).
    """
    if _missing(mean):
        return MISSING
    assert mean is not None
    head = show(float(mean))
    if _missing(lo) or _missing(hi):
        return head
    assert lo is not None and hi is not None
    low, high = show(float(lo)), show(float(hi))
    if low == high:
        return head
    return f"{head}{sep}[{low}, {high}]"


def estimate(
    e: Any,
    *,
    money: bool = False,
    show: Formatter | None = None,
    sep: str = " ",
) -> str:
    """An estimate as ``mean [lo, hi]``.

    Args:
        e: an :class:`iadsim.metrics.Estimate`, its ``{mean, lo, hi}`` dict
            (``None`` for an undefined bound) or a ``(mean, lo, hi)`` triple.
        money: write US dollars (:func:`money`) instead of :func:`number`.
        show: any other formatter of one number, e.g. ``interval_digits(e)``
            or ``"{:.2f}".format``; it takes precedence over ``money``.
        sep: what goes between the mean and the bracket.
    """
    mean, lo, hi = _parts(e)
    chosen: Formatter = show or (_money_default if money else number)
    return interval(mean, lo, hi, show=chosen, sep=sep)


def _money_default(x: float) -> str:
    return money(x)


def _decimals(half_width: float, centre: float) -> int:
    """Decimals showing a half-width to two significant digits (a point value to three)."""
    if half_width > 0 and math.isfinite(half_width):
        return max(0, min(4, 1 - math.floor(math.log10(half_width))))
    if not math.isfinite(centre) or centre == int(centre):
        return 0
    return max(0, min(4, 2 - math.floor(math.log10(abs(centre)))))


def interval_digits(e: Any) -> Formatter:
    """A formatter with the decimals that ``e``'s interval supports.

    The half-width is shown to two significant digits (``703 [678, 730]``,
    ``1.8 [0.7, 4.1]``); a value without an interval to three; never more than
    four decimals. Use as ``estimate(e, show=interval_digits(e))``.
    """
    mean, lo, hi = _parts(e)
    half = 0.0 if math.isnan(lo) or math.isnan(hi) else (hi - lo) / 2.0
    places = _decimals(half, 0.0 if math.isnan(mean) else mean)

    def show(x: float) -> str:
        return fixed(x, places)

    return show


_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*)?$")


def value(v: Any) -> str:
    """A swept or design value to :data:`SIGNIFICANT` digits; a quantity keeps its unit.

    Integers, booleans and ``None`` print as they are; a list or mapping as
    compact JSON.
    """
    if isinstance(v, bool) or v is None or isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.{SIGNIFICANT}g}"
    if isinstance(v, str):
        match = _QUANTITY.match(v)
        if match and ("." in match.group(1) or "e" in match.group(1).lower()):
            head = f"{float(match.group(1)):.{SIGNIFICANT}g}"
            return f"{head} {match.group(2)}" if match.group(2) else head
        return v
    return json.dumps(v, separators=(", ", ": "))
