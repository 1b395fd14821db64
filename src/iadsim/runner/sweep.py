"""Running a sweep into a results store: every point's run, batch by batch, resumable.

Each point is a run identified by what fixes its numbers (the scenario's
content hash, seed, replications and policy), so a run done once, by any
sweep, is never computed again. Batches are stored as they finish; after an
interruption (Ctrl-C or kill -9) the same sweep picks up the missing batches
and ends with exactly the numbers of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from iadsim.compile import CompiledScenario
from iadsim.errors import StoreError
from iadsim.runner.backends import Backend, make_backend
from iadsim.runner.batches import BatchTask, assemble, default_batch_size, plan_batches
from iadsim.runner.design import Sweep, SweepPoint
from iadsim.store import Store

__all__ = ["PointRun", "SweepProgress", "SweepReport", "default_engine", "run_id_of", "run_sweep"]


def default_engine() -> str:
    """The engine :func:`iadsim.engine.simulate` uses when none is named."""
    from iadsim.engine import simulate

    return str(inspect.signature(simulate).parameters["engine"].default)


def run_id_of(scenario_hash: str, seed: int, replications: int, policy: str) -> str:
    """A run's id: a hash of everything that fixes its numbers.

    The engine is not part of it: every engine gives identical outcomes.
    """
    key = json.dumps([scenario_hash, seed, replications, policy])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class SweepProgress(Protocol):
    """What a progress bar needs from a sweep.

    It may also have a ``status(text)`` method, told what the sweep is waiting for
    (the store, workers, Ray, the first batch) and ``None`` when the wait is over.
    """

    def start(self, total: int, done: int) -> None:
        """``total`` replications in the sweep, ``done`` of them already stored."""

    def advance(self, replications: int) -> None:
        """``replications`` more are stored."""


def _status_of(progress: SweepProgress | None) -> Callable[[str | None], None]:
    status = getattr(progress, "status", None)
    return status if callable(status) else (lambda text: None)


@dataclass(frozen=True)
class PointRun:
    """A sweep point and the run that holds its results."""

    point: SweepPoint
    run_id: str
    name: str


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did."""

    sweep_id: str
    store: Path
    points: list[PointRun]
    computed: int = 0
    """Replications computed in this call."""
    reused: int = 0
    """Replications found already stored (not recomputed)."""
    damaged: int = 0
    """Stored files found damaged (checksum mismatch or missing) and computed again."""
    seconds: float = 0.0
    backend: str = ""
    workers: int = 1
    run_ids: list[str] = field(default_factory=list)


@dataclass
class _Run:
    run_id: str
    point: SweepPoint
    scenario: Any
    replications: int
    seed: int
    batches: list[tuple[int, int]]
    done: set[tuple[int, int]]
    compiled: CompiledScenario | None = None


def policy_of(sweep: Sweep, scenario: Any) -> str:
    """The policy a point runs under: the sweep's if it names one, else the doctrine's."""
    return sweep.policy or scenario.doctrine.policy


def _prepare_points(sweep: Sweep) -> list[tuple[SweepPoint, Any, str]]:
    from iadsim.compile import content_hash
    from iadsim.scenario import apply_overrides, parse_scenario

    out = []
    for point in sweep.points():
        where = f"{sweep.scenario_path} (sweep point {point.index}: {point.label()})"
        raw = apply_overrides(sweep.scenario, point.overrides(), source=where)
        scenario = parse_scenario(raw, source=where)
        missing = scenario.doctrine.missing_for(policy_of(sweep, scenario))
        if missing is not None:  # the sweep's policy needs what the point's doctrine lacks
            from iadsim.errors import SweepError

            field, message = missing
            raise SweepError(
                sweep.source,
                [("policy", f"{message}; sweep point {point.index} has no doctrine.{field}")],
            )
        run_id = run_id_of(
            content_hash(scenario), point.seed, sweep.replications, policy_of(sweep, scenario)
        )
        out.append((point, scenario, run_id))
    return out


def run_sweep(
    sweep: Sweep,
    store: Store | str | Path,
    *,
    backend: Backend | str = "pool",
    workers: int | None = None,
    address: str | None = None,
    resume: bool = False,
    progress: SweepProgress | None = None,
) -> SweepReport:
    """Run (or resume) ``sweep`` and store every point's outcomes and summary.

    Args:
        sweep: from :func:`iadsim.runner.build_sweep`.
        store: a :class:`~iadsim.store.Store` or the folder of one (made if new).
        backend: ``"in-process"``, ``"pool"`` (default, all cores), ``"ray"``,
            or a backend object.
        workers: pool size (default: all cores) or Ray CPUs for a local cluster.
        address: the Ray cluster to join (``ray`` backend).
        resume: continue this sweep if an earlier call was interrupted; without
            it, an interrupted sweep is an error (so nothing is resumed by
            surprise).
        progress: told the total and each stored batch.

    Raises:
        ScenarioError: a point's scenario is not valid (nothing is run).
        StoreError: the store cannot be used, or the sweep was interrupted and
            ``resume`` is false.
    """
    started = time.monotonic()
    engine = sweep.engine or default_engine()
    prepared = _prepare_points(sweep)  # every point is validated before anything runs
    if not isinstance(store, Store):
        store = Store.create(store)
    runner = (
        make_backend(backend, workers=workers, address=address)
        if isinstance(backend, str)
        else backend
    )
    say = _status_of(progress)
    report = SweepReport(sweep.sweep_id, store.path, [])
    with store.writing():
        status = store.sweep_status(sweep.sweep_id)
        if status not in (None, "complete") and not resume:
            raise StoreError(
                f"{store.path}: sweep {sweep.sweep_id} ({sweep.name}) was {status} "
                "earlier; add --resume to continue it (finished work is kept)"
            )
        say(_starting(runner, address))
        with runner:
            say(None)
            report.backend, report.workers = runner.name, runner.workers
            store.begin_sweep(
                {
                    "sweep_id": sweep.sweep_id,
                    "name": sweep.name,
                    "source": sweep.source,
                    "scenario_path": sweep.scenario_path,
                    "definition": sweep.definition(),
                    "replications": sweep.replications,
                    "seed": sweep.seed,
                    "backend": runner.name,
                    "workers": runner.workers,
                },
                [
                    {"point_index": p.index, "point": p.values, "seed": p.seed, "run_id": rid}
                    for p, _, rid in prepared
                ],
            )
            store.clear_temporary()
            say("checking stored results")
            runs = _open_runs(sweep, store, prepared, runner.workers, engine, report)
            say(None)
            try:
                _execute(sweep, store, runs, runner, engine, progress, report)
            except (KeyboardInterrupt, SystemExit):
                store.end_sweep(sweep.sweep_id, "interrupted")
                raise
            except BaseException:
                store.end_sweep(sweep.sweep_id, "failed")
                raise
        store.end_sweep(sweep.sweep_id, "complete")
    report.seconds = time.monotonic() - started
    return report


