"""File references generated from the pydantic models (an MkDocs hook).

A page asks for the reference of a file format with a marker line::

    <!-- iadsim:fields iadsim.scenario.models:Scenario -->

and the hook replaces it with one table per model (the model named, then every model
nested in it, each once): every field with its type, unit, default and description, read
from the model's ``model_fields`` and its JSON Schema, so the reference cannot drift
from the code. A marker naming a model that does not exist fails the build.

The module also puts ``docs/hooks`` on ``sys.path`` so that the tutorials' executed
blocks can ``import docrun``.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

MARKER = re.compile(r"^<!-- iadsim:fields (?P<target>[\w.]+:\w+) -->$", re.MULTILINE)

POSITION = {"description": "[east, north]"}

_SCALARS = {int: "integer", float: "number", str: "text", bool: "true or false"}


def load(target: str) -> type:
    """The model class named ``module:Class``."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _is_model(tp: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _dimension(meta: Any) -> Any:
    """The unit dimension a BeforeValidator of ``iadsim.scenario.units`` reads, if any."""
    func = getattr(meta, "func", None)
    if isinstance(func, functools.partial):
        return func.keywords.get("dim")
    return None


def _describe(tp: Any) -> tuple[str, str]:
    """(type, unit) of an annotation, in words."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *metas = typing.get_args(tp)
        for meta in metas:
            dim = _dimension(meta)
            if dim is not None:
                si = dim.si_unit.replace("**2", "²")
                return dim.name, f"{si} (written with any {dim.name} unit, e.g. `{dim.example}`)"
        for meta in metas:
            schema = getattr(meta, "json_schema", None)
            if isinstance(schema, dict) and schema.get("description"):
                if _is_model(base) and str(schema["description"]).startswith("a position"):
                    return f"position or {_describe(base)[0]}", _schema_unit(POSITION)
                return _schema_word(schema), _schema_unit(schema)
        kind, unit = _describe(base)
        return kind, unit
    if origin in (typing.Union, types.UnionType):
        parts = [_describe(a) for a in typing.get_args(tp) if a is not type(None)]
        kinds = " or ".join(dict.fromkeys(p[0] for p in parts))
        units = "; ".join(dict.fromkeys(p[1] for p in parts if p[1]))
        nullable = type(None) in typing.get_args(tp)
        return kinds + (" or null" if nullable else ""), units
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(tp)), ""
    if origin in (list, tuple, set, frozenset):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        if origin is tuple and len(args) > 1 and len(set(map(str, args))) > 1:
            inner = [_describe(a) for a in args]
            return "pair (" + ", ".join(i[0] for i in inner) + ")", inner[0][1]
        if origin is tuple and len(args) == 2:
            kind, unit = _describe(args[0])
            return f"pair of {kind}", unit
        kind, unit = _describe(args[0]) if args else ("value", "")
        return f"list of {kind}", unit
    if origin is dict:
        key, value = typing.get_args(tp)
        kkind, _ = _describe(key)
        vkind, unit = _describe(value)
        return f"map of {kkind} to {vkind}", unit
    if _is_model(tp):
        return f"[{tp.__name__}](#{_anchor(tp)})", ""
    if tp is typing.Any:
        return "any", ""
    return _SCALARS.get(tp, getattr(tp, "__name__", str(tp))), ""


def _schema_word(schema: dict[str, Any]) -> str:
    text = str(schema["description"])
    if text.startswith("[east, north]"):
        return "position"
    if text.startswith("a clock time 'HH:MM'"):
        return "clock time"
    if text.startswith("a clock time"):
        return "time"
    return text.split(",")[0].split("(")[0].strip().removeprefix("a ").removeprefix("an ")


def _schema_unit(schema: dict[str, Any]) -> str:
    text = str(schema["description"])
    if text.startswith("[east, north]"):
        return "m (`[east, north]` with units, e.g. `[3 km, -2 km]`; or `{lat, lon}` in degrees)"
    if text.startswith("a clock time"):
        return "s (" + text.removeprefix("a ") + ")"
    return ""


def _anchor(model: type) -> str:
    return model.__name__.lower()


def _nested(tp: Any) -> Iterator[type]:
    """The models an annotation refers to."""
    if _is_model(tp):
        yield tp
        return
    for arg in typing.get_args(tp):
        if not isinstance(arg, str | int | float | bool | type(None)) or isinstance(arg, type):
            yield from _nested(arg)


def models_of(root: type) -> list[type]:
    """The root model and every model nested in it, each once, in reading order."""
    seen: list[type] = []
    queue = [root]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():  # type: ignore[attr-defined]
            queue.extend(m for m in _nested(field.annotation) if m not in seen)
    return seen


def _schema_constraints(prop: dict[str, Any]) -> str:
    words = []
    for key, text in (
        ("minimum", "≥ {}"),
        ("exclusiveMinimum", "> {}"),
        ("maximum", "≤ {}"),
        ("exclusiveMaximum", "< {}"),
        ("minItems", "at least {} items"),
        ("maxItems", "at most {} items"),
        ("minProperties", "at least {} entries"),
        ("minLength", "at least {} characters"),
        ("maxLength", "at most {} characters"),
    ):
        if key in prop:
            words.append(text.format(prop[key]))
    return ", ".join(words)


def _constraints(field: Any) -> str:
    """Bounds on a field (ge, le, min_length...) from its metadata and its annotation's."""
    from pydantic import TypeAdapter

    try:
        prop = TypeAdapter(_annotation(field)).json_schema()
    except Exception:  # a type without a JSON Schema: no bounds to show
        return ""
    for option in prop.get("anyOf", [prop]):
        text = _schema_constraints(option)
        if text:
            return text
    return ""


