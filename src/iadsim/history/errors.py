"""The error for a reported-raids file that cannot be used."""

from __future__ import annotations

from pathlib import Path

from iadsim.errors import IadsimError

__all__ = ["HistoryError"]


class HistoryError(IadsimError):
    """A raids CSV (or an option about it) that cannot be used; the message names the file."""

    def __init__(self, source: str | Path, message: str) -> None:
        self.source = str(source)
        self.message = " ".join(message.split())
        super().__init__(f"{self.source}: {self.message}")
