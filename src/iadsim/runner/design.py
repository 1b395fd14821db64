"""Sweep definitions: a base scenario, a grid and/or a seeded random design over dotted paths.

A sweep file (YAML or JSON)::

    name: raid size against magazine depth
    scenario: ../examples/single_battery.yaml   # relative to this file
    replications: 200                            # per point
    seed: 1                                      # per point (common random numbers)
    seeds: common                                # or distinct: a seed derived from (seed, point)
    set: {doctrine.reaction_time: 10 s}          # fixed at every point
    grid:                                        # every combination, first axis slowest
      raids.0.count: [10, 20, 40]
      fire_units.0.rounds: [10, 20]
    random:                                      # points drawn once, crossed with the grid
      points: 8
      seed: 7
      vary:
        fire_units.0.pk.drone: {uniform: [0.5, 0.9]}
        fire_units.0.max_range: {uniform: [10 km, 30 km]}
        raids.0.count: {integers: [10, 50]}
        doctrine.mode: {choice: [shoot-look-shoot, shoot-shoot-look]}

The same from the command line: ``--grid raids.0.count=10,20,40`` and
``--random 'fire_units.0.pk.drone=uniform(0.5, 0.9)' --points 8``.

Limits (:mod:`iadsim.limits`): at most 100,000 points per sweep (grid
combinations times random points), 10,000,000 replications per point, seeds from
0 to 2^64-1; values in options are read as YAML and one that is not (``[1, 2``)
is an error, not text.
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

from iadsim import limits
from iadsim.errors import SweepError, shorten

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

DISTRIBUTIONS = ("uniform", "log_uniform", "integers", "choice")
"""Distributions of a random design: ``uniform`` and ``log_uniform`` [lo, hi],
``integers`` lo..hi inclusive, ``choice`` of listed values (equally likely)."""

_SWEEP_KEYS = (
    "sweep_version",
    "name",
    "scenario",
    "replications",
    "seed",
    "seeds",
    "policy",
    "engine",
    "batch_size",
    "set",
    "grid",
    "random",
)
SWEEP_VERSION = 1
DEFAULT_REPLICATIONS = 200


@dataclass(frozen=True)
class Distribution:
    """How one field varies in a random design; numeric ends may carry a unit label (``km``)."""

    kind: str
    args: tuple[Any, ...]
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for the sweep's identity and the catalogue."""
        return {"kind": self.kind, "args": list(self.args), "unit": self.unit}


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


def _short(value: Any) -> str:
    """A value for a message: its repr, shortened."""
    return shorten(repr(value))


# --- reading values -------------------------------------------------------------------------


def _yaml_value(text: str, *, source: str = "<options>", what: str = "") -> Any:
    """A value written in an option or list, read as YAML (as ``--set`` reads it).

    Raises:
        SweepError: naming ``what`` (the option or field), if the text is not a YAML value.
    """
    from iadsim.scenario.load import parse_value

    try:
        value = parse_value(text)
    except ValueError as exc:
        shown = repr(shorten(text))
        raise SweepError(source, [("", f"{what or 'value '}{shown}: {exc}")]) from None
    return text.strip() if value is None else value


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside brackets, braces or quotes."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _path_of(item: str, option: str, source: str) -> tuple[str, str]:
    if "=" not in item:
        raise SweepError(source, [("", f"{option} {_short(item)} is not of the form path=...")])
    path, rest = item.split("=", 1)
    path = path.strip()
    if not path or not all(path.split(".")):
        raise SweepError(source, [("", f"{option} {_short(item)} has an empty path part")])
    return path, rest.strip()


def parse_grid_option(item: str, *, source: str = "--grid") -> tuple[str, list[Any]]:
    """``path=v1,v2,...`` (each value read as YAML; commas inside [] or quotes are kept)."""
    path, rest = _path_of(item, "--grid", source)
    values = [_yaml_value(v, source=source, what=f"--grid {path}=") for v in _split_top(rest) if v]
    if not values:
        raise SweepError(source, [(path, f"--grid {_short(item)} lists no values")])
    return path, values


