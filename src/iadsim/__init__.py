"""iadsim: Monte Carlo simulation and planning of layered air and missile defence.

Simulation, analysis, planning and training software only: it never connects
to real sensors or weapons. The main calls::

    scenario = iadsim.load_scenario("examples/single_battery.yaml")
    compiled = iadsim.compile_scenario(scenario)
    outcomes = iadsim.simulate(compiled, replications=1000, seed=1)
    summary = iadsim.summarize(compiled, outcomes)

Importing iadsim is cheap: the parts load when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0.dev0"

_LAZY = {
    "load_scenario": "iadsim.scenario",
    "parse_scenario": "iadsim.scenario",
    "Scenario": "iadsim.scenario",
    "compile_scenario": "iadsim.compile",
    "CompiledScenario": "iadsim.compile",
    "simulate": "iadsim.engine",
    "Outcomes": "iadsim.engine",
    "Fate": "iadsim.engine",
    "summarize": "iadsim.metrics",
    "Summary": "iadsim.metrics",
    "run_file": "iadsim.api",
    "ScenarioError": "iadsim.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'iadsim' has no attribute {name!r}")
