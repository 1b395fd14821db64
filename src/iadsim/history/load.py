"""Reading the public reported-raids CSV into usable rows, and the rows it cannot use.

The format is that of the "Massive Missile Attacks on Ukraine" dataset
(compiled from the Ukrainian Air Force's daily reports): one row per weapon
model per reporting window, with ``launched``, ``destroyed`` and
``not_reach_goal`` (lost to electronic warfare). Choices made here, each
explicit:

- **National rows only.** Regional commands report parts of the same nights;
  only rows whose ``source`` starts with ``kpszsu`` (the Air Force) are kept,
  so no threat is counted twice. A row repeating another national row exactly
  (window, model and every count) is dropped as a repeat.
- **Kinds.** Weapon models map to threat kinds with :func:`threat_kind`;
  decoys are inside ``Shahed-136/131`` and are counted as ``owa_drone``.
- **EW reporting eras.** Until ``ew_merged_from`` (default 1 August 2025) the
  reports give drones lost to EW separately (``not_reach_goal``); a row of that
  time that gives it is ``ew_reporting == "separate"``. From that date the
  reports give one figure for shot down *or* suppressed in ``destroyed``; such
  rows, and earlier rows that leave ``not_reach_goal`` empty, are
  ``"combined"``: their ``neutralised`` (destroyed + any not_reach_goal) is
  known, their split between shot down and EW is not (``destroyed`` and
  ``lost_to_ew`` are then NaN). Calibration uses only what each row reports.
- **Nights.** A row's ``date`` is the night it belongs to: a window that
  starts before noon (a missile strike at 02:00) belongs to the night that
  began the evening before, so one raid's drones and missiles share a date.
- **Still attacking.** Threats reported as still in the air have no known
  fate and are left out of ``launched``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iadsim.history.errors import HistoryError
from iadsim.history.kinds import HISTORY_KINDS, threat_kind

__all__ = ["EW_MERGED_FROM", "NATIONAL_SOURCE", "REQUIRED_COLUMNS", "RaidHistory", "load_raids"]

EW_MERGED_FROM = dt.date(2025, 8, 1)
"""First night whose reports merge drones lost to EW into ``destroyed``."""

NATIONAL_SOURCE = "kpszsu"
"""Prefix of ``source`` for the Air Force's national reports."""

REQUIRED_COLUMNS = ("time_start", "model", "launched", "destroyed", "source")
"""Columns a raids CSV must have; ``not_reach_goal`` and ``still_attacking`` are optional."""

_ROW_COLUMNS = [
    "row",
    "date",
    "month",
    "model",
    "kind",
    "launched",
    "destroyed",
    "lost_to_ew",
    "neutralised",
    "leaked",
    "ew_reporting",
]


