"""Longitude and latitude to the scenario's frame: metres east and north of its origin."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.geometry.frame import WGS84_A, WGS84_F, enu_to_geodetic

__all__ = ["LocalProjection"]

EDGE_SAMPLES = 33
"""Points sampled along each side of a rectangle (a grid of them over it) when finding the
box that covers it."""

SLACK_DEG = 1e-7
"""Added around that box (about a centimetre), so rounding never leaves a corner outside."""


@dataclass(frozen=True)
class LocalProjection:
    """The scenario's local frame as a map projection, true to scale near the origin.

    :meth:`forward` is :func:`iadsim.geometry.geodetic_to_enu` on arrays (the exact
    rotation of points on the WGS84 ellipsoid into the origin's east-north-up axes,
    the up component dropped): an orthographic projection on the ellipsoid, the
    frame every position in a scenario is given in. At the origin a kilometre is
    the same length in every direction; at an angular distance ``c`` from it the
    scale across the radius stays true and along it falls as ``cos c`` (0.2 % short
    at 400 km, 2 % at 1,300 km), and a distance from the origin is short by about
    ``c**2 / 6`` (0.07 % at 400 km).
    Points on the far side of the globe, which the projection would fold back onto
    the near side, come out as NaN.
    """

    lat0: float
    """Latitude of the origin, degrees north."""
    lon0: float
    """Longitude of the origin, degrees east."""

    def forward(
        self, lon: ArrayLike, lat: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """East and north (metres) of points given by longitude and latitude (degrees)."""
        lam = np.radians(np.asarray(lon, dtype=float))
        phi = np.radians(np.asarray(lat, dtype=float))
        e2 = WGS84_F * (2.0 - WGS84_F)

        def ecef(p: NDArray[np.float64], q: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
            n = WGS84_A / np.sqrt(1.0 - e2 * np.sin(p) ** 2)
            return (
                n * np.cos(p) * np.cos(q),
                n * np.cos(p) * np.sin(q),
                n * (1.0 - e2) * np.sin(p),
            )

        p0, q0 = math.radians(self.lat0), math.radians(self.lon0)
        x, y, z = ecef(phi, lam)
        x0, y0, z0 = ecef(np.asarray(p0), np.asarray(q0))
        dx, dy, dz = x - x0, y - y0, z - z0
        east = -math.sin(q0) * dx + math.cos(q0) * dy
        north = (
            -math.sin(p0) * math.cos(q0) * dx - math.sin(p0) * math.sin(q0) * dy + math.cos(p0) * dz
        )
        # the near hemisphere: the point's normal leans towards the origin's
        facing = (
            np.cos(phi) * np.cos(lam) * math.cos(p0) * math.cos(q0)
            + np.cos(phi) * np.sin(lam) * math.cos(p0) * math.sin(q0)
            + np.sin(phi) * math.sin(p0)
        )
        far = facing <= 0.0
        east = np.where(far, np.nan, east)
        north = np.where(far, np.nan, north)
        return np.asarray(east, dtype=float), np.asarray(north, dtype=float)

    def inverse(
        self, east: ArrayLike, north: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Longitude and latitude (degrees) of points east and north (metres) of the origin.

        NaN for a point further from the origin than the earth's edge on this map.
        """
        with np.errstate(invalid="ignore"):  # beyond the earth's edge: NaN
            lat, lon = enu_to_geodetic(east, north, self.lat0, self.lon0)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def bbox(
        self, east_min: float, north_min: float, east_max: float, north_max: float
    ) -> tuple[float, float, float, float]:
        """The longitude/latitude box (lon_min, lat_min, lon_max, lat_max) covering a rectangle.

        The rectangle is given in metres east and north of the origin. Its edges are
        sampled (a meridian bends on this map), and the box is clamped to the globe: a
        rectangle holding a pole gets every longitude up to the pole, one reaching past
        the earth's edge on this map the whole globe, and one reaching across the
        antimeridian the part west of it (see :meth:`boxes` for both sides).
        """
        lon_min, lat_min, lon_max, lat_max = self.unwrapped_bbox(
            east_min, north_min, east_max, north_max
        )
        return max(lon_min, -180.0), max(lat_min, -90.0), min(lon_max, 180.0), min(lat_max, 90.0)

    def boxes(
        self, east_min: float, north_min: float, east_max: float, north_max: float
    ) -> list[tuple[float, float, float, float]]:
        """The boxes covering a rectangle: :meth:`bbox`'s, split in two at the antimeridian.

        A rectangle that reaches across longitude 180 gets one box on each side of it
        (ask :func:`~iadsim.basemap.features` for both); any other gets one.
        """
        lon_min, _, lon_max, _ = self.unwrapped_bbox(east_min, north_min, east_max, north_max)
        _, lat_min, _, lat_max = box = self.bbox(east_min, north_min, east_max, north_max)
        if lon_max > 180.0:
            return [(lon_min, lat_min, 180.0, lat_max), (-180.0, lat_min, lon_max - 360.0, lat_max)]
        return [box]

    def unwrapped_bbox(
        self, east_min: float, north_min: float, east_max: float, north_max: float
    ) -> tuple[float, float, float, float]:
        """:meth:`bbox` before clamping longitudes: ``lon_max`` passes 180 across the antimeridian.

        ``lon_min`` is in [-180, 180).
        """
        t = np.linspace(0.0, 1.0, EDGE_SAMPLES)
        es, ns = np.meshgrid(
            east_min + (east_max - east_min) * t, north_min + (north_max - north_min) * t
        )
        lon, lat = self.inverse(es.ravel(), ns.ravel())
        ok = np.isfinite(lon) & np.isfinite(lat)
        if not ok.all():  # reaching past the earth's edge (this map's horizon): the globe
            return -180.0, -90.0, 180.0, 90.0
        lat_min = float(lat[ok].min()) - SLACK_DEG
        lat_max = float(lat[ok].max()) + SLACK_DEG
        rel = (lon[ok] - self.lon0 + 180.0) % 360.0 - 180.0
        whole = float(rel.max() - rel.min()) >= 180.0  # wider than half the globe
        for pole in (90.0, -90.0):  # a pole inside: every longitude, up to the pole
            pe, pn = self.forward(0.0, pole)
            if np.isfinite(pe) and east_min <= pe <= east_max and north_min <= pn <= north_max:
                whole = True
                lat_min, lat_max = min(lat_min, pole), max(lat_max, pole)
        if whole:
            return -180.0, lat_min, 180.0, lat_max
        lon_min = self.lon0 + float(rel.min()) - SLACK_DEG
        lon_max = self.lon0 + float(rel.max()) + SLACK_DEG
        shift = 360.0 * math.floor((lon_min + 180.0) / 360.0)  # lon_min into [-180, 180)
        return lon_min - shift, lat_min, lon_max - shift, lat_max
