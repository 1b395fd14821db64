"""The map's axes: kilometres east and north of the origin, or longitude and latitude."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.geometry import enu_to_geodetic

__all__ = ["MapFrame"]

RING_POINTS = 73
"""Points drawn on each coverage ring (every 5 degrees, closed)."""


@dataclass(frozen=True)
class MapFrame:
    """Turns positions in the scenario's local frame (metres) into map coordinates.

    Without an origin the map is in kilometres east (x) and north (y); with one
    it is in degrees of longitude (x) and latitude (y).
    """

    origin: tuple[float, float] | None = None
    """Latitude and longitude of the local frame's origin, degrees."""

    @property
    def geographic(self) -> bool:
        """True when the map's axes are longitude and latitude."""
        return self.origin is not None

    @property
    def x_title(self) -> str:
        """Title of the horizontal axis."""
        return "longitude (°E)" if self.geographic else "east (km)"

    @property
    def y_title(self) -> str:
        """Title of the vertical axis."""
        return "latitude (°N)" if self.geographic else "north (km)"

    @property
    def aspect(self) -> float:
        """Length of one y unit over one x unit on the ground, so that circles look round."""
        if self.origin is None:
            return 1.0
        return 1.0 / math.cos(math.radians(self.origin[0]))

    def xy(
        self, east: ArrayLike, north: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Map coordinates of points given in metres east and north of the origin."""
        e = np.asarray(east, dtype=float)
        n = np.asarray(north, dtype=float)
        if self.origin is None:
            return e / 1000.0, n / 1000.0
        lat, lon = enu_to_geodetic(e, n, *self.origin)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def ring(
        self, east: float, north: float, radius: float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """A circle of ``radius`` metres around a point, as map coordinates (closed)."""
        angle = np.linspace(0.0, 2.0 * math.pi, RING_POINTS)
        return self.xy(east + radius * np.cos(angle), north + radius * np.sin(angle))
