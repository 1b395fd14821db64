"""Provenance: what produced a result, recorded with every summary and every stored run.

:func:`provenance` is the one record: the versions of iadsim, Python and every
library that shapes the numbers (NumPy for the arrays, Numba for the fast engine,
SciPy for intervals and solvers, pydantic and pint for reading files, DuckDB and
PyArrow for the store), plus what the caller adds (the scenario's hash, engine,
policy, schema version, run id). A library that is not installed reads
``"unknown"``. The versions are looked up once per process.
"""

from __future__ import annotations

import functools
import platform
from typing import Any

__all__ = ["PACKAGES", "provenance", "versions"]

PACKAGES = ("iadsim", "numpy", "numba", "scipy", "pydantic", "pint", "duckdb", "pyarrow")
"""The distributions whose versions every record carries."""


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    from importlib.metadata import PackageNotFoundError, version

    found: list[tuple[str, str]] = []
    for package in PACKAGES:
        try:
            found.append((package, version(package)))
        except PackageNotFoundError:  # e.g. iadsim run from a source tree
            if package == "iadsim":
                from iadsim import __version__

                found.append((package, __version__))
            else:
                found.append((package, "unknown"))
    found.append(("python", platform.python_version()))
    return tuple(found)


def versions() -> dict[str, str]:
    """Versions of iadsim, its libraries (:data:`PACKAGES`) and Python, as text."""
    return dict(_versions())


def provenance(**fields: Any) -> dict[str, Any]:
    """The provenance record: :func:`versions` and ``fields`` (which win on a clash).

    Typical fields: ``scenario_hash``, ``engine``, ``policy``, ``schema_version``,
    ``run_id``, ``store_format``.
    """
    record: dict[str, Any] = dict(versions())
    record.update(fields)
    return record
