"""Checks of a built site (``make docs`` runs it after ``mkdocs build --strict``).

    python docs/hooks/check_site.py site

It says what is wrong and exits 1, or exits 0: the main pages are there, nothing is
fetched from the network when a page is read (no web fonts, no script, style or
stylesheet import from elsewhere), the tutorials' output and the commands' own are in
their pages, and the file reference lists every field of every input file kind.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent
sys.path.insert(0, str(HERE))

import fields  # noqa: E402  (docs/hooks is not a package)

PAGES = [
    "index.html",
    "quickstart.html",
    "tutorials/night-raid.html",
    "tutorials/sweep.html",
    "tutorials/campaign.html",
    "tutorials/laydown.html",
    "tutorials/procurement.html",
    "tutorials/calibration.html",
    "tutorials/wta.html",
    "reference/scenario.html",
    "reference/presets.html",
    "api/engine.html",
    "model/index.html",
    "model/network.html",
    "model/verification.html",
    "dev/design.html",
    "dev/style.html",
    "search/search_index.js",  # the offline plugin's index: search works from file://
]
"""Pages a built site must have."""

TUTORIAL_TEXT = {
    "tutorials/night-raid.html": [
        "leakers per night",
        "$ iadsim run examples/single_battery.yaml --replications 200 --seed 1",
    ],
    "tutorials/procurement.html": ["iadsim optimize procurement procurement.yaml"],
}
"""Text each executed tutorial must show (its own output, and the commands')."""


def markers(docs: Path = DOCS) -> dict[str, str]:
    """Reference page (relative to docs/) -> the model its marker names (module:Class)."""
    found = {}
    for page in sorted((docs / "reference").glob("*.md")):
        match = fields.MARKER.search(page.read_text(encoding="utf-8"))
        if match:
            found[str(page.relative_to(docs))] = match.group("target")
    return found


def _text(site: Path, page: str) -> str:
    raw = (site / page).read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def problems(site: Path, *, pages: list[str] = PAGES, references: bool = True) -> list[str]:
    """Everything wrong with the built site in ``site`` (empty: nothing)."""
    out = [f"missing page {page}" for page in pages if not (site / page).is_file()]
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if "fonts.googleapis" in text:
            out.append(f"{page.relative_to(site)}: web fonts")
        if re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", text):
            out.append(f"{page.relative_to(site)}: a script or style from elsewhere")
        if "Traceback" in text and "tutorials/" in str(page):
            out.append(f"{page.relative_to(site)}: a traceback")
    for sheet in sorted(site.rglob("*.css")):
        if re.search(r"@import\s+(url\()?[\"']?(https?:)?//", sheet.read_text(encoding="utf-8")):
            out.append(f"{sheet.relative_to(site)}: a stylesheet imported from elsewhere")
    for page, wanted in TUTORIAL_TEXT.items():
        if (site / page).is_file():
            text = _text(site, page)
            out += [f"{page}: no {w!r}" for w in wanted if w not in text]
    if references:
        for page, target in markers().items():
            built = site / Path(page).with_suffix(".html")
            if not built.is_file():
                out.append(f"missing reference page {built.relative_to(site)}")
                continue
            text = html.unescape(built.read_text(encoding="utf-8"))
            for model_name, name in sorted(fields.field_names(fields.load(target))):
                if f'id="{model_name.lower()}"' not in text:
                    out.append(f"{page}: no section for {model_name}")
                if f"<code>{name}</code>" not in text:
                    out.append(f"{page}: no row for {model_name}.{name}")
    return out


def main(argv: list[str]) -> int:
    """Command line: ``check_site.py SITE``."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(Path(argv[1]))
    for line in found:
        print(f"error: site: {line}", file=sys.stderr)
    if not found:
        print(f"{argv[1]}: the site has every page and field, and fetches nothing")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
