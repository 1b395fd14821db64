"""Reading scenario files (YAML or JSON), applying ``--set`` overrides, clear errors."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from iadsim import limits
from iadsim.errors import FieldError, ScenarioError, shorten
from iadsim.inputs import read_limited
from iadsim.scenario.models import Scenario
from iadsim.scenario.versions import CURRENT, Migration, migrate
from iadsim.scenario.versions import MIGRATIONS as _ALL_MIGRATIONS

__all__ = [
    "MIGRATIONS",
    "apply_overrides",
    "load_scenario",
    "named_file",
    "parse_inner",
    "parse_scenario",
    "parse_value",
    "read_document",
    "read_raw",
]

MIGRATIONS: dict[int, Migration] = _ALL_MIGRATIONS["scenario"]
"""``MIGRATIONS[v]`` turns a scenario file of version ``v`` into one of version ``v + 1``
(the scenario's entry of :data:`iadsim.scenario.versions.MIGRATIONS`)."""


class _Refused(Exception):
    """A YAML/JSON document that breaks a reading limit; ``line`` is 1-based when known."""

    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = None if mark is None else getattr(mark, "line", -1) + 1
        self.column = None if mark is None else getattr(mark, "column", -1) + 1


def _where(mark: Any) -> str:
    if mark is None:
        return ""
    return f" at line {mark.line + 1}, column {mark.column + 1}"


@functools.cache
def _yaml_classes() -> tuple[Any, Any]:
    """A composer that counts values (aliases expanded) and a constructor without surprises."""
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.events import AliasEvent

    class LimitedComposer(Composer):
        """Refuses documents too deep, too large once aliases are expanded, or recursive."""

        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader)
            self.count = 0
            self.aliases = 0
            self.sizes: dict[int, tuple[int, int]] = {}  # node -> (values, levels), expanded
            self.heights: list[int] = []  # levels below each node being composed

        def _add(self, n: int, mark: Any) -> None:
            self.count += n
            if self.count > limits.MAX_NODES:
                raise _Refused(
                    f"more than {limits.MAX_NODES:,} values (counting each use of a YAML "
                    f"alias as a copy){_where(mark)}; the limit is {limits.MAX_NODES:,}",
                    mark,
                )

        def _done(self, height: int) -> None:
            if self.heights:
                self.heights[-1] = max(self.heights[-1], height)

        def _too_deep(self, mark: Any, alias: str = "") -> _Refused:
            how = f" once the alias *{alias} is expanded" if alias else ""
            return _Refused(
                f"nested more than {limits.MAX_DEPTH} levels deep{how}{_where(mark)}; "
                f"the limit is {limits.MAX_DEPTH}",
                mark,
            )

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.parser.check_event(AliasEvent):
                event = self.parser.peek_event()
                mark = event.start_mark
                node = super().compose_node(parent, index)
                known = self.sizes.get(id(node))
                if known is None:
                    raise _Refused(
                        f"the alias *{event.anchor}{_where(mark)} refers to a value that "
                        "contains it (a recursive alias)",
                        mark,
                    )
                self.aliases += 1
                if self.aliases > limits.MAX_ALIASES:
                    raise _Refused(
                        f"more than {limits.MAX_ALIASES:,} YAML aliases{_where(mark)}; "
                        f"the limit is {limits.MAX_ALIASES:,}",
                        mark,
                    )
                size, height = known
                if self.depth + height > limits.MAX_DEPTH:
                    raise self._too_deep(mark, event.anchor)
                self._add(size, mark)
                self._done(height)
                return node
            if self.depth >= limits.MAX_DEPTH:
                raise self._too_deep(self.parser.peek_event().start_mark)
            before = self.count
            self.heights.append(0)
            node = super().compose_node(parent, index)
            height = 1 + self.heights.pop()
            self._add(1, node.start_mark)
            self.sizes[id(node)] = (self.count - before, height)
            self._done(height)
            return node

    class PlainConstructor(RoundTripConstructor):
        """Dates stay the text they were written as; duplicate keys and odd tags are refused."""

        def check_mapping_key(
            self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any
        ) -> bool:
            if key in mapping:
                mark = key_node.start_mark
                raise _Refused(
                    f"the key {_show(key)} appears twice in one mapping{_where(mark)}; "
                    "each key may appear once",
                    mark,
                )
            return True

    PlainConstructor.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)
    for tag in ("binary", "set", "omap", "pairs"):
        PlainConstructor.add_constructor(f"tag:yaml.org,2002:{tag}", _refused)
    PlainConstructor.add_constructor(None, _refused)
    return LimitedComposer, PlainConstructor