@dataclass(frozen=True)
class RaidHistory:
    """The usable national rows of a raids CSV and the rows left out, with why."""

    source: str
    """The file read."""
    rows: pd.DataFrame
    """One usable row per weapon model and night: ``row`` (line in the file), ``date``
    (the night: windows starting before noon count to the evening before), ``month``
    ("YYYY-MM"), ``model``, ``kind``, ``launched`` (fate known), ``destroyed``,
    ``lost_to_ew`` (NaN when not reported separately), ``neutralised`` (destroyed +
    lost to EW), ``leaked`` (launched - neutralised), ``ew_reporting`` ("separate" or
    "combined")."""
    rejected: pd.DataFrame
    """Rows left out: ``row``, ``time_start``, ``model``, ``source``, ``reason``."""
    ew_merged_from: dt.date
    """The era boundary used."""

    def of_kind(self, kind: str) -> pd.DataFrame:
        """The usable rows of one threat kind."""
        return self.rows[self.rows["kind"] == kind]

    def between(self, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
        """Usable rows whose night starts in ``[start, end]`` (either bound may be open)."""
        keep = np.ones(len(self.rows), dtype=bool)
        if start is not None:
            keep &= (self.rows["date"] >= start).to_numpy()
        if end is not None:
            keep &= (self.rows["date"] <= end).to_numpy()
        return self.rows[keep]

    def rejected_reasons(self) -> pd.DataFrame:
        """How many rows were left out for each reason, most common first."""
        general = self.rejected["reason"].str.replace(r" \([^()]*\)$", "", regex=True)
        counts = general.value_counts()
        return pd.DataFrame({"reason": counts.index, "rows": counts.to_numpy()})

    def monthly(self) -> pd.DataFrame:
        """Totals by month and kind: nights, launched, destroyed, lost to EW, leaked."""
        rows = self.rows
        if rows.empty:
            return pd.DataFrame(
                columns=["month", "kind", "rows", "launched", "destroyed", "lost_to_ew",
                         "neutralised", "leaked", "ew_reporting"]
            )  # fmt: skip
        grouped = rows.groupby(["month", "kind"], sort=False)
        table = grouped.agg(
            rows=("launched", "size"),
            launched=("launched", "sum"),
            destroyed=("destroyed", lambda s: s.sum() if s.notna().all() else np.nan),
            lost_to_ew=("lost_to_ew", lambda s: s.sum() if s.notna().all() else np.nan),
            neutralised=("neutralised", "sum"),
            leaked=("leaked", "sum"),
            ew_reporting=("ew_reporting", lambda s: "/".join(sorted(set(s)))),
        ).reset_index()
        order = {k: i for i, k in enumerate(HISTORY_KINDS)}
        table["_k"] = table["kind"].map(order)
        return table.sort_values(["month", "_k"]).drop(columns="_k").reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise HistoryError(path, "no such file; expected a raids CSV (columns time_start, "
                           "model, launched, destroyed, not_reach_goal, source, ...)")  # fmt: skip
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HistoryError(path, f"cannot be read as CSV ({first}); expected a raids CSV "
                           "with a header row (time_start, model, launched, destroyed, "
                           "not_reach_goal, source, ...)") from None  # fmt: skip
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise HistoryError(
            path,
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; expected "
            f"the raids format with columns {', '.join(REQUIRED_COLUMNS)} (and optionally "
            "not_reach_goal, still_attacking)",
        )
    return frame


def _number(text: str) -> float | None:
    """A count from the file: None if empty, NaN if not a number."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _night(start: str) -> dt.date:
    """The night a report window belongs to: one starting before noon, to the evening before."""
    if len(start) <= 10:  # a date without a time: that day
        return dt.date.fromisoformat(start)
    return (dt.datetime.fromisoformat(start) - dt.timedelta(hours=12)).date()


def _row(record: dict[str, str], ew_merged_from: dt.date) -> tuple[dict[str, Any] | None, str]:
    source = record.get("source", "").strip()
    if not source.startswith(NATIONAL_SOURCE):
        shown = source.split("/")[0] or "empty"
        return None, (
            "not a national Air Force row: regional and other reports overlap the "
            f"national totals (source {shown!r})"
        )
    start = record.get("time_start", "").strip()
    try:
        date = _night(start)
    except ValueError:
        return None, f"time_start is not a date, expected YYYY-MM-DD[ HH:MM] ({start!r})"
    kind, why = threat_kind(record.get("model", ""))
    if kind is None:
        return None, why
    values: dict[str, float | None] = {}
    for name in ("launched", "destroyed", "not_reach_goal", "still_attacking"):
        value = _number(record.get(name, ""))
        if value is not None and (np.isnan(value) or value < 0 or value != int(value)):
            return None, f"{name} is not a count, a whole number >= 0 ({record.get(name)!r})"
        values[name] = value
    launched, destroyed = values["launched"], values["destroyed"]
    if launched is None or launched == 0:
        return None, "launched is not reported (or zero)"
    if destroyed is None:
        return None, "destroyed is not reported"
    ew = values["not_reach_goal"]
    still = values["still_attacking"] or 0.0
    resolved = launched - still
    neutralised = destroyed + (ew or 0.0)
    if neutralised > resolved:
        return None, (
            "destroyed + not_reach_goal exceed launched less still attacking "
            f"({destroyed:g} + {ew or 0:g} > {launched:g} - {still:g})"
        )
    separate = ew is not None and date < ew_merged_from
    return {
        "date": date,
        "month": f"{date.year:04d}-{date.month:02d}",
        "model": record["model"].strip(),
        "kind": kind,
        "launched": resolved,
        "destroyed": destroyed if separate else np.nan,
        "lost_to_ew": ew if separate else np.nan,
        "neutralised": neutralised,
        "leaked": resolved - neutralised,
        "ew_reporting": "separate" if separate else "combined",
        "_key": (start, record.get("time_end", "").strip(), record["model"].strip(),
                 launched, destroyed, ew),
    }, ""  # fmt: skip


def load_raids(path: str | Path, *, ew_merged_from: dt.date = EW_MERGED_FROM) -> RaidHistory:
    """Read a raids CSV: usable national rows by threat kind, and the rows left out.

    Args:
        path: a CSV in the public raids format (any newer copy of it).
        ew_merged_from: first night whose reports no longer give drones lost to EW
            separately (see the module's notes).

    Raises:
        HistoryError: the file is missing, not CSV, or lacks a required column.
    """
    path = Path(path)
    frame = _read(path)
    kept: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, record in enumerate(frame.to_dict("records")):
        line = index + 2  # the header is line 1
        row, reason = _row(record, ew_merged_from)
        if row is not None:
            key = row.pop("_key")
            if key in seen:
                row, reason = None, f"repeats an earlier national row exactly (line {seen[key]})"
            else:
                seen[key] = line
        if row is None:
            rejected.append(
                {
                    "row": line,
                    "time_start": record.get("time_start", ""),
                    "model": record.get("model", ""),
                    "source": record.get("source", ""),
                    "reason": reason,
                }
            )
            continue
        kept.append({"row": line, **row})
    rows = pd.DataFrame(kept, columns=_ROW_COLUMNS)
    for name in ("launched", "destroyed", "lost_to_ew", "neutralised", "leaked"):
        rows[name] = rows[name].astype(float)
    rejects = pd.DataFrame(rejected, columns=["row", "time_start", "model", "source", "reason"])
    return RaidHistory(str(path), rows, rejects, ew_merged_from)
