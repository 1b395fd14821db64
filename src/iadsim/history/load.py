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

**Bad input.** A problem with the file as a whole is a :class:`HistoryError`
naming the file (and the line and column where there is one): no such file, a
folder, larger than :data:`MAX_FILE_BYTES`, binary (NUL bytes), not UTF-8 text
(a UTF-8 byte-order mark is fine; CRLF line ends too), empty, a header without
data rows, a missing or repeated required column, a field longer than the csv
module's limit. A problem with one row is a *rejected row* with its line and
reason, as the public dataset has rows of every kind that the model cannot
use: counts that are not whole numbers from 0 to :data:`MAX_COUNT` (``inf``,
``nan``, ``-3``, ``2.5``, ``1e300``), destroyed + lost to EW above launched,
a ``time_start`` that is not a date or lies outside :data:`FIRST_NIGHT` to
:data:`LAST_NIGHT`, a row with more or fewer fields than the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iadsim.history.errors import HistoryError
from iadsim.history.kinds import HISTORY_KINDS, threat_kind
from iadsim.history.text import plain, shown
from iadsim.inputs import read_limited

__all__ = [
    "COUNT_COLUMNS",
    "EW_MERGED_FROM",
    "FIRST_NIGHT",
    "LAST_NIGHT",
    "MAX_COUNT",
    "MAX_FILE_BYTES",
    "NATIONAL_SOURCE",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "RaidHistory",
    "load_raids",
]

EW_MERGED_FROM = dt.date(2025, 8, 1)
"""First night whose reports merge drones lost to EW into ``destroyed``."""

NATIONAL_SOURCE = "kpszsu"
"""Prefix of ``source`` for the Air Force's national reports."""

REQUIRED_COLUMNS = ("time_start", "model", "launched", "destroyed", "source")
"""Columns a raids CSV must have."""

OPTIONAL_COLUMNS = ("time_end", "not_reach_goal", "still_attacking")
"""Columns read when present (any other column is ignored)."""

COUNT_COLUMNS = ("launched", "destroyed", "not_reach_goal", "still_attacking")
"""Columns holding counts of threats."""

MAX_FILE_BYTES = 8 * 2**20
"""Largest raids CSV read (8 MiB): the whole public dataset, 2022 to 2025, is under 0.7 MiB.
Memory stays under about 300 MB and loading under 10 s at this size."""

MAX_COUNT = 10_000
"""Largest count of one row: no reported night comes near it (the largest is 810 drones),
and the calibration simulates nights of every reported size."""

FIRST_NIGHT = dt.date(2000, 1, 1)
"""Earliest night accepted; an earlier ``time_start`` is a typo."""

LAST_NIGHT = dt.date(2099, 12, 31)
"""Latest night accepted; a later ``time_start`` is a typo."""

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

_EXPECTED = (
    "expected a raids CSV in the public format (a header row naming time_start, model, "
    "launched, destroyed, source, ...; then one row per weapon model and report)"
)

_TIME = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


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
    """Rows left out: ``row`` (line in the file), ``time_start``, ``model``, ``source``
    (each cut to 60 characters), ``reason``."""
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


