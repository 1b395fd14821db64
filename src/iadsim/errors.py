"""The errors iadsim raises for bad input: each names the file, field path and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "CampaignError",
    "FieldError",
    "IadsimError",
    "LaydownError",
    "OptionError",
    "ProcurementError",
    "ScenarioError",
    "StoreError",
    "SweepError",
    "shorten",
]


SHOWN_PROBLEMS = 20
"""Problems listed in one error message at most (the head says how many there are)."""

LONGEST_MESSAGE = 1000
"""Characters of one problem's message (or field path) shown at most."""


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, ``...`` marking the cut (user input in messages)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cut(text: str) -> str:
    return shorten(text, LONGEST_MESSAGE)


class IadsimError(Exception):
    """Base of the errors that the ``iadsim`` command reports without a traceback."""


class FieldError(ValueError):
    """A problem with one field, found inside a validator that sits above it.

    Raised from a model validator so that the reported path can still point at
    the field (``threat_classes.owa_drone.preset``) and not only at the model.
    """

    def __init__(self, path: Sequence[str | int], message: str) -> None:
        super().__init__(message)
        self.path = tuple(path)
        self.message = message


class ScenarioError(IadsimError):
    """A scenario file (or override) that cannot be read or is not valid.

    Attributes:
        source: the file, or ``"<scenario>"`` for one built in Python.
        problems: pairs of (field path such as ``"raids.0.count"``, message); the
            path is ``""`` for a problem with the file as a whole.
        what: the file type named in the message (``"invalid campaign"``); default: the
            class's :attr:`what`.
    """

    what = "scenario"
    """What the file is, in the message's head ("invalid scenario")."""

    def __init__(
        self,
        source: str | Path,
        problems: Sequence[tuple[str, str]],
        *,
        lines: dict[str, int] | None = None,
        what: str | None = None,
    ) -> None:
        if what is not None:
            self.what = what
        self.source = str(source)
        self.problems = list(problems)
        self.lines = lines or {}
        super().__init__(self.paragraph())

    def paragraph(self) -> str:
        """One paragraph: the file, then each field path and what was expected.

        At most :data:`SHOWN_PROBLEMS` problems are listed (the count says how many
        there are), each message and path cut at :data:`LONGEST_MESSAGE` characters:
        an error is a paragraph, never a dump of the input.
        """
        parts = []
        for path, message in self.problems[:SHOWN_PROBLEMS]:
            text = _cut(" ".join(str(message).split()))  # one paragraph, whatever it holds
            path = _cut(str(path))
            if not path:  # about the file as a whole: the message says it all
                parts.append(text)
                continue
            where = f"field `{path}`"
            line = self.lines.get(path)
            if line is not None:
                where += f" (line {line})"
            parts.append(f"{where}: {text}")
        count = len(self.problems)
        if count > SHOWN_PROBLEMS:
            parts.append(f"and {count - SHOWN_PROBLEMS:,} more")
        head = f"{_cut(self.source)}: invalid {self.what}"
        if count > 1:
            head += f" ({count:,} problems)"
        return head + ": " + "; ".join(parts) + "."


class SweepError(ScenarioError):
    """A sweep file, or a ``--grid``/``--random`` option, that is not a valid sweep."""

    what = "sweep"


class CampaignError(ScenarioError):
    """A campaign file that cannot be read or is not valid."""

    what = "campaign"


class LaydownError(ScenarioError):
    """A laydown file that cannot be read or is not valid."""

    what = "laydown"


class ProcurementError(ScenarioError):
    """A procurement file that cannot be read or is not valid."""

    what = "procurement"


class StoreError(IadsimError):
    """A results store that cannot be used: missing, damaged, in use, or of another version."""


class OptionError(IadsimError):
    """A command-line option whose value cannot be used (an output path, a range).

    Attributes:
        option: the option as typed, e.g. ``"--html"``.
        message: what is wrong and what was expected.
    """

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        self.message = message
        super().__init__(f"{option}: {message}")
