"""``iadsim optimize``: planning problems solved by optimisation, verified by simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from iadsim.cli.common import reported

__all__ = ["optimize_app"]

optimize_app = typer.Typer(
    help="Optimise a plan (laydown, procurement), then verify it by full simulation.",
    no_args_is_help=True,
)


@optimize_app.command("laydown")
def laydown(
    file: Annotated[Path, typer.Argument(help="laydown file (YAML or JSON)", show_default=False)],
    out: Annotated[
        Path | None, typer.Option("--out", help="write the chosen laydown as a scenario file")
    ] = None,
    geojson_path: Annotated[
        Path | None, typer.Option("--geojson", help="write the laydown as GeoJSON")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="random seed")] = 0,
) -> None:
    """Choose sites for fire units (maximal-covering MILP, HiGHS), then simulate the result."""
    from ruamel.yaml import YAML

    from iadsim.metrics import mean_interval
    from iadsim.planning.laydown import evaluate, geojson, optimize_laydown
    from iadsim.scenario.laydown import load_laydown

    with reported():
        plan, raw = load_laydown(file)
        result, baseline = optimize_laydown(plan, raw, seed=seed)
    typer.echo(f"{plan.name}: covering model objective {result.objective:.1f}")
    for k, sites in result.choice.items():
        unit = plan.place[int(k)].unit
        typer.echo(f"  {unit.get('preset') or unit.get('kind')}: {', '.join(sites)}")

    def line(label: str, lost: object, leaked: object) -> None:
        typer.echo(f"  {label:<34} value lost {lost}   leaked {leaked}")

    def fmt(e: object) -> str:
        return f"{e.mean:.1f} [{e.lo:.1f}-{e.hi:.1f}]"  # type: ignore[attr-defined]

    n = plan.replications
    own = evaluate(raw, replications=n, seed=seed)
    typer.echo(f"verified by simulation ({n} replications, seed {seed}; 95% CI):")
    line("without the units to place", fmt(baseline.value_lost), fmt(baseline.leaked))
    line("the scenario's own laydown", fmt(own.value_lost), fmt(own.leaked))
    line("the chosen laydown", fmt(result.value_lost), fmt(result.leaked))
    # paired: the same seed gives both laydowns the same draws where they share entities
    diff = mean_interval(result.verified.lost_per_night - own.lost_per_night)
    typer.echo(f"  chosen minus own laydown, paired:  value lost {fmt(diff)}")
    if out is not None:
        yaml = YAML()
        yaml.default_flow_style = None
        with out.open("w") as handle:
            yaml.dump(result.scenario, handle)
        typer.echo(f"wrote {out}")
    if geojson_path is not None:
        geojson_path.write_text(json.dumps(geojson(result.scenario), indent=2))
        typer.echo(f"wrote {geojson_path}")


@optimize_app.command("procurement")
def procurement(
    file: Annotated[
        Path, typer.Argument(help="procurement file (YAML or JSON)", show_default=False)
    ],
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="random seed")] = 0,
    output: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Find the cheapest purchase plan that holds a bound over a campaign, and the trade-off."""
    from iadsim.planning.procurement import pareto, search
    from iadsim.scenario.campaign import load_campaign
    from iadsim.scenario.procurement import load_procurement

    if output not in ("table", "json"):
        raise typer.BadParameter("expected table or json", param_hint="--format")
    with reported():
        plan, campaign_path = load_procurement(file)
        campaign, defence, source = load_campaign(campaign_path)
        result = search(
            plan, campaign, defence, seed=seed, source=str(source), base_dir=campaign_path.parent
        )
    names = [item.id for item in plan.catalogue]
    bound = plan.bound
    what = bound.metric + (f" ({bound.kind})" if bound.kind else "")
    curve = pareto(result.evaluated)
    if output == "json":

        def row(e: object) -> dict:
            return {
                "plan": dict(zip(names, e.counts, strict=True)),  # type: ignore[attr-defined]
                "cost": e.cost,  # type: ignore[attr-defined]
                "mean": e.mean,  # type: ignore[attr-defined]
                "upper": e.upper,  # type: ignore[attr-defined]
                "holds": e.holds,  # type: ignore[attr-defined]
            }

        typer.echo(
            json.dumps(
                {
                    "bound": bound.model_dump(),
                    "best": row(result.best) if result.best else None,
                    "evaluated": [row(e) for e in result.evaluated],
                    "tradeoff": [row(e) for e in curve],
                    "stopped_at_max_evaluations": result.exhausted_budget,
                },
                indent=2,
            )
        )
        return

    def describe(counts: tuple[int, ...]) -> str:
        bought = [f"{n} x {name}" for name, n in zip(names, counts, strict=True) if n]
        return ", ".join(bought) or "nothing"

    typer.echo(
        f"{plan.name}: campaign total {what} <= {bound.max:g} with {bound.confidence:.0%} "
        f"confidence, budget ${plan.budget / 1e6:,.1f}M; {len(result.evaluated)} plans simulated "
        f"({plan.replications} replications each)"
    )
    if result.best is None:
        reason = (
            "the search reached max_evaluations"
            if result.exhausted_budget
            else ("no plan within the budget holds the bound")
        )
        typer.echo(f"no plan found: {reason}")
    else:
        b = result.best
        typer.echo(
            f"cheapest plan: {describe(b.counts)} for ${b.cost / 1e6:,.1f}M: {what} "
            f"{b.mean:.1f} (upper {bound.confidence:.0%} limit {b.upper:.1f})"
        )
    typer.echo("trade-off (each plan beats every cheaper one):")
    for e in curve:
        typer.echo(
            f"  ${e.cost / 1e6:>9,.1f}M  {what} {e.mean:8.1f} (upper {e.upper:8.1f})  "
            f"{describe(e.counts)}"
        )