def _text(path: Path) -> str:
    """The file's text, or a HistoryError saying why it is not a UTF-8 text file."""
    if not path.exists():
        raise HistoryError(path, f"no such file; {_EXPECTED}")
    if path.is_dir():
        raise HistoryError(path, f"is a folder, not a file; {_EXPECTED}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise HistoryError(
                path,
                f"is {size / 2**20:,.0f} MiB; a raids CSV is read whole and may be at most "
                f"{MAX_FILE_BYTES // 2**20} MiB (the public dataset from 2022 to 2025 is "
                "under 1 MiB)",
            )
        data = read_limited(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise HistoryError(path, f"cannot be read ({exc.strerror or exc}); {_EXPECTED}") from None
    if len(data) > MAX_FILE_BYTES:  # grew while read, or a device that reports no size
        raise HistoryError(path, f"is larger than {MAX_FILE_BYTES // 2**20} MiB; {_EXPECTED}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise HistoryError(path, "is UTF-16 text; save it as UTF-8 (CSV UTF-8) and try again")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise HistoryError(
            path,
            "holds NUL bytes: a binary file, not a CSV text file; " + _EXPECTED,
            line=data.count(b"\n", 0, nul) + 1,
        )
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as spreadsheets write
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    if not text.strip():
        raise HistoryError(path, f"is empty; {_EXPECTED}")
    return text


_ESCAPED = re.compile("[\udc80-\udcff]")
"""A byte that is not UTF-8, as decoded with ``errors="surrogateescape"``."""


def _records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each non-blank record, the header first."""
    reader = csv.reader(io.StringIO(text, newline=""))
    escaped = _ESCAPED.search(text) is not None
    header: list[str] = []
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            detail = str(exc)
            if "field limit" in detail:
                detail = f"a field is longer than {csv.field_size_limit():,} characters"
            raise HistoryError(
                path, f"cannot be read as CSV ({detail}); {_EXPECTED}", line=reader.line_num
            ) from None
        first, line = line, reader.line_num + 1
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if escaped:
            for index, field in enumerate(fields):
                bad = _ESCAPED.search(field)
                if bad is None:
                    continue
                name = header[index] if index < len(header) else f"field {index + 1}"
                raise HistoryError(
                    path,
                    f"byte 0x{ord(bad.group()) - 0xDC00:02x} is not UTF-8 text: the file is in "
                    "another encoding; save it as UTF-8 (CSV UTF-8) and try again",
                    line=first,
                    column=plain(name, 40),
                )
        if not header:
            header = fields
        yield first, fields


def _columns(path: Path, header: list[str], line: int) -> dict[str, int]:
    """Column name -> index of the columns read; a HistoryError if the header is not usable."""
    names = [" ".join(h.split()).lower() for h in header]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            continue
        if name in index:
            raise HistoryError(
                path,
                f"the header names column {name} twice (fields {index[name] + 1} and {i + 1}); "
                "expected each column once",
                line=line,
            )
        index[name] = i
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        hint = ""
        if len(header) == 1:
            sep = next((s for s in (";", "\t", "|") if s in header[0]), None)
            if sep is not None:
                hint = f" (the header is one field holding {sep!r}: separate fields by commas)"
        raise HistoryError(
            path,
            f"the header has no column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}{hint}; {_EXPECTED}",
            line=line,
        )
    return index


def _count(name: str, text: str) -> tuple[float | None, str]:
    """A count from the file: (None, "") if empty, (value, "") or (None, reason)."""
    text = text.strip()
    if not text:
        return None, ""
    expected = f"expected a whole number from 0 to {MAX_COUNT:,}"
    if len(text) > 40 or not _DECIMAL.fullmatch(text):
        return None, f"{name} is not a count, {expected} ({shown(text)})"
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None, f"{name} is not a count, {expected} ({shown(text)})"
    if value < 0 or value > MAX_COUNT or value != value.to_integral_value():
        return None, f"{name} is not a count, {expected} ({shown(text)})"
    return float(value), ""


def _night(start: str) -> tuple[dt.date | None, str]:
    """The night a report window belongs to (one starting before noon: the evening before)."""
    expected = "expected YYYY-MM-DD or YYYY-MM-DD HH:MM"
    match = _TIME.fullmatch(start)
    if match is None:
        return None, f"time_start is not a date, {expected} ({shown(start)})"
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        clock = dt.time(int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0))
    except ValueError:
        return None, f"time_start is not a date, {expected} ({shown(start)})"
    if not FIRST_NIGHT <= day <= LAST_NIGHT:
        return None, (
            f"time_start is outside the years {FIRST_NIGHT.year} to {LAST_NIGHT.year}, a "
            f"typo? ({shown(start)})"
        )
    if match["H"] is None:  # a date without a time: that day
        return day, ""
    return (dt.datetime.combine(day, clock) - dt.timedelta(hours=12)).date(), ""


def _row(record: dict[str, str], ew_merged_from: dt.date) -> tuple[dict[str, Any] | None, str]:
    source = record["source"]
    if not source.startswith(NATIONAL_SOURCE):
        return None, (
            "not a national Air Force row: regional and other reports overlap the "
            f"national totals (source {shown(source.split('/')[0] or 'empty')})"
        )
    start = record["time_start"]
    date, why = _night(start)
    if date is None:
        return None, why
    kind, why = threat_kind(record["model"])
    if kind is None:
        return None, why
    values: dict[str, float | None] = {}
    for name in COUNT_COLUMNS:
        value, why = _count(name, record.get(name, ""))
        if why:
            return None, why
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
    if resolved <= 0:
        return None, (
            "no threat of the row has a known fate: still_attacking is launched or more "
            f"({still:g} of {launched:g})"
        )
    if neutralised > resolved:
        return None, (
            "destroyed + not_reach_goal exceed launched less still attacking "
            f"({destroyed:g} + {ew or 0:g} > {launched:g} - {still:g})"
        )
    separate = ew is not None and date < ew_merged_from
    return {
        "date": date,
        "month": f"{date.year:04d}-{date.month:02d}",
        "model": record["model"],
        "kind": kind,
        "launched": resolved,
        "destroyed": destroyed if separate else np.nan,
        "lost_to_ew": ew if separate else np.nan,
        "neutralised": neutralised,
        "leaked": resolved - neutralised,
        "ew_reporting": "separate" if separate else "combined",
        "_key": (start, record.get("time_end", ""), record["model"], launched, destroyed, ew),
    }, ""


def load_raids(path: str | Path, *, ew_merged_from: dt.date = EW_MERGED_FROM) -> RaidHistory:
    """Read a raids CSV: usable national rows by threat kind, and the rows left out.

    Args:
        path: a CSV in the public raids format (any newer copy of it).
        ew_merged_from: first night whose reports no longer give drones lost to EW
            separately (see the module's notes).

    Raises:
        HistoryError: the file cannot be used as a whole (see the module's notes); the
            message names the file, and the line and column where there is one.
    """
    path = Path(path)
    records = _records(path, _text(path))
    header_line, header = next(records, (1, []))
    columns = _columns(path, header, header_line)
    kept: list[dict[str, Any]] = []
    rejected: list[tuple[int, str, str, str, str]] = []
    seen: dict[tuple[Any, ...], int] = {}
    rows = 0
    for line, fields in records:
        rows += 1
        record = {name: fields[i].strip() if i < len(fields) else "" for name, i in columns.items()}
        row: dict[str, Any] | None = None
        if len(fields) != len(header):
            reason = (
                f"the row has {len(fields)} fields where the header has {len(header)}, so "
                "its columns cannot be matched (a stray comma or quote?)"
            )
        else:
            row, reason = _row(record, ew_merged_from)
        if row is not None:
            key = row.pop("_key")
            if key in seen:
                row, reason = None, f"repeats an earlier national row exactly (line {seen[key]})"
            else:
                seen[key] = line
        if row is None:
            rejected.append(
                (
                    line,
                    plain(record["time_start"]),
                    plain(record["model"]),
                    plain(record["source"]),
                    reason,
                )
            )
            continue
        kept.append({"row": line, **row})
    if rows == 0:
        raise HistoryError(path, f"has a header row but no data rows; {_EXPECTED}")
    frame = pd.DataFrame(kept, columns=_ROW_COLUMNS)
    for name in ("launched", "destroyed", "lost_to_ew", "neutralised", "leaked"):
        frame[name] = frame[name].astype(float)
    rejects = pd.DataFrame(rejected, columns=["row", "time_start", "model", "source", "reason"])
    return RaidHistory(str(path), frame, rejects, ew_merged_from)
