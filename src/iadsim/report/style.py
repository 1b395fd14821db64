"""Colours, labels and line styles shared by the HTML and PNG renderers.

Numbers, money and intervals are written by :mod:`iadsim.format`.
"""

from __future__ import annotations

import html
import math
from typing import Any

__all__ = [
    "BASEMAP_STYLE",
    "FATE_COLOURS",
    "FATE_LABELS",
    "KIND_COLOURS",
    "clock",
    "colour_of",
    "esc",
    "kind_colour",
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
BASEMAP_STYLE: dict[str, dict[str, Any]] = {
    "graticule": {"color": "#d9d9d9", "width": 0.6, "dash": "dot"},
    "coast": {"color": "#6b8fb3", "width": 1.0},
    "lakes": {"color": "#8fb4d6", "width": 0.8},
    "rivers": {"color": "#8fb4d6", "width": 1.0},
    "borders": {"color": "#969696", "width": 1.0, "dash": "dash"},
}
"""Line styles of the basemap's layers on the map (plotly's names; the PNG maps them)."""


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


def clock(t: float, start_clock: float) -> str:
    """Clock time of ``t`` seconds after the start, with ``+1`` on the next day."""
    total = start_clock + t
    day, rest = divmod(math.floor(total), 86400)
    hours, rest = divmod(rest, 3600)
    text = f"{hours:02d}:{rest // 60:02d}"
    return text + (f"+{day}" if day else "")
