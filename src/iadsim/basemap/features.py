"""Basemap features inside a longitude/latitude box, read from the shipped Natural Earth data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from iadsim.errors import IadsimError

__all__ = [
    "ATTRIBUTION",
    "RESOLUTIONS",
    "BasemapError",
    "Layer",
    "features",
    "resolution_for",
]

Resolution = Literal["10m", "50m", "110m"]

RESOLUTIONS: tuple[Resolution, ...] = ("10m", "50m", "110m")
"""Natural Earth scales shipped, finest first (1:10m, 1:50m and 1:110m)."""

ATTRIBUTION = "Map data: Natural Earth (public domain)"
"""The line to show under a map drawn from this data."""

FINEST_SPAN_KM = 600.0
"""Boxes up to this wide (or tall) get 1:10m coastlines and borders."""

MIDDLE_SPAN_KM = 4000.0
"""Boxes up to this wide (or tall) get 1:50m; wider ones 1:110m."""

DIGITS = 4
"""Decimal places of the degrees returned (the data are stored to 1e-4 degree, about 11 m)."""

KM_PER_DEGREE = 111.2
"""Kilometres per degree of latitude (and of longitude at the equator), for sizing boxes."""


class BasemapError(IadsimError, ValueError):
    """A box the basemap cannot serve: not finite, empty, or outside the globe."""


@dataclass(frozen=True)
class Layer:
    """Line strings of one layer in degrees, with each line's bounding box for quick culling."""

    points: NDArray[np.float64]
    """All lines' points, one row (longitude, latitude) per point, degrees."""
    starts: NDArray[np.int64]
    """Offset of each line's first point in :attr:`points`, and the total at the end."""
    boxes: NDArray[np.float64]
    """Per line: lon_min, lat_min, lon_max, lat_max."""
    names: tuple[str, ...] = ()
    """Per line: its name ("" when not known); empty for unnamed layers."""

    def lines_in(
        self, lon_min: float, lat_min: float, lon_max: float, lat_max: float
    ) -> list[tuple[int, NDArray[np.float64]]]:
        """(line index, piece) of every line's pieces inside the box, clipped as documented."""
        b = self.boxes
        hit = np.flatnonzero(
            (b[:, 2] >= lon_min)
            & (b[:, 0] <= lon_max)
            & (b[:, 3] >= lat_min)
            & (b[:, 1] <= lat_max)
        )
        out = []
        for i in hit:
            line = self.points[self.starts[i] : self.starts[i + 1]]
            for piece in _clip(line, lon_min, lat_min, lon_max, lat_max):
                out.append((int(i), piece))
        return out


def _clip(
    line: NDArray[np.float64], lon_min: float, lat_min: float, lon_max: float, lat_max: float
) -> list[NDArray[np.float64]]:
    """The runs of a line that touch the box, each with one point more on each side.

    A segment is kept when one of its ends is inside the box, or when its own
    bounding box overlaps the box (it may cross a corner); a run of kept segments
    is one piece.
    """
    lon, lat = line[:, 0], line[:, 1]
    inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
    if inside.all():
        return [line]
    a, b = line[:-1], line[1:]
    touching = (
        inside[:-1]
        | inside[1:]
        | (
            (np.maximum(a[:, 0], b[:, 0]) >= lon_min)
            & (np.minimum(a[:, 0], b[:, 0]) <= lon_max)
            & (np.maximum(a[:, 1], b[:, 1]) >= lat_min)
            & (np.minimum(a[:, 1], b[:, 1]) <= lat_max)
        )
    )
    edges = np.diff(np.concatenate([[0], touching.astype(np.int8), [0]]))
    firsts = np.flatnonzero(edges == 1)
    lasts = np.flatnonzero(edges == -1)  # one past the run's last segment
    return [line[f : e + 1] for f, e in zip(firsts, lasts, strict=True)]


