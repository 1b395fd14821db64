"""Every example runs and its JSON summary matches the stored expected output (fixed seed).

To accept a deliberate change of results:
``IADSIM_REGENERATE=1 pytest tests/project/test_examples.py`` and review the diff of
``examples/*.expected.json``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from repo_paths import EXAMPLES

CASES = {
    "single_battery": 50,
    "capital_night_raid": 8,
    "capital_network": 8,
    "national_defence": 4,
    "terrain_valley": 20,
}
SEED = 2025


def _run(name: str, replications: int) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "iadsim.cli",
            "run",
            str(EXAMPLES / f"{name}.yaml"),
            "-n",
            str(replications),
            "--seed",
            str(SEED),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    data.pop("provenance")  # library versions differ between machines
    return data


def _close(a: Any, b: Any, path: str = "") -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None, path
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (path, a, b)
    else:
        assert a == b, (path, a, b)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_matches_expected_output(name: str) -> None:
    got = _run(name, CASES[name])
    expected_file = EXAMPLES / f"{name}.expected.json"
    if os.environ.get("IADSIM_REGENERATE"):
        expected_file.write_text(json.dumps(got, indent=2) + "\n")
    expected = json.loads(expected_file.read_text())
    _close(got, expected)


def test_single_battery_matches_the_hand_calculation() -> None:
    got = _run("single_battery", 50)
    drone = got["by_kind"]["owa_drone"]
    assert drone["launched"]["mean"] == 10
    assert got["shots"]["sam"] == {"mean": 20.0, "lo": 20.0, "hi": 20.0}
    assert got["cost"]["defender"]["mean"] == 2_000_000
    assert drone["leaked"]["lo"] <= 0.9 <= drone["leaked"]["hi"]
    depot = got["assets"]["destroyed"]["depot"]
    assert depot["lo"] <= 1 - (1 - 0.09 * 0.6) ** 10 <= depot["hi"]


def test_every_example_file_is_covered() -> None:
    planning = {"supply_pause", "campaign_templates", "laydown", "procurement"}
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} == set(CASES) | planning


def test_planning_examples_load_and_the_campaign_runs() -> None:
    from iadsim.planning import run_campaign
    from iadsim.scenario.campaign import load_campaign
    from iadsim.scenario.laydown import load_laydown
    from iadsim.scenario.procurement import load_procurement

    campaign, defence, _ = load_campaign(EXAMPLES / "supply_pause.yaml")
    result = run_campaign(campaign, defence, replications=2, seed=SEED, base_dir=EXAMPLES)
    assert result.days == 120 and (result.stock >= 0).all()
    # deliveries of the long-range type pause from day 30 to 75: no stock rises then
    patriot = result.stock[:, :, result.types.index("patriot-class")]
    assert (np.diff(patriot[:, 29:75], axis=1) <= 0).all()
    laydown, _ = load_laydown(EXAMPLES / "laydown.yaml")
    assert sum(p.count for p in laydown.place) == 9
    plan, campaign_path = load_procurement(EXAMPLES / "procurement.yaml")
    assert campaign_path.name == "supply_pause.yaml" and plan.bound.max == 158
