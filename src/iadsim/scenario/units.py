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
from typing import Annotated, Any, NamedTuple

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

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


LENGTH = _Dimension("length", "m", "[length]", "150 km")
SPEED = _Dimension("speed", "m/s", "[length] / [time]", "185 km/h")
DURATION = _Dimension("duration", "s", "[time]", "10 s")
AREA = _Dimension("area", "m**2", "[length] ** 2", "0.1 m^2")
MONEY = _Dimension("amount of money", "USD", "[currency]", "120000 USD")


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def parse_quantity(value: Any, dim: _Dimension) -> float:
    """Read ``value`` as a quantity of dimension ``dim`` and return it in SI units.

    Args:
        value: a string such as ``"150 km"``, or a ``pint.Quantity``.
        dim: the expected dimension.

    Returns:
        The magnitude in the SI unit of ``dim`` (m, m/s, s, m², USD).

    Raises:
        ValueError: for a bare number, an unreadable string, a wrong
            dimension or a value that is not finite.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(
            f"expected {_a(dim.name)} with its unit, such as '{dim.example}', got {value!r}"
        )
    if isinstance(value, int | float):
        raise ValueError(
            f"expected {_a(dim.name)} with its unit, such as '{dim.example}'; "
            f"the bare number {value!r} is ambiguous"
        )
    ureg = _registry()
    if isinstance(value, str):
        text = value.strip().replace("²", "^2")
        try:
            quantity = ureg.Quantity(text)
        except Exception as exc:  # pint raises several unrelated types
            raise ValueError(
                f"could not read {value!r} as {_a(dim.name)} such as '{dim.example}' ({exc})"
            ) from None
    elif isinstance(value, ureg.Quantity):
        quantity = value
    else:
        raise ValueError(
            f"expected {_a(dim.name)} with its unit, such as '{dim.example}', "
            f"got {type(value).__name__}"
        )
    if quantity.dimensionless:
        raise ValueError(
            f"expected {_a(dim.name)} with its unit, such as '{dim.example}'; {value!r} has no unit"
        )
    if not quantity.check(dim.pint_dimension):
        raise ValueError(
            f"expected {_a(dim.name)} such as '{dim.example}', got {value!r} "
            f"which is a {quantity.dimensionality}"
        )
    magnitude = float(quantity.to(dim.si_unit).magnitude)
    if not math.isfinite(magnitude):
        raise ValueError(f"expected a finite {dim.name}, got {value!r}")
    return magnitude


def _quantity_type(dim: _Dimension, unit_label: str) -> Any:
    return Annotated[
        float,
        BeforeValidator(functools.partial(parse_quantity, dim=dim)),
        PlainSerializer(lambda v: f"{v!r} {unit_label}", return_type=str),
        WithJsonSchema(
            {
                "type": "string",
                "description": f"{_a(dim.name)} with its unit, e.g. '{dim.example}'",
                "examples": [dim.example],
            }
        ),
    ]


Length = _quantity_type(LENGTH, "m")
"""A length, stored in metres."""
Speed = _quantity_type(SPEED, "m/s")
"""A speed, stored in metres per second."""
Duration = _quantity_type(DURATION, "s")
"""A duration, stored in seconds."""
Area = _quantity_type(AREA, "m^2")
"""An area (radar cross-section), stored in square metres."""
Money = _quantity_type(MONEY, "USD")
"""An amount of money, stored in US dollars."""


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:\+\s*(\d+))?\s*$")


def _parse_clock(value: Any) -> float:
    if not isinstance(value, str):
        raise ValueError(
            f"expected a clock time such as '18:00' or '02:30+1' (next day), got {value!r}"
        )
    match = _CLOCK.match(value)
    if match is None:
        raise ValueError(
            f"expected a clock time such as '18:00' or '02:30+1' (next day), got {value!r}"
        )
    hours, minutes, seconds, days = (int(g) if g else 0 for g in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(f"{value!r} is not a time of day (HH:MM with HH < 24, MM < 60)")
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
    except ValueError:
        raise ValueError(
            "expected a clock time such as '18:00' or '02:00+1', or a time after the "
            f"scenario start such as '30 min'; got {value!r}"
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
