"""``iadsim campaign``: nights of raids with the stockpile carried over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.common import reported

__all__ = ["campaign"]


def _money(x: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"${x / div:.3g}{suffix}"
    return f"${x:.0f}"


def _print(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    head = Table(
        title=f"{summary['name']}: {summary['days']} days, {summary['raid_nights']} raid nights, "
        f"{summary['replications']} replications (95% CI)",
        title_justify="left",
    )
    for col in ("threat kind", "launched", "destroyed", "lost to EW", "leaked"):
        head.add_column(col, justify="left" if col == "threat kind" else "right")
    totals = summary["totals"]

    def est(e: dict[str, Any], money: bool = False) -> str:
        show = _money if money else (lambda v: f"{v:,.0f}")
        if e["lo"] is None:
            return show(e["mean"])
        return f"{show(e['mean'])} [{show(e['lo'])}–{show(e['hi'])}]"

    for kind, count in summary["launched"].items():
        head.add_row(
            kind,
            f"{count:,}",
            est(totals["destroyed"][kind]),
            est(totals["lost_to_ew"][kind]),
            est(totals["leaked"][kind]),
        )
    console.print(head)
    stock = Table(title="Interceptor stockpiles", title_justify="left")
    for col in ("type", "fired", "runs out (share of replications)", "day it runs out"):
        stock.add_column(col, justify="left" if col == "type" else "right")
    for name, entry in summary["exhaustion"].items():
        when = (
            f"{entry['median_day']:.0f} (90%: {entry['day_5']:.0f}–{entry['day_95']:.0f})"
            if "median_day" in entry
            else "not within the horizon"
        )
        stock.add_row(name, est(totals["fired"][name]), f"{entry['share_exhausted']:.0%}", when)
    console.print(stock)
    console.print(
        f"defender spend {est(totals['spend'], True)}; asset value lost {est(totals['value_lost'])}"
    )


def campaign(
    file: Annotated[Path, typer.Argument(help="campaign file (YAML or JSON)", show_default=False)],
    replications: Annotated[
        int, typer.Option("--replications", "-n", min=1, help="Monte Carlo replications")
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="random seed")] = 0,
    output: Annotated[
        str, typer.Option("--format", "-f", help="table or json (with day-by-day stock bands)")
    ] = "table",
) -> None:
    """Run a campaign: nights of raids, stockpiles carried over, deliveries and pauses."""
    from iadsim.planning import run_campaign
    from iadsim.scenario.campaign import load_campaign

    if output not in ("table", "json"):
        raise typer.BadParameter("expected table or json", param_hint="--format")
    with reported():
        plan, defence, source = load_campaign(file)
        result = run_campaign(
            plan,
            defence,
            replications=replications,
            seed=seed,
            source=str(source),
            base_dir=file.parent,
        )
    summary = result.summary()
    if output == "json":
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print(summary)