def _default(field: Any) -> str:
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    if field.is_required():
        return "**required**"
    value = field.default_factory() if field.default_factory is not None else field.default
    if value is PydanticUndefined:
        return "**required**"
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "each field's default"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"  # as YAML writes it
    if value in ([], {}, ""):
        return {list: "empty list", dict: "empty map", str: "empty"}[type(value)]
    if isinstance(value, dict | list | tuple):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _annotation(field: Any) -> Any:
    """A field's annotation with the metadata pydantic moved out of it put back."""
    if field.metadata:
        return typing.Annotated[field.annotation, *field.metadata]
    return field.annotation


def field_rows(model: type) -> list[tuple[str, str, str, str, str]]:
    """(name, type, unit, default, description) of each field of a model."""
    rows = []
    try:  # a description the JSON Schema adds (json_schema_extra) counts too
        props = model.model_json_schema(by_alias=True).get("properties", {})  # type: ignore[attr-defined]
    except Exception:  # a model without a JSON Schema: only the fields' own descriptions
        props = {}
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        described = field.description or props.get(field.alias or name, {}).get("description")
        kind, unit = _describe(_annotation(field))
        bounds = "" if kind.startswith("position") else _constraints(field)
        if bounds:
            kind = f"{kind} ({bounds})"
        rows.append(
            (
                field.alias or name,
                kind,
                unit or "–",
                _default(field),
                described or _missing(model, name),
            )
        )
    return rows


MISSING: list[str] = []
"""Fields without a description, ``Model.field`` (filled while a page is rendered)."""


def _missing(model: type, name: str) -> str:
    MISSING.append(f"{model.__name__}.{name}")
    return "–"


def reference(root: type) -> str:
    """Markdown tables for a model and every model nested in it."""
    out = []
    for model in models_of(root):
        doc = (model.__doc__ or "").strip().split("\n\n")[0]
        out.append(f"### {model.__name__} {{#{_anchor(model)}}}\n")
        if doc:
            out.append(" ".join(doc.split()) + "\n")
        out.append("| field | type | unit (SI, as stored) | default | description |")
        out.append("| --- | --- | --- | --- | --- |")
        for name, kind, unit, default, description in field_rows(model):
            out.append(
                f"| `{name}` | {_cell(kind)} | {_cell(unit)} | {_cell(default)} "
                f"| {_cell(description)} |"
            )
        out.append("")
    return "\n".join(out)


def field_names(root: type) -> set[tuple[str, str]]:
    """(model name, field name as written in files) for every field under a model."""
    return {
        (model.__name__, field.alias or name)
        for model in models_of(root)
        for name, field in model.model_fields.items()  # type: ignore[attr-defined]
    }


def on_config(config: Any) -> Any:
    """Put ``docs/hooks`` on ``sys.path`` for the executed blocks.

    MkDocs restores ``sys.path`` after loading a hook, so this is done here.
    """
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return config


def on_post_build(config: Any) -> None:
    """Log how long the tutorials' commands took (INFO: never a warning)."""
    import logging

    docrun = sys.modules.get("docrun")
    if docrun is not None and docrun.TIMES:
        log = logging.getLogger("mkdocs.plugins.iadsim")
        total = sum(seconds for _, seconds in docrun.TIMES)
        log.info("iadsim commands run by the tutorials: %d, %.0f s", len(docrun.TIMES), total)
        for command, seconds in sorted(docrun.TIMES, key=lambda x: -x[1])[:8]:
            log.info("  %5.1f s  iadsim %s", seconds, command[:90])


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace each marker with its reference tables."""
    return MARKER.sub(lambda m: reference(load(m.group("target"))), markdown)
