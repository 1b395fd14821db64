"""The engagement simulation: Monte Carlo replications of a compiled scenario."""

from iadsim.engine.outcomes import Fate, Outcomes
from iadsim.engine.simulate import ENGINES, POLICIES, simulate

__all__ = ["ENGINES", "POLICIES", "Fate", "Outcomes", "simulate"]
