"""The offline basemap for the editor's map, projected into the scenario's frame.

:func:`iadsim.basemap.features` gives coastlines, borders, rivers, lakes and cities
in longitude and latitude; they are put into metres east and north of the scenario's
origin with :class:`iadsim.basemap.LocalProjection`, the frame the map is drawn in.
A scenario without an origin has no place on the globe and gets no basemap.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["MAX_SPAN", "basemap_features"]

MAX_SPAN = 6_000_000.0
"""Widest view (metres) the basemap is drawn for."""


def _number(data: dict[str, Any], key: str, low: float, high: float) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"`{key}`: expected a number")
    if not low <= float(value) <= high:
        raise ValueError(f"`{key}`: expected a number from {low:g} to {high:g}")
    return float(value)


def basemap_features(data: dict[str, Any]) -> dict[str, Any]:
    """The basemap around a view, in metres east and north of the origin.

    ``data``: ``origin`` ({lat, lon}) and the view ``east_min``, ``north_min``,
    ``east_max``, ``north_max`` (metres). Lines come back as lists of [east, north].

    Raises:
        ValueError: a field missing or out of range.
    """
    origin = data.get("origin")
    if origin is None:
        return {"available": False, "reason": "the scenario has no origin"}
    if not isinstance(origin, dict):
        raise ValueError("`origin`: expected {lat, lon}")
    lat0 = _number(origin, "lat", -90.0, 90.0)
    lon0 = _number(origin, "lon", -180.0, 180.0)
    box = [_number(data, k, -2e7, 2e7) for k in ("east_min", "north_min", "east_max", "north_max")]
    if box[2] <= box[0] or box[3] <= box[1]:
        raise ValueError("the view is empty (east_max <= east_min or north_max <= north_min)")
    mid_e, mid_n = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half = min(MAX_SPAN, max(box[2] - box[0], box[3] - box[1])) / 2
    box = [mid_e - half, mid_n - half, mid_e + half, mid_n + half]
    try:
        from iadsim.basemap import BasemapError, LocalProjection, features
    except ImportError:
        return {"available": False, "reason": "this iadsim has no basemap"}
    projection = LocalProjection(lat0, lon0)
    lon_min, lat_min, lon_max, lat_max = projection.bbox(*box)
    if lon_max - lon_min >= 360.0 or lon_max > 180.0 or lon_min < -180.0:
        lon_min, lon_max = max(lon_min, -180.0), min(lon_max, 180.0)
    try:
        found = features(lon_min, lat_min, lon_max, lat_max)
    except BasemapError as exc:
        return {"available": False, "reason": str(exc)}

    def project(line: list[list[float]]) -> list[list[float]]:
        if not line:
            return []
        points = np.asarray(line, dtype=float)
        east, north = projection.forward(points[:, 0], points[:, 1])
        keep = np.isfinite(east) & np.isfinite(north)
        return np.round(np.stack([east[keep], north[keep]], axis=1), 0).tolist()

    cities = []
    for city in found.get("cities", []):
        east, north = projection.forward([city["lon"]], [city["lat"]])
        if np.isfinite(east[0]):
            cities.append(
                {
                    "name": city["name"],
                    "at": [round(float(east[0])), round(float(north[0]))],
                    "population": city.get("population", 0),
                }
            )
    return {
        "available": True,
        "resolution": found.get("resolution"),
        "coastlines": [project(line) for line in found.get("coastlines", [])],
        "borders": [project(line) for line in found.get("borders", [])],
        "rivers": [project(r["line"]) for r in found.get("rivers", [])],
        "lakes": [project(line) for line in found.get("lakes", [])],
        "cities": cities,
        "attribution": found.get("attribution", ""),
    }
