"""The basemap under the report's map: coastlines, borders, rivers, lakes, cities, graticule.

Read from the offline Natural Earth data of :mod:`iadsim.basemap` for the area around
the raid and projected into the map's frame (kilometres east and north of the origin),
so the page carries it inline and fetches nothing. Only scenarios with an ``origin``
(a real place) get one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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
"""The basemap reaches this share of the map's width and height beyond each edge of the
whole-raid view, so panning out a little still shows it."""
CANDIDATE_CITIES = 300
"""Most populous places read for the area (labels are chosen among them per view)."""
CITIES_WHOLE = 12
"""Places labelled in the whole-raid view: the most populous in it."""
CITIES_DEFENDED = 8
"""Places labelled in the defended-area view: the most populous in it."""
GRATICULE_STEPS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0)
"""Spacings of the graticule (degrees), the first giving at most about eight lines."""
GRATICULE_POINTS = 60
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
            if ys[0] <= y0 <= ys[-1]:
                x = float(np.interp(y0, ys, xs))
                if x0 <= x <= x1:
                    out.append((text, x, y0, True))
        for text, xs, ys in self.parallels:
            if xs[0] <= x0 <= xs[-1]:
                y = float(np.interp(x0, xs, ys))
                if y0 <= y <= y1:
                    out.append((text, x0, y, False))
        return out

    def labelled(self, whole: Extent, defended: Extent) -> list[City]:
        """The places labelled on the interactive map: those of either view."""
        chosen = self.cities_in(whole, CITIES_WHOLE) + self.cities_in(defended, CITIES_DEFENDED)
        return list({c.name + c.country + f"{c.x:.3f}": c for c in chosen}.values())


def _join(lines: list[tuple[NDArray[np.float64], NDArray[np.float64]]]) -> Lines:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x, y in lines:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(None if math.isnan(v) else v for v in np.round(x, 3).tolist())
        ys.extend(None if math.isnan(v) else v for v in np.round(y, 3).tolist())
    return xs, ys


def _project(proj: LocalProjection, lines: list[list[list[float]]]) -> Lines:
    out = []
    for line in lines:
        pts = np.asarray(line, dtype=float)
        east, north = proj.forward(pts[:, 0], pts[:, 1])
        out.append((east / 1000.0, north / 1000.0))
    return _join(out)


def _graticule(
    proj: LocalProjection, box: tuple[float, float, float, float]
) -> tuple[float, Graticule, Graticule]:
    lon_min, lat_min, lon_max, lat_max = box
    span = max(lon_max - lon_min, lat_max - lat_min) / (1 + 2 * MARGIN)
    step = next((s for s in GRATICULE_STEPS if span / s <= 8), GRATICULE_STEPS[-1])

    def name(value: float, positive: str, negative: str) -> str:
        text = f"{abs(value):g}°"
        return text + (positive if value > 0 else negative if value < 0 else "")

    def km(values: NDArray[np.float64]) -> list[float]:
        rounded: list[float] = np.round(values / 1000.0, 3).tolist()
        return rounded

    meridians, parallels = [], []
    lats = np.linspace(lat_min, lat_max, GRATICULE_POINTS)
    for lon in np.arange(math.ceil(lon_min / step) * step, lon_max + 1e-9, step):
        east, north = proj.forward(np.full_like(lats, lon), lats)
        if np.isfinite(east).all():
            meridians.append((name(float(lon), "E", "W"), km(east), km(north)))
    lons = np.linspace(lon_min, lon_max, GRATICULE_POINTS)
    for lat in np.arange(math.ceil(lat_min / step) * step, lat_max + 1e-9, step):
        east, north = proj.forward(lons, np.full_like(lons, lat))
        if np.isfinite(east).all():
            parallels.append((name(float(lat), "N", "S"), km(east), km(north)))
    return step, meridians, parallels


def build_basemap(frame: MapFrame, whole: Extent) -> BaseMap | None:
    """The basemap around a map's whole-raid extent ((x0, x1), (y0, y1) in km), or None.

    None when the scenario has no origin (its map is placed nowhere on the earth).
    """
    if frame.origin is None:
        return None
    lat0, lon0 = frame.origin
    proj = LocalProjection(lat0, lon0)
    (x0, x1), (y0, y1) = whole
    wide, tall = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
    view = proj.bbox(x0 * 1000, y0 * 1000, x1 * 1000, y1 * 1000)
    box = proj.bbox((x0 - wide) * 1000, (y0 - tall) * 1000, (x1 + wide) * 1000, (y1 + tall) * 1000)
    if not (box[0] < box[2] and box[1] < box[3]):
        return None
    f = features(*box, resolution=resolution_for(*view), max_cities=CANDIDATE_CITIES)
    step, meridians, parallels = _graticule(proj, box)
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
    return BaseMap(
        coast=_project(proj, f["coastlines"]),
        borders=_project(proj, f["borders"]),
        rivers=_project(proj, [r["line"] for r in f["rivers"]]),
        lakes=_project(proj, f["lakes"]),
        graticule=graticule,
        graticule_step=step,
        meridians=meridians,
        parallels=parallels,
        cities=cities,
        resolution=f["resolution"],
        attribution=f["attribution"],
    )
