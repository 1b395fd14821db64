"""The after-action review: the player's night beside greedy, cost-aware and exact command.

Each built-in policy commands the same replication from the start (same
scenario, seed and replication index, so the same detections, kill draws, EW
and damage draws wherever the same shots are fired). The review gives, for the
player's night and each policy's: leakers, leakers that destroyed their asset,
value lost (the scenario's asset values), kills, threats lost to EW, rounds,
engagements and money spent on rounds (US dollars).

The **best policy** is the one with the least value lost, then the fewest
leakers, then the least money. The decisions where the player's choice differed
most from it are measured by **score lost**: at the decision as the player faced
it (the same offers, free channels and ready rounds), the best policy's own
choice is computed, and each choice is valued by the best policy's score,
summed over its offers (greedy and exact: threat priority x kill chance, in asset
value per second to impact; cost_aware: net dollars expected to be saved per
second to impact, negative for an engagement not worth its rounds). Score lost
is the policy's total less the total of what was chosen (the player's picks
and the delegated units' choices together); it is positive where the policy
would have done better by its own measure. The **kill chance lost** (sum of
the salvos' kill chances, policy less player) is given beside it. Decisions are
listed by score lost, largest first (ties: earlier first), one per situation:
decisions where the policy would take the same engagements and the player took
the same ones (holding fire on one threat tick after tick, say) are one entry,
the worst of them, with ``repeated`` saying how many decisions it stands for.
Score lost grows as impact nears (a second's hesitation costs more a minute
from impact than an hour from it), so the last decisions of a run weigh most.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from iadsim.c2 import POLICY_NAMES
from iadsim.compile import CompiledScenario
from iadsim.engine.outcomes import Fate, Outcomes
from iadsim.engine.reference import Replication
from iadsim.wargame.choices import offer_value, policy_choice
from iadsim.wargame.errors import WargameError
from iadsim.wargame.session import Logged, Session

__all__ = ["DECISIONS_LISTED", "MEASURE", "after_action_review", "night"]

DECISIONS_LISTED = 10
"""Decisions listed in the review at most."""

MEASURE = (
    "score lost: the best policy's score of its own choice at the decision as you faced it, "
    "less its score of the offers taken (yours and your delegated units'); kill chance lost: "
    "the same difference in the salvos' summed kill chances"
)


def night(compiled: CompiledScenario, out: Outcomes) -> dict[str, Any]:
    """The figures of one night (row 0 of ``out``)."""
    fate = out.fate[0]
    cost = np.asarray(compiled.unit_cost, dtype=np.float64)
    destroyed = out.asset_destroyed[0]
    return {
        "leakers": int((fate == Fate.LEAKED).sum()),
        "hits": int(out.hit[0].sum()),
        "value_lost": float(destroyed @ np.asarray(compiled.asset_value, dtype=np.float64)),
        "assets_destroyed": [a for a, d in zip(compiled.asset_ids, destroyed, strict=True) if d],
        "destroyed": int((fate == Fate.DESTROYED).sum()),
        "jammed": int((fate == Fate.LOST_TO_EW).sum()),
        "rounds": int(out.shots[0].sum()),
        "engagements": int(out.engagements[0].sum()),
        "money": float(out.shots[0] @ cost),
    }


def _rank(figures: dict[str, Any]) -> tuple[float, int, float]:
    return (figures["value_lost"], figures["leakers"], figures["money"])


def _difference(session: Session, logged: Logged, best: str) -> dict[str, Any]:
    rep, cs, move = session.replication, session.compiled, logged.move
    offers = logged.offers
    theirs = policy_choice(rep, move.time, offers, best, free=logged.free, ready=logged.ready)
    mine = list(logged.positions)

    def total(positions: list[int]) -> tuple[float, float]:
        return (
            sum(offer_value(rep, move.time, offers[k], best) for k in positions),
            sum(offers[k].kill for k in positions),
        )

    (p_score, p_kill), (m_score, m_kill) = total(theirs), total(mine)

    def listed(positions: list[int]) -> list[dict[str, Any]]:
        return [
            {
                "threat": offers[k].threat,
                "unit": cs.unit_ids[offers[k].unit],
                "rounds": offers[k].rounds,
                "kill": offers[k].kill,
                "value": offer_value(rep, move.time, offers[k], best),
            }
            for k in positions
        ]

    return {
        "tick": move.tick,
        "time": move.time,
        "score_lost": p_score - m_score,
        "kill_lost": p_kill - m_kill,
        "same": sorted(theirs) == sorted(mine),
        "taken": listed(mine),
        "policy": listed(theirs),
        "offers": len(offers),
    }


def after_action_review(session: Session, *, listed: int = DECISIONS_LISTED) -> dict[str, Any]:
    """The review of a finished session (see the module docstring).

    Raises:
        WargameError: the night is not over yet.
    """
    if not session.finished:
        raise WargameError(
            "the night is not over: play on, or finish it (the review compares whole nights)"
        )
    cs = session.compiled
    nights: dict[str, Any] = {"player": night(cs, session.replication.out)}
    unavailable: dict[str, str] = {}
    for name in POLICY_NAMES:
        if name == "cost_aware" and np.isnan(cs.worth).any():
            unavailable[name] = "needs the scenario's doctrine.value_unit"
            continue
        run = Replication(cs, session.seed, session.index, policy=name).run()
        nights[name] = night(cs, run)
    policies = [n for n in POLICY_NAMES if n in nights]
    best = min(policies, key=lambda n: (*_rank(nights[n]), policies.index(n)))
    differences = [_difference(session, logged, best) for logged in session.log]
    differing = [d for d in differences if not d["same"]]
    situations: dict[tuple[Any, ...], dict[str, Any]] = {}
    for d in sorted(differing, key=lambda d: (-d["score_lost"], d["time"])):
        key = (
            tuple((o["threat"], o["unit"]) for o in d["policy"]),
            tuple((o["threat"], o["unit"]) for o in d["taken"]),
        )
        if key in situations:
            situations[key]["repeated"] += 1
        else:
            situations[key] = {**d, "repeated": 1}
    worst = list(situations.values())
    return {
        "scenario": cs.name,
        "content_hash": cs.content_hash,
        "seed": session.seed,
        "replication": session.index,
        "nights": nights,
        "unavailable": unavailable,
        "best": best,
        "measure": MEASURE,
        "decisions_taken": len(session.log),
        "decisions_differing": len(differing),
        "score_lost_total": sum(d["score_lost"] for d in differences),
        "decisions": worst[:listed],
    }
