"""The wargame's error: a move or a file the session cannot take, said plainly."""

from __future__ import annotations

from iadsim.errors import IadsimError

__all__ = ["WargameError"]


class WargameError(IadsimError):
    """A move the session cannot take (an infeasible pick, an unknown unit) or a bad session file.

    The message names the threat, the unit or the file field and says why; the
    session is left as it was.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
