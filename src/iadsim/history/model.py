"""The simulated side of calibration: shares destroyed / lost to EW / leaked on a grid.

A national-defence scenario (built in: :func:`default_scenario`, the same file as
``examples/national_defence.yaml``) has one raid
per threat kind. For a kind, a raid size ``n`` and effectiveness parameters
``(pk, ew)``, the scenario is changed only by ``--set``-style overrides (the
raid's ``count``, every kinetic unit's ``pk`` for the kind, the threat class's
``ew_susceptibility``), compiled and simulated with a few replications. Doing
this on a grid of parameters and a ladder of raid sizes gives a
:class:`ResponseTable`; a night of any size and any parameters between grid
points is read from it by linear interpolation (in log size and in the
parameters). The compiled engine is reused: only numbers change, so nothing
recompiles. Common random numbers (one seed everywhere) keep the table smooth
in the parameters. Tables are cached on disk by content.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.history.errors import HistoryError

__all__ = [
    "FATES",
    "NationalModel",
    "ResponseTable",
    "default_scenario",
    "interpolate",
    "interpolation_weights",
    "response_table",
    "size_ladder",
]

FATES = ("destroyed", "lost_to_ew", "leaked")
"""The three shares of a table's last axis, in order."""


def default_scenario() -> Path:
    """The built-in national-defence scenario, shipped in the package (``iadsim/data``).

    Its content is that of ``examples/national_defence.yaml`` (a test keeps them equal).

    Raises:
        HistoryError: if the installed package lacks it.
    """
    from importlib.resources import files

    resource = files("iadsim") / "data" / "national_defence.yaml"
    path = Path(str(resource))
    if not path.is_file():
        raise HistoryError(
            path,
            "the built-in national-defence scenario is missing from the installed package; "
            "reinstall iadsim, or give a scenario with --scenario",
        )
    return path


class NationalModel:
    """A national-defence scenario whose effectiveness by threat kind can be set.

    Raises:
        ScenarioError: if the file is not a valid scenario.
        HistoryError: if it has no raid of a kind asked for.
    """

    def __init__(self, path: str | Path) -> None:
        from iadsim.scenario.load import parse_scenario, read_raw

        self.path = Path(path)
        self.raw, _ = read_raw(self.path)
        self.scenario = parse_scenario(copy.deepcopy(self.raw), source=self.path)
        self.text_hash = hashlib.sha256(self.path.read_bytes()).hexdigest()[:16]

    def raid_of(self, kind: str) -> tuple[int, str]:
        """Index of the first raid of this kind and its threat class."""
        classes = self.scenario.threat_classes
        for index, raid in enumerate(self.scenario.raids):
            if classes[raid.threat].kind == kind:
                return index, raid.threat
        raise HistoryError(
            self.path,
            f"the scenario has no raid of threat kind {kind!r}; a calibration scenario "
            "needs one raid per kind it fits",
        )

    def _keys(self, kind: str) -> set[str]:
        _, threat = self.raid_of(kind)
        return {kind, threat}

    def has_ew(self, kind: str) -> bool:
        """True if an EW site of the scenario can defeat threats of this kind."""
        keys = self._keys(kind)
        return any(u.is_ew and keys & set(u.pk) for u in self.scenario.fire_units)

    def overrides(self, kind: str, count: int, pk: float, ew: float) -> list[str]:
        """The ``path=value`` overrides that set a night of ``count`` threats of ``kind``.

        ``pk`` becomes the per-round kill chance of every kinetic unit that engages
        the kind; ``ew`` the threat class's ``ew_susceptibility`` (EW sites then
        defeat a susceptible threat with their own ``pk``).
        """
        _, threat = self.raid_of(kind)
        keys = self._keys(kind)
        items = [f"raids.0.count={int(count)}"]
        for index, unit in enumerate(self.scenario.fire_units):
            if unit.is_ew or not keys & set(unit.pk):
                continue
            table = {k: (pk if k in keys else v) for k, v in unit.pk.items()}
            flow = ", ".join(f"{k}: {v!r}" for k, v in table.items())
            items.append(f"fire_units.{index}.pk={{{flow}}}")
        items.append(f"threat_classes.{threat}.ew_susceptibility={ew!r}")
        return items

    def kind_raw(self, kind: str) -> dict[str, Any]:
        """The scenario's data with only the kind's raid left (each kind is simulated alone)."""
        index, _ = self.raid_of(kind)
        raw = copy.deepcopy(self.raw)
        raw["raids"] = [raw["raids"][index]]
        return raw

    def shares(
        self,
        kind: str,
        count: int,
        pk: float,
        ew: float,
        *,
        replications: int,
        seed: int,
        engine: str = "fast",
        raw: dict[str, Any] | None = None,
    ) -> NDArray[np.float64]:
        """Mean shares destroyed, lost to EW and leaked of a night, over replications."""
        from iadsim.compile import compile_scenario
        from iadsim.engine import Fate, simulate
        from iadsim.scenario.load import apply_overrides, parse_scenario

        base = raw if raw is not None else self.kind_raw(kind)
        data = apply_overrides(base, self.overrides(kind, count, pk, ew), source=self.path)
        compiled = compile_scenario(parse_scenario(data, source=self.path), source=self.path)
        fate = simulate(compiled, replications=replications, seed=seed, engine=engine).fate
        fates = (Fate.DESTROYED, Fate.LOST_TO_EW, Fate.LEAKED)
        return np.array([(fate == f).mean() for f in fates])


