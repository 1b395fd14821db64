"""The tests the documentation cites as evidence, checked and tabulated.

Every ``tests/<folder>/test_x.py::test_name`` written in a page of the site (the test
file's path from the repository's root, e.g. ``tests/engine/test_engine.py``; tests mirror
the package, see the developer guide) must name a test that exists (a ``def test_name(``
in that file); :func:`cited` raises otherwise, which fails the strict build (the model
document's verification matrix calls it) and ``tests/project/test_docs.py``. A file that
is not there (a test moved or renamed) is named as such.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CITATION = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def cited(pages: str = "**/*.md") -> dict[str, list[tuple[str, str]]]:
    """Page (relative to docs/) -> the (file, test) pairs it cites, in order, each once.

    Raises:
        LookupError: a cited test does not exist (the message lists every one).
    """
    found: dict[str, list[tuple[str, str]]] = {}
    missing = []
    sources: dict[str, str] = {}
    for page in sorted(DOCS.glob(pages)):
        if "hooks" in page.parts:
            continue
        pairs = list(dict.fromkeys(CITATION.findall(page.read_text(encoding="utf-8"))))
        for file, name in pairs:
            if file not in sources:
                path = ROOT / file
                sources[file] = path.read_text(encoding="utf-8") if path.is_file() else ""
            if not re.search(rf"^\s*(async\s+)?def {name}\(", sources[file], re.MULTILINE):
                why = "" if (ROOT / file).is_file() else f" (no file {file})"
                missing.append(f"{page.relative_to(DOCS)}: {file}::{name}{why}")
        if pairs:
            found[str(page.relative_to(DOCS))] = pairs
    if missing:
        raise LookupError("cited tests that do not exist:\n" + "\n".join(missing))
    return found


def matrix(pages: str = "model/*.md") -> str:
    """A Markdown table: each model page and the tests it cites."""
    rows = ["| page | tests cited | test |", "| --- | --- | --- |"]
    for page, pairs in cited(pages).items():
        link = Path(page).name
        for k, (file, name) in enumerate(pairs):
            first = f"[{link.removesuffix('.md')}]({link})" if k == 0 else ""
            count = str(len(pairs)) if k == 0 else ""
            rows.append(f"| {first} | {count} | `{file}::{name}` |")
    return "\n".join(rows)
