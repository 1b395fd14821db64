"""Building blocks shared by the file-format models: the base model and positions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from iadsim.errors import shorten
from iadsim.scenario.units import LENGTH, parse_quantity

__all__ = ["POSITION_SCHEMA", "LatLon", "Model", "Origin", "Position", "short", "some"]


class Model(BaseModel):
    """A section of a file: unknown fields are errors, values are frozen once validated."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, validate_default=True
    )


class LatLon(Model):
    """A geographic position in degrees (WGS84); needs the scenario's ``origin``."""

    lat: float = Field(ge=-90.0, le=90.0, strict=True, description="latitude, degrees north")
    lon: float = Field(ge=-180.0, le=180.0, strict=True, description="longitude, degrees east")


Origin = LatLon


def _parse_position(value: Any) -> Any:
    if isinstance(value, dict | LatLon):
        return value if isinstance(value, LatLon) else LatLon.model_validate(value)
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(
                f"expected a position [east, north] such as [3 km, -2 km], got {len(value)} values"
            )
        return (parse_quantity(value[0], LENGTH), parse_quantity(value[1], LENGTH))
    raise ValueError(
        "expected a position [east, north] such as [3 km, -2 km] or {lat: 50.4, lon: 30.5}, "
        f"got {short(value)}"
    )


def _format_position(value: Any) -> Any:
    if isinstance(value, LatLon):
        return value.model_dump()
    return [f"{value[0]!r} m", f"{value[1]!r} m"]


POSITION_SCHEMA: dict[str, Any] = {
    "description": "[east, north] from the origin, e.g. [3 km, -2 km], or {lat, lon} in degrees",
    "anyOf": [
        {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
        {
            "type": "object",
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            "required": ["lat", "lon"],
            "additionalProperties": False,
        },
    ],
}
"""The JSON Schema of a position."""

Position = Annotated[
    tuple[float, float] | LatLon,
    BeforeValidator(_parse_position),
    PlainSerializer(_format_position),
    WithJsonSchema(POSITION_SCHEMA),
]


def short(value: Any) -> str:
    """A value for a message: its repr, shortened."""
    return shorten(repr(value))


def some(names: list[str], limit: int = 12) -> str:
    """A few names for a message: ``a, b, c`` or ``a, b, ... (40 in all)``."""
    if not names:
        return "none"
    shown = ", ".join(short(n)[1:-1] if isinstance(n, str) else str(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"