def parse_random_option(item: str, *, source: str = "--random") -> tuple[str, Distribution]:
    """``path=uniform(lo, hi)``, ``log_uniform(lo, hi)``, ``integers(lo, hi)``, ``choice(...)``."""
    path, rest = _path_of(item, "--random", source)
    kind, _, args = rest.partition("(")
    kind = kind.strip()
    if not args.endswith(")") or kind not in DISTRIBUTIONS:
        raise SweepError(
            source,
            [
                (
                    path,
                    f"--random {_short(item)}: expected one of "
                    + ", ".join(d + "(...)" for d in DISTRIBUTIONS),
                )
            ],
        )
    values = [
        _yaml_value(v, source=source, what=f"--random {path}=") for v in _split_top(args[:-1]) if v
    ]
    return path, _distribution(path, {kind: values}, source)


def _distribution(path: str, spec: Any, source: str) -> Distribution:
    where = f"random.vary.{path}"
    if not isinstance(spec, Mapping) or len(spec) != 1 or next(iter(spec)) not in DISTRIBUTIONS:
        raise SweepError(
            source,
            [
                (
                    where,
                    f"expected one of {{uniform: [lo, hi]}}, {{log_uniform: [lo, hi]}}, "
                    f"{{integers: [lo, hi]}} or {{choice: [a, b, ...]}}, got {_short(spec)}",
                )
            ],
        )
    kind, args = next(iter(spec.items()))
    if not isinstance(args, list) or not args:
        raise SweepError(source, [(where, f"{kind} needs a list of values, got {_short(args)}")])
    if kind == "choice":
        return Distribution(kind, tuple(args))
    if len(args) != 2:
        raise SweepError(source, [(where, f"{kind} needs [lo, hi], got {_short(args)}")])
    ends, units = [], set()
    for end in args:
        number, unit = end, ""
        if isinstance(
            end, str
        ):  # "10 km": a number and a unit label, checked by the scenario loader
            head, _, unit = end.strip().partition(" ")
            try:
                number = _yaml_value(head)
            except SweepError:
                number = head
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
        ):
            raise SweepError(
                source,
                [
                    (
                        where,
                        f"{kind} ends must be finite numbers, optionally with a unit (10 km), "
                        f"got {_short(end)}",
                    )
                ],
            )
        ends.append(number)
        units.add(unit.strip())
    if len(units) != 1:
        raise SweepError(
            source, [(where, f"both ends of {kind} need the same unit, got {_short(args)}")]
        )
    lo, hi = ends
    if kind == "integers" and not all(isinstance(e, int) for e in ends):
        raise SweepError(source, [(where, f"integers needs whole-number ends, got {_short(args)}")])
    if any(abs(e) > 2**62 for e in ends):
        raise SweepError(source, [(where, f"{kind} ends must be within ±2^62, got {_short(args)}")])
    if not lo <= hi or (kind == "log_uniform" and lo <= 0):
        need = "0 < lo <= hi" if kind == "log_uniform" else "lo <= hi"
        raise SweepError(source, [(where, f"{kind} needs {need}, got {_short(args)}")])
    return Distribution(kind, (lo, hi), units.pop())


# --- building a sweep -----------------------------------------------------------------------


def _int(
    data: Mapping[str, Any],
    key: str,
    default: int | None,
    source: str,
    *,
    least: int,
    most: int,
    where: str = "",
) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        shown = _short(value)
        raise SweepError(
            source,
            [
                (
                    where or key,
                    f"expected a whole number of at least {least:,} and at most {most:,}, "
                    f"got {shown}",
                )
            ],
        )
    return value


def _check_int(value: int | None, key: str, source: str, *, least: int, most: int) -> None:
    """A setting given as an argument (a command-line option): the same range as in a file."""
    _int({key: value}, key, None, source, least=least, most=most)