def _starting(runner: Backend, address: str | None) -> str:
    """What the sweep waits for while its backend starts."""
    if runner.name == "ray":
        return f"connecting to Ray at {address}" if address else "starting a local Ray cluster"
    if runner.name == "pool":
        return f"starting {runner.workers} worker processes"
    return "starting"


def _open_runs(
    sweep: Sweep,
    store: Store,
    prepared: list[tuple[SweepPoint, Any, str]],
    workers: int,
    engine: str,
    report: SweepReport,
) -> dict[str, _Run]:
    runs: dict[str, _Run] = {}
    for point, scenario, run_id in prepared:
        report.points.append(PointRun(point, run_id, scenario.name))
        if run_id in runs:  # two points with the same scenario share a run
            continue
        batch_size = sweep.batch_size or default_batch_size(sweep.replications, workers)
        from iadsim.compile import content_hash

        stored = store.ensure_run(
            {
                "run_id": run_id,
                "name": scenario.name,
                "scenario_hash": content_hash(scenario),
                "scenario_path": sweep.scenario_path,
                "sweep_id": sweep.sweep_id,
                "point_index": point.index,
                "point": point.values,
                "seed": point.seed,
                "replications": sweep.replications,
                "policy": policy_of(sweep, scenario),
                "engine": engine,
                "batch_size": batch_size,
            }
        )
        good, summary_ok, damaged = store.check_run(run_id)
        report.damaged += damaged
        batches = plan_batches(sweep.replications, stored["batch_size"])
        done = good & set(batches)
        if stored["status"] == "complete" and summary_ok and len(done) == len(batches):
            report.reused += sweep.replications
            continue
        report.reused += sum(b - a for a, b in done)
        runs[run_id] = _Run(run_id, point, scenario, sweep.replications, point.seed, batches, done)
    report.run_ids = list(dict.fromkeys(p.run_id for p in report.points))
    return runs


def _compiled(run: _Run, sweep: Sweep) -> CompiledScenario:
    if run.compiled is None:
        from iadsim.compile import compile_scenario

        where = f"{sweep.scenario_path} (sweep point {run.point.index}: {run.point.label()})"
        run.compiled = compile_scenario(run.scenario, source=where)
    return run.compiled


def _execute(
    sweep: Sweep,
    store: Store,
    runs: dict[str, _Run],
    runner: Backend,
    engine: str,
    progress: SweepProgress | None,
    report: SweepReport,
) -> None:
    from iadsim.store.tables import outcomes_table

    total = len(report.run_ids) * sweep.replications
    if progress is not None:
        progress.start(total, report.reused)
    say = _status_of(progress)
    if runs:
        say("waiting for the first batch (a first run compiles the engine)")
    first = True

    def tasks() -> Iterator[BatchTask]:
        for run in list(runs.values()):
            missing = [b for b in run.batches if b not in run.done]
            if not missing:
                _finish(sweep, store, run, engine)
                continue
            compiled = _compiled(run, sweep)
            for start, stop in missing:
                yield BatchTask(
                    run.run_id,
                    compiled,
                    run.seed,
                    run.replications,
                    start,
                    stop,
                    policy_of(sweep, run.scenario),
                    engine,
                )

    for result in runner.run(tasks()):
        if first:
            say(None)
            first = False
        run = runs[result.key]
        table = outcomes_table(run.run_id, _compiled(run, sweep), result.outcomes)
        store.write_batch(run.run_id, result.start, result.stop, table)
        run.done.add((result.start, result.stop))
        report.computed += result.stop - result.start
        if progress is not None:
            progress.advance(result.stop - result.start)
        if len(run.done) == len(run.batches):
            _finish(sweep, store, run, engine)


def _finish(sweep: Sweep, store: Store, run: _Run, engine: str) -> None:
    """Summarise a run from its stored (verified) batches and mark it complete."""
    from iadsim.metrics import summarize
    from iadsim.provenance import provenance
    from iadsim.store.tables import summary_table

    compiled = _compiled(run, sweep)
    outcomes = assemble([store.outcomes(run.run_id)])
    summary = summarize(
        compiled,
        outcomes,
        provenance=provenance(
            scenario_hash=compiled.content_hash,
            engine=engine,
            policy=policy_of(sweep, run.scenario),
            schema_version=run.scenario.schema_version,
            run_id=run.run_id,
        ),
    )
    store.finish_run(run.run_id, summary_table(run.run_id, summary))
    run.compiled = None  # done with it; free the arrays
