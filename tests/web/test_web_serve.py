"""``iadsim serve`` as a process: the address it prints, the token over real HTTP, a busy port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "iadsim.cli", "serve", *args],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NUMBA_NUM_THREADS": "1"},
    )


def test_serve_prints_a_tokened_address_and_checks_it(tmp_path: Path) -> None:
    port = _free_port()
    started = time.monotonic()
    process = _serve("--port", str(port), "--workspace", str(tmp_path))
    try:
        assert process.stderr is not None
        url = None
        for line in process.stderr:
            found = re.search(r"open (http://127\.0\.0\.1:(\d+)/\?token=([\w-]{40,}))", line)
            if found:
                url = found.group(1)
                break
        assert url is not None and f":{port}/" in url
        token = url.rsplit("=", 1)[1]
        base = f"http://127.0.0.1:{port}"
        answer = None
        for _ in range(300):
            try:
                answer = httpx.get(f"{base}/api/info", headers={"X-Iadsim-Token": token})
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert answer is not None and answer.status_code == 200
        print(f"\n`iadsim serve` answering after {time.monotonic() - started:.2f} s")
        assert answer.json()["workspace"] == str(tmp_path.resolve())
        assert "server" not in answer.headers  # says nothing about itself
        assert httpx.get(f"{base}/api/info").status_code == 401
        assert (
            httpx.get(f"{base}/api/info", headers={"X-Iadsim-Token": "x" * 43}).status_code == 403
        )
        rebound = httpx.get(f"{base}/api/info", headers={"X-Iadsim-Token": token, "Host": "a.test"})
        assert rebound.status_code == 421
        first = httpx.get(url)
        assert first.status_code == 303 and f"iadsim_token_{port}=" in first.headers["set-cookie"]
        # a second launch gets another token: the first one's does not open it
        other_port = _free_port()
        second = _serve("--port", str(other_port), "--workspace", str(tmp_path))
        try:
            assert second.stderr is not None
            line = next(line for line in second.stderr if "token=" in line)
            assert token not in line
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert not (tmp_path / "results").exists()  # nothing written until a run


def test_a_busy_port_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "iadsim.cli",
                "serve",
                "--port",
                str(port),
                "--workspace",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert f"error: --port: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "choose another --port" in done.stderr and "Traceback" not in done.stderr
