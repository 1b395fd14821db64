"""``iadsim history load``, ``calibrate`` and ``backtest``: the model against reported raids.

Heavy imports (pandas, numba, the engine) happen inside the commands, so
``iadsim --help`` stays instant. Every option is checked before the CSV is
read, and the CSV and the scenario before any simulation starts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.common import OutputFormat, Seed, check_output_dir, check_output_file, reported
from iadsim.errors import OptionError

__all__ = ["DEFAULT_NIGHT", "backtest", "calibrate", "history_app"]

history_app = typer.Typer(
    help="Reported raids (the public Air Force CSV format): load and summarise.",
    no_args_is_help=True,
)

DEFAULT_NIGHT = dt.date(2025, 7, 3)
"""The night reproduced when ``--night`` is not given and the test period holds it."""

KINDS = ("owa_drone", "cruise_missile", "ballistic_missile", "hypersonic")
"""The threat kinds of the data (``iadsim.history.HISTORY_KINDS``, without importing it)."""

CsvFile = Annotated[
    Path,
    typer.Argument(
        metavar="CSV",
        help="raids CSV in the public format (any newer copy of it)",
        show_default=False,
    ),
]
EwMergedFrom = Annotated[
    str,
    typer.Option(
        "--ew-merged-from",
        metavar="DATE",
        help="first night whose reports merge drones lost to EW into 'destroyed' (YYYY-MM-DD)",
    ),
]


def _date(text: str, option: str, *, given: str | None = None) -> dt.date:
    """A YYYY-MM-DD date of an option; ``given`` is the option's whole value if larger."""
    value = text.strip()
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        whole = f" in {given!r}" if given is not None else ""
        raise OptionError(
            option, f"{value!r}{whole} is not a date; expected YYYY-MM-DD, e.g. 2025-07-03"
        ) from None


def _span(text: str, option: str) -> tuple[dt.date, dt.date]:
    """A period FIRST:LAST of an option."""
    if text.count(":") != 1:
        raise OptionError(
            option,
            f"{text!r} is not a period; expected FIRST:LAST dates, e.g. 2024-07-01:2025-03-31",
        )
    first, last = (_date(part, option, given=text) for part in text.split(":"))
    if last < first:
        raise OptionError(option, f"{text!r} ends before it starts; expected FIRST:LAST")
    return first, last


def _period(span: tuple[dt.date, dt.date]) -> str:
    return f"{span[0].isoformat()} to {span[1].isoformat()}"


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json(document: dict[str, Any]) -> str:
    """One strict JSON document (no NaN)."""
    return json.dumps(_finite(document), indent=2, allow_nan=False)


