"""What every ``iadsim`` command shares: error reporting, output formats, seeds, output paths."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from iadsim.c2 import registry
from iadsim.errors import IadsimError, OptionError, shorten

__all__ = [
    "SEED_MAX",
    "Engine",
    "OutputFormat",
    "PolicyChoice",
    "Seed",
    "check_output_dir",
    "check_output_file",
    "engine_option",
    "policy_option",
    "reported",
    "schema_document",
    "seed_option",
]

SEED_MAX = 2**64 - 1
"""The largest seed: seeds are 64-bit unsigned integers (counter-based draws)."""

Seed = Annotated[
    int,
    typer.Option("--seed", "-s", min=0, max=SEED_MAX, help="random seed, 0 to 2^64-1"),
]
"""The ``--seed`` option, the same in every command."""


def seed_option(help: str = "random seed, 0 to 2^64-1", *names: str, checked: bool = True) -> Any:
    """A seed option with its own help (and names, default ``--seed -s``), range 0..2^64-1.

    For ``Annotated[int | None, seed_option("seed per point, 0 to 2^64-1 [default: 0]")]``.
    ``checked=False`` leaves the range to the command, which checks it with
    :func:`iadsim.api.check_run` (the API's words) inside :func:`reported`.
    """
    names = names or ("--seed", "-s")
    if not checked:
        return typer.Option(*names, help=help)
    return typer.Option(*names, min=0, max=SEED_MAX, help=help)


def engine_option(help: str) -> Any:
    """The ``--engine -e`` option, its choices shown in the help.

    For ``Annotated[Engine | None, engine_option(...)]`` (typer checks the choice) or
    ``Annotated[str, engine_option(...)]`` (the command checks it with
    :func:`iadsim.api.check_run`).
    """
    return typer.Option("--engine", "-e", metavar=f"<{'|'.join(Engine)}>", help=help)


class Engine(StrEnum):
    """Which engine runs the replications; both give identical outcomes."""

    fast = "fast"
    reference = "reference"


if TYPE_CHECKING:
    PolicyChoice = str
else:  # the table's names, as typer's choices (a Literal made when the CLI is imported)
    PolicyChoice = Literal[registry.POLICY_NAMES]
"""An assignment policy's name, one of :data:`iadsim.c2.registry.POLICY_NAMES`."""


def policy_option(help: str = "assignment policy instead of the scenario doctrine's") -> Any:
    """The ``--policy`` option: its choices and what they need, from the policy table.

    For ``Annotated[PolicyChoice | None, policy_option()]`` (typer checks the choice) or
    ``Annotated[str | None, policy_option()]`` (the command checks it with
    :func:`iadsim.api.check_run`); the help lists the choices either way.
    """
    names = ", ".join(registry.POLICY_NAMES)
    needs = "".join(
        f"; {p.name} needs doctrine.{', doctrine.'.join(p.needs)}"
        for p in registry.POLICIES.values()
        if p.needs
    )
    return typer.Option(
        "--policy",
        "-p",
        metavar=f"<{'|'.join(registry.POLICY_NAMES)}>",
        help=f"{help}: {names}{needs}",
        show_default=False,
    )


class OutputFormat(StrEnum):
    """Rich tables for people, or one JSON document for programs."""

    table = "table"
    json = "json"


def schema_document(kind: str) -> dict[str, Any]:
    """The JSON Schema of the input file kind named by ``--kind``.

    Raises:
        OptionError: if ``kind`` names no input file kind.
    """
    from iadsim.scenario.versions import KINDS, json_schema

    if kind not in KINDS:
        shown = repr(shorten(kind))
        raise OptionError("--kind", f"expected one of {', '.join(KINDS)}, got {shown}")
    return json_schema(kind)


@contextmanager
def reported() -> Iterator[None]:
    """Turn iadsim's input errors into one paragraph on stderr and exit code 2."""
    try:
        yield
    except IadsimError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _check_writable_dir(folder: Path, option: str, path: Path) -> None:
    """Prove ``folder`` takes a new file by making and removing one (root ignores mode bits)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".iadsim-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OptionError(option, f"cannot write into {folder} ({reason}); got {path}") from None


def check_output_file(
    path: Path, option: str, *, inputs: Iterable[Path | str] = (), what: str = "file"
) -> Path:
    """Check, before any work starts, that ``path`` can be written as a file.

    Its folder must exist and take new files; ``path`` must not be a folder nor one of
    the command's ``inputs`` (writing there would destroy them).

    Raises:
        OptionError: naming ``option`` and what is wrong.
    """
    path = Path(path)
    if path.is_dir():
        raise OptionError(option, f"expected a {what} to write, got the folder {path}")
    parent = path.parent
    if not parent.exists():
        raise OptionError(option, f"the folder {parent} does not exist (for {path})")
    if not parent.is_dir():
        raise OptionError(option, f"{parent} is not a folder (for {path})")
    for source in inputs:
        if _same_file(path, Path(source)):
            raise OptionError(
                option, f"{path} is an input of this command; writing it would overwrite it"
            )
    if path.exists() and not os.access(path, os.W_OK):
        raise OptionError(option, f"{path} exists and cannot be written")
    _check_writable_dir(parent, option, path)
    return path


def check_output_dir(path: Path, option: str) -> Path:
    """Check, before any work starts, that ``path`` is (or can be made) a writable folder.

    A missing folder is made (with its parents); an existing file is refused.

    Raises:
        OptionError: naming ``option`` and what is wrong.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OptionError(option, f"expected a folder, but {path} is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OptionError(option, f"cannot make the folder {path} ({reason})") from None
    _check_writable_dir(path, option, path)
    return path
