"""Terrain: an elevation grid in the local frame, and the line of sight over it.

The grid is regular in the local east-north frame (metres from the scenario's
origin), rows from north to south: cell ``(i, j)`` covers east
``[x0 + j c, x0 + (j + 1) c)`` and north ``(y0 - (i + 1) c, y0 - i c]``. An
elevation model in another coordinate reference system (a GeoTIFF in WGS84, a UTM
zone) is reprojected into this frame once, with rasterio, to the orthographic
projection on the WGS84 ellipsoid centred at the origin: the very frame of
:func:`iadsim.geometry.geodetic_to_enu`.

Line of sight from a site uses the effective earth of radius ``k R`` (k = 4/3):
over a ground distance d the surface drops ``d^2 / (2 k R)`` below the site's
tangent plane. A site's *horizon-slope map* holds, for every cell within its
reach, the steepest slope ``(e - d^2 / 2kR - h_s) / d`` of the terrain strictly
between the site and that cell, seen from the site's height ``h_s``; a point at
ground distance d over the cell is visible if its altitude is at least
``h_s + slope d + d^2 / 2kR``. The map is made by one sweep of square rings
outward from the site, each cell taking the slope of the ray through the ring
inside it, interpolated between the two cells that ray passes between (the
XDraw approximation of Franklin and Ray, 1994): O(cells), exact along the axes
and diagonals, within a cell's width of the exact ray elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit

from iadsim import limits
from iadsim.geometry.visibility import KR2

__all__ = ["ElevationGrid", "TerrainError", "horizon_slopes", "load_terrain"]


class TerrainError(ValueError):
    """An elevation model that cannot be used; ``field`` names the scenario field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, eq=False)
