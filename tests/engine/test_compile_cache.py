"""Every scenario runs on the fast engine's one compiled version: no shape compiles anew.

The Scene's arrays are always read-only int64 or float64 copies, the workspaces
are allocated by the engine, and policies are codes, so Numba sees one type
signature whatever the scenario. A first process warms the cache; a second runs
edge shapes (no fire units, no detection window, no EW, one threat, no engagement
window, every policy, start magazines) and must load everything from the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from repo_paths import ROOT, TESTS

WARM = """
from iadsim.engine import simulate
from scenarios import base, build, unit
raw = base()
raw["fire_units"] = [unit("sam", -20, pk=0.5)]
simulate(build(raw), replications=3, seed=1)
"""

EDGES = """
import json
import numpy as np
from iadsim.c2 import POLICY_NAMES
from iadsim.engine import run_replications, simulate
from iadsim.engine.fast import _run_rows
from scenarios import base, build, unit

def shapes():
    raw = base()
    yield "no fire units", raw
    raw = base(); raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    raw["sensors"][0]["position"] = ["5000 km", "0 km"]; raw["sensors"][0]["range"] = "1 km"
    yield "no detection window", raw
    raw = base(); raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    raw["raids"][0]["count"] = 1
    yield "one threat", raw
    raw = base(); raw["fire_units"] = [unit("far", 5000, pk=0.5)]
    yield "no engagement window", raw
    raw = base(); raw["fire_units"] = [unit("a", -60, pk=0.5), unit("b", -20, pk=0.3)]
    raw["threat_classes"]["drone"]["ew_susceptibility"] = 0.5
    raw["fire_units"].append({"id": "jam", "preset": "ew-site", "position": ["-40 km", "0 km"],
                              "max_range": "30 km", "pk": {"drone": 0.5}})
    yield "ew", raw

ran = []
for name, raw in shapes():
    for policy in POLICY_NAMES:
        raw["doctrine"]["policy"] = policy
        raw["doctrine"]["value_unit"] = "1 MUSD"
        cs = build(raw)
        simulate(cs, replications=2, seed=3)
        ran.append(f"{name} / {policy}")
    cs = build(raw)
    zero = np.zeros((2, cs.n_units), dtype=np.int64)
    run_replications(cs, np.arange(2), seed=3, start=(zero, zero))
stats = _run_rows.stats
print(json.dumps({
    "ran": ran,
    "signatures": len(_run_rows.signatures),
    "misses": sum(stats.cache_misses.values()),
    "hits": sum(stats.cache_hits.values()),
}))
"""


def run_child(code: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_edge_shapes_run_on_the_cached_compiled_engine() -> None:
    run_child(WARM)
    report = json.loads(run_child(EDGES).strip().splitlines()[-1])
    assert len(report["ran"]) == 15, report
    assert report["signatures"] == 1, report
    assert report["misses"] == 0, report
    assert report["hits"] == 1, report
