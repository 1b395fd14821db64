"""The engagement simulation: Monte Carlo replications of a compiled scenario.

Two engines give identical Outcomes: ``fast`` (compiled, on threads) and
``reference`` (plain Python, the specification, steppable decision by decision
through :class:`Replication`; :mod:`iadsim.engine.gym` wraps that in
Gymnasium's reset/step shape).
"""

from iadsim.engine.outcomes import Fate, Outcomes
from iadsim.engine.reference import (
    Decision,
    DecisionMaker,
    Offer,
    Replication,
    TraceEvent,
    TrackView,
    UnitView,
    count_events,
    policy_decision,
    trace_replication,
)
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
    "Decision",
    "DecisionMaker",
    "Fate",
    "Offer",
    "Outcomes",
    "Replication",
    "TraceEvent",
    "TrackView",
    "UnitView",
    "count_events",
    "policy_decision",
    "run_replications",
    "simulate",
    "simulate_batches",
    "trace_replication",
]
