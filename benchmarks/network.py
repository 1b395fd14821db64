"""The cost of the command-and-control network per replication, against a perfect picture.

Every figure is measured in this run, on this machine: the capital night raid
through its network (``examples/capital_network.yaml``: command posts with
capacities and cycles, 34 links with latency, random failures, a jammer, a strike
on a radar, organic sensors) against the same raid with the network section taken
out (one instant, perfect picture), same seed and replications, fast engine on
one thread. Target: at most 1.5x. Also shown: what the network did (the metrics of
:func:`iadsim.engine.network.network_metrics`) and the leakers with and without it.

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


def _time(cs: Any, reps: int, seed: int, repeats: int) -> tuple[float, Any]:
    from iadsim.engine import run_replications

    rows = np.arange(reps)
    run_replications(cs, rows[:2], seed=seed)  # compile the engine, warm caches
    best = float("inf")
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = run_replications(cs, rows, seed=seed)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from ruamel.yaml import YAML

    from iadsim.engine.network import network_metrics
    from iadsim.engine.outcomes import Fate

    raw = YAML(typ="safe").load(NETWORK.read_text())
    network = _compile(raw)
    perfect = _compile(_perfect(raw))
    base_s, base_out = _time(perfect, args.replications, args.seed, args.repeats)
    net_s, net_out = _time(network, args.replications, args.seed, args.repeats)
    metrics = {k: float(v.mean()) for k, v in network_metrics(network, net_out).items()}
    drones = [i for i, c in enumerate(network.class_names) if network.class_kind[i] == "owa_drone"]

    def leaked(cs: Any, out: Any) -> float:
        mask = np.isin(cs.threat_class, drones)
        return float((out.fate[:, mask] == Fate.LEAKED).sum(axis=1).mean())

    ratio = net_s / base_s
    report = {
        "replications": args.replications,
        "perfect_picture_s_per_rep": base_s / args.replications,
        "network_s_per_rep": net_s / args.replications,
        "ratio": ratio,
        "target": TARGET,
        "pass": ratio <= TARGET,
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
        f"best of {args.repeats}"
    )
    print(f"  perfect picture: {base_s / args.replications * 1e3:8.2f} ms per replication")
    print(f"  network:         {net_s / args.replications * 1e3:8.2f} ms per replication")
    verdict = "PASS" if ratio <= TARGET else "MISS"
    print(f"  ratio {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    for k, v in metrics.items():
        print(f"  {k:26s} {v:10.2f} (mean per replication)")
    print(
        f"  shahed-class drones leaked: {report['drones_leaked_mean']['perfect']:.1f} with a "
        f"perfect picture, {report['drones_leaked_mean']['network']:.1f} through the network"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