@dataclass(frozen=True)
class ResponseTable:
    """Simulated mean shares by parameters and raid size, for one threat kind."""

    kind: str
    pk: NDArray[np.float64]
    """[P] kill-probability grid."""
    ew: NDArray[np.float64]
    """[E] EW-susceptibility grid (``[0]`` when the scenario has no EW for the kind)."""
    sizes: NDArray[np.int64]
    """[S] raid sizes simulated, increasing."""
    replications: NDArray[np.int64]
    """[S] replications per size."""
    shares: NDArray[np.float64]
    """[P, E, S, 3] mean shares destroyed, lost to EW, leaked."""

    @property
    def has_ew(self) -> bool:
        """True if EW susceptibility is a parameter of this kind."""
        return len(self.ew) > 1

    def at_sizes(self, n: NDArray[np.float64]) -> NDArray[np.float64]:
        """[P, E, N, 3] shares for nights of ``n`` threats (linear in log size between rungs)."""
        logs = np.log(self.sizes.astype(float))
        x = np.log(np.clip(np.asarray(n, dtype=float), self.sizes[0], self.sizes[-1]))
        if len(logs) == 1:
            return np.repeat(self.shares, len(x), axis=2)
        hi = np.clip(np.searchsorted(logs, x, side="right"), 1, len(logs) - 1)
        lo = hi - 1
        w = (x - logs[lo]) / (logs[hi] - logs[lo])
        w = w[None, None, :, None]
        return (1 - w) * self.shares[:, :, lo, :] + w * self.shares[:, :, hi, :]


