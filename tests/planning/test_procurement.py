"""Procurement: the best-first search finds what exhaustive search finds, and the CLI works."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

from iadsim.planning.procurement import evaluate_plan, pareto, search
from iadsim.scenario.campaign import Campaign
from iadsim.scenario.procurement import Procurement

from scenarios import base, unit


def defence() -> dict:
    raw = base(salvo={"default": 1})
    raw["raids"][0]["count"] = 10
    raw["fire_units"] = [unit("sam-1", -30, pk=0.7, rounds=6, reserve=6, **{"class": "sam-class"})]
    return raw


def campaign() -> Campaign:
    return Campaign.model_validate(
        {
            "schema_version": 1,
            "name": "tiny",
            "defence": defence(),
            "days": 4,
            "schedule": [{"day": d, "scale": 1.0} for d in range(1, 5)],
            "stockpiles": {"sam-class": 6},
        }
    )


def procurement(bound: float) -> Procurement:
    gun = unit("gun", -10, pk=0.4, rounds=20, **{"class": "gun-class"})
    return Procurement.model_validate(
        {
            "schema_version": 1,
            "name": "tiny",
            "campaign": "unused.yaml",
            "catalogue": [
                {
                    "id": "sam-lot",
                    "interceptors": "sam-class",
                    "lot": 6,
                    "cost": "3 MUSD",
                    "lead_time": 0,
                    "max": 3,
                },
                {"id": "gun", "fire_unit": gun, "cost": "5 MUSD", "lead_time": 1, "max": 1},
            ],
            "budget": "100 MUSD",
            "bound": {"metric": "leaked", "max": bound, "confidence": 0.9},
            "replications": 12,
        }
    )


def test_search_matches_exhaustive_search() -> None:
    plan = procurement(1e9)
    every = {
        counts: evaluate_plan(counts, plan, campaign(), defence(), seed=5)
        for counts in itertools.product(range(4), range(2))
    }
    uppers = sorted(e.upper for e in every.values())
    for bound in (uppers[2], uppers[4], uppers[-2]):
        tight = procurement(bound)
        holding = [e for e in every.values() if e.upper <= bound]
        cheapest = min(holding, key=lambda e: (e.cost, e.counts))
        found = search(tight, campaign(), defence(), seed=5)
        assert found.best is not None
        assert found.best.cost == cheapest.cost
        assert found.best.upper <= bound
        assert len(found.evaluated) <= len(every)
    curve = pareto(list(every.values()))
    assert all(a.cost < b.cost and a.mean > b.mean for a, b in itertools.pairwise(curve))


def test_impossible_bound_finds_nothing() -> None:
    found = search(procurement(-1.0 + 1.0), campaign(), defence(), seed=5)  # zero leakers
    assert found.best is None or found.best.upper <= 0.0


def test_procurement_cli(tmp_path: Path) -> None:
    (tmp_path / "campaign.json").write_text(json.dumps(campaign().model_dump()))
    data = procurement(1e9).model_dump()
    data["campaign"] = "campaign.json"
    path = tmp_path / "procurement.json"
    path.write_text(json.dumps(data))
    proc = subprocess.run(
        [sys.executable, "-m", "iadsim.cli", "optimize", "procurement", str(path), "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["best"]["plan"] == {"sam-lot": 0, "gun": 0}  # nothing needed for a loose bound
    data["campaign"] = "missing.json"
    path.write_text(json.dumps(data))
    proc = subprocess.run(
        [sys.executable, "-m", "iadsim.cli", "optimize", "procurement", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "campaign" in proc.stderr and "Traceback" not in proc.stderr
