"""The sweep file: a base scenario, a grid and/or a seeded random design over dotted paths.

A sweep file (YAML or JSON)::

    schema_version: 1                            # optional; the current version
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
``--random 'fire_units.0.pk.drone=uniform(0.5, 0.9)' --points 8``
(:func:`parse_grid_option`, :func:`parse_random_option`).

:class:`SweepFile` is the file's model (its JSON Schema is
``iadsim schema --kind sweep``); :func:`iadsim.runner.build_sweep` reads a file
with it, puts the command-line options on top and makes the runnable sweep.

Limits (:mod:`iadsim.limits`): at most 100,000 points per sweep (grid
combinations times random points), 10,000,000 replications per point, seeds from
0 to 2^64-1; values in options are read as YAML and one that is not (``[1, 2``)
is an error, not text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from iadsim import limits
from iadsim.errors import FieldError, SweepError, shorten

__all__ = [
    "DEFAULT_REPLICATIONS",
    "DISTRIBUTIONS",
    "Distribution",
    "RandomSpec",
    "SweepFile",
    "distribution",
    "parse_grid_option",
    "parse_random_option",
    "parse_set_option",
    "parse_sweep",
    "split_top",
    "sweep_problems",
]

DISTRIBUTIONS = ("uniform", "log_uniform", "integers", "choice")
"""Distributions of a random design: ``uniform`` and ``log_uniform`` [lo, hi],
``integers`` lo..hi inclusive, ``choice`` of listed values (equally likely)."""

DEFAULT_REPLICATIONS = 200
"""Replications per point when neither the file nor an option gives them."""


def _short(value: Any) -> str:
    """A value for a message: its repr, shortened."""
    return shorten(repr(value))


# --- one random field ----------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """How one field varies in a random design; numeric ends may carry a unit label (``km``)."""

    kind: str
    args: tuple[Any, ...]
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for the sweep's identity and the catalogue."""
        return {"kind": self.kind, "args": list(self.args), "unit": self.unit}


_EXPECTED = (
    "expected one of {uniform: [lo, hi]}, {log_uniform: [lo, hi]}, "
    "{integers: [lo, hi]} or {choice: [a, b, ...]}"
)


def distribution(spec: Any) -> Distribution:
    """A random field's distribution from its file form (``{uniform: [10 km, 30 km]}``).

    Numeric ends may carry one unit label, the same at both ends; the scenario
    loader checks the unit when a drawn value is set.

    Raises:
        ValueError: saying what is wrong and what was expected.
    """
    if isinstance(spec, Distribution):
        return spec
    if not isinstance(spec, Mapping) or len(spec) != 1 or next(iter(spec)) not in DISTRIBUTIONS:
        raise ValueError(f"{_EXPECTED}, got {_short(spec)}")
    kind, args = next(iter(spec.items()))
    if not isinstance(args, list) or not args:
        raise ValueError(f"{kind} needs a list of values, got {_short(args)}")
    if kind == "choice":
        return Distribution(kind, tuple(args))
    if len(args) != 2:
        raise ValueError(f"{kind} needs [lo, hi], got {_short(args)}")
    ends, units = [], set()
    for end in args:
        number, unit = end, ""
        if isinstance(end, str):  # "10 km": a number and a unit label
            head, _, unit = end.strip().partition(" ")
            try:
                number = _yaml_value(head)
            except ValueError:
                number = head
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
        ):
            raise ValueError(
                f"{kind} ends must be finite numbers, optionally with a unit (10 km), "
                f"got {_short(end)}"
            )
        ends.append(number)
        units.add(unit.strip())
    if len(units) != 1:
        raise ValueError(f"both ends of {kind} need the same unit, got {_short(args)}")
    lo, hi = ends
    if kind == "integers" and not all(isinstance(e, int) for e in ends):
        raise ValueError(f"integers needs whole-number ends, got {_short(args)}")
    if any(abs(e) > 2**62 for e in ends):
        raise ValueError(f"{kind} ends must be within ±2^62, got {_short(args)}")
    if not lo <= hi or (kind == "log_uniform" and lo <= 0):
        need = "0 < lo <= hi" if kind == "log_uniform" else "lo <= hi"
        raise ValueError(f"{kind} needs {need}, got {_short(args)}")
    return Distribution(kind, (lo, hi), units.pop())


