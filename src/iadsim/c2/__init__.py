"""Command and control: threat evaluation and weapon-assignment policies for the engines.

The policies are in one table, :data:`POLICIES` (:mod:`iadsim.c2.registry`):

- ``greedy``: options scored by threat priority (asset value per second to impact)
  times salvo kill chance, taken best first (maximum marginal return);
- ``cost_aware``: an option is offered only if the value it expects to save
  (kill chance x the threat's worth in dollars) exceeds the cost of its rounds,
  and is scored by that net value per second to impact, then taken greedily; so
  a $4M interceptor goes to a $30k drone only when the asset justifies it;
- ``exact``: greedy's scores, but the set of engagements with the largest total,
  by branch and bound (:func:`exact_choose`).

Every function an engine calls here is a kernel (:mod:`iadsim.kernel`).
"""

from iadsim.c2.exact import NODE_LIMIT, exact_assign, exact_choose
from iadsim.c2.greedy import (
    Option,
    choice_positions,
    greedy_assign,
    greedy_choose,
    greedy_order,
    option_before,
    salvo_kill,
    sort_options,
    threat_priority,
)
from iadsim.c2.registry import (
    POLICIES,
    POLICY_NAMES,
    Policy,
    choose,
    policy,
    policy_code,
    score_option,
)

__all__ = [
    "NODE_LIMIT",
    "POLICIES",
    "POLICY_NAMES",
    "Option",
    "Policy",
    "choice_positions",
    "choose",
    "exact_assign",
    "exact_choose",
    "greedy_assign",
    "greedy_choose",
    "greedy_order",
    "option_before",
    "policy",
    "policy_code",
    "salvo_kill",
    "score_option",
    "sort_options",
    "threat_priority",
]
