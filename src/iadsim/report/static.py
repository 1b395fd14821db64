r"""The report's charts as PNG files, drawn with matplotlib (no browser needed).

Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas directly,
never through pyplot. Every text is plain text: names from a scenario may hold
``$``, ``\`` or ``_``, so mathtext and TeX are off while the charts are drawn
and saved (``text.parse_math`` and ``text.usetex``, set for that time only), and
legend labels never start with ``_`` (which matplotlib would hide).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from iadsim import format as fmt
from iadsim.metrics import Estimate
from iadsim.report.campaign import CampaignView
from iadsim.report.charts import (
    Bars,
    Chart,
    Curves,
    chart_list,
    exhaustion_label,
    map_chart,
    side_chart,
    whisker,
)
from iadsim.report.data import ReportData
from iadsim.report.style import (
    BASEMAP_STYLE,
    FATE_COLOURS,
    FATE_LABELS,
    colour_of,
    kind_colour,
)

__all__ = ["DRAW", "PNG_DPI", "write_pngs"]

PNG_DPI = 150
"""Resolution of the PNG files, dots per inch."""
CAPTION_POINTS = 7.5
"""Size of a caption's text."""
CAPTION_CHARS_PER_INCH = 17
"""Characters of a caption's line per inch of the figure's width."""


_PLAIN_TEXT: Any = {"text.parse_math": False, "text.usetex": False}
"""matplotlib settings under which every string is drawn as it is."""


