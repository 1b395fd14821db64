"""The cost of the command-and-control network per replication, against a perfect picture.

Every figure is measured in this run, on this machine: the capital night raid
through its network (``examples/capital_network.yaml``: command posts with
capacities and cycles, 34 links with latency, random failures, a jammer, a strike
on a radar, organic sensors) against the same raid with the network section taken
out (one instant, perfect picture), same seed and replications, fast engine on
one thread. Target: at most 1.5x. The scenarios are timed in turn, repeat after
repeat; the ratio is taken pair by pair (the same repeat) and its median quoted, so
that the machine's drifting speed weighs on both alike.

Also shown: the same network with every command post's track capacity cut to 40
tracks, so that capacity binds and every threat's picture is worked out at once, in
one search over all threats (the costlier path, not the target's); what the network
did (the metrics of :func:`iadsim.engine.network.network_metrics`); and the leakers
with and without it.

    python benchmarks/network.py              # about a minute on 2 cores
    python benchmarks/network.py --json       # one JSON document on stdout
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NETWORK = ROOT / "examples" / "capital_network.yaml"
TARGET = 1.5
BINDING = 40


def _compile(raw: dict[str, Any]) -> Any:
    from iadsim.compile import compile_scenario
    from iadsim.scenario import parse_scenario

    return compile_scenario(parse_scenario(raw))


def _perfect(raw: dict[str, Any]) -> dict[str, Any]:
    """The same raid and defence with one instant, perfect picture: no network, no
    organic sensors, and the strike on the radar aimed at an asset instead."""
    out = copy.deepcopy(raw)
    out.pop("network")
    assets = {a["id"] for a in out["assets"]}
    for raid in out["raids"]:
        if set(raid["targets"]) - assets:
            raid["targets"] = {out["assets"][0]["id"]: 1}
    for unit in out["fire_units"]:
        unit.pop("organic_sensor", None)
    return out


def _binding(raw: dict[str, Any], capacity: int = BINDING) -> dict[str, Any]:
    """The same network with every command post's track capacity cut to ``capacity``."""
    out = copy.deepcopy(raw)
    for post in out["network"]["command_posts"]:
        post["track_capacity"] = capacity
    return out


def _time(scenarios: list[Any], reps: int, seed: int, repeats: int) -> tuple[Any, list[Any]]:
    """Each scenario's run time per repeat (``[repeat, scenario]``), timed in turn."""
    from iadsim.engine import run_replications

    rows = np.arange(reps)
    for cs in scenarios:
        run_replications(cs, rows[:2], seed=seed)  # compile the engine, warm caches
    times = np.zeros((repeats, len(scenarios)))
    outs: list[Any] = [None] * len(scenarios)
    for r in range(repeats):
        for k, cs in enumerate(scenarios):
            t0 = time.perf_counter()
            outs[k] = run_replications(cs, rows, seed=seed)
            times[r, k] = time.perf_counter() - t0
    return times, outs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from ruamel.yaml import YAML

    from iadsim.engine.network import network_metrics
    from iadsim.engine.outcomes import Fate

    raw = YAML(typ="safe").load(NETWORK.read_text())
    network = _compile(raw)
    perfect = _compile(_perfect(raw))
    binding = _compile(_binding(raw))
    times, (base_out, net_out, bind_out) = _time(
        [perfect, network, binding], args.replications, args.seed, args.repeats
    )
    bound = network_metrics(binding, bind_out)
    # the machine's speed drifts: each ratio is taken pair by pair (the same repeat),
    # and the median of those quoted; the times are each scenario's median
    base_s, net_s, bind_s = np.median(times, axis=0)
    ratio = float(np.median(times[:, 1] / times[:, 0]))
    bind_ratio = float(np.median(times[:, 2] / times[:, 0]))
    spread = np.quantile(times[:, 1] / times[:, 0], [0.0, 1.0])
    metrics = {k: float(v.mean()) for k, v in network_metrics(network, net_out).items()}
    drones = [i for i, c in enumerate(network.class_names) if network.class_kind[i] == "owa_drone"]

    def leaked(cs: Any, out: Any) -> float:
        mask = np.isin(cs.threat_class, drones)
        return float((out.fate[:, mask] == Fate.LEAKED).sum(axis=1).mean())

    report = {
        "replications": args.replications,
        "perfect_picture_s_per_rep": base_s / args.replications,
        "network_s_per_rep": net_s / args.replications,
        "ratio": ratio,
        "ratio_range": [float(spread[0]), float(spread[1])],
        "target": TARGET,
        "pass": ratio <= TARGET,
        "capacity_binding": {
            "track_capacity": BINDING,
            "s_per_rep": bind_s / args.replications,
            "ratio": bind_ratio,
            "tracks_dropped_mean": float(bound["tracks_dropped"].mean()),
        },
        "network_metrics_mean": metrics,
        "drones_leaked_mean": {
            "perfect": leaked(perfect, base_out),
            "network": leaked(network, net_out),
        },
    }
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    print(
        f"capital raid, {args.replications} replications, fast engine, 1 thread, "
        f"{args.repeats} repeats in turn (medians; ratios pair by pair)"
    )
    print(f"  perfect picture: {base_s / args.replications * 1e3:8.2f} ms per replication")
    print(f"  network:         {net_s / args.replications * 1e3:8.2f} ms per replication")
    verdict = "PASS" if ratio <= TARGET else "MISS"
    print(
        f"  ratio {ratio:.2f}x (repeats {spread[0]:.2f}-{spread[1]:.2f}; "
        f"target <= {TARGET}x): {verdict}"
    )
    print(
        f"  posts' capacity cut to {BINDING} (binds: one search over all threats): "
        f"{bind_s / args.replications * 1e3:.2f} ms per replication, "
        f"{bind_ratio:.2f}x, {bound['tracks_dropped'].mean():.1f} tracks dropped"
    )
    for k, v in metrics.items():
        print(f"  {k:26s} {v:10.2f} (mean per replication)")
    print(
        f"  shahed-class drones leaked: {report['drones_leaked_mean']['perfect']:.1f} with a "
        f"perfect picture, {report['drones_leaked_mean']['network']:.1f} through the network"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
