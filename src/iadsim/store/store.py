"""The results store: a folder with a DuckDB catalogue of runs and Parquet tables of results.

Layout::

    STORE/iadsim-store.json                    format marker and version
    STORE/catalogue.duckdb                     sweeps, runs, sweep points, files (with checksums)
    STORE/runs/<run>/outcomes-<a>-<b>.parquet  replications a .. b-1 of a run
    STORE/runs/<run>/summary.parquet           the run's summary, once every batch is in

Every Parquet file is written atomically and its SHA-256 recorded in the
catalogue in the same step that declares it done; a file whose checksum does
not match is never read as data: readers report it, and a resumed sweep moves
it aside (``*.damaged``) and computes it again.

One process writes at a time (the sweep holds the catalogue open while it
runs); readers open it briefly, read-only.
"""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iadsim.engine import Outcomes
from iadsim.errors import StoreError
from iadsim.store.files import TMP_SUFFIX, atomic_write, read_verified, sha256_of

__all__ = ["CATALOGUE", "MARKER", "STORE_FORMAT", "Store"]

STORE_FORMAT = 1
"""Version of the store's layout; a store of another version is refused with a clear error."""
MARKER = "iadsim-store.json"
CATALOGUE = "catalogue.duckdb"

_SCHEMA = """
create table if not exists meta (key varchar primary key, value varchar);
create table if not exists sweeps (
    sweep_id varchar primary key, name varchar, source varchar, scenario_path varchar,
    definition json, points integer, replications integer, seed ubigint, backend varchar,
    workers integer, created_at timestamp, started_at timestamp, finished_at timestamp,
    status varchar, host varchar);
create table if not exists runs (
    run_id varchar primary key, name varchar, scenario_hash varchar, scenario_path varchar,
    sweep_id varchar, point_index integer, point json, seed ubigint, replications integer,
    policy varchar, engine varchar, batch_size integer, iadsim_version varchar, versions json,
    started_at timestamp, finished_at timestamp, status varchar);
create table if not exists sweep_points (
    sweep_id varchar, point_index integer, point json, seed ubigint, run_id varchar,
    primary key (sweep_id, point_index));
create table if not exists files (
    path varchar primary key, run_id varchar, kind varchar, first_rep integer,
    stop_rep integer, rows integer, bytes bigint, sha256 varchar, written_at timestamp);
"""


