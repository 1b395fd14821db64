"""The local east-north-up frame: metres east and north of the scenario's origin."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["WGS84_A", "WGS84_F", "enu_to_geodetic", "geodetic_to_enu"]

WGS84_A = 6378137.0
"""WGS84 semi-major axis, metres."""
WGS84_F = 1.0 / 298.257223563
"""WGS84 flattening."""


def _ecef(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    e2 = WGS84_F * (2.0 - WGS84_F)
    n = WGS84_A / math.sqrt(1.0 - e2 * math.sin(lat) ** 2)
    return (
        n * math.cos(lat) * math.cos(lon),
        n * math.cos(lat) * math.sin(lon),
        n * (1.0 - e2) * math.sin(lat),
    )


def geodetic_to_enu(
    lat_deg: float, lon_deg: float, origin_lat_deg: float, origin_lon_deg: float
) -> tuple[float, float]:
    """East and north (metres) of a point on the WGS84 ellipsoid from the origin.

    Exact ECEF-to-ENU rotation of points at zero height; the up component, which
    the flat local frame drops, is a few kilometres at 200 km from the origin.
    """
    x, y, z = _ecef(lat_deg, lon_deg)
    x0, y0, z0 = _ecef(origin_lat_deg, origin_lon_deg)
    dx, dy, dz = x - x0, y - y0, z - z0
    lat0, lon0 = math.radians(origin_lat_deg), math.radians(origin_lon_deg)
    east = -math.sin(lon0) * dx + math.cos(lon0) * dy
    north = (
        -math.sin(lat0) * math.cos(lon0) * dx
        - math.sin(lat0) * math.sin(lon0) * dy
        + math.cos(lat0) * dz
    )
    return east, north


def enu_to_geodetic(
    east: Any, north: Any, origin_lat_deg: float, origin_lon_deg: float
) -> tuple[Any, Any]:
    """Latitude and longitude (degrees) of points east and north (metres) of the origin.

    The exact inverse of :func:`geodetic_to_enu`: the point on the ellipsoid
    (zero height) whose east and north components are the ones given. Works on
    scalars or NumPy arrays.
    """
    import numpy as np

    e = np.asarray(east, dtype=float)
    n = np.asarray(north, dtype=float)
    lat0, lon0 = math.radians(origin_lat_deg), math.radians(origin_lon_deg)
    x0, y0, z0 = _ecef(origin_lat_deg, origin_lon_deg)
    east_axis = (-math.sin(lon0), math.cos(lon0), 0.0)
    north_axis = (
        -math.sin(lat0) * math.cos(lon0),
        -math.sin(lat0) * math.sin(lon0),
        math.cos(lat0),
    )
    up_axis = (math.cos(lat0) * math.cos(lon0), math.cos(lat0) * math.sin(lon0), math.sin(lat0))
    # the point is origin + e * east + n * north + u * up; u puts it on the ellipsoid
    px = x0 + e * east_axis[0] + n * north_axis[0]
    py = y0 + e * east_axis[1] + n * north_axis[1]
    pz = z0 + e * east_axis[2] + n * north_axis[2]
    b2 = (WGS84_A * (1.0 - WGS84_F)) ** 2
    a2 = WGS84_A**2
    qa = (up_axis[0] ** 2 + up_axis[1] ** 2) / a2 + up_axis[2] ** 2 / b2
    qb = 2.0 * ((px * up_axis[0] + py * up_axis[1]) / a2 + pz * up_axis[2] / b2)
    qc = (px**2 + py**2) / a2 + pz**2 / b2 - 1.0
    # the root near zero, written to keep its precision when qc is small
    u = -2.0 * qc / (qb + np.sqrt(qb * qb - 4.0 * qa * qc))
    x, y, z = px + u * up_axis[0], py + u * up_axis[1], pz + u * up_axis[2]
    e2 = WGS84_F * (2.0 - WGS84_F)
    lat = np.degrees(np.arctan2(z, (1.0 - e2) * np.hypot(x, y)))
    lon = np.degrees(np.arctan2(y, x))
    return lat, lon
