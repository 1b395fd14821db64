"""Reading scenario files (YAML or JSON), applying ``--set`` overrides, clear errors."""

from __future__ import annotations

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
            try:
                lines[_dotted(here)] = node.lc.key(key)[0] + 1  # type: ignore[attr-defined]
            except (AttributeError, KeyError, TypeError):
                pass
            out[str(key) if not isinstance(key, str | int) else key] = _plain(value, here, lines)
        return out
    if isinstance(node, list):
        out_list = []
        for index, value in enumerate(node):
            here = (*path, index)
            try:
                lines[_dotted(here)] = node.lc.item(index)[0] + 1  # type: ignore[attr-defined]
            except (AttributeError, KeyError, TypeError, IndexError):
                pass
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
        raise ScenarioError(path, [("", f"cannot be read ({exc})")]) from None
    lines: dict[str, int] = {}
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                path, [("", f"is not valid JSON: {exc.msg} at line {exc.lineno}")]
            ) from None
    else:
        try:
            data = _plain(_yaml().load(io.StringIO(text)), (), lines)
        except Exception as exc:  # ruamel raises a family of YAMLError and others
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ScenarioError(path, [("", f"is not valid YAML{where}: {problem}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            path,
            [("", f"expected a mapping of scenario fields at the top, got {type(data).__name__}")],
        )
    return data, lines


def apply_overrides(
    raw: dict[str, Any], overrides: Iterable[str], *, source: str | Path = "<overrides>"
) -> dict[str, Any]:
    """Return a copy of ``raw`` with each ``path=value`` override applied.

    ``path`` is dotted, with list indices as numbers (``raids.0.count``); the
    value is read as YAML (``1000``, ``"150 km"``, ``[1 km, 2 km]``).

    Raises:
        ScenarioError: naming the override that does not fit the file.
    """
    data = json.loads(json.dumps(raw))  # deep copy of plain data
    for item in overrides:
        if "=" not in item:
            raise ScenarioError(
                source, [("", f"override {item!r} is not of the form path=value")]
            )
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
                    raise ScenarioError(
                        source,
                        [(here, f"override {item!r}: expected a list index below {len(node)}")],
                    )
                key: Any = int(part)
            elif isinstance(node, dict):
                key = part
            else:
                raise ScenarioError(
                    source, [(here, f"override {item!r}: {here!r} is inside a plain value")]
                )
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
        if error["type"] == "extra_forbidden":
            message = "unknown field (not part of the scenario format)"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] in ("literal_error", "enum") and not isinstance(given, dict | list):
            message = f"{message}, got {given!r}"
        elif error["type"].endswith("_type") or error["type"].startswith(
            ("int_", "float_", "greater", "less", "too_")
        ):
            if not isinstance(given, dict | list):
                message = f"{message}, got {given!r}"
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
    return parse_scenario(raw, source=path, lines=lines)
