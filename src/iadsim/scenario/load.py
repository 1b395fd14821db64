"""Reading scenario files (YAML or JSON), applying ``--set`` overrides, clear errors."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from iadsim.errors import FieldError, ScenarioError
from iadsim.scenario.models import SCHEMA_VERSION, Scenario

__all__ = ["MIGRATIONS", "apply_overrides", "load_scenario", "parse_scenario", "read_raw"]

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""``MIGRATIONS[v]`` turns a file of version ``v`` into one of version ``v + 1``."""


def _yaml() -> Any:
    from ruamel.yaml import YAML  # YAML 1.2: '18:00' stays a string, 'no' is not False

    return YAML(typ="rt", pure=True)


def _plain(node: Any, path: tuple[Any, ...], lines: dict[str, int]) -> Any:
    """Turn ruamel's commented containers into dicts and lists, noting line numbers."""
    if isinstance(node, Mapping):
        out = {}
        for key, value in node.items():
            here = (*path, key)
            with contextlib.suppress(AttributeError, KeyError, TypeError):
                lines[_dotted(here)] = node.lc.key(key)[0] + 1  # type: ignore[attr-defined]
            out[str(key) if not isinstance(key, str | int) else key] = _plain(value, here, lines)
        return out
    if isinstance(node, list):
        out_list = []
        for index, value in enumerate(node):
            here = (*path, index)
            with contextlib.suppress(AttributeError, KeyError, TypeError, IndexError):
                lines[_dotted(here)] = node.lc.item(index)[0] + 1  # type: ignore[attr-defined]
            out_list.append(_plain(value, here, lines))
        return out_list
    if hasattr(node, "__float__") and type(node).__name__ == "ScalarFloat":
        return float(node)
    if type(node).__name__ in ("ScalarBoolean",):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int) and not isinstance(node, bool):
        return int(node)
    return node


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path)


