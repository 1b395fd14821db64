"""Runs started from the page: one worker process at a time, progress to every open page.

A run is a one-point sweep written to the results store by
:mod:`iadsim.web.worker`. Its progress lines go to every websocket subscriber
(two tabs see the same run); cancelling sends the worker SIGINT, which stops it
between batches and marks the sweep interrupted (running it again resumes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BATCHES_PER_RUN", "Job", "RunManager"]

BATCHES_PER_RUN = 20
"""A run is cut into about this many batches, so progress moves and cancel is quick."""


@dataclass
class Job:
    """One run started from the page."""

    job_id: str
    file: str
    """The scenario file, relative to the workspace."""
    replications: int
    seed: int
    engine: str | None
    policy: str | None
    status: str = "starting"
    """starting, running, complete, cancelled or failed."""
    total: int = 0
    done: int = 0
    text: str = ""
    """What the run is waiting for, or the error in the CLI's words."""
    run_id: str | None = None
    sweep_id: str | None = None
    started: float = field(default_factory=time.time)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The job as the page sees it."""
        return {
            "job": self.job_id,
            "file": self.file,
            "replications": self.replications,
            "seed": self.seed,
            "engine": self.engine,
            "policy": self.policy,
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "text": self.text,
            "run_id": self.run_id,
            "sweep_id": self.sweep_id,
            "seconds": round(self.seconds, 3),
        }


class RunManager:
    """The runs of one server: at most one worker at a time, told to every subscriber."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.jobs: dict[str, Job] = {}
        self.subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._process: asyncio.subprocess.Process | None = None
        self._current: Job | None = None
        self._count = 0

    @property
    def busy(self) -> bool:
        """Whether a run is going."""
        return self._current is not None

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A queue that receives every job update from now on."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop sending updates to ``queue``."""
        self.subscribers.discard(queue)

    def _tell(self, job: Job, kind: str = "job") -> None:
        message = {"type": kind, **job.to_dict()}
        for queue in list(self.subscribers):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled page misses updates
                queue.put_nowait(message)

    async def start(
        self,
        *,
        file: str,
        path: Path,
        replications: int,
        seed: int,
        engine: str | None = None,
        policy: str | None = None,
    ) -> Job:
        """Start a run of ``path`` (already validated); the caller checks :attr:`busy`."""
        self._count += 1
        job = Job(f"job-{self._count}", file, replications, seed, engine, policy)
        self.jobs[job.job_id] = job
        self._current = job
        request = {
            "file": str(path),
            "store": str(self.store),
            "replications": replications,
            "seed": seed,
            "batch_size": max(1, math.ceil(replications / BATCHES_PER_RUN)),
            "engine": engine,
            "policy": policy,
        }
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "iadsim.web.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
        assert self._process.stdin is not None
        self._process.stdin.write((json.dumps(request) + "\n").encode())
        await self._process.stdin.drain()
        self._process.stdin.close()
        self._tell(job)
        asyncio.get_running_loop().create_task(self._follow(job, self._process))
        return job

    async def _follow(self, job: Job, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        started = time.monotonic()
        try:
            async for line in process.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if "start" in message:
                    job.total, job.done, job.status = message["start"], message["done"], "running"
                elif "advance" in message:
                    job.done += int(message["advance"])
                elif "status" in message:
                    job.text = message["status"] or ""
                elif "finished" in message:
                    info = message["finished"]
                    job.run_id, job.sweep_id = info["run_id"], info["sweep_id"]
                    job.status, job.text = "complete", ""
                elif "error" in message:
                    job.status, job.text = "failed", str(message["error"])
                elif "cancelled" in message:
                    job.status, job.text = "cancelled", "cancelled"
                job.seconds = time.monotonic() - started
                self._tell(job)
            code = await process.wait()
        finally:
            self._current = None
            self._process = None
        if job.status in ("starting", "running"):
            job.status = "cancelled" if job.text == "cancelling" else "failed"
            if job.status == "failed":
                job.text = f"error: the run stopped unexpectedly (exit code {code})"
        job.seconds = time.monotonic() - started
        self._tell(job, "done")

    async def cancel(self, job_id: str) -> bool:
        """Stop the job if it is the one running; True if it was."""
        job, process = self._current, self._process
        if job is None or process is None or job.job_id != job_id:
            return False
        job.text = "cancelling"
        self._tell(job)
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), timeout=10.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        return True

    async def close(self) -> None:
        """Stop a running worker (the server is shutting down)."""
        if self._current is not None:
            await self.cancel(self._current.job_id)
