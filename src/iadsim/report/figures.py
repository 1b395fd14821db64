"""The report's interactive charts as plotly figures (plotly is imported here only).

Every user string that reaches a figure goes through :func:`~iadsim.report.style.esc`:
plotly reads labels as a small subset of HTML, and escaped text shows as typed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from iadsim import format as fmt
from iadsim.metrics import Estimate
from iadsim.report.basemap import CITIES_DEFENDED, CITIES_WHOLE
from iadsim.report.campaign import CampaignView
from iadsim.report.charts import (
    Bars,
    BarSeries,
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
    esc,
    kind_colour,
)

__all__ = [
    "DRAW",
    "charts",
    "figure",
    "map_figure",
    "side_view_figure",
]

ALTITUDE_SCALE = "Viridis"
"""Colour scale of threats coloured by altitude in the replay."""

FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def _errors(estimates: list[Estimate]) -> dict[str, Any]:
    """Plotly asymmetric error bars from confidence intervals (none where undefined)."""
    lengths = [whisker(e) for e in estimates]
    return {
        "type": "data",
        "array": [above for _, above in lengths],
        "arrayminus": [below for below, _ in lengths],
        "visible": True,
        "thickness": 1.2,
    }


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.2},
    }
    layout.update(extra)
    return layout


def _grid(**axis: Any) -> dict[str, Any]:
    return {"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd", **axis}


def _basemap_traces(fig: Any, data: ReportData) -> None:
    """The basemap under the laydown: lines, graticule labels, labelled cities, attribution.

    Its traces carry ``meta`` = ``basemap:<layer>``, and ``basemap:cities:all`` and
    ``basemap:cities:defended`` for the places labelled in each of the map's views (the
    page's script shows the one of the view chosen); one legend entry shows or hides the
    lines, another the cities.
    """
    lay = data.laydown
    base = lay.basemap
    if base is None:
        return
    layers = {
        "graticule": base.graticule,
        "coast": base.coast,
        "lakes": base.lakes,
        "rivers": base.rivers,
        "borders": base.borders,
    }
    drawn = [name for name, (xs, _) in layers.items() if xs]
    shown = next((name for name in drawn if name != "graticule"), "graticule")  # its line
    for name in drawn:
        xs, ys = layers[name]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=BASEMAP_STYLE[name],
            name=f"coast, borders, rivers ({base.resolution} Natural Earth)",
            legendgroup="basemap",
            showlegend=name == shown,
            meta=f"basemap:{name}",
            hoverinfo="skip",
        )
    # the places labelled in each view: one trace per view, the page's script shows the
    # one of the view chosen (the page opens on the whole raid)
    views = (
        ("all", lay.whole_raid(), CITIES_WHOLE),
        ("defended", lay.defended_area(), CITIES_DEFENDED),
    )
    for view, extent, count in views:
        cities = base.cities_in(extent, count)
        fig.add_scatter(
            x=[c.x for c in cities],
            y=[c.y for c in cities],
            mode="markers+text",
            marker={"size": 5, "color": "#404040"},
            text=[esc(c.name) for c in cities],
            textposition="top right",
            textfont={"size": 11, "color": "#404040"},
            customdata=[[esc(c.country), f"{c.population:,}"] for c in cities],
            hovertemplate="%{text}, %{customdata[0]}: population %{customdata[1]}"
            "<extra>Natural Earth</extra>",
            name="cities",
            legendgroup="cities",
            showlegend=view == "all",
            visible=view == "all",
            meta=f"basemap:cities:{view}",
        )
    for text, x, y, meridian in base.graticule_labels(lay.whole_raid()):
        fig.add_annotation(
            x=x,
            y=y,
            text=text,
            showarrow=False,
            font={"size": 9, "color": "#969696"},
            xanchor="center" if meridian else "left",
            yanchor="bottom",
        )
    fig.add_annotation(
        x=1.0,
        y=0.0,
        xref="paper",
        yref="paper",
        xanchor="right",
        yanchor="bottom",
        text=esc(base.attribution),
        showarrow=False,
        font={"size": 9, "color": "#737373"},
        bgcolor="rgba(255,255,255,0.7)",
    )


def map_figure(data: ReportData, chart: Chart | None = None) -> Any:
    """The laydown with empty replay layers; the page's script fills those as time moves.

    The axes are kilometres east and north of the origin, held to one scale; with a
    real origin the basemap is drawn under the laydown (:func:`_basemap_traces`).
    Replay traces carry ``meta`` = ``replay:airborne:<kind index>``, ``replay:shots``,
    ``replay:destroyed``, ``replay:lost_to_ew``, ``replay:leaked`` or ``replay:impact``.
    """
    import plotly.graph_objects as go

    chart = chart or map_chart(data)
    lay, replay = data.laydown, data.replay
    fig = go.Figure()
    if lay.terrain is not None:
        ter = lay.terrain
        fig.add_layout_image(
            source=ter.data_uri(),
            xref="x",
            yref="y",
            x=ter.west,
            y=ter.north,
            sizex=ter.east - ter.west,
            sizey=ter.north - ter.south,
            sizing="stretch",
            layer="below",
            name="terrain",
        )
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 12, "color": "#e6d7be"},
            name=f"terrain {fmt.fixed(ter.low, 0)}–{fmt.fixed(ter.high, 0)} m (shaded relief)",
            meta="terrain",
            hoverinfo="skip",
        )
    _basemap_traces(fig, data)
    first = True
    for raid, (xs, ys) in lay.routes.items():
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": kind_colour(lay.raid_kind.get(raid, "")), "width": 0.6},
            opacity=0.25,
            name="routes",
            legendgroup="routes",
            showlegend=first,
            hoverinfo="skip",
        )
        first = False
    fig.add_scatter(
        x=[s.x for s in lay.launch_sites],
        y=[s.y for s in lay.launch_sites],
        mode="markers",
        marker={"symbol": "triangle-up", "size": 11, "color": "#636363"},
        name="launch sites",
        text=[esc(s.detail) for s in lay.launch_sites],
        hovertemplate="%{text}<extra></extra>",
    )
    ring_x: list[float | None] = []
    ring_y: list[float | None] = []
    for s in lay.sensors:
        if s.ring:
            ring_x += [*s.ring[0], None]
            ring_y += [*s.ring[1], None]
    fig.add_scatter(
        x=ring_x,
        y=ring_y,
        mode="lines",
        line={"color": "#969696", "width": 0.8, "dash": "dot"},
        name="sensor coverage",
        legendgroup="sensors",
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=[s.x for s in lay.sensors],
        y=[s.y for s in lay.sensors],
        mode="markers",
        marker={
            "symbol": ["circle-open-dot" if s.moves else "circle-open" for s in lay.sensors],
            "size": 9,
            "color": "#525252",
            "line": {"width": 2},
        },
        name="sensors",
        legendgroup="sensors",
        text=[f"{esc(s.id)}: {esc(s.detail)}" for s in lay.sensors],
        hovertemplate="%{text}<extra></extra>",
    )
    for n, track in enumerate(lay.tracks):
        fig.add_scatter(
            x=track.x,
            y=track.y,
            mode="lines+markers" if len(track.x) <= 8 else "lines",
            line={"color": track.colour, "width": 1, "dash": "dash"},
            marker={"size": 4, "color": track.colour},
            opacity=0.55,
            name="tracks of moving platforms",
            legendgroup="tracks",
            showlegend=n == 0,
            meta=f"track:{track.what}:{track.index}",
            text=[f"{esc(track.id)} ({esc(track.group)}), track" for _ in track.x],
            hovertemplate="%{text}<extra></extra>",
        )
    colours = lay.layer_colours
    for k, layer in enumerate(colours):
        units = [u for u in lay.fire_units if u.group == layer]
        colour = colours[layer]
        rx: list[float | None] = []
        ry: list[float | None] = []
        for u in units:
            if u.ring:
                rx += [*u.ring[0], None]
                ry += [*u.ring[1], None]
        fig.add_scatter(
            x=rx,
            y=ry,
            mode="lines",
            line={"color": colour, "width": 1},
            opacity=0.6,
            legendgroup=f"layer{k}",
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=[u.x for u in units],
            y=[u.y for u in units],
            mode="markers",
            marker={
                "symbol": ["diamond-open" if u.moves else "diamond" for u in units],
                "size": 9,
                "color": colour,
                "line": {"width": 1.5, "color": colour},
            },
            name=esc(layer),
            legendgroup=f"layer{k}",
            text=[f"{esc(u.id)}: {esc(u.detail)}" for u in units],
            hovertemplate="%{text}<extra></extra>",
        )
    top = max(a.value for a in lay.assets) or 1.0  # the most valuable asset's marker is largest
    fig.add_scatter(
        x=[a.x for a in lay.assets],
        y=[a.y for a in lay.assets],
        mode="markers",
        marker={
            "symbol": "square",
            "size": [8 + 8 * math.sqrt(a.value / top) for a in lay.assets],
            "color": "#fee391",
            "line": {"color": "#993404", "width": 1.5},
        },
        name="defended assets",
        text=[f"{esc(a.id)}: {esc(a.detail)}" for a in lay.assets],
        hovertemplate="%{text}<extra></extra>",
    )
    # replay layers, filled by the page's script
    fig.add_scatter(
        x=[],
        y=[],
        mode="lines",
        line={"color": "#08306b", "width": 1.2},
        name="interceptors in flight",
        meta="replay:shots",
        hoverinfo="skip",
    )
    markers: dict[str, dict[str, Any]] = {
        "destroyed": {"symbol": "x-thin", "size": 7, "line": {"width": 1.5}},
        "lost_to_ew": {"symbol": "diamond-open", "size": 6},
        "leaked": {"symbol": "circle-open", "size": 9, "line": {"width": 2}},
        "impact": {"symbol": "star", "size": 12},
    }
    for fate, shape in markers.items():
        marker = {**shape, "color": FATE_COLOURS[fate]}
        if "line" in marker:
            marker["line"] = {**shape["line"], "color": FATE_COLOURS[fate]}
        fig.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker=marker,
            name=FATE_LABELS[fate],
            meta=f"replay:{fate}",
            text=[],
            hovertemplate="%{text}<extra></extra>",
        )
    if replay.platforms:
        fig.add_scatter(
            x=[],
            y=[],
            mode="lines",
            line={"color": "#737373", "width": 0.8, "dash": "dot"},
            name="moving platforms' coverage",
            meta="replay:platform-rings",
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={"symbol": [], "size": 11, "color": [], "opacity": [], "line": {"width": 1}},
            name="moving platforms (faded: off station)",
            meta="replay:platforms",
            text=[],
            hovertemplate="%{text}<extra></extra>",
        )
    top = max(replay.top, 100.0)
    steps = (0, 100, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)
    ticks = [v for v in steps if v <= top]
    colorbar = {
        "title": {"text": "altitude"},
        "tickvals": [math.sqrt(v) for v in ticks],
        "ticktext": [f"{v / 1000:g} km" if v >= 1000 else f"{v} m" for v in ticks],
        "x": 0.01,
        "xanchor": "left",
        "y": 0.02,
        "yanchor": "bottom",
        "len": 0.45,
        "thickness": 12,
        "bgcolor": "rgba(255,255,255,0.75)",
    }
    for k, kind in enumerate(replay.kinds):
        fig.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={
                "size": 6,
                "color": kind_colour(kind),
                "line": {"color": "white", "width": 0.5},
                # coloured by altitude, the colour is the square root of metres: the low
                # altitudes of drones and cruise missiles stay apart next to ballistic ones
                "colorscale": ALTITUDE_SCALE,
                "cmin": 0.0,
                "cmax": math.sqrt(top),
                "showscale": False,
                "colorbar": colorbar,
            },
            name=f"{esc(kind)} in the air",
            meta=f"replay:airborne:{k}",
            text=[],
            hovertemplate="%{text}<extra></extra>",
        )
    x_title, y_title = chart.axes
    (x0, x1), (y0, y1) = lay.whole_raid()
    fig.update_layout(
        _layout(
            esc(chart.title),
            height=720,
            xaxis=_grid(title={"text": esc(x_title)}, range=[x0, x1]),
            yaxis=_grid(
                title={"text": esc(y_title)},
                scaleanchor="x",
                scaleratio=1.0,
                range=[y0, y1],
            ),
            legend={"orientation": "v", "x": 1.01, "y": 1, "font": {"size": 11}},
            margin={"l": 60, "r": 10, "t": 50, "b": 50},
            hovermode="closest",
            uirevision="map",
        )
    )
    return fig


def side_view_figure(data: ReportData, chart: Chart | None = None) -> dict[str, Any]:
    """Threats' altitude against their distance to target, over the fire units' envelopes.

    Envelope traces carry ``meta`` = ``envelope:<layer>``, trajectories
    ``profile:<class>``, the terrain under them ``ground``; ``replay:side`` holds
    the replayed threats in the air, filled by the page's script. Two buttons
    switch the x axis between distance to target and minutes after launch
    (envelopes and ground hidden); the layout's ``meta`` says which is shown.
    """
    chart = chart or side_chart(data)
    view = data.side_view
    assert view is not None
    distance_title, altitude_title = chart.axes
    traces: list[dict[str, Any]] = []
    layers = list(dict.fromkeys(e.layer for e in view.envelopes))
    for layer in layers:
        boxes = [e for e in view.envelopes if e.layer == layer]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for e in boxes:
            xs += [e.near, e.far, e.far, e.near, e.near, None]
            ys += [e.low / 1000, e.low / 1000, e.high / 1000, e.high / 1000, e.low / 1000, None]
        colour = boxes[0].colour
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "fill": "toself",
                "fillcolor": colour,
                "opacity": 0.22,
                "line": {"color": colour, "width": 1},
                "name": f"{esc(layer)} envelope",
                "meta": f"envelope:{esc(layer)}",
                "hoveron": "fills",
                "text": ", ".join(
                    f"{esc(e.id)} {e.low / 1000:g}–{e.high / 1000:g} km" for e in boxes[:6]
                )
                + (f" and {len(boxes) - 6} more" if len(boxes) > 6 else ""),
                "hoverinfo": "name+text",
            }
        )
    ground_x: list[float | None] = []
    ground_y: list[float | None] = []
    for p in view.profiles:
        for d, z in zip(p.ground_distance, p.ground, strict=True):
            ground_x += [round(v, 3) for v in d] + [None]
            ground_y += [None if math.isnan(v) else round(v / 1000, 4) for v in z] + [None]
    if ground_x:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": ground_x,
                "y": ground_y,
                "line": {"color": "#8c7355", "width": 1},
                "opacity": 0.7,
                "name": "terrain under the tracks",
                "meta": "ground",
                "hovertemplate": "ground %{y:.2f} km, %{x:.1f} km from target<extra></extra>",
            }
        )
    by_time: dict[int, list[float | None]] = {}  # trace index -> minutes after launch
    for p in view.profiles:
        xs, ys, minutes, facts = [], [], [], []
        for d, z, t in zip(p.distance, p.altitude, p.time, strict=True):
            xs += [round(v, 4) for v in d] + [None]
            ys += [round(v / 1000.0, 4) for v in z] + [None]
            minutes += [round(v / 60.0, 4) for v in t] + [None]
            facts += [[round(a, 1), round(b, 2)] for a, b in zip(t, d, strict=True)] + [None]
        by_time[len(traces)] = minutes
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "customdata": facts,
                "line": {"color": p.colour, "width": 1.8},
                "name": f"{esc(p.name)} ({esc(p.kind)}, {p.launched} launched)",
                "meta": f"profile:{esc(p.name)}",
                "hovertemplate": "%{y:.2f} km up, %{customdata[1]:.1f} km from target, "
                "%{customdata[0]:.0f} s after launch<extra>" + esc(p.name) + "</extra>",
            }
        )
    # the view fits the threats (and the ground); envelopes above them run off the top
    top = max(
        [v for p in view.profiles for z in p.altitude for v in z]
        + [v for p in view.profiles for z in p.ground for v in z if not math.isnan(v)],
        default=0.0,
    )
    height: dict[str, Any] = {"rangemode": "tozero"}
    if top > 0:
        height = {"range": [0.0, round(1.12 * top / 1000, 3)]}
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "x": [],
            "y": [],
            "text": [],
            "marker": {"size": 7, "color": [], "line": {"color": "white", "width": 0.5}},
            "name": "in the air (replay)",
            "meta": "replay:side",
            "hovertemplate": "%{text}<extra></extra>",
        }
    )
    # two x axes: distance to target (envelopes and ground drawn), or time after launch
    # (only the trajectories); the layout's meta tells the page's script which is shown
    assert traces[-1]["meta"] == "replay:side"
    drawn = list(range(len(traces) - 1))  # not the replay's dots: the script moves them
    distance_x = [traces[k]["x"] for k in drawn]
    time_x = [by_time.get(k, traces[k]["x"]) for k in drawn]
    drawn_on_time = [k in by_time for k in drawn]
    # an explicit range: from "reversed", plotly's autorange would stay reversed
    longest = max((v for m in by_time.values() for v in m if v is not None), default=1.0)
    axes = [
        (
            "against distance to target",
            {"x": distance_x, "visible": [True] * len(drawn)},
            {"meta": "distance", "xaxis.title.text": esc(distance_title),
             "xaxis.autorange": "reversed"},
        ),
        (
            "against time after launch",
            {"x": time_x, "visible": drawn_on_time},
            {"meta": "time", "xaxis.title.text": "minutes after launch",
             "xaxis.range": [-0.02 * longest, 1.03 * longest]},
        ),
    ]  # fmt: skip
    menu = {
        "type": "buttons",
        "direction": "right",
        "x": 0.0,
        "xanchor": "left",
        "y": 1.0,
        "yanchor": "bottom",
        "pad": {"t": 0, "b": 4},
        "showactive": True,
        "active": 0,
        "buttons": [
            {"label": label, "method": "update", "args": [restyle, relayout, drawn]}
            for label, restyle, relayout in axes
        ],
    }
    return {
        "data": traces,
        "layout": _layout(
            esc(chart.title),
            height=480,
            meta="distance",
            updatemenus=[menu],
            xaxis=_grid(title={"text": esc(distance_title)}, autorange="reversed"),
            yaxis=_grid(title={"text": esc(altitude_title)}, **height),
            legend={"orientation": "v", "x": 1.01, "y": 1, "font": {"size": 11}},
            margin={"l": 60, "r": 10, "t": 80, "b": 50},
            hovermode="closest",
        ),
    }


def _bar_trace(bars: Bars, series: BarSeries) -> dict[str, Any]:
    values = [e.mean for e in series.values]
    labels = [esc(n) for n in bars.categories]
    if bars.money:  # in US$ millions: the hover says the amount
        text = [fmt.estimate(Estimate(e.mean * 1e6, e.lo * 1e6, e.hi * 1e6), money=True)
                for e in series.values]  # fmt: skip
    else:
        text = [fmt.estimate(e) for e in series.values]
    trace: dict[str, Any] = {
        "type": "bar",
        "marker": {"color": series.colour},
        "name": esc(series.name),
        "text": text,
        "textposition": "none",
    }
    if bars.horizontal:
        trace.update(orientation="h", x=values, y=labels, error_x=_errors(series.values))
        trace["hovertemplate"] = "%{y}: %{text}<extra>" + esc(series.name) + "</extra>"
    else:
        trace.update(x=labels, y=values, error_y=_errors(series.values))
        trace["hovertemplate"] = "%{x}: %{text}<extra>" + esc(series.name) + "</extra>"
    return trace


def _bars_figure(chart: Chart) -> dict[str, Any]:
    bars: Bars = chart.data
    value_axis = _grid(title={"text": esc(bars.axis)})
    axes: dict[str, Any] = (
        {"xaxis": value_axis, "yaxis": {"autorange": "reversed", "automargin": True}}
        if bars.horizontal
        else {"yaxis": value_axis}
    )
    return {
        "data": [_bar_trace(bars, series) for series in bars.series],
        "layout": _layout(
            esc(chart.title),
            barmode="group",
            showlegend=len(bars.series) > 1,
            **axes,
        ),
    }


def _panels_figure(chart: Chart) -> dict[str, Any]:
    """Horizontal bars side by side, sharing their categories (the first panel labels them)."""
    panels: list[Bars] = chart.data
    traces = []
    layout: dict[str, Any] = {}
    gap = 0.06
    width = (1.0 - gap * (len(panels) - 1)) / len(panels)
    for k, bars in enumerate(panels):
        suffix = "" if k == 0 else str(k + 1)
        for series in bars.series:
            trace = _bar_trace(bars, series)
            trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
            traces.append(trace)
        start = k * (width + gap)
        layout[f"xaxis{suffix}"] = _grid(
            domain=[start, start + width], title={"text": esc(bars.axis)},
            **({"anchor": f"y{suffix}"} if k else {}),
        )  # fmt: skip
        layout[f"yaxis{suffix}"] = (
            {"autorange": "reversed", "automargin": True}
            if k == 0
            else {"autorange": "reversed", "anchor": f"x{suffix}", "showticklabels": False}
        )
    return {"data": traces, "layout": _layout(esc(chart.title), showlegend=False, **layout)}


def _curves_figure(chart: Chart) -> dict[str, Any]:
    """Leakage against the swept field: the saturation curve, one line per other setting."""
    curves: Curves = chart.data
    traces = []
    for line in curves.lines:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [x if isinstance(x, float) else esc(x) for x in line.x],
                "y": [e.mean for e in line.y],
                "error_y": _errors(line.y),
                "name": esc(line.name),
                "line": {"color": line.colour},
                "customdata": [
                    [run, fmt.number(n)] for run, n in zip(line.run_ids, line.launched, strict=True)
                ],
                "hovertemplate": "%{x}: %{y:.3g} leaked of %{customdata[1]} launched"
                "<br>run %{customdata[0]}<extra></extra>",
            }
        )
    x_title, y_title = chart.axes
    return {
        "data": traces,
        "layout": _layout(
            esc(chart.title),
            xaxis=_grid(title={"text": esc(x_title)}),
            yaxis=_grid(title={"text": esc(y_title)}, rangemode="tozero"),
        ),
    }


def _stock_figure(chart: Chart) -> dict[str, Any]:
    """Stock by interceptor type over the days (mean and 5–95% band), threats each night."""
    view: CampaignView = chart.data
    days = list(range(1, view.days + 1))
    stock = []
    for k, name in enumerate(view.types):
        colour = colour_of(k)
        stock.append(
            {
                "type": "scatter",
                "x": days + days[::-1],
                "y": view.stock_p95[k] + view.stock_p5[k][::-1],
                "fill": "toself",
                "fillcolor": colour,
                "opacity": 0.18,
                "line": {"width": 0},
                "hoverinfo": "skip",
                "legendgroup": f"type{k}",
                "showlegend": False,
            }
        )
        stock.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": days,
                "y": view.stock_mean[k],
                "line": {"color": colour, "width": 2},
                "name": esc(name),
                "legendgroup": f"type{k}",
                "hovertemplate": "day %{x}: %{y:.1f} in stock (mean)<extra>"
                + esc(name)
                + "</extra>",
            }
        )
    x_title, y_title, y2_title = chart.axes
    stock.append(
        {
            "type": "bar",
            "x": days,
            "y": view.threats,
            "yaxis": "y2",
            "marker": {"color": "#bdbdbd"},
            "opacity": 0.5,
            "name": esc(y2_title),
            "hovertemplate": "day %{x}: %{y:.0f} threats<extra></extra>",
        }
    )
    return {
        "data": stock,
        "layout": _layout(
            esc(chart.title),
            xaxis=_grid(title={"text": esc(x_title)}),
            yaxis=_grid(title={"text": esc(y_title)}, rangemode="tozero"),
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "title": {"text": esc(y2_title)},
                "showgrid": False,
                "rangemode": "tozero",
                "automargin": True,
            },
            margin={"l": 60, "r": 70, "t": 50, "b": 60},
        ),
    }


def _exhaustion_figure(chart: Chart) -> dict[str, Any]:
    """Replications by the day each stockpile ran out."""
    view: CampaignView = chart.data
    exhaustion = []
    for k in range(len(view.types)):
        exhaustion.append(
            {
                "type": "histogram",
                "x": [d for d in view.exhaustion[k] if d > 0],
                "xbins": {"start": 0.5, "end": view.days + 0.5, "size": 1},
                "histnorm": "",
                "marker": {"color": colour_of(k)},
                "opacity": 0.75,
                "name": esc(exhaustion_label(view, k)),
            }
        )
    x_title, y_title = chart.axes
    return {
        "data": exhaustion,
        "layout": _layout(
            esc(chart.title),
            barmode="overlay",
            xaxis=_grid(title={"text": esc(x_title)}, range=[0.5, view.days + 0.5]),
            yaxis=_grid(title={"text": esc(y_title)}),
        ),
    }


DRAW: dict[str, Callable[[Chart, ReportData], Any]] = {
    "bars": lambda c, _: _bars_figure(c),
    "panels": lambda c, _: _panels_figure(c),
    "curves": lambda c, _: _curves_figure(c),
    "stock": lambda c, _: _stock_figure(c),
    "exhaustion": lambda c, _: _exhaustion_figure(c),
    "side": lambda c, data: side_view_figure(data, c),
    "map": lambda c, data: map_figure(data, c),
}
"""How plotly draws each kind of chart (every one of :data:`~iadsim.report.charts.KINDS`)."""


def figure(chart: Chart, data: ReportData) -> Any:
    """The plotly figure of one chart of :func:`~iadsim.report.charts.chart_list`."""
    return DRAW[chart.kind](chart, data)


def charts(data: ReportData) -> list[tuple[Chart, Any]]:
    """Every chart of the report, in the page's order, with its plotly figure.

    A figure is a ``go.Figure`` (the map) or a plain dict.
    """
    return [(chart, figure(chart, data)) for chart in chart_list(data)]
