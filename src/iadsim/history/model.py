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

**Decoys.** The reports count decoys (Gerbera-class) among the drones launched,
and those that are not shot down among the drones that "did not reach the
target" (the EW column), never among those that got through. A scenario with a
decoy raid mimicking a kind (the built-in one has one for drones) is simulated
at several decoy shares ``d`` of the night's threats: ``round(d * n)`` decoys fly
with the real drones (same kill probability, same EW susceptibility: they look
and fly alike), take their share of the fire channels and rounds, and the
night's shares are ``(1 - d)`` times the real drones' fates plus ``d`` times the
decoys' (shot down: destroyed; otherwise: lost to EW).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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

    def decoy_raid(self, kind: str) -> tuple[int, str] | None:
        """Index and threat class of the first raid of decoys that mimic this kind, if any."""
        classes = self.scenario.threat_classes
        for index, raid in enumerate(self.scenario.raids):
            threat = classes[raid.threat]
            if threat.kind == "decoy" and threat.mimics == kind:
                return index, raid.threat
        return None

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
        keys = {kind, threat}
        decoy = self.decoy_raid(kind)
        if decoy is not None:  # a decoy is shot at like what it mimics
            keys |= {"decoy", decoy[1]}
        return keys

    def has_ew(self, kind: str) -> bool:
        """True if an EW site of the scenario can defeat threats of this kind."""
        keys = self._keys(kind)
        return any(u.is_ew and keys & set(u.pk) for u in self.scenario.fire_units)

    def overrides(self, kind: str, count: int, pk: float, ew: float, decoys: int = 0) -> list[str]:
        """The ``path=value`` overrides that set a night of ``count`` threats of ``kind``.

        ``pk`` becomes the per-round kill chance of every kinetic unit that engages
        the kind (and its decoys); ``ew`` the threat class's ``ew_susceptibility`` (EW
        sites then defeat a susceptible threat with their own ``pk``), and its decoys'.
        ``decoys`` of the ``count`` threats are decoys (raid 1 of :meth:`kind_raw` with
        ``decoys=True``); the rest real threats (raid 0).
        """
        _, threat = self.raid_of(kind)
        keys = self._keys(kind)
        items = [f"raids.0.count={int(count) - int(decoys)}"]
        decoy = self.decoy_raid(kind)
        if decoys > 0 and decoy is not None:
            items.append(f"raids.1.count={int(decoys)}")
            items.append(f"threat_classes.{decoy[1]}.ew_susceptibility={ew!r}")
        for index, unit in enumerate(self.scenario.fire_units):
            if unit.is_ew or not keys & set(unit.pk):
                continue
            table = {k: (pk if k in keys else v) for k, v in unit.pk.items()}
            flow = ", ".join(f"{k}: {v!r}" for k, v in table.items())
            items.append(f"fire_units.{index}.pk={{{flow}}}")
        items.append(f"threat_classes.{threat}.ew_susceptibility={ew!r}")
        return items

    def kind_raw(self, kind: str, *, decoys: bool = False) -> dict[str, Any]:
        """The scenario's data with only the kind's raid left (each kind is simulated alone).

        With ``decoys`` (and a decoy raid mimicking the kind), that raid is kept second.
        """
        index, _ = self.raid_of(kind)
        raw = copy.deepcopy(self.raw)
        raids = [raw["raids"][index]]
        decoy = self.decoy_raid(kind)
        if decoys and decoy is not None:
            raids.append(raw["raids"][decoy[0]])
        raw["raids"] = raids
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
        decoy: float = 0.0,
    ) -> NDArray[np.float64]:
        """Mean shares destroyed, lost to EW and leaked of a night, over replications.

        ``decoy`` is the share of the night's ``count`` threats that are decoys (the
        scenario must then have a decoy raid for the kind): ``round(decoy * count)``
        decoys fly (at most ``count - 1``), and the shares are ``(1 - decoy)`` times the
        real threats' fates plus ``decoy`` times the decoys' (shot down: destroyed;
        otherwise lost to EW, as the reports count them). With no decoy flying (a
        small night), the decoys' chance of being shot down is the real threats'.
        ``raw`` (from :meth:`kind_raw`, with ``decoys=True`` when ``decoy > 0``) saves
        copying the scenario's data at each call.
        """
        from iadsim.compile import compile_scenario
        from iadsim.engine import Fate, simulate
        from iadsim.scenario.load import apply_overrides, parse_scenario

        if not 0.0 <= decoy < 1.0:
            raise ValueError(f"the decoy share must be in [0, 1), not {decoy}")
        if decoy > 0 and self.decoy_raid(kind) is None:
            raise HistoryError(
                self.path,
                f"the scenario has no raid of decoys mimicking {kind!r} (a threat class of "
                f"kind decoy with mimics: {kind}); it cannot simulate a decoy share",
            )
        decoys = min(round(decoy * count), int(count) - 1) if decoy > 0 else 0
        base = raw if raw is not None else self.kind_raw(kind, decoys=decoys > 0)
        if decoys == 0 and len(base["raids"]) > 1:
            base = {**base, "raids": base["raids"][:1]}
        elif decoys > 0 and len(base["raids"]) < 2:
            base = self.kind_raw(kind, decoys=True)
        data = apply_overrides(base, self.overrides(kind, count, pk, ew, decoys),
                               source=self.path)  # fmt: skip
        compiled = compile_scenario(parse_scenario(data, source=self.path), source=self.path)
        fate = simulate(compiled, replications=replications, seed=seed, engine=engine).fate
        fates = (Fate.DESTROYED, Fate.LOST_TO_EW, Fate.LEAKED)
        is_decoy = compiled.threat_raid == 1 if decoys > 0 else np.zeros(fate.shape[-1], bool)
        real = fate[..., ~is_decoy]
        own = np.array([(real == f).mean() for f in fates])
        if decoy == 0:
            return own
        shot = float((fate[..., is_decoy] == Fate.DESTROYED).mean()) if decoys else own[0]
        return np.asarray((1 - decoy) * own + decoy * np.array([shot, 1 - shot, 0.0]))


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
    """[P, E, S, 3] mean shares destroyed, lost to EW, leaked (no decoys)."""
    decoy: NDArray[np.float64] = field(default_factory=lambda: np.zeros(1))
    """[D] shares of decoys among the night's threats simulated, increasing from 0
    (``[0]`` when the scenario has no decoys for the kind)."""
    decoy_shares: NDArray[np.float64] | None = field(default=None, repr=False)
    """[D, P, E, S, 3] the shares at each decoy share (``[0]`` is :attr:`shares`); None
    without decoys."""

    @property
    def has_ew(self) -> bool:
        """True if EW susceptibility is a parameter of this kind."""
        return len(self.ew) > 1

    @property
    def has_decoys(self) -> bool:
        """True if the share of decoys is a parameter of this kind."""
        return self.decoy_shares is not None and len(self.decoy) > 1

    def at_sizes(
        self, n: NDArray[np.float64], decoy: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        """[P, E, N, 3] shares for nights of ``n`` threats (linear in log size between rungs).

        ``decoy`` ([N], with decoys): the share of decoys of each night, linear between
        the simulated decoy shares (clipped to them).
        """
        if decoy is None or self.decoy_shares is None or not self.has_decoys:
            return _at_sizes(self.sizes, self.shares, n)
        per = np.stack([_at_sizes(self.sizes, t, n) for t in self.decoy_shares])  # [D,P,E,N,3]
        w = interpolation_weights(self.decoy, np.asarray(decoy, dtype=float))  # [N, D]
        return np.asarray(np.einsum("nd,dpenk->penk", w, per))


def _at_sizes(
    sizes: NDArray[np.int64], shares: NDArray[np.float64], n: NDArray[np.float64]
) -> NDArray[np.float64]:
    """[P, E, N, 3] of a [P, E, S, 3] table at sizes ``n`` (linear in log size)."""
    logs = np.log(sizes.astype(float))
    x = np.log(np.clip(np.asarray(n, dtype=float), sizes[0], sizes[-1]))
    if len(logs) == 1:
        return np.repeat(shares, len(x), axis=2)
    hi = np.clip(np.searchsorted(logs, x, side="right"), 1, len(logs) - 1)
    lo = hi - 1
    w = (x - logs[lo]) / (logs[hi] - logs[lo])
    w = w[None, None, :, None]
    return np.asarray((1 - w) * shares[:, :, lo, :] + w * shares[:, :, hi, :])


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
    decoy_grid: Sequence[float] | None = None,
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
        decoy_grid: shares of decoys among a night's threats (0 is always added);
            ignored if the scenario has no decoy raid for the kind.
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
    with_decoys = model.decoy_raid(kind) is not None and bool(decoy_grid)
    decoy_arr = (np.array(sorted({0.0, *(float(d) for d in decoy_grid or ())}))
                 if with_decoys else np.zeros(1))  # fmt: skip
    if decoy_arr[0] < 0 or decoy_arr[-1] >= 1:
        raise ValueError(f"decoy shares must be in [0, 1), not {decoy_arr.tolist()}")
    reps = np.minimum(np.ceil(draws / sizes_arr), max_replications).astype(np.int64)
    reps = np.maximum(reps, 1)
    parts = {"sizes": sizes_arr.tolist(), "pk": pk_arr.tolist(), "ew": ew_arr.tolist(),
             "reps": reps.tolist(), "seed": seed, "engine": engine}  # fmt: skip
    if len(decoy_arr) > 1:  # tables without decoys keep their key
        parts["decoy"] = decoy_arr.tolist()
    key = _cache_key(model, kind, **parts)
    cached = Path(cache_dir) / f"response-{key}.npz" if cache_dir is not None else None
    shape = (len(decoy_arr), len(pk_arr), len(ew_arr), len(sizes_arr), 3)
    points = len(decoy_arr) * len(pk_arr) * len(ew_arr) * len(sizes_arr)
    shares = _cached(cached, shape[1:] if len(decoy_arr) == 1 else shape) if cached else None
    if shares is None:
        raws = {False: model.kind_raw(kind), True: model.kind_raw(kind, decoys=True)}
        shares = np.zeros(shape)
        for h, d in enumerate(decoy_arr):
            for i, pk in enumerate(pk_arr):
                for j, ew in enumerate(ew_arr):
                    for k, (size, r) in enumerate(zip(sizes_arr, reps, strict=True)):
                        shares[h, i, j, k] = model.shares(
                            kind, int(size), float(pk), float(ew), replications=int(r),
                            seed=seed, engine=engine, raw=raws[bool(d > 0)], decoy=float(d),
                        )  # fmt: skip
                        if progress is not None:
                            progress(1)
        if len(decoy_arr) == 1:
            shares = shares[0]
        if cached is not None:
            _store(cached, shares)
    elif progress is not None:
        progress(points)
    if len(decoy_arr) == 1:
        return ResponseTable(kind, pk_arr, ew_arr, sizes_arr, reps, shares)
    return ResponseTable(kind, pk_arr, ew_arr, sizes_arr, reps, shares[0], decoy_arr, shares)


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
