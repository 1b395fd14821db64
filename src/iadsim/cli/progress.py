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
        self.live: Any = None
        self.bars: Any = None
        self.waits: Any = None
        self._status_task: Any = None

    def _open(self) -> None:
        if self.live is not None:
            return
        from rich.console import Console, Group
        from rich.live import Live
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
        from rich.text import Text

        class Counted(MofNCompleteColumn):
            """``done/total``, nothing while the total is unknown."""

            def render(self, task: Any) -> Text:
                return super().render(task) if task.total is not None else Text("")

        class Remaining(TimeRemainingColumn):
            def render(self, task: Any) -> Text:
                return super().render(task) if task.total is not None else Text("")

        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            Counted(),
            TimeElapsedColumn(),
            Remaining(),
        )
        # what the command waits for, on lines of their own (a long text never squeezes a bar)
        self.waits = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()
        )
        self.live = Live(
            Group(self.waits, self.bars),
            console=Console(stderr=True),
            transient=True,
            refresh_per_second=8,
        )
        self.live.start()

    def counter(self, description: str, total: int, done: int = 0) -> Callable[[int], None]:
        """A callback that advances a bar of ``total`` by the count it is given."""
        if self.quiet:
            return _ignore
        self._open()
        bars = self.bars
        task = bars.add_task(_plain(description), total=total, completed=done)

        def advance(count: int) -> None:
            bars.advance(task, count)

        return advance

    def tracker(self, description: str) -> Callable[..., None]:
        """A callback ``(done, total, what="")``: sets a bar to ``done`` of ``total``."""
        if self.quiet:
            return _ignore
        self._open()
        bars = self.bars
        task = bars.add_task(_plain(description), total=None)

        def update(done: float, total: float | None = None, what: str = "") -> None:
            text = _plain(f"{description}: {what}" if what else description)
            bars.update(task, completed=done, total=total, description=text)

        return update

    def status(self, text: str | None) -> None:
        """Show ``text`` with a spinner (what the command waits for); ``None`` clears it."""
        if self.quiet:
            return
        if text is None:
            if self._status_task is not None and self.waits is not None:
                self.waits.remove_task(self._status_task)
                self._status_task = None
            return
        self._open()
        if self._status_task is not None:
            self.waits.remove_task(self._status_task)  # a new wait: its clock starts again
        self._status_task = self.waits.add_task(_plain(text), total=None)

    def close(self) -> None:
        """Remove the display (it is transient: nothing stays on the terminal)."""
        if self.live is not None:
            self.live.stop()
            self.live = self.bars = self.waits = None
            self._status_task = None


def _plain(text: str) -> str:
    """``text`` shown as it is, never read as rich markup."""
    from rich.markup import escape

    return escape(text)


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None
