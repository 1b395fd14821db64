"""Fast engine against the reference engine, measured in the same run.

For the capital night raid and the same raid scaled x10 (5,390 drones, 110
missiles, fire units x3), prints replications per second of each engine and
their ratio, the time of a first (compiling) run in a new process with an
empty Numba cache and of a second run in a new process with the cache warm,
and the peak memory of a long streamed run.

    python benchmarks/engine.py            # about 5 minutes on 2 cores
    python benchmarks/engine.py --quick    # fewer replications
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAPITAL = ROOT / "examples" / "capital_night_raid.yaml"


def scaled_raw(factor_threats: int, factor_units: int) -> dict:
    """The capital raid with every raid's count x factor and every fire unit repeated."""
    from iadsim.scenario import read_raw

    raw, _ = read_raw(CAPITAL)
    raw = copy.deepcopy(raw)
    raw["name"] += f" x{factor_threats}"
    for raid in raw["raids"]:
        raid["count"] *= factor_threats
    units = []
    for copy_no in range(factor_units):
        for unit in raw["fire_units"]:
            twin = copy.deepcopy(unit)
            if copy_no:
                twin["id"] = f"{unit['id']}-{copy_no}"
                east, north = (float(v.split()[0]) for v in unit["position"])
                dx, dy = [(2.0, 1.0), (-1.5, 2.0)][copy_no % 2]
                twin["position"] = [f"{east + dx * copy_no} km", f"{north + dy * copy_no} km"]
            units.append(twin)
    raw["fire_units"] = units
    return raw


def compiled_for(scale: int):
    from iadsim.compile import compile_scenario
    from iadsim.scenario import parse_scenario

    raw = scaled_raw(10, 3) if scale == 10 else scaled_raw(1, 1)
    return compile_scenario(parse_scenario(raw))


def child(spec: dict) -> None:
    """Run inside a fresh process: time one simulation, report JSON on stdout."""
    import resource

    t0 = time.perf_counter()
    from iadsim.engine import simulate_batches
    from iadsim.metrics import Accumulator

    cs = compiled_for(spec["scale"])
    t1 = time.perf_counter()
    acc = Accumulator(cs)
    for batch in simulate_batches(
        cs,
        replications=spec["replications"],
        seed=1,
        engine=spec["engine"],
        policy=spec.get("policy"),
    ):
        acc.add(batch)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    print(
        json.dumps(
            {
                "setup": t1 - t0,
                "run": t2 - t1,
                "peak_mib": peak,
                "threats": cs.n_threats,
                "units": cs.n_units,
            }
        )
    )


def measure(
    engine: str, scale: int, replications: int, cache: str | None = None, policy: str | None = None
) -> dict:
    env = dict(os.environ)
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    spec = json.dumps(
        {"engine": engine, "scale": scale, "replications": replications, "policy": policy}
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", spec],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replications")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    import numba

    quick = args.quick
    print(
        f"iadsim engine benchmark: {os.cpu_count()} cores, Numba threads "
        f"{numba.config.NUMBA_NUM_THREADS}"
    )
    with tempfile.TemporaryDirectory() as cache:
        cold = measure("fast", 1, 1000, cache)
        warm = measure("fast", 1, 1000, cache)
        print(
            f"first run, empty cache, new process, 1,000 reps: {cold['process']:.1f} s "
            f"(compiling and running)"
        )
        print(
            f"second run, warm cache, new process, 1,000 reps: {warm['process']:.1f} s "
            f"(target < 5 s)"
        )
        rows = []
        plan = [
            (1, 10 if quick else 30, 2000 if quick else 10000),
            (10, 1 if quick else 3, 200 if quick else 1000),
        ]
        for scale, ref_reps, fast_reps in plan:
            ref = measure("reference", scale, ref_reps, cache)
            fast = measure("fast", scale, fast_reps, cache)
            rows.append((scale, ref, fast, ref_reps, fast_reps))
        print()
        print(
            f"{'raid':>6} {'threats':>8} {'units':>6} {'ref reps/s':>11} {'fast reps/s':>12} "
            f"{'ratio':>7} {'fast reps':>10} {'fast time':>10} {'peak MiB':>9}"
        )
        per_rep = {}
        for scale, ref, fast, ref_reps, fast_reps in rows:
            ref_rate = ref_reps / ref["run"]
            fast_rate = fast_reps / fast["run"]
            per_rep[scale] = fast["run"] / fast_reps
            print(
                f"{'x' + str(scale):>6} {fast['threats']:>8} {fast['units']:>6} "
                f"{ref_rate:>11.2f} {fast_rate:>12.1f} {fast_rate / ref_rate:>6.0f}x "
                f"{fast_reps:>10,} {fast['run']:>9.1f}s {fast['peak_mib']:>9.0f}"
            )
        print(
            f"\ncost per replication, x10 raid / base raid: {per_rep[10] / per_rep[1]:.1f}x "
            f"(target about 12x or less)"
        )
        reps = 2000 if quick else 10000
        times = {
            p: measure("fast", 1, reps, cache, p)["run"] for p in ("greedy", "cost_aware", "exact")
        }
        print(
            f"\nfast engine, base raid, {reps:,} reps, by assignment policy: "
            + ", ".join(
                f"{p} {t / reps * 1e3:.2f} ms/rep ({t / times['greedy']:.2f}x greedy)"
                for p, t in times.items()
            )
        )
        big = measure("fast", 1, 20000 if quick else 100000, cache)
        print(
            f"peak memory streaming {20000 if quick else 100000:,} replications of the base "
            f"raid: {big['peak_mib']:.0f} MiB (memory is one batch of 1,024 replications, "
            f"so a million need the same)"
        )


if __name__ == "__main__":
    main()
