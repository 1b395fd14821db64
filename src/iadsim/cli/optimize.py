"""``iadsim optimize``: planning problems solved by optimisation, verified by simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from iadsim.errors import IadsimError

__all__ = ["optimize_app"]

optimize_app = typer.Typer(
    help="Optimise a plan (laydown), then verify it by full simulation.", no_args_is_help=True
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
    import numpy as np
    from ruamel.yaml import YAML

    from iadsim.engine import simulate
    from iadsim.planning.laydown import evaluate, geojson, optimize_laydown
    from iadsim.scenario.laydown import load_laydown

    try:
        plan, raw = load_laydown(file)
        result, baseline = optimize_laydown(plan, raw, seed=seed)
    except IadsimError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{plan.name}: covering model objective {result.objective:.1f}")
    for k, sites in result.choice.items():
        unit = plan.place[int(k)].unit
        typer.echo(f"  {unit.get('preset') or unit.get('kind')}: {', '.join(sites)}")

    def line(label: str, lost: object, leaked: object) -> None:
        typer.echo(f"  {label:<34} value lost {lost}   leaked {leaked}")

    def fmt(e: object) -> str:
        return f"{e.mean:.1f} [{e.lo:.1f}-{e.hi:.1f}]"  # type: ignore[attr-defined]

    n = plan.replications
    typer.echo(f"verified by simulation ({n} replications, seed {seed}; 95% CI):")
    line("without the units to place", fmt(baseline["value_lost"]), fmt(baseline["leaked"]))
    line(
        "the scenario's own laydown",
        *(fmt(e) for e in evaluate(raw, replications=n, seed=seed)[:2]),
    )
    line("the chosen laydown", fmt(result.value_lost), fmt(result.leaked))
    # paired: the same seed gives both laydowns the same draws where they share entities
    from iadsim.compile import compile_scenario
    from iadsim.metrics import mean_interval
    from iadsim.scenario import parse_scenario

    def value_lost(scenario: dict) -> np.ndarray:
        cs = compile_scenario(parse_scenario(json.loads(json.dumps(scenario))))
        o = simulate(cs, replications=n, seed=seed)
        return (o.asset_destroyed * cs.asset_value).sum(axis=1)

    diff = mean_interval(value_lost(result.scenario) - value_lost(raw))
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
