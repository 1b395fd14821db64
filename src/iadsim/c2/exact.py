"""The exact per-cycle assignment: the best set of engagements, by branch and bound.

At one decision cycle the options are few (tens at most): each is one fire
unit firing one salvo at one threat, with a score. The best assignment takes
at most one option per threat, no more options per unit than it has free
channels, and no more rounds than it has ready, and maximises the total score.
Greedy maximum marginal return is a heuristic for the same problem.

The search is written as an explicit loop (not recursion) so that the fast
engine runs the very same steps and reaches the same answer bit for bit.
"""

from __future__ import annotations

from iadsim.c2.greedy import Option

__all__ = ["NODE_LIMIT", "exact_assign"]

NODE_LIMIT = 100_000
"""Search nodes per decision cycle; past it, the best assignment found so far is used."""


def exact_assign(
    options: list[Option],
    free_channels: list[int],
    ready_rounds: list[int],
    *,
    node_limit: int = NODE_LIMIT,
) -> list[Option]:
    """The feasible set of options with the largest total score.

    ``options`` must be in greedy order (best score first); ties between equal
    totals go to the set found first in include-before-skip depth-first order,
    so greedy's choice wins a tie. Options with a score of zero or less are
    never worth taking. ``free_channels`` and ``ready_rounds`` are updated for
    the options chosen, which are returned in greedy order.
    """
    n = len(options)
    suffix = [0.0] * (n + 1)  # the most the options from j on could add
    for j in range(n - 1, -1, -1):
        suffix[j] = suffix[j + 1] + max(options[j].score, 0.0)
    taken = [False] * n
    threat_used: dict[int, bool] = {}
    free = list(free_channels)
    ready = list(ready_rounds)
    best = 0.0
    best_set: list[int] = []
    total = 0.0
    # depth-first over options: at depth j, state 0 = try taking j, 1 = try skipping j,
    # 2 = done with j (undo and go up)
    state = [0] * (n + 1)
    saved = [0.0] * (n + 1)  # the total before option j was taken
    j = 0
    nodes = 0
    while j >= 0:
        if j == n:
            if total > best:
                best = total
                best_set = [k for k in range(n) if taken[k]]
            j -= 1
            continue
        if state[j] == 0:
            state[j] = 1
            nodes += 1
            if nodes > node_limit or total + suffix[j] <= best:
                state[j] = 2  # nothing below can beat the best: prune
                continue
            o = options[j]
            if (
                o.score > 0.0
                and not threat_used.get(o.threat, False)
                and free[o.unit] > 0
                and ready[o.unit] >= o.rounds
            ):
                taken[j] = True
                threat_used[o.threat] = True
                free[o.unit] -= 1
                ready[o.unit] -= o.rounds
                saved[j] = total
                total = total + o.score
                state[j + 1] = 0
                j += 1
            continue
        if state[j] == 1:
            state[j] = 2
            if taken[j]:  # undo the take, then try skipping
                o = options[j]
                taken[j] = False
                threat_used[o.threat] = False
                free[o.unit] += 1
                ready[o.unit] += o.rounds
                total = saved[j]
            state[j + 1] = 0
            j += 1
            continue
        # state 2: this level is finished
        j -= 1
    chosen = [options[k] for k in best_set]
    for o in chosen:
        free_channels[o.unit] -= 1
        ready_rounds[o.unit] -= o.rounds
    return chosen
