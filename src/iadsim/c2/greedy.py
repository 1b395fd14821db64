"""Threat evaluation and the greedy maximum-marginal-return assignment."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Option", "greedy_assign", "greedy_order", "salvo_kill", "threat_priority"]


class Option(NamedTuple):
    """One way to engage one threat now: a fire unit, its salvo and its expected effect."""

    score: float
    """Expected value saved per second of warning: priority x salvo kill chance."""
    intercept: float
    """When the salvo would meet the threat (s)."""
    threat: int
    unit: int
    window: int
    rounds: int


def threat_priority(value: float, time_to_go: float, decision_cycle: float) -> float:
    """Threat evaluation: value of the asset aimed at per second left before impact.

    A threat a minute from a power plant outranks one an hour from it; at equal
    time to go, the more valuable asset wins. Time to go is floored at one
    decision cycle so the priority stays finite.
    """
    return value / max(time_to_go, decision_cycle)


def salvo_kill(pk: float, rounds: int) -> float:
    """Chance that at least one of ``rounds`` independent rounds kills: 1 - (1 - pk)^rounds."""
    miss = 1.0
    for _ in range(rounds):
        miss *= 1.0 - pk
    return 1.0 - miss


def greedy_order(options: list[Option]) -> list[Option]:
    """Best score first; ties: earlier intercept, then lower threat, unit and window index."""
    return sorted(options, key=lambda o: (-o.score, o.intercept, o.threat, o.unit, o.window))


def greedy_assign(
    options: list[Option], free_channels: list[int], ready_rounds: list[int]
) -> list[Option]:
    """Greedy maximum marginal return over this decision cycle's options.

    Options are taken best score first (ties: earlier intercept, lower threat,
    lower unit index, so the order never depends on anything else); each threat
    gets at most one engagement per cycle, and a unit fires only while it has a
    free channel and enough ready rounds.
    """
    chosen: list[Option] = []
    taken: set[int] = set()
    for option in greedy_order(options):
        if option.threat in taken:
            continue
        if free_channels[option.unit] <= 0 or ready_rounds[option.unit] < option.rounds:
            continue
        free_channels[option.unit] -= 1
        ready_rounds[option.unit] -= option.rounds
        taken.add(option.threat)
        chosen.append(option)
    return chosen
