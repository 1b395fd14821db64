"""Instance generators from the literature."""

from __future__ import annotations

import numpy as np

from iadsim.wta.problem import Problem

__all__ = ["ahuja_instance"]


def ahuja_instance(size: int, *, seed: int = 0) -> Problem:
    """A random instance as in Ahuja, Kumar, Jha and Orlin (2007), Operations Research 55(6).

    ``size`` weapons (one round each) against ``size`` targets; values V_j
    uniform in [25, 100] and kill probabilities p_ij uniform in [0.60, 0.90].
    The same ``(size, seed)`` always gives the same instance (NumPy PCG64;
    values are drawn first, then p row by row).

    Args:
        size: number of weapons and of targets (the paper uses 5 to 200).
        seed: non-negative seed.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    rng = np.random.default_rng([seed, size])
    values = rng.uniform(25.0, 100.0, size)
    pk = rng.uniform(0.60, 0.90, (size, size))
    return Problem(
        values=values,
        pk=pk,
        counts=np.ones(size, dtype=np.int64),
        name=f"ahuja-{size}x{size}-s{seed}",
    )
