"""Reading and writing WTA instances: our JSON format and the Andersen et al. text format.

JSON (``"format": "iadsim-wta"``, version 1)::

    {"format": "iadsim-wta", "version": 1, "name": "example",
     "values": [V_0, ...],                  # n target values
     "pk": [[p_00, p_01, ...], ...],        # m rows of n kill probabilities
     "counts": [c_0, ...],                  # m rounds per weapon type
     "costs": [k_0, ...],                   # optional, m costs per round
     "cost_weight": 0.0,                    # optional lambda
     "shot_limits": [L_0, ...]}             # optional, n limits (or null)

Text, as published by Andersen, Pavlikov and Toffolo (2022) in the repository
tuliotoffolo/wta: a line ``m n mu``; n lines each holding one target value;
then lines ``i j p`` (0-based weapon type, target, kill probability), one for
every pair. Every weapon type has mu identical rounds. Blank lines are skipped.

Both readers check the limits of :mod:`iadsim.wta.limits` (file size, m x n pairs,
rounds) before allocating anything, and report a problem as one
:class:`InstanceError` naming the file, the field (JSON) or line (text) and what
was expected there.
"""

from __future__ import annotations

import json
import math
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.errors import shorten
from iadsim.wta.limits import MAX_FILE_BYTES, MAX_PAIRS, MAX_ROUNDS, InstanceError
from iadsim.wta.problem import Problem

__all__ = ["InstanceError", "load_instance", "read_andersen", "read_json", "write_json"]

FORMAT = "iadsim-wta"
VERSION = 1
MAX_NAME = 200
"""Longest instance name kept (characters)."""


def _check_file(path: Path) -> None:
    """The file exists, is a regular file, and is within the size limit."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InstanceError(path, "no such file") from None
    except OSError as exc:
        raise InstanceError(path, f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InstanceError(path, "is a directory, expected a file")
    if not stat.S_ISREG(info.st_mode):
        raise InstanceError(path, "is not a regular file (a device or pipe?); expected a file")
    if info.st_size > MAX_FILE_BYTES:
        raise InstanceError(
            path,
            f"the file is {info.st_size / 2**20:,.0f} MiB, more than the limit of "
            f"{MAX_FILE_BYTES // 2**20} MiB for an instance file",
        )


def _read_text(path: Path) -> str:
    _check_file(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InstanceError(path, "not UTF-8 text; expected JSON or the text format") from None
    except OSError as exc:
        raise InstanceError(path, f"cannot be read ({exc.strerror})") from None


def _problem(path: Path, **fields: Any) -> Problem:
    try:
        return Problem(**fields)
    except ValueError as exc:
        raise InstanceError(path, str(exc)) from None


def _lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, tokens) of each non-blank line, read as a stream."""
    _check_file(path)
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                tokens = line.split()
                if tokens:
                    yield number, tokens
    except UnicodeDecodeError:
        raise InstanceError(path, "not UTF-8 text; expected the text format `m n mu`") from None
    except OSError as exc:
        raise InstanceError(path, f"cannot be read ({exc.strerror})") from None


def _shown(tokens: list[str]) -> str:
    return repr(shorten(" ".join(tokens)))


def _entries(count: int) -> str:
    return f"{count:,} entry" if count == 1 else f"{count:,} entries"


def _whole(token: str) -> int | None:
    """A plain decimal integer (digits, optional sign), or None."""
    body = token[1:] if token[:1] in "+-" else token
    if not body.isascii() or not body.isdigit():
        return None
    return int(token)


def _finite(token: str) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) and "_" not in token else None


