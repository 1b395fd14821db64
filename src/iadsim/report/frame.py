"""The map's axes: kilometres east and north of the scenario's origin, true to scale."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MapFrame"]

RING_POINTS = 73
"""Points drawn on each coverage ring (every 5 degrees, closed)."""


def _degrees(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):.2f}° {positive if value >= 0 else negative}"


@dataclass(frozen=True)
class MapFrame:
    """Turns positions in the scenario's local frame (metres) into map coordinates.

    The map is always in kilometres east (x) and north (y) of the origin, the frame
    every position is computed in, so a kilometre has the same length in both
    directions (the figures hold x and y to one scale). With a real origin the
    basemap (:mod:`iadsim.basemap`) is drawn under the laydown in the same frame: an
    orthographic projection at the origin (see :class:`iadsim.basemap.LocalProjection`).
    """

    origin: tuple[float, float] | None = None
    """Latitude and longitude of the local frame's origin, degrees; None for a scenario
    placed on no real map."""

    @property
    def x_title(self) -> str:
        """Title of the horizontal axis."""
        if self.origin is None:
            return "east (km)"
        lat, lon = self.origin
        return (
            f"km east of the origin ({_degrees(lat, 'N', 'S')}, {_degrees(lon, 'E', 'W')}), "
            "orthographic projection"
        )

    @property
    def y_title(self) -> str:
        """Title of the vertical axis."""
        return "north (km)" if self.origin is None else "km north of the origin"

    @property
    def aspect(self) -> float:
        """Length of one y unit over one x unit on the ground: 1, both are kilometres."""
        return 1.0

    def xy(
        self, east: ArrayLike, north: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Map coordinates (km) of points given in metres east and north of the origin."""
        e = np.asarray(east, dtype=float)
        n = np.asarray(north, dtype=float)
        return e / 1000.0, n / 1000.0

    def ring(
        self, east: float, north: float, radius: float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """A circle of ``radius`` metres around a point, as map coordinates (closed)."""
        angle = np.linspace(0.0, 2.0 * math.pi, RING_POINTS)
        return self.xy(east + radius * np.cos(angle), north + radius * np.sin(angle))
