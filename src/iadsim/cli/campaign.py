"""``iadsim campaign``: nights of raids with the stockpile carried over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim import format as fmt
from iadsim.cli.common import OutputFormat, Seed, reported

__all__ = ["campaign", "estimate_text", "money_text", "number_text"]


def money_text(x: float) -> str:
    """US dollars to three significant digits: ``$2.25B``, ``$310M``, ``$45k``."""
    return fmt.money(x)


def number_text(x: float, decimals: int) -> str:
    """``x`` with thousands separators and ``decimals`` decimals."""
    return fmt.fixed(x, decimals)


def estimate_text(e: Any, *, money: bool = False) -> str:
    """``mean [lo, hi]`` to the digits the interval supports (an Estimate or its dict).

    Decimals show the interval's half-width to two significant digits (``703
    [678, 730]``, ``1.8 [0.7, 4.1]``); a value without an interval, to three
    (:func:`iadsim.format.interval_digits`); money as ``$2.25B``.
    """
    return fmt.estimate(e, money=money, show=None if money else fmt.interval_digits(e))


def _print(summary: dict[str, Any]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    totals = summary["totals"]
    console.print(
        f"{summary['name']}: {summary['days']} days, {summary['raid_nights']} raid nights, "
        f"{summary['replications']} replications; campaign totals, mean [95% CI]",
        markup=False,
        highlight=False,
    )
    head = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    kinds = list(summary["launched"])
    head.add_column("threat kind", no_wrap=True, min_width=max([11, *map(len, kinds)]))
    if summary.get("launched_by_replication"):
        console.print("launched: mean (5th–95th percentile) over replications")
    spread = summary.get("launched_by_replication", {})
    for col in ("launched", "destroyed", "lost to EW", "leaked"):
        wide = 13 if col == "launched" and spread else None  # "(5,241–7,117)" on one line
        head.add_column(col, justify="right", overflow="fold", min_width=wide)
    for kind, count in summary["launched"].items():
        shown = f"{count:,}" if isinstance(count, int) else f"{count:,.1f}"
        if kind in spread:  # templates: replications launch different raids
            shown = f"{shown}\n({spread[kind]['p5']:,.0f}–{spread[kind]['p95']:,.0f})"
        head.add_row(
            Text(kind),
            shown,
            estimate_text(totals["destroyed"][kind]),
            estimate_text(totals["lost_to_ew"][kind]),
            estimate_text(totals["leaked"][kind]),
        )
    console.print(head)
    stock = Table(
        title="Interceptor stockpiles", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    types = list(summary["exhaustion"])
    stock.add_column("fire-unit class", no_wrap=True, min_width=max([15, *map(len, types)]))
    stock.add_column("fired", justify="right", overflow="fold")
    stock.add_column("runs out in", justify="right")
    stock.add_column("day it runs out (90%)", justify="right")
    for name, entry in summary["exhaustion"].items():
        when = (
            f"{fmt.fixed(entry['median_day'], 0)} "
            f"({fmt.fixed(entry['day_5'], 0)}–{fmt.fixed(entry['day_95'], 0)})"
            if "median_day" in entry
            else "not within the horizon"
        )
        share = f"{fmt.percent(entry['share_exhausted'])} of runs"
        stock.add_row(Text(name), estimate_text(totals["fired"][name]), share, when)
    if types:
        console.print(stock)
    else:
        console.print("no interceptor stockpiles (every class is refilled each night)")
    _print_raids(console, summary)
    console.print(
        f"defender spend {estimate_text(totals['spend'], money=True)}; "
        f"asset value lost {estimate_text(totals['value_lost'])}",
        markup=False,
        highlight=False,
    )


def _print_raids(console: Any, summary: dict[str, Any]) -> None:
    """The templates drawn and, with damage carried, what each asset suffered."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    templates = summary.get("templates") or {}
    if templates:
        table = Table(
            title="Raid templates drawn (per replication)",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column("template", no_wrap=True, min_width=15)
        table.add_column("share of raid nights", justify="right")
        table.add_column("nights per campaign", justify="right")
        for name, entry in templates.items():
            table.add_row(
                Text(name), f"{entry['share_of_raid_nights']:.0%}", estimate_text(entry["nights"])
            )
        console.print(table)
    if summary.get("damage_carried") and summary.get("assets"):
        table = Table(
            title="Assets and elements of the defence hit (damage carried until repaired)",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column("asset", no_wrap=True, min_width=15)
        table.add_column("destroyed in", justify="right")
        table.add_column("times destroyed", justify="right")
        table.add_column("first lost (median day)", justify="right")
        targets = {**summary["assets"], **summary.get("elements_destroyed", {})}
        for name, entry in targets.items():
            first = entry.get("first_day_median")
            table.add_row(
                Text(name),
                f"{entry['share_destroyed']:.0%} of runs",
                estimate_text(entry["times_destroyed"]),
                "–" if first is None else f"{first:.0f}",
            )
        console.print(table)


def campaign(
    file: Annotated[Path, typer.Argument(help="campaign file (YAML or JSON)", show_default=False)],
    replications: Annotated[
        int,
        typer.Option(
            "--replications",
            "-n",
            min=1,
            help="Monte Carlo replications",
        ),
    ] = 200,
    seed: Seed = 0,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="table, or json (with day-by-day stock bands)"),
    ] = OutputFormat.table,
) -> None:
    """Run a campaign: nights of raids, stockpiles carried over, deliveries and pauses.

    A progress bar (on stderr, when it is a terminal) counts replication-nights.
    With raid templates, each replication draws its own nights' raids: the table
    gives the threats launched with their 5th-95th percentiles over replications,
    and how often each template was drawn.
    """
    from iadsim.cli.progress import Bar
    from iadsim.planning import campaign_work, run_campaign
    from iadsim.scenario.campaign import load_campaign

    with reported():
        plan, defence, defence_path = load_campaign(file)
        bar = Bar(quiet_unless_terminal=True)
        try:
            result = run_campaign(
                plan,
                defence,
                replications=replications,
                seed=seed,
                source=file,
                defence_source=None if isinstance(plan.defence, dict) else defence_path,
                base_dir=file.parent,
                progress=bar.counter("replication-nights", campaign_work(plan, replications)),
            )
        finally:
            bar.close()
    summary = result.summary()
    if output is OutputFormat.json:
        typer.echo(json.dumps(summary, indent=2, allow_nan=False))
    else:
        _print(summary)
