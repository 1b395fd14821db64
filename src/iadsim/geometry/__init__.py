"""Geometry: the local frame, exact range windows, radar horizon and intercept times."""

from iadsim.geometry.frame import enu_to_geodetic, geodetic_to_enu
from iadsim.geometry.windows import (
    intercept_time,
    position_at,
    radar_horizon,
    route_windows,
    slant_range_at,
)

__all__ = [
    "enu_to_geodetic",
    "geodetic_to_enu",
    "intercept_time",
    "position_at",
    "radar_horizon",
    "route_windows",
    "slant_range_at",
]