_END = {
    "description": "a number, or a number and a unit ('10 km'); both ends in the same unit",
    "anyOf": [{"type": "number"}, {"type": "string"}],
}
_DISTRIBUTION_SCHEMA = {
    "description": "how the field varies: one of uniform, log_uniform, integers, choice",
    "oneOf": [
        {
            "type": "object",
            "properties": {
                name: {
                    "type": "array",
                    "items": _END,
                    "minItems": 2,
                    "maxItems": 2,
                    "description": text,
                }
            },
            "required": [name],
            "additionalProperties": False,
        }
        for name, text in (
            ("uniform", "[lo, hi]: equally likely anywhere between lo and hi"),
            ("log_uniform", "[lo, hi] with 0 < lo: uniform in the logarithm"),
            ("integers", "[lo, hi]: whole numbers from lo to hi inclusive"),
        )
    ]
    + [
        {
            "type": "object",
            "properties": {
                "choice": {
                    "type": "array",
                    "minItems": 1,
                    "description": "values, equally likely",
                }
            },
            "required": ["choice"],
            "additionalProperties": False,
        }
    ],
}

if TYPE_CHECKING:
    DistributionField = Distribution
else:
    DistributionField = Annotated[
        Distribution, PlainValidator(distribution), WithJsonSchema(_DISTRIBUTION_SCHEMA)
    ]


# --- whole numbers, lists of values --------------------------------------------------------