def _date_as_text(constructor: Any, node: Any) -> str:
    return str(node.value)


def _refused(constructor: Any, node: Any) -> Any:
    mark = node.start_mark
    tag = str(getattr(node, "tag", "") or "")
    if tag.startswith("tag:yaml.org,2002:"):
        tag = "!!" + tag[len("tag:yaml.org,2002:") :]
    raise _Refused(
        f"the YAML tag {tag}{_where(mark)} is not supported here; write plain text, numbers, "
        "lists and mappings",
        mark,
    )


def _show(value: Any) -> str:
    """A value read from a file, as the file wrote it, shortened for a message."""
    text = value if isinstance(value, str) else str(value)
    text = shorten(" ".join(text.split()))
    return repr(text) if isinstance(value, str) else text


def _yaml() -> Any:
    from ruamel.yaml import YAML  # YAML 1.2: '18:00' stays a string, 'no' is not False

    composer, constructor = _yaml_classes()
    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = composer
    yaml.Constructor = constructor
    return yaml


def _load_yaml(text: str) -> Any:
    """Parse YAML text within the limits.

    Raises:
        _Refused: the reason, with where it is.
    """
    try:
        return _yaml().load(io.StringIO(text))
    except _Refused:
        raise
    except RecursionError:
        raise _Refused(
            f"nested too deeply to read; the limit is {limits.MAX_DEPTH} levels"
        ) from None
    except Exception as exc:  # ruamel raises a family of YAMLError and others
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [""])[0]
        problem = _plain_reason(" ".join(str(problem).split()))
        raise _Refused(f"not valid YAML{_where(mark)}: {problem}", mark) from None


def _plain_reason(text: str) -> str:
    """A parser's reason, in the words of a file (not of Python), shortened."""
    if "integer string conversion" in text:
        return "a number has more than 4300 digits"
    return shorten(text, 200)


def _reject_json_constant(name: str) -> Any:
    raise _Refused(f"not valid JSON: {name} is not a number JSON allows")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(
                f"the key {_show(key)} appears twice in one object; each key may appear once"
            )
        out[key] = value
    return out


