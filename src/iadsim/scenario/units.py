"""Quantities with units in scenario files, read with pint and stored in SI.

Scenario files write ``"150 km"``, ``"185 km/h"``, ``"10 s"`` or ``"4 MUSD"``;
the loader turns each into a float in SI units (metres, seconds, m/s, m², US
dollars). A bare number where a unit is needed is rejected: ``150`` could be
metres or kilometres, and guessing is how a battery ends up in the sea.
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TypeAlias

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from iadsim import limits
from iadsim.errors import shorten

__all__ = [
    "Area",
    "ClockTime",
    "Duration",
    "Length",
    "Money",
    "Speed",
    "TimePoint",
    "parse_quantity",
]


@functools.cache
def _registry() -> Any:
    import pint  # lazy: pint takes a moment to build its registry

    # parsed definitions are cached on disk: ten times faster on the next start
    ureg: Any = pint.UnitRegistry(cache_folder=":auto:")
    ureg.define("USD = [currency] = usd = dollar")
    return ureg


class _Dimension(NamedTuple):
    name: str
    si_unit: str
    pint_dimension: str
    example: str
    largest: float
    """The largest magnitude accepted, in the SI unit (see :mod:`iadsim.limits`)."""
    largest_text: str
    """The same, as a quantity for messages."""


LENGTH = _Dimension("length", "m", "[length]", "150 km", limits.MAX_LENGTH_M, "100000 km")
SPEED = _Dimension(
    "speed", "m/s", "[length] / [time]", "185 km/h", limits.MAX_SPEED_MPS, "100 km/s"
)
DURATION = _Dimension("duration", "s", "[time]", "10 s", limits.MAX_DURATION_S, "30 days")
AREA = _Dimension("area", "m**2", "[length] ** 2", "0.1 m^2", limits.MAX_AREA_M2, "1000000 m^2")
MONEY = _Dimension(
    "amount of money", "USD", "[currency]", "120000 USD", limits.MAX_MONEY_USD, "1e13 USD"
)


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
_NAME = r"[A-Za-z_\u00b5\u03bc\u2126\u00b0][A-Za-z0-9_\u00b5\u03bc\u2126\u00b0]*"
_POWER = r"(?:\s*(?:\^|\*\*)\s*(?:-?[0-9]{1,2}|\(\s*-?[0-9]{1,2}\s*\)))?"
_FACTOR = re.compile(rf"({_NAME}){_POWER}")
_QUANTITY = re.compile(
    rf"\s*(?P<number>{_NUMBER})\s*(?P<unit>{_NAME}{_POWER}(?:\s*[*/]\s*{_NAME}{_POWER})*)?\s*"
)
_MAX_FACTORS = 6
_GRAMMAR = (
    "a number and a unit such as '{example}' (a decimal number, optionally with an "
    "exponent as in 1.5e3, then unit names joined by * or / with small powers, as in "
    "m^2 or km/h)"
)


def _check_text(text: str, original: Any, dim: _Dimension) -> None:
    """Refuse quantity text outside the safe grammar, before pint sees it.

    pint's expression parser evaluates arithmetic (``9**9**9 km`` would never
    return), so only ``NUMBER UNIT`` text reaches it, with bounded length and powers.
    """
    shown = _show(original)
    if len(text) > limits.MAX_QUANTITY_CHARS:
        raise ValueError(
            f"expected {_a(dim.name)} such as '{dim.example}', got text of {len(text)} "
            f"characters ({shown}); the limit is {limits.MAX_QUANTITY_CHARS}"
        )
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise ValueError(
            f"could not read {shown} as {_a(dim.name)}: expected "
            + _GRAMMAR.format(example=dim.example)
        )
    number = float(match["number"])
    if not math.isfinite(number):
        raise ValueError(f"expected a finite {dim.name}, got {shown}")
    unit = match["unit"] or ""
    factors = _FACTOR.findall(unit)
    if len(factors) > _MAX_FACTORS:
        raise ValueError(
            f"could not read {shown} as {_a(dim.name)}: its unit has {len(factors)} parts; "
            f"the limit is {_MAX_FACTORS}"
        )
    for power in re.findall(r"(?:\^|\*\*)\s*\(?\s*(-?[0-9]+)", unit):
        if abs(int(power)) > limits.MAX_UNIT_EXPONENT:
            raise ValueError(
                f"could not read {shown} as {_a(dim.name)}: the power {power} is larger "
                f"than {limits.MAX_UNIT_EXPONENT}, the largest a unit may have"
            )


def _show(value: Any) -> str:
    """A value as the file wrote it, shortened for a message."""
    return shorten(repr(value) if isinstance(value, str) else str(value))


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str, dim: _Dimension) -> float:
    """A quantity's text, checked and converted to SI (the same text always gives the same)."""
    _check_text(text, text, dim)
    ureg = _registry()
    try:
        quantity = ureg.Quantity(text)
    except Exception as exc:  # pint raises several unrelated types
        detail = " ".join(str(exc).split())[:120]
        raise ValueError(
            f"could not read {_show(text)} as {_a(dim.name)} such as '{dim.example}' ({detail})"
        ) from None
    return _to_si(quantity, text, dim)


