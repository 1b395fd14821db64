"""The four-dimensional parts of a scenario file.

Waypoints with altitude and speed, moving platforms (timed routes, racetrack
orbits, relocations) and the elevation grid. Like the rest of the file format,
these models hold SI units; :mod:`iadsim.compile` turns them into
piecewise-linear trajectories and windows.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema, model_validator

from iadsim import limits
from iadsim.errors import FieldError
from iadsim.scenario.base import POSITION_SCHEMA, Model, Position, short
from iadsim.scenario.units import Length, Speed, TimePointField

__all__ = [
    "MAX_MOTION_POINTS",
    "Motion",
    "Orbit",
    "Relocation",
    "Terrain",
    "TimedPoint",
    "Waypoint",
    "WaypointField",
]

MAX_MOTION_POINTS = 256
"""Points of a platform's timed route, or sites of its relocations, at most."""

Degrees = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class Waypoint(Model):
    """A route point with, optionally, the altitude and the speed to fly from it on."""

    position: Position
    altitude: Length | None = Field(
        None,
        description="altitude to fly at from this point (reached at the class's climb or "
        "descent rate, or spread over the leg without one); default: the class's",
    )
    above: Literal["sea", "ground"] = Field(
        "sea", description="what `altitude` is measured from: sea level or the terrain below"
    )
    speed: Speed | None = Field(
        None, description="ground speed from this point on; default: the class's"
    )

    @model_validator(mode="after")
    def _valid(self) -> Waypoint:
        if self.altitude is not None and self.altitude < 0:
            raise FieldError(("altitude",), "must not be negative")
        if self.speed is not None and self.speed <= 0:
            raise FieldError(("speed",), "must be positive")
        return self

    @property
    def plain(self) -> bool:
        """True if the point carries neither altitude nor speed."""
        return self.altitude is None and self.speed is None and self.above == "sea"


def _parse_waypoint(value: Any) -> Any:
    if isinstance(value, Waypoint):
        return value
    if isinstance(value, dict) and "position" in value:
        return Waypoint.model_validate(value)
    if isinstance(value, dict) and not ({"lat", "lon"} >= set(value)):
        raise ValueError(
            "expected a position ([east, north] or {lat, lon}) or a waypoint "
            "{position, altitude, above, speed}"
        )
    return Waypoint(position=value)


def _format_waypoint(value: Waypoint) -> Any:
    # a bare position writes as before, so files (and their content hash) keep their form
    dumped = value.model_dump(mode="json", exclude_none=True)
    return dumped["position"] if value.plain else dumped


WaypointField = Annotated[
    Waypoint,
    BeforeValidator(_parse_waypoint),
    PlainSerializer(_format_waypoint),
    WithJsonSchema(
        {
            "description": "a position ([east, north] or {lat, lon}), or "
            "{position, altitude, above: sea|ground, speed}",
            "anyOf": [
                POSITION_SCHEMA,
                {
                    "type": "object",
                    "properties": {
                        "position": POSITION_SCHEMA,
                        "altitude": {"type": "string", "description": "length, e.g. '3 km'"},
                        "above": {"enum": ["sea", "ground"]},
                        "speed": {"type": "string", "description": "speed, e.g. '300 km/h'"},
                    },
                    "required": ["position"],
                    "additionalProperties": False,
                },
            ],
        }
    ),
]


class TimedPoint(Model):
    """Where a moving platform is at a given time."""

    position: Position
    time: TimePointField = Field(description="when it is there (clock time or '+2 h')")
    altitude: Length = Field("0 m", description="altitude above sea level (aircraft), else 0")


class Orbit(Model):
    """A racetrack orbit: two straight legs joined by half turns, flown at constant speed."""

    centre: Position
    length: Length = Field(description="length of each straight leg")
    width: Length = Field(description="distance between the two legs (the turns' diameter)")
    heading: Degrees = Field(
        ge=0.0, lt=360.0, description="direction of the legs, degrees clockwise from north"
    )
    speed: Speed = Field(description="ground speed around the orbit")
    altitude: Length = Field(description="altitude above sea level")
    start: TimePointField = Field(description="when the platform comes on station")
    end: TimePointField | None = Field(
        None, description="when it leaves the station (default: the end of the scenario)"
    )

    @model_validator(mode="after")
    def _valid(self) -> Orbit:
        if self.length < 0:
            raise FieldError(("length",), "must not be negative")
        if self.width <= 0:
            raise FieldError(("width",), "must be positive")
        if self.speed <= 0:
            raise FieldError(("speed",), "must be positive")
        if self.altitude < 0:
            raise FieldError(("altitude",), "must not be negative")
        return self


