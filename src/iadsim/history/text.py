"""Fields of a raids CSV as shown in messages: one line, short, no control characters."""

from __future__ import annotations

__all__ = ["plain", "shown"]

LIMIT = 60
"""Characters of a field kept for display."""


def plain(text: str, limit: int = LIMIT) -> str:
    """``text`` on one line and cut to ``limit``, characters that do not print replaced.

    Control, format and unassigned characters (not ``str.isprintable``) become U+FFFD,
    so that a hostile field cannot move the terminal's cursor or hide text.
    """
    flat = " ".join(str(text)[: 4 * limit].split())
    if not flat.isprintable():
        flat = "".join(c if c.isprintable() else "\ufffd" for c in flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def shown(text: str, limit: int = LIMIT) -> str:
    """``text`` quoted for a message: ``'Kalibr'``, cut and cleaned as :func:`plain`."""
    return f"'{plain(text, limit)}'"
