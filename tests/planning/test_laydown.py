"""Laydown: the covering MILP matches exhaustive search; the chosen laydown is verified."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.planning.laydown import optimize_laydown, solve_covering
from iadsim.scenario.laydown import Laydown

from scenarios import base, unit


def protection(weights, cover, chosen, capacity) -> float:
    """The best sum w_j y_j for a fixed choice of placements (an LP)."""
    from scipy.optimize import linprog

    n_t = cover.shape[1]
    pairs = [(p, j) for p in chosen for j in range(n_t) if cover[p, j] > 0]
    if not pairs:
        return 0.0
    n = len(pairs) + n_t  # z for each pair, then y
    c = np.concatenate([np.zeros(len(pairs)), -weights])
    a, b = [], []
    for j in range(n_t):
        row = np.zeros(n)
        row[len(pairs) + j] = 1.0
        for k, (p, jj) in enumerate(pairs):
            if jj == j:
                row[k] = -cover[p, j]
        a.append(row)
        b.append(0.0)
    for p in chosen:
        row = np.zeros(n)
        for k, (pp, _) in enumerate(pairs):
            if pp == p:
                row[k] = 1.0
        a.append(row)
        b.append(capacity[p])
    res = linprog(c, A_ub=np.array(a), b_ub=b, bounds=[(0, 1)] * n, method="highs")
    return -res.fun


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_sites=st.integers(2, 5),
    counts=st.lists(st.integers(0, 2), min_size=1, max_size=2),
)
def test_covering_milp_matches_exhaustive_search(seed, n_sites, counts) -> None:
    if sum(counts) > n_sites:
        counts = [min(c, 1) for c in counts][:n_sites]
    rng = np.random.default_rng(seed)
    placements = [(k, s) for k in range(len(counts)) for s in range(n_sites)]
    n_t = 7
    cover = np.where(rng.random((len(placements), n_t)) < 0.4, rng.uniform(0.3, 0.9), 0.0)
    weights = rng.uniform(1, 10, n_t)
    capacity = rng.integers(1, 4, len(placements)).astype(float)
    chosen, objective = solve_covering(weights, cover, placements, counts, n_sites, capacity)
    best = -1.0
    for sites in itertools.permutations(range(n_sites), sum(counts)):
        pick, at = [], 0
        for k, count in enumerate(counts):
            pick += [k * n_sites + s for s in sorted(sites[at : at + count])]
            at += count
        best = max(best, protection(weights, cover, pick, capacity))
    assert objective == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert protection(weights, cover, chosen, capacity) == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert sorted(k for k, _ in (placements[p] for p in chosen)) == sorted(
        k for k, c in enumerate(counts) for _ in range(c)
    )


def small_laydown() -> Laydown:
    raw = base(salvo={"default": 1})
    raw["raids"][0]["count"] = 20
    raw["fire_units"] = [unit("keep", -80, pk=0.3, rounds=10)]
    return Laydown.model_validate(
        {
            "schema_version": 1,
            "name": "small",
            "scenario": raw,
            "place": [
                {
                    "unit": {
                        k: v
                        for k, v in unit("x", 0, pk=0.8, rounds=40).items()
                        if k not in ("id", "position")
                    },
                    "count": 1,
                }
            ],
            "sites": [
                {"id": "on-route", "position": ["-30 km", "0 km"]},
                {"id": "far-away", "position": ["-30 km", "60 km"]},
                {"id": "behind", "position": ["40 km", "0 km"]},
            ],
            "replications": 30,
        }
    )


def test_laydown_picks_the_site_on_the_route_and_simulation_agrees() -> None:
    plan = small_laydown()
    result, baseline = optimize_laydown(plan, dict(plan.scenario), seed=3)
    assert result.choice == {"0": ["on-route"]}
    assert result.leaked.mean < baseline.leaked.mean
    ids = [u["id"] for u in result.scenario["fire_units"]]
    assert "keep" in ids and len(ids) == 2


def test_laydown_cli_writes_scenario_and_geojson(tmp_path: Path) -> None:
    plan = small_laydown()
    path = tmp_path / "laydown.json"
    path.write_text(json.dumps(plan.model_dump()))
    out, geo = tmp_path / "chosen.yaml", tmp_path / "chosen.geojson"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "iadsim.cli",
            "optimize",
            "laydown",
            str(path),
            "--out",
            str(out),
            "--geojson",
            str(geo),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "on-route" in proc.stdout and "paired" in proc.stdout
    check = subprocess.run(
        [sys.executable, "-m", "iadsim.cli", "validate", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    features = json.loads(geo.read_text())["features"]
    assert {f["properties"]["role"] for f in features} == {"fire_unit", "sensor", "asset"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**plan.model_dump(), "sites": []}))
    proc = subprocess.run(
        [sys.executable, "-m", "iadsim.cli", "optimize", "laydown", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "sites" in proc.stderr and "Traceback" not in proc.stderr
