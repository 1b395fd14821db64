"""Hostile raids CSVs: a clear error naming file, line and column, or a rejected row with why."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from iadsim.history import HistoryError, load_raids
from iadsim.history.load import MAX_COUNT, MAX_FILE_BYTES
from iadsim.history.text import plain

from repo_paths import ROOT

HEADER = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
GOOD = "2025-01-10 19:00,2025-01-11 08:00,Shahed-136/131,100,60,30,kpszsu/a\n"


def _write(tmp_path: Path, data: bytes | str, name: str = "raids.csv") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- structural problems: one error naming the file (and line, column) ---------------

ERRORS = {
    "empty": (b"", ["is empty", "expected a raids CSV"]),
    "blank lines only": (b"\n\n  \n", ["is empty"]),
    "header only": (HEADER.encode(), ["header row but no data rows"]),
    "missing columns": (b"date,count\n2025-01-01,3\n", ["line 1", "no columns time_start"]),
    "semicolons": (
        b"time_start;model;launched;destroyed;source\n2025-01-01;Kalibr;1;1;kpszsu\n",
        ["line 1", "one field holding ';'"],
    ),
    "repeated column": (
        (HEADER.strip() + ",launched\n" + GOOD.strip() + ",3\n").encode(),
        ["line 1", "names column launched twice (fields 4 and 8)"],
    ),
    "utf-16": (HEADER.encode("utf-16"), ["is UTF-16 text", "save it as UTF-8"]),
    "latin-1": (
        (HEADER + "2025-01-10 19:00,,Shahed-136/131,1,1,,kpszsu/café\n").encode("latin-1"),
        ["line 2, column `source`", "byte 0xe9 is not UTF-8"],
    ),
    "latin-1 header": (
        "time_start,modèle,launched,destroyed,source\n".encode("latin-1"),
        ["line 1, column `field 2`", "byte 0xe8"],
    ),
    "binary junk": (
        bytes(range(256)) * 4,
        ["line 1", "NUL bytes", "binary file"],
    ),
    "NUL in a row": (
        (HEADER + GOOD + GOOD).encode().replace(b"Shahed", b"Sha\x00hed", 2)[::1],
        ["line 2", "NUL bytes"],
    ),
    "over-long field": (
        (HEADER + "2025-01-10," + "x" * 200_000 + ",Kalibr,1,1,,kpszsu\n").encode(),
        ["line 2", "a field is longer than"],
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_a_file_that_is_not_a_raids_csv_is_one_clear_error(tmp_path: Path, case: str) -> None:
    data, fragments = ERRORS[case]
    path = _write(tmp_path, data)
    with pytest.raises(HistoryError) as caught:
        load_raids(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message
    assert "Traceback" not in message


def test_no_such_file_and_a_folder_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match=r"missing\.csv: no such file; expected a raids CSV"):
        load_raids(tmp_path / "missing.csv")
    with pytest.raises(HistoryError, match=r"is a folder, not a file"):
        load_raids(tmp_path)


def test_a_huge_file_is_refused_by_its_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as stream:  # sparse: 1 GiB without writing it
        stream.truncate(2**30)
    with pytest.raises(HistoryError, match=r"huge\.csv: is 1,024 MiB; .* at most 8 MiB"):
        load_raids(path)
    assert MAX_FILE_BYTES == 8 * 2**20


def test_bom_crlf_and_padded_header_are_read(tmp_path: Path) -> None:
    header = " Time_Start , time_end,MODEL,launched,destroyed,not_reach_goal,source\r\n"
    data = b"\xef\xbb\xbf" + (header + GOOD.replace("\n", "\r\n") + "\r\n\r\n").encode()
    history = load_raids(_write(tmp_path, data))
    assert len(history.rows) == 1 and history.rejected.empty
    row = history.rows.iloc[0]
    assert (row["launched"], row["destroyed"], row["lost_to_ew"]) == (100, 60, 30)


def test_a_quoted_field_over_lines_keeps_line_numbers_right(tmp_path: Path) -> None:
    rows = [
        '2025-01-10 19:00,,"Shahed-136/131",5,1,,"kpszsu/a\nsecond line"',
        "2025-01-11 19:00,,Nope,5,1,,kpszsu/b",
    ]
    history = load_raids(_write(tmp_path, HEADER + "\n".join(rows) + "\n"))
    assert list(history.rows["row"]) == [2]
    assert list(history.rejected["row"]) == [4]  # the quoted field spans lines 2 and 3


# --- row problems: the row is left out, with its line and reason ---------------------

ROWS = {
    "inf": ("2025-01-11 19:00,,Kalibr,inf,1,,kpszsu/b", "launched is not a count"),
    "-inf": ("2025-01-11 19:00,,Kalibr,5,-inf,,kpszsu/b", "destroyed is not a count"),
    "nan": ("2025-01-11 19:00,,Shahed-136/131,nan,1,,kpszsu/b", "launched is not a count"),
    "NaN in EW": ("2025-01-11 19:00,,Shahed-136/131,5,1,NaN,kpszsu/b", "not_reach_goal is not"),
    "negative": ("2025-01-11 19:00,,Kalibr,-3,1,,kpszsu/b", "launched is not a count"),
    "fraction": ("2025-01-11 19:00,,Kalibr,2.5,1,,kpszsu/b", "launched is not a count"),
    "1e300": ("2025-01-11 19:00,,Kalibr,1e300,1,,kpszsu/b", "from 0 to 10,000 ('1e300')"),
    "20 digits": (
        "2025-01-11 19:00,,Kalibr,99999999999999999999,1,,kpszsu/b",
        "launched is not a count",
    ),
    "1e999999999": ("2025-01-11 19:00,,Kalibr,1e999999999,1,,kpszsu/b", "not a count"),
    "hex": ("2025-01-11 19:00,,Kalibr,0x10,1,,kpszsu/b", "launched is not a count"),
    "underscores": ("2025-01-11 19:00,,Kalibr,1_000,1,,kpszsu/b", "launched is not a count"),
    "above the limit": (f"2025-01-11 19:00,,Kalibr,{MAX_COUNT + 1},1,,kpszsu/b", "not a count"),
    "destroyed > launched": (
        "2025-01-11 19:00,,Kalibr,5,7,,kpszsu/b",
        "destroyed + not_reach_goal exceed launched",
    ),
    "EW > launched": (
        "2025-01-11 19:00,,Shahed-136/131,5,1,9,kpszsu/b",
        "destroyed + not_reach_goal exceed launched",
    ),
    "year 1": ("0001-01-01 05:00,,Kalibr,5,1,,kpszsu/b", "outside the years 2000 to 2099"),
    "year 9999": ("9999-12-31 23:00,,Kalibr,5,1,,kpszsu/b", "outside the years 2000 to 2099"),
    "month 13": ("2025-13-01,,Kalibr,5,1,,kpszsu/b", "time_start is not a date"),
    "words": ("yesterday,,Kalibr,5,1,,kpszsu/b", "time_start is not a date"),
    "hour 25": ("2025-01-11 25:00,,Kalibr,5,1,,kpszsu/b", "time_start is not a date"),
    "empty date": (",,Kalibr,5,1,,kpszsu/b", "time_start is not a date"),
    "extra field": ("2025-01-11 19:00,,Kalibr,5,1,,kpszsu/b,extra", "the row has 8 fields"),
    "short row": ("2025-01-11 19:00,,Kalibr", "the row has 3 fields"),
    "no launched": ("2025-01-11 19:00,,Kalibr,,1,,kpszsu/b", "launched is not reported"),
    "no model": ("2025-01-11 19:00,,,5,1,,kpszsu/b", "no weapon model given"),
}


@pytest.mark.parametrize("case", list(ROWS))
def test_a_bad_row_is_left_out_with_its_line_and_reason(tmp_path: Path, case: str) -> None:
    row, reason = ROWS[case]
    history = load_raids(_write(tmp_path, HEADER + GOOD + row + "\n" + GOOD.replace("10", "12")))
    assert list(history.rows["row"]) == [2, 4]  # the good rows around it are kept
    assert list(history.rejected["row"]) == [3]
    assert reason in history.rejected["reason"].iloc[0]


def test_single_digit_hours_and_seconds_are_times(tmp_path: Path) -> None:
    rows = [
        "2023-05-16 3:30,,X-47 Kinzhal,6,6,,kpszsu/a",
        "2023-05-16T19:00:30,,Kalibr,2,1,,kpszsu/a",
        "2023-05-17,,Kalibr,3,1,,kpszsu/a",
    ]
    history = load_raids(_write(tmp_path, HEADER + "\n".join(rows) + "\n"))
    assert history.rejected.empty
    assert list(history.rows["date"]) == [
        dt.date(2023, 5, 15),  # 03:30 belongs to the night before
        dt.date(2023, 5, 16),
        dt.date(2023, 5, 17),
    ]


def test_every_threat_still_in_the_air_is_no_usable_row(tmp_path: Path) -> None:
    header = HEADER.strip() + ",still_attacking\n"
    history = load_raids(_write(tmp_path, header + "2025-01-11 19:00,,Kalibr,5,0,,kpszsu/b,5\n"))
    assert history.rows.empty
    assert "no threat of the row has a known fate" in history.rejected["reason"].iloc[0]


def test_hostile_text_is_shown_short_and_without_control_characters(tmp_path: Path) -> None:
    model = "X\x1b[31m" + "y" * 500
    history = load_raids(_write(tmp_path, HEADER + f"2025-01-11 19:00,,{model},5,1,,kpszsu/b\n"))
    shown, reason = history.rejected["model"].iloc[0], history.rejected["reason"].iloc[0]
    assert "\x1b" not in shown and "\x1b" not in reason
    assert len(shown) <= 60 and shown.endswith("…")
    assert len(reason) < 200
    assert plain("a\tb\nc") == "a b c"


def test_many_bad_rows_are_counted_by_reason(tmp_path: Path) -> None:
    rows = [f"2025-01-{d:02d} 19:00,,Kalibr,inf,1,,kpszsu/b" for d in range(1, 29)]
    history = load_raids(_write(tmp_path, HEADER + GOOD + "\n".join(rows) + "\n"))
    reasons = history.rejected_reasons()
    assert list(reasons["rows"]) == [28]
    assert reasons["reason"].iloc[0].startswith("launched is not a count")


# --- the response-table cache ---------------------------------------------------------


def test_a_damaged_cached_table_is_simulated_again(tmp_path: Path) -> None:
    from iadsim.history.model import NationalModel, default_scenario, response_table

    model = NationalModel(default_scenario())
    cache = tmp_path / "cache"
    first = response_table(model, "ballistic_missile", [2], pk_grid=(0.5,), cache_dir=cache)
    (table,) = cache.glob("response-*.npz")
    for damage in (b"", b"not a zip file", b"PK\x03\x04" + b"\x00" * 40):
        table.write_bytes(damage)
        calls: list[int] = []
        again = response_table(
            model, "ballistic_missile", [2], pk_grid=(0.5,), cache_dir=cache,
            progress=calls.append,
        )  # fmt: skip
        assert calls == [1]  # simulated, not read
        assert np.array_equal(again.shares, first.shares)
    assert [p.name for p in cache.iterdir()] == [table.name]  # no temporary files left


# --- verification/history.py: the CSV is an argument, never one machine's path --------


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "verify_history", ROOT / "verification" / "history.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_verification_script_finds_its_csv_in_order(tmp_path: Path) -> None:
    script = _script()
    assert script.raids_csv("given.csv", {"IADSIM_RAIDS_CSV": "env.csv"}, tmp_path) == Path(
        "given.csv"
    )
    assert script.raids_csv(None, {"IADSIM_RAIDS_CSV": "env.csv"}, tmp_path) == Path("env.csv")
    with pytest.raises(script.NoData, match=r"no raids CSV: give its path .* not shipped"):
        script.raids_csv(None, {}, tmp_path / "repo")
    shared = tmp_path / "shared" / "data" / "raids" / "missile_attacks_daily_2022-2025.csv"
    shared.parent.mkdir(parents=True)
    shared.write_text(HEADER + GOOD, encoding="utf-8")
    (tmp_path / "repo").mkdir()
    assert script.raids_csv(None, {}, tmp_path / "repo") == shared


def test_verification_script_errors_are_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "IADSIM_RAIDS_CSV"}
    runs = [
        [str(tmp_path / "missing.csv")],
        [str(_write(tmp_path, "date,count\n1,2\n", "other.csv"))],
    ]
    for args in runs:
        done = subprocess.run(
            [sys.executable, str(ROOT / "verification" / "history.py"), *args],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
        assert Path(args[0]).name in done.stderr


def test_nothing_in_history_code_points_outside_the_repository() -> None:
    for path in [*sorted((ROOT / "src" / "iadsim" / "history").glob("*.py")),
                 ROOT / "src" / "iadsim" / "cli" / "history.py",
                 ROOT / "verification" / "history.py"]:  # fmt: skip
        text = path.read_text(encoding="utf-8")
        assert "/work/" not in text, path
        assert 'Path("examples' not in text, path
