"""An interrupted sweep (SIGKILL or Ctrl-C to a real process) resumes to the same numbers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iadsim.runner import build_sweep, run_sweep
from iadsim.store import Store

from repo_paths import EXAMPLES

POOL = ["--backend", "pool", "--workers", "2", "--format", "json"]


def _sweep_file(tmp_path: Path) -> Path:
    # about 0.1 s per replication: long enough to kill mid-way, short enough for CI
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"name: reaction time\n"
        f"scenario: {EXAMPLES / 'capital_night_raid.yaml'}\n"
        "replications: 8\n"
        "seed: 3\n"
        "engine: reference\n"  # slow enough to stop mid-way whatever the fast engine does
        "batch_size: 2\n"
        "grid:\n"
        "  doctrine.reaction_time: [10 s, 40 s]\n"
    )
    return path


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "iadsim.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_batches(store: Path, count: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if len(list(store.glob("runs/*/outcomes-*.parquet"))) >= count:
            return
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended before it could be interrupted: {proc.stderr.read()}")
        time.sleep(0.05)
    pytest.fail("the sweep stored no batch in time")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("whole")
    store = Store.create(tmp / "store")
    report = run_sweep(build_sweep(_sweep_file(tmp)), store, backend="in-process")
    return report.run_ids, [(store.outcomes(r), store.summary_frame(r)) for r in report.run_ids]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_sweep_resumes_to_the_same_numbers(
    tmp_path: Path, uninterrupted, sig: signal.Signals
) -> None:
    file, store = _sweep_file(tmp_path), tmp_path / "store"
    proc = _start(["sweep", str(file), "--store", str(store), "--backend", "in-process"])
    _wait_for_batches(store, 3, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, err
        assert "--resume" in err

    db = Store.open(store)
    runs = db.runs()
    assert set(runs["status"]) <= {"interrupted", "complete"}
    done_before = len(list(store.glob("runs/*/outcomes-*.parquet"))) * 2  # batches of 2
    assert 0 < done_before < 16, "the sweep must be stopped mid-way"
    files_before = {p: p.stat().st_mtime_ns for p in store.glob("runs/*/outcomes-*.parquet")}
    assert db.sweeps()["status"].tolist() == ["interrupted"]

    # the rest runs the command in this process (typer's runner), to save start-up time
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    runner = CliRunner()
    if sig == signal.SIGKILL:  # running it again without --resume is refused, clearly
        refused = runner.invoke(app, ["sweep", str(file), "--store", str(store)])
        assert refused.exit_code == 2
        assert "--resume" in refused.stderr
        assert refused.exception is None or isinstance(refused.exception, SystemExit)

    # resume (no file needed: the store remembers the sweep), on another backend
    resumed = runner.invoke(app, ["sweep", "--resume", "--store", str(store), *POOL])
    assert resumed.exit_code == 0, resumed.stderr
    doc = json.loads(resumed.stdout)
    assert doc["replications_reused"] == done_before  # nothing finished is recomputed
    assert doc["replications_computed"] == 16 - done_before
    for path, mtime in files_before.items():  # nor rewritten
        assert path.stat().st_mtime_ns == mtime

    db = Store.open(store)
    run_ids, expected = uninterrupted
    assert sorted(db.runs()["run_id"]) == sorted(run_ids)
    assert set(db.runs()["status"]) == {"complete"}
    assert db.sweeps()["status"].tolist() == ["complete"]
    for run_id, (outcomes, summary) in zip(run_ids, expected, strict=True):
        assert db.outcomes(run_id).equals(outcomes)
        assert db.summary_frame(run_id).equals(summary)
