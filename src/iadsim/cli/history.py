"""``iadsim history load`` and ``iadsim calibrate``: the model against reported raids.

Heavy imports (pandas, numba, the engine) happen inside the commands, so
``iadsim --help`` stays instant.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.common import OutputFormat, reported

__all__ = ["DEFAULT_SCENARIO", "calibrate", "history_app"]

history_app = typer.Typer(
    help="Reported raids (the public Air Force CSV format): load and summarise.",
    no_args_is_help=True,
)

DEFAULT_SCENARIO = Path("examples/national_defence.yaml")


CsvFile = Annotated[
    Path, typer.Argument(help="raids CSV in the public format (any newer copy)", show_default=False)
]
EwMergedFrom = Annotated[
    str,
    typer.Option(
        "--ew-merged-from",
        help="first night whose reports merge drones lost to EW into 'destroyed' (YYYY-MM-DD)",
    ),
]


def _date(text: str, option: str, source: Path) -> dt.date:
    from iadsim.history import HistoryError

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise HistoryError(
            source, f"option {option} {text!r} is not a date; expected YYYY-MM-DD"
        ) from None


def _span(text: str, option: str, source: Path) -> tuple[dt.date, dt.date]:
    from iadsim.history import HistoryError

    if ":" not in text:
        raise HistoryError(
            source, f"option {option} {text!r} is not a period; expected FIRST:LAST dates, "
            "e.g. 2024-07-01:2025-03-31",
        )  # fmt: skip
    first, last = (_date(p, option, source) for p in text.split(":", 1))
    if last < first:
        raise HistoryError(source, f"option {option} {text!r} ends before it starts")
    return first, last


def _frame_json(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


@history_app.command("load")
def load(
    file: CsvFile,
    ew_merged_from: EwMergedFrom = "2025-08-01",
    rejected: Annotated[
        bool, typer.Option("--rejected", help="list every row left out, with its reason")
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or JSON")
    ] = OutputFormat.table,
) -> None:
    """Read a raids CSV: totals by month and threat kind, and the rows it cannot use, with why."""
    from iadsim.history import load_raids
    from iadsim.history.report import history_text

    with reported():
        history = load_raids(file, ew_merged_from=_date(ew_merged_from, "--ew-merged-from", file))
    if output is OutputFormat.json:
        document = {
            "source": history.source,
            "ew_merged_from": history.ew_merged_from.isoformat(),
            "monthly": _frame_json(history.monthly()),
            "rejected": _frame_json(history.rejected if rejected else history.rejected_reasons()),
        }
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(history_text(history, rejected_rows=rejected))


def calibrate(
    file: CsvFile,
    scenario: Annotated[
        Path,
        typer.Option("--scenario", help="national-defence scenario with one raid per threat kind"),
    ] = DEFAULT_SCENARIO,
    train: Annotated[
        str, typer.Option("--train", help="training period FIRST:LAST (night start dates)")
    ] = "2024-07-01:2025-03-31",
    test: Annotated[
        str, typer.Option("--test", help="test period FIRST:LAST, never seen by the fit")
    ] = "2025-04-01:2025-12-31",
    night: Annotated[
        str | None, typer.Option("--night", help="a night (start date) to reproduce")
    ] = "2025-07-03",
    breaks: Annotated[
        list[str] | None,
        typer.Option("--break", help="split the training period here; fit each part apart"),
    ] = None,
    kinds: Annotated[
        list[str] | None, typer.Option("--kind", help="threat kind to fit (default: all)")
    ] = None,
    ew_merged_from: EwMergedFrom = "2025-08-01",
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="random seed")] = 0,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="folder caching simulated response tables "
            "(default: $XDG_CACHE_HOME/iadsim or ~/.cache/iadsim)",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or JSON")
    ] = OutputFormat.table,
) -> None:
    """Fit kill probabilities and EW effect by threat kind to reported raids; test out of sample.

    Simulates the scenario on a grid of parameters and raid sizes (cached), fits
    each kind on the training nights by maximum likelihood with a bootstrap over
    nights, then predicts each test month and the chosen night with prediction
    intervals and prints reported against predicted.
    """
    from iadsim.history import HISTORY_KINDS, HistoryError, load_raids
    from iadsim.history.check import calibrate as run_calibration
    from iadsim.history.model import NationalModel
    from iadsim.history.report import calibration_text

    with reported():
        history = load_raids(file, ew_merged_from=_date(ew_merged_from, "--ew-merged-from", file))
        train_span = _span(train, "--train", file)
        test_span = _span(test, "--test", file) if test.strip() else None
        night_date = _date(night, "--night", file) if night else None
        cuts = [_date(b, "--break", file) for b in breaks or ()]
        chosen = list(kinds or HISTORY_KINDS)
        unknown = [k for k in chosen if k not in HISTORY_KINDS]
        if unknown:
            raise HistoryError(
                file, f"option --kind {unknown[0]!r} is not a threat kind of the data; "
                f"expected one of {', '.join(HISTORY_KINDS)}",
            )  # fmt: skip
        if history.between(*train_span).empty:
            raise HistoryError(
                file, f"no usable national rows in the training period {train}; "
                "expected nights between those dates",
            )  # fmt: skip
        model = NationalModel(scenario)
        if cache is None:
            cache = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "iadsim"
        for kind in chosen:
            if not history.of_kind(kind).empty:
                model.raid_of(kind)
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("simulating response tables", total=None)
            result = run_calibration(
                history, model, train=train_span, test=test_span, breaks=cuts, kinds=chosen,
                night=night_date, seed=seed, cache_dir=cache,
                progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
    if output is OutputFormat.json:
        fits = [
            {
                "kind": f.kind, "start": str(f.start), "end": str(f.end), "nights": f.nights,
                "pk": f.pk, "pk_interval": f.interval("pk"), "ew": f.ew,
                "ew_interval": f.interval("ew") if f.ew is not None else None,
                "dispersion": None if f.dispersion == float("inf") else f.dispersion,
            }
            for f in result.fits
        ]  # fmt: skip
        document = {
            "source": result.source,
            "scenario": result.scenario,
            "train": [str(d) for d in result.train],
            "test": [str(d) for d in result.test] if result.test else None,
            "fits": fits,
            "monthly": _frame_json(result.monthly),
            "by_kind": _frame_json(result.by_kind),
            "night": _frame_json(result.night) if result.night is not None else None,
            "coverage": result.coverage(),
        }
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(calibration_text(result))
