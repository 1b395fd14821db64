"""The assignment policies: one table from which everything else derives.

A policy is two kernels (:mod:`iadsim.kernel`), run by both engines:

- a **score**: ``score(kill, rounds, value, worth, round_cost, time_to_go,
  decision_cycle) -> float``, an option's worth to the policy, or ``-inf`` to
  decline it (it is then not offered at all);
- a **choice**: ``choose(order, n, score, thr, unit, rounds, free, spare, used,
  node_limit, fwork, iwork) -> n_chosen`` over the cycle's options in greedy order
  (:mod:`iadsim.c2.greedy` describes the arrays).

:data:`POLICIES` holds them by name with their code (the number the engines
carry), what they need from the scenario, and a description. The scenario
schema, the command line's choices, the engines and the validation rules all
read this table. The engines reach a policy's kernels through
:func:`score_option` and :func:`choose`, which dispatch on the code.

Adding a policy, all in ``c2/``: write its kernels (a new module, or reuse
greedy's), give it a row in :data:`POLICIES` with the next code, and a branch
in :func:`score_option` and :func:`choose`; then
``iadsim.c2.check.check_policy(name)`` must pass (the two engines agree on
random scenarios and on the examples, and the analytic cases hold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from iadsim.c2.cost_aware import cost_aware_score
from iadsim.c2.exact import exact_choose
from iadsim.c2.greedy import CHOICE_SIGNATURE, greedy_choose, greedy_score
from iadsim.kernel import kernel

__all__ = [
    "COST_AWARE",
    "EXACT",
    "GREEDY",
    "POLICIES",
    "POLICY_NAMES",
    "Policy",
    "choose",
    "policy",
    "policy_code",
    "score_option",
]

GREEDY = 0
COST_AWARE = 1
EXACT = 2


@dataclass(frozen=True)
class Policy:
    """One assignment policy."""

    name: str
    """The name in scenario files (``doctrine.policy``), sweeps and ``--policy``."""
    code: int
    """The number the engines carry for it."""
    description: str
    """One paragraph: what the policy does, for the schema and ``--help``."""
    score: Callable[..., float]
    """Its score kernel."""
    choose: Callable[..., int]
    """Its choice kernel."""
    needs: tuple[str, ...] = ()
    """Doctrine fields it cannot do without (e.g. ``value_unit``)."""


_TABLE = (
    Policy(
        "greedy",
        GREEDY,
        "options scored by threat priority (asset value per second to impact) x salvo kill "
        "chance, taken best first (maximum marginal return)",
        greedy_score,
        greedy_choose,
    ),
    Policy(
        "cost_aware",
        COST_AWARE,
        "only engagements whose expected value saved exceeds the cost of their rounds, best "
        "net value per second to impact first",
        cost_aware_score,
        greedy_choose,
        needs=("value_unit",),
    ),
    Policy(
        "exact",
        EXACT,
        "greedy's scores, but the set of engagements with the largest total, by branch and bound",
        greedy_score,
        exact_choose,
    ),
)

POLICIES: Mapping[str, Policy] = MappingProxyType({p.name: p for p in _TABLE})
"""Every policy by name, in the order they were added."""

POLICY_NAMES: tuple[str, ...] = tuple(POLICIES)
"""The names, for choices and messages."""


def policy(name: str) -> Policy:
    """The policy called ``name``; ``ValueError`` naming the known ones if there is none."""
    found = POLICIES.get(name)
    if found is None:
        raise ValueError(f"unknown policy {name!r}; known: {', '.join(POLICY_NAMES)}")
    return found


def policy_code(name: str) -> int:
    """The engines' number for policy ``name``."""
    return policy(name).code


@kernel(inline=True)
def score_option(
    code: int,
    kill: float,
    rounds: int,
    value: float,
    worth: float,
    round_cost: float,
    time_to_go: float,
    decision_cycle: float,
) -> float:
    """The score kernel of policy ``code`` (see :data:`POLICIES`)."""
    if code == COST_AWARE:
        return cost_aware_score(kill, rounds, value, worth, round_cost, time_to_go, decision_cycle)
    return greedy_score(kill, rounds, value, worth, round_cost, time_to_go, decision_cycle)


@kernel(signature=CHOICE_SIGNATURE.replace("int64(", "int64(int64, ", 1))
def choose(
    code: int,
    order: Any,
    n: int,
    score: Any,
    thr: Any,
    unit: Any,
    rounds: Any,
    free: Any,
    spare: Any,
    used: Any,
    node_limit: int,
    fwork: Any,
    iwork: Any,
) -> int:
    """The choice kernel of policy ``code`` (see :data:`POLICIES`)."""
    if code == EXACT:
        return exact_choose(
            order, n, score, thr, unit, rounds, free, spare, used, node_limit, fwork, iwork
        )
    return greedy_choose(
        order, n, score, thr, unit, rounds, free, spare, used, node_limit, fwork, iwork
    )
