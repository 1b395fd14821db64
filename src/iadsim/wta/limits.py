"""Limits of WTA instances, and the memory a solver needs, checked before anything is allocated.

Documented limits (README, "Weapon-target assignment"):

- an instance file is at most ``MAX_FILE_BYTES`` (64 MiB);
- weapon types x targets is at most ``MAX_PAIRS`` (1,000,000);
- rounds in all (the sum of the counts) are at most ``MAX_ROUNDS`` (100,000);
- values, kill probabilities, costs and the cost weight are finite numbers (no NaN or
  infinity), none negative, probabilities at most 1;
- a shot limit above the total number of rounds means no limit.

Besides, before a solver starts, :func:`check_memory` estimates the memory it will
need from the instance's sizes and refuses (saying how much) what the machine does
not have: the assignment exchanges of ``descent``, ``local`` and ``exact`` hold a
dense matrix of the freed rounds against the targets.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from iadsim.errors import IadsimError
from iadsim.limits import available_memory

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PAIRS",
    "MAX_ROUNDS",
    "InstanceError",
    "available_memory",
    "check_memory",
    "check_seed",
    "check_time_limit",
    "memory_needed",
]

MAX_FILE_BYTES = 64 * 2**20
"""Largest instance file read (64 MiB: a 1000 x 1000 instance takes about 25 MB)."""
MAX_PAIRS = 1_000_000
"""Most weapon types x targets."""
MAX_ROUNDS = 100_000
"""Most rounds in all: solvers hold one entry per round."""
SEED_MAX = 2**64 - 1
"""Largest solver seed."""


class InstanceError(IadsimError):
    """A WTA instance that cannot be read or solved here: names the file and what was expected.

    Attributes:
        source: the file (or the instance's name, for one built in Python).
        message: what is wrong and what was expected.
    """

    def __init__(
        self, source: str | Path, message: str, *, head: str = "not a valid WTA instance"
    ) -> None:
        self.source = str(source)
        self.message = " ".join(message.split())
        super().__init__(f"{self.source}: {head}: {self.message}")


def check_time_limit(time_limit: float | None) -> float | None:
    """``time_limit`` in seconds as solvers use it: None (or infinity) for none.

    Raises:
        ValueError: not a number, NaN or negative.
    """
    if time_limit is None:
        return None
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
        raise ValueError(f"time_limit must be a number of seconds or None, got {time_limit!r}")
    value = float(time_limit)
    if math.isnan(value) or value < 0:
        raise ValueError(f"time_limit must be a number of seconds >= 0, got {time_limit!r}")
    return None if math.isinf(value) else value


def check_seed(seed: Any) -> int:
    """``seed`` as a Python int in 0 .. 2^64 - 1.

    Raises:
        ValueError: not a whole number in that range.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ValueError(f"seed must be a whole number from 0 to 2^64 - 1, got {seed!r}")
    return int(seed)


def _many(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _gb(size: float) -> str:
    return f"{size / 1e9:.1f} GB" if size >= 1e8 else f"{size / 1e9:.2f} GB"


def memory_needed(problem: Any, solver: str) -> int:
    """Bytes that ``solver`` needs on ``problem`` (an estimate from sizes, on the high side).

    ``problem`` is a :class:`iadsim.wta.Problem`. Counted: the instance's m x n
    tables (several temporary copies), the per-round arrays, and for solvers that
    run assignment exchanges (``descent``, ``local``, ``exact``) the dense matrix of
    freed rounds against targets (plus one column per round when holding a round
    back can pay: costs or shot limits). ``exact`` and ``oa`` add the HiGHS model.
    """
    import numpy as np

    m, n = problem.pk.shape
    pairs = m * n
    rounds = int(problem.counts.sum())
    need = 8 * (8 * pairs + 8 * rounds + 16 * n + 16 * m)
    if solver in ("descent", "local", "exact"):
        may_hold = problem.has_costs or problem.shot_limits is not None
        if may_hold:
            freed = rounds
        else:  # every useful round is fired; rounds of useless types stay freed
            useless = ~np.any((problem.pk > 0) & (problem.values[None, :] > 0), axis=1)
            freed = min(rounds, n + int(problem.counts[useless].sum()))
        columns = n + (freed if may_hold else 0)
        need += 8 * freed * (2 * n + columns) + freed * n
    if solver in ("exact", "oa"):
        need += 200 * pairs + 400 * n  # HiGHS: columns, rows and the first cuts
    return int(need)


def check_memory(problem: Any, solver: str, source: str | Path | None = None) -> None:
    """Refuse, before it starts, a solve that would need more memory than is available.

    Raises:
        InstanceError: naming ``source`` (default: the instance's name), the memory
            needed and the memory available.
    """
    need = memory_needed(problem, solver)
    have = available_memory()
    if need <= have:
        return
    m, n = problem.pk.shape
    rounds = int(problem.counts.sum())
    hint = ""
    if solver != "greedy" and memory_needed(problem, "greedy") <= have:
        hint = "; the greedy solver fits"
    raise InstanceError(
        source if source is not None else problem.name,
        f"solver {solver} needs about {_gb(need)} of memory for {_many(rounds, 'round')} "
        f"of {_many(m, 'weapon type')} against {_many(n, 'target')}, and {_gb(have)} is "
        f"available{hint}",
        head="too large to solve here",
    )
