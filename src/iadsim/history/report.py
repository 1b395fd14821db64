"""Plain-text tables of a raids history and a calibration (for the CLI and scripts)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from iadsim.history.check import Calibration
from iadsim.history.forecasters import SIZE_REF
from iadsim.history.load import RaidHistory

__all__ = ["calibration_text", "history_text", "markdown_table"]

_LABELS = {"destroyed": "destroyed", "lost_to_ew": "lost to EW", "leaked": "leaked"}


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, columns padded to line up."""
    cells = [[str(h) for h in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in cells]  # fmt: skip
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _n(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{float(x):.0f}"  # type: ignore[arg-type]


def history_text(history: RaidHistory, *, rejected_rows: bool = False) -> str:
    """Totals by month and kind, then the rows left out (by reason, or each one)."""
    monthly = history.monthly()
    rows = [
        [r.month, r.kind, r.rows, _n(r.launched), _n(r.destroyed), _n(r.lost_to_ew),
         _n(r.neutralised), _n(r.leaked), r.ew_reporting]
        for r in monthly.itertuples()
    ]  # fmt: skip
    header = ["month", "kind", "rows", "launched", "destroyed", "lost to EW",
              "destroyed + EW", "leaked", "EW reported"]  # fmt: skip
    usable = len(history.rows)
    parts = [
        f"{history.source}: {usable} usable national row{'' if usable == 1 else 's'}, "
        f"{len(history.rejected)} left out. EW losses reported separately until "
        f"{history.ew_merged_from.isoformat()} (rows that give not_reach_goal); after it, "
        "and where not_reach_goal is empty, 'destroyed' counts shot down and EW together "
        "('combined', shown as –).",
        "",
        markdown_table(header, rows),
        "",
    ]
    if rejected_rows:
        rej = history.rejected
        parts.append(
            markdown_table(
                ["line", "time_start", "model", "reason"],
                [[r.row, r.time_start, r.model, r.reason] for r in rej.itertuples()],
            )
        )
    else:
        reasons = history.rejected_reasons()
        parts.append("Rows left out (--rejected lists each):")
        parts.append(
            markdown_table(["rows", "reason"], [[r.rows, r.reason] for r in reasons.itertuples()])
        )
    return "\n".join(parts)


def _cell(row: pd.Series, name: str) -> tuple[str, str]:
    reported = row[f"{name}_reported"]
    mean = row[f"{name}_predicted"]
    if isinstance(mean, float) and math.isnan(mean):
        return _n(reported), "–"
    mark = ""
    inside = row[f"{name}_inside"]
    if inside is not None and not (isinstance(inside, float) and math.isnan(inside)):
        mark = " ✓" if inside else " ✗"
    pred = f"{mean:.0f} [{row[f'{name}_lo']:.0f}–{row[f'{name}_hi']:.0f}]{mark}"
    return _n(reported), pred


def _comparison(frame: pd.DataFrame, first: str) -> str:
    rows = []
    for _, row in frame.iterrows():
        cells = [row["period"] if first == "month" else row["kind"]]
        if first == "month":
            cells.append(row["kind"])
        cells += [f"{row['launched']:.0f}"]
        for name in ("destroyed", "lost_to_ew", "leaked"):
            cells += list(_cell(row, name))
        rows.append(cells)
    header = ([first, "kind"] if first == "month" else ["kind"]) + [
        "launched", "destroyed", "predicted", "lost to EW", "predicted", "leaked", "predicted"
    ]  # fmt: skip
    return markdown_table(header, rows)


def calibration_text(cal: Calibration) -> str:
    """Fitted parameters, the test period by month and kind, coverage, and the night."""
    pct = f"{cal.level:.0%}"
    parts = [
        f"Reported raids: {cal.source}; model: {cal.scenario}.",
        f"Training period: {cal.train[0]} to {cal.train[1]}"
        + (f"; test period (never seen by the fit): {cal.test[0]} to {cal.test[1]}." if cal.test
           else "."),
        "",
        "Fitted effectiveness (maximum likelihood over training nights; 95% bootstrap "
        "intervals over nights):" if cal.stationary else
        "Effectiveness at the end of training (time-varying fit: logit random walks filtered "
        f"over the training nights; filtered mean [{pct} interval] for pk and EW; for missiles "
        "the night spread and the defence capacity path below):",
    ]  # fmt: skip
    rows = []
    for f in cal.fits:
        lo, hi = f.interval("pk")
        ew = "–"
        if f.ew is not None:
            elo, ehi = f.interval("ew")
            ew = f"{f.ew:.2f} [{elo:.2f}–{ehi:.2f}]"
        spread = "binomial" if math.isinf(f.dispersion) else f"{f.dispersion:.3g}"
        rows.append(
            [f.kind, f"{f.start} to {f.end}", f.nights, f"{f.launched:.0f}",
             f"{f.pk:.2f} [{lo:.2f}–{hi:.2f}]", ew, spread]
        )  # fmt: skip
    parts.append(
        markdown_table(
            ["kind", "period", "nights", "launched", "pk per round", "EW susceptibility",
             "night spread (Dirichlet c)"], rows,
        )
    )  # fmt: skip
    if cal.paths is not None and not cal.paths.empty:
        parts += ["", _paths(cal)]
    if cal.test is not None and not cal.monthly.empty:
        parts += [
            "",
            f"Test period by month and kind: reported, then predicted mean [{pct} prediction "
            "interval] (✓ inside, ✗ outside). For missiles, which the model's EW does not "
            "touch, 'destroyed' is destroyed + not_reach_goal; for drones in months reported "
            "'combined' only leaked can be compared (– where not reported separately).",
            "",
            _comparison(cal.monthly, "month"),
            "",
            "Whole test period by kind:",
            "",
            _comparison(cal.by_kind, "kind"),
            "",
        ]
        cover = cal.coverage()
        shares = ", ".join(
            f"{_LABELS[name]} {i}/{n}" for name, (i, n) in cover.items() if name != "all"
        )
        inside, total = cover["all"]
        share = f"{inside / total:.0%}" if total else "–"
        parts.append(
            f"Reported monthly values inside their {pct} prediction intervals: {inside} of "
            f"{total} ({share}; {shares})."
        )
    if cal.night is not None and cal.night_date is not None:
        when = ""
        if cal.test is not None and cal.test[0] <= cal.night_date <= cal.test[1]:
            when = "in the test period"
        if cal.train[0] <= cal.night_date <= cal.train[1]:
            when = "in the training period"
        parts += [
            "",
            f"The night of {cal.night_date} ({when or 'outside both periods'}), "
            f"reported against predicted [{pct} prediction interval]:",
            "",
            _comparison(cal.night, "kind"),
        ]
    return "\n".join(parts)


def _paths(cal: Calibration) -> str:
    """The drift chosen per kind and the parameters' monthly filtered path."""
    pct = f"{cal.level:.0%}"
    chosen = "; ".join(
        f"{kind}: volatility {d['sigma']:g} per 30 days (logit), night spread "
        + ("binomial" if math.isinf(d["c"]) else f"c = {d['c']:g}")
        + (
            f", decoys {d['decoys_at_ref']:.0%} of a {SIZE_REF:g}-drone night, logit slope "
            f"{d['decoy_slope']:g} per log size"
            if "decoys_at_ref" in d
            else ""
        )
        for kind, d in cal.drift.items()
    )
    rows = []
    for _, r in cal.paths.iterrows() if cal.paths is not None else ():
        row = [r["kind"], r["month"]]
        for tag in ("", "smoothed_"):
            second = "–"
            if pd.notna(r.get(f"{tag}ew")):
                second = f"EW {r[f'{tag}ew']:.2f} [{r[f'{tag}ew_lo']:.2f}–{r[f'{tag}ew_hi']:.2f}]"
            elif pd.notna(r.get(f"{tag}capacity")):
                second = (f"capacity x{r[f'{tag}capacity']:.2g} [{r[f'{tag}capacity_lo']:.2g}–"
                          f"{r[f'{tag}capacity_hi']:.2g}]")  # fmt: skip
            row += [f"{r[f'{tag}pk']:.2f} [{r[f'{tag}pk_lo']:.2f}–{r[f'{tag}pk_hi']:.2f}]", second]
        rows.append(row)
    return "\n".join([
        f"Chosen by predictive likelihood of the training nights: {chosen}.",
        "",
        f"Parameters' path over the training period (mean [{pct} interval] at each month's "
        "last night; filtered: from the nights up to it; smoothed: from all training nights, "
        "up to the next break):",
        "",
        markdown_table(["kind", "month", "pk (filtered)", "EW / capacity (filtered)",
                        "pk (smoothed)", "EW / capacity (smoothed)"], rows),
    ])  # fmt: skip
