"""Colours, labels and number formats shared by the HTML and PNG renderers."""

from __future__ import annotations

import html
import math

from iadsim.metrics import Estimate

__all__ = [
    "FATE_COLOURS",
    "FATE_LABELS",
    "KIND_COLOURS",
    "clock",
    "colour_of",
    "esc",
    "estimate_text",
    "kind_colour",
    "money",
]

KIND_COLOURS = {
    "owa_drone": "#e6550d",
    "decoy": "#8c6bb1",
    "cruise_missile": "#238b45",
    "ballistic_missile": "#cb181d",
    "hypersonic": "#08519c",
}
FATE_COLOURS = {
    "destroyed": "#2171b5",
    "lost_to_ew": "#807dba",
    "leaked": "#e6550d",
    "impact": "#000000",
}
FATE_LABELS = {
    "destroyed": "destroyed",
    "lost_to_ew": "lost to EW",
    "leaked": "leaked (no damage)",
    "impact": "leaked and destroyed its target",
}
PALETTE = (
    "#1f77b4",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#ff7f0e",
    "#d62728",
)


def kind_colour(kind: str) -> str:
    """Colour of a threat kind (grey for a kind without one)."""
    return KIND_COLOURS.get(kind, "#636363")


def colour_of(index: int) -> str:
    """The ``index``-th colour of the qualitative palette (layers, series)."""
    return PALETTE[index % len(PALETTE)]


def esc(text: object) -> str:
    """User text made safe for HTML and for plotly's labels: ``<``, ``>``, ``&`` and quotes."""
    return html.escape(str(text), quote=True)


def money(dollars: float) -> str:
    """US dollars, short: $147.0M, $310k, $900."""
    if math.isnan(dollars):
        return "–"
    if abs(dollars) >= 1e9:
        return f"${dollars / 1e9:.2f}B"
    if abs(dollars) >= 1e6:
        return f"${dollars / 1e6:.1f}M"
    if abs(dollars) >= 1e3:
        return f"${dollars / 1e3:.0f}k"
    return f"${dollars:.0f}"


def estimate_text(e: Estimate, fmt: str = "{:.3g}") -> str:
    """``mean [lo, hi]``, or the mean alone when the interval is undefined.

    A comma between the bounds, as in the command's tables: a negative bound
    (of a difference) cannot be misread.
    """
    if math.isnan(e.lo) or math.isnan(e.hi):
        return fmt.format(e.mean)
    return f"{fmt.format(e.mean)} [{fmt.format(e.lo)}, {fmt.format(e.hi)}]"


def clock(t: float, start_clock: float) -> str:
    """Clock time of ``t`` seconds after the start, with ``+1`` on the next day."""
    total = start_clock + t
    day, rest = divmod(math.floor(total), 86400)
    hours, rest = divmod(rest, 3600)
    text = f"{hours:02d}:{rest // 60:02d}"
    return text + (f"+{day}" if day else "")
