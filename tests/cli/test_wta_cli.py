"""``iadsim wta``: solve prints JSON, bad files give one paragraph and exit code 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from iadsim.wta import ahuja_instance, write_json

TEXT = "2 3 1\n10\n20\n30\n0 0 0.5\n0 1 0.25\n0 2 0.1\n1 0 0.9\n1 1 0.8\n1 2 0.7\n"


def test_solve_json_and_text(tmp_path: Path, cli: Callable[..., list]) -> None:
    instance = tmp_path / "a.json"
    write_json(ahuja_instance(8, seed=1), instance)
    text = tmp_path / "b.txt"
    text.write_text(TEXT)
    exact, local, plain = cli(
        ["wta", "solve", instance, "--solver", "exact", "--time-limit", "10", "--format", "json"],
        ["wta", "solve", text, "--solver", "local", "--format", "json"],
        ["wta", "solve", text, "--solver", "greedy"],
    )
    assert exact.returncode == 0, exact.stderr
    document = json.loads(exact.stdout)
    assert document["bound"] <= document["objective"]
    assert document["status"] == "optimal" and document["seconds"] >= 0
    assert sum(a["rounds"] for a in document["assignment"]) == 8
    assert local.returncode == 0, local.stderr
    document = json.loads(local.stdout)
    assert document["bound"] is None
    # weapon 1 (pk 0.8 on the value-20 target) and weapon 0 on the value-30 target are best
    pairs = {(a["weapon"], a["target"]) for a in document["assignment"]}
    assert len(pairs) == 2
    assert plain.returncode == 0 and "objective" in plain.stdout


def test_bad_input_is_one_paragraph_exit_2(tmp_path: Path, cli: Callable[..., list]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("3 x 1\n")
    missing = tmp_path / "missing.json"
    broken = tmp_path / "broken.json"
    broken.write_text('{"values": [1]')
    results = cli(
        ["wta", "solve", bad],
        ["wta", "solve", missing],
        ["wta", "solve", broken, "--solver", "exact"],
        ["wta", "solve", bad, "--solver", "simplex"],
    )
    for result, path in zip(results[:3], (bad, missing, broken), strict=True):
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert str(path) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert results[3].returncode == 2 and "Traceback" not in results[3].stderr


def test_bench_quick_runs_without_data(tmp_path: Path, cli: Callable[..., list]) -> None:
    missing, quick = cli(
        ["wta", "bench", "--quick", "--data", tmp_path / "none"],
        ["wta", "bench", "--quick", "--time-limit", "5"],
    )
    assert missing.returncode == 2 and "--data" in missing.stderr
    assert "no such folder" in missing.stderr
    assert quick.returncode == 0, quick.stderr
    assert "ahuja-40" in quick.stdout and "exact" in quick.stdout