def read_andersen(path: str | Path) -> Problem:
    """Read an instance in the text format of Andersen, Pavlikov and Toffolo (2022).

    Raises:
        InstanceError: the file is missing, too large, or does not follow the
            format; the message names the file, the line and what was expected there.
    """
    path = Path(path)
    rows = _lines(path)
    first = next(rows, None)
    if first is None:
        raise InstanceError(path, "the file is empty; expected a first line `m n mu`")
    number, head = first
    sizes = [_whole(t) for t in head]
    if len(sizes) != 3 or any(v is None for v in sizes):
        raise InstanceError(
            path,
            f"line {number} is {_shown(head)}; expected `m n mu`: three whole numbers "
            "(weapon types, targets, rounds per type)",
        )
    m, n, mu = (int(v) for v in sizes if v is not None)
    if m < 1 or n < 1 or mu < 0:
        raise InstanceError(
            path, f"line {number}: expected m >= 1 weapon types, n >= 1 targets and mu >= 0 rounds"
        )
    if m * n > MAX_PAIRS:
        raise InstanceError(
            path,
            f"line {number}: {m:,} weapon types x {n:,} targets is {m * n:,} pairs, more than "
            f"the limit of {MAX_PAIRS:,}",
        )
    if m * mu > MAX_ROUNDS:
        raise InstanceError(
            path,
            f"line {number}: {m:,} weapon types x {mu:,} rounds is {m * mu:,} rounds, more "
            f"than the limit of {MAX_ROUNDS:,}",
        )
    values = np.empty(n)
    for k in range(n):
        row = next(rows, None)
        if row is None:
            raise InstanceError(
                path,
                f"expected {n} target values after the first line, one per line; the file "
                f"ends after {k}",
            )
        number, tokens = row
        value = _finite(tokens[0]) if len(tokens) == 1 else None
        if value is None or value < 0:
            raise InstanceError(
                path,
                f"line {number} is {_shown(tokens)}; expected one number (finite, >= 0), "
                f"the value of target {k}",
            )
        values[k] = value
    pk = np.full((m, n), np.nan)
    for number, tokens in rows:
        i = _whole(tokens[0]) if len(tokens) == 3 else None
        j = _whole(tokens[1]) if len(tokens) == 3 else None
        p = _finite(tokens[2]) if len(tokens) == 3 else None
        if i is None or j is None or p is None:
            raise InstanceError(
                path,
                f"line {number} is {_shown(tokens)}; expected `i j p`: weapon type, target "
                "(0-based whole numbers) and kill probability",
            )
        if not (0 <= i < m and 0 <= j < n):
            raise InstanceError(
                path, f"line {number}: pair ({i}, {j}) is outside 0..{m - 1} x 0..{n - 1}"
            )
        if not 0 <= p <= 1:
            raise InstanceError(
                path, f"line {number}: kill probability {tokens[2]} is not in [0, 1]"
            )
        if not np.isnan(pk[i, j]):
            raise InstanceError(path, f"line {number}: pair ({i}, {j}) is given twice")
        pk[i, j] = p
    missing = np.argwhere(np.isnan(pk))
    if missing.size:
        i, j = missing[0]
        raise InstanceError(
            path,
            f"{len(missing):,} of the {m * n:,} `i j p` lines are missing (the file may be "
            f"cut short), the first for pair ({i}, {j})",
        )
    return _problem(
        path, values=values, pk=pk, counts=np.full(m, mu, dtype=np.int64), name=path.stem
    )


def _is_number(item: Any) -> bool:
    return isinstance(item, int | float) and not isinstance(item, bool)


def _describe(item: Any) -> str:
    if isinstance(item, float) and not math.isfinite(item):
        return "NaN" if math.isnan(item) else ("Infinity" if item > 0 else "-Infinity")
    text = json.dumps(item) if isinstance(item, str | int | float | bool | None) else None
    if text is None:
        text = "a list" if isinstance(item, list) else "an object"
    return shorten(text, 40)


def _numbers(path: Path, key: str, raw: Any, size: int | None = None) -> list[float | int]:
    """A JSON list of numbers (no booleans), of ``size`` entries if given."""
    if not isinstance(raw, list):
        raise InstanceError(path, f"field `{key}` must be a list of numbers, got {_describe(raw)}")
    if size is not None and len(raw) != size:
        raise InstanceError(
            path, f"shapes disagree: field `{key}` has {_entries(len(raw))}, expected {size:,}"
        )
    for index, item in enumerate(raw):
        if not _is_number(item) or (isinstance(item, int) and abs(item) > 2**1023):
            raise InstanceError(
                path, f"field `{key}[{index}]` must be a number, got {_describe(item)}"
            )
    return raw


def _floats(path: Path, key: str, raw: list[Any], *, upper: float | None = None) -> np.ndarray:
    """Finite numbers >= 0 (and <= ``upper``), as float64; names the first bad entry.

    ``raw`` is a list of numbers, or (for ``pk``) of equal rows of numbers.
    """
    array = np.array(raw, dtype=np.float64)
    bad = ~np.isfinite(array) | (array < 0)
    if upper is not None:
        bad |= array > upper
    if np.any(bad):
        index = np.unravel_index(int(np.flatnonzero(bad)[0]), array.shape)
        where = key + "".join(f"[{k}]" for k in index)
        item = raw
        for k in index:
            item = item[k]
        expected = "a finite number >= 0" + ("" if upper is None else f" and <= {upper:g}")
        raise InstanceError(path, f"field `{where}` must be {expected}, got {_describe(item)}")
    return array


def _counts(path: Path, key: str, raw: list[float | int], *, limit: int | None) -> np.ndarray:
    """Whole numbers >= 0; each (and, with ``limit``, their sum) within the rounds limit."""
    for index, item in enumerate(raw):
        whole = isinstance(item, int) or (math.isfinite(item) and float(item).is_integer())
        if not whole or item < 0:
            raise InstanceError(
                path,
                f"field `{key}[{index}]` is {_describe(item)}; `{key}` must hold whole "
                "numbers >= 0",
            )
    if limit is None:  # shot limits: any limit above the rounds there are is no limit
        return np.array([min(int(v), MAX_ROUNDS) for v in raw], dtype=np.int64)
    total = sum(int(v) for v in raw)
    if total > limit:
        raise InstanceError(
            path,
            f"field `{key}` adds up to {total:,} rounds, more than the limit of {limit:,}",
        )
    return np.array([int(v) for v in raw], dtype=np.int64)


