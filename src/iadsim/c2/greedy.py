"""Threat evaluation, option order and the greedy maximum-marginal-return choice.

All kernels (:mod:`iadsim.kernel`): both engines run this code, the reference as
Python and the fast engine compiled.

A decision cycle's options are held as parallel arrays indexed by option
number: ``score``, ``meet`` (intercept time), ``thr`` (threat), ``unit``,
``win`` (engagement window) and ``rounds``. ``order`` lists option numbers; a
choice kernel moves the chosen ones to its front, in greedy order, and returns
how many there are. Choice kernels take workspaces ``fwork`` (``2n + 2``
floats) and ``iwork`` (``3n + 1`` integers) for ``n`` options, since kernels do
not allocate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar

from iadsim.kernel import kernel

__all__ = [
    "Option",
    "choice_positions",
    "greedy_assign",
    "greedy_choose",
    "greedy_order",
    "greedy_score",
    "option_before",
    "salvo_kill",
    "sort_options",
    "threat_priority",
]


CHOICE_SIGNATURE = (
    "int64(int64[::1], int64, float64[::1], int64[::1], int64[::1], int64[::1], int64[::1],"
    " int64[::1], boolean[::1], int64, float64[::1], int64[::1])"
)
"""The compiled type of every choice kernel (the fast engine's arrays)."""
SORT_SIGNATURE = (
    "none(int64[::1], int64, float64[::1], float64[::1], int64[::1], int64[::1], int64[::1])"
)


@kernel(inline=True)
def threat_priority(value: float, time_to_go: float, decision_cycle: float) -> float:
    """Threat evaluation: value of the asset aimed at per second left before impact.

    A threat a minute from a power plant outranks one an hour from it; at equal
    time to go, the more valuable asset wins. Time to go is floored at one
    decision cycle so the priority stays finite.
    """
    return value / max(time_to_go, decision_cycle)


@kernel(inline=True)
def salvo_kill(pk: float, rounds: int) -> float:
    """Chance that at least one of ``rounds`` independent rounds kills: 1 - (1 - pk)^rounds."""
    miss = 1.0
    for _ in range(rounds):
        miss *= 1.0 - pk
    return 1.0 - miss


@kernel(inline=True)
def greedy_score(
    kill: float,
    rounds: int,
    value: float,
    worth: float,
    round_cost: float,
    time_to_go: float,
    decision_cycle: float,
) -> float:
    """Greedy's score of an option: threat priority x salvo kill chance."""
    return threat_priority(value, time_to_go, decision_cycle) * kill


@kernel(inline=True)
def option_before(score: Any, meet: Any, thr: Any, unit: Any, win: Any, a: int, b: int) -> bool:
    """The greedy order: higher score, then earlier intercept, lower threat, unit, window.

    A strict total order (an option is one window), so sorting never depends on
    the order options were found in.
    """
    if score[a] != score[b]:
        return bool(score[a] > score[b])
    if meet[a] != meet[b]:
        return bool(meet[a] < meet[b])
    if thr[a] != thr[b]:
        return bool(thr[a] < thr[b])
    if unit[a] != unit[b]:
        return bool(unit[a] < unit[b])
    return bool(win[a] < win[b])


@kernel(signature=SORT_SIGNATURE)
def sort_options(order: Any, n: int, score: Any, meet: Any, thr: Any, unit: Any, win: Any) -> None:
    """Sort option numbers ``order[:n]`` into the greedy order (binary insertion sort)."""
    for k in range(1, n):
        item = order[k]
        lo, hi = 0, k
        while lo < hi:
            mid = (lo + hi) >> 1
            if option_before(score, meet, thr, unit, win, item, order[mid]):
                hi = mid
            else:
                lo = mid + 1
        for m in range(k, lo, -1):
            order[m] = order[m - 1]
        order[lo] = item


@kernel(signature=CHOICE_SIGNATURE)
def greedy_choose(
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
    """Greedy maximum marginal return over options ``order[:n]`` (in greedy order).

    Each threat gets at most one engagement per cycle, and a unit fires only
    while it has a free channel (``free``) and enough ready rounds (``spare``);
    both are updated. ``used`` (per threat) is left clear.
    """
    n_chosen = 0
    for k in range(n):
        o = order[k]
        i, u = thr[o], unit[o]
        if used[i] or free[u] <= 0 or spare[u] < rounds[o]:
            continue
        free[u] -= 1
        spare[u] -= rounds[o]
        used[i] = True
        order[n_chosen] = o
        n_chosen += 1
    for k in range(n_chosen):
        used[thr[order[k]]] = False
    return n_chosen


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


OptionT = TypeVar("OptionT")
"""An :class:`Option`, or anything with its fields (the engine's ``Offer``)."""


def greedy_order(options: Sequence[OptionT]) -> list[OptionT]:
    """``options`` sorted by :func:`option_before`."""
    columns = _columns(options)
    order = list(range(len(options)))
    sort_options(order, len(options), *columns[:5])
    return [options[k] for k in order]


def _columns(options: Sequence[Any]) -> tuple[list[Any], ...]:
    return (
        [o.score for o in options],
        [o.intercept for o in options],
        [o.threat for o in options],
        [o.unit for o in options],
        [o.window for o in options],
        [o.rounds for o in options],
    )


def choice_positions(
    choose: Any,
    options: Sequence[Any],
    free_channels: list[int],
    ready_rounds: list[int],
    node_limit: int,
    used: list[bool] | None = None,
) -> list[int]:
    """Positions of the options that choice kernel ``choose`` takes, in order.

    ``options`` must be in greedy order; ``free_channels`` and ``ready_rounds`` are
    updated. ``used`` (per threat, all False) may be given to save allocating it; it is left clear.
    """
    score, _, thr, unit, _, rounds = _columns(options)
    n = len(options)
    order = list(range(n))
    if used is None:
        used = [False] * (max(thr, default=-1) + 1)
    fwork, iwork = [0.0] * (2 * n + 2), [0] * (3 * n + 1)
    n = choose(
        order,
        n,
        score,
        thr,
        unit,
        rounds,
        free_channels,
        ready_rounds,
        used,
        node_limit,
        fwork,
        iwork,
    )
    return sorted(order[:n])


def run_choice(
    choose: Any,
    options: list[Option],
    free_channels: list[int],
    ready_rounds: list[int],
    node_limit: int,
) -> list[Option]:
    """Run choice kernel ``choose`` on options in greedy order; update the unit lists."""
    positions = choice_positions(choose, options, free_channels, ready_rounds, node_limit)
    return [options[k] for k in positions]


def greedy_assign(
    options: list[Option], free_channels: list[int], ready_rounds: list[int]
) -> list[Option]:
    """Greedy over ``options`` in any order: :func:`greedy_choose` after :func:`greedy_order`."""
    return run_choice(greedy_choose, greedy_order(options), free_channels, ready_rounds, 0)
