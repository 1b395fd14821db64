"""What every ``iadsim`` command shares: how input errors are reported, output formats."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

import typer

from iadsim.errors import IadsimError

__all__ = ["OutputFormat", "reported"]


class OutputFormat(StrEnum):
    """Rich tables for people, or one JSON document for programs."""

    table = "table"
    json = "json"


@contextmanager
def reported() -> Iterator[None]:
    """Turn iadsim's input errors into one paragraph on stderr and exit code 2."""
    try:
        yield
    except IadsimError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
