"""Where the fast engine's time goes: per-replication set-up against the event loop.

Everything the fast engine runs is inlined into one compiled function, so a
sampling profiler sees one symbol. This script splits the time instead:

- set-up: resetting the state, detecting every threat and sorting the TRACK
  stream (the same kernels, compiled alone), against the whole replication, on
  one thread;
- the events the fast engine handles, by kind (its kernels run as Python on one
  replication, counting calls), beside the reference engine's count, with the
  nanoseconds per handled event.

    python benchmarks/profile_engine.py               # base capital raid and x10
    python benchmarks/profile_engine.py --reps 500
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import compiled_for

from iadsim.engine import count_events, fast
from iadsim.engine.fast import new_state, reset, track_stream
from iadsim.engine.jit import compiled
from iadsim.engine.outcomes import ARRAYS, Outcomes
from iadsim.kernel import kernel

HANDLERS = (
    "on_reload",
    "on_resolve",
    "on_ew",
    "on_impact",
    "on_track",
    "on_wake",
    "on_decide",
    "fire",
    "evaluate",
    "sort_options",
)


@kernel
def setup_loop(sc: Any, sm: Any, st: Any, seed: Any, reps: Any, ready0: Any, reserve0: Any) -> int:
    """Only the set-up of each replication: reset, detection, TRACK stream."""
    total = 0
    for r in range(len(reps)):
        reset(sc, sm, st, ready0[r], reserve0[r])
        total += track_stream(sc, st, seed, reps[r])
    return total


@kernel(allocates=True)
def setup_rows(sc: Any, sm: Any, seed: Any, reps: Any, ready0: Any, reserve0: Any) -> int:
    """:func:`setup_loop` in a state allocated here (compiled without reference counting, as
    the engine's own loop is: see :mod:`iadsim.kernel`)."""
    return setup_loop(sc, sm, new_state(sc, sm), seed, reps, ready0, reserve0)


def outcomes_for(cs: Any, reps: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:
    out = Outcomes.empty(1, reps, cs.n_threats, cs.n_units, cs.n_assets)
    arrays = fast.Row(*(getattr(out, name) for name in ARRAYS))
    ready = np.tile(np.asarray(cs.unit_rounds, dtype=np.int64), (len(reps), 1))
    reserve = np.tile(np.asarray(cs.unit_reserve, dtype=np.int64), (len(reps), 1))
    return arrays, ready, reserve


def best_of(runs: int, fn: Any) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def handled_events(cs: Any, prepared: Any) -> collections.Counter[str]:
    """Run replication 0's fast-engine kernels as Python, counting handler calls."""
    counts: collections.Counter[str] = collections.Counter()
    saved = {name: getattr(fast, name) for name in HANDLERS}

    def counting(name: str) -> Any:
        def call(*args: Any) -> Any:
            counts[name] += 1
            return saved[name](*args)

        return call

    try:
        for name in HANDLERS:
            setattr(fast, name, counting(name))
        reps = np.arange(1, dtype=np.int64)
        arrays, ready, reserve = outcomes_for(cs, reps)
        fast.run_rows(prepared.scene, prepared.streams, 1, [0], arrays, ready, reserve, 0, 1)
    finally:
        for name, fn in saved.items():
            setattr(fast, name, fn)
    return counts


def profile(scale: int, reps_count: int) -> None:
    cs = compiled_for(scale)
    prepared = fast.prepare(cs)
    sc, sm = prepared.scene, prepared.streams
    reps = np.arange(reps_count, dtype=np.int64)
    arrays, ready, reserve = outcomes_for(cs, reps)
    seed = np.uint64(1)
    setup = compiled(setup_rows)
    setup(sc, sm, seed, reps[:2], ready, reserve)  # load or compile
    fast._run_rows(sc, sm, seed, reps[:2], arrays, ready, reserve, 0, 2)
    t_setup = best_of(3, lambda: setup(sc, sm, seed, reps, ready, reserve)) / reps_count
    t_full = (
        best_of(3, lambda: fast._run_rows(sc, sm, seed, reps, arrays, ready, reserve, 0, len(reps)))
        / reps_count
    )
    handled = handled_events(cs, prepared)
    reference = count_events(cs, seed=1, replicate_index=0)
    events = sum(handled[name] for name in HANDLERS[:7])
    print(
        f"\nx{scale} raid: {cs.n_threats:,} threats, {cs.n_units} fire units, "
        f"{len(cs.eng_unit):,} engagement windows; one thread, best of 3, {reps_count} reps"
    )
    print(f"  whole replication        {t_full * 1e3:8.3f} ms")
    print(
        f"  set-up (reset, detection, TRACK sort) {t_setup * 1e3:8.3f} ms ({t_setup / t_full:.0%})"
    )
    print(
        f"  event loop               {(t_full - t_setup) * 1e3:8.3f} ms "
        f"({(t_full - t_setup) / t_full:.0%}), {events:,} events handled, "
        f"{(t_full - t_setup) / max(events, 1) * 1e9:.0f} ns per handled event"
    )
    print(f"  {'kind':<12} {'reference':>10} {'fast handles':>13}")
    for kind, name in (
        ("RELOAD", "on_reload"),
        ("RESOLVE", "on_resolve"),
        ("EW", "on_ew"),
        ("IMPACT", "on_impact"),
        ("TRACK", "on_track"),
        ("WAKE", "on_wake"),
        ("DECIDE", "on_decide"),
    ):
        print(f"  {kind:<12} {reference[kind]:>10,} {handled[name]:>13,}")
    print(
        f"  decisions with options {handled['sort_options']:,}, candidates evaluated "
        f"{handled['evaluate']:,}, salvos fired {handled['fire']:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=300, help="replications per timing (base)")
    args = parser.parse_args()
    profile(1, args.reps)
    profile(10, max(args.reps // 10, 5))


if __name__ == "__main__":
    main()
