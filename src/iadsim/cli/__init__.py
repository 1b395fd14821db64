"""The ``iadsim`` command line."""

from iadsim.cli.app import app, main

__all__ = ["app", "main"]
