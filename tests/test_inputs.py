"""Input files are read within their size limit and never block for good."""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from iadsim.errors import ScenarioError
from iadsim.inputs import read_limited
from iadsim.scenario import load_scenario


def test_a_regular_file_is_read_one_byte_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 1000)
    assert read_limited(path, 10_000) == b"x" * 1000
    assert len(read_limited(path, 100)) == 101  # enough to say "too large"


def test_a_device_stops_at_the_limit() -> None:
    assert len(read_limited("/dev/zero", 5000)) == 5001


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        read_limited(tmp_path, 10)


def test_a_fifo_without_a_writer_ends_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(OSError) as info:
        read_limited(fifo, 1000, wait=0.5)
    assert info.value.errno == errno.ETIMEDOUT
    assert time.monotonic() - start < 5


def test_a_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write(b"schema_version: 1\n")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert read_limited(fifo, 1000, wait=5) == b"schema_version: 1\n"
    finally:
        writer.join(timeout=10)


def test_the_scenario_loader_reports_a_silent_fifo(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("iadsim.inputs.WAIT_S", 0.5)
    monkeypatch.setattr(read_limited, "__kwdefaults__", {"wait": 0.5})
    fifo = tmp_path / "silent.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match=r"silent\.yaml.*nothing arrived"):
        load_scenario(fifo)
