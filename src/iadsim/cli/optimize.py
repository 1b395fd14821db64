"""``iadsim optimize``: planning problems solved by optimisation, verified by simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim import format as fmt
from iadsim.cli.campaign import estimate_text
from iadsim.cli.common import OutputFormat, Seed, check_output_file, reported
from iadsim.errors import OptionError

__all__ = ["optimize_app"]

optimize_app = typer.Typer(
    help="Optimise a plan (laydown, procurement), then verify it by full simulation.",
    no_args_is_help=True,
)


def _console() -> Any:
    from rich.console import Console

    return Console()


def _plain(console: Any, text: str) -> None:
    """Print user text as it is (no rich markup, no highlighting)."""
    console.print(text, markup=False, highlight=False)


@optimize_app.command("laydown")
def laydown(
    file: Annotated[Path, typer.Argument(help="laydown file (YAML or JSON)", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="write the chosen laydown as a scenario file", metavar="FILE"),
    ] = None,
    geojson_path: Annotated[
        Path | None,
        typer.Option("--geojson", help="write the laydown as GeoJSON", metavar="FILE"),
    ] = None,
    seed: Seed = 0,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json")] = (
        OutputFormat.table
    ),
) -> None:
    """Choose sites for fire units (maximal-covering MILP, HiGHS), then simulate the result.

    Output files are checked before the work starts; a progress display (on stderr,
    when it is a terminal) follows the baseline, the MILP and the verification runs.
    """
    from ruamel.yaml import YAML

    from iadsim.cli.progress import Bar
    from iadsim.metrics import mean_interval
    from iadsim.planning.laydown import evaluate, geojson, optimize_laydown
    from iadsim.scenario.laydown import load_laydown

    with reported():
        plan, raw = load_laydown(file)
        scenario_path = None
        if isinstance(plan.scenario, str):
            scenario_path = (file.parent / plan.scenario).resolve()
        inputs = [file] + ([scenario_path] if scenario_path is not None else [])
        if out is not None:
            check_output_file(out, "--out", inputs=inputs)
        if geojson_path is not None:
            check_output_file(geojson_path, "--geojson", inputs=inputs)
            if out is not None and (
                geojson_path.resolve() == out.resolve()
                or (geojson_path.exists() and out.exists() and geojson_path.samefile(out))
            ):
                raise OptionError("--geojson", f"{geojson_path} is also the --out file")
        n = plan.replications
        bar = Bar(quiet_unless_terminal=True)
        try:
            result, baseline = optimize_laydown(
                plan,
                raw,
                seed=seed,
                source=file,
                scenario_source=scenario_path,
                progress=bar.tracker("laydown"),
            )
            own = evaluate(
                raw,
                replications=n,
                seed=seed,
                source=scenario_path or file,
                progress=bar.counter("the scenario's own laydown", n),
            )
        finally:
            bar.close()
    # paired: the same seed gives both laydowns the same draws where they share entities
    diff = mean_interval(result.verified.lost_per_night - own.lost_per_night)
    written = []
    if out is not None:
        yaml = YAML()
        yaml.default_flow_style = None
        with out.open("w", encoding="utf-8") as handle:
            yaml.dump(result.scenario, handle)
        written.append(str(out))
    if geojson_path is not None:
        geojson_path.write_text(json.dumps(geojson(result.scenario), indent=2), encoding="utf-8")
        written.append(str(geojson_path))
    labels = {
        k: str(plan.place[int(k)].unit.get("preset") or plan.place[int(k)].unit.get("kind"))
        for k in result.choice
    }
    if output is OutputFormat.json:

        def figures(v: Any) -> dict[str, Any]:
            return {"value_lost": v.value_lost.to_dict(), "leaked": v.leaked.to_dict()}

        document = {
            "name": plan.name,
            "replications": n,
            "seed": seed,
            "objective": result.objective,
            "gap": result.gap,
            "choice": [
                {"place": int(k), "unit": labels[k], "sites": sites}
                for k, sites in result.choice.items()
            ],
            "without_units": figures(baseline),
            "own_laydown": figures(own),
            "chosen_laydown": figures(result.verified),
            "chosen_minus_own_value_lost": diff.to_dict(),
            "written": written,
        }
        typer.echo(json.dumps(document, indent=2, allow_nan=False))
        return
    console = _console()
    optimal = (
        "optimal"
        if result.gap <= 1e-6
        else f"time limit reached: within {result.gap:.1%} of the best possible"
    )
    _plain(console, f"{plan.name}: covering model objective {result.objective:,.1f} ({optimal})")
    for k, sites in result.choice.items():
        _plain(console, f"  {labels[k]}: {', '.join(sites)}")
    _plain(console, f"verified by simulation ({n} replications, seed {seed}); mean [95% CI]:")
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("laydown", no_wrap=True)
    table.add_column("value lost per night", justify="right", overflow="fold")
    table.add_column("leaked per night", justify="right", overflow="fold")
    for label, v in (
        ("without the units to place", baseline),
        ("the scenario's own", own),
        ("the chosen", result.verified),
    ):
        table.add_row(Text(label), estimate_text(v.value_lost), estimate_text(v.leaked))
    table.add_row(Text("chosen minus own (paired)"), estimate_text(diff), "")
    console.print(table)
    for path in written:
        _plain(console, f"wrote {path}")


@optimize_app.command("procurement")
def procurement(
    file: Annotated[
        Path, typer.Argument(help="procurement file (YAML or JSON)", show_default=False)
    ],
    seed: Seed = 0,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json")] = (
        OutputFormat.table
    ),
) -> None:
    """Find the cheapest purchase plan that holds a bound over a campaign, and the trade-off.

    Every plan is checked against the campaign before the first simulation; a
    progress display (on stderr, when it is a terminal) follows each plan's campaign.
    """
    from iadsim.cli.progress import Bar
    from iadsim.planning.procurement import Evaluation, pareto, search
    from iadsim.scenario.campaign import load_campaign
    from iadsim.scenario.procurement import load_procurement

    with reported():
        plan, campaign_path = load_procurement(file)
        campaign, defence, defence_path = load_campaign(campaign_path)
        bar = Bar(quiet_unless_terminal=True)
        try:
            result = search(
                plan,
                campaign,
                defence,
                seed=seed,
                source=campaign_path,
                defence_source=None if isinstance(campaign.defence, dict) else defence_path,
                procurement_source=file,
                base_dir=campaign_path.parent,
                progress=bar.tracker("campaign"),
            )
        finally:
            bar.close()
    names = [item.id for item in plan.catalogue]
    bound = plan.bound
    what = bound.metric + (f" ({bound.kind})" if bound.kind else "")
    curve = pareto(result.evaluated)
    if output is OutputFormat.json:

        def row(e: Evaluation) -> dict[str, Any]:
            return {
                "plan": dict(zip(names, e.counts, strict=True)),
                "cost": e.cost,
                "mean": e.mean,
                "upper": e.upper,
                "holds": e.holds,
            }

        document = {
            "bound": bound.model_dump(),
            "best": row(result.best) if result.best else None,
            "evaluated": [row(e) for e in result.evaluated],
            "tradeoff": [row(e) for e in curve],
            "stopped_at_max_evaluations": result.exhausted_budget,
        }
        typer.echo(json.dumps(document, indent=2, allow_nan=False))
        return

    def describe(counts: tuple[int, ...]) -> str:
        bought = [f"{n} x {name}" for name, n in zip(names, counts, strict=True) if n]
        return ", ".join(bought) or "nothing"

    def amount(x: float) -> str:
        return fmt.fixed(x, 1 if abs(x) < 1e5 else 0)

    console = _console()
    _plain(
        console,
        f"{plan.name}: campaign total {what} <= {bound.max:,.6g} with "
        f"{fmt.percent(bound.confidence)} confidence, budget {fmt.money(plan.budget)}; "
        f"{len(result.evaluated)} "
        f"plan{'' if len(result.evaluated) == 1 else 's'} simulated "
        f"({plan.replications} replications each)",
    )
    if result.best is None:
        reason = (
            "the search reached max_evaluations"
            if result.exhausted_budget
            else "no plan within the budget holds the bound"
        )
        _plain(console, f"no plan found: {reason}")
    else:
        b = result.best
        _plain(
            console,
            f"cheapest plan: {describe(b.counts)} for {fmt.money(b.cost)}: {what} "
            f"{amount(b.mean)} (upper {fmt.percent(bound.confidence)} limit {amount(b.upper)})",
        )
    from rich import box
    from rich.table import Table
    from rich.text import Text

    _plain(console, "trade-off (each plan does better than every cheaper one):")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("cost", justify="right", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column(f"upper {fmt.percent(bound.confidence)}", justify="right", no_wrap=True)
    table.add_column("holds", no_wrap=True)
    table.add_column("plan", overflow="fold")
    for e in curve:
        table.add_row(
            fmt.money(e.cost),
            amount(e.mean),
            amount(e.upper),
            "yes" if e.holds else "no",
            Text(describe(e.counts)),
        )
    console.print(table)
