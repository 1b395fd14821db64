"""The cost-aware score: engage only where the value expected to be saved beats the rounds' cost."""

from __future__ import annotations

import math

from iadsim.kernel import kernel

__all__ = ["cost_aware_score"]


@kernel(inline=True)
def cost_aware_score(
    kill: float,
    rounds: int,
    value: float,
    worth: float,
    round_cost: float,
    time_to_go: float,
    decision_cycle: float,
) -> float:
    """Net dollars expected to be saved per second to impact; ``-inf`` when not worth its rounds.

    The net is the salvo's kill chance x the threat's worth (the dollars command
    expects to save by killing it) less the rounds' cost; so a $4M interceptor
    goes to a $30k drone only when the asset it protects justifies it.
    """
    net = kill * worth - rounds * round_cost
    if net <= 0.0:
        return -math.inf
    return net / max(time_to_go, decision_cycle)