class Relocation(Model):
    """One site of a relocating unit, and when it stands there ready."""

    position: Position
    start: TimePointField = Field(description="when it is set up and ready at this site")
    end: TimePointField | None = Field(
        None, description="when it packs up to move on (default: the end of the scenario)"
    )


class Motion(Model):
    """How a fire unit or sensor moves: exactly one of `route`, `orbit` or `relocations`."""

    route: list[TimedPoint] | None = Field(
        None,
        min_length=2,
        max_length=MAX_MOTION_POINTS,
        description="timed positions, flown in straight lines between them (before the first "
        "time and after the last the platform waits at the end point)",
    )
    orbit: Orbit | None = Field(None, description="a racetrack orbit with an on-station window")
    relocations: list[Relocation] | None = Field(
        None,
        min_length=1,
        max_length=MAX_MOTION_POINTS,
        description="sites in order of time; the unit can fire only while set up at one, and "
        "moves in a straight line between them",
    )

    @model_validator(mode="after")
    def _one(self) -> Motion:
        given = [n for n in ("route", "orbit", "relocations") if getattr(self, n) is not None]
        if len(given) != 1:
            raise FieldError(
                (),
                "give exactly one of `route`, `orbit` or `relocations`"
                + (f", not {' and '.join(given)}" if given else ""),
            )
        return self

    @property
    def airborne(self) -> bool:
        """True for a platform that flies (an orbit, or a route above the ground)."""
        if self.orbit is not None:
            return True
        return self.route is not None and any(p.altitude > 0 for p in self.route)


class Terrain(Model):
    """An elevation model: a GeoTIFF, or a NumPy grid (.npy) with its geotransform and CRS."""

    file: str = Field(
        description="path of a GeoTIFF (.tif/.tiff) or a NumPy array (.npy) of elevations in "
        "metres, relative to the scenario file"
    )
    transform: list[float] | None = Field(
        None,
        min_length=6,
        max_length=6,
        description="for a .npy grid: the GDAL geotransform [x0, dx, 0, y0, 0, dy] of its "
        "top-left corner and cell sizes, in the units of `crs`",
    )
    crs: str | None = Field(
        None,
        description="for a .npy grid: its coordinate reference system, e.g. 'EPSG:4326', or "
        "'local' for metres east and north of the scenario's origin",
    )
    resolution: Length | None = Field(
        None,
        description="cell size of the grid in the local frame (default: the file's own, at "
        "the origin)",
    )

    @model_validator(mode="after")
    def _valid(self) -> Terrain:
        lower = self.file.lower()
        if lower.endswith(".npy"):
            if self.transform is None:
                raise FieldError(("transform",), "a .npy grid needs its geotransform")
            if self.crs is None:
                raise FieldError(("crs",), "a .npy grid needs its CRS ('local' or e.g. EPSG:4326)")
        elif lower.endswith((".tif", ".tiff")):
            if self.transform is not None or self.crs is not None:
                raise FieldError(
                    ("transform",), "a GeoTIFF carries its own geotransform and CRS; remove these"
                )
        else:
            raise FieldError(
                ("file",),
                f"expected a .tif, .tiff or .npy file, got {short(PurePath(self.file).name)}",
            )
        if self.resolution is not None and not (
            limits.MIN_TERRAIN_CELL_M <= self.resolution <= limits.MAX_TERRAIN_CELL_M
        ):
            raise FieldError(
                ("resolution",),
                f"must be between {limits.MIN_TERRAIN_CELL_M:g} m and "
                f"{limits.MAX_TERRAIN_CELL_M:g} m",
            )
        return self