def read_raw(path: str | Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Read a scenario file into plain dicts and lists, with the line of each field.

    Raises:
        ScenarioError: if the file is missing, unreadable, or not a YAML/JSON mapping.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, [("", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, [("", f"the file cannot be read ({exc})")]) from None
    lines: dict[str, int] = {}
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                path,
                [("", f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")],
            ) from None
    else:
        try:
            data = _plain(_yaml().load(io.StringIO(text)), (), lines)
        except Exception as exc:  # ruamel raises a family of YAMLError and others
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ScenarioError(path, [("", f"not valid YAML{where}: {problem}")]) from None
    if data is None:
        raise ScenarioError(path, [("", "the file is empty; expected scenario fields")])
    if not isinstance(data, dict):
        raise ScenarioError(
            path,
            [
                (
                    "",
                    "expected a mapping of scenario fields (schema_version: 1, name: ..., "
                    f"raids: ...) at the top level, got {_kind_of(data)}",
                )
            ],
        )
    return data, lines


def _kind_of(value: Any) -> str:
    """Name the type of a value read from a file, in the words of the file."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"{value!r}"


def apply_overrides(
    raw: dict[str, Any], overrides: Iterable[str], *, source: str | Path = "<overrides>"
) -> dict[str, Any]:
    """Return a copy of ``raw`` with each ``path=value`` override applied.

    ``path`` is dotted, with list indices as numbers (``raids.0.count``); the
    value is read as YAML (``1000``, ``"150 km"``, ``[1 km, 2 km]``).

    Raises:
        ScenarioError: naming the override that does not fit the file.
    """
    data = copy.deepcopy(raw)
    for item in overrides:
        if "=" not in item:
            raise ScenarioError(source, [("", f"override {item!r} is not of the form path=value")])
        dotted, text = item.split("=", 1)
        parts = [p for p in dotted.strip().split(".")]
        if not all(parts):
            raise ScenarioError(source, [(dotted, f"override {item!r} has an empty path part")])
        try:
            value = _plain(_yaml().load(io.StringIO(text)), (), {})
        except Exception:
            value = text
        node: Any = data
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            here = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                    parent = ".".join(parts[:depth]) or "the file"
                    expected = (
                        f"an index from 0 to {len(node) - 1}" if node else "no index (it is empty)"
                    )
                    raise ScenarioError(
                        source,
                        [
                            (
                                here,
                                f"override {item!r}: {parent} is a list of {len(node)}, "
                                f"so {part!r} is not an index; expected {expected}",
                            )
                        ],
                    )
                key: Any = int(part)
            elif isinstance(node, dict):
                key = part
            else:
                parent = ".".join(parts[:depth])
                problem = f"override {item!r}: {parent} is a plain value, not a mapping or list"
                raise ScenarioError(source, [(here, problem)])
            if last:
                node[key] = value
            else:
                if isinstance(node, dict) and key not in node:
                    node[key] = {}
                node = node[key]
    return data


def _migrate(raw: dict[str, Any], source: str | Path) -> dict[str, Any]:
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ScenarioError(
            source, [("schema_version", f"expected an integer, e.g. {SCHEMA_VERSION}")]
        )
    if version > SCHEMA_VERSION:
        raise ScenarioError(
            source,
            [
                (
                    "schema_version",
                    f"version {version} is newer than this iadsim reads ({SCHEMA_VERSION}); "
                    "upgrade iadsim",
                )
            ],
        )
    while version < SCHEMA_VERSION:
        if version not in MIGRATIONS:
            raise ScenarioError(
                source, [("schema_version", f"no migration from version {version}")]
            )
        raw = MIGRATIONS[version](raw)
        version += 1
        raw["schema_version"] = version
    return raw


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        message = error["msg"]
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            loc.extend(cause.path)
            message = cause.message
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        # pydantic names the union member it tried (e.g. "tuple[float, float]"); drop it
        loc = [part for part in loc if not (isinstance(part, str) and "[" in part)]
        given = error.get("input")
        kind = error["type"]
        ctx = error.get("ctx") or {}
        if message.startswith("Input should be "):
            message = "should be " + message[len("Input should be ") :]
        if kind == "extra_forbidden":
            message = "unknown field (not part of the scenario format)"
        elif kind == "missing":
            message = "required field is missing"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = f"expected a mapping of fields, got {_kind_of(given)}"
        elif kind == "list_type":
            message = f"expected a list, got {_kind_of(given)}"
        elif kind == "string_pattern_mismatch":
            message = (
                "expected an id of letters, digits, '.', '_' and '-' that starts with a letter "
                f"or digit, got {_kind_of(given)}"
            )
        elif kind == "too_short" and ctx.get("min_length") == 1:
            message = "must not be empty; at least one entry is needed"
        elif kind in ("too_short", "too_long"):
            bound = "at least" if kind == "too_short" else "at most"
            limit = ctx.get("min_length" if kind == "too_short" else "max_length")
            message = f"should have {bound} {limit} entries, got {ctx.get('actual_length')}"
        elif (
            kind in ("literal_error", "enum")
            or kind.endswith("_type")
            or kind.startswith(("int_", "float_", "greater", "less", "string_"))
        ):
            message = f"{message}, got {_kind_of(given)}"
        problems.append((_dotted(loc), message))
    # the same path twice (one per union member) says nothing new
    unique = list(dict.fromkeys(problems))
    return unique


def parse_scenario(
    raw: dict[str, Any], *, source: str | Path = "<scenario>", lines: dict[str, int] | None = None
) -> Scenario:
    """Validate plain data as a :class:`Scenario`.

    Raises:
        ScenarioError: listing every field that is wrong, with its path.
    """
    raw = _migrate(raw, source)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(source, _problems(exc), lines=lines) from None


def load_scenario(path: str | Path, *, overrides: Iterable[str] = ()) -> Scenario:
    """Load and validate a scenario file (YAML or JSON), applying ``path=value`` overrides.

    Raises:
        ScenarioError: the file, the field path and what was expected.
    """
    raw, lines = read_raw(path)
    overrides = list(overrides)
    if overrides:
        raw = apply_overrides(raw, overrides, source=path)
        # a field set on the command line is no longer the one on its line in the file
        changed = [item.split("=", 1)[0].strip() for item in overrides]
        lines = {
            key: line
            for key, line in lines.items()
            if not any(key == c or key.startswith(c + ".") for c in changed)
        }
    return parse_scenario(raw, source=path, lines=lines)
