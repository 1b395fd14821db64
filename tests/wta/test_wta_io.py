"""WTA instance files: JSON round trip and the Andersen et al. text format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from iadsim.wta import InstanceError, Problem, load_instance, read_andersen, read_json, write_json

TEXT = "2 3 2\n10\n20\n30\n0 0 0.5\n0 1 0.25\n0 2 0.1\n1 0 0.9\n1 1 0.8\n1 2 0.7"


def test_andersen_text_format(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(TEXT)  # no newline at the end, as in some published files
    problem = read_andersen(path)
    assert problem.values.tolist() == [10, 20, 30]
    assert problem.counts.tolist() == [2, 2]
    assert problem.pk[1, 2] == 0.7 and problem.pk[0, 1] == 0.25
    assert load_instance(path).pk.tolist() == problem.pk.tolist()


def test_published_size_instance_reads(tmp_path: Path) -> None:
    # the layout and size of Andersen et al.'s wta_50x100x2.txt (not shipped: no licence)
    rng = np.random.default_rng(7)
    values = rng.integers(25, 101, size=100)
    pk = np.round(rng.uniform(0.6, 0.9, size=(50, 100)), 6)
    lines = ["50 100 2", *map(str, values)]
    lines += [f"{i} {j} {pk[i, j]}" for i in range(50) for j in range(100)]
    path = tmp_path / "wta_50x100x2.txt"
    path.write_text("\n".join(lines) + "\n")
    problem = read_andersen(path)
    assert problem.pk.shape == (50, 100)
    assert problem.counts.tolist() == [2] * 50
    assert problem.values.tolist() == values.tolist()
    assert np.array_equal(problem.pk, pk)


def test_json_round_trip(tmp_path: Path) -> None:
    problem = Problem(
        values=np.array([1.5, 2.25]),
        pk=np.array([[0.1, 0.123456789012345], [0.9, 1.0]]),
        counts=np.array([2, 1]),
        costs=np.array([3.0, 4e6]),
        cost_weight=1e-6,
        shot_limits=np.array([1, 3]),
        name="round-trip",
    )
    path = tmp_path / "p.json"
    write_json(problem, path)
    back = read_json(path)
    for field in ("values", "pk", "counts", "costs", "shot_limits"):
        assert np.array_equal(getattr(back, field), getattr(problem, field)), field
    assert back.cost_weight == problem.cost_weight and back.name == "round-trip"
    assert load_instance(path).pk.tolist() == problem.pk.tolist()
    # the text format written from a JSON instance reads back the same too
    text = tmp_path / "p.txt"
    lines = ["2 2 1", "1.5", "2.25"] + [
        f"{i} {j} {float(problem.pk[i, j])!r}" for i in range(2) for j in range(2)
    ]
    text.write_text("\n".join(lines) + "\n")
    assert np.array_equal(read_andersen(text).pk, problem.pk)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty"),
        ("2 3\n", "expected `m n mu`"),
        ("1 2 1\n5\n", "expected 2 target values"),
        ("1 2 1\n5\nx\n0 0 0.5\n0 1 0.5\n", "expected one number"),
        ("1 2 1\n5\n6\n0 0 0.5\n", "1 of the 2 `i j p` lines are missing"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 5 0.5\n", "outside"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 0 0.5\n", "given twice"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 1 p\n", "expected `i j p`"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 1 1.5\n", r"\[0, 1\]"),
    ],
)
def test_bad_text_files_name_file_and_expectation(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(InstanceError, match=expected) as info:
        read_andersen(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"values": [1], "pk": [[0.5]]}', "`counts` is missing"),
        ('{"values": [1], "pk": [[0.5]], "counts": [1.5]}', "whole numbers"),
        ('{"values": [1], "pk": [0.5], "counts": [1]}', "rows of numbers"),
        ('{"values": [1], "pk": [[0.5]], "counts": [1], "colour": 1}', "unknown field"),
        ('{"values": [1, 2], "pk": [[0.5]], "counts": [1]}', "shapes disagree"),
        ('{"format": "other", "values": [1], "pk": [[0.5]], "counts": [1]}', "iadsim-wta"),
    ],
)
def test_bad_json_files_name_file_and_expectation(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InstanceError, match=expected) as info:
        load_instance(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="no such file"):
        load_instance(tmp_path / "nothing.txt")
