"""SQL over a results store: the catalogue and every verified Parquet file, read-only.

The query runs on a private in-memory DuckDB database holding copies of the
catalogue's tables and views over the store's checksum-verified Parquet files.
Before the user's SQL runs, that database is locked down: it may read those
files and nothing else (``enable_external_access`` off, ``allowed_paths`` the
verified files), cannot load extensions, and its configuration is locked, so
``COPY ... TO``, ``ATTACH``, ``INSTALL``/``LOAD``, ``read_csv('/etc/passwd')``
and the like are refused. Nothing the query does can reach the store or any
other file: the store is never written.
"""

from __future__ import annotations

import threading
from typing import Any

from iadsim.errors import StoreError
from iadsim.store.store import Store

__all__ = ["query"]

_LOCKDOWN = (
    "set python_enable_replacements = false",
    "set autoload_known_extensions = false",
    "set autoinstall_known_extensions = false",
    "set allow_community_extensions = false",
    "set enable_external_access = false",
    "set lock_configuration = true",
)
"""Settings applied, in order, before the user's SQL runs (the last locks them)."""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def query(
    store: Store, sql: str, *, max_rows: int | None = None, timeout: float | None = None
) -> Any:
    """Run a read-only DuckDB SQL query over ``store``; return a pandas DataFrame.

    Tables: ``runs``, ``sweeps``, ``sweep_points``, ``files`` (the
    catalogue), ``outcomes`` (one row per replication of every run, with the
    totals of :data:`~iadsim.store.tables.REPLICATE_COLUMNS` and the full
    per-threat arrays as lists) and ``summaries`` (one row per run, section,
    group and metric). Every file is checksum-verified before it is read.

    Args:
        store: the store.
        sql: one query; it may read the tables above and nothing else.
        max_rows: return at most this many rows (``frame.attrs["truncated"]`` is
            True when the query had more); ``None`` for all.
        timeout: stop the query after this many seconds; ``None`` for no limit.

    Raises:
        StoreError: a damaged file, a query DuckDB rejects (including any attempt
            to read or write other files, attach databases or load extensions), or
            a query stopped by ``timeout``.
    """
    import duckdb
    import pandas as pd

    if not sql.strip():
        raise StoreError("SQL query is empty; give a query such as 'select * from runs'")
    catalogue, paths = store.verified_files()
    mem = duckdb.connect(":memory:")
    mem.execute("SET enable_progress_bar = false")  # it draws on stdout, which holds the data
    timer: threading.Timer | None = None
    try:
        for name, table in catalogue.items():
            mem.register("_incoming", table)
            mem.execute(f"create table {name} as select * from _incoming")
            mem.unregister("_incoming")
        allowed, views = [], []
        for view, kind in (("outcomes", "outcomes"), ("summaries", "summary")):
            files = [str(p.resolve()) for p in paths[kind]]
            allowed += files
            if files:
                views.append(view)
                listing = ", ".join(_quoted(f) for f in files)
                mem.execute(
                    f"create view {view} as select * from read_parquet([{listing}], "
                    "union_by_name = true)"
                )
            else:
                mem.execute(f"create table {view} (run_id varchar)")
        try:
            mem.execute(f"set allowed_paths = [{', '.join(_quoted(f) for f in allowed)}]")
        except duckdb.Error:  # DuckDB before 1.3: no allowed_paths; read the files in now
            for view in views:
                mem.execute(f"create table _{view} as select * from {view}")
                mem.execute(f"drop view {view}")
                mem.execute(f"alter table _{view} rename to {view}")
        for setting in _LOCKDOWN:
            mem.execute(setting)
        stopped = threading.Event()
        if timeout is not None:

            def stop() -> None:
                stopped.set()
                mem.interrupt()

            timer = threading.Timer(timeout, stop)
            timer.daemon = True
            timer.start()
        try:
            relation: Any = mem.sql(sql)
            if relation is None:  # a statement, not a query: nothing to show
                return pd.DataFrame()
            if max_rows is None:
                frame = relation.df()
                frame.attrs["truncated"] = False
                return frame
            chunk = min(max(max_rows, 1), 100_000)
            to_reader = getattr(relation, "to_arrow_reader", None)  # DuckDB 2
            reader = to_reader(chunk) if to_reader else relation.fetch_arrow_reader(chunk)
            batches, rows, more = [], 0, False
            for batch in reader:
                if rows >= max_rows:
                    more = True
                    break
                batches.append(batch.slice(0, max_rows - rows))
                rows += min(batch.num_rows, max_rows - rows)
                if batch.num_rows > len(batches[-1]):
                    more = True
                    break
            import pyarrow as pa

            frame = pa.Table.from_batches(batches, schema=reader.schema).to_pandas()
            frame.attrs["truncated"] = more
            return frame
        except duckdb.Error as exc:
            if stopped.is_set():
                raise StoreError(f"SQL query stopped after {timeout:g} s (--time-limit)") from None
            message = " ".join(str(exc).split())
            if "Permission Error" in message or "disabled" in message:
                message += (
                    " (the store's SQL is read-only: it reads the store's tables and nothing else)"
                )
            raise StoreError(f"SQL query failed: {message}") from None
    finally:
        if timer is not None:
            timer.cancel()
        mem.close()
