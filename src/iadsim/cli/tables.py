"""Rich tables for a run's summary."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console, Group
from rich.table import Table

from iadsim.metrics import Estimate, Summary

__all__ = ["render_summary"]


def _num(x: float, money: bool = False) -> str:
    if math.isnan(x):
        return "–"
    if money:
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(x) >= div:
                return f"${x / div:.3g}{suffix}"
        return f"${x:.0f}"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _est(e: Estimate, money: bool = False) -> str:
    if math.isnan(e.lo):
        return _num(e.mean, money)
    if e.lo == e.hi:
        return _num(e.mean, money)
    return f"{_num(e.mean, money)} [{_num(e.lo, money)}–{_num(e.hi, money)}]"


def render_summary(summary: Summary) -> Group:
    """Tables of a summary: threats by kind, layers, fire-unit classes, cost, assets."""
    level = f"{summary.confidence:.0%}"
    title = (
        f"{summary.name}: {summary.replications} replications, seed {summary.seed} "
        f"(mean per night [{level} CI])"
    )
    threats = Table(title=title, title_justify="left")
    for col in ("threat kind", "launched", "destroyed", "lost to EW", "leaked"):
        threats.add_column(
            col, justify="left" if col == "threat kind" else "right", no_wrap=col == "threat kind"
        )
    for kind, row in summary.by_kind.items():
        threats.add_row(
            kind,
            _num(row["launched"].mean),
            _est(row["destroyed"]),
            _est(row["lost_to_ew"]),
            _est(row["leaked"]),
        )

    layers = Table(title="Who did the work", title_justify="left")
    for col in ("layer", "kills (EW: defeated)", "rounds fired", "spend"):
        layers.add_column(col, justify="left" if col == "layer" else "right")
    for layer, row in summary.by_layer.items():
        layers.add_row(layer, _est(row["kills"]), _est(row["shots"]), _est(row["cost"], True))

    classes = Table(title="Rounds fired by fire-unit class", title_justify="left")
    classes.add_column("class")
    classes.add_column("rounds", justify="right")
    for name, est in summary.shots.items():
        classes.add_row(name, _est(est))

    cost = Table(title="Cost", title_justify="left")
    cost.add_column("measure")
    cost.add_column("value", justify="right")
    cost.add_row("defender spend", _est(summary.cost["defender"], True))
    cost.add_row("attacker spend (all launched)", _est(summary.cost["attacker"], True))
    cost.add_row("cost-exchange ratio (defender / attacker)", _est(summary.cost["exchange_ratio"]))

    assets = Table(title="Assets", title_justify="left")
    assets.add_column("asset")
    assets.add_column("P(destroyed)", justify="right")
    assets.add_column("damaging hits", justify="right")
    for aid, est in summary.assets["destroyed"].items():
        assets.add_row(aid, _est(est), _est(summary.assets["hits"][aid]))
    assets.add_row("value lost (total)", _est(summary.assets["value_lost"]), "")
    return Group(threats, layers, classes, cost, assets)


def print_summary(summary: Summary, console: Any = None) -> None:
    """Print the summary's tables."""
    (console or Console()).print(render_summary(summary))
