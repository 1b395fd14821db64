"""Sweeps: a base scenario, a grid and/or a seeded random design over dotted paths.

The sweep file's format, its model and the parsing of ``--grid``/``--random``
options live in :mod:`iadsim.scenario.sweep`; here a file (or a scenario file
with options) becomes a :class:`Sweep`, whose :meth:`Sweep.points` are the
variants to run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iadsim.errors import SweepError
from iadsim.scenario.sweep import (
    DISTRIBUTIONS,
    Distribution,
    parse_grid_option,
    parse_random_option,
    parse_set_option,
)

__all__ = [
    "DISTRIBUTIONS",
    "Distribution",
    "RandomDesign",
    "Sweep",
    "SweepPoint",
    "build_sweep",
    "parse_grid_option",
    "parse_random_option",
]

SWEEP_VERSION = 1
"""Version of :meth:`Sweep.definition` (part of a sweep's identity in a store)."""


@dataclass(frozen=True)
class RandomDesign:
    """``points`` draws of every ``vary`` field, from a generator seeded with ``seed``."""

    points: int
    seed: int
    vary: dict[str, Distribution]

    def draw(self) -> list[dict[str, Any]]:
        """The design's points, each a mapping of dotted path to value (reproducible)."""
        import numpy as np

        rng = np.random.default_rng(self.seed)
        rows = []
        for _ in range(self.points):
            row: dict[str, Any] = {}
            for path, dist in self.vary.items():
                if dist.kind == "choice":
                    row[path] = dist.args[int(rng.integers(len(dist.args)))]
                    continue
                lo, hi = dist.args
                if dist.kind == "integers":
                    value: Any = int(rng.integers(int(lo), int(hi) + 1))
                elif dist.kind == "uniform":
                    value = float(lo + (hi - lo) * rng.random())
                else:  # log_uniform
                    value = float(
                        math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * rng.random())
                    )
                row[path] = f"{value!r} {dist.unit}" if dist.unit else value
            rows.append(row)
        return rows


@dataclass(frozen=True)
class SweepPoint:
    """One variant of the base scenario: the values it sets, and its seed."""

    index: int
    values: dict[str, Any]
    seed: int

    def overrides(self) -> list[str]:
        """The values as ``path=value`` overrides (values written as JSON, which YAML reads)."""
        return [f"{path}={json.dumps(value)}" for path, value in self.values.items()]

    def label(self) -> str:
        """Short text naming the point, e.g. ``raids.0.count=20 fire_units.0.rounds=10``."""
        if not self.values:
            return "(base scenario)"
        return " ".join(f"{p}={v}" for p, v in self.values.items())


