"""The results store: damaged or half-written files are detected and recomputed; versions."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from iadsim.errors import StoreError
from iadsim.runner import build_sweep, run_sweep
from iadsim.store import STORE_FORMAT, Store, compare_runs

from repo_paths import EXAMPLES

EXAMPLE = EXAMPLES / "single_battery.yaml"


def invoke(*commands):
    """Run ``iadsim`` commands in this process (typer's runner): fast, same exit codes."""
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    runner = CliRunner()
    results = []
    for args in commands:
        r = runner.invoke(app, [str(a) for a in args])
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        results.append(
            SimpleNamespace(args=args, returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)
        )
    return results


def _sweep():
    return build_sweep(
        EXAMPLE,
        grid=["raids.0.count=4,8"],
        replications=10,
        seed=2,
        batch_size=3,
        engine="reference",
    )


@pytest.fixture
def store(tmp_path: Path) -> tuple[Store, list[str]]:
    db = Store.create(tmp_path / "store")
    report = run_sweep(_sweep(), db, backend="in-process")
    return db, report.run_ids


def _snapshot(db: Store, run_ids: list[str]) -> list[tuple]:
    return [(db.outcomes(r), db.summary_frame(r)) for r in run_ids]


def test_damaged_and_half_written_files_are_detected_and_recomputed(store) -> None:
    db, run_ids = store
    expected = _snapshot(db, run_ids)
    first, second = (sorted((db.path / "runs" / r).glob("outcomes-*.parquet")) for r in run_ids)
    flipped, truncated = first[1], second[2]
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one bit of rot in the middle
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[:100])  # half-written
    summary = db.path / "runs" / run_ids[1] / "summary.parquet"
    summary.write_bytes(summary.read_bytes()[:-10])
    stray = db.path / "runs" / run_ids[0] / "outcomes-000000003-000000006.parquet.tmp"
    stray.write_bytes(b"PAR1 half")

    # never read as data
    with pytest.raises(StoreError, match="damaged or missing"):
        db.outcomes(run_ids[0])
    with pytest.raises(StoreError, match="damaged or missing"):
        db.summary(run_ids[1])
    with pytest.raises(StoreError, match="damaged or missing"):
        db.sql("select count(*) from outcomes")

    report = run_sweep(_sweep(), db, backend="in-process")
    assert report.damaged == 3
    assert report.computed == 6  # the two damaged batches of 3 replications, nothing else
    assert report.reused == 20 - 6
    assert not stray.exists()
    assert flipped.with_name(flipped.name + ".damaged").exists()  # kept aside, for inspection
    after = _snapshot(db, run_ids)
    for (oa, sa), (ob, sb) in zip(expected, after, strict=True):
        assert oa.equals(ob)
        assert sa.equals(sb)
    assert db.sql("select count(*) as n from outcomes")["n"].item() == 20


def test_a_complete_sweep_run_again_recomputes_nothing(store) -> None:
    db, run_ids = store
    report = run_sweep(_sweep(), db, backend="in-process")
    assert (report.computed, report.reused, report.damaged) == (0, 20, 0)
    assert report.run_ids == run_ids


def test_store_of_another_format_is_refused(tmp_path: Path, cli) -> None:
    path = tmp_path / "store"
    Store.create(path)
    marker = path / "iadsim-store.json"
    info = json.loads(marker.read_text())
    info.update(version=STORE_FORMAT + 1, created_by="iadsim 9.0")
    marker.write_text(json.dumps(info))
    with pytest.raises(StoreError, match=r"format 2 .*iadsim 9\.0.*upgrade iadsim"):
        Store.open(path)
    (result,) = cli(["results", "list", "--store", path])
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}: results store format 2")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_not_a_store_and_no_store_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not an iadsim results store"):
        Store.open(tmp_path, create=True)
    missing, full = invoke(
        ["results", "list", "--store", tmp_path / "nowhere"],
        ["sweep", EXAMPLE, "--store", tmp_path, "-n", "2"],
    )
    for result in (missing, full):
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert "no results store here" in missing.stderr


def test_python_api_returns_dataframes(store) -> None:
    db, run_ids = store
    runs = db.runs()
    assert set(runs["run_id"]) == set(run_ids)
    assert set(runs["status"]) == {"complete"}
    assert runs["replications_done"].tolist() == [10, 10]
    assert db.sweeps()["status"].tolist() == ["complete"]
    reps = db.replicates(run_ids[1])
    assert reps["replication"].tolist() == list(range(10))
    assert (reps["launched"] == 8).all()
    record = db.run(run_ids[1][:6])  # a prefix will do
    assert record["point"] == {"raids.0.count": 8}
    assert record["versions"]["iadsim"] and record["versions"]["duckdb"]
    summary = db.summary(run_ids[1])
    assert summary.replications == 10 and summary.seed == 2
    assert summary.by_kind["owa_drone"]["launched"].mean == 8
    diff = compare_runs(db, *run_ids)
    launched = diff[(diff["section"] == "replicate") & (diff["metric"] == "launched")]
    assert launched["diff"].item() == 4 and launched["method"].item() == "paired"
    sql = db.sql("select run_id, sum(rounds) as rounds from outcomes group by run_id order by 2")
    assert sql["rounds"].tolist() == [80, 160]  # salvo of 2 at every drone, 10 nights
    with pytest.raises(StoreError, match="no run"):
        db.run("zzzz")


