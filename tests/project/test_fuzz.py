"""Fuzzing every file type iadsim reads: a mutated valid file loads or fails cleanly.

For each file type (scenario, ``--set`` overrides, sweep, campaign, laydown,
procurement, raids CSV, WTA instance in JSON and in Andersen's text format)
Hypothesis takes a valid file and mutates it: a field replaced by a hostile
value (huge, negative, non-finite, wrong type, arithmetic in a quantity, a
deep list), a field deleted, an unknown field added, the text cut short or
spliced with junk. Reading it must either succeed or raise iadsim's own
error (what the command turns into exit code 2 with one paragraph), within a
time bound — never another exception, which would be a traceback.

The runs are derandomised so CI sees the same examples every time; set
``IADSIM_FUZZ_EXAMPLES`` to search longer (e.g. 2000) on a workstation.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from iadsim.errors import IadsimError

from repo_paths import ROOT

EXAMPLES = ROOT / "examples"
EXAMPLES_N = int(os.environ.get("IADSIM_FUZZ_EXAMPLES", "40"))
SECONDS = 30.0
"""No single read (load and compile) may take longer than this."""

FUZZ = settings(
    max_examples=EXAMPLES_N,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HOSTILE_SCALARS: list[Any] = [
    0,
    -1,
    1,
    2**31,
    2**63,
    2**64,
    10**30,
    -(10**30),
    1e9,
    1e308,
    -1e308,
    math.inf,
    -math.inf,
    math.nan,
    0.5,
    -0.5,
    True,
    None,
    "",
    " ",
    "x" * 2000,
    "9**9**9 km",
    "10**100000 km",
    "1e400 km",
    "-1 km",
    "nan km",
    "inf s",
    "0 km",
    "1e-400 km",
    "1 km**99999",
    "1 km^(9**9)",
    "3 furlong",
    "5 km/h",
    "10 s",
    "4 MUSD",
    "-100 MUSD",
    "18:00",
    "25:99",
    "02:00+99999999999",
    "2025-01-01",
    "$\\frac{a}{$",
    "<script>alert(1)</script>",
    "../../../etc/passwd",
    "/dev/zero",
    "ballistic_missile",
    "owa_drone",
    "patriot-class",
    "nope",
    "\x00",
    "\u202e",
]

hostile_values = st.recursive(
    st.sampled_from(HOSTILE_SCALARS)
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths_of(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a tree of dicts and lists (the root excluded), 20 levels at most."""
    out: list[tuple[Any, ...]] = []
    if len(prefix) >= 20:
        return out
    if isinstance(tree, dict):
        for key, value in tree.items():
            out.append((*prefix, key))
            out.extend(paths_of(value, (*prefix, key)))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            out.append((*prefix, index))
            out.extend(paths_of(value, (*prefix, index)))
    return out


@st.composite
def mutated_tree(draw: st.DrawFn, tree: Any) -> Any:
    """``tree`` with one to three mutations."""
    tree = json.loads(json.dumps(tree))
    for _ in range(draw(st.integers(1, 3))):
        paths = paths_of(tree)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = tree
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "deep"]))
        if action == "replace":
            parent[key] = draw(hostile_values)
        elif action == "delete":
            del parent[key]
        elif action == "add":
            if isinstance(parent, dict):
                parent[draw(st.sampled_from(["colour", "count", "id", "x"]))] = draw(hostile_values)
            else:
                parent.append(draw(hostile_values))
        else:  # a value nested far deeper than any file needs
            value: Any = 1
            for _ in range(draw(st.sampled_from([50, 150]))):
                value = [value]
            parent[key] = value
    return tree


