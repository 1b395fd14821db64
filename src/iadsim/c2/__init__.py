"""Command and control: threat evaluation and weapon-assignment policies for the engines.

Policies, chosen by the doctrine's ``policy``:

- ``greedy``: options scored by threat priority (asset value per second to impact)
  times salvo kill chance, taken best first (maximum marginal return);
- ``cost_aware``: an option is offered only if the value it expects to save
  (kill chance x the threat's worth in dollars) exceeds the cost of its rounds,
  and is scored by that net value per second to impact, then taken greedily; so
  a $4M interceptor goes to a $30k drone only when the asset justifies it;
- ``exact``: greedy's scores, but the set of engagements with the largest total,
  by branch and bound (:func:`exact_assign`).
"""

from iadsim.c2.exact import NODE_LIMIT, exact_assign
from iadsim.c2.greedy import Option, greedy_assign, greedy_order, salvo_kill, threat_priority

__all__ = [
    "NODE_LIMIT",
    "POLICY_CODES",
    "Option",
    "exact_assign",
    "greedy_assign",
    "greedy_order",
    "salvo_kill",
    "threat_priority",
]

POLICY_CODES = {"greedy": 0, "cost_aware": 1, "exact": 2}
"""Policy names and the numbers the fast engine uses for them."""