def _frame_json(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


SelectOption = Annotated[
    str,
    typer.Option(
        "--select",
        metavar="HOW",
        help="how the drifting models use the volatilities, spreads and raid-size variants "
        "they try: 'average' (each forecast sample from one drawn by its predictive "
        "likelihood so far: Bayesian model averaging; what the backtest found best) or "
        "'best' (only the most likely one)",
    ),
]
"""``--select`` of ``calibrate`` and ``backtest``: one option, written once."""


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
    with reported():
        merged = _date(ew_merged_from, "--ew-merged-from")
        from iadsim.history import load_raids
        from iadsim.history.report import history_text

        history = load_raids(file, ew_merged_from=merged)
    if output is OutputFormat.json:
        document = {
            "source": history.source,
            "usable_rows": len(history.rows),
            "rejected_rows": len(history.rejected),
            "ew_merged_from": history.ew_merged_from.isoformat(),
            "monthly": _frame_json(history.monthly()),
            "rejected": _frame_json(history.rejected if rejected else history.rejected_reasons()),
        }
        typer.echo(_json(document))
        return
    typer.echo(history_text(history, rejected_rows=rejected))


def _default_cache() -> Path | None:
    """The default cache folder, or None (with a warning) if it cannot be used."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "iadsim"
    try:
        return check_output_dir(base, "--cache")
    except OptionError as exc:
        typer.echo(
            f"warning: cannot cache simulated tables ({exc.message}); simulating without a "
            "cache (give --cache DIR to keep them)",
            err=True,
        )
        return None


def _select(text: str) -> bool:
    """``--select``: True for Bayesian model averaging, False for the best filter only."""
    value = text.strip().lower()
    if value not in ("average", "best"):
        raise OptionError("--select", f"{text!r} is not a choice; expected average or best")
    return value == "average"


def _range_of(rows: Any) -> str:
    if rows.empty:
        return "the file has no usable national rows"
    return f"its usable nights run from {rows['date'].min()} to {rows['date'].max()}"


def calibrate(
    file: CsvFile,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="national-defence scenario with one raid per threat kind (default: the "
            "built-in one, the same as examples/national_defence.yaml)",
            show_default=False,
        ),
    ] = None,
    train: Annotated[
        str | None,
        typer.Option(
            "--train",
            metavar="FIRST:LAST",
            help="training period FIRST:LAST (night start dates). Default: all history, from "
            "the file's first night to the night before --test (2025-03-31 with the default "
            "--test): the backtest (iadsim backtest) forecast best from all history with no "
            "extra forgetting, the drift model itself discounting the old nights",
            show_default=False,
        ),
    ] = None,
    test: Annotated[
        str,
        typer.Option(
            "--test",
            metavar="FIRST:LAST",
            help="test period FIRST:LAST, never seen by the fit: it may not overlap --train "
            "('' for none)",
        ),
    ] = "2025-04-01:2025-12-31",
    night: Annotated[
        str | None,
        typer.Option(
            "--night",
            metavar="DATE",
            help="a night (its start date) of the test period to reproduce "
            f"(default: {DEFAULT_NIGHT} when the test period holds it; '' for none)",
            show_default=False,
        ),
    ] = None,
    breaks: Annotated[
        list[str] | None,
        typer.Option(
            "--break",
            metavar="DATE",
            help="split the training period here (a date inside it); fit each part",
        ),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help=f"threat kind to fit, repeat for several: {', '.join(KINDS)} (default: all)",
            show_default=False,
        ),
    ] = None,
    ew_merged_from: EwMergedFrom = "2025-08-01",
    seed: Seed = 0,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            metavar="DIR",
            help="folder caching simulated response tables "
            "(default: $XDG_CACHE_HOME/iadsim or ~/.cache/iadsim)",
            show_default=False,
        ),
    ] = None,
    select: SelectOption = "average",
    stationary: Annotated[
        bool,
        typer.Option(
            "--stationary",
            help="fit constant parameters (maximum likelihood, bootstrap over nights), the "
            "behaviour before the time-varying fit; its intervals ignore drift",
        ),
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or JSON")
    ] = OutputFormat.table,
) -> None:
    """Fit kill probabilities and EW effect by threat kind to reported raids; test out of sample.

    Simulates the scenario on a grid of parameters and raid sizes (cached). The
    parameters drift: kill probability and EW susceptibility (drones) or kill
    probability and defence capacity (missiles) are logit random walks filtered over
    the training nights, their volatility and night-to-night spread (and, for a
    scenario with decoys, the drones' decoy share by raid size) chosen by
    predictive likelihood (the backtest's model). Prints their monthly path with
    intervals, then predicts each test month and the chosen night from the end of
    training along sampled drift paths (intervals include the drift over the horizon,
    parameter uncertainty and overdispersion) against what was reported.
    --stationary fits them as constant instead.
    """
    with reported():
        # the options first: nothing is read or simulated for a command that cannot run
        merged = _date(ew_merged_from, "--ew-merged-from")
        average = _select(select)

        test_span = _span(test, "--test") if test.strip() else None
        all_history = train is None or not train.strip()
        if all_history:  # from the file's first night (set once it is read)
            if test_span is None:
                raise OptionError(
                    "--train",
                    "the default training period ends the night before --test, and there is "
                    "no test period; give --train FIRST:LAST",
                )
            train = f"all history to {test_span[0] - dt.timedelta(days=1)}"
            train_span = (dt.date.min, test_span[0] - dt.timedelta(days=1))
        else:
            assert train is not None
            train_span = _span(train, "--train")
        if test_span is not None and not (
            test_span[1] < train_span[0] or test_span[0] > train_span[1]
        ):
            raise OptionError(
                "--test",
                f"{test} overlaps the training period {train} (--train); the test period "
                "must hold only nights the fit never saw, e.g. from "
                f"{train_span[1] + dt.timedelta(days=1)}",
            )
        night_date: dt.date | None = None
        if night is not None and night.strip():
            night_date = _date(night, "--night")
            if test_span is None or not test_span[0] <= night_date <= test_span[1]:
                where = f"the test period {test}" if test_span is not None else "a test period"
                raise OptionError(
                    "--night",
                    f"{night_date} is not in {where}; expected a night the fit never saw, "
                    "inside --test",
                )
        cuts = [_date(b, "--break") for b in breaks or ()]
        for cut in cuts:
            if not train_span[0] < cut <= train_span[1]:
                raise OptionError(
                    "--break",
                    f"{cut} is not inside the training period {train}; expected a date after "
                    "its first night and up to its last",
                )
        chosen = list(dict.fromkeys(kinds or KINDS))
        unknown = [k for k in chosen if k not in KINDS]
        if unknown:
            raise OptionError(
                "--kind",
                f"{unknown[0]!r} is not a threat kind of the data; expected one of "
                f"{', '.join(KINDS)}",
            )
        cache_dir = check_output_dir(cache, "--cache") if cache is not None else _default_cache()

        from iadsim.history import HistoryError, load_raids
        from iadsim.history.model import NationalModel, default_scenario

        history = load_raids(file, ew_merged_from=merged)
        if all_history and not history.rows.empty:
            train_span = (min(history.rows["date"].min(), train_span[1]), train_span[1])
        training = history.between(*train_span)
        if training.empty:
            raise HistoryError(
                file,
                f"no usable national rows in the training period {_period(train_span)} "
                f"(--train); {_range_of(history.rows)}",
            )
        if kinds:  # asked for by name: each must have training nights
            for kind in chosen:
                if training[training["kind"] == kind].empty:
                    raise HistoryError(
                        file,
                        f"no usable national rows of {kind} (--kind) in the training period "
                        f"{_period(train_span)}",
                    )
        else:
            chosen = [k for k in chosen if not training[training["kind"] == k].empty]
        if test_span is not None and history.between(*test_span).empty:
            raise HistoryError(
                file,
                f"no usable national rows in the test period {_period(test_span)} (--test); "
                f"{_range_of(history.rows)}",
            )
        if night_date is not None and history.between(night_date, night_date).empty:
            raise HistoryError(
                file,
                f"no usable national rows on the night of {night_date} (--night); expected a "
                "night with reported launches",
            )
        if (  # the default night, when the test period holds it and it was reported
            night is None
            and test_span is not None
            and test_span[0] <= DEFAULT_NIGHT <= test_span[1]
            and not history.between(DEFAULT_NIGHT, DEFAULT_NIGHT).empty
        ):
            night_date = DEFAULT_NIGHT
        model = NationalModel(scenario if scenario is not None else default_scenario())
        for kind in chosen:
            model.raid_of(kind)

        from rich.console import Console
        from rich.progress import Progress

        from iadsim.history.check import calibrate as run_calibration
        from iadsim.history.report import calibration_text

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("simulating response tables", total=None)
            result = run_calibration(
                history, model, train=train_span, test=test_span, breaks=cuts, kinds=chosen,
                night=night_date, seed=seed, cache_dir=cache_dir,
                progress=lambda n: bar.advance(task, n), stationary=stationary, average=average,
            )  # fmt: skip
    if output is OutputFormat.json:
        fits = [
            {
                "kind": f.kind, "start": str(f.start), "end": str(f.end), "nights": f.nights,
                "pk": f.pk, "pk_interval": f.interval("pk"), "ew": f.ew,
                "ew_interval": f.interval("ew") if f.ew is not None else None,
                "dispersion": f.dispersion,
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
            "night_date": str(result.night_date) if result.night_date is not None else None,
            "night": _frame_json(result.night) if result.night is not None else None,
            "coverage": result.coverage(),
            "stationary": result.stationary,
            "drift": result.drift,
            "paths": _frame_json(result.paths) if result.paths is not None else None,
        }
        typer.echo(_json(document))
        return
    typer.echo(calibration_text(result))


def backtest(
    file: CsvFile,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="national-defence scenario with one raid per threat kind (default: the "
            "built-in one, the same as examples/national_defence.yaml)",
            show_default=False,
        ),
    ] = None,
    span: Annotated[
        str,
        typer.Option(
            "--span",
            metavar="FIRST:LAST",
            help="nights forecast, FIRST:LAST; each month (night) is forecast only from the "
            "nights before it",
        ),
    ] = "2024-01-01:2025-12-31",
    by: Annotated[
        str,
        typer.Option(
            "--by", metavar="LEVEL", help="forecast each 'month', each 'night', or 'both'"
        ),
    ] = "both",
    window: Annotated[
        int | None,
        typer.Option(
            "--window",
            metavar="MONTHS",
            min=1,
            max=600,
            help="train on the last MONTHS whole months before each forecast month "
            "(default: all history, the random walk forgetting what no longer holds)",
            show_default=False,
        ),
    ] = None,
    half_life: Annotated[
        float | None,
        typer.Option(
            "--half-life",
            metavar="DAYS",
            help="also weight each night's likelihood by 0.5^(age/DAYS) (default: none)",
            show_default=False,
        ),
    ] = None,
    select_half_life: Annotated[
        float | None,
        typer.Option(
            "--select-half-life",
            metavar="DAYS",
            help="choose the drifting models' volatility, spread and raid-size variant (the "
            "simulation's decoy share, the random walk's size slope) by the "
            "predictive likelihood of recent nights, a night counting half after DAYS "
            "(default: every night counts fully)",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="first night ever trained on (default: the file's first); before --span",
            show_default=False,
        ),
    ] = None,
    breaks: Annotated[
        list[str] | None,
        typer.Option(
            "--break",
            metavar="DATE",
            help="forget every night before this date (repeat for several)",
        ),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help=f"threat kind, repeat for several: {', '.join(KINDS)} (default: all)",
            show_default=False,
        ),
    ] = None,
    select: SelectOption = "average",
    samples: Annotated[
        int, typer.Option("--samples", min=20, max=100_000, help="forecast samples per target")
    ] = 400,
    ew_merged_from: EwMergedFrom = "2025-08-01",
    seed: Seed = 0,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            metavar="DIR",
            help="folder caching simulated response tables "
            "(default: $XDG_CACHE_HOME/iadsim or ~/.cache/iadsim)",
            show_default=False,
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="write the backtest report (HTML) here"),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", metavar="DIR", help="write the backtest charts as PNG files here"),
    ] = None,
    forecasts: Annotated[
        Path | None,
        typer.Option(
            "--forecasts", metavar="FILE", help="write every forecast and its scores as CSV here"
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or JSON")
    ] = OutputFormat.table,
) -> None:
    """Rolling-origin backtest: the simulation's forecasts against naive baselines.

    For each month (and each night) of the span, fits on the nights before it only,
    predicts it from its raid sizes, and scores the prediction (coverage of the 50% and
    90% intervals, interval score, CRPS, bias, PIT) beside persistence, climatology and a
    statistical random walk; says where the simulation beats them.
    """
    with reported():
        merged = _date(ew_merged_from, "--ew-merged-from")
        span_dates = _span(span, "--span")
        average = _select(select)

        levels = {"month": ("month",), "night": ("night",), "both": ("month", "night")}
        if by.strip().lower() not in levels:
            raise OptionError("--by", f"{by!r} is not a level; expected month, night or both")
        chosen_by = levels[by.strip().lower()]
        for name, value in (("--half-life", half_life), ("--select-half-life", select_half_life)):
            if value is not None and not (math.isfinite(value) and value > 0):
                raise OptionError(name, f"{value} is not a positive number of days")
        first = _date(start, "--from") if start is not None else None
        if first is not None and first >= span_dates[0]:
            raise OptionError(
                "--from",
                f"{first} is not before the span's first night {span_dates[0]} (--span): "
                "training and forecast nights would overlap; expected a date before it",
            )
        cuts = [_date(b, "--break") for b in breaks or ()]
        for cut in cuts:
            if cut > span_dates[1] or (first is not None and cut <= first):
                raise OptionError(
                    "--break",
                    f"{cut} is not between the first night trained on and the span's last "
                    f"night {span_dates[1]}; a break there changes nothing",
                )
        chosen = list(dict.fromkeys(kinds or KINDS))
        unknown = [k for k in chosen if k not in KINDS]
        if unknown:
            raise OptionError(
                "--kind",
                f"{unknown[0]!r} is not a threat kind of the data; expected one of "
                f"{', '.join(KINDS)}",
            )
        outputs = [file] + ([scenario] if scenario is not None else [])
        if html is not None:
            check_output_file(html, "--html", inputs=outputs)
        if forecasts is not None:
            check_output_file(forecasts, "--forecasts", inputs=outputs)
        if png is not None:
            check_output_dir(png, "--png")
        cache_dir = check_output_dir(cache, "--cache") if cache is not None else _default_cache()

        from iadsim.history import load_raids
        from iadsim.history.backtest import check_history
        from iadsim.history.model import NationalModel, default_scenario

        history = load_raids(file, ew_merged_from=merged)
        check_history(history, span=span_dates, window=window, start=first)
        model = NationalModel(scenario if scenario is not None else default_scenario())
        for kind in chosen:
            if not history.of_kind(kind).empty:
                model.raid_of(kind)

        from rich.console import Console
        from rich.progress import Progress

        from iadsim.history.backtest import backtest as run_backtest
        from iadsim.history.backtest_text import backtest_text, targets, verdicts

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("simulating response tables", total=None)
            result = run_backtest(
                history, model, span=span_dates, by=chosen_by, window=window,
                half_life=half_life, selection_half_life=select_half_life, start=first,
                breaks=cuts, kinds=chosen, samples=samples,
                seed=seed, cache_dir=cache_dir, progress=lambda n: bar.advance(task, n),
                average=average,
            )  # fmt: skip
        written = []
        if forecasts is not None:
            result.forecasts.to_csv(forecasts, index=False)
            written.append(forecasts)
        if html is not None or png is not None:
            from iadsim.history.backtest_plots import write_backtest_html, write_backtest_pngs

            if html is not None:
                written.append(write_backtest_html(result, html))
            if png is not None:
                written.extend(write_backtest_pngs(result, png))
        for path in written:
            typer.echo(f"wrote {path}", err=True)
    if output is OutputFormat.json:
        document = {
            "source": result.source,
            "scenario": result.scenario,
            "span": [str(d) for d in result.span],
            "settings": result.settings,
            "scores": _frame_json(result.scores),
            "targets": [
                {"target": t.text, "measured": t.value, "met": t.met} for t in targets(result)
            ],
            "verdicts": verdicts(result),
            "saturation": _frame_json(result.saturation),
            "by_size": _frame_json(result.by_size),
        }
        typer.echo(_json(document))
        return
    typer.echo(backtest_text(result))
