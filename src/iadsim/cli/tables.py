"""Rich tables for a run's summary; numbers are written by :mod:`iadsim.format`.

Intervals are printed ``mean [lo, hi]`` (a comma between the bounds, so a
negative bound can never be misread). A table too wide for the terminal puts
each interval on its own line under its mean instead of letting the terminal
cut it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.console import Console, Group
from rich.measure import Measurement
from rich.table import Table

from iadsim import format as fmt
from iadsim.metrics import Estimate, Summary

__all__ = [
    "estimate_text",
    "fit_table",
    "fits",
    "number",
    "print_summary",
    "render_summary",
    "short_names",
    "value_text",
]

SIGNIFICANT = fmt.SIGNIFICANT
"""Significant digits of a swept or design value (0.3, not 0.30000000000000004)."""


def number(x: float | None, money: bool = False) -> str:
    """A figure to three significant digits (thousands in full, money as $1.2M).

    :func:`iadsim.format.number`, or :func:`iadsim.format.money` with ``money``.
    """
    return fmt.money(x) if money else fmt.number(x)


def estimate_text(e: Estimate | Mapping[str, Any], money: bool = False, sep: str = " ") -> str:
    """``mean [lo, hi]``; only the mean when the interval is undefined or a single value.

    ``e`` is an :class:`Estimate` or its ``{mean, lo, hi}`` dict (``None`` for
    undefined). ``sep`` goes between the mean and the interval (a line break in
    a narrow table). See :func:`iadsim.format.estimate`.
    """
    return fmt.estimate(e, money=money, sep=sep)


value_text = fmt.value
"""A swept or design value to :data:`SIGNIFICANT` digits (:func:`iadsim.format.value`)."""


def short_names(paths: Iterable[str]) -> dict[str, str]:
    """Short column titles for dotted paths, lengthened until they are unique.

    A title is what follows the last list index (``fire_units.0.pk.drone`` →
    ``pk.drone``), or the last part of a path without one.
    """
    paths = list(dict.fromkeys(paths))

    def tail(path: str, extra: int) -> str:
        parts = path.split(".")
        cut = max((i + 1 for i, p in enumerate(parts) if p.isdigit()), default=len(parts) - 1)
        cut = min(cut, len(parts) - 1)
        return ".".join(parts[max(0, cut - extra) :])

    names: dict[str, str] = {}
    for extra in range(0, 1 + max((p.count(".") for p in paths), default=0)):
        names = {p: tail(p, extra) for p in paths}
        if len(set(names.values())) == len(names):
            return names
    return {p: p for p in paths}


def fits(table: Table, console: Console) -> bool:
    """Whether ``table`` fits the console's width without squeezing a column."""
    unbounded = console.options.update(width=1_000_000)
    return Measurement.get(console, unbounded, table).maximum <= console.width


def fit_table(build: Callable[[str], Table], console: Console) -> Table:
    """``build(" ")`` if it fits the console's width, else with intervals under their means.

    ``build(sep)`` makes the table with ``sep`` between each mean and its interval;
    if even that is too wide, the table loses its outer border.
    """
    table = build(" ")
    if fits(table, console):
        return table
    table = build("\n")
    if not fits(table, console):  # still too wide: drop the outer border and its padding
        table.show_edge = False
        table.pad_edge = False
    return table


def render_summary(summary: Summary, console: Console | None = None) -> Group:
    """Tables of a summary: threats by kind, layers, fire-unit classes, cost, assets."""
    console = console or Console()
    level = f"{summary.confidence:.0%}"
    count = summary.replications
    title = (
        f"{summary.name}: {count} replication{'' if count == 1 else 's'}, seed {summary.seed} "
        f"(mean per night [{level} CI])"
    )

    def threats(sep: str) -> Table:
        table = Table(title=title, title_justify="left")
        for col in ("threat kind", "launched", "destroyed", "lost to EW", "leaked"):
            if col == "threat kind":
                table.add_column(col, overflow="fold")
            else:
                table.add_column(col, justify="right")
        for kind, row in summary.by_kind.items():
            table.add_row(
                kind,
                number(row["launched"].mean),
                estimate_text(row["destroyed"], sep=sep),
                estimate_text(row["lost_to_ew"], sep=sep),
                estimate_text(row["leaked"], sep=sep),
            )
        return table

    def layers(sep: str) -> Table:
        table = Table(title="Who did the work", title_justify="left")
        for col in ("layer", "kills (EW: defeated)", "rounds fired", "spend"):
            if col == "layer":
                table.add_column(col, overflow="fold")
            else:
                table.add_column(col, justify="right")
        for layer, row in summary.by_layer.items():
            table.add_row(
                layer,
                estimate_text(row["kills"], sep=sep),
                estimate_text(row["shots"], sep=sep),
                estimate_text(row["cost"], True, sep=sep),
            )
        return table

    def classes(sep: str) -> Table:
        table = Table(title="Rounds fired by fire-unit class", title_justify="left")
        table.add_column("class", overflow="fold")
        table.add_column("rounds", justify="right")
        for name, est in summary.shots.items():
            table.add_row(name, estimate_text(est, sep=sep))
        return table

    def cost(sep: str) -> Table:
        table = Table(title="Cost", title_justify="left")
        table.add_column("measure", overflow="fold")
        table.add_column("value", justify="right")
        table.add_row("defender spend", estimate_text(summary.cost["defender"], True, sep=sep))
        table.add_row(
            "attacker spend (all launched)", estimate_text(summary.cost["attacker"], True, sep=sep)
        )
        table.add_row(
            "cost-exchange ratio (defender / attacker)",
            estimate_text(summary.cost["exchange_ratio"], sep=sep),
        )
        return table

    def assets(sep: str) -> Table:
        table = Table(title="Assets", title_justify="left")
        table.add_column("asset", overflow="fold")
        table.add_column("P(destroyed)", justify="right")
        table.add_column("damaging hits", justify="right")
        for aid, est in summary.assets["destroyed"].items():
            table.add_row(
                aid,
                estimate_text(est, sep=sep),
                estimate_text(summary.assets["hits"][aid], sep=sep),
            )
        table.add_row(
            "value lost (total)", estimate_text(summary.assets["value_lost"], sep=sep), ""
        )
        return table

    def network(sep: str) -> Table:
        table = Table(title="Command and control network", title_justify="left")
        table.add_column("measure", overflow="fold")
        table.add_column("value", justify="right")
        labels = {
            "track_delay": "track delay, first detection to first fire unit (s)",
            "tracks_undelivered": "threats detected whose track reached no fire unit",
            "tracks_dropped": "tracks dropped by command posts (capacity)",
            "unit_seconds_cut_off": "fire-unit time cut off (unit-hours)",
            "engagement_windows_lost": "engagement windows lost to the network",
        }
        for key, label in labels.items():
            est = summary.network[key]
            if key == "unit_seconds_cut_off":
                est = Estimate(est.mean / 3600.0, est.lo / 3600.0, est.hi / 3600.0)
            table.add_row(label, estimate_text(est, sep=sep))
        return table

    builds = [threats, layers, classes, cost, assets] + ([network] if summary.network else [])
    return Group(*(fit_table(build, console) for build in builds))


def print_summary(summary: Summary, console: Any = None) -> None:
    """Print the summary's tables."""
    console = console or Console()
    console.print(render_summary(summary, console))
