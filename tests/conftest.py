"""Shared test helpers: run the real ``iadsim`` command in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence

import pytest

CliResult = subprocess.CompletedProcess[str]


def run_cli(*commands: Sequence[str]) -> list[CliResult]:
    """Run ``python -m iadsim.cli`` once per argument list, concurrently; results in order."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "iadsim.cli", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    results = []
    for args, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(list(args), proc.returncode, out, err))
    return results


@pytest.fixture
def cli() -> Callable[..., list[CliResult]]:
    """The ``iadsim`` command: ``cli(["validate", path], ["run", path])``."""
    return run_cli
