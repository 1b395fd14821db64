"""Terrain: compile time and replication speed of the capital raid over an elevation grid.

Every figure is measured in this run, on this machine:

1. the capital night raid example over a synthetic 90 m grid of 300 km x 300 km
   (3,334 x 3,334 cells, centred on the capital, hills and ridges from 100 m to
   at most 400 m above sea level, below every threat's cruise altitude but the
   terrain followers'; generated here with a fixed seed): the time to compile the scenario
   (load, trajectories, horizon-slope maps of every sensor and fire unit, windows),
   target < 15 s; the first compile in a process also pays for compiling the Numba
   geometry once (shown apart, with the cache as it is);
2. the same raid without terrain compiled in the same process (the baseline);
3. replications per second of the fast engine with and without terrain, same
   seed and count; the ratio of their costs, target <= 1.3x.

    python benchmarks/terrain.py              # about 2 minutes on 2 cores
    python benchmarks/terrain.py --json       # one JSON document on stdout
    python benchmarks/terrain.py --cell 180   # a coarser grid
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CAPITAL = ROOT / "examples" / "capital_night_raid.yaml"


def synthetic_grid(size: float, cell: float, seed: int = 13) -> np.ndarray:
    """Hills and ridges (m) on a ``size`` square at ``cell`` spacing, rows from the north."""
    n = math.ceil(size / cell)
    rng = np.random.default_rng(seed)
    axis = (np.arange(n) + 0.5) * cell - size / 2.0
    x = axis[np.newaxis, :].astype(np.float32)
    y = axis[::-1, np.newaxis].astype(np.float32)
    z = np.full((n, n), 100.0, dtype=np.float32)
    for _ in range(40):  # hills
        cx, cy = rng.uniform(-size / 2, size / 2, 2)
        r = rng.uniform(3e3, 20e3)
        z += rng.uniform(30.0, 150.0) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    for _ in range(8):  # ridges
        cx, cy = rng.uniform(-size / 2, size / 2, 2)
        angle = rng.uniform(0.0, math.pi)
        across = (x - cx) * math.cos(angle) - (y - cy) * math.sin(angle)
        along = (x - cx) * math.sin(angle) + (y - cy) * math.cos(angle)
        length = rng.uniform(20e3, 80e3)
        z += (
            rng.uniform(50.0, 150.0)
            * np.exp(-(across**2) / (2 * 1500.0**2))
            * np.exp(-(along**2) / (2 * length**2))
        )
    top = float(z.max())
    if top > 400.0:  # stacked hills: keep the relief under the drones' 500 m
        z = 100.0 + (z - 100.0) * np.float32(300.0 / (top - 100.0))
    return z


def _scenario(path: Path, grid_file: Path | None, size: float, cell: float) -> Path:
    from ruamel.yaml import YAML

    yaml = YAML()
    data: Any = yaml.load(CAPITAL.read_text())
    if grid_file is not None:
        half = size / 2.0
        data["terrain"] = {
            "file": grid_file.name,
            "transform": [-half, cell, 0.0, half, 0.0, -cell],
            "crs": "local",
        }
    with path.open("w") as f:
        yaml.dump(data, f)
    return path


def _compile(path: Path) -> tuple[Any, float]:
    from iadsim.compile import compile_scenario
    from iadsim.scenario import load_scenario

    t0 = time.perf_counter()
    compiled = compile_scenario(load_scenario(path), source=path)
    return compiled, time.perf_counter() - t0


def _rate(compiled: Any, replications: int, rounds: int) -> tuple[float, list[float]]:
    from iadsim.engine import simulate

    simulate(compiled, replications=8, seed=1)  # load the code
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        simulate(compiled, replications=replications, seed=1)
        times.append(time.perf_counter() - t0)
    return replications / min(times), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cell", type=float, default=90.0, help="grid cell (m)")
    parser.add_argument("--size", type=float, default=300e3, help="grid side (m)")
    parser.add_argument("--replications", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = parser.parse_args(argv)
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        z = synthetic_grid(args.size, args.cell)
        grid_file = folder / "grid.npy"
        np.save(grid_file, z)
        made = time.perf_counter() - t0
        say(
            f"grid: {z.shape[0]:,} x {z.shape[1]:,} cells of {args.cell:g} m "
            f"({z.nbytes / 2**20:.0f} MiB), made in {made:.1f} s"
        )
        flat = _scenario(folder / "flat.yaml", None, args.size, args.cell)
        hilly = _scenario(folder / "terrain.yaml", grid_file, args.size, args.cell)
        plain, t_plain = _compile(flat)
        _, t_first = _compile(hilly)  # pays for compiling the Numba geometry, if not cached
        terrain, t_terrain = _compile(hilly)
        say(f"compile without terrain: {t_plain:.2f} s")
        say(
            f"compile with terrain: {t_terrain:.2f} s (first in this process: {t_first:.2f} s)"
            f"  target < 15 s: {'PASS' if t_terrain < 15.0 else 'MISS'}"
        )
        windows = (int(plain.eng_offset[-1]), int(terrain.eng_offset[-1]))
        looks = (int(plain.det_offset[-1]), int(terrain.det_offset[-1]))
        say(
            f"engagement windows: {windows[0]:,} -> {windows[1]:,}; detection windows: "
            f"{looks[0]:,} -> {looks[1]:,}"
        )
        r_plain, times_plain = _rate(plain, args.replications, args.rounds)
        r_terrain, times_terrain = _rate(terrain, args.replications, args.rounds)
        ratio = r_plain / r_terrain
        say(
            f"replications/s without terrain: {r_plain:,.0f} "
            f"(rounds {', '.join(f'{t:.2f}' for t in times_plain)} s)"
        )
        say(
            f"replications/s with terrain: {r_terrain:,.0f} "
            f"(rounds {', '.join(f'{t:.2f}' for t in times_terrain)} s)"
        )
        say(
            f"cost with terrain / without: {ratio:.2f}x  target <= 1.3x: "
            f"{'PASS' if ratio <= 1.3 else 'MISS'}"
        )
    if args.json:
        print(
            json.dumps(
                {
                    "cell_m": args.cell,
                    "size_m": args.size,
                    "cells": int(z.size),
                    "compile_s": {"plain": t_plain, "terrain": t_terrain, "terrain_first": t_first},
                    "windows": {"engagement": windows, "detection": looks},
                    "replications_per_s": {"plain": r_plain, "terrain": r_terrain},
                    "cost_ratio": ratio,
                    "pass": {"compile": t_terrain < 15.0, "ratio": ratio <= 1.3},
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
