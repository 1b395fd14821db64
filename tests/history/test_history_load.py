"""The reported-raids loader: kinds, national rows only, EW eras, rows left out."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from iadsim.history import HistoryError, load_raids, threat_kind

HEADER = (
    "time_start,time_end,model,launch_place,target,launched,destroyed,not_reach_goal,"
    "still_attacking,source\n"
)

ROWS = [
    # line 2: separate era, national
    "2025-01-10 19:00,2025-01-11 08:00,Shahed-136/131,,Ukraine,100,60,30,,kpszsu/posts/a",
    # line 3: the same night from a regional command: must not be counted again
    "2025-01-10 19:00,2025-01-11 08:00,Shahed-136/131,,Odesa,40,30,5,,PvKPivden/posts/b",
    # line 4: ballistic
    "2025-01-10 19:00,2025-01-11 08:00,Iskander-M/KN-23,,Kyiv,4,1,,,kpszsu/posts/a",
    # line 5: cruise, two models of one kind
    "2025-01-10 19:00,2025-01-11 08:00,X-101/X-555 and Kalibr,,Ukraine,20,15,,,kpszsu/posts/a",
    # line 6: hypersonic
    "2025-01-12 05:00,2025-01-12 06:00,X-47 Kinzhal,,Kyiv,2,1,,,kpszsu/posts/c",
    # line 7: mixed kinds
    "2025-01-12 05:00,2025-01-12 06:00,X-47 Kinzhal and Iskander-M,,Kyiv,3,1,,,kpszsu/posts/c",
    # line 8: reconnaissance drone
    "2025-01-13,2025-01-13,Orlan-10,,Ukraine,3,3,,,kpszsu/posts/d",
    # line 9: S-300 at ground targets
    "2025-01-13,2025-01-13,C-300,,Kharkiv,5,0,,,kpszsu/posts/d",
    # line 10: after the EW merge: destroyed already covers EW
    "2025-09-05 19:00,2025-09-06 08:00,Shahed-136/131,,Ukraine,200,170,0,,kpszsu/posts/e",
    # line 11: before EW was reported at all: combined
    "2024-01-05 19:00,2024-01-06 08:00,Shahed-136/131,,Ukraine,30,25,,,kpszsu/posts/f",
    # line 12: threats still in the air have no known fate
    "2025-02-01 19:00,2025-02-02 08:00,Shahed-136/131,,Ukraine,50,30,10,5,kpszsu/posts/g",
    # line 13: impossible counts
    "2025-02-03 19:00,2025-02-04 08:00,Shahed-136/131,,Ukraine,10,8,5,,kpszsu/posts/h",
    # line 14: an exact repeat of line 2
    "2025-01-10 19:00,2025-01-11 08:00,Shahed-136/131,,Ukraine,100,60,30,,kpszsu/posts/a",
    # line 15: not a count
    "2025-02-05 19:00,2025-02-06 08:00,Shahed-136/131,,Ukraine,abc,8,,,kpszsu/posts/i",
    # line 16: Shahed with Lancet in one row
    "2025-02-06,2025-02-06,Shahed-136/131 and Lancet,,Sumy,12,10,,,kpszsu/posts/j",
]


@pytest.fixture
def raids_csv(tmp_path: Path) -> Path:
    path = tmp_path / "raids.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("Shahed-136/131", "owa_drone"),
        ("Iskander-M", "ballistic_missile"),
        ("KN-23", "ballistic_missile"),
        ("Iskander-M/KN-23", "ballistic_missile"),
        ("X-101/X-555", "cruise_missile"),
        ("Kalibr", "cruise_missile"),
        ("Iskander-K", "cruise_missile"),
        ("X-59/X-69", "cruise_missile"),
        ("X-101/X-555 and Kalibr and Iskander-K", "cruise_missile"),
        ("X-47 Kinzhal", "hypersonic"),
        ("3M22 Zircon", "hypersonic"),
    ],
)
def test_weapon_models_map_to_threat_kinds(model: str, kind: str) -> None:
    assert threat_kind(model) == (kind, "")


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("Orlan-10", "reconnaissance"),
        ("C-300/C-400", "S-300"),
        ("X-101/X-555 and Kalibr and Iskander-M/KN-23", "mixes threat kinds"),
        ("Shahed-136/131 and Lancet", "Lancet"),
        ("Unknown Missile", "unknown"),
        ("Zorro-9", "unknown weapon model"),
        ("", "no weapon model"),
    ],
)
def test_unusable_models_say_why(model: str, words: str) -> None:
    kind, reason = threat_kind(model)
    assert kind is None
    assert words in reason


def test_only_national_rows_are_kept_and_none_twice(raids_csv: Path) -> None:
    history = load_raids(raids_csv)
    jan10 = history.rows[history.rows["date"] == dt.date(2025, 1, 10)]
    drones = jan10[jan10["kind"] == "owa_drone"]
    assert len(drones) == 1  # the regional row and the exact repeat are left out
    assert drones["launched"].sum() == 100
    reasons = dict(zip(history.rejected["row"], history.rejected["reason"], strict=True))
    assert "not a national Air Force row" in reasons[3]
    assert reasons[14] == "repeats an earlier national row exactly (line 2)"
    assert set(history.rows["kind"]) == {
        "owa_drone",
        "ballistic_missile",
        "cruise_missile",
        "hypersonic",
    }


def test_rows_left_out_carry_their_reason(raids_csv: Path) -> None:
    history = load_raids(raids_csv)
    reasons = dict(zip(history.rejected["row"], history.rejected["reason"], strict=True))
    assert set(reasons) == {3, 7, 8, 9, 13, 14, 15, 16}
    assert "mixes threat kinds" in reasons[7]
    assert "reconnaissance" in reasons[8]
    assert "S-300" in reasons[9]
    assert "exceed launched" in reasons[13]
    assert "launched is not a count" in reasons[15]
    assert "Lancet" in reasons[16]
    summary = history.rejected_reasons()
    assert summary["rows"].sum() == len(history.rejected)


def _row(history, line: int):  # type: ignore[no-untyped-def]
    return history.rows[history.rows["row"] == line].iloc[0]


def test_ew_is_separate_only_where_reported_and_before_the_merge(raids_csv: Path) -> None:
    history = load_raids(raids_csv)
    separate = _row(history, 2)
    assert separate["ew_reporting"] == "separate"
    assert (separate["destroyed"], separate["lost_to_ew"], separate["leaked"]) == (60, 30, 10)
    merged = _row(history, 10)  # September 2025: destroyed covers shot down and EW
    assert merged["ew_reporting"] == "combined"
    assert math.isnan(merged["destroyed"]) and math.isnan(merged["lost_to_ew"])
    assert (merged["neutralised"], merged["leaked"]) == (170, 30)
    early = _row(history, 11)  # January 2024: EW not reported
    assert early["ew_reporting"] == "combined"
    assert (early["neutralised"], early["leaked"]) == (25, 5)
    missile = _row(history, 4)
    assert missile["ew_reporting"] == "combined"


def test_a_window_starting_before_noon_belongs_to_the_night_before(raids_csv: Path) -> None:
    history = load_raids(raids_csv)
    assert _row(history, 6)["date"] == dt.date(2025, 1, 11)  # 2025-01-12 05:00
    assert _row(history, 2)["date"] == dt.date(2025, 1, 10)  # 2025-01-10 19:00
    assert _row(history, 8 + 2)["date"] == dt.date(2025, 9, 5)


def test_the_merge_date_is_an_option(raids_csv: Path) -> None:
    history = load_raids(raids_csv, ew_merged_from=dt.date(2025, 1, 1))
    assert _row(history, 2)["ew_reporting"] == "combined"
    assert _row(history, 2)["neutralised"] == 90


def test_still_attacking_threats_are_left_out_of_launched(raids_csv: Path) -> None:
    row = _row(load_raids(raids_csv), 12)
    assert (row["launched"], row["destroyed"], row["lost_to_ew"], row["leaked"]) == (45, 30, 10, 5)


def test_monthly_totals(raids_csv: Path) -> None:
    monthly = load_raids(raids_csv).monthly()
    jan = monthly[(monthly["month"] == "2025-01") & (monthly["kind"] == "owa_drone")].iloc[0]
    assert (jan["launched"], jan["destroyed"], jan["lost_to_ew"], jan["leaked"]) == (
        100,
        60,
        30,
        10,
    )
    sep = monthly[(monthly["month"] == "2025-09") & (monthly["kind"] == "owa_drone")].iloc[0]
    assert math.isnan(sep["destroyed"]) and sep["neutralised"] == 170


def test_a_file_without_the_columns_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("date,count\n2025-01-01,3\n", encoding="utf-8")
    with pytest.raises(
        HistoryError, match=r"other\.csv: line 1: the header has no columns time_start, model"
    ):
        load_raids(path)
    with pytest.raises(HistoryError, match="no such file"):
        load_raids(tmp_path / "missing.csv")


def test_cli_history_load(raids_csv: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ok, rejected, missing, bad_date, as_json, rejected_json = cli(
        ["history", "load", raids_csv],
        ["history", "load", raids_csv, "--rejected"],
        ["history", "load", tmp_path / "missing.csv"],
        ["history", "load", raids_csv, "--ew-merged-from", "August"],
        ["history", "load", raids_csv, "--format", "json"],
        ["history", "load", raids_csv, "--format", "json", "--rejected"],
    )
    assert ok.returncode == 0, ok.stderr
    assert "| 2025-01 | owa_drone" in ok.stdout
    assert "not a national Air Force row" in ok.stdout
    assert rejected.returncode == 0 and "| 13 " in rejected.stdout
    for result in (missing, bad_date):
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert "missing.csv: no such file" in missing.stderr
    assert "error: --ew-merged-from: 'August' is not a date" in bad_date.stderr
    import json

    for result in (as_json, rejected_json):
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"JSON {c}"))
        assert document["usable_rows"] == 7 and document["rejected_rows"] == 8
    summary = json.loads(as_json.stdout)
    assert {r["reason"] for r in summary["rejected"]} >= {"repeats an earlier national row exactly"}
    sep = next(m for m in summary["monthly"] if m["month"] == "2025-09")
    assert sep["destroyed"] is None and sep["neutralised"] == 170  # NaN is null, not NaN
    rows = json.loads(rejected_json.stdout)["rejected"]
    assert [r["row"] for r in rows] == [3, 7, 8, 9, 13, 14, 15, 16]
