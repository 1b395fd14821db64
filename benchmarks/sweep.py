"""Sweep benchmark: speed-up of the process pool over in-process, and the store's overhead.

    .venv/bin/python benchmarks/sweep.py [--replications 96] [--fast 2000] [--workers N]

1. Pool speed-up: one run of the capital night raid example, in-process
   against a local pool of all cores (both through the store, as
   `iadsim sweep` runs them; the pool's start-up is included), with the
   reference engine (plain Python: one core in-process) and the fast engine
   (already parallel over replications in-process, so the pool adds little).
2. Store overhead per run: a sweep of many small runs of the single-battery
   example, in-process, against the same runs computed and summarised
   without a store (compile, simulate, summarize).

Both results are checked to be identical before any time is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from iadsim.api import prepare
from iadsim.engine import simulate
from iadsim.metrics import summarize
from iadsim.runner import available_cores, build_sweep, run_sweep
from iadsim.store import Store

EXAMPLES = Path(__file__).parent.parent / "examples"
FOLDERS: list[str] = []


def timed_sweep(sweep, backend: str, workers: int | None) -> tuple[float, Store, list[str]]:
    folder = tempfile.mkdtemp(prefix="iadsim-bench-")
    FOLDERS.append(folder)
    store = Store.create(folder)
    start = time.perf_counter()
    report = run_sweep(sweep, store, backend=backend, workers=workers)
    return time.perf_counter() - start, store, report.run_ids


def pool_speedup(replications: int, workers: int, engine: str) -> None:
    sweep = build_sweep(
        EXAMPLES / "capital_night_raid.yaml", replications=replications, seed=1, engine=engine
    )
    warm_up = build_sweep(sweep.scenario_path, replications=2, engine=engine)
    timed_sweep(warm_up, "in-process", None)
    # best of two each: the machine may be shared
    (serial, s_store, ids), (pooled, p_store, ids2) = (
        min(timed_sweep(sweep, backend, w) for _ in range(2))
        for backend, w in (("in-process", None), ("pool", workers))
    )
    assert ids == ids2 and s_store.outcomes(ids[0]).equals(p_store.outcomes(ids[0]))
    print(
        f"capital_night_raid, {replications} replications, {engine} engine: "
        f"in-process {serial:.2f} s, "
        f"pool of {workers} {pooled:.2f} s -> speed-up {serial / pooled:.2f}x "
        f"(ideal {workers}x; pool start-up included; identical outcomes)"
    )


def store_overhead(points: int, replications: int) -> None:
    counts = ",".join(str(4 + i) for i in range(points))
    sweep = build_sweep(
        EXAMPLES / "single_battery.yaml",
        grid=[f"raids.0.count={counts}"],
        replications=replications,
        seed=1,
        batch_size=replications,
        engine="reference",
    )
    timed_sweep(sweep, "in-process", None)  # warm up imports and caches
    cpu = time.process_time()
    with_store, store, ids = timed_sweep(sweep, "in-process", None)
    cpu_with = time.process_time() - cpu

    start, cpu = time.perf_counter(), time.process_time()
    for point in sweep.points():
        _, compiled = prepare(EXAMPLES / "single_battery.yaml", overrides=point.overrides())
        outcomes = simulate(compiled, replications=replications, seed=1, engine="reference")
        summarize(compiled, outcomes)
    bare, cpu_bare = time.perf_counter() - start, time.process_time() - cpu
    for point, run_id in zip(sweep.points(), ids, strict=True):
        _, compiled = prepare(EXAMPLES / "single_battery.yaml", overrides=point.overrides())
        same = simulate(compiled, replications=replications, seed=1, engine="reference")
        assert same.equals(store.outcomes(run_id))
    per_run = (with_store - bare) / points
    cpu_per_run = (cpu_with - cpu_bare) / points
    print(
        f"single_battery, {points} runs of {replications} replications: with store "
        f"{with_store:.2f} s, without {bare:.2f} s -> store overhead {per_run * 1000:.0f} ms "
        f"per run wall clock, {cpu_per_run * 1000:.0f} ms CPU "
        f"({cpu_per_run / (cpu_with / points):.0%} of the CPU of a run this small)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=96, help="reference engine")
    parser.add_argument("--fast", type=int, default=2000, help="replications, fast engine")
    parser.add_argument("--workers", type=int, default=available_cores())
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--engines", default="reference,fast", help="engines for the pool part")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{available_cores()} cores available; load average {load:.1f} (others' work skews this)")
    try:
        counts = {"reference": args.replications, "fast": args.fast}
        for engine in filter(None, args.engines.split(",")):
            pool_speedup(counts[engine], args.workers, engine)
        store_overhead(args.points, 50)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        for folder in FOLDERS:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
