"""Run hostile-corpus cases through the real ``iadsim`` entry point, each in a forked child.

Used by ``tests/project/test_hostile.py`` (not a test module itself). Reads a JSON list of
cases on stdin (``id``, ``args``, ``cwd``, ``timeout``) and writes one JSON
result per case to stdout: exit code, stdout, stderr, seconds and the growth of
the child's peak resident memory over the parent's at the fork.

The parent imports iadsim's light modules once, then forks a child per case,
so a case costs milliseconds of start-up instead of a fresh interpreter; the
child redirects its file descriptors 1 and 2 into files, so output that a
library writes below Python (a C solver's banner) is caught too. A child that
runs past its time limit is killed; an address-space limit keeps a runaway
case from taking the machine down (the memory check itself is the peak RSS).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import time
from typing import Any

ADDRESS_SPACE_HEADROOM = 6 * 2**30
"""Bytes of address space a child may add to the parent's before allocations fail."""


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _vm_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(case: dict[str, Any], out_path: str, err_path: str) -> None:
    """Run one case in this (forked) process and leave with its exit code."""
    code = 70
    try:
        limit = _vm_bytes() + ADDRESS_SPACE_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(err, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        if case.get("cwd"):
            os.chdir(case["cwd"])
        sys.argv = ["iadsim", *case["args"]]
        from iadsim.cli.app import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
    except BaseException:  # a failure of the harness itself: show it
        import traceback

        traceback.print_exc()
        code = 99
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def run_case(case: dict[str, Any], scratch: str) -> dict[str, Any]:
    """Fork, run ``case`` in the child, and collect what it did."""
    out_path = os.path.join(scratch, f"{case['id']}.out")
    err_path = os.path.join(scratch, f"{case['id']}.err")
    baseline = _rss_bytes()
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(case, out_path, err_path)
    deadline = start + float(case.get("timeout", 60))
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            timed_out = True
            break
        time.sleep(0.01)
    seconds = time.monotonic() - start
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    with open(out_path, encoding="utf-8", errors="replace") as fh:
        stdout = fh.read()
    with open(err_path, encoding="utf-8", errors="replace") as fh:
        stderr = fh.read()
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    return {
        "id": case["id"],
        "exit": code,
        "timed_out": timed_out,
        "seconds": round(seconds, 3),
        "rss_growth_mb": round(max(0, peak - baseline) / 2**20, 1),
        "stdout": stdout,
        "stderr": stderr,
    }


def main() -> None:
    """Read the cases, warm the imports every case needs, run them, print results."""
    cases = json.load(sys.stdin)
    os.environ["COLUMNS"] = "200"  # messages on one line, whatever the terminal
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    import importlib

    importlib.import_module("iadsim.cli.app")  # typer, rich: shared by every child
    importlib.import_module("iadsim.scenario")  # pydantic models
    from iadsim.scenario.units import _registry

    _registry()  # pint's registry is built once
    from iadsim.wta import available_solvers

    available_solvers()  # the WTA solvers' registry (and their imports)
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases:
            result = run_case(case, scratch)
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
