"""The error for a reported-raids file that cannot be used."""

from __future__ import annotations

from pathlib import Path

from iadsim.errors import IadsimError

__all__ = ["HistoryError"]


class HistoryError(IadsimError):
    """A raids CSV (or the data it holds for a command) that cannot be used.

    The message names the file, then the line and column when the problem has one:
    ``raids.csv: line 3, column `launched`: ...``.

    Attributes:
        source: the file.
        message: what is wrong and what was expected (one paragraph).
        line: the line of the file (1 is the header), or None.
        column: the CSV column, or None.
    """

    def __init__(
        self,
        source: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source = str(source)
        self.message = " ".join(message.split())
        self.line = line
        self.column = column
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column `{column}`")
        head = f"{self.source}: " + (", ".join(where) + ": " if where else "")
        super().__init__(head + self.message)
