"""The exact per-cycle assignment: the best set of engagements, by branch and bound.

At one decision cycle the options are few (tens at most): each is one fire
unit firing one salvo at one threat, with a score. The best assignment takes
at most one option per threat, no more options per unit than it has free
channels, and no more rounds than it has ready, and maximises the total score.
Greedy maximum marginal return is a heuristic for the same problem.

:func:`exact_choose` is a kernel (:mod:`iadsim.kernel`): the search is an
explicit loop (not recursion), which both engines run, the fast one compiled.
"""

from __future__ import annotations

from typing import Any

from iadsim.c2.greedy import CHOICE_SIGNATURE, Option, run_choice
from iadsim.kernel import kernel

__all__ = ["NODE_LIMIT", "exact_assign", "exact_choose"]

NODE_LIMIT = 100_000
"""Search nodes per decision cycle; past it, the best assignment found so far is used."""


@kernel(signature=CHOICE_SIGNATURE)
def exact_choose(
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
    """The feasible set of options ``order[:n]`` with the largest total score.

    The options must be in greedy order (best score first); ties between equal
    totals go to the set found first in include-before-skip depth-first order,
    so greedy's choice wins a tie. Options with a score of zero or less are
    never worth taking. The chosen options go to the front of ``order`` (in
    greedy order) and their number is returned; ``free`` and ``spare`` are
    updated for them, and ``used`` (per threat) is left clear.

    Workspaces: ``fwork`` at least ``2n + 2`` floats, ``iwork`` at least ``3n + 1``
    integers. In them, from the option's depth ``j``: the most the options from
    ``j`` on could add (``suffix``, ``fwork[j]``: the best option of each threat
    among them, since one per threat is taken), the total before option ``j``
    was taken (``saved``, ``fwork[n + 1 + j]``), whether ``j`` is taken in the
    current set (``iwork[j]``) and in the best set so far (``iwork[n + j]``), and
    the search state at ``j`` (``iwork[2n + j]``: 0 = try taking ``j``, 1 = try
    skipping it, 2 = done with it, undo and go up).
    """
    # the most options j.. could add: each threat's best one (one option per threat is
    # taken; in greedy order a threat's first option from j on is its best)
    fwork[n] = 0.0
    for j in range(n - 1, -1, -1):
        o = order[j]
        gain = max(score[o], 0.0)
        for k in range(j + 1, n):
            if thr[order[k]] == thr[o]:  # its next option no longer counts
                gain -= max(score[order[k]], 0.0)
                break
        fwork[j] = fwork[j + 1] + gain
    for k in range(2 * n):
        iwork[k] = 0
    saved = n + 1
    best_set = n
    state = 2 * n
    best = 0.0
    total = 0.0
    iwork[state] = 0
    j = 0
    nodes = 0
    while j >= 0:
        if j == n:
            if total > best:
                best = total
                for k in range(n):
                    iwork[best_set + k] = iwork[k]
            j -= 1
            continue
        if iwork[state + j] == 0:
            iwork[state + j] = 1
            nodes += 1
            if nodes > node_limit or total + fwork[j] <= best:
                iwork[state + j] = 2  # nothing below can beat the best: prune
                continue
            o = order[j]
            if (
                score[o] > 0.0
                and not used[thr[o]]
                and free[unit[o]] > 0
                and spare[unit[o]] >= rounds[o]
            ):
                iwork[j] = 1
                used[thr[o]] = True
                free[unit[o]] -= 1
                spare[unit[o]] -= rounds[o]
                fwork[saved + j] = total
                total = total + score[o]
                iwork[state + j + 1] = 0
                j += 1
            continue
        if iwork[state + j] == 1:
            iwork[state + j] = 2
            if iwork[j]:  # undo the take, then try skipping
                o = order[j]
                iwork[j] = 0
                used[thr[o]] = False
                free[unit[o]] += 1
                spare[unit[o]] += rounds[o]
                total = fwork[saved + j]
            iwork[state + j + 1] = 0
            j += 1
            continue
        # state 2: this level is finished
        j -= 1
    n_chosen = 0
    for j in range(n):
        if iwork[best_set + j]:
            o = order[j]
            free[unit[o]] -= 1
            spare[unit[o]] -= rounds[o]
            order[n_chosen] = o
            n_chosen += 1
    return n_chosen


def exact_assign(
    options: list[Option],
    free_channels: list[int],
    ready_rounds: list[int],
    *,
    node_limit: int = NODE_LIMIT,
) -> list[Option]:
    """:func:`exact_choose` over ``options`` (in greedy order); the lists are updated."""
    return run_choice(exact_choose, options, free_channels, ready_rounds, node_limit)