def _label(text: str) -> str:
    """A legend label drawn as written (matplotlib hides labels that start with ``_``)."""
    return "\u200b" + text if text.startswith("_") else text


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _err(estimates: list[Estimate]) -> np.ndarray:
    return np.array([whisker(e) for e in estimates]).T.reshape(2, len(estimates))


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="both", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def _line(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _draw_basemap(ax: Any, data: ReportData) -> None:
    """Graticule, coast, lakes, rivers and borders, under everything else (zorder 0.5)."""
    base = data.laydown.basemap
    if base is None:
        return
    dashes = {"dot": ":", "dash": "--"}
    first = True
    for name, (xs, ys) in (
        ("graticule", base.graticule),
        ("coast", base.coast),
        ("lakes", base.lakes),
        ("rivers", base.rivers),
        ("borders", base.borders),
    ):
        if not xs:
            continue
        style = BASEMAP_STYLE[name]
        ax.plot(
            _line(xs),
            _line(ys),
            color=style["color"],
            lw=style["width"] * 0.8,
            ls=dashes.get(style.get("dash", ""), "-"),
            zorder=0.5,
            label=f"coast, borders, rivers ({base.resolution} Natural Earth)"
            if first and name != "graticule"
            else None,
        )
        first = first and name == "graticule"


def _label_places(ax: Any, data: ReportData, extent: Any, count: int) -> None:
    """The most populous places in a panel, as dots with their names, and graticule labels."""
    base = data.laydown.basemap
    if base is None:
        return
    cities = base.cities_in(extent, count)
    ax.scatter([c.x for c in cities], [c.y for c in cities], s=6, color="#404040", zorder=0.6)
    for c in cities:
        ax.annotate(
            c.name,
            (c.x, c.y),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=7,
            color="#404040",
            zorder=0.6,
        )
    for text, x, y, meridian in base.graticule_labels(extent):
        ax.annotate(
            text,
            (x, y),
            xytext=(0, 2) if meridian else (2, 0),
            textcoords="offset points",
            fontsize=6.5,
            color="#969696",
            ha="center" if meridian else "left",
            va="bottom" if meridian else "center",
        )


def _draw_map(ax: Any, data: ReportData) -> None:
    lay, r = data.laydown, data.replay
    _draw_basemap(ax, data)
    if lay.terrain is not None:
        ter = lay.terrain
        ax.imshow(
            ter.rgba,
            extent=(ter.west, ter.east, ter.south, ter.north),
            origin="upper",
            interpolation="bilinear",
            zorder=0,
            label=f"terrain {fmt.fixed(ter.low, 0)}–{fmt.fixed(ter.high, 0)} m",
        )
    for n, track in enumerate(lay.tracks):
        ax.plot(
            track.x,
            track.y,
            color=track.colour,
            lw=0.8,
            ls="--",
            alpha=0.6,
            marker="." if len(track.x) <= 8 else None,
            label="tracks of moving platforms" if n == 0 else None,
        )
    for raid, (xs, ys) in lay.routes.items():
        x = np.array([np.nan if v is None else v for v in xs], dtype=float)
        y = np.array([np.nan if v is None else v for v in ys], dtype=float)
        ax.plot(x, y, color=kind_colour(lay.raid_kind.get(raid, "")), lw=0.4, alpha=0.25)
    for s in lay.sensors:
        if s.ring:
            ax.plot(*s.ring, color="#969696", lw=0.6, ls=":")
    for layer, colour in lay.layer_colours.items():
        units = [u for u in lay.fire_units if u.group == layer]
        for u in units:
            if u.ring:
                ax.plot(*u.ring, color=colour, lw=0.7, alpha=0.6)
        ax.scatter(
            [u.x for u in units],
            [u.y for u in units],
            marker="D",
            s=18,
            facecolors=["none" if u.moves else colour for u in units],
            edgecolors=colour,
            label=_label(layer),
            zorder=3,
        )
    ax.scatter(
        [s.x for s in lay.sensors],
        [s.y for s in lay.sensors],
        marker="o",
        s=22,
        facecolors="none",
        edgecolors="#525252",
        label="sensors",
        zorder=3,
    )
    ax.scatter(
        [s.x for s in lay.launch_sites],
        [s.y for s in lay.launch_sites],
        marker="^",
        s=40,
        color="#636363",
        label="launch sites",
        zorder=3,
    )
    top = max(a.value for a in lay.assets) or 1.0
    ax.scatter(
        [a.x for a in lay.assets],
        [a.y for a in lay.assets],
        marker="s",
        s=[20 + 40 * a.value / top for a in lay.assets],
        color="#fee391",
        edgecolors="#993404",
        label="defended assets",
        zorder=4,
    )
    for fate, marker in (("destroyed", "x"), ("lost_to_ew", "d"), ("leaked", "o"), ("impact", "*")):
        idx = [i for i, f in enumerate(r.fate) if f == fate]
        if not idx:
            continue
        ax.scatter(
            [r.end_x[i] for i in idx],
            [r.end_y[i] for i in idx],
            marker=marker,
            s=40 if fate == "impact" else 14,
            linewidths=0.8,
            zorder=5,
            color=FATE_COLOURS[fate],
            label=f"{FATE_LABELS[fate]} ({len(idx)})",
        )
    ax.set_aspect("equal")  # a kilometre as long east-west as north-south
    _style(ax)


MAP_PANEL = 1.05
"""Width over height of each of the map's two panels (about 6.6 by 6.3 inches)."""


def _fill(
    ax: Any, xs: tuple[float, float], ys: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Set limits holding ``xs`` and ``ys``, widened on one side to fill a map panel."""
    (x0, x1), (y0, y1) = xs, ys
    width, height = x1 - x0, y1 - y0  # both in km
    if width < MAP_PANEL * height:
        grow = (MAP_PANEL * height - width) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (width / MAP_PANEL - height) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return (x0, x1), (y0, y1)


def _titled(fig: Any, chart: Chart, data: ReportData, legend: Any = None) -> Any:
    """The chart's title (under the scenario's name) on top, its caption at the foot.

    The caption, and a figure legend above it if given, sit below the area that the
    constrained layout fills, so nothing overlaps them.
    """
    width, height = fig.get_size_inches()
    fig.suptitle(f"{data.title}\n{chart.title}", x=0.01, ha="left", fontsize=10.5)
    caption = textwrap.fill(chart.caption, width=max(int(width * CAPTION_CHARS_PER_INCH), 40))
    lines = caption.count("\n") + 1
    foot = (lines * CAPTION_POINTS * 1.35 + 6) / 72 / height  # share of the height
    fig.text(0.01, 0.01 / height, caption, ha="left", va="bottom", fontsize=CAPTION_POINTS,
             color="#555555")  # fmt: skip
    if legend is not None:
        legend.set_in_layout(False)
        legend.set_bbox_to_anchor((0.5, foot), transform=fig.transFigure)
        box = legend.get_window_extent(fig.canvas.get_renderer())
        foot += box.height / fig.dpi / height + 0.01
    fig.get_layout_engine().set(rect=(0.0, foot, 1.0, 1.0 - foot))
    return fig


def _map(data: ReportData, chart: Chart | None = None) -> Any:
    chart = chart or map_chart(data)
    fig = _figure(*chart.size)
    whole, near = fig.subplots(1, 2)
    _draw_map(whole, data)
    _draw_map(near, data)
    from iadsim.report.basemap import CITIES_DEFENDED, CITIES_WHOLE

    x_title, y_title = chart.axes
    for ax in (whole, near):
        ax.set_xlabel(x_title, fontsize=9)
        ax.set_ylabel(y_title, fontsize=9)
    _label_places(whole, data, _fill(whole, *data.laydown.whole_raid()), CITIES_WHOLE)
    whole.set_title("the whole raid", loc="left", fontsize=10)
    _label_places(near, data, _fill(near, *data.laydown.defended_area()), CITIES_DEFENDED)
    near.set_title("the defended area", loc="left", fontsize=10)
    handles, labels = whole.get_legend_handles_labels()
    legend = fig.legend(handles, labels, loc="lower center", ncols=5, fontsize=8)
    return _titled(fig, chart, data, legend)


def _side(data: ReportData, chart: Chart | None = None) -> Any:
    chart = chart or side_chart(data)
    view = data.side_view
    assert view is not None
    fig = _figure(*chart.size)
    ax = fig.add_subplot()
    drawn: set[str] = set()
    for e in view.envelopes:
        ax.fill_between(
            [e.near, e.far],
            e.low / 1000,
            e.high / 1000,
            color=e.colour,
            alpha=0.2,
            lw=0.8,
            edgecolor=e.colour,
            label=None if e.layer in drawn else _label(f"{e.layer} envelope"),
        )
        drawn.add(e.layer)
    first = True
    for p in view.profiles:
        for d, z in zip(p.ground_distance, p.ground, strict=True):
            ax.plot(d, np.asarray(z) / 1000, color="#8c7355", lw=0.7, alpha=0.7,
                    label="terrain under the tracks" if first else None)  # fmt: skip
            first = False
    for p in view.profiles:
        for n, (d, z) in enumerate(zip(p.distance, p.altitude, strict=True)):
            ax.plot(
                d,
                np.asarray(z) / 1000,
                color=p.colour,
                lw=1.4,
                label=_label(f"{p.name} ({p.kind}, {p.launched} launched)") if n == 0 else None,
            )
    ax.invert_xaxis()
    top = max(
        [v for p in view.profiles for z in p.altitude for v in z]
        + [v for p in view.profiles for z in p.ground for v in z if not math.isnan(v)],
        default=0.0,
    )
    ax.set_ylim(0, 1.12 * top / 1000 if top > 0 else None)  # envelopes above run off the top
    x_title, y_title = chart.axes
    ax.set_xlabel(x_title)
    ax.set_ylabel(y_title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    _style(ax)
    return _titled(fig, chart, data)


def _draw_bars(ax: Any, bars: Bars) -> None:
    n = len(bars.series)
    width = 0.8 / n
    at = np.arange(len(bars.categories))
    for k, series in enumerate(bars.series):
        place = at + (k - (n - 1) / 2) * width
        values = [e.mean for e in series.values]
        colour = series.colour
        label = _label(series.name)
        if bars.horizontal:
            ax.barh(place, values, width, xerr=_err(series.values), color=colour, label=label,
                    capsize=3, error_kw={"elinewidth": 0.8})  # fmt: skip
        else:
            ax.bar(place, values, width, yerr=_err(series.values), color=colour, label=label,
                   capsize=3, error_kw={"elinewidth": 0.8})  # fmt: skip
    if bars.horizontal:
        ax.set_yticks(at, bars.categories)
        ax.invert_yaxis()
        ax.set_xlabel(bars.axis)
    else:
        ax.set_xticks(at, bars.categories)
        ax.set_ylabel(bars.axis)
    if n > 1:
        ax.legend(fontsize=8)
    _style(ax)


def _bars(chart: Chart, data: ReportData) -> Any:
    fig = _figure(*chart.size)
    _draw_bars(fig.add_subplot(), chart.data)
    return _titled(fig, chart, data)


def _panels(chart: Chart, data: ReportData) -> Any:
    fig = _figure(*chart.size)
    axes = fig.subplots(1, len(chart.data))
    for k, (ax, bars) in enumerate(zip(axes, chart.data, strict=True)):
        _draw_bars(ax, bars)
        if k:
            ax.tick_params(labelleft=False)
    return _titled(fig, chart, data)


def _curves(chart: Chart, data: ReportData) -> Any:
    curves: Curves = chart.data
    fig = _figure(*chart.size)
    ax = fig.add_subplot()
    for line in curves.lines:
        ax.errorbar(
            [x if isinstance(x, float) else str(x) for x in line.x],
            [e.mean for e in line.y],
            yerr=_err(line.y),
            marker="o",
            capsize=3,
            color=line.colour,
            label=_label(line.name),
        )
    x_title, y_title = chart.axes
    ax.set_xlabel(x_title)
    ax.set_ylabel(y_title)
    ax.set_ylim(bottom=0)
    if len(curves.lines) > 1:
        ax.legend(fontsize=8)
    _style(ax)
    return _titled(fig, chart, data)


def _stock(chart: Chart, data: ReportData) -> Any:
    view: CampaignView = chart.data
    x_title, y_title, y2_title = chart.axes
    fig = _figure(*chart.size)
    ax = fig.add_subplot()
    days = np.arange(1, view.days + 1)
    raids = ax.twinx()
    raids.bar(days, view.threats, color="#bdbdbd", alpha=0.5, width=0.8)
    raids.set_ylabel(y2_title)
    raids.spines[["top"]].set_visible(False)
    ax.set_zorder(raids.get_zorder() + 1)
    ax.patch.set_visible(False)
    for k, name in enumerate(view.types):
        ax.fill_between(days, view.stock_p5[k], view.stock_p95[k], color=colour_of(k), alpha=0.2)
        ax.plot(days, view.stock_mean[k], color=colour_of(k), lw=2, label=_label(name))
    ax.set_xlabel(x_title)
    ax.set_ylabel(y_title)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    _style(ax)
    return _titled(fig, chart, data)


def _exhaustion(chart: Chart, data: ReportData) -> Any:
    view: CampaignView = chart.data
    fig = _figure(*chart.size)
    ax = fig.add_subplot()
    bins = np.arange(0.5, view.days + 1.5)
    for k in range(len(view.types)):
        ran_out = [d for d in view.exhaustion[k] if d > 0]
        ax.hist(ran_out, bins=bins, color=colour_of(k), alpha=0.7,
                label=_label(exhaustion_label(view, k)))  # fmt: skip
    ax.set_xlim(0.5, view.days + 0.5)
    x_title, y_title = chart.axes
    ax.set_xlabel(x_title)
    ax.set_ylabel(y_title)
    ax.legend(fontsize=8)
    _style(ax)
    return _titled(fig, chart, data)


DRAW: dict[str, Callable[[Chart, ReportData], Any]] = {
    "bars": _bars,
    "panels": _panels,
    "curves": _curves,
    "stock": _stock,
    "exhaustion": _exhaustion,
    "side": lambda chart, data: _side(data, chart),
    "map": lambda chart, data: _map(data, chart),
}
"""How matplotlib draws each kind of chart (every one of :data:`~iadsim.report.charts.KINDS`)."""


def write_pngs(data: ReportData, folder: str | Path) -> list[Path]:
    """Write the report's charts as PNG files into ``folder``; return their paths.

    One file per chart of :func:`~iadsim.report.charts.chart_list`, with the same
    title and caption as on the page: ``map.png`` (laydown over the basemap,
    terrain, moving platforms' tracks and where each threat of the replayed
    replicate ended), ``side_view.png``, ``threat_kinds.png``, ``kills_by_layer.png``,
    ``shots_spend_by_class.png``, ``cost_exchange.png``; for a sweep
    ``saturation.png``; for a campaign ``stock.png`` and ``exhaustion_day.png``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    import matplotlib

    paths = []
    with matplotlib.rc_context(_PLAIN_TEXT):
        for chart in chart_list(data):
            fig = DRAW[chart.kind](chart, data)
            for text in fig.findobj(matplotlib.text.Text):
                text.set_parse_math(False)  # also those made before this context
            path = folder / chart.file
            fig.savefig(path, dpi=PNG_DPI)
            paths.append(path)
    return paths