def _strings(raw: NDArray[np.uint8]) -> tuple[str, ...]:
    return tuple(bytes(raw).decode("utf-8").split("\n"))


def _layer(data: Any, name: str) -> Layer:
    quantum = float(data["quantum"][0])
    starts = np.asarray(data[f"{name}_starts"], dtype=np.int64)
    deltas = np.asarray(data[f"{name}_coords"], dtype=np.int64)
    # undo the delta encoding within each line: a running sum restarted at each line
    total = np.cumsum(deltas, axis=0)
    base = np.zeros_like(total)
    firsts = starts[:-1]
    if len(firsts):
        before = np.where(firsts > 0, firsts - 1, 0)
        offset = np.where((firsts > 0)[:, None], total[before], 0)
        counts = np.diff(starts)
        base = np.repeat(offset, counts, axis=0)
    points = (total - base).astype(np.float64) * quantum
    boxes = np.zeros((len(starts) - 1, 4))
    if len(points):
        ids = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
        for col, fn in ((0, np.minimum), (1, np.minimum), (2, np.maximum), (3, np.maximum)):
            axis = col % 2
            init = np.inf if fn is np.minimum else -np.inf
            acc = np.full(len(starts) - 1, init)
            fn.at(acc, ids, points[:, axis])
            boxes[:, col] = acc
    names: tuple[str, ...] = ()
    if name == "river":
        table = _strings(data["river_names"])
        names = tuple(table[int(i)] for i in data["river_name"])
    return Layer(points=points, starts=starts, boxes=boxes, names=names)


@cache
def _layers(resolution: Resolution) -> dict[str, Layer]:
    """The four line layers of one scale (read once per process)."""
    path = resources.files("iadsim.basemap").joinpath("data", f"ne_{resolution}.npz")
    with path.open("rb") as f, np.load(f, allow_pickle=False) as data:
        return {name: _layer(data, name) for name in ("coast", "border", "river", "lake")}


@dataclass(frozen=True)
class _Cities:
    names: tuple[str, ...]
    countries: tuple[str, ...]
    lonlat: NDArray[np.float64]
    population: NDArray[np.int64]


@cache
def _cities() -> _Cities:
    """Natural Earth populated places, most populous first (read once per process)."""
    path = resources.files("iadsim.basemap").joinpath("data", "cities.npz")
    with path.open("rb") as f, np.load(f, allow_pickle=False) as data:
        quantum = float(data["quantum"][0])
        return _Cities(
            names=_strings(data["name"]),
            countries=_strings(data["country"]),
            lonlat=np.asarray(data["lonlat"], dtype=np.float64) * quantum,
            population=np.asarray(data["population"], dtype=np.int64),
        )


def _checked_box(
    lon_min: float, lat_min: float, lon_max: float, lat_max: float
) -> tuple[float, float, float, float]:
    box = {"lon_min": lon_min, "lat_min": lat_min, "lon_max": lon_max, "lat_max": lat_max}
    values = {}
    for key, value in box.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BasemapError(f"basemap box: {key} must be a number of degrees") from None
        if not math.isfinite(number):
            raise BasemapError(f"basemap box: {key} must be a finite number of degrees")
        values[key] = number
    for key in ("lon_min", "lon_max"):
        if not -180.0 <= values[key] <= 180.0:
            raise BasemapError(f"basemap box: {key} must be between -180 and 180 degrees")
    for key in ("lat_min", "lat_max"):
        if not -90.0 <= values[key] <= 90.0:
            raise BasemapError(f"basemap box: {key} must be between -90 and 90 degrees")
    if values["lon_min"] >= values["lon_max"]:
        raise BasemapError(
            "basemap box: lon_min must be less than lon_max "
            "(a box across the antimeridian is asked for as two boxes)"
        )
    if values["lat_min"] >= values["lat_max"]:
        raise BasemapError("basemap box: lat_min must be less than lat_max")
    return values["lon_min"], values["lat_min"], values["lon_max"], values["lat_max"]


