"""The basemap under the report's map: coastlines, borders, rivers, lakes, cities, graticule.

Read from the offline Natural Earth data of :mod:`iadsim.basemap` for the area around
the raid and projected into the map's frame (kilometres east and north of the origin),
so the page carries it inline and fetches nothing. Only scenarios with an ``origin``
(a real place) get one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.basemap import ATTRIBUTION, LocalProjection, features, resolution_for
from iadsim.report.frame import MapFrame

__all__ = [
    "CITIES_DEFENDED",
    "CITIES_WHOLE",
    "BaseMap",
    "City",
    "build_basemap",
]

Extent = tuple[tuple[float, float], tuple[float, float]]
Lines = tuple[list[float | None], list[float | None]]
Graticule = list[tuple[str, list[float], list[float]]]

MARGIN = 0.5
"""The basemap reaches this share of the whole-raid view's longer side beyond each edge of
a square around it, so a view widened to the figure's shape, or panned out a little, still
shows it."""
THINNING = 1200
"""Lines are thinned to within the view's width over this (Douglas-Peucker): about a
pixel of a wide figure, so the page carries no detail that cannot be seen."""
CANDIDATE_CITIES = 1000
"""Most populous places read for the area (labels are chosen among them per view)."""
CITIES_WHOLE = 12
"""Places labelled in the whole-raid view: the most populous in it."""
CITIES_DEFENDED = 8
"""Places labelled in the defended-area view: the most populous in it."""
GRATICULE_STEPS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0)
"""Spacings of the graticule (degrees), the first giving at most about eight lines."""
GRATICULE_POINTS = 30
"""Points drawn along each graticule line."""


@dataclass(frozen=True)
class City:
    """A populated place on the map."""

    name: str
    country: str
    population: int
    x: float
    y: float
    """Map coordinates, km."""


@dataclass(frozen=True)
class BaseMap:
    """Basemap lines in map coordinates (km), each layer joined with ``None`` between lines."""

    coast: Lines
    borders: Lines
    rivers: Lines
    lakes: Lines
    graticule: Lines
    """Meridians and parallels every :attr:`graticule_step` degrees."""
    graticule_step: float
    meridians: Graticule
    """(label such as "30°E", x, y) of each meridian drawn, south to north."""
    parallels: Graticule
    """(label such as "50°N", x, y) of each parallel drawn, west to east."""
    cities: list[City] = field(default_factory=list)
    """Most populous first."""
    resolution: str = ""
    """Natural Earth scale of the lines ("10m", "50m", "110m")."""
    attribution: str = ATTRIBUTION

    def cities_in(self, extent: Extent, count: int) -> list[City]:
        """The ``count`` most populous places inside an extent ((x0, x1), (y0, y1))."""
        (x0, x1), (y0, y1) = extent
        inside = [c for c in self.cities if x0 <= c.x <= x1 and y0 <= c.y <= y1]
        return inside[:count]

    def graticule_labels(self, extent: Extent) -> list[tuple[str, float, float, bool]]:
        """Labels of the graticule for a view ((x0, x1), (y0, y1)): (text, x, y, meridian).

        A meridian is labelled where it crosses the view's bottom edge, a parallel
        where it crosses its left edge.
        """
        (x0, x1), (y0, y1) = extent
        out = []
        for text, xs, ys in self.meridians:
            x = _crossing(y0, np.asarray(ys), np.asarray(xs))
            if x is not None and x0 <= x <= x1:
                out.append((text, x, y0, True))
        for text, xs, ys in self.parallels:
            y = _crossing(x0, np.asarray(xs), np.asarray(ys))
            if y is not None and y0 <= y <= y1:
                out.append((text, x0, y, False))
        return out


def _crossing(at: float, along: NDArray[np.float64], other: NDArray[np.float64]) -> float | None:
    """Where a line whose ``along`` coordinate rises passes ``along == at`` (its other one)."""
    ok = np.isfinite(along) & np.isfinite(other)
    along, other = along[ok], other[ok]
    if len(along) < 2 or not along[0] <= at <= along[-1] or (np.diff(along) < 0).any():
        return None
    return float(np.interp(at, along, other))


def _join(lines: list[tuple[NDArray[np.float64], NDArray[np.float64]]]) -> Lines:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x, y in lines:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(None if math.isnan(v) else v for v in np.round(x, 2).tolist())
        ys.extend(None if math.isnan(v) else v for v in np.round(y, 2).tolist())
    return xs, ys


def _thinned(x: NDArray[np.float64], y: NDArray[np.float64], tolerance: float) -> NDArray[np.bool_]:
    """Points of a line kept by Douglas-Peucker at ``tolerance`` (km); NaN points are kept."""
    keep = np.ones(len(x), dtype=bool)
    finite = np.isfinite(x) & np.isfinite(y)
    if tolerance <= 0 or len(x) < 3 or not finite.all():
        return keep
    keep[1:-1] = False
    stack = [(0, len(x) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        dx, dy = x[j] - x[i], y[j] - y[i]
        px, py = x[i + 1 : j] - x[i], y[i + 1 : j] - y[i]
        norm = math.hypot(dx, dy)
        dist = np.abs(px * dy - py * dx) / norm if norm > 0 else np.hypot(px, py)
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return keep


def _project(proj: LocalProjection, lines: list[list[list[float]]], tolerance: float) -> Lines:
    out = []
    for line in lines:
        pts = np.asarray(line, dtype=float)
        east, north = proj.forward(pts[:, 0], pts[:, 1])
        x, y = east / 1000.0, north / 1000.0
        keep = _thinned(x, y, tolerance)
        out.append((x[keep], y[keep]))
    return _join(out)


def _graticule(
    proj: LocalProjection, box: tuple[float, float, float, float]
) -> tuple[float, Graticule, Graticule]:
    lon_min, lat_min, lon_max, lat_max = box
    span = max(lon_max - lon_min, lat_max - lat_min) / (1 + 2 * MARGIN)
    step = next((s for s in GRATICULE_STEPS if span / s <= 8), GRATICULE_STEPS[-1])

    def name(value: float, positive: str, negative: str) -> str:
        value = (value + 180.0) % 360.0 - 180.0 if abs(value) > 180.0 else value
        text = f"{abs(value):g}°"
        if value in (0.0, 180.0, -180.0):
            return text  # the equator, the prime meridian, the antimeridian
        return text + (positive if value > 0 else negative)

    def km(values: NDArray[np.float64]) -> list[float]:
        rounded: list[float] = np.round(values / 1000.0, 3).tolist()
        return rounded

    meridians, parallels = [], []
    lats = np.linspace(lat_min, lat_max, GRATICULE_POINTS)
    for lon in np.arange(math.ceil(lon_min / step) * step, lon_max + 1e-9, step):
        east, north = proj.forward(np.full_like(lats, lon), lats)
        if np.isfinite(east).sum() >= 2:
            meridians.append((name(float(lon), "E", "W"), km(east), km(north)))
    lons = np.linspace(lon_min, lon_max, GRATICULE_POINTS)
    for lat in np.arange(math.ceil(lat_min / step) * step, lat_max + 1e-9, step):
        east, north = proj.forward(lons, np.full_like(lons, lat))
        if np.isfinite(east).sum() >= 2:
            parallels.append((name(float(lat), "N", "S"), km(east), km(north)))
    return step, meridians, parallels


def _merged(boxes: list[tuple[float, float, float, float]], resolution: Any) -> dict[str, Any]:
    """:func:`features` of one box, or of the two sides of the antimeridian together."""
    parts = [features(*box, resolution=resolution, max_cities=CANDIDATE_CITIES) for box in boxes]
    merged = dict(parts[0])
    for part in parts[1:]:
        for key in ("coastlines", "borders", "rivers", "lakes", "cities"):
            merged[key] = merged[key] + part[key]
    merged["cities"] = sorted(merged["cities"], key=lambda c: -c["population"])
    return merged


def build_basemap(frame: MapFrame, whole: Extent) -> BaseMap | None:
    """The basemap around a map's whole-raid extent ((x0, x1), (y0, y1) in km), or None.

    None when the scenario has no origin (its map is placed nowhere on the earth). A
    map reaching across the antimeridian reads both sides of it.
    """
    if frame.origin is None:
        return None
    lat0, lon0 = frame.origin
    proj = LocalProjection(lat0, lon0)
    (x0, x1), (y0, y1) = whole
    # the views are widened to the figure's shape: cover a square around the extent
    half = max(x1 - x0, y1 - y0) / 2
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    view = [v * 1000 for v in (mid_x - half, mid_y - half, mid_x + half, mid_y + half)]
    reach = half * (1 + 2 * MARGIN)
    around = [v * 1000 for v in (mid_x - reach, mid_y - reach, mid_x + reach, mid_y + reach)]
    # the coarsest scale of the sides: together they are as wide as the whole view
    resolution = max((resolution_for(*b) for b in proj.boxes(*view)), key=lambda r: int(r[:-1]))
    f = _merged(proj.boxes(*around), resolution)
    step, meridians, parallels = _graticule(proj, proj.unwrapped_bbox(*around))
    graticule = _join([(np.asarray(x), np.asarray(y)) for _, x, y in meridians + parallels])
    cities = []
    for c in f["cities"]:
        east, north = proj.forward(c["lon"], c["lat"])
        if math.isfinite(float(east)):
            cities.append(
                City(
                    name=c["name"],
                    country=c["country"],
                    population=int(c["population"]),
                    x=round(float(east) / 1000.0, 3),
                    y=round(float(north) / 1000.0, 3),
                )
            )
    tolerance = 2 * half / THINNING
    return BaseMap(
        coast=_project(proj, f["coastlines"], tolerance),
        borders=_project(proj, f["borders"], tolerance),
        rivers=_project(proj, [r["line"] for r in f["rivers"]], tolerance),
        lakes=_project(proj, f["lakes"], tolerance),
        graticule=graticule,
        graticule_step=step,
        meridians=meridians,
        parallels=parallels,
        cities=cities,
        resolution=f["resolution"],
        attribution=f["attribution"],
    )