def _whole(least: int, most: int) -> Any:
    """An integer type in [least, most] whose message says the range in words."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
            raise ValueError(
                f"expected a whole number of at least {least:,} and at most {most:,}, "
                f"got {_short(value)}"
            )
        return value

    return Annotated[int, BeforeValidator(check), Field(ge=least, le=most, strict=True)]


if TYPE_CHECKING:
    Replications = int
    Seed = int
    Points = int
else:
    Replications = _whole(1, limits.MAX_REPLICATIONS)
    Seed = _whole(0, limits.MAX_SEED)
    Points = _whole(1, limits.MAX_SWEEP_POINTS)


def _values(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise ValueError(f"expected a non-empty list of values, got {_short(value)}")
    return value


Axis = Annotated[list[Any], BeforeValidator(_values)]


def _settings(value: Any) -> Any:
    """``set``: a mapping of dotted path to value, or a list of ``path=value`` texts."""
    if isinstance(value, list):
        pairs = [_path_of(str(item), "set") for item in value]
        return {path: _yaml_value(text, what=f"set {path}=") for path, text in pairs}
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a mapping of dotted path to value, got {_short(value)}")
    return value


def _scenario_name(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected the path of a scenario file, got {_short(value)}")
    return value


def _mapping(what: str) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected {what}, got {_short(value)}")
        return value

    return BeforeValidator(check)


# --- the file ------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RandomSpec(_Model):
    """A seeded random design: ``points`` draws of every ``vary`` field, crossed with the grid."""

    points: Points | None = Field(
        None,
        description="how many points to draw (at most 100,000 in the whole sweep); "
        "required when `vary` is given",
    )
    seed: Seed = Field(
        0, description="seed of the design's draws (0 to 2^64-1): the same seed, the same points"
    )
    vary: Annotated[
        dict[str, DistributionField],
        _mapping("a mapping of dotted path to a distribution, e.g. {a.b: {uniform: [0, 1]}}"),
    ] = Field(
        description="dotted scenario path (raids.0.count) -> its distribution: "
        "{uniform: [lo, hi]}, {log_uniform: [lo, hi]}, {integers: [lo, hi]} or "
        "{choice: [a, b, ...]}; numeric ends may carry a unit (10 km)"
    )


class SweepFile(_Model):
    """A sweep: variants of a base scenario, each run with the same number of replications."""

    schema_version: Literal[1] = Field(
        1, description="version of the sweep file format (default: the current one, 1)"
    )
    name: str | None = Field(
        None, description="what the sweep is called in tables and reports; default: file name"
    )
    scenario: Annotated[str, BeforeValidator(_scenario_name)] = Field(
        description="the base scenario file, relative to this file"
    )
    replications: Replications = Field(
        DEFAULT_REPLICATIONS,
        description="replications of each point (1 to 10,000,000); `-n` on the command line",
    )
    seed: Seed = Field(0, description="seed of each point's replications (0 to 2^64-1); `--seed`")
    seeds: Literal["common", "distinct"] = Field(
        "common",
        description="common: every point uses `seed` (common random numbers, sharper "
        "comparisons); distinct: each point's seed is derived from (seed, point)",
    )
    policy: str | None = Field(
        None,
        description="assignment policy by name (greedy, cost_aware, exact, ...); "
        "default: each point's scenario doctrine",
    )
    engine: str | None = Field(
        None, description="engine by name (fast or reference); default: the fast engine"
    )
    batch_size: Replications | None = Field(
        None, description="replications per batch of work (default: chosen from the scenario)"
    )
    fixed: Annotated[dict[str, Any], BeforeValidator(_settings)] = Field(
        default_factory=dict,
        alias="set",
        description="dotted scenario path -> value, set at every point (as `--set`); "
        "or a list of 'path=value' texts",
    )
    grid: Annotated[dict[str, Axis], _mapping("a mapping of dotted path to a list of values")] = (
        Field(
            default_factory=dict,
            description="dotted scenario path -> list of values; every combination is a point, "
            "the first axis varying slowest",
        )
    )
    random: RandomSpec | None = Field(
        None, description="a seeded random design, crossed with the grid"
    )

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str | None) -> str | None:
        from iadsim.c2 import registry

        if value is not None and value not in registry.POLICIES:
            known = ", ".join(registry.POLICY_NAMES)
            raise ValueError(f"expected one of {known}, got {_short(value)}")
        return value

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str | None) -> str | None:
        from iadsim.engine import ENGINES

        if value is not None and value not in ENGINES:
            raise ValueError(f"expected one of {', '.join(ENGINES)}, got {_short(value)}")
        return value

    @model_validator(mode="after")
    def _design(self) -> SweepFile:
        random = self.random
        vary = random.vary if random is not None else {}
        if random is not None and vary and random.points is None:
            raise FieldError(
                ("random", "points"), "a random design needs a number of points (--points N)"
            )
        if random is not None and not vary and random.points is not None:
            raise FieldError(
                ("random", "points"),
                "points needs fields to vary (random.vary, or --random path=uniform(lo, hi))",
            )
        clash = sorted(set(self.grid) & set(vary))
        if clash:
            raise FieldError(("grid", clash[0]), "is both a grid axis and a random field; pick one")
        sizes = [len(values) for values in self.grid.values()]
        draws = random.points if random is not None and vary and random.points else 0
        total = math.prod(sizes) * (draws or 1)
        if total > limits.MAX_SWEEP_POINTS:
            shown = " x ".join(str(n) for n in sizes[:12]) + (" x ..." if len(sizes) > 12 else "")
            how = f"grid {shown}" if sizes else "no grid"
            also = f" x {draws:,} random points" if draws else ""
            raise FieldError(
                ("grid",) if sizes else ("random", "points"),
                f"the sweep has {total:,} points ({how}{also}); the limit is "
                f"{limits.MAX_SWEEP_POINTS:,} points per sweep",
            )
        return self


_FIELDS = {
    "": ", ".join(f.alias or n for n, f in SweepFile.model_fields.items()),
    "random": ", ".join(RandomSpec.model_fields),
}


def parse_sweep(
    raw: Mapping[str, Any], *, source: str | Path, lines: dict[str, int] | None = None
) -> SweepFile:
    """Validate a sweep file's data (with any options already put in) as a :class:`SweepFile`.

    Raises:
        SweepError: naming ``source``, every field that is wrong and its line.
    """
    from pydantic import ValidationError

    from iadsim.scenario.load import _problems

    try:
        return SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise SweepError(source, sweep_problems(_problems(exc, "sweep")), lines=lines) from None


def sweep_problems(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Problems of a sweep file, an unknown field's message naming the fields there are."""
    out = []
    for path, message in problems:
        parent = path.rpartition(".")[0]
        if message.startswith("unknown field") and parent in _FIELDS:
            where = parent if parent else "a sweep file"
            message = f"unknown field ({where} has {_FIELDS[parent]})"
        out.append((path, message))
    return out


