"""SQL over a results store: the catalogue and every verified Parquet file, as DuckDB views."""

from __future__ import annotations

from typing import Any

from iadsim.errors import StoreError
from iadsim.store.store import Store

__all__ = ["query"]


def query(store: Store, sql: str) -> Any:
    """Run a DuckDB SQL query over ``store``; return a pandas DataFrame.

    Tables: ``runs``, ``sweeps``, ``sweep_points``, ``files`` (the
    catalogue), ``outcomes`` (one row per replication of every run, with the
    totals of :data:`~iadsim.store.tables.REPLICATE_COLUMNS` and the full
    per-threat arrays as lists) and ``summaries`` (one row per run, section,
    group and metric). Every file is checksum-verified before it is read, on
    an in-memory database: the store itself is never written.

    Raises:
        StoreError: a damaged file, or a query DuckDB rejects.
    """
    import duckdb

    catalogue, paths = store.verified_files()
    mem = duckdb.connect(":memory:")
    try:
        for name, table in catalogue.items():
            mem.register(f"_{name}", table)
            mem.execute(f"create view {name} as select * from _{name}")
        for view, kind in (("outcomes", "outcomes"), ("summaries", "summary")):
            if paths[kind]:
                listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths[kind])
                mem.execute(
                    f"create view {view} as select * from read_parquet([{listing}], "
                    "union_by_name = true)"
                )
            else:
                mem.execute(f"create table {view} (run_id varchar)")
        try:
            return mem.execute(sql).df()
        except duckdb.Error as exc:
            message = " ".join(str(exc).split())
            raise StoreError(f"SQL query failed: {message}") from None
    finally:
        mem.close()
