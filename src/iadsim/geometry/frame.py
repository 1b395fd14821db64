"""The local east-north-up frame: metres east and north of the scenario's origin."""

from __future__ import annotations

import math

__all__ = ["WGS84_A", "WGS84_F", "geodetic_to_enu"]

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