def _read_mapping(path: Path) -> dict[str, Any]:
    from iadsim.scenario import read_raw

    data, _ = read_raw(path, error=SweepError)
    return data


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
    the other arguments replace the file's settings.

    Raises:
        SweepError: naming the file and field (or option) that is wrong.
        ScenarioError: if the base scenario file cannot be read.
    """
    file = Path(file)
    source = str(file)
    data = _read_mapping(file)
    if "scenario" in data:
        unknown = [k for k in data if k not in _SWEEP_KEYS]
        if unknown:
            raise SweepError(
                source,
                [
                    (k, f"unknown field (a sweep file has {', '.join(_SWEEP_KEYS)})")
                    for k in unknown
                ],
            )
        version = data.get("sweep_version", SWEEP_VERSION)
        if version != SWEEP_VERSION:
            raise SweepError(
                source, [("sweep_version", f"expected {SWEEP_VERSION}, got {_short(version)}")]
            )
        if not isinstance(data["scenario"], str) or not data["scenario"]:
            raise SweepError(
                source,
                [
                    (
                        "scenario",
                        f"expected the path of a scenario file, got {_short(data['scenario'])}",
                    )
                ],
            )
        from iadsim.scenario.load import named_file

        named_file(file, data["scenario"], error=SweepError, field="scenario", what="scenario file")
        scenario_path = file.parent / data["scenario"]
        from iadsim.scenario import read_raw

        scenario, _ = read_raw(scenario_path)
        settings = data
    else:
        scenario_path, scenario, settings = file, data, {}

    name = settings.get("name", file.stem)
    if not isinstance(name, str):
        raise SweepError(source, [("name", f"expected text, got {_short(name)}")])
    most_reps = limits.MAX_REPLICATIONS
    _check_int(replications, "replications", source, least=1, most=most_reps)
    reps = (
        replications
        if replications is not None
        else _int(settings, "replications", DEFAULT_REPLICATIONS, source, least=1, most=most_reps)
    )
    _check_int(seed, "seed", source, least=0, most=limits.MAX_SEED)
    base_seed = (
        seed
        if seed is not None
        else _int(settings, "seed", 0, source, least=0, most=limits.MAX_SEED)
    )
    if base_seed is None:
        base_seed = 0
    seeds = seeds or settings.get("seeds", "common")
    if seeds not in ("common", "distinct"):
        raise SweepError(source, [("seeds", f"expected common or distinct, got {_short(seeds)}")])
    _check_int(batch_size, "batch_size", source, least=1, most=most_reps)
    batch = (
        batch_size
        if batch_size is not None
        else _int(settings, "batch_size", None, source, least=1, most=most_reps)
    )

    fixed_raw = settings.get("set", {})
    if isinstance(fixed_raw, list):
        fixed_raw = dict(_path_of(str(item), "set", source) for item in fixed_raw)
        fixed_raw = {
            k: _yaml_value(v, source=source, what=f"set {k}=") for k, v in fixed_raw.items()
        }
    if not isinstance(fixed_raw, Mapping):
        raise SweepError(
            source,
            [("set", f"expected a mapping of dotted path to value, got {_short(fixed_raw)}")],
        )
    fixed = dict(fixed_raw)
    for item in overrides:
        path, text = _path_of(item, "--set", source)
        fixed[path] = _yaml_value(text, source=source, what=f"--set {path}=")

    grid_raw = settings.get("grid", {})
    if not isinstance(grid_raw, Mapping):
        raise SweepError(
            source,
            [
                (
                    "grid",
                    "expected a mapping of dotted path to a list of values, "
                    f"got {_short(grid_raw)}",
                )
            ],
        )
    grid_axes: dict[str, list[Any]] = {}
    for path, values in grid_raw.items():
        if not isinstance(values, list) or not values:
            raise SweepError(
                source,
                [(f"grid.{path}", f"expected a non-empty list of values, got {_short(values)}")],
            )
        grid_axes[str(path)] = values
    for item in grid:
        path, values = parse_grid_option(item, source=source)
        grid_axes[path] = values

    random_raw = settings.get("random")
    vary: dict[str, Distribution] = {}
    n_points, r_seed = points, design_seed
    if random_raw is not None:
        if not isinstance(random_raw, Mapping) or not isinstance(random_raw.get("vary"), Mapping):
            raise SweepError(
                source,
                [("random", "expected {points: N, seed: S, vary: {path: {uniform: [lo, hi]}}}")],
            )
        extra = [k for k in random_raw if k not in ("points", "seed", "vary")]
        if extra:
            raise SweepError(
                source,
                [(f"random.{k}", "unknown field (expected points, seed, vary)") for k in extra],
            )
        vary = {
            str(p): _distribution(str(p), spec, source) for p, spec in random_raw["vary"].items()
        }
        if n_points is None:
            n_points = _int(
                random_raw,
                "points",
                None,
                source,
                least=1,
                most=limits.MAX_SWEEP_POINTS,
                where="random.points",
            )
        if r_seed is None:
            r_seed = _int(
                random_raw, "seed", 0, source, least=0, most=limits.MAX_SEED, where="random.seed"
            )
    for item in random:
        path, dist = parse_random_option(item, source=source)
        vary[path] = dist
    _check_int(points, "random.points", source, least=1, most=limits.MAX_SWEEP_POINTS)
    _check_int(design_seed, "random.seed", source, least=0, most=limits.MAX_SEED)
    design = None
    if vary:
        if n_points is None:
            raise SweepError(
                source, [("random.points", "a random design needs a number of points (--points N)")]
            )
        design = RandomDesign(n_points, r_seed or 0, vary)
    elif points is not None:
        raise SweepError(
            source,
            [("random.points", "--points needs fields to vary (--random path=uniform(lo, hi))")],
        )
    from iadsim.c2 import registry
    from iadsim.engine import ENGINES

    chosen_policy = policy or settings.get("policy")
    if chosen_policy is not None and chosen_policy not in registry.POLICIES:
        known = ", ".join(registry.POLICY_NAMES)
        raise SweepError(
            source, [("policy", f"expected one of {known}, got {_short(chosen_policy)}")]
        )
    chosen_engine = engine or settings.get("engine")
    if chosen_engine is not None and chosen_engine not in ENGINES:
        raise SweepError(
            source,
            [("engine", f"expected one of {', '.join(ENGINES)}, got {_short(chosen_engine)}")],
        )
    clash = sorted(set(grid_axes) & set(vary))
    if clash:
        raise SweepError(
            source, [(p, "is both a grid axis and a random field; pick one") for p in clash]
        )
    sizes = [len(values) for values in grid_axes.values()]
    total = math.prod(sizes) * (n_points if vary and n_points else 1)
    if total > limits.MAX_SWEEP_POINTS:
        shown = " x ".join(str(n) for n in sizes[:12]) + (" x ..." if len(sizes) > 12 else "")
        how = f"grid {shown}" if sizes else "no grid"
        draws = f" x {n_points:,} random points" if vary and n_points else ""
        raise SweepError(
            source,
            [
                (
                    "grid" if sizes else "random.points",
                    f"the sweep has {total:,} points ({how}{draws}); the limit is "
                    f"{limits.MAX_SWEEP_POINTS:,} points per sweep",
                )
            ],
        )

    return Sweep(
        source=source,
        name=name,
        scenario_path=str(scenario_path),
        scenario=scenario,
        replications=reps or DEFAULT_REPLICATIONS,
        seed=base_seed,
        seeds=seeds,
        policy=chosen_policy,
        engine=chosen_engine,
        batch_size=batch,
        fixed=fixed,
        grid=grid_axes,
        random=design,
    )
