"""Where batches run: in this process, a local process pool, or a Ray cluster.

A backend takes an iterable of :class:`BatchTask` (read lazily, so a sweep can
compile its points as the queue moves) and yields each :class:`BatchResult`
as it finishes, in any order; the caller puts rows back by replication index.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from iadsim.errors import IadsimError
from iadsim.runner.batches import BatchResult, BatchTask, run_batch

__all__ = [
    "BACKENDS",
    "Backend",
    "InProcessBackend",
    "PoolBackend",
    "RayBackend",
    "available_cores",
    "make_backend",
]

BACKENDS = ("in-process", "pool", "ray")
"""Backends by name, as ``--backend`` takes them."""


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Backend(Protocol):
    """Runs batches; use as a context manager so workers are started and stopped."""

    name: str
    workers: int

    def __enter__(self) -> Any: ...

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...

    def run(self, tasks: Iterable[BatchTask]) -> Iterator[BatchResult]:
        """Yield the result of every task, in the order they finish."""
        ...


class InProcessBackend:
    """Runs every batch here, one after another, in the order given."""

    name = "in-process"
    workers = 1

    def __enter__(self) -> InProcessBackend:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        return None

    def run(self, tasks: Iterable[BatchTask]) -> Iterator[BatchResult]:
        """Yield each task's result as soon as it is computed."""
        for task in tasks:
            yield run_batch(task)


def _watch_parent(parent: int) -> None:
    """Exit this worker once the process that owns the pool is gone (killed with -9)."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # alive, owned by someone else: cannot happen, keep going
            pass


def _init_worker(parent: int) -> None:
    """Set up a pool worker (in the worker process only, never in the caller).

    Ctrl-C is left to the parent, which stops the workers; if the parent is
    killed outright, a watchdog thread ends the worker instead of leaving an
    orphan. The pool already runs one batch per core, so a compiled engine in
    a worker is kept to one thread (unless the user chose otherwise). Whatever a
    library prints in a worker goes to stderr: the caller's stdout may be data.
    """
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class PoolBackend:
    """A local pool of worker processes (forkserver where available, else spawn).

    The start method is chosen for this pool's context only; the global
    multiprocessing start method is never changed.
    """

    name = "pool"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or available_cores()
        self._executor: Any = None

    def __enter__(self) -> PoolBackend:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = (
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if exc_type is None:
            executor.shutdown(wait=True)
            return
        # interrupted or failed: drop queued batches and stop the workers now
        executor.shutdown(wait=False, cancel_futures=True)
        terminate = getattr(executor, "terminate_workers", None)  # Python >= 3.14
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.terminate()

    def run(self, tasks: Iterable[BatchTask]) -> Iterator[BatchResult]:
        """Keep two batches per worker in flight; yield results as they finish."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if self._executor is None:
            raise RuntimeError("use the backend as a context manager")
        pending: set[Any] = set()
        queue = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.workers:
                task = next(queue, None)
                if task is None:
                    exhausted = True
                else:
                    pending.add(self._executor.submit(run_batch, task))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    result = future.result()
                except BrokenProcessPool as exc:
                    raise IadsimError(
                        f"a pool worker process died ({exc}); the batches finished before it "
                        "are stored, and --resume continues from them"
                    ) from None
                yield result


def _run_shipped(compiled: Any, task: BatchTask) -> BatchResult:
    """Ray task: the scenario arrives from the object store, once per node."""
    return run_batch(dataclasses.replace(task, compiled=compiled))


class RayBackend:
    """Batches as Ray tasks, on a cluster at ``address`` or a local one started here.

    If Ray is already initialised (``ray.init`` called by the caller), that
    cluster is used and left running.
    """

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.address = address
        self.workers = workers or 0
        self._ray: Any = None
        self._started = False
        self._remote: Any = None
        self._shipped: dict[int, Any] = {}

    def __enter__(self) -> RayBackend:
        try:
            import ray
        except ImportError:
            raise IadsimError(
                "the ray backend needs Ray: pip install 'iadsim[ray]' "
                "(or pip install 'ray[client]>=2.9')"
            ) from None
        if not ray.is_initialized():
            # Ray logs on stderr only; keep it to warnings, and never forward the
            # workers' output to this process (a --format json stdout stays data)
            quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
            try:
                if self.address:
                    ray.init(address=self.address, **quiet)
                else:
                    ray.init(num_cpus=self.workers or None, include_dashboard=False, **quiet)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = self.address or "a local cluster"
                raise IadsimError(f"cannot start or reach Ray at {where}: {exc}") from None
            self._started = True
        if not self.workers:
            self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._ray = ray
        self._remote = ray.remote(_run_shipped)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._shipped.clear()
        if self._started and self._ray is not None:
            self._ray.shutdown()
        self._ray = None

    def run(self, tasks: Iterable[BatchTask]) -> Iterator[BatchResult]:
        """Keep two batches per CPU in flight; yield results as they finish."""
        ray = self._ray
        if ray is None:
            raise RuntimeError("use the backend as a context manager")
        pending: list[Any] = []
        queue = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.workers:
                task = next(queue, None)
                if task is None:
                    exhausted = True
                    continue
                ref = self._shipped.get(id(task.compiled))
                if ref is None:  # ship each scenario once; keep a reference to the object
                    ref = (ray.put(task.compiled), task.compiled)
                    self._shipped = {id(task.compiled): ref}
                pending.append(
                    self._remote.remote(ref[0], dataclasses.replace(task, compiled=None))
                )
            if not pending:
                return
            done, pending = ray.wait(pending, num_returns=1)
            yield from ray.get(done)


def make_backend(name: str, *, workers: int | None = None, address: str | None = None) -> Backend:
    """A backend by name (``in-process``, ``pool`` or ``ray``).

    Raises:
        IadsimError: for an unknown name or a bad worker count.
    """
    if workers is not None and workers < 1:
        raise IadsimError(f"--workers must be at least 1, got {workers}")
    if address and name != "ray":
        raise IadsimError(f"--address is for the ray backend, not {name!r}")
    if name == "in-process":
        return InProcessBackend()
    if name == "pool":
        return PoolBackend(workers)
    if name == "ray":
        return RayBackend(address, workers)
    raise IadsimError(f"unknown backend {name!r}; known: {', '.join(BACKENDS)}")
