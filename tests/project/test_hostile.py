"""The hostile corpus: inputs built to break iadsim end in a result or one clear error.

Every ``tests/hostile/<group>.yaml`` lists cases: the files to write, the
``iadsim`` arguments, the expected exit code (0 or 2) and fragments the error
must contain. All cases run through the real entry point (``main()``), each in
a forked child (see ``tests/hostile_runner.py``) with a time limit and a check
on the growth of its peak memory. Whatever the case, stderr never holds a
traceback, and a failing case prints one ``error:`` paragraph.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from repo_paths import TESTS

CORPUS = TESTS / "hostile"
RUNNER = TESTS / "hostile_runner.py"
TIMEOUT_S = 60.0
"""No case may take longer (a hang is a failure, not a wait)."""
MEMORY_MB = 1536.0
"""No case may grow the process's peak resident memory by more than this."""


def _load_corpus() -> list[dict[str, Any]]:
    cases = []
    for group in sorted(CORPUS.glob("*.yaml")):
        data = YAML(typ="safe", pure=True).load(group.read_text(encoding="utf-8"))
        for case in (data or {}).get("cases") or []:
            case = dict(case)
            case["id"] = f"{group.stem}/{case['id']}"
            cases.append(case)
    ids = [case["id"] for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate case ids: {duplicates}"
    return cases


CASES = _load_corpus()


def _content(spec: Any) -> str:
    """A file's text: a string, or ``{concat: [[text, times], ...]}``."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict) and "concat" in spec:
        return "".join(str(text) * int(times) for text, times in spec["concat"])
    raise AssertionError(f"bad file spec in the corpus: {spec!r}")


def _fill(text: str, folder: Path) -> str:
    return text.replace("{dir}", str(folder))


def _write(case: dict[str, Any], folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True)
    for name, spec in (case.get("files") or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_fill(_content(spec), folder), encoding="utf-8")
    job = {
        "id": case["id"].replace("/", "__"),
        "args": [_fill(str(arg), folder) for arg in case["args"]],
        "timeout": TIMEOUT_S,
    }
    if case.get("cwd"):
        job["cwd"] = _fill(str(case["cwd"]), folder)
    return job


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Run the whole corpus once, in one runner process; results by case id."""
    root = tmp_path_factory.mktemp("hostile")
    jobs = [_write(case, root / case["id"].replace("/", "__")) for case in CASES]
    proc = subprocess.run(
        [sys.executable, str(RUNNER)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S * len(jobs) + 120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = {}
    for line in proc.stdout.splitlines():
        result = json.loads(line)
        out[result["id"]] = result
    return out


def _flat(text: str) -> str:
    """Text without rich's box drawing and line wrapping, in lower case."""
    text = re.sub(r"[\u2500-\u257f]", " ", text)
    return " ".join(text.split()).lower()


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 20
    assert {case.get("exit", 2) for case in CASES} <= {0, 2}


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_hostile_case(case: dict[str, Any], results: dict[str, dict[str, Any]]) -> None:
    result = results[case["id"].replace("/", "__")]
    where = f"{case['id']}: exit {result['exit']}, stderr:\n{result['stderr'][-2000:]}"
    assert not result["timed_out"], f"{case['id']} ran past {TIMEOUT_S} s"
    assert result["rss_growth_mb"] <= MEMORY_MB, (
        f"{case['id']} grew memory by {result['rss_growth_mb']} MB"
    )
    assert "Traceback" not in result["stderr"], where
    assert "internal error" not in result["stderr"], where
    expected = int(case.get("exit", 2))
    assert result["exit"] == expected, where
    stderr = _flat(result["stderr"])
    if expected == 2:
        assert "error" in stderr, where
    for fragment in case.get("stderr") or []:
        assert _flat(str(fragment)) in stderr, f"missing {fragment!r} in {where}"
    stdout = _flat(result["stdout"])
    for fragment in case.get("stdout") or []:
        assert _flat(str(fragment)) in stdout, f"missing {fragment!r} in stdout of {where}"
    if case.get("json"):
        json.loads(result["stdout"])