@dataclass(frozen=True)
class Sweep:
    """A sweep: the base scenario (its data, read once), the design, and the run settings."""

    source: str
    """The sweep file, or the scenario file when the design came from options."""
    name: str
    scenario_path: str
    scenario: dict[str, Any]
    """The base scenario's data as read from its file (before any override)."""
    replications: int
    seed: int
    seeds: str = "common"
    policy: str | None = None
    """The assignment policy; ``None``: each point's scenario doctrine's."""
    engine: str | None = None
    """The engine by name; ``None``: the default of :func:`iadsim.engine.simulate`."""
    batch_size: int | None = None
    fixed: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, list[Any]] = field(default_factory=dict)
    random: RandomDesign | None = None

    def points(self) -> list[SweepPoint]:
        """Every point: each grid combination crossed with each random draw."""
        axes = list(self.grid.items())
        combos = [
            dict(zip([p for p, _ in axes], values, strict=True))
            for values in itertools.product(*(v for _, v in axes))
        ]
        draws = self.random.draw() if self.random else [{}]
        out = []
        for index, (combo, draw) in enumerate(itertools.product(combos, draws)):
            values = {**self.fixed, **combo, **draw}
            out.append(SweepPoint(index, values, self.point_seed(index)))
        return out

    def point_seed(self, index: int) -> int:
        """The seed of point ``index``: the sweep's seed, or one derived from it (``distinct``)."""
        if self.seeds == "common":
            return self.seed
        digest = hashlib.sha256(f"iadsim-sweep-seed:{self.seed}:{index}".encode()).digest()
        return int.from_bytes(digest[:8], "little") >> 1

    def definition(self) -> dict[str, Any]:
        """Everything that fixes the sweep's numbers, as plain data.

        The base scenario's content is included, so a resumed sweep runs what
        the interrupted one ran even if the file has changed since.
        """
        return {
            "sweep_version": SWEEP_VERSION,
            "name": self.name,
            "scenario_path": self.scenario_path,
            "scenario": self.scenario,
            "replications": self.replications,
            "seed": self.seed,
            "seeds": self.seeds,
            "policy": self.policy,
            "engine": self.engine,
            "set": self.fixed,
            "grid": self.grid,
            "random": None
            if self.random is None
            else {
                "points": self.random.points,
                "seed": self.random.seed,
                "vary": {p: d.to_dict() for p, d in self.random.vary.items()},
            },
        }

    @property
    def sweep_id(self) -> str:
        """Short hash of :meth:`definition`: the same sweep always has the same id."""
        text = json.dumps(self.definition(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @classmethod
    def from_definition(cls, data: Mapping[str, Any], *, source: str) -> Sweep:
        """Rebuild a sweep from :meth:`definition` (as stored in a results store)."""
        random = data.get("random")
        return cls(
            source=source,
            name=data["name"],
            scenario_path=data["scenario_path"],
            scenario=data["scenario"],
            replications=data["replications"],
            seed=data["seed"],
            seeds=data["seeds"],
            policy=data["policy"],
            engine=data["engine"],
            fixed=dict(data["set"]),
            grid={k: list(v) for k, v in data["grid"].items()},
            random=None
            if random is None
            else RandomDesign(
                points=random["points"],
                seed=random["seed"],
                vary={
                    p: Distribution(d["kind"], tuple(d["args"]), d["unit"])
                    for p, d in random["vary"].items()
                },
            ),
        )


def build_sweep(
    file: str | Path,
    *,
    grid: Iterable[str] = (),
    random: Iterable[str] = (),
    points: int | None = None,
    design_seed: int | None = None,
    replications: int | None = None,
    seed: int | None = None,
    seeds: str | None = None,
    overrides: Sequence[str] = (),
    policy: str | None = None,
    engine: str | None = None,
    batch_size: int | None = None,
) -> Sweep:
    """A sweep from a sweep file or a scenario file, with command-line options on top.

    ``file`` is a sweep file if it has a ``scenario:`` field, else it is the
    base scenario itself. ``grid`` (``path=v1,v2``) adds or replaces grid
    axes; ``random`` (``path=uniform(lo, hi)``) adds random-design fields;
    the other arguments replace the file's settings. The whole, file and options,
    is validated by :class:`iadsim.scenario.sweep.SweepFile`.

    Raises:
        SweepError: naming the file and field (or option) that is wrong.
        ScenarioError: if the base scenario file cannot be read.
    """
    from iadsim.scenario.load import named_file, read_raw
    from iadsim.scenario.sweep import parse_sweep
    from iadsim.scenario.versions import migrate

    file = Path(file)
    source = str(file)
    data, lines = read_raw(file, error=SweepError, kind="")
    if "scenario" in data:
        if "sweep_version" in data and "schema_version" not in data:  # its name before 0.x
            data = {("schema_version" if k == "sweep_version" else k): v for k, v in data.items()}
            if "sweep_version" in lines:
                lines["schema_version"] = lines["sweep_version"]
        settings = migrate(data, kind="sweep", source=file, lines=lines)
    else:
        settings, lines = {"scenario": file.name}, {}

    # the options replace the file's settings, and the whole is validated at once
    given = {
        "replications": replications,
        "seed": seed,
        "seeds": seeds,
        "policy": policy,
        "engine": engine,
        "batch_size": batch_size,
    }
    merged: dict[str, Any] = {**settings, **{k: v for k, v in given.items() if v is not None}}
    changed = {k for k, v in given.items() if v is not None}
    if overrides:
        fixed = dict(merged["set"]) if isinstance(merged.get("set"), Mapping) else {}
        if isinstance(merged.get("set"), list):
            fixed = dict(parse_set_option(str(i), source=source) for i in merged["set"])
        for item in overrides:
            path, value = parse_set_option(item, source=source)
            fixed[path] = value
        merged["set"] = fixed
    extra_axes = [parse_grid_option(item, source=source) for item in grid]
    if extra_axes:
        axes = dict(merged["grid"]) if isinstance(merged.get("grid"), Mapping) else {}
        merged["grid"] = {**axes, **dict(extra_axes)}
        changed.add("grid")
    extra_vary = [parse_random_option(item, source=source) for item in random]
    if extra_vary or points is not None or design_seed is not None:
        spec = merged.get("random")
        spec = dict(spec) if isinstance(spec, Mapping) else {}
        vary = spec.get("vary")
        spec["vary"] = {**(dict(vary) if isinstance(vary, Mapping) else {}), **dict(extra_vary)}
        if points is not None:
            spec["points"] = points
            changed.add("random.points")
        if design_seed is not None:
            spec["seed"] = design_seed
            changed.add("random.seed")
        merged["random"] = spec
    # a setting given as an option is no longer the one on its line in the file
    lines = {
        k: n for k, n in lines.items() if not any(k == c or k.startswith(c + ".") for c in changed)
    }
    model = parse_sweep(merged, source=source, lines=lines)

    if "scenario" in data:
        # checked (it exists, it is a file), but kept as written: the sweep's identity
        named_file(
            file,
            model.scenario,
            error=SweepError,
            field="scenario",
            what="scenario file",
            lines=lines,
        )
        scenario_path = file.parent / model.scenario
        scenario, _ = read_raw(scenario_path)
    else:
        scenario_path, scenario = file, data

    design = None
    if model.random is not None and model.random.vary:
        assert model.random.points is not None  # the model requires it
        design = RandomDesign(model.random.points, model.random.seed, dict(model.random.vary))
    return Sweep(
        source=source,
        name=model.name if model.name is not None else file.stem,
        scenario_path=str(scenario_path),
        scenario=scenario,
        replications=model.replications,
        seed=model.seed,
        seeds=model.seeds,
        policy=model.policy,
        engine=model.engine,
        batch_size=model.batch_size,
        fixed=dict(model.fixed),
        grid={k: list(v) for k, v in model.grid.items()},
        random=design,
    )
