"""Progress on stderr for long commands: rich bars and "waiting for ..." lines.

Everything goes to stderr, so a command's stdout stays pure data. The display
opens on first use, so an input error found before the work starts is still
the first line on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["Bar"]


class Bar:
    """One rich progress display on stderr with any number of tasks.

    ``counter`` gives a callback advancing a bar by a count; ``tracker`` a
    callback told (done, total) that also names what is under way; ``status``
    shows a spinner line (for waiting: on a lock, for a cluster, for the
    engine's first compilation). With ``quiet_unless_terminal`` nothing is drawn
    when stderr is not a terminal.
    """

    def __init__(self, *, quiet_unless_terminal: bool = False) -> None:
        self.quiet = quiet_unless_terminal and not sys.stderr.isatty()
        self.progress: Any = None
        self._status_task: Any = None

    def _open(self) -> Any:
        if self.progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
        return self.progress

    def counter(self, description: str, total: int, done: int = 0) -> Callable[[int], None]:
        """A callback that advances a bar of ``total`` by the count it is given."""
        if self.quiet:
            return _ignore
        progress = self._open()
        task = progress.add_task(_plain(description), total=total, completed=done)

        def advance(count: int) -> None:
            progress.advance(task, count)

        return advance

    def tracker(self, description: str) -> Callable[..., None]:
        """A callback ``(done, total, what="")``: sets a bar to ``done`` of ``total``."""
        if self.quiet:
            return _ignore
        progress = self._open()
        task = progress.add_task(_plain(description), total=None)

        def update(done: float, total: float | None = None, what: str = "") -> None:
            text = _plain(f"{description}: {what}" if what else description)
            progress.update(task, completed=done, total=total, description=text)

        return update

    def status(self, text: str | None) -> None:
        """Show ``text`` with a spinner (what the command waits for); ``None`` clears it."""
        if self.quiet:
            return
        if text is None:
            if self._status_task is not None and self.progress is not None:
                self.progress.remove_task(self._status_task)
                self._status_task = None
            return
        progress = self._open()
        if self._status_task is None:
            self._status_task = progress.add_task(_plain(text), total=None)
        else:
            progress.update(self._status_task, description=_plain(text))

    def close(self) -> None:
        """Remove the display (it is transient: nothing stays on the terminal)."""
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
            self._status_task = None


def _plain(text: str) -> str:
    """``text`` shown as it is, never read as rich markup."""
    from rich.markup import escape

    return escape(text)


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None