def test_results_commands(store) -> None:
    db, (a, b) = store
    listing, show, compare, sql, bad_sql, show_json = invoke(
        ["results", "list", "--store", db.path, "--format", "csv"],
        ["results", "show", a[:8], "--store", db.path],
        ["results", "compare", a, b, "--store", db.path, "--format", "json"],
        ["results", "sql", "select count(*) as n from outcomes", "--store", db.path, "-f", "csv"],
        ["results", "sql", "select nonsense from nowhere", "--store", db.path],
        ["results", "show", b, "--store", db.path, "--format", "json"],
    )
    for result in (listing, show, compare, sql, show_json):
        assert result.returncode == 0, result.stderr
    assert a in listing.stdout and b in listing.stdout
    assert f"run {a}" in show.stdout and "Who did the work" in show.stdout
    rows = json.loads(compare.stdout)
    assert {r["method"] for r in rows} == {"paired", "independent (approx.)"}
    assert sql.stdout.split() == ["n", "20"]
    assert bad_sql.returncode == 2 and bad_sql.stderr.startswith("error: SQL query failed")
    doc = json.loads(show_json.stdout)
    assert doc["run"]["run_id"] == b and doc["summary"]["replications"] == 10


def test_the_command_a_damaged_file_names_repairs_it(tmp_path: Path, cli) -> None:
    """Corrupt a finished sweep's files; the command the error names recomputes them."""
    import re

    store = tmp_path / "store"
    (made,) = invoke(
        ["sweep", EXAMPLE, "--grid", "raids.0.count=4,8", "-n", "10", "-s", "2",
         "--batch-size", "3", "-e", "reference", "-b", "in-process", "--store", store],
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    db = Store.open(store)
    run_ids = sorted(db.runs()["run_id"])
    expected = _snapshot(db, run_ids)
    batch = sorted((store / "runs" / run_ids[0]).glob("outcomes-*.parquet"))[1]
    batch.write_bytes(batch.read_bytes()[:-40])  # a truncated Parquet file
    summary = store / "runs" / run_ids[1] / "summary.parquet"
    data = bytearray(summary.read_bytes())
    data[len(data) // 3] ^= 0x01  # one flipped bit
    summary.write_bytes(bytes(data))

    broken = invoke(
        ["results", "sql", "select count(*) from outcomes", "--store", store],
        ["results", "show", run_ids[1], "--store", store],
    )
    for result in broken:
        assert result.returncode == 2, result.stdout
    named = {re.search(r"`(iadsim sweep --resume[^`]*)`", r.stderr).group(1) for r in broken}
    assert named == {f"iadsim sweep --resume --store {store}"}
    (repair,) = cli(named.pop().split()[1:])  # exactly the command named, in a new process
    assert repair.returncode == 0, repair.stderr
    assert "2 damaged files recomputed" in " ".join(repair.stdout.split())

    db = Store.open(store)
    for (a, sa), (b, sb) in zip(_snapshot(db, run_ids), expected, strict=True):
        assert a.equals(b) and sa.equals(sb)
    assert sorted(p.name for p in (store / "runs" / run_ids[0]).glob("*.damaged")) == [
        batch.name + ".damaged"
    ]
    (again,) = cli(["sweep", "--resume", "--store", store])
    assert again.returncode == 0 and "nothing to resume" in again.stderr


def test_a_catalogue_naming_files_outside_the_store_is_refused(store, tmp_path: Path) -> None:
    """A hostile catalogue cannot make iadsim read, move aside or query a file elsewhere."""
    import duckdb

    db, run_ids = store
    victim = tmp_path / "victim.parquet"
    victim.write_bytes(b"precious")
    con = duckdb.connect(str(db.path / "catalogue.duckdb"))
    con.execute(
        "update files set path = ? where path = (select min(path) from files where kind = "
        "'outcomes' and run_id = ?)",
        [f"runs/{run_ids[0]}/../../../{victim.name}", run_ids[0]],
    )
    con.close()
    with pytest.raises(StoreError, match="outside its run's folder"):
        db.outcomes(run_ids[0])
    results = invoke(
        ["results", "sql", "select count(*) from outcomes", "--store", db.path],
        ["sweep", "--resume", "--store", db.path],
        ["sweep", EXAMPLE, "--grid", "raids.0.count=4,8", "-n", "10", "-s", "2",
         "--batch-size", "3", "-e", "reference", "-b", "in-process", "--store", db.path],
    )  # fmt: skip
    for result in results:
        assert result.returncode == 2, result.stdout
        assert "outside its run's folder" in result.stderr
    assert victim.read_bytes() == b"precious"


@pytest.mark.parametrize(
    "setup",
    [
        "",  # an empty DuckDB database: no tables at all
        "create table runs (x integer)",  # tables of another program
        "create table meta (key varchar, value varchar); insert into meta values "
        "('store_format', '1'); create table sweeps (sweep_id integer)",
    ],
)
def test_a_duckdb_catalogue_of_another_program_is_a_store_error(tmp_path: Path, setup: str) -> None:
    import duckdb

    path = tmp_path / "store"
    Store.create(path)
    (path / "catalogue.duckdb").unlink()
    con = duckdb.connect(str(path / "catalogue.duckdb"))
    if setup:
        con.execute(setup)
    con.close()
    results = invoke(
        ["results", "list", "--store", path],
        ["results", "list", "--sweeps", "--store", path],
        ["results", "show", "abc", "--store", path],
        ["results", "sql", "select 1", "--store", path],
        ["sweep", "--resume", "--store", path],
        ["report", "abc", "--store", path, "--html", tmp_path / "r.html"],
    )
    for result in results:
        assert result.returncode == 2, (result.args, result.stdout)
        assert "catalogue" in result.stderr, (result.args, result.stderr)
