"""What the planners share when a planning file is resolved against its scenario.

A campaign, laydown or procurement file can be valid on its own and still name
what its scenario does not have (a stockpiled class, a fire unit to remove, a
threat kind) or ask for more work than fits in memory. The loaders in
:mod:`iadsim.scenario` check most of it when the file is read; the planners check
again what a Python caller could pass them directly, and the memory that depends
on arguments (``replications``). Problems are reported against the planning file,
by field path, as :class:`~iadsim.errors.CampaignError`,
:class:`~iadsim.errors.LaydownError` or :class:`~iadsim.errors.ProcurementError`
(``invalid campaign``, ...), never as a problem of the scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from iadsim import limits
from iadsim.errors import ScenarioError

__all__ = ["refuse_if_too_big", "some"]


def some(names: Iterable[str], limit: int = 6) -> str:
    """A few names for a message: ``a, b, c`` or ``a, b, c, ... (12 in all)``."""
    items = list(dict.fromkeys(names))
    if not items:
        return "none"
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}, ... ({len(items)} in all)"


def refuse_if_too_big(
    needed: float,
    work: str,
    *,
    error: type[ScenarioError],
    source: str | Path,
    field: str,
) -> None:
    """Refuse ``work`` estimated to need ``needed`` bytes if it does not fit in memory.

    See :func:`iadsim.limits.check_memory` (a share of the memory available).

    Raises:
        ScenarioError: of class ``error``, naming ``field`` of ``source`` and how much
            the work needs.
    """
    problem = limits.check_memory(needed, work)
    if problem is not None:
        raise error(source, [(field, problem)])