# --- reading values and options ------------------------------------------------------------


def _yaml_value(text: str, *, what: str = "") -> Any:
    """A value written in an option or list, read as YAML (as ``--set`` reads it).

    Raises:
        ValueError: naming ``what`` (the option or field), if the text is not a YAML value.
    """
    from iadsim.scenario.load import parse_value

    try:
        value = parse_value(text)
    except ValueError as exc:
        raise ValueError(f"{what or 'value '}{shorten(text)!r}: {exc}") from None
    return text.strip() if value is None else value


def split_top(text: str) -> list[str]:
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


def _path_of(item: str, option: str) -> tuple[str, str]:
    if "=" not in item:
        raise ValueError(f"{option} {_short(item)} is not of the form path=...")
    path, rest = item.split("=", 1)
    path = path.strip()
    if not path or not all(path.split(".")):
        raise ValueError(f"{option} {_short(item)} has an empty path part")
    return path, rest.strip()


def _option(source: str, path: str = "") -> Any:
    """A context turning a ValueError into a SweepError of ``source`` at ``path``."""

    class _Wrap:
        def __enter__(self) -> None:
            return None

        def __exit__(self, kind: Any, exc: Any, tb: Any) -> Literal[False]:
            if isinstance(exc, ValueError):
                raise SweepError(source, [(path, str(exc))]) from None
            return False

    return _Wrap()


def parse_set_option(item: str, *, source: str = "--set") -> tuple[str, Any]:
    """``path=value`` (the value read as YAML), as ``--set`` gives it to a sweep.

    Raises:
        SweepError: of ``source``, saying what is wrong with the option.
    """
    with _option(source):
        path, text = _path_of(item, "--set")
        return path, _yaml_value(text, what=f"--set {path}=")


def parse_grid_option(item: str, *, source: str = "--grid") -> tuple[str, list[Any]]:
    """``path=v1,v2,...`` (each value read as YAML; commas inside [] or quotes are kept).

    Raises:
        SweepError: of ``source``, saying what is wrong with the option.
    """
    with _option(source):
        path, rest = _path_of(item, "--grid")
        values = [_yaml_value(v, what=f"--grid {path}=") for v in split_top(rest) if v]
    if not values:
        raise SweepError(source, [(path, f"--grid {_short(item)} lists no values")])
    return path, values


def parse_random_option(item: str, *, source: str = "--random") -> tuple[str, Distribution]:
    """``path=uniform(lo, hi)``, ``log_uniform(lo, hi)``, ``integers(lo, hi)``, ``choice(...)``.

    Raises:
        SweepError: of ``source``, saying what is wrong with the option.
    """
    with _option(source):
        path, rest = _path_of(item, "--random")
    kind, _, args = rest.partition("(")
    kind = kind.strip()
    if not args.endswith(")") or kind not in DISTRIBUTIONS:
        expected = ", ".join(d + "(...)" for d in DISTRIBUTIONS)
        raise SweepError(source, [(path, f"--random {_short(item)}: expected one of {expected}")])
    with _option(source, f"random.vary.{path}"):
        values = [_yaml_value(v, what=f"--random {path}=") for v in split_top(args[:-1]) if v]
        return path, distribution({kind: values})
