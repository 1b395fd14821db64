"""What a built-in policy would choose at a decision the player faces, and what a choice is worth.

A session runs its replication under greedy's scores, so that every option a
unit has is offered (greedy declines nothing; cost_aware declines options not
worth their rounds). A policy's choice at a decision is then computed here from
the offers, exactly as the engine computes it under that policy:

- its **scores**: greedy and exact take the offers' own scores; cost_aware
  scores each offer again with its kernel (:func:`iadsim.c2.score_option`) and
  drops those it declines;
- its **order**: :func:`iadsim.c2.greedy_order` over those scores (the strict
  total order the engines use);
- its **choice kernel** (:func:`iadsim.c2.choose`) over the units' free
  channels and ready rounds.

So delegating every unit to a policy gives that policy's night bit for bit (a
test holds this). Restricted to some units and to the threats the player has
not taken, it is the policy's part of a shared command.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from functools import partial

from iadsim.c2 import choice_positions, choose, greedy_order, score_option
from iadsim.c2 import policy as find_policy
from iadsim.c2.registry import COST_AWARE
from iadsim.engine.reference import Offer, Replication

__all__ = ["offer_value", "policy_choice", "policy_scores"]


def policy_scores(
    replication: Replication, time: float, offers: Sequence[Offer], name: str
) -> list[float]:
    """Each offer's score under policy ``name`` at ``time`` (``-inf``: the policy declines it)."""
    code = find_policy(name).code
    sc = replication.sc
    if sc.policy == code or COST_AWARE not in (code, sc.policy):  # greedy, exact: same scores
        return [o.score for o in offers]
    return [
        score_option(
            code,
            o.kill,
            o.rounds,
            sc.value[o.threat],
            sc.worth[o.threat],
            sc.unit_cost[o.unit],
            sc.impact_time[o.threat] - time,
            sc.decision_cycle,
        )
        for o in offers
    ]


def offer_value(replication: Replication, time: float, offer: Offer, name: str) -> float:
    """An offer's worth under policy ``name``'s score, without its cut-off.

    greedy and exact: threat priority x kill chance (asset value per second to
    impact); cost_aware: (kill chance x the threat's worth - the rounds' cost) per
    second to impact, negative when the rounds cost more than they are expected to
    save (the policy would decline it).
    """
    sc = replication.sc
    ttg = max(sc.impact_time[offer.threat] - time, sc.decision_cycle)
    if find_policy(name).code == COST_AWARE:
        net = offer.kill * sc.worth[offer.threat] - offer.rounds * sc.unit_cost[offer.unit]
        return float(net / ttg)
    return float(sc.value[offer.threat] / ttg * offer.kill)


def policy_choice(
    replication: Replication,
    time: float,
    offers: Sequence[Offer],
    name: str,
    *,
    units: Collection[int] | None = None,
    taken: Collection[int] = (),
    free: Sequence[int] | None = None,
    ready: Sequence[int] | None = None,
) -> list[int]:
    """Positions in ``offers`` that policy ``name`` takes at this decision.

    Args:
        replication: the replication (for its scene and, by default, its units' state).
        time: the decision's time (s).
        offers: the decision's offers, in greedy order.
        name: a registered policy.
        units: only these units' offers (default: all).
        taken: threats already engaged in this choice (the player's picks).
        free: each unit's free fire channels (default: now).
        ready: each unit's ready rounds (default: now).
    """
    sc = replication.sc
    if free is None:
        free = [sc.unit_channels[u] - replication.busy[u] for u in range(len(replication.busy))]
    if ready is None:
        ready = replication.ready
    scores = policy_scores(replication, time, offers, name)
    kept = [
        k
        for k, o in enumerate(offers)
        if scores[k] != -math.inf and (units is None or o.unit in units) and o.threat not in taken
    ]
    rescored = [offers[k]._replace(score=scores[k]) for k in kept]
    where = {id(o): k for o, k in zip(rescored, kept, strict=True)}
    ordered = greedy_order(rescored)
    chosen = choice_positions(
        partial(choose, find_policy(name).code),
        ordered,
        list(free),
        list(ready),
        sc.node_limit,
    )
    return sorted(where[id(ordered[k])] for k in chosen)