_FILE_PATH = re.compile(r"runs/([0-9a-f]{16})/(?:outcomes-[0-9]{9}-[0-9]{9}|summary)\.parquet")
"""Where the catalogue may say a result file is: inside the store, in its run's folder."""


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _versions() -> dict[str, str]:
    """What a stored run records of its making: :func:`iadsim.provenance.provenance`."""
    from iadsim.provenance import provenance

    return {k: str(v) for k, v in provenance(store_format=STORE_FORMAT).items()}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A results store in a folder. Open it with :meth:`open` (or :meth:`create`).

    Read methods return pandas DataFrames (or iadsim objects); the writing
    methods are for the sweep runner, inside :meth:`writing`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con: Any = None
        self.lock_timeout: float | None = 10.0
        """Seconds a writer waits for the catalogue while another process holds it
        (``None``: as long as it takes); readers wait 2 s."""
        self.on_wait: Callable[[str | None], None] | None = None
        """Told what the store waits for (``None`` once it has it), for a progress display."""

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        lock_timeout: float | None = 10.0,
        on_wait: Callable[[str | None], None] | None = None,
    ) -> Store:
        """Open the store at ``path`` (making it if ``create``).

        ``lock_timeout`` and ``on_wait`` set the attributes of the same names
        (how long a writer waits for another process, and who is told).

        Raises:
            StoreError: no store there, a folder that is not a store, or a store
                written by an incompatible version of iadsim.
        """
        path = Path(path)
        marker = path / MARKER
        if not marker.exists():
            if path.exists() and not path.is_dir():
                raise StoreError(f"{path}: not a results store (it is a file, not a folder)")
            if path.is_dir() and any(path.iterdir()):
                raise StoreError(
                    f"{path}: not an iadsim results store (the folder is not empty and has no "
                    f"{MARKER}); choose an empty or new folder with --store"
                )
            if not create:
                raise StoreError(
                    f"{path}: no results store here; run `iadsim sweep ... --store {path}` first"
                )
            from iadsim import __version__

            info = {
                "format": "iadsim results store",
                "version": STORE_FORMAT,
                "created_by": f"iadsim {__version__}",
            }
            try:
                path.mkdir(parents=True, exist_ok=True)
                atomic_write(marker, (json.dumps(info, indent=2) + "\n").encode())
            except OSError as exc:
                raise StoreError(
                    f"{path}: cannot make a results store here ({_reason(exc)}); choose "
                    "another folder with --store"
                ) from None
        if not path.is_dir():
            raise StoreError(f"{path}: not a results store (it is a file, not a folder)")
        store = cls(path)
        store.lock_timeout = lock_timeout
        store.on_wait = on_wait
        store._check_format()
        if create:
            store._check_writable()
            with store.writing() as con:
                con.execute(_SCHEMA)
                con.execute(
                    "insert or ignore into meta values ('store_format', ?)", [str(STORE_FORMAT)]
                )
        elif not (path / CATALOGUE).is_file():
            raise StoreError(f"{path}: the store has no catalogue ({CATALOGUE}); it is empty")
        return store

    def _check_writable(self) -> None:
        """Prove the store's folders take new files before any work is done for them."""
        for folder in (self.path, self.path / "runs"):
            try:
                if folder.exists() and not folder.is_dir():
                    raise NotADirectoryError(20, "not a folder")
                if folder.exists():
                    fd, probe = tempfile.mkstemp(prefix=".iadsim-probe-", dir=folder)
                    os.close(fd)
                    os.unlink(probe)
            except OSError as exc:
                raise StoreError(
                    f"{folder}: cannot write into the results store ({_reason(exc)}); choose "
                    "another folder with --store"
                ) from None

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        lock_timeout: float | None = 10.0,
        on_wait: Callable[[str | None], None] | None = None,
    ) -> Store:
        """Open the store at ``path``, making it if needed."""
        return cls.open(path, create=True, lock_timeout=lock_timeout, on_wait=on_wait)

    def _check_format(self) -> None:
        marker = self.path / MARKER
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
            version = info["version"]
        except (OSError, ValueError, KeyError, TypeError):
            raise StoreError(
                f"{marker}: damaged store marker; expected JSON with a version"
            ) from None
        if version != STORE_FORMAT:
            newer = isinstance(version, int) and version > STORE_FORMAT
            advice = "upgrade iadsim" if newer else "use the iadsim version that wrote it"
            raise StoreError(
                f"{self.path}: results store format {version!r} was written by "
                f"{info.get('created_by', 'another iadsim')}; this iadsim reads format "
                f"{STORE_FORMAT} only ({advice}, or start a new store with --store)"
            )

    def _connect(self, *, read_only: bool) -> Any:
        import duckdb

        catalogue = self.path / CATALOGUE
        if catalogue.exists() and not catalogue.is_file():
            raise StoreError(f"{catalogue}: the catalogue is not a file; the store is damaged")
        timeout = 2.0 if read_only else self.lock_timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        waiting = False
        try:
            while True:
                try:
                    con = duckdb.connect(str(catalogue), read_only=read_only)
                    con.execute("SET enable_progress_bar = false")  # it draws on stdout
                    return con
                except duckdb.IOException as exc:
                    if "lock" not in str(exc).lower():
                        message = " ".join(str(exc).split())
                        raise StoreError(
                            f"{catalogue}: cannot open the catalogue (not a DuckDB database, "
                            f"damaged, or not writable): {message}"
                        ) from None
                    if deadline is not None and time.monotonic() > deadline:
                        raise StoreError(
                            f"{self.path}: the store is in use by another process (a running "
                            "sweep); try again when it finishes"
                        ) from None
                    if not waiting and self.on_wait is not None:
                        self.on_wait(f"waiting for {self.path}: another sweep is writing it")
                    waiting = True
                    time.sleep(0.1 if deadline is not None else 0.5)
                except duckdb.Error as exc:
                    message = " ".join(str(exc).split())
                    raise StoreError(
                        f"{catalogue}: cannot open the catalogue (damaged, or written by a "
                        f"newer DuckDB): {message}"
                    ) from None
        finally:
            if waiting and self.on_wait is not None:
                self.on_wait(None)

    @contextmanager
    def writing(self) -> Iterator[Any]:
        """Hold the catalogue open for writing (nested uses share one connection)."""
        if self._con is not None:
            yield self._con
            return
        self._con = self._connect(read_only=False)
        try:
            with self._catalogue_errors():
                yield self._con
        finally:
            con, self._con = self._con, None
            con.close()

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        if self._con is not None:
            yield self._con
            return
        con = self._connect(read_only=True)
        try:
            with self._catalogue_errors():
                yield con
        finally:
            con.close()

    @contextmanager
    def _catalogue_errors(self) -> Iterator[None]:
        """Turn DuckDB's errors about the catalogue into one StoreError naming it.

        A table missing, or a column of another type: a damaged catalogue, or one
        that another program wrote.
        """
        import duckdb

        try:
            yield
        except duckdb.Error as exc:
            message = " ".join(str(exc).split())[:300]
            raise StoreError(
                f"{self.path / CATALOGUE}: the catalogue cannot be used (damaged, or not "
                f"written by this version of iadsim): {message}"
            ) from None

    def _check_catalogue(self, con: Any) -> None:
        row = con.execute("select value from meta where key = 'store_format'").fetchone()
        if row is None or row[0] != str(STORE_FORMAT):
            raise StoreError(
                f"{self.path}: the catalogue says store format {row and row[0]!r}; this iadsim "
                f"reads format {STORE_FORMAT} only"
            )

    # --- writing (the sweep runner) -------------------------------------------------------

    def sweep_status(self, sweep_id: str) -> str | None:
        """Status of a sweep (``running``, ``interrupted``, ``failed``, ``complete``), or None."""
        with self._reading() as con:
            row = con.execute("select status from sweeps where sweep_id = ?", [sweep_id]).fetchone()
        return None if row is None else str(row[0])

    def unfinished_sweeps(self) -> list[dict[str, Any]]:
        """Sweeps not marked complete, oldest first, with their stored definitions."""
        with self._reading() as con:
            rows = con.execute(
                "select sweep_id, source, definition from sweeps where status != 'complete' "
                "order by created_at"
            ).fetchall()
        return [{"sweep_id": r[0], "source": r[1], "definition": json.loads(r[2])} for r in rows]

    def sweeps_to_repair(
        self, progress: Callable[[int, int], None] | None = None
    ) -> list[dict[str, Any]]:
        """Complete sweeps with a run that is not complete or a file that is damaged or missing.

        Every recorded file is checksum-verified (``progress(done, total)`` is told
        as files are read). Returns what :meth:`unfinished_sweeps` returns, for
        these sweeps; resuming them computes the missing parts again.
        """
        with self._reading() as con:
            sweeps = con.execute(
                "select sweep_id, source, definition from sweeps where status = 'complete' "
                "order by created_at"
            ).fetchall()
            incomplete = {
                r[0]
                for r in con.execute(
                    "select distinct p.sweep_id from sweep_points p left join runs r "
                    "on r.run_id = p.run_id where r.status is null or r.status != 'complete'"
                ).fetchall()
            }
            files = con.execute(
                "select distinct p.sweep_id, f.path, f.bytes, f.sha256, f.run_id from "
                "sweep_points p join files f on f.run_id = p.run_id order by f.path"
            ).fetchall()
            summaries = {
                r[0]
                for r in con.execute(
                    "select p.sweep_id, count(f.path) from sweep_points p left join files f "
                    "on f.run_id = p.run_id and f.kind = 'summary' group by p.sweep_id "
                    "having count(distinct f.run_id) < count(distinct p.run_id)"
                ).fetchall()
            }
        for row in files:
            self._check_file_path(str(row[1]), str(row[4]))
        damaged = set(incomplete) | summaries
        verified: dict[str, bool] = {}
        for k, (sweep_id, path, size, sha, _) in enumerate(files):
            if progress is not None:
                progress(k, len(files))
            if sweep_id in damaged:
                continue
            if path not in verified:
                verified[path] = read_verified(self.path / path, sha, size) is not None
            if not verified[path]:
                damaged.add(sweep_id)
        if progress is not None:
            progress(len(files), len(files))
        return [
            {"sweep_id": r[0], "source": r[1], "definition": json.loads(r[2])}
            for r in sweeps
            if r[0] in damaged
        ]

    def begin_sweep(self, sweep: dict[str, Any], points: list[dict[str, Any]]) -> None:
        """Record a sweep (or mark it running again) and the run of each of its points."""
        with self.writing() as con:
            self._check_catalogue(con)
            con.execute("begin")
            con.execute(
                "insert or ignore into sweeps (sweep_id, name, source, scenario_path, definition, "
                "points, replications, seed, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    sweep["sweep_id"],
                    sweep["name"],
                    sweep["source"],
                    sweep["scenario_path"],
                    json.dumps(sweep["definition"]),
                    len(points),
                    sweep["replications"],
                    sweep["seed"],
                    _now(),
                ],
            )
            con.execute(
                "update sweeps set started_at = ?, finished_at = null, status = 'running', "
                "backend = ?, workers = ?, host = ? where sweep_id = ?",
                [
                    _now(),
                    sweep["backend"],
                    sweep["workers"],
                    socket.gethostname(),
                    sweep["sweep_id"],
                ],
            )
            for p in points:
                con.execute(
                    "insert or ignore into sweep_points values (?, ?, ?, ?, ?)",
                    [
                        sweep["sweep_id"],
                        p["point_index"],
                        json.dumps(p["point"]),
                        p["seed"],
                        p["run_id"],
                    ],
                )
            con.execute("commit")

    def end_sweep(self, sweep_id: str, status: str) -> None:
        """Mark a sweep ``complete``, ``interrupted`` or ``failed``."""
        with self.writing() as con:
            con.execute(
                "update sweeps set status = ?, finished_at = ? where sweep_id = ?",
                [status, _now(), sweep_id],
            )

    def ensure_run(self, record: dict[str, Any]) -> dict[str, Any]:
        """Record a run if it is new; return the stored record (its batch size wins).

        The run's provenance (``record["versions"]``, by default
        :func:`iadsim.provenance.provenance` with the store's format) is kept with it.
        """
        versions = record.get("versions") or _versions()
        with self.writing() as con:
            con.execute(
                "insert or ignore into runs (run_id, name, scenario_hash, scenario_path, sweep_id, "
                "point_index, point, seed, replications, policy, engine, batch_size, "
                "iadsim_version, versions, started_at, status) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
                [
                    record["run_id"],
                    record["name"],
                    record["scenario_hash"],
                    record["scenario_path"],
                    record["sweep_id"],
                    record["point_index"],
                    json.dumps(record["point"]),
                    record["seed"],
                    record["replications"],
                    record["policy"],
                    record["engine"],
                    record["batch_size"],
                    versions.get("iadsim", "unknown"),
                    json.dumps(versions),
                    _now(),
                ],
            )
            row = con.execute(
                "select status, batch_size from runs where run_id = ?", [record["run_id"]]
            ).fetchone()
        return {"status": row[0], "batch_size": int(row[1])}

    def clear_temporary(self) -> int:
        """Delete files left half-written by an interrupted writer; return how many."""
        count = 0
        for tmp in (self.path / "runs").glob(f"*/*{TMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)
            count += 1
        return count

    def _files(self, con: Any, run_id: str | None = None, kind: str | None = None) -> list[Any]:
        query = "select path, run_id, kind, first_rep, stop_rep, bytes, sha256 from files"
        where, args = [], []
        if run_id is not None:
            where.append("run_id = ?")
            args.append(run_id)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        if where:
            query += " where " + " and ".join(where)
        rows = con.execute(query + " order by path", args).fetchall()
        for row in rows:
            self._check_file_path(str(row[0]), str(row[1]))
        return rows

    def _check_file_path(self, path: str, run_id: str) -> None:
        """Refuse a catalogue that names a file outside its run's folder in the store.

        Such a path is never read, moved aside or shown to SQL.
        """
        match = _FILE_PATH.fullmatch(path)
        if match is None or match.group(1) != run_id:
            raise StoreError(
                f"{self.path / CATALOGUE}: the catalogue names a result file {path!r} outside "
                f"its run's folder (runs/{run_id}/); the catalogue is damaged or was not "
                "written by iadsim"
            )

    def check_run(self, run_id: str) -> tuple[set[tuple[int, int]], bool, int]:
        """Verify a run's files; move damaged or missing ones out of the catalogue.

        Returns the ``(start, stop)`` batches whose outcomes are intact, whether
        the summary is intact, and how many files were found damaged.
        """
        good: set[tuple[int, int]] = set()
        summary_ok = False
        damaged = 0
        with self.writing() as con:
            for path, _, kind, first, stop, size, sha in self._files(con, run_id):
                full = self.path / path
                if read_verified(full, sha, size) is not None:
                    if kind == "outcomes":
                        good.add((first, stop))
                    else:
                        summary_ok = True
                    continue
                damaged += 1
                if full.exists():
                    full.replace(full.with_name(full.name + ".damaged"))
                con.execute("delete from files where path = ?", [path])
                con.execute("update runs set status = 'running' where run_id = ?", [run_id])
            known = {row[0] for row in self._files(con, run_id)}
            for full in sorted((self.path / "runs" / run_id).glob("outcomes-*.parquet")):
                rel = f"runs/{run_id}/{full.name}"
                if rel in known:
                    continue
                batch = self._adopt(con, run_id, full, rel)
                if batch is None:
                    damaged += 1
                    full.replace(full.with_name(full.name + ".damaged"))
                else:
                    good.add(batch)
        return good, summary_ok, damaged

    def _adopt(self, con: Any, run_id: str, full: Path, rel: str) -> tuple[int, int] | None:
        """Record a batch file that was renamed into place but not yet catalogued.

        A writer stopped between the rename and the catalogue's commit leaves
        such a file. The rename came after the data was flushed, so the file is
        whole; it is adopted only if it reads as the batch its name says.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            _, first_text, stop_text = full.stem.split("-")
            first, stop = int(first_text), int(stop_text)
            data = full.read_bytes()
            table = pq.read_table(pa.BufferReader(data), use_threads=False)
            reps = table.column("replication").to_numpy()
            owners = set(table.column("run_id").to_pylist())
        except (OSError, ValueError, KeyError, pa.ArrowException):
            return None
        if owners != {run_id} or not np.array_equal(reps, np.arange(first, stop)):
            return None
        con.execute(
            "insert or replace into files values (?, ?, 'outcomes', ?, ?, ?, ?, ?, ?)",
            [rel, run_id, first, stop, table.num_rows, len(data), sha256_of(data), _now()],
        )
        return first, stop

    def _write_file(
        self, con: Any, run_id: str, kind: str, name: str, table: Any, first: int, stop: int
    ) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        data = sink.getvalue().to_pybytes()
        rel = f"runs/{run_id}/{name}"
        sha = atomic_write(self.path / rel, data)
        con.execute(
            "insert or replace into files values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rel, run_id, kind, first, stop, table.num_rows, len(data), sha, _now()],
        )

    def write_batch(self, run_id: str, start: int, stop: int, table: Any) -> None:
        """Store replications ``start .. stop - 1`` of a run (an Arrow table from the runner)."""
        with self.writing() as con:
            self._write_file(
                con,
                run_id,
                "outcomes",
                f"outcomes-{start:09d}-{stop:09d}.parquet",
                table,
                start,
                stop,
            )

    def finish_run(self, run_id: str, table: Any) -> None:
        """Store a run's summary and mark the run complete (one transaction in the catalogue)."""
        with self.writing() as con:
            con.execute("begin")
            self._write_file(con, run_id, "summary", "summary.parquet", table, 0, 0)
            con.execute(
                "update runs set status = 'complete', finished_at = ? where run_id = ?",
                [_now(), run_id],
            )
            con.execute("commit")

    # --- reading --------------------------------------------------------------------------

    def _read_table(self, path: str, size: int, sha: str) -> Any:
        """One verified Parquet file as an Arrow table.

        Read on this thread (``use_threads=False``): the file is already in memory, and
        Arrow's reader threads could outlive the command and abort the process at exit
        ("terminate called without an active exception", apache/arrow#34314).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        data = read_verified(self.path / path, sha, size)
        if data is None:
            raise StoreError(
                f"{self.path / path}: damaged or missing (its checksum does not match the "
                "catalogue), so it was not read; `iadsim sweep --resume --store "
                f"{self.path}` computes it again"
            )
        return pq.read_table(pa.BufferReader(data), use_threads=False)

    def resolve(self, run: str) -> str:
        """The full run id for ``run`` (a run id or a unique prefix of one).

        Raises:
            StoreError: no such run, or the prefix fits several.
        """
        with self._reading() as con:
            rows = con.execute(
                "select run_id from runs where starts_with(run_id, ?) order by run_id", [run]
            ).fetchall()
        if not rows:
            raise StoreError(f"{self.path}: no run {run!r} (see `iadsim results list`)")
        if len(rows) > 1:
            ids = ", ".join(r[0] for r in rows[:5])
            raise StoreError(f"{self.path}: run {run!r} is ambiguous; it could be {ids}")
        return str(rows[0][0])

    def runs(self, sweep: str | None = None) -> Any:
        """The catalogue of runs as a DataFrame, newest first.

        A run still marked ``running`` when nobody holds the store was
        interrupted; it is shown as ``interrupted``.
        """
        with self._reading() as con:
            query = (
                "select r.run_id, r.status, r.name, coalesce(p.sweep_id, r.sweep_id) as sweep_id, "
                "coalesce(p.point_index, r.point_index) as point_index, "
                "coalesce(p.point, r.point) as point, r.seed, r.replications, r.policy, "
                "r.engine, r.scenario_hash, r.iadsim_version, r.started_at, r.finished_at, "
                "(select coalesce(sum(f.rows), 0) from files f where f.run_id = r.run_id "
                "and f.kind = 'outcomes') as replications_done "
                "from runs r left join sweep_points p on p.run_id = r.run_id"
            )
            args: list[Any] = []
            if sweep is not None:
                query += " where p.sweep_id = ?"
                args.append(sweep)
            frame = con.execute(query + " order by r.started_at desc, point_index", args).df()
        if self._con is None and len(frame):
            frame.loc[frame["status"] == "running", "status"] = "interrupted"
        return frame

    def sweeps(self) -> Any:
        """The catalogue of sweeps as a DataFrame, newest first."""
        with self._reading() as con:
            frame = con.execute(
                "select sweep_id, status, name, points, replications, seed, backend, workers, "
                "source, created_at, started_at, finished_at from sweeps order by created_at desc"
            ).df()
        if self._con is None and len(frame):
            frame.loc[frame["status"] == "running", "status"] = "interrupted"
        return frame

    def run(self, run: str) -> dict[str, Any]:
        """One run's catalogue record (``run`` may be a unique prefix of its id)."""
        run_id = self.resolve(run)
        with self._reading() as con:
            cursor = con.execute("select * from runs where run_id = ?", [run_id])
            names = [d[0] for d in cursor.description]
            row = cursor.fetchone()
        record = dict(zip(names, row, strict=True))
        for key in ("point", "versions"):
            record[key] = json.loads(record[key]) if record[key] else None
        return record

    def summary(self, run: str) -> Any:
        """A complete run's :class:`~iadsim.metrics.Summary` (checksum verified).

        Raises:
            StoreError: if the run is not complete or its summary file is damaged.
        """
        from iadsim.store.tables import summary_from_table

        record = self.run(run)
        table = self._summary_table(record["run_id"])
        provenance = dict(record["versions"] or {})
        provenance.update(
            scenario_hash=record["scenario_hash"],
            engine=record["engine"],
            policy=record["policy"],
            run_id=record["run_id"],
        )
        return summary_from_table(table, provenance)

    def _summary_table(self, run_id: str) -> Any:
        with self._reading() as con:
            files = self._files(con, run_id, "summary")
        if not files:
            raise StoreError(
                f"{self.path}: run {run_id} has no summary yet (not complete); "
                f"`iadsim sweep --resume --store {self.path}` finishes it"
            )
        path, *_, size, sha = files[0]
        return self._read_table(path, size, sha)

    def summary_frame(self, run: str) -> Any:
        """A complete run's summary as a long DataFrame: section, group, metric, mean, lo, hi."""
        return self._summary_table(self.resolve(run)).to_pandas()

    def _outcome_tables(self, run_id: str) -> list[Any]:
        with self._reading() as con:
            files = self._files(con, run_id, "outcomes")
        return [self._read_table(path, size, sha) for path, *_, size, sha in files]

    def outcomes(self, run: str) -> Outcomes:
        """Every stored replication of a run as :class:`~iadsim.engine.Outcomes`, by index."""
        from iadsim.runner.batches import assemble
        from iadsim.store.tables import outcomes_from_table

        run_id = self.resolve(run)
        tables = self._outcome_tables(run_id)
        if not tables:
            raise StoreError(f"{self.path}: run {run_id} has no stored replications yet")
        return assemble([outcomes_from_table(t) for t in tables])

    def replicates(self, run: str) -> Any:
        """A run's per-replicate totals as a DataFrame, one row per replication, by index."""
        import pandas as pd

        from iadsim.store.tables import REPLICATE_COLUMNS

        run_id = self.resolve(run)
        columns = ["run_id", "replication", *REPLICATE_COLUMNS]
        frames = [t.select(columns).to_pandas() for t in self._outcome_tables(run_id)]
        if not frames:
            return pd.DataFrame(columns=columns)
        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values("replication", kind="stable").reset_index(drop=True)

    def sql(self, query: str, *, max_rows: int | None = None, timeout: float | None = None) -> Any:
        """Run a read-only DuckDB SQL query over the store; return a DataFrame.

        See :func:`iadsim.store.sql.query` for the tables it sees, ``max_rows``
        and ``timeout``; the query can read the store and nothing else.

        Raises:
            StoreError: a damaged file, or a query DuckDB rejects.
        """
        from iadsim.store.sql import query as run_query

        return run_query(self, query, max_rows=max_rows, timeout=timeout)

    def verified_files(self) -> tuple[dict[str, Any], dict[str, list[Path]]]:
        """The catalogue's tables (as DataFrames) and every result file, checksum-verified.

        Returns ``({table: frame}, {"outcomes": [paths], "summary": [paths]})``.

        Raises:
            StoreError: if any recorded file is damaged or missing.
        """
        with self._reading() as con:
            catalogue = {
                name: con.execute(f"select * from {name}").df()
                for name in ("runs", "sweeps", "sweep_points", "files")
            }
            files = self._files(con)
        paths: dict[str, list[Path]] = {"outcomes": [], "summary": []}
        for path, _, kind, _, _, size, sha in files:
            if read_verified(self.path / path, sha, size) is None:
                self._read_table(path, size, sha)  # raises the damaged-file error
            paths[kind].append(self.path / path)
        return catalogue, paths
