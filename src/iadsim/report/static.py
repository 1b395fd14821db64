r"""The report's charts as PNG files, drawn with matplotlib (no browser needed).

Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas directly,
never through pyplot. Every text is plain text: names from a scenario may hold
``$``, ``\`` or ``_``, so mathtext and TeX are off while the charts are drawn
and saved (``text.parse_math`` and ``text.usetex``, set for that time only), and
legend labels never start with ``_`` (which matplotlib would hide).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.metrics import Estimate
from iadsim.report.data import ReportData
from iadsim.report.style import (
    FATE_COLOURS,
    FATE_LABELS,
    clock,
    colour_of,
    estimate_text,
    kind_colour,
)

__all__ = ["PNG_DPI", "write_pngs"]

PNG_DPI = 150
"""Resolution of the PNG files, dots per inch."""


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


def _err(estimates: list[Estimate], scale: float = 1.0) -> np.ndarray:
    lo = [0.0 if math.isnan(e.lo) else (e.mean - max(e.lo, 0.0)) * scale for e in estimates]
    hi = [0.0 if math.isnan(e.hi) else (e.hi - e.mean) * scale for e in estimates]
    return np.array([lo, hi])


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="both", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def _line(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _draw_basemap(ax: Any, data: ReportData) -> None:
    """Graticule, coast, lakes, rivers and borders, under everything else (zorder 0.5)."""
    from iadsim.report.figures import BASEMAP_STYLE

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
            label=f"terrain {ter.low:,.0f}–{ter.high:,.0f} m",
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
    ax.set_xlabel(lay.frame.x_title)
    ax.set_ylabel(lay.frame.y_title)
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


def _map(data: ReportData) -> Any:
    r = data.replay
    fig = _figure(14, 8)
    whole, near = fig.subplots(1, 2)
    _draw_map(whole, data)
    _draw_map(near, data)
    from iadsim.report.basemap import CITIES_DEFENDED, CITIES_WHOLE

    _label_places(whole, data, _fill(whole, *data.laydown.whole_raid()), CITIES_WHOLE)
    whole.set_title("the whole raid", loc="left", fontsize=10)
    _label_places(near, data, _fill(near, *data.laydown.defended_area()), CITIES_DEFENDED)
    near.set_title("the defended area", loc="left", fontsize=10)
    base = data.laydown.basemap
    if base is not None:
        fig.text(0.995, 0.005, base.attribution, ha="right", va="bottom", fontsize=7,
                 color="#737373")  # fmt: skip
    handles, labels = whole.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=5, fontsize=8)
    fig.suptitle(
        f"{data.title}: laydown, and where each threat of replication {r.replicate} ended "
        f"({clock(0, r.start_clock)} – {clock(r.duration, r.start_clock)})",
        x=0.01,
        ha="left",
        fontsize=11,
    )
    return fig


def _side(data: ReportData) -> Any:
    view = data.side_view
    assert view is not None
    fig = _figure(12, 5)
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
    ax.set_xlabel("distance to target (km)")
    ax.set_ylabel("altitude above sea level (km)")
    ax.set_title(
        f"{data.title}: side view of the threats' trajectories, with the fire units' altitude "
        f"envelopes placed by their reach from {view.target}",
        loc="left",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    _style(ax)
    return fig


def _hbars(
    ax: Any, names: list[str], estimates: list[Estimate], colour: str, scale: float = 1.0
) -> None:
    y = np.arange(len(names))
    ax.barh(
        y,
        [e.mean * scale for e in estimates],
        xerr=_err(estimates, scale),
        color=colour,
        capsize=3,
        error_kw={"elinewidth": 0.8},
    )
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    _style(ax)


def _kinds(data: ReportData) -> Any:
    s = data.summary
    kinds = list(s.by_kind)
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    width = 0.26
    x = np.arange(len(kinds))
    for k, (fate, label) in enumerate(
        (("destroyed", "destroyed"), ("lost_to_ew", "lost to EW"), ("leaked", "leaked"))
    ):
        est = [s.by_kind[kind][fate] for kind in kinds]
        ax.bar(
            x + (k - 1) * width,
            [e.mean for e in est],
            width,
            yerr=_err(est),
            color=FATE_COLOURS[fate],
            label=label,
            capsize=3,
            error_kw={"elinewidth": 0.8},
        )
    ax.set_xticks(x, kinds)
    ax.set_ylabel("threats per night (mean, 95% CI)")
    ax.set_title("What happened to each threat kind", loc="left")
    ax.legend()
    _style(ax)
    return fig


def _layers(data: ReportData) -> Any:
    s = data.summary
    layers = list(s.by_layer)
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    _hbars(ax, layers, [s.by_layer[k]["kills"] for k in layers], "#2171b5")
    ax.set_xlabel("threats per night (mean, 95% CI)")
    ax.set_title("Kills by layer", loc="left")
    return fig


def _classes(data: ReportData) -> Any:
    s = data.summary
    classes = [c for c in s.shots if s.shots[c].mean > 0 or data.spend_by_class[c].mean > 0]
    fig = _figure(10, 4.5)
    left, right = fig.subplots(1, 2)
    _hbars(left, classes, [s.shots[c] for c in classes], "#6baed6")
    left.set_xlabel("rounds per night")
    _hbars(right, classes, [data.spend_by_class[c] for c in classes], "#fd8d3c", 1e-6)
    right.set_xlabel("US$ million per night")
    right.tick_params(labelleft=False)
    fig.suptitle("Shots and spend by fire-unit class (mean, 95% CI)", x=0.02, ha="left")
    return fig


def _cost(data: ReportData) -> Any:
    s = data.summary
    est = [s.cost["defender"], s.cost["attacker"]]
    fig = _figure(6, 4.5)
    ax = fig.add_subplot()
    ax.bar(
        [0, 1],
        [e.mean / 1e6 for e in est],
        yerr=_err(est, 1e-6),
        color=["#2171b5", "#cb181d"],
        capsize=4,
    )
    ax.set_xticks([0, 1], ["defender", "attacker"])
    ax.set_ylabel("US$ million per night")
    ax.set_title(
        f"Cost-exchange ratio {estimate_text(s.cost['exchange_ratio'], '{:.2f}')}", loc="left"
    )
    _style(ax)
    return fig


def _sweep(data: ReportData) -> Any:
    curve = data.sweep
    assert curve is not None
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    groups = list(dict.fromkeys(p.group for p in curve.points))
    for k, group in enumerate(groups):
        pts = [p for p in curve.points if p.group == group]
        if all(isinstance(p.x, float) for p in pts):
            pts.sort(key=lambda p: float(p.x))
        ax.errorbar(
            [p.x if isinstance(p.x, float) else str(p.x) for p in pts],
            [p.leaked.mean for p in pts],
            yerr=_err([p.leaked for p in pts]),
            marker="o",
            capsize=3,
            color=colour_of(k),
            label=_label(group or "all kinds"),
        )
    ax.set_xlabel(curve.field + (f" ({curve.unit})" if curve.unit else ""))
    ax.set_ylabel("threats leaked per night (95% CI)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Saturation: leakers against {curve.field}", loc="left")
    if len(groups) > 1:
        ax.legend(fontsize=8)
    _style(ax)
    return fig


def _stock(data: ReportData) -> Any:
    view = data.campaign
    assert view is not None
    fig = _figure(10, 4.5)
    ax = fig.add_subplot()
    days = np.arange(1, view.days + 1)
    raids = ax.twinx()
    raids.bar(days, view.threats, color="#bdbdbd", alpha=0.5, width=0.8)
    raids.set_ylabel("threats launched that night")
    raids.spines[["top"]].set_visible(False)
    ax.set_zorder(raids.get_zorder() + 1)
    ax.patch.set_visible(False)
    for k, name in enumerate(view.types):
        ax.fill_between(days, view.stock_p5[k], view.stock_p95[k], color=colour_of(k), alpha=0.2)
        share = view.share_exhausted(k)
        ax.plot(days, view.stock_mean[k], color=colour_of(k), lw=2,
                label=_label(f"{name} (runs out in {share:.0%} of replications)"))  # fmt: skip
    ax.set_xlabel("day")
    ax.set_ylabel("interceptors in stock (mean, 5–95%)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{view.name}: stockpiles over {view.days} days", loc="left")
    ax.legend(fontsize=8)
    _style(ax)
    return fig


def _exhaustion(data: ReportData) -> Any:
    view = data.campaign
    assert view is not None
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    bins = np.arange(0.5, view.days + 1.5)
    for k, name in enumerate(view.types):
        ran_out = [d for d in view.exhaustion[k] if d > 0]
        ax.hist(ran_out, bins=bins, color=colour_of(k), alpha=0.7,
                label=_label(f"{name} ({view.share_exhausted(k):.0%} run out)"))  # fmt: skip
    ax.set_xlim(0.5, view.days + 0.5)
    ax.set_xlabel("day the stockpile runs out")
    ax.set_ylabel("replications")
    ax.set_title("The day each stockpile runs out", loc="left")
    ax.legend(fontsize=8)
    _style(ax)
    return fig


def write_pngs(data: ReportData, folder: str | Path) -> list[Path]:
    """Write the report's charts as PNG files into ``folder``; return their paths.

    Files: ``map.png`` (laydown, terrain, moving platforms' tracks and where
    each threat of the replayed replicate ended), ``side_view.png`` (threats'
    altitude against distance to target, fire units' envelopes), ``threat_kinds.png``,
    ``kills_by_layer.png``, ``shots_spend_by_class.png``, ``cost_exchange.png`` and, for a sweep,
    ``saturation.png``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    charts = [
        ("map.png", _map),
        ("threat_kinds.png", _kinds),
        ("kills_by_layer.png", _layers),
        ("shots_spend_by_class.png", _classes),
        ("cost_exchange.png", _cost),
    ]
    if data.side_view is not None:
        charts.insert(1, ("side_view.png", _side))
    if data.sweep is not None:
        charts.insert(0, ("saturation.png", _sweep))
    if data.campaign is not None:
        charts[:0] = [("stock.png", _stock), ("exhaustion_day.png", _exhaustion)]
    import matplotlib

    paths = []
    with matplotlib.rc_context(_PLAIN_TEXT):
        for name, draw in charts:
            fig = draw(data)
            for text in fig.findobj(matplotlib.text.Text):
                text.set_parse_math(False)  # also those made before this context
            path = folder / name
            fig.savefig(path, dpi=PNG_DPI)
            paths.append(path)
    return paths