def _to_si(quantity: Any, value: Any, dim: _Dimension) -> float:
    shown = _show(value)
    if quantity.dimensionless:
        raise ValueError(
            f"expected {_a(dim.name)} with its unit, such as '{dim.example}'; {shown} has no unit"
        )
    if not quantity.check(dim.pint_dimension):
        raise ValueError(
            f"expected {_a(dim.name)} such as '{dim.example}', got {shown} "
            f"which is a {quantity.dimensionality}"
        )
    try:
        magnitude = float(quantity.to(dim.si_unit).magnitude)
    except (ArithmeticError, ValueError):
        magnitude = math.inf
    if not math.isfinite(magnitude):
        raise ValueError(f"expected a finite {dim.name}, got {shown}")
    if abs(magnitude) > dim.largest:
        raise ValueError(f"expected {_a(dim.name)} of at most {dim.largest_text}, got {shown}")
    return magnitude


def parse_quantity(value: Any, dim: _Dimension) -> float:
    """Read ``value`` as a quantity of dimension ``dim`` and return it in SI units.

    Text is a decimal number and a unit (``"150 km"``, ``"1.5e3 m"``, ``"0.1 m^2"``,
    ``"4 MUSD"``): it is checked against that grammar before pint's unit registry
    reads it, so no arithmetic is ever evaluated, and the magnitude must be finite
    and within the dimension's limit (:mod:`iadsim.limits`).

    Args:
        value: a string such as ``"150 km"``, or a ``pint.Quantity``.
        dim: the expected dimension.

    Returns:
        The magnitude in the SI unit of ``dim`` (m, m/s, s, m², USD).

    Raises:
        ValueError: for a bare number, an unreadable string, a wrong
            dimension or a value that is not finite or too large.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(
            f"expected {_a(dim.name)} with its unit, such as '{dim.example}', got {value!r}"
        )
    if isinstance(value, int | float):
        shown = value if isinstance(value, float) or abs(value) < 10**30 else "a huge number"
        raise ValueError(
            f"expected {_a(dim.name)} with its unit, such as '{dim.example}'; "
            f"the bare number {shown!r} is ambiguous"
        )
    if isinstance(value, str):
        text = value.strip().replace("²", "^2").replace("³", "^3")
        try:
            return _parse_text(text, dim)
        except ValueError as exc:
            message = str(exc)
            if text != value:  # say it as the file wrote it
                message = message.replace(_show(text), _show(value))
            raise ValueError(message) from None
    ureg = _registry()
    if isinstance(value, ureg.Quantity):
        return _to_si(value, value, dim)
    raise ValueError(
        f"expected {_a(dim.name)} with its unit, such as '{dim.example}', "
        f"got {type(value).__name__}"
    )


def _reader(dim: _Dimension) -> BeforeValidator:
    return BeforeValidator(functools.partial(parse_quantity, dim=dim))


def _writer(unit_label: str) -> PlainSerializer:
    return PlainSerializer(lambda v: f"{v!r} {unit_label}", return_type=str)


def _schema(dim: _Dimension) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "description": f"{_a(dim.name)} with its unit, e.g. '{dim.example}' "
            f"(a number and a unit; at most {dim.largest_text})",
            "examples": [dim.example],
        }
    )


if TYPE_CHECKING:  # files write text ("2 s"), models hold floats: Any to a type checker
    Length: TypeAlias = Any
    Speed: TypeAlias = Any
    Duration: TypeAlias = Any
    Area: TypeAlias = Any
    Money: TypeAlias = Any
else:
    Length = Annotated[float, _reader(LENGTH), _writer("m"), _schema(LENGTH)]
    """A length, stored in metres."""
    Speed = Annotated[float, _reader(SPEED), _writer("m/s"), _schema(SPEED)]
    """A speed, stored in metres per second."""
    Duration = Annotated[float, _reader(DURATION), _writer("s"), _schema(DURATION)]
    """A duration, stored in seconds."""
    Area = Annotated[float, _reader(AREA), _writer("m^2"), _schema(AREA)]
    """An area (radar cross-section), stored in square metres."""
    Money = Annotated[float, _reader(MONEY), _writer("USD"), _schema(MONEY)]
    """An amount of money, stored in US dollars."""


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:\+\s*(\d{1,3}))?\s*$")


def _parse_clock(value: Any) -> float:
    if not isinstance(value, str):
        raise ValueError(
            f"expected a clock time such as '18:00' or '02:30+1' (next day), got {_show(value)}"
        )
    match = _CLOCK.match(value)
    if match is None:
        raise ValueError(
            f"expected a clock time such as '18:00' or '02:30+1' (next day), got {_show(value)}"
        )
    hours, minutes, seconds, days = (int(g) if g else 0 for g in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(f"{_show(value)} is not a time of day (HH:MM with HH < 24, MM < 60)")
    return float(days * 86400 + hours * 3600 + minutes * 60 + seconds)


def _format_clock(seconds: float) -> str:
    days, rest = divmod(round(seconds), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return text + (f"+{days}" if days else "")


ClockTime = Annotated[
    float,
    BeforeValidator(_parse_clock),
    PlainSerializer(_format_clock, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{1,2}:\d{2}(:\d{2})?(\+\d+)?$",
            "description": "a clock time 'HH:MM', '+N' for N days later, e.g. '02:00+1'",
        }
    ),
]
"""A clock time, stored as seconds after midnight of the first day."""


class TimePoint(NamedTuple):
    """A moment in a scenario: a clock time or an offset from the scenario start."""

    seconds: float
    """Seconds after midnight of day 0 (clock) or after the scenario start (offset)."""
    is_offset: bool
    """True when written as a duration after the scenario start (e.g. ``"30 min"``)."""

    def after_start(self, start: float) -> float:
        """Seconds after the scenario start, given the start's clock time in seconds."""
        return self.seconds if self.is_offset else self.seconds - start


def _parse_time_point(value: Any) -> TimePoint:
    if isinstance(value, TimePoint):
        return value
    if isinstance(value, str) and _CLOCK.match(value):
        return TimePoint(_parse_clock(value), False)
    try:
        return TimePoint(parse_quantity(value, DURATION), True)
    except ValueError as exc:
        # a quantity that reads but does not fit (a length, too long): say why
        reason = (
            f" ({exc})"
            if isinstance(value, str) and _QUANTITY.fullmatch(value.strip()[:200])
            else ""
        )
        raise ValueError(
            "expected a clock time such as '18:00' or '02:00+1', or a time after the "
            f"scenario start such as '30 min'; got {_show(value)}{reason}"
        ) from None


def _format_time_point(point: TimePoint) -> str:
    return f"{point.seconds!r} s" if point.is_offset else _format_clock(point.seconds)


TimePointField = Annotated[
    TimePoint,
    BeforeValidator(_parse_time_point),
    PlainSerializer(_format_time_point, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "a clock time ('18:00', '02:00+1') or a time after the "
            "scenario start ('30 min')",
        }
    ),
]