def dump(tree: Any, suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(tree, allow_nan=True)
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    yaml.dump(tree, stream)
    return stream.getvalue()


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """``text`` cut short, or with junk spliced in, or a line repeated."""
    action = draw(st.sampled_from(["cut", "splice", "repeat", "nest"]))
    at = draw(st.integers(0, len(text)))
    if action == "cut":
        return text[:at]
    if action == "splice":
        junk = draw(
            st.sampled_from(["&a [*a]", "*a", "{", "[[[[", "\x00", "\t", "%", ": :", "\ufeff"])
            | st.text(max_size=10)
        )
        return text[:at] + junk + text[at:]
    if action == "nest":  # far deeper than any parser's recursion
        return text[:at] + "[" * 100_000 + text[at:]
    lines = text.splitlines(keepends=True) or [text]
    line = draw(st.sampled_from(lines))
    return text + line * draw(st.integers(1, 50))


def read_tree(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return YAML(typ="safe", pure=True).load(text)


def check(read: Callable[[Path], Any], path: Path) -> None:
    """``read(path)`` succeeds or raises iadsim's own error, in bounded time."""

    def too_long(signum: int, frame: Any) -> None:
        raise TimeoutError(f"reading {path.name} took more than {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    start = time.monotonic()
    try:
        read(path)
    except IadsimError as exc:
        message = str(exc)
        assert message and "Traceback" not in message
        assert len(message) < 20000, "an error message should be a paragraph, not a dump"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - start
    assert elapsed < SECONDS, f"reading {path.name} took {elapsed:.1f} s"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A private copy of the examples folder (files refer to each other by name)."""
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    return folder


# --- readers, one per file type -------------------------------------------------------------


def read_scenario(path: Path) -> None:
    from iadsim.api import prepare

    prepare(path)


def read_campaign(path: Path) -> None:
    from iadsim.scenario.campaign import load_campaign

    load_campaign(path)


def read_laydown(path: Path) -> None:
    from iadsim.scenario.laydown import load_laydown

    load_laydown(path)


def read_procurement(path: Path) -> None:
    from iadsim.scenario.procurement import load_procurement

    load_procurement(path)


def read_sweep(path: Path) -> None:
    from iadsim.runner.design import build_sweep

    build_sweep(path)


def read_raids(path: Path) -> None:
    from iadsim.history import load_raids

    load_raids(path)


def read_wta(path: Path) -> None:
    from iadsim.wta.io import load_instance

    load_instance(path)


SWEEP = {
    "scenario": "single_battery.yaml",
    "grid": {"raids.0.count": [5, 10]},
    "replications": 2,
    "seed": 1,
}

RAIDS_CSV = (
    "time_start,time_end,model,launch_place,target,launched,destroyed,not_reach_goal,"
    "still_attacking,source\n"
    "2025-01-10 19:00,2025-01-11 08:00,Shahed-136/131,,Ukraine,100,60,30,,kpszsu/posts/a\n"
    "2025-01-10 19:00,2025-01-11 08:00,Iskander-M/KN-23,,Kyiv,4,1,,,kpszsu/posts/a\n"
    "2025-01-12 05:00,2025-01-12 06:00,X-47 Kinzhal,,Kyiv,2,1,,,kpszsu/posts/c\n"
    "2025-09-05 19:00,2025-09-06 08:00,Shahed-136/131,,Ukraine,200,170,0,,kpszsu/posts/e\n"
)

WTA_JSON = {
    "values": [10.0, 20.0, 5.0],
    "counts": [2, 1],
    "pk": [[0.5, 0.3, 0.7], [0.2, 0.9, 0.1]],
}

ANDERSEN = "3 2 2\n10 20 5\n2 1\n0.5 0.3 0.7\n0.2 0.9 0.1\n"

FILE_TYPES = {
    "scenario-single": ("single_battery.yaml", read_scenario),
    "scenario-capital": ("capital_night_raid.yaml", read_scenario),
    "campaign": ("supply_pause.yaml", read_campaign),
    "laydown": ("laydown.yaml", read_laydown),
    "procurement": ("procurement.yaml", read_procurement),
}


@pytest.mark.parametrize("name", sorted(FILE_TYPES))
@FUZZ
@given(data=st.data())
def test_mutated_example_files(name: str, data: st.DataObject, examples: Path) -> None:
    filename, read = FILE_TYPES[name]
    path = examples / filename
    tree = read_tree(EXAMPLES / filename)
    suffix = data.draw(st.sampled_from([".yaml", ".json"]))
    target = path.with_suffix(suffix) if suffix == ".json" else path
    target.write_text(dump(data.draw(mutated_tree(tree)), suffix), encoding="utf-8")
    check(read, target)


@pytest.mark.parametrize("name", sorted(FILE_TYPES))
@FUZZ
@given(data=st.data())
def test_damaged_example_text(name: str, data: st.DataObject, examples: Path) -> None:
    filename, read = FILE_TYPES[name]
    path = examples / filename
    text = (EXAMPLES / filename).read_text(encoding="utf-8")
    if data.draw(st.booleans()):
        path = path.with_suffix(".json")
        text = json.dumps(read_tree(EXAMPLES / filename), indent=1)
    path.write_text(data.draw(mutated_text(text)), encoding="utf-8")
    check(read, path)


@FUZZ
@given(data=st.data())
def test_mutated_overrides(data: st.DataObject, examples: Path) -> None:
    from iadsim.api import prepare

    tree = read_tree(EXAMPLES / "single_battery.yaml")
    path = data.draw(st.sampled_from(paths_of(tree)))
    dotted = ".".join(str(part) for part in path)
    dotted = data.draw(st.sampled_from([dotted, dotted + ".x", "-1." + dotted, dotted + ".-1"]))
    value = data.draw(
        st.sampled_from(["[unclosed", "{a: 1", "&a [*a]", "!!python/object:os.system", ""])
        | hostile_values.map(lambda v: json.dumps(v, allow_nan=True))
    )
    check(lambda p: prepare(p, overrides=[f"{dotted}={value}"]), examples / "single_battery.yaml")


@FUZZ
@given(data=st.data())
def test_mutated_sweep_files(data: st.DataObject, examples: Path) -> None:
    suffix = data.draw(st.sampled_from([".yaml", ".json"]))
    path = examples / f"sweep{suffix}"
    path.write_text(dump(data.draw(mutated_tree(SWEEP)), suffix), encoding="utf-8")
    check(read_sweep, path)


@FUZZ
@given(data=st.data())
def test_mutated_raids_csv(data: st.DataObject, tmp_path: Path) -> None:
    lines = RAIDS_CSV.splitlines()
    row = data.draw(st.integers(1, len(lines) - 1))
    cells = lines[row].split(",")
    column = data.draw(st.integers(0, len(cells) - 1))
    cells[column] = data.draw(
        st.sampled_from(
            [
                "inf",
                "-inf",
                "nan",
                "NaN",
                "-5",
                "1e300",
                "99999999999999999999",
                "",
                "abc",
                "2025-13-45",
                "0000-00-00 99:99",
                '"',
                "\x00",
                "1" * 500,
            ]
        )
        | st.text(max_size=12).filter(lambda s: "\n" not in s and "\r" not in s)
    )
    lines[row] = ",".join(cells)
    text = "\n".join(lines) + "\n"
    if data.draw(st.booleans()):
        text = data.draw(mutated_text(text))
    path = tmp_path / "raids.csv"
    path.write_text(text, encoding="utf-8")
    check(read_raids, path)


@FUZZ
@given(data=st.data())
def test_mutated_wta_instances(data: st.DataObject, tmp_path: Path) -> None:
    if data.draw(st.booleans()):
        path = tmp_path / "instance.json"
        path.write_text(dump(data.draw(mutated_tree(WTA_JSON)), ".json"), encoding="utf-8")
    else:
        path = tmp_path / "instance.txt"
        tokens = ANDERSEN.split()
        at = data.draw(st.integers(0, len(tokens) - 1))
        tokens[at] = data.draw(
            st.sampled_from(["10000000000", "-1", "0", "nan", "inf", "1e12", "x", "3.5"])
        )
        text = " ".join(tokens)
        if data.draw(st.booleans()):
            text = data.draw(mutated_text(text))
        path.write_text(text, encoding="utf-8")
    check(read_wta, path)
