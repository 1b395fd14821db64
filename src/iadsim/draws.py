"""Counter-based random draws (the design notes' invariant 1: docs/dev/design.md).

Every draw is a pure function of ``(seed, replication, purpose, entity, index)``:
a SplitMix64 hash of the five words. No generator state is carried, so a
replicate gives the same result whichever process runs it, in whatever order,
and two engines can be checked draw for draw.

The functions are kernels (:mod:`iadsim.kernel`): the fast engine compiles this
very code, with 64-bit words as ``numpy.uint64`` instead of masked Python ints.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from iadsim.kernel import kernel

__all__ = ["Purpose", "bits", "bits_after", "key_prefix", "uniform", "uniform_after"]

MASK = 0xFFFFFFFFFFFFFFFF
GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_TO_UNIT = 2.0**-53


class Purpose(IntEnum):
    """What a draw is for; part of its key, so draws for different uses never collide."""

    DETECT_PHASE = 1
    """Phase of the first look of a sensor at a threat (entity: detection window)."""
    DETECT = 2
    """One look of a sensor (entity: detection window, index: look number)."""
    KILL = 3
    """One round of an engagement (entity: threat, index: engagement * 8 + round)."""
    EW_SUSCEPTIBLE = 4
    """Whether a threat's navigation can be jammed at all (entity: threat)."""
    EW_EFFECT = 5
    """Whether one EW site defeats a susceptible threat (entity: threat, index: EW window)."""
    DAMAGE = 6
    """Whether a leaker destroys its asset (entity: threat)."""
    ROUTE_JITTER = 7
    """Waypoint jitter at compile time (entity: raid, index: threat * 64 + coordinate)."""
    LAUNCH_TIME = 8
    """Random launch spacing at compile time (entity: raid, index: threat)."""
    NET_FAIL = 9
    """Random failures of the network (entity: element, index: 2 * failure (+1: repair))."""


def _uint64(x: int) -> int:  # the compiled stand-in for _word
    return np.uint64(x)  # type: ignore[return-value]


@kernel(inline=True, compiled_as=_uint64)
def _word(x: int) -> int:
    """A key word as an unsigned 64-bit integer."""
    return int(x) & MASK


@kernel(inline=True)
def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


@kernel(inline=True)
def key_prefix(seed: int, replication: int, purpose: int) -> int:
    """The first three words of a draw's key, mixed: one per purpose in a replication.

    A loop over many draws of one purpose computes it once and draws with
    :func:`uniform_after`; the draws are those of :func:`uniform`, bit for bit.
    """
    h = _mix((_word(seed) + GOLDEN) & MASK)
    h = _mix(((h ^ _word(replication)) + GOLDEN) & MASK)
    return _mix(((h ^ _word(purpose)) + GOLDEN) & MASK)


@kernel(inline=True)
def bits_after(prefix: int, entity: int, index: int) -> int:
    """:func:`bits` from its key's :func:`key_prefix` and its last two words."""
    h = _mix(((prefix ^ _word(entity)) + GOLDEN) & MASK)
    return _mix(((h ^ _word(index)) + GOLDEN) & MASK)


@kernel(signature="uint64(uint64, int64, int64, int64, int64)")
def bits(seed: int, replication: int, purpose: int, entity: int, index: int) -> int:
    """64 random bits for one draw: SplitMix64 over the five words of its key."""
    return bits_after(key_prefix(seed, replication, purpose), entity, index)


@kernel(signature="float64(uint64, int64, int64, int64, int64)")
def uniform(seed: int, replication: int, purpose: int, entity: int, index: int) -> float:
    """A uniform draw in [0, 1) with 53 random bits, keyed like :func:`bits`."""
    return float(bits(seed, replication, purpose, entity, index) >> 11) * _TO_UNIT


@kernel(inline=True)
def uniform_after(prefix: int, entity: int, index: int) -> float:
    """:func:`uniform` from its key's :func:`key_prefix` and its last two words."""
    return float(bits_after(prefix, entity, index) >> 11) * _TO_UNIT
