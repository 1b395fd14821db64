"""``iadsim wta solve --certificate`` and ``iadsim wta verify``; published results table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from iadsim.wta import Problem, write_json
from iadsim.wta.literature import PUBLISHED, published


def _instance(tmp_path: Path) -> Path:
    rng = np.random.default_rng(11)
    problem = Problem(
        values=rng.integers(1, 100, 12).astype(float),
        pk=rng.uniform(0.05, 0.95, (6, 12)),
        counts=np.full(6, 2),
        name="two-rounds",
    )
    path = tmp_path / "a.json"
    write_json(problem, path)
    return path


def test_certificate_is_written_and_verified(tmp_path: Path, cli: Callable[..., list]) -> None:
    instance = _instance(tmp_path)
    proof = tmp_path / "proof.json"
    (solved,) = cli(
        ["wta", "solve", instance, "--solver", "columns", "--certificate", proof, "-f", "json"]
    )
    assert solved.returncode == 0, solved.stderr
    answer = json.loads(solved.stdout)
    assert answer["status"] == "optimal"
    document = json.loads(proof.read_text())
    assert document["format"] == "iadsim-wta-proof"
    assert document["objective"] == answer["objective"]
    assert document["proof"] in {"lagrangian", "enumeration"} and document["how"]
    tampered = tmp_path / "tampered.json"
    document["assignment"][0]["rounds"] += 5
    tampered.write_text(json.dumps(document))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    negative = tmp_path / "negative.json"
    document = json.loads(proof.read_text())
    document["assignment"][0]["weapon"] = -1
    negative.write_text(json.dumps(document))
    ok, as_json, bad, broken, wrapped = cli(
        ["wta", "verify", instance, proof],
        ["wta", "verify", instance, proof, "--format", "json", "--no-resolve"],
        ["wta", "verify", instance, tampered],
        ["wta", "verify", instance, garbage],
        ["wta", "verify", instance, negative],
    )
    assert ok.returncode == 0, ok.stderr
    assert "holds" in ok.stdout
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["objective"] == answer["objective"]
    for result, words in (
        (bad, ["tampered.json", "does not hold"]),
        (broken, ["garbage.json", "not JSON"]),
        (wrapped, ["negative.json", "assignment.0.weapon"]),
    ):
        assert result.returncode == 2
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr
        for word in words:
            assert word in result.stderr


def test_certificate_needs_the_columns_solver(tmp_path: Path, cli: Callable[..., list]) -> None:
    instance = _instance(tmp_path)
    (result,) = cli(["wta", "solve", instance, "--certificate", tmp_path / "p.json"])
    assert result.returncode == 2
    assert "--certificate" in result.stderr and "columns" in result.stderr


def test_published_table() -> None:
    assert len(PUBLISHED) == 30
    row = published("wta_200x400x2.txt")
    assert row is not None and not row.closed
    assert row.bound < row.solution
    assert 0.0003 < row.gap < 0.0004
    closed = published("100x200x2")
    assert closed is not None and closed.closed and closed.seconds == 202.6
    assert published("wta_7x14x1.txt") is None
