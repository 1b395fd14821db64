"""Results on disk: a DuckDB catalogue of runs and Parquet tables, atomic and resumable."""

from iadsim.store.compare import compare_runs
from iadsim.store.store import STORE_FORMAT, Store
from iadsim.store.tables import REPLICATE_COLUMNS

__all__ = ["REPLICATE_COLUMNS", "STORE_FORMAT", "Store", "compare_runs", "open_store"]


def open_store(path: str, *, create: bool = False) -> Store:
    """Open the results store in folder ``path`` (see :meth:`Store.open`)."""
    return Store.open(path, create=create)