def read_json(path: str | Path) -> Problem:
    """Read an instance in iadsim's JSON format (see the module docstring).

    Raises:
        InstanceError: the file is missing, too large, not JSON, or lacks, mistypes or
            mis-sizes a field (the message names the field and entry).
    """
    path = Path(path)
    text = _read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(path, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InstanceError(path, "nested too deeply to be a WTA instance") from None
    del text
    if not isinstance(document, dict):
        raise InstanceError(path, "expected a JSON object with fields values, pk and counts")
    if document.get("format", FORMAT) != FORMAT or document.get("version", VERSION) != VERSION:
        raise InstanceError(path, f'expected "format": "{FORMAT}" and "version": {VERSION}')
    known = {
        "format",
        "version",
        "name",
        "values",
        "pk",
        "counts",
        "costs",
        "cost_weight",
        "shot_limits",
    }
    unknown = sorted(set(document) - known)
    if unknown:
        raise InstanceError(
            path, f"unknown field `{unknown[0]}`; expected only {', '.join(sorted(known))}"
        )
    for key in ("values", "pk", "counts"):
        if key not in document:
            raise InstanceError(path, f"field `{key}` is missing")
    raw_pk = document["pk"]
    if not isinstance(raw_pk, list) or not raw_pk:
        raise InstanceError(
            path, "field `pk` must be a non-empty list of rows, one per weapon type"
        )
    m = len(raw_pk)
    values = _numbers(path, "values", document["values"])
    n = len(values)
    if n == 0:
        raise InstanceError(path, "field `values` must hold at least one target value")
    if m * n > MAX_PAIRS:
        raise InstanceError(
            path,
            f"field `pk`: {m:,} weapon types x {n:,} targets is more than the limit of "
            f"{MAX_PAIRS:,} pairs",
        )
    for i, row in enumerate(raw_pk):
        if not isinstance(row, list):
            raise InstanceError(
                path,
                f"field `pk[{i}]` is {_describe(row)}; `pk` must be a list of rows of numbers, "
                "one row per weapon type",
            )
        if len(row) != n:
            raise InstanceError(
                path,
                f"shapes disagree: field `pk[{i}]` has {_entries(len(row))}, expected {n:,} "
                "(one per target in `values`)",
            )
        _numbers(path, f"pk[{i}]", row, n)
    counts = _counts(
        path, "counts", _numbers(path, "counts", document["counts"], m), limit=MAX_ROUNDS
    )
    fields: dict[str, Any] = {
        "values": _floats(path, "values", values),
        "pk": _floats(path, "pk", raw_pk, upper=1.0),
        "counts": counts,
    }
    name = document.get("name", path.stem)
    if not isinstance(name, str):
        raise InstanceError(path, f"field `name` must be a string, got {_describe(name)}")
    fields["name"] = name[:MAX_NAME]
    if document.get("costs") is not None:
        fields["costs"] = _floats(path, "costs", _numbers(path, "costs", document["costs"], m))
    if document.get("shot_limits") is not None:
        raw = _numbers(path, "shot_limits", document["shot_limits"], n)
        fields["shot_limits"] = _counts(path, "shot_limits", raw, limit=None)
    weight = document.get("cost_weight", 0.0)
    if not _is_number(weight) or not math.isfinite(weight) or weight < 0:
        raise InstanceError(
            path, f"field `cost_weight` must be a finite number >= 0, got {_describe(weight)}"
        )
    fields["cost_weight"] = float(weight)
    return _problem(path, **fields)


def write_json(problem: Problem, path: str | Path) -> None:
    """Write ``problem`` in iadsim's JSON format (read back exactly by :func:`read_json`)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": problem.name,
        "values": problem.values.tolist(),
        "pk": problem.pk.tolist(),
        "counts": problem.counts.tolist(),
        "costs": problem.costs.tolist(),
        "cost_weight": problem.cost_weight,
        "shot_limits": None if problem.shot_limits is None else problem.shot_limits.tolist(),
    }
    Path(path).write_text(json.dumps(document) + "\n", encoding="utf-8")


def load_instance(path: str | Path) -> Problem:
    """Read a JSON instance (``.json``, or text starting with ``{``) or a text-format one."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return read_json(path)
    _check_file(path)
    try:
        with path.open("rb") as fh:
            start = fh.read(4096)
    except OSError as exc:
        raise InstanceError(path, f"cannot be read ({exc.strerror})") from None
    if start.lstrip().startswith(b"{"):
        return read_json(path)
    return read_andersen(path)