def resolution_for(lon_min: float, lat_min: float, lon_max: float, lat_max: float) -> Resolution:
    """The Natural Earth scale for a box: 1:10m up to 600 km across, 1:50m to 4,000 km."""
    lon_min, lat_min, lon_max, lat_max = _checked_box(lon_min, lat_min, lon_max, lat_max)
    widest_lat = min(abs(lat_min), abs(lat_max)) if lat_min * lat_max > 0 else 0.0
    width = (lon_max - lon_min) * KM_PER_DEGREE * math.cos(math.radians(widest_lat))
    height = (lat_max - lat_min) * KM_PER_DEGREE
    span = max(width, height)
    if span <= FINEST_SPAN_KM:
        return "10m"
    if span <= MIDDLE_SPAN_KM:
        return "50m"
    return "110m"


def _json_line(piece: NDArray[np.float64]) -> list[list[float]]:
    rounded: list[list[float]] = np.round(piece, DIGITS).tolist()
    return rounded


def features(
    lon_min: float,
    lat_min: float,
    lon_max: float,
    lat_max: float,
    *,
    resolution: Resolution | None = None,
    max_cities: int = 50,
) -> dict[str, Any]:
    """Coastlines, borders, rivers, lakes and cities inside a box, as plain JSON-ready data.

    Args:
        lon_min: western edge, degrees east (-180 to 180).
        lat_min: southern edge, degrees north (-90 to 90).
        lon_max: eastern edge, degrees east; more than ``lon_min``.
        lat_max: northern edge, degrees north; more than ``lat_min``.
        resolution: Natural Earth scale ("10m", "50m" or "110m"); by default
            :func:`resolution_for` the box. Rivers and lakes exist at 1:50m and
            1:110m only (1:10m uses the 1:50m ones).
        max_cities: the most populous places inside the box returned at most (0: none).

    Returns:
        The dictionary described in :mod:`iadsim.basemap` (keys ``bbox``, ``resolution``,
        ``coastlines``, ``borders``, ``rivers``, ``lakes``, ``cities``, ``attribution``).

    Raises:
        BasemapError: a box that is not finite, is empty, lies off the globe or
            crosses the antimeridian; an unknown resolution; a negative ``max_cities``.
    """
    box = _checked_box(lon_min, lat_min, lon_max, lat_max)
    if resolution is None:
        resolution = resolution_for(*box)
    elif resolution not in RESOLUTIONS:
        raise BasemapError(
            f"basemap resolution must be one of {', '.join(RESOLUTIONS)}"
            f" (got {str(resolution)[:20]!r})"
        )
    if isinstance(max_cities, bool) or not isinstance(max_cities, int) or max_cities < 0:
        raise BasemapError("basemap max_cities must be a whole number, 0 or more")
    layers = _layers(resolution)
    rivers = layers["river"]
    cities = _cities()
    lon, lat = cities.lonlat[:, 0], cities.lonlat[:, 1]
    inside = np.flatnonzero((lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3]))
    return {
        "bbox": list(box),
        "resolution": resolution,
        "coastlines": [_json_line(p) for _, p in layers["coast"].lines_in(*box)],
        "borders": [_json_line(p) for _, p in layers["border"].lines_in(*box)],
        "rivers": [
            {"name": rivers.names[i] if rivers.names else "", "line": _json_line(p)}
            for i, p in rivers.lines_in(*box)
        ],
        "lakes": [_json_line(p) for _, p in layers["lake"].lines_in(*box)],
        "cities": [
            {
                "name": cities.names[i],
                "country": cities.countries[i],
                "lon": round(float(lon[i]), DIGITS),
                "lat": round(float(lat[i]), DIGITS),
                "population": int(cities.population[i]),
            }
            for i in inside[:max_cities]
        ],
        "attribution": ATTRIBUTION,
    }