class ElevationGrid:
    """Elevations (m above sea level) on a regular grid of the local frame."""

    x0: float
    """East edge of the first column (m)."""
    y0: float
    """North edge of the first row (m)."""
    cell: float
    """Cell size (m)."""
    z: np.ndarray
    """[row, column] elevations, float64; NaN where the model has no data."""

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns."""
        return int(self.z.shape[0]), int(self.z.shape[1])

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """West, east, south and north edges (m)."""
        rows, cols = self.shape
        return self.x0, self.x0 + cols * self.cell, self.y0 - rows * self.cell, self.y0

    def at(self, x: float, y: float) -> float:
        """Elevation of the cell holding ``(x, y)``; NaN outside the grid or without data."""
        i, j = self.cell_of(x, y)
        rows, cols = self.shape
        if 0 <= i < rows and 0 <= j < cols:
            return float(self.z[i, j])
        return math.nan

    def covers(self, x: float, y: float) -> bool:
        """True if ``(x, y)`` falls on a cell with data."""
        return not math.isnan(self.at(x, y))

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        """Row and column of the cell holding ``(x, y)`` (may be outside the grid)."""
        return math.floor((self.y0 - y) / self.cell), math.floor((x - self.x0) / self.cell)

    def highest_along(self, xa: float, ya: float, xb: float, yb: float) -> float:
        """The highest elevation of every cell the segment crosses (0 off the grid or no data)."""
        return float(_highest_cell(self.z, self.x0, self.y0, self.cell, xa, ya, xb, yb))

    def slopes(self, x: float, y: float, hs: float, radius: float) -> tuple[np.ndarray, int, int]:
        """The horizon-slope map of a site at ``(x, y)``, ``hs`` metres above sea level.

        Returns the map over the cells within ``radius`` (a square window, clipped
        to the grid) and the row and column of its first cell in the grid.
        """
        ci, cj = self.cell_of(x, y)
        reach = math.ceil(radius / self.cell) + 1
        rows, cols = self.shape
        i0, i1 = max(ci - reach, 0), min(ci + reach + 1, rows)
        j0, j1 = max(cj - reach, 0), min(cj + reach + 1, cols)
        if i0 >= i1 or j0 >= j1:
            return np.full((1, 1), -np.inf, dtype=np.float32), 0, 0
        out = horizon_slopes(self.z, ci, cj, i0, i1, j0, j1, x, y, hs, self.x0, self.y0, self.cell)
        return out, i0, j0


@njit(cache=True)
def _highest_cell(
    z: np.ndarray, x0: float, y0: float, cell: float, xa: float, ya: float, xb: float, yb: float
) -> float:
    """Max of ``z`` over every cell a segment passes through (a supercover walk).

    Amanatides and Woo's traversal: from the cell of one end, step into the
    next cell the segment enters, across whichever border it reaches first.
    Cells off the grid or without data count as sea level.
    """
    rows, cols = z.shape
    u0, v0 = (xa - x0) / cell, (y0 - ya) / cell  # column, row coordinates
    u1, v1 = (xb - x0) / cell, (y0 - yb) / cell
    j, i = math.floor(u0), math.floor(v0)
    j_end, i_end = math.floor(u1), math.floor(v1)
    du, dv = u1 - u0, v1 - v0
    step_j = 1 if du > 0 else -1
    step_i = 1 if dv > 0 else -1
    t_dj = abs(1.0 / du) if du != 0.0 else np.inf
    t_di = abs(1.0 / dv) if dv != 0.0 else np.inf
    t_j = ((j + 1 - u0) if du > 0 else (u0 - j)) * t_dj if du != 0.0 else np.inf
    t_i = ((i + 1 - v0) if dv > 0 else (v0 - i)) * t_di if dv != 0.0 else np.inf
    best = 0.0
    for _ in range(abs(j_end - j) + abs(i_end - i) + 2):
        if 0 <= i < rows and 0 <= j < cols:
            e = z[i, j]
            if not math.isnan(e) and e > best:
                best = e
        if i == i_end and j == j_end:
            break
        if t_j < t_i:
            j += step_j
            t_j += t_dj
        else:
            i += step_i
            t_i += t_di
    return best


@njit(cache=True)
def _ring_cell(
    z: np.ndarray, out: np.ndarray, through: np.ndarray, i: int, j: int, k: int,
    ci: int, cj: int, i0: int, i1: int, j0: int, j1: int,
    sx: float, sy: float, hs: float, x0: float, y0: float, cell: float,
) -> None:  # fmt: skip
    """One cell of ring ``k``: its slope before it, from the ring inside, and through it."""
    di, dj = i - ci, j - cj
    best = -np.inf
    if k > 1:
        # where the ray to this cell crosses ring k - 1, between two of its cells
        f = (k - 1) / k
        pi, pj = ci + di * f, cj + dj * f
        a_i, a_j = math.floor(pi), math.floor(pj)
        wi, wj = pi - a_i, pj - a_j
        total = 0.0
        weight = 0.0
        for qi in range(2):
            for qj in range(2):
                w = (wi if qi else 1.0 - wi) * (wj if qj else 1.0 - wj)
                if w <= 1e-12:
                    continue
                ri, rj = a_i + qi, a_j + qj
                if ri < i0 or ri >= i1 or rj < j0 or rj >= j1:
                    continue
                v = through[ri - i0, rj - j0]
                if v == -np.inf:
                    continue
                total += w * v
                weight += w
        if weight > 0.0:
            best = total / weight
    out[i - i0, j - j0] = best
    e = z[i, j]
    cx = x0 + (j + 0.5) * cell
    cy = y0 - (i + 0.5) * cell
    d = math.sqrt((cx - sx) * (cx - sx) + (cy - sy) * (cy - sy))
    own = (e - d * d / KR2 - hs) / d if (d > 0.0 and not math.isnan(e)) else -np.inf
    through[i - i0, j - j0] = max(best, own)


@njit(cache=True)
def horizon_slopes(
    z: np.ndarray, ci: int, cj: int, i0: int, i1: int, j0: int, j1: int,
    sx: float, sy: float, hs: float, x0: float, y0: float, cell: float,
) -> np.ndarray:  # fmt: skip
    """The horizon-slope map of the site at ``(sx, sy)`` of altitude ``hs``.

    Over cells ``[i0, i1) x [j0, j1)`` of ``z``; ``(ci, cj)`` is the site's cell.
    ``out[i, j]`` is the steepest terrain slope between the site and cell ``(i, j)``
    (``-inf`` where nothing lies between); NaN elevations do not mask. Square rings
    are swept outward from the site, each visiting only its own perimeter.
    """
    out = np.full((i1 - i0, j1 - j0), -np.inf, dtype=np.float32)
    through = np.full((i1 - i0, j1 - j0), -np.inf, dtype=np.float32)
    rings = max(ci - i0, i1 - 1 - ci, cj - j0, j1 - 1 - cj)
    for k in range(1, rings + 1):
        lo_j, hi_j = max(cj - k, j0), min(cj + k, j1 - 1)
        for i in (ci - k, ci + k):  # top and bottom rows of the ring
            if i0 <= i < i1:
                for j in range(lo_j, hi_j + 1):
                    _ring_cell(
                        z, out, through, i, j, k, ci, cj, i0, i1, j0, j1, sx, sy, hs, x0, y0, cell
                    )
        lo_i, hi_i = max(ci - k + 1, i0), min(ci + k - 1, i1 - 1)
        for j in (cj - k, cj + k):  # left and right columns, corners done
            if j0 <= j < j1:
                for i in range(lo_i, hi_i + 1):
                    _ring_cell(
                        z, out, through, i, j, k, ci, cj, i0, i1, j0, j1, sx, sy, hs, x0, y0, cell
                    )
    return out


def _ortho(origin: Any) -> Any:
    from rasterio.crs import CRS

    return CRS.from_proj4(
        f"+proj=ortho +lat_0={origin.lat!r} +lon_0={origin.lon!r} +ellps=WGS84 +units=m +no_defs"
    )


def load_terrain(spec: Any, base: Path, origin: Any) -> ElevationGrid:
    """Read the scenario's ``terrain`` into an :class:`ElevationGrid` of the local frame.

    GDAL's and PROJ's own messages are kept off stderr (rasterio's environment
    routes them to logging); what went wrong is in the error raised.

    Raises:
        TerrainError: a file that cannot be read, a CRS that cannot be used, a grid
            that is too large, or values that are not elevations.
    """
    import rasterio

    with rasterio.Env():
        return _load(spec, base, origin)


def _load(spec: Any, base: Path, origin: Any) -> ElevationGrid:
    import rasterio
    from rasterio.crs import CRS
    from rasterio.errors import CRSError, RasterioError
    from rasterio.transform import Affine
    from rasterio.warp import Resampling, reproject, transform_bounds

    path = Path(spec.file)
    if not path.is_absolute():
        path = base / path
    try:
        if path.is_dir():
            raise TerrainError("terrain.file", f"{spec.file} is a folder, not a file")
        if not path.is_file():
            raise TerrainError("terrain.file", f"no such file: {spec.file}")
        size = path.stat().st_size
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte in it
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TerrainError("terrain.file", f"cannot use this file name: {reason}") from None
    if size > limits.MAX_TERRAIN_BYTES:
        raise TerrainError(
            "terrain.file",
            f"{size / 2**20:,.0f} MiB; the limit is {limits.MAX_TERRAIN_BYTES / 2**20:,.0f} MiB: "
            "crop the elevation model to the area of the defence",
        )
    try:
        if path.suffix.lower() == ".npy":
            try:
                data = np.load(path, allow_pickle=False, mmap_mode="r")
            except (ValueError, OSError):
                raise TerrainError(
                    "terrain.file",
                    "not a NumPy array of numbers (.npy): save the grid with "
                    "numpy.save(path, grid, allow_pickle=False)",
                ) from None
            if data.ndim != 2 or data.dtype.kind not in "iuf":
                raise TerrainError(
                    "terrain.file",
                    f"expected a 2-D array of numbers, got {data.ndim}-D of {data.dtype}",
                )
            if data.size > limits.MAX_TERRAIN_CELLS:
                raise TerrainError(
                    "terrain.file",
                    f"{data.size:,} cells; the limit is {limits.MAX_TERRAIN_CELLS:,}",
                )
            gt = spec.transform
            src_transform = Affine.from_gdal(*gt)
            nodata = None
            if gt[2] != 0.0 or gt[4] != 0.0 or gt[1] <= 0.0 or gt[5] >= 0.0:
                raise TerrainError(
                    "terrain.transform",
                    "expected [x0, dx, 0, y0, 0, dy] with dx > 0 and dy < 0 (north up)",
                )
            _fits(2 * data.size, "reading the elevation grid")
            if spec.crs == "local":
                values = np.array(data, dtype=np.float64)
                if spec.resolution is not None or abs(gt[1] + gt[5]) > 1e-9 * gt[1]:
                    raise TerrainError(
                        "terrain.transform",
                        "a local grid has square cells (dx = -dy) and its own resolution",
                    )
                return _checked(ElevationGrid(float(gt[0]), float(gt[3]), float(gt[1]), values))
            try:
                src_crs = CRS.from_user_input(spec.crs)
            except CRSError as exc:
                raise TerrainError("terrain.crs", f"cannot read the CRS: {exc}") from None
            source = np.array(data, dtype=np.float64)
            height, width = source.shape
        else:
            try:
                dataset = rasterio.open(path)
            except RasterioError as exc:
                raise TerrainError("terrain.file", f"cannot read the GeoTIFF: {exc}") from None
            with dataset:
                if dataset.crs is None:
                    raise TerrainError("terrain.file", "the GeoTIFF has no CRS")
                if dataset.width * dataset.height > limits.MAX_TERRAIN_CELLS:
                    raise TerrainError(
                        "terrain.file",
                        f"{dataset.width * dataset.height:,} cells; the limit is "
                        f"{limits.MAX_TERRAIN_CELLS:,}: crop it to the area",
                    )
                src_crs = dataset.crs
                src_transform = dataset.transform
                nodata = dataset.nodata
                source = dataset.read(1).astype(np.float64)
                height, width = source.shape
        if origin is None:
            raise TerrainError(
                "terrain", "terrain in a geographic CRS needs the scenario's `origin`"
            )
        if nodata is not None:
            source[source == nodata] = np.nan
        dst_crs = _ortho(origin)
        west, south, east, north = rasterio.transform.array_bounds(height, width, src_transform)
        try:
            left, bottom, right, top = transform_bounds(src_crs, dst_crs, west, south, east, north)
        except (CRSError, RasterioError, ValueError) as exc:
            raise TerrainError("terrain.crs", f"cannot reproject from the CRS: {exc}") from None
        if not all(math.isfinite(v) for v in (left, bottom, right, top)):
            raise TerrainError("terrain", "the grid lies too far from the origin to reproject")
        cell = spec.resolution or _native_cell(src_transform, src_crs, dst_crs, height, width)
        cols = math.ceil((right - left) / cell)
        rows = math.ceil((top - bottom) / cell)
        if rows * cols > limits.MAX_TERRAIN_CELLS:
            raise TerrainError(
                "terrain.resolution",
                f"{rows:,} x {cols:,} cells in the local frame at {cell:g} m; the limit is "
                f"{limits.MAX_TERRAIN_CELLS:,}: coarsen `resolution` or crop the file",
            )
        _fits(2 * rows * cols + height * width, "reprojecting the elevation grid")
        out = np.full((rows, cols), np.nan)
        reproject(
            source=source,
            destination=out,
            src_transform=src_transform,
            src_crs=src_crs,
            src_nodata=np.nan,
            dst_transform=Affine(cell, 0.0, left, 0.0, -cell, top),
            dst_crs=dst_crs,
            dst_nodata=np.nan,
            resampling=Resampling.bilinear,
        )
        return _checked(ElevationGrid(left, top, cell, out))
    except TerrainError:
        raise
    except (RasterioError, CRSError, OSError, ValueError) as exc:
        raise TerrainError("terrain.file", f"cannot use the elevation model: {exc}") from None


def _fits(cells: int, work: str) -> None:
    """Refuse a grid whose cells (8 bytes each, and the sight maps of one site) do not fit."""
    problem = limits.check_memory(8.0 * cells, work)
    if problem is not None:
        raise TerrainError("terrain.file", problem)


def _native_cell(transform: Any, src_crs: Any, dst_crs: Any, height: int, width: int) -> float:
    """The file's cell size in metres near its centre (the larger of its two sides)."""
    from rasterio.warp import transform as warp

    ci, cj = height / 2.0, width / 2.0
    xs, ys = [], []
    for di, dj in ((0, 0), (0, 1), (1, 0)):
        x, y = transform * (cj + dj, ci + di)
        xs.append(x)
        ys.append(y)
    px, py = warp(src_crs, dst_crs, xs, ys)
    dx = math.hypot(px[1] - px[0], py[1] - py[0])
    dy = math.hypot(px[2] - px[0], py[2] - py[0])
    cell = max(dx, dy)
    if not (limits.MIN_TERRAIN_CELL_M <= cell <= limits.MAX_TERRAIN_CELL_M):
        raise TerrainError(
            "terrain.resolution",
            f"the file's cells are {cell:g} m across; give `resolution` between "
            f"{limits.MIN_TERRAIN_CELL_M:g} m and {limits.MAX_TERRAIN_CELL_M:g} m",
        )
    return cell


def _checked(grid: ElevationGrid) -> ElevationGrid:
    z = grid.z
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        raise TerrainError("terrain.file", "the grid holds no elevation at all")
    if finite.min() < -500.0 or finite.max() > 9000.0:
        raise TerrainError(
            "terrain.file",
            f"elevations from {finite.min():g} m to {finite.max():g} m: expected metres above "
            "sea level between -500 m and 9000 m",
        )
    if np.isinf(z).any():
        raise TerrainError("terrain.file", "the grid holds infinite values")
    if not (limits.MIN_TERRAIN_CELL_M <= grid.cell <= limits.MAX_TERRAIN_CELL_M):
        raise TerrainError(
            "terrain.transform",
            f"cells of {grid.cell:g} m; expected between {limits.MIN_TERRAIN_CELL_M:g} m and "
            f"{limits.MAX_TERRAIN_CELL_M:g} m",
        )
    z.setflags(write=False)
    return grid
