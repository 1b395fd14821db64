"""Make the synthetic elevation grid of ``examples/terrain_valley.yaml`` (a fictional map).

Writes ``valley.npy`` next to this script: int16 elevations in metres above sea
level, 400 x 400 cells of 200 m, rows from north to south, covering 80 km x 80 km
of the local frame (east -40 km to +40 km, north -40 km to +40 km). The scenario
reads it with::

    terrain:
      file: terrain/valley.npy
      crs: local
      transform: [-40000, 200, 0, 40000, 0, -200]

The map: a valley floor rising from 180 m in the south to 340 m in the north,
a ridge running east-west about 5 km north of the origin (crest near 840 m,
winding 1.5 km north and south), low hills to the north and south. Only NumPy
and arithmetic: the same file on every machine.

Run: ``python examples/terrain/make_grid.py`` (``--check`` compares with the file
instead of writing it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

CELL = 200.0
"""Cell size (m)."""
WEST, NORTH = -40_000.0, 40_000.0
"""Top-left corner of the grid in the local frame (m)."""
ROWS = COLS = 400
TRANSFORM = [WEST, CELL, 0.0, NORTH, 0.0, -CELL]
"""The GDAL geotransform the scenario gives for this grid."""

FLOOR = 180.0
"""Valley floor (m above sea level)."""
RIDGE_NORTH = 5_000.0
"""Mean north coordinate of the ridge's crest line (m)."""
RIDGE_HEIGHT = 570.0
"""Crest above the floor (m)."""
RIDGE_WIDTH = 1_200.0
"""Gaussian half-width of the ridge across its line (m)."""
HILLS = (
    # east (m), north (m), height (m), radius (m)
    (-20_000.0, 25_000.0, 300.0, 5_000.0),
    (18_000.0, 28_000.0, 350.0, 4_000.0),
    (25_000.0, -25_000.0, 250.0, 6_000.0),
    (-26_000.0, -28_000.0, 200.0, 5_000.0),
    (-6_000.0, -30_000.0, 120.0, 3_000.0),
)
"""Round hills: centre, height above the floor and Gaussian radius."""


def elevation() -> np.ndarray:
    """The grid: ``[row, column]`` elevations (m), rows from north to south."""
    east = WEST + (np.arange(COLS) + 0.5) * CELL
    north = NORTH - (np.arange(ROWS) + 0.5) * CELL
    x, y = np.meshgrid(east, north)
    crest = RIDGE_NORTH + 1_500.0 * np.sin(x / 15_000.0)  # a gently winding crest line
    z = FLOOR + 0.002 * (y - WEST)  # the floor rises 160 m from south to north
    z = z + RIDGE_HEIGHT * np.exp(-(((y - crest) / RIDGE_WIDTH) ** 2))
    for hx, hy, height, radius in HILLS:
        z = z + height * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / radius**2)
    return np.rint(z).astype(np.int16)


def main(argv: list[str] | None = None) -> int:
    """Write the grid (or, with ``--check``, compare it with the file); the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("valley.npy"), help="file to write"
    )
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
    grid = elevation()
    if args.check:
        same = args.out.is_file() and np.array_equal(np.load(args.out), grid)
        print(f"{args.out}: {'up to date' if same else 'differs from the script'}")
        return 0 if same else 1
    np.save(args.out, grid, allow_pickle=False)
    print(
        f"wrote {args.out}: {ROWS} x {COLS} cells of {CELL:g} m, "
        f"{int(grid.min())} m to {int(grid.max())} m; transform {TRANSFORM}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