def _load_json(text: str) -> Any:
    """Parse JSON text within the limits (duplicate keys, NaN and Infinity are refused).

    Raises:
        _Refused: the reason, with where it is.
    """
    try:
        data = json.loads(
            text, object_pairs_hook=_json_object, parse_constant=_reject_json_constant
        )
    except _Refused:
        raise
    except json.JSONDecodeError as exc:
        raise _Refused(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise _Refused(
            f"nested too deeply to read; the limit is {limits.MAX_DEPTH} levels"
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise _Refused(f"not valid JSON: {_plain_reason(' '.join(str(exc).split()))}") from None
    _check_tree(data)
    return data


def _check_tree(data: Any) -> None:
    """Depth and number of values of plain data, counted without recursion."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.MAX_NODES:
            raise _Refused(
                f"more than {limits.MAX_NODES:,} values; the limit is {limits.MAX_NODES:,}"
            )
        if isinstance(node, dict | list):
            if depth > limits.MAX_DEPTH:
                raise _Refused(
                    f"nested more than {limits.MAX_DEPTH} levels deep; the limit is "
                    f"{limits.MAX_DEPTH}"
                )
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)


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
    if node is None or isinstance(node, bool | float):
        return node
    where = f" at `{_dotted(path)}`" if path else ""
    raise _Refused(
        f"a value{where} is not plain text, a number, a list or a mapping "
        f"({type(node).__name__}); those are all a file may hold"
    )


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path)


def _read_text(path: Path, error: type[ScenarioError]) -> str:
    """The file's text, read no further than the size limit."""
    try:
        data = read_limited(path, limits.MAX_FILE_BYTES)
    except FileNotFoundError:
        raise error(path, [("", "no such file")]) from None
    except IsADirectoryError:
        raise error(path, [("", f"expected a {error.what} file, got a folder")]) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(path, [("", f"the file cannot be read ({reason})")]) from None
    if len(data) > limits.MAX_FILE_BYTES:
        raise error(
            path,
            [
                (
                    "",
                    f"the file is larger than {limits.format_bytes(limits.MAX_FILE_BYTES)} "
                    f"({limits.MAX_FILE_BYTES:,} bytes), the limit for a {error.what} file",
                )
            ],
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            path, [("", f"the file is not UTF-8 text (byte {exc.start + 1} is not UTF-8)")]
        ) from None


def read_document(
    path: str | Path, *, error: type[ScenarioError] = ScenarioError
) -> tuple[Any, dict[str, int]]:
    """Read a YAML or JSON file (``.json``: JSON) within the reading limits.

    Returns the plain data (dicts, lists, text, numbers) and the line of each field.

    Raises:
        ScenarioError: (of type ``error``) if the file is missing, unreadable, too big,
            too deep, too large once aliases are expanded, or not valid YAML/JSON.
    """
    path = Path(path)
    text = _read_text(path, error)
    lines: dict[str, int] = {}
    try:
        if path.suffix.lower() == ".json":
            data = _load_json(text)
        else:
            data = _plain(_load_yaml(text), (), lines)
    except _Refused as exc:
        raise error(path, [("", exc.message)]) from None
    return data, lines


def read_raw(
    path: str | Path,
    *,
    error: type[ScenarioError] = ScenarioError,
    kind: str | None = None,
) -> tuple[dict[str, Any], dict[str, int]]:
    """Read an input file into plain dicts and lists, with the line of each field.

    ``error`` is the error class to raise, which names the file type: a campaign file
    is read with ``error=CampaignError``. Files are read within the limits of
    :mod:`iadsim.limits` (size, nesting depth, values after alias expansion).

    The data is brought to the current version of its kind
    (:func:`iadsim.scenario.versions.migrate`): ``kind`` names it, by default the
    kind ``error`` names (``"campaign"`` for ``CampaignError``); ``kind=""`` reads
    the file as it is (a file that may be of either of two kinds).

    Raises:
        ScenarioError: if the file is missing, unreadable, too big, not YAML/JSON, not
            a mapping, or of a ``schema_version`` this iadsim cannot read.
    """
    path = Path(path)
    data, lines = read_document(path, error=error)
    what = error.what
    if data is None:
        raise error(path, [("", f"the file is empty; expected {what} fields")])
    if not isinstance(data, dict):
        example = " (schema_version: 1, name: ..., raids: ...)" if what == "scenario" else ""
        raise error(
            path,
            [
                (
                    "",
                    f"expected a mapping of {what} fields{example} at the top level, "
                    f"got {_kind_of(data)}",
                )
            ],
        )
    kind = what if kind is None else kind
    if kind in CURRENT:
        data = migrate(data, kind=kind, source=path, lines=lines, error=error)
    return data, lines


def named_file(
    source: Path,
    name: str,
    *,
    error: type[ScenarioError],
    field: str,
    what: str,
    lines: dict[str, int] | None = None,
) -> Path:
    """The file ``name`` (relative to ``source``'s folder) that ``source`` refers to.

    Raises:
        ScenarioError: of type ``error``, at ``field`` of ``source``, if there is no such
            file or the name cannot be a file name (too long, a NUL byte, a folder).
    """
    shown = shorten(name, 80)
    try:
        path = (source.parent / name).resolve()
        if path.is_file():
            return path
        message = f"{path} is a folder, not a {what}" if path.is_dir() else f"no {what} at {path}"
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        message = f"{shown!r} cannot be the name of a {what} ({reason})"
    raise error(source, [(field, message)], lines=lines)


def parse_value(text: str) -> Any:
    """Read one ``--set``-style value as YAML (``1000``, ``150 km``, ``[1 km, 2 km]``).

    Raises:
        ValueError: saying why the text is not a value (invalid YAML, too long, too deep).
    """
    if len(text.encode("utf-8", "surrogatepass")) > limits.MAX_OVERRIDE_BYTES:
        raise ValueError(f"the value is longer than {limits.MAX_OVERRIDE_BYTES:,} bytes, the limit")
    try:
        return _plain(_load_yaml(text), (), {})
    except _Refused as exc:
        message = exc.message
        if message.startswith("not valid YAML"):
            detail = message[len("not valid YAML") :].lstrip(": ").removeprefix("at ")
            message = (
                f"the value is not valid YAML ({detail}); quote text that holds [ ] {{ }} : # "
                "or starts with a quote"
            )
        else:
            message = f"the value is refused: {message}"
        raise ValueError(message) from None


def _kind_of(value: Any) -> str:
    """Name the type of a value read from a file, in the words of the file."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return _show(value)
    if isinstance(value, dt.date):  # a date from Python: the way a file writes it
        return value.isoformat()
    return shorten(repr(value))


def apply_overrides(
    raw: dict[str, Any], overrides: Iterable[str], *, source: str | Path = "<overrides>"
) -> dict[str, Any]:
    """Return a copy of ``raw`` with each ``path=value`` override applied.

    ``path`` is dotted, with list indices as numbers from 0 (``raids.0.count``; a
    negative index is refused); a missing mapping on the path is made. The value is
    read as YAML (``1000``, ``"150 km"``, ``[1 km, 2 km]``); text that is not valid
    YAML (``[unclosed``) is refused, not taken as a string.

    Raises:
        ScenarioError: naming the override that does not fit the file.
    """
    data = copy.deepcopy(raw)
    for item in overrides:
        if "=" not in item:
            raise ScenarioError(
                source, [("", f"override {_show(item)} is not of the form path=value")]
            )
        dotted, text = item.split("=", 1)
        dotted = dotted.strip()
        parts = dotted.split(".")
        if not all(parts):
            raise ScenarioError(
                source, [(dotted, f"override {_show(item)} has an empty path part")]
            )
        if len(parts) > limits.MAX_DEPTH:
            raise ScenarioError(
                source,
                [
                    (
                        "",
                        f"override {_show(item)}: its path has {len(parts)} parts; the limit "
                        f"is {limits.MAX_DEPTH}",
                    )
                ],
            )
        try:
            value = parse_value(text)
        except ValueError as exc:
            raise ScenarioError(source, [(dotted, f"override {_show(item)}: {exc}")]) from None
        node: Any = data
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            here = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                if _INDEX.fullmatch(part) is None or int(part) >= len(node):
                    parent = ".".join(parts[:depth]) or "the file"
                    expected = (
                        f"an index from 0 to {len(node) - 1}" if node else "no index (it is empty)"
                    )
                    raise ScenarioError(
                        source,
                        [
                            (
                                here,
                                f"override {_show(item)}: {parent} is a list of {len(node)}, "
                                f"so {_show(part)} is not an index; expected {expected}",
                            )
                        ],
                    )
                key: Any = int(part)
            elif isinstance(node, dict):
                key = part
            else:
                parent = ".".join(parts[:depth])
                problem = (
                    f"override {_show(item)}: {parent} is a plain value, not a mapping or list"
                )
                raise ScenarioError(source, [(here, problem)])
            if last:
                node[key] = value
            else:
                if isinstance(node, dict) and key not in node:
                    node[key] = {}
                node = node[key]
    return data


_INDEX = re.compile(r"[0-9]{1,9}")
"""A list index in a dotted path: 0, 1, ... (no sign: ``-1`` is refused, not the last)."""


def _problems(exc: ValidationError, what: str = "scenario") -> list[tuple[str, str]]:
    """Each pydantic error as (field path, message in the words of a ``what`` file)."""
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
            message = f"unknown field (not part of the {what} format)"
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
    raw = migrate(raw, kind="scenario", source=source, lines=lines)
    _anchor_terrain(raw, source)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(source, _problems(exc), lines=lines) from None


def _anchor_terrain(raw: dict[str, Any], source: str | Path) -> None:
    """A terrain file named relative to the scenario file is read from beside it.

    The path is made absolute here, so the scenario compiles the same from any
    working directory; its content hash uses the file's bytes, not its path.
    """
    terrain = raw.get("terrain") if isinstance(raw, dict) else None
    if not isinstance(terrain, dict) or not isinstance(terrain.get("file"), str):
        return
    folder = Path(str(source)).parent
    name = Path(terrain["file"])
    if not name.is_absolute() and Path(str(source)).is_file():
        # string arithmetic only: a name the file system refuses (a NUL byte) is for
        # reading the terrain to report, against its field
        raw["terrain"] = {**terrain, "file": os.path.abspath(os.path.join(folder, name))}


def load_inner_scenario(
    source: Path,
    value: Any,
    *,
    error: type[ScenarioError],
    field: str,
    lines: dict[str, int] | None = None,
) -> tuple[dict[str, Any], Scenario, Path]:
    """The scenario a planning file holds at ``field``: inline (a mapping) or a file beside it.

    Returns its raw fields, the validated scenario and the file it is in (``source``
    itself for an inline one). Problems of an inline scenario are reported against
    ``source`` at ``field``; those of a named file, against that file.
    """
    if isinstance(value, dict):
        raw = dict(value)
        scenario = parse_inner(raw, source=source, error=error, where=field, lines=lines)
        return raw, scenario, source
    path = named_file(source, value, error=error, field=field, what="scenario file", lines=lines)
    raw, _ = read_raw(path)
    return raw, parse_scenario(copy.deepcopy(raw), source=path), path


def parse_inner(
    raw: Any,
    *,
    source: str | Path,
    error: type[ScenarioError],
    where: Callable[[str], str | None] | str,
    lines: dict[str, int] | None = None,
) -> Scenario:
    """Validate a scenario held inside another file, reporting problems against that file.

    ``where`` turns a scenario field path into the path in the outer file: a prefix
    (``"defence"``: ``raids.0.count`` becomes ``defence.raids.0.count``) or a function
    (which may return ``None`` to leave a problem out, as one said already).
    Used for a campaign's inline ``defence``, and to check a laydown's units to place or
    a procurement's fire units as part of their scenario.

    Raises:
        ScenarioError: of type ``error``, naming ``source`` and the outer field paths.
    """
    if not isinstance(raw, dict):
        path = (where("") or "") if callable(where) else where
        raise error(source, [(path, f"expected a scenario mapping, got {_kind_of(raw)}")])
    try:
        return parse_scenario(copy.deepcopy(raw), source=source)
    except ScenarioError as exc:
        if callable(where):
            mapped = [(where(p), m) for p, m in exc.problems]
            problems = [(p, m) for p, m in mapped if p is not None] or [("", exc.paragraph())]
        else:
            problems = [(f"{where}.{p}" if p else where, m) for p, m in exc.problems]
        unique = list(dict.fromkeys(problems))
        raise error(source, unique, lines=lines) from None


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
