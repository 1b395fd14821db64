"""The engagement simulation: Monte Carlo replications of a compiled scenario."""

from iadsim.engine.outcomes import Fate, Outcomes
from iadsim.engine.reference import TraceEvent, trace_replication
from iadsim.engine.simulate import (
    BATCH_SIZE,
    ENGINES,
    POLICIES,
    run_replications,
    simulate,
    simulate_batches,
)

__all__ = [
    "BATCH_SIZE",
    "ENGINES",
    "POLICIES",
    "Fate",
    "Outcomes",
    "TraceEvent",
    "run_replications",
    "simulate",
    "simulate_batches",
    "trace_replication",
]
