"""Scenario files in the workspace: listing, reading, saving in the same YAML, examples.

Saving keeps the file's own layout: the new data is laid over the file as
ruamel.yaml's round-trip reader holds it (comments, key order, flow or block
style, quotes), changing only the values that changed. A file loaded and saved
without an edit comes back with the same data, and in practice the same text.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any

from iadsim import limits
from iadsim.errors import ScenarioError
from iadsim.web.security import PathRejected, workspace_path

__all__ = [
    "EXAMPLES",
    "SCENARIO_SUFFIXES",
    "check_plain",
    "copy_example",
    "dump_document",
    "list_files",
    "save_document",
]

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
"""The file names the editor opens and saves."""

MAX_LISTED = 2000
"""Files listed from the workspace at most (the listing says when it stopped)."""

EXAMPLES = ("single_battery", "capital_night_raid", "national_defence", "terrain_valley")
"""The examples shipped in the package (copies of those in the repository's examples/)."""


def examples_folder() -> Path:
    """The folder of the packaged examples."""
    return Path(str(files("iadsim.web") / "examples"))


def list_files(workspace: Path) -> tuple[list[str], bool]:
    """Scenario-like files under the workspace (relative, with /), and whether the list stopped.

    Hidden folders and files (``.git``, ``.venv``) are skipped; symbolic links are not
    followed, so the walk stays inside the workspace.
    """
    root = workspace.resolve()
    found: list[str] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")
        )
        for name in sorted(names):
            if name.startswith(".") or not name.lower().endswith(SCENARIO_SUFFIXES):
                continue
            path = Path(folder) / name
            if path.is_symlink():
                continue
            found.append(path.relative_to(root).as_posix())
            if len(found) >= MAX_LISTED:
                return found, True
    return found, False


def check_plain(value: Any, where: str = "document") -> None:
    """Refuse data that is not plain JSON within the reading limits (depth, size).

    Raises:
        ValueError: saying which limit it breaks.
    """
    count = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.MAX_NODES:
            raise ValueError(f"the {where} has more than {limits.MAX_NODES:,} values")
        if depth > limits.MAX_DEPTH:
            raise ValueError(f"the {where} is nested more than {limits.MAX_DEPTH} levels deep")
        if isinstance(node, dict):
            for key, child in node.items():
                if not isinstance(key, str):
                    raise ValueError(f"the {where} has a key that is not text")
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
        elif not (node is None or isinstance(node, str | int | float | bool)):
            raise ValueError(f"the {where} holds a value that is not JSON")


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _same(old: Any, new: Any) -> bool:
    """Equal as plain data (a YAML float 0.70 equals 0.7; True is not 1)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool) and bool(old) == bool(new)
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in new)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        return False
    if isinstance(old, str) != isinstance(new, str):
        return False
    try:
        return bool(old == new)
    except Exception:  # pragma: no cover - odd scalars
        return False


def _merge(old: Any, new: Any) -> Any:
    """``new`` laid over ``old`` (ruamel nodes): unchanged parts keep their node and style."""
    if _same(old, new):
        return old
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merge(old[key], value) if key in old else _fresh(value)
        return old
    if isinstance(old, list) and isinstance(new, list):
        del old[len(new) :]
        for index, value in enumerate(new):
            if index < len(old):
                old[index] = _merge(old[index], value)
            else:
                old.append(_fresh(value))
        return old
    return _fresh(value=new)


def _fresh(value: Any) -> Any:
    """New data as ruamel nodes: short lists of scalars and small mappings in flow style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        node = CommentedMap((k, _fresh(v)) for k, v in value.items())
        if len(value) <= 6 and all(_flat(v) for v in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_fresh(v) for v in value)
        if all(_flat(v) for v in value) and len(json.dumps(value)) < 80:
            seq.fa.set_flow_style()
        return seq
    return value


def _flat(value: Any) -> bool:
    if isinstance(value, dict):
        return False
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def dump_document(document: dict[str, Any], previous_text: str | None, *, suffix: str) -> str:
    """The text of ``document`` as a scenario file (YAML, or JSON for ``.json``).

    ``previous_text`` is the file as it was: its layout and comments are kept.
    """
    if suffix == ".json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    yaml = _yaml()
    base: Any = None
    if previous_text:
        try:
            base = yaml.load(io.StringIO(previous_text))
        except Exception:  # the old file was not YAML: write afresh
            base = None
    node = _merge(base, document) if isinstance(base, dict) else _fresh(document)
    if not isinstance(base, dict):
        from ruamel.yaml.comments import CommentedMap

        node = CommentedMap((k, _fresh(v)) for k, v in document.items())  # block at the top
    out = io.StringIO()
    yaml.dump(node, out)
    return out.getvalue()


def save_document(workspace: Path, relative: str, document: dict[str, Any]) -> Path:
    """Write ``document`` to ``relative`` in the workspace, atomically; return the path.

    Raises:
        PathRejected: the name is not a scenario file inside the workspace.
    """
    path = workspace_path(workspace, relative)
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        raise PathRejected("a scenario file name ends in .yaml, .yml or .json")
    if path.is_dir():
        raise PathRejected("that name is a folder")
    previous = None
    if path.is_file():
        with open(path, "rb") as handle:
            data = handle.read(limits.MAX_FILE_BYTES + 1)
        if len(data) <= limits.MAX_FILE_BYTES:
            previous = data.decode("utf-8-sig", errors="replace")
    text = dump_document(document, previous, suffix=path.suffix.lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    workspace_path(workspace, relative)  # the folders made are still inside
    tmp = path.with_name(f".{path.name}.saving")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def copy_example(workspace: Path, name: str, relative: str | None = None) -> str:
    """Copy a packaged example (and its terrain file) into the workspace; return its name there.

    The copy never overwrites a file: ``name-2.yaml``, ``name-3.yaml``... are tried.

    Raises:
        ScenarioError: no such example.
    """
    if name not in EXAMPLES:
        raise ScenarioError(
            name, [("", f"no such example; the examples are {', '.join(EXAMPLES)}")]
        )
    source = examples_folder() / f"{name}.yaml"
    stem = relative or f"{name}.yaml"
    target = workspace_path(workspace, stem)
    k = 2
    while target.exists():
        target = workspace_path(workspace, f"{Path(stem).with_suffix('').as_posix()}-{k}.yaml")
        k += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    terrain = examples_folder() / "terrain"
    if name == "terrain_valley":
        folder = target.parent / "terrain"
        folder.mkdir(exist_ok=True)
        for item in terrain.iterdir():
            if item.suffix == ".npy" and not (folder / item.name).exists():
                shutil.copyfile(item, folder / item.name)
    return target.relative_to(workspace.resolve()).as_posix()
