"""Errors found when a planning file is resolved against its scenario, and the planners' limits.

A campaign, laydown or procurement file can be valid on its own and still name
what its scenario does not have (a fire unit to remove, a stockpiled class, a
threat kind) or ask for more work than fits in memory. Those problems are
reported against the planning file, by field path, as ``invalid campaign`` (or
``laydown``, ``procurement``), never as a problem of the scenario.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from iadsim.errors import ScenarioError

__all__ = ["MEMORY_SHARE", "PlanningError", "available_memory", "check_memory", "some"]

MEMORY_SHARE = 0.75
"""Planning work whose estimated memory exceeds this share of the memory available is refused."""


class PlanningError(ScenarioError):
    """A planning file that does not fit its scenario, or asks for more than can be done.

    ``what`` names the file type in the message: ``"campaign"``, ``"laydown"`` or
    ``"procurement"``.
    """

    def __init__(
        self,
        source: str | Path,
        problems: Sequence[tuple[str, str]],
        *,
        what: str,
        lines: dict[str, int] | None = None,
    ) -> None:
        self.what = what
        super().__init__(source, problems, lines=lines)


def some(names: Iterable[str], limit: int = 6) -> str:
    """A few names for a message: ``a, b, c`` or ``a, b, c, ... (12 in all)``."""
    items = list(dict.fromkeys(names))
    if not items:
        return "none"
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}, ... ({len(items)} in all)"


def available_memory() -> int:
    """Bytes of memory available to a new allocation (Linux: MemAvailable), else the total."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def _size(n: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n / 1e3:,.0f} kB"


def check_memory(
    needed: float,
    source: str | Path,
    field: str,
    what: str,
    work: str,
    *,
    limit: float | None = None,
) -> None:
    """Refuse work estimated to need more than :data:`MEMORY_SHARE` of the memory available.

    Raises:
        PlanningError: naming ``field`` of ``source``, how much ``work`` needs and how
            much there is.
    """
    budget = MEMORY_SHARE * available_memory() if limit is None else limit
    if needed > budget:
        raise PlanningError(
            source,
            [
                (
                    field,
                    f"{work} would need about {_size(needed)} of memory, more than the "
                    f"{_size(budget)} iadsim allows itself here ({MEMORY_SHARE:.0%} of what is "
                    "available); ask for less",
                )
            ],
            what=what,
        )
