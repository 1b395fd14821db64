"""The command line under a demanding user: versions, help text, option names and ranges,
output paths checked before the work, read-only SQL, a store that cannot be written."""

from __future__ import annotations

import csv
import errno
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from iadsim.cli.common import SEED_MAX
from iadsim.errors import StoreError
from iadsim.runner import build_sweep, run_sweep
from iadsim.store import Store

from repo_paths import EXAMPLES

BATTERY = EXAMPLES / "single_battery.yaml"


def invoke(*args, env: dict[str, str] | None = None) -> SimpleNamespace:
    """Run ``iadsim`` in this process (typer's runner): exit code, stdout and stderr apart."""
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(code=result.exit_code, out=result.stdout, err=result.stderr)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A small store: two points of the single-battery example, reference engine."""
    db = Store.create(tmp_path_factory.mktemp("store") / "results")
    sweep = build_sweep(
        BATTERY, grid=["raids.0.count=4,8"], replications=6, seed=2, engine="reference"
    )
    run_sweep(sweep, db, backend="in-process")
    return db


# --- version, help, option names ------------------------------------------------------------


def test_version() -> None:
    from importlib.metadata import version

    from iadsim import __version__

    result = invoke("--version")
    assert result.code == 0 and result.out.strip() == f"iadsim {__version__}"
    assert version("iadsim") == __version__  # the package's metadata says the same


def test_help_keeps_bracketed_defaults() -> None:
    report = invoke("report", "--help", env={"COLUMNS": "200"})
    assert report.code == 0
    assert "[default: 200]" in report.out  # written in the help text, not typer's own
    sweep = invoke("sweep", "--help", env={"COLUMNS": "200"})
    assert "[default: all cores]" in sweep.out and "[default: 0]" in sweep.out


def _help(*command: str) -> str:
    result = invoke(*command, "--help", env={"COLUMNS": "250"})
    assert result.code == 0, result.err
    return result.out


@pytest.mark.parametrize("command", ["run", "report", "sweep"])
def test_common_options_have_the_same_names(command: str) -> None:
    text = _help(command)
    for short, long in (("-s", "--seed"), ("-n", "--replications"), ("-e", "--engine")):
        line = next(line for line in text.splitlines() if f"{long} " in line)
        assert short in line, (command, long)
    assert "18446744073709551615" in text or "2^64-1" in text
    assert "--set" in text


@pytest.mark.parametrize("command", [["run", BATTERY], ["report", BATTERY], ["sweep", BATTERY]])
def test_engine_is_a_typed_choice(command: list) -> None:
    result = invoke(*command, "--engine", "turbo")
    assert result.code == 2 and "turbo" in result.err


def test_replicate_index_is_one_name(tmp_path: Path) -> None:
    assert "--replicate-index" in _help("run")
    report = _help("report")
    assert "--replicate-index" in report and "--replicate " not in report
    old = invoke(
        "report", BATTERY, "--html", tmp_path / "r.html", "-n", "2", "--replicate", "5"
    )  # the old name still works (hidden)
    assert old.code == 2 and "--replicate-index: must be in 0..1" in old.err


def test_store_option_is_the_same_everywhere() -> None:
    for command in (("sweep",), ("report",), ("results", "list"), ("results", "sql")):
        line = next(line for line in _help(*command).splitlines() if "│ --store" in line)
        assert "-o" in line and "IADSIM_STORE" in _help(*command), command


def test_every_format_choice_is_typed(store: Store) -> None:
    for command in (
        ["run", BATTERY],
        ["sweep", BATTERY, "--store", store.path],
        ["results", "show", "x", "--store", store.path],
    ):
        result = invoke(*command, "--format", "xml")
        assert result.code == 2 and "xml" in result.err, command


TOO_BIG = str(SEED_MAX + 1)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["run", BATTERY, "--seed", TOO_BIG], "--seed"),
        (["report", BATTERY, "--html", "x.html", "--seed", TOO_BIG], "--seed"),
        (["sweep", BATTERY, "--grid", "raids.0.count=1", "--seed", TOO_BIG], "--seed"),
        (
            ["sweep", BATTERY, "--random", "raids.0.count=integers(1, 3)", "--design-seed", "-1"],
            "--design-seed",
        ),
    ],
)
def test_seed_above_the_range_is_an_option_error(args: list, option: str) -> None:
    result = invoke(*args)
    assert result.code == 2 and option in result.err and "Traceback" not in result.err


# the run options' bad values, and the same setting given to the Python API
BAD_RUN_OPTIONS = [
    (["-n", "0"], {"replications": 0}),
    (["--replications", "10000001"], {"replications": 10_000_001}),
    (["-s", "-1"], {"seed": -1}),
    (["--seed", TOO_BIG], {"seed": SEED_MAX + 1}),
    (["-e", "turbo"], {"engine": "turbo"}),
    (["--policy", "nope"], {"policy": "nope"}),
]


@pytest.mark.parametrize(("options", "setting"), BAD_RUN_OPTIONS)
@pytest.mark.parametrize("command", [["run", BATTERY], ["report", BATTERY, "--html", "r.html"]])
def test_run_options_are_refused_in_the_api_words(
    command: list, options: list, setting: dict, tmp_path: Path, monkeypatch
) -> None:
    from iadsim.api import check_run
    from iadsim.errors import OptionError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(OptionError) as api:
        check_run(**{"replications": 1, "seed": 0, **setting})
    result = invoke(*command, *options)
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err == f"error: {api.value}\n", (options, result.err)


def test_run_help_says_the_ranges_and_choices() -> None:
    for command in ("run", "report"):
        text = " ".join(_help(command).split())
        assert "1 to 10,000,000" in text and "0 to 2^64-1" in text, command
        assert "<fast|reference>" in text and "<greedy|cost_aware|exact>" in text, command


def test_largest_seed_runs(tmp_path: Path) -> None:
    result = invoke("run", BATTERY, "-n", "2", "-e", "reference", "-s", SEED_MAX, "-f", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["seed"] == SEED_MAX


# --- outputs checked before the work --------------------------------------------------------


def test_report_outputs_are_checked_before_running(tmp_path: Path, monkeypatch) -> None:
    import iadsim.report.sources as sources

    def never(*args, **kwargs):
        raise AssertionError("the simulation ran before the outputs were checked")

    monkeypatch.setattr(sources, "report_from_scenario", never)
    (tmp_path / "taken.png").write_text("a file")
    cases = [
        (["--png", tmp_path / "taken.png"], "--png"),
        (["--html", tmp_path], "--html"),
        (["--html", tmp_path / "missing" / "r.html"], "--html"),
        (["--html", BATTERY], "--html"),
        (["--html", "/proc/iadsim.html"], "--html"),
    ]
    for options, name in cases:
        result = invoke("report", BATTERY, *options)
        assert result.code == 2, (options, result.err)
        assert result.err.startswith(f"error: {name}:"), result.err


def test_a_failed_report_leaves_no_empty_png_folder(tmp_path: Path) -> None:
    result = invoke(
        "report", BATTERY, "--png", tmp_path / "png", "--set", "raids.0.count=-5", "-n", "2"
    )
    assert result.code == 2 and "raids.0.count" in result.err
    assert not (tmp_path / "png").exists()


def test_report_missing_file_and_unknown_id(tmp_path: Path) -> None:
    missing = invoke("report", tmp_path / "nonexist.yaml", "--html", tmp_path / "r.html")
    assert missing.code == 2 and "nonexist.yaml: no such file" in missing.err
    plain = invoke("report", "nonexist.yaml", "--html", tmp_path / "r.html")
    assert "no such file" in plain.err
    unknown = invoke(
        "report", "cafe12", "--store", tmp_path / "none", "--html", tmp_path / "r.html"
    )
    assert unknown.code == 2 and "neither a file nor a run or sweep id" in unknown.err


def test_report_unknown_id_in_a_store(store: Store, tmp_path: Path) -> None:
    result = invoke("report", "ffff0000", "--store", store.path, "--html", tmp_path / "r.html")
    assert result.code == 2
    assert "ffff0000: neither a file nor a run or sweep id in the store" in result.err


def _read_only(monkeypatch) -> None:
    """Every new file fails as on a read-only file system (root ignores mode bits)."""
    import iadsim.store.store as module

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(module.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(module, "atomic_write", refuse)


def test_sweep_store_on_a_read_only_file_system(tmp_path: Path, monkeypatch) -> None:
    _read_only(monkeypatch)
    new = invoke(
        "sweep", BATTERY, "--grid", "raids.0.count=1,2", "-n", "2", "-b", "in-process",
        "--store", tmp_path / "new",
    )  # fmt: skip
    assert new.code == 2 and "Read-only file system" in new.err, new.err
    assert "cannot make a results store" in new.err


def test_existing_store_that_cannot_take_files(store: Store, monkeypatch) -> None:
    _read_only(monkeypatch)
    with pytest.raises(StoreError, match="cannot write into the results store"):
        Store.create(store.path)
    result = invoke(
        "sweep", BATTERY, "--grid", "raids.0.count=4,8", "-n", "6", "-s", "2",
        "-b", "in-process", "--store", store.path,
    )  # fmt: skip
    assert result.code == 2 and "Read-only file system" in result.err


# --- the store's SQL is read-only -----------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "copy runs to '{dir}/out.csv'",
        "copy (select * from outcomes) to '{dir}/out.parquet' (format parquet)",
        "export database '{dir}/exported'",
        "attach '{dir}/other.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/hostname')",
        "select * from glob('/etc/*')",
        "select * from read_parquet('{dir}/*.parquet')",
        "set enable_external_access = true",
        "create secret (type s3, key_id 'a', secret 'b')",
    ],
)
def test_sql_cannot_touch_files(store: Store, tmp_path: Path, statement: str) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke("results", "sql", statement.format(dir=tmp_path), "--store", store.path)
    assert result.code == 2, result.out
    assert result.err.startswith("error: SQL query failed"), result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_sql_still_reads_the_store(store: Store) -> None:
    result = invoke(
        "results", "sql", "select count(*) as n, count(distinct run_id) as runs from outcomes",
        "--store", store.path, "-f", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out) == [{"n": 12, "runs": 2}]
    catalogue = store.sql("select count(*) as n from runs join summaries using (run_id)")
    assert int(catalogue["n"].iloc[0]) > 0
    empty = invoke("results", "sql", "  ", "--store", store.path)
    assert empty.code == 2 and "empty" in empty.err


def test_sql_limits_rows_and_time(store: Store) -> None:
    many = invoke(
        "results", "sql", "select * from range(1000)", "--store", store.path, "-f", "csv",
        "--max-rows", "10",
    )  # fmt: skip
    assert many.code == 0 and len(many.out.splitlines()) == 11  # header and 10 rows
    assert "more than 10 rows" in many.err
    started = time.monotonic()
    slow = invoke(
        "results", "sql", "select count(*) from range(100000000000000)", "--store", store.path,
        "--time-limit", "1",
    )  # fmt: skip
    assert slow.code == 2 and "stopped after 1 s" in slow.err
    assert time.monotonic() - started < 30


# --- every format does what it says ---------------------------------------------------------


def test_results_formats(store: Store) -> None:
    run = str(store.runs()["run_id"].iloc[0])
    show_csv = invoke("results", "show", run, "--store", store.path, "-f", "csv")
    assert show_csv.code == 0, show_csv.err
    rows = list(csv.DictReader(io.StringIO(show_csv.out)))
    assert list(rows[0]) == ["run_id", "section", "group", "metric", "mean", "lo", "hi"]
    assert {r["run_id"] for r in rows} == {run}
    show_json = invoke("results", "show", run, "--store", store.path, "-f", "json")
    assert json.loads(show_json.out)["run"]["run_id"] == run
    for args in (["list"], ["list", "--sweeps"], ["sql", "select run_id from runs"]):
        as_csv = invoke("results", *args, "--store", store.path, "-f", "csv")
        as_json = invoke("results", *args, "--store", store.path, "-f", "json")
        assert as_csv.code == as_json.code == 0
        assert len(list(csv.DictReader(io.StringIO(as_csv.out)))) == len(json.loads(as_json.out))


# --- tables at 80 columns -------------------------------------------------------------------


def _assert_fits(text: str, width: int = 80) -> None:
    for line in text.splitlines():
        assert len(line) <= width, line
    assert "…" not in text, text


def test_tables_fit_80_columns(store: Store, tmp_path: Path) -> None:
    env = {"COLUMNS": "80"}
    for args in (["list"], ["list", "--sweeps"]):
        result = invoke("results", *args, "--store", store.path, env=env)
        assert result.code == 0
        _assert_fits(result.out)
    runs = list(store.runs()["run_id"])
    compare = invoke("results", "compare", runs[0], runs[1], "--store", store.path, env=env)
    _assert_fits(compare.out)
    show = invoke("results", "show", runs[0], "--store", store.path, env=env)
    _assert_fits(show.out)
    sweep = invoke(
        "sweep", BATTERY, "--grid", "fire_units.0.pk.drone=0.1,0.30000000000000004",
        "--random", "fire_units.0.max_range=uniform(10 km, 30 km)", "--points", "2",
        "--grid", "raids.0.count=3", "-n", "4", "-e", "reference", "-b", "in-process",
        "--store", tmp_path / "store", env=env,
    )  # fmt: skip
    assert sweep.code == 0, sweep.err
    _assert_fits(sweep.out)
    assert "0.30000000000000004" not in sweep.out and " 0.3 " in sweep.out
    values = [word for word in sweep.out.split() if word.replace(".", "").isdigit() and "." in word]
    assert all(len(v.replace(".", "").lstrip("0")) <= 4 for v in values), values


def test_run_tables_fit_80_columns() -> None:
    capital = EXAMPLES / "capital_night_raid.yaml"
    result = invoke("run", capital, "-n", "3", "-e", "reference", env={"COLUMNS": "80"})
    assert result.code == 0, result.err
    _assert_fits(result.out)


def test_intervals_are_printed_unambiguously() -> None:
    from iadsim.cli.tables import estimate_text, value_text
    from iadsim.metrics import Estimate

    assert estimate_text(Estimate(-0.5, -1.25, 0.25)) == "-0.5 [-1.25, 0.25]"
    assert estimate_text(Estimate(0.01, 0.0, 0.0213)) == "0.01 [0, 0.0213]"
    assert estimate_text({"mean": 3.0, "lo": None, "hi": None}) == "3"
    assert estimate_text(Estimate(2e6, 1.5e6, 2.5e6), money=True) == "$2M [$1.5M, $2.5M]"
    assert value_text(0.30000000000000004) == "0.3"
    assert value_text("12.345678901 km") == "12.35 km"
    assert value_text(7) == "7" and value_text("shoot-look-shoot") == "shoot-look-shoot"


# --- progress -------------------------------------------------------------------------------


def test_progress_moves_within_the_first_batch_and_changes_nothing() -> None:
    from iadsim.api import prepare, run_compiled

    scenario, compiled = prepare(BATTERY)
    calls: list[int] = []
    plain = run_compiled(scenario, compiled, replications=1030, seed=5, engine="reference")
    watched = run_compiled(
        scenario, compiled, replications=1030, seed=5, engine="reference", progress=calls.append
    )
    assert sum(calls) == 1030 and len(calls) > 2 and calls[0] < 1024
    assert json.dumps(plain.to_dict()) == json.dumps(watched.to_dict())


def test_a_sweep_waits_for_the_store_and_says_so(store: Store) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', "
            "flush=True); time.sleep(3)",
            str(store.path / "catalogue.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        said: list[str | None] = []
        waiting = Store.open(store.path)
        waiting.lock_timeout = None
        waiting.on_wait = said.append
        started = time.monotonic()
        with waiting.writing():
            pass
        assert time.monotonic() - started > 1
        assert said[0] is not None and "waiting for" in said[0] and said[-1] is None
    finally:
        holder.wait(timeout=30)
    impatient = Store.open(store.path)
    impatient.lock_timeout = 0.5
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', "
            "flush=True); time.sleep(3)",
            str(store.path / "catalogue.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match="in use by another process"), impatient.writing():
            pass
    finally:
        holder.wait(timeout=30)


def test_a_full_disk_on_stdout_is_one_error_not_a_traceback() -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "iadsim.cli", "schema"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "No space left" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_closed_pipe_stops_quietly() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "iadsim.cli", "schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # the reader goes away, as `| head -c 10` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 141)
    assert "Traceback" not in err and "internal error" not in err