def interpolation_weights(grid: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """[len(x), len(grid)] linear-interpolation weights of points x on a grid."""
    out = np.zeros((len(x), len(grid)))
    if len(grid) == 1:
        out[:, 0] = 1.0
        return out
    x = np.clip(x, grid[0], grid[-1])
    hi = np.clip(np.searchsorted(grid, x, side="right"), 1, len(grid) - 1)
    lo = hi - 1
    w = (x - grid[lo]) / (grid[hi] - grid[lo])
    rows = np.arange(len(x))
    out[rows, lo] = 1 - w
    out[rows, hi] += w
    return out


def interpolate(
    shares: NDArray[np.float64],
    pk_grid: NDArray[np.float64],
    ew_grid: NDArray[np.float64],
    pk: NDArray[np.float64],
    ew: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Shares ``[P, E, ...]`` read at parameters ``pk`` x ``ew`` (bilinear).

    Returns:
        ``[len(pk), len(ew), ...]``.
    """
    wp = interpolation_weights(pk_grid, np.asarray(pk, dtype=float))
    we = interpolation_weights(ew_grid, np.asarray(ew, dtype=float))
    return np.einsum("ap,be,pe...->ab...", wp, we, shares)


def size_ladder(launched: Sequence[float], *, rungs: int = 6) -> NDArray[np.int64]:
    """Raid sizes to simulate: geometric from the smallest to the largest night."""
    n = np.asarray(launched, dtype=float)
    n = n[n > 0]
    if n.size == 0:
        return np.array([1], dtype=np.int64)
    lo, hi = max(1.0, n.min()), n.max()
    if hi <= lo:
        return np.array([int(lo)], dtype=np.int64)
    return np.unique(np.round(np.geomspace(lo, hi, rungs)).astype(np.int64))


def _cache_key(model: NationalModel, kind: str, **parts: Any) -> str:
    from iadsim import __version__

    # a new release of iadsim may simulate differently: its tables are its own
    parts = {"scenario": model.text_hash, "kind": kind, "iadsim": __version__, **parts}
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def response_table(
    model: NationalModel,
    kind: str,
    sizes: Sequence[int] | NDArray[np.int64],
    *,
    pk_grid: Sequence[float],
    ew_grid: Sequence[float] | None = None,
    seed: int = 0,
    draws: int = 400,
    max_replications: int = 64,
    engine: str = "fast",
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ResponseTable:
    """Simulate the shares of a kind on a parameter grid and a ladder of raid sizes.

    Args:
        model: the national-defence scenario.
        kind: the threat kind.
        sizes: raid sizes (threats per night) to simulate.
        pk_grid: kill probabilities to simulate.
        ew_grid: EW susceptibilities; ignored (``[0]``) if the scenario has no EW
            for the kind.
        seed: the seed of every simulation (common random numbers).
        draws: replications per size are ``ceil(draws / size)``, so that each
            share rests on about this many simulated threats.
        max_replications: at most this many replications per size.
        engine: ``"fast"`` or ``"reference"``.
        cache_dir: a folder for tables already simulated (same scenario file,
            grid, sizes, seed, engine and iadsim version); ``None`` for no cache. A
            damaged table there is simulated again; a folder that cannot be written
            only loses the caching.
        progress: called with 1 after each simulated point.
    """
    sizes_arr = np.array(sorted({int(s) for s in sizes}), dtype=np.int64)
    pk_arr = np.array(sorted({float(p) for p in pk_grid}))
    has_ew = model.has_ew(kind)
    ew_arr = np.array(sorted({float(e) for e in ew_grid})) if has_ew and ew_grid else np.zeros(1)
    reps = np.minimum(np.ceil(draws / sizes_arr), max_replications).astype(np.int64)
    reps = np.maximum(reps, 1)
    key = _cache_key(
        model, kind, sizes=sizes_arr.tolist(), pk=pk_arr.tolist(), ew=ew_arr.tolist(),
        reps=reps.tolist(), seed=seed, engine=engine,
    )  # fmt: skip
    cached = Path(cache_dir) / f"response-{key}.npz" if cache_dir is not None else None
    shape = (len(pk_arr), len(ew_arr), len(sizes_arr), 3)
    shares = _cached(cached, shape) if cached is not None else None
    if shares is not None:
        if progress is not None:
            progress(len(pk_arr) * len(ew_arr) * len(sizes_arr))
        return ResponseTable(kind, pk_arr, ew_arr, sizes_arr, reps, shares)
    raw = model.kind_raw(kind)
    shares = np.zeros((len(pk_arr), len(ew_arr), len(sizes_arr), 3))
    for i, pk in enumerate(pk_arr):
        for j, ew in enumerate(ew_arr):
            for k, (size, r) in enumerate(zip(sizes_arr, reps, strict=True)):
                shares[i, j, k] = model.shares(
                    kind, int(size), float(pk), float(ew),
                    replications=int(r), seed=seed, engine=engine, raw=raw,
                )  # fmt: skip
                if progress is not None:
                    progress(1)
    if cached is not None:
        _store(cached, shares)
    return ResponseTable(kind, pk_arr, ew_arr, sizes_arr, reps, shares)


def _cached(path: Path, shape: tuple[int, ...]) -> NDArray[np.float64] | None:
    """A cached table, or None if absent or unusable (damaged, other shape).

    An unusable table is simulated again and its file replaced.
    """
    import zipfile

    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            shares = np.asarray(data["shares"], dtype=np.float64)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if shares.shape != shape or not np.isfinite(shares).all():
        return None
    return shares


def _store(path: Path, shares: NDArray[np.float64]) -> None:
    """Write a table to the cache atomically; a cache that cannot be written is skipped."""
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                np.savez(stream, shares=shares)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    except OSError:
        return
