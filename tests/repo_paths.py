"""Where things are in the repository, for a test at any depth under ``tests/``.

Tests name the repository's files through these, never by counting parents of their
own ``__file__`` (which changes when a test moves to another folder).
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
"""``tests/``: the shared helpers (this module, ``scenarios.py``, ``strategies.py``,
``hostile_runner.py``) and the hostile corpus ``tests/hostile/``."""
ROOT = TESTS.parent
"""The repository."""
EXAMPLES = ROOT / "examples"
"""The example scenario, campaign, laydown and procurement files."""
