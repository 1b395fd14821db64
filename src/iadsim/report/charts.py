"""The report's charts, listed once: id, file, title, caption, axes and data.

Both back ends draw this list: :mod:`iadsim.report.figures` (plotly, the HTML page) and
:mod:`iadsim.report.static` (matplotlib, the PNG files). Titles, captions and axis titles
are written here only, so the two cannot drift apart; each back end only chooses how to
draw a kind of chart. Strings are plain text with the user's names as written: the plotly
back end escapes them, the page escapes captions.

Numbers in titles and captions are written by :mod:`iadsim.format`, as in the command's
tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from iadsim import format as fmt
from iadsim.metrics import Estimate
from iadsim.report.campaign import CampaignView
from iadsim.report.data import ReportData
from iadsim.report.style import FATE_COLOURS, clock, colour_of
from iadsim.report.world import PROFILES_PER_CLASS

__all__ = [
    "KINDS",
    "BarSeries",
    "Bars",
    "Chart",
    "ChartKind",
    "Curve",
    "Curves",
    "chart_list",
    "exhaustion_label",
    "map_chart",
    "ratio_text",
    "side_chart",
    "whisker",
]

ChartKind = Literal["bars", "panels", "curves", "stock", "exhaustion", "side", "map"]

KINDS: tuple[ChartKind, ...] = ("bars", "panels", "curves", "stock", "exhaustion", "side", "map")
"""Every kind of chart; each back end draws all of them."""

Place = Literal["wide", "map", "after_map", "grid"]

CI = "mean, 95% CI"
"""What a value axis of estimates shows."""


@dataclass(frozen=True)
class BarSeries:
    """One series of bars: an estimate per category, in the chart's units."""

    name: str
    """Legend label."""
    values: list[Estimate]
    colour: str | list[str]
    """One colour, or one per category."""


@dataclass(frozen=True)
class Bars:
    """Bars by category (grouped when there are several series), with 95% CI whiskers."""

    categories: list[str]
    series: list[BarSeries]
    axis: str
    """Title of the value axis."""
    horizontal: bool = False
    money: bool = False
    """Values are US$ millions (hover labels say so)."""


@dataclass(frozen=True)
class Curve:
    """One line of a sweep's saturation chart."""

    name: str
    x: list[float | str]
    y: list[Estimate]
    colour: str
    launched: list[float]
    run_ids: list[str]


@dataclass(frozen=True)
class Curves:
    """Lines of estimates against a swept value."""

    lines: list[Curve]


@dataclass(frozen=True)
class Chart:
    """One chart of the report, as both back ends draw it."""

    id: str
    """Element id in the page (``chart-kinds``; ``map`` for the map)."""
    file: str
    """PNG file name (``threat_kinds.png``)."""
    title: str
    caption: str
    """What the chart shows, under it on the page and in the PNG."""
    kind: ChartKind
    data: Any
    """What is drawn: :class:`Bars`, a list of :class:`Bars` side by side (``panels``),
    :class:`Curves`, a :class:`~iadsim.report.campaign.CampaignView` (``stock``,
    ``exhaustion``), a :class:`~iadsim.report.world.SideView` (``side``) or the
    :class:`~iadsim.report.data.ReportData` (``map``)."""
    axes: tuple[str, ...] = ()
    """Axis titles where the data do not carry them: x, y (and a second y)."""
    place: Place = "grid"
    """Where the page puts it: full width above the map (``wide``), the map, full width
    below it (``after_map``), or in the grid of summary charts."""
    interactive: str = ""
    """What the page adds to the caption about its own controls (the replay, hovering)."""
    size: tuple[float, float] = (8.0, 4.5)
    """PNG size, inches."""


def ratio_text(e: Estimate) -> str:
    """A cost-exchange ratio with its interval, to two decimals: ``3.11 [1.49, 4.65]``."""
    return fmt.estimate(e, show=lambda x: fmt.fixed(x, 2))


def _kinds(data: ReportData) -> Chart:
    s = data.summary
    kinds = list(s.by_kind)
    fates = [("destroyed", "destroyed"), ("lost_to_ew", "lost to EW"), ("leaked", "leaked")]
    series = [
        BarSeries(label, [s.by_kind[k][f] for k in kinds], FATE_COLOURS[f]) for f, label in fates
    ]
    return Chart(
        id="chart-kinds",
        file="threat_kinds.png",
        title="What happened to each threat kind (per night)",
        caption="Bars: mean per night; whiskers: 95% confidence interval over replications.",
        kind="bars",
        data=Bars(kinds, series, f"threats per night ({CI})"),
    )


def _layers(data: ReportData) -> Chart:
    s = data.summary
    layers = list(s.by_layer)
    kills = BarSeries("kills", [s.by_layer[k]["kills"] for k in layers], "#2171b5")
    return Chart(
        id="chart-layers",
        file="kills_by_layer.png",
        title="Kills by layer (per night)",
        caption="Kills by layer: fire units' kills and EW sites' soft kills, per night.",
        kind="bars",
        data=Bars(layers, [kills], f"threats per night ({CI})", horizontal=True),
    )


def _millions(e: Estimate) -> Estimate:
    return Estimate(e.mean * 1e-6, e.lo * 1e-6, e.hi * 1e-6)


def _classes(data: ReportData) -> Chart:
    s = data.summary
    classes = [c for c in s.shots if s.shots[c].mean > 0 or data.spend_by_class[c].mean > 0]
    rounds = BarSeries("rounds", [s.shots[c] for c in classes], "#6baed6")
    spend = BarSeries(
        "spend (US$ million)", [_millions(data.spend_by_class[c]) for c in classes], "#fd8d3c"
    )
    return Chart(
        id="chart-classes",
        file="shots_spend_by_class.png",
        title="Shots and spend by fire-unit class (per night)",
        caption="Rounds fired and money spent by fire-unit class (EW sites fire none); "
        "whiskers: 95% confidence interval.",
        kind="panels",
        data=[
            Bars(classes, [rounds], f"rounds per night ({CI})", horizontal=True),
            Bars(classes, [spend], f"US$ million per night ({CI})", horizontal=True, money=True),
        ],
        size=(10.0, 4.5),
    )


def _cost(data: ReportData) -> Chart:
    s = data.summary
    defender, attacker = s.cost["defender"], s.cost["attacker"]
    ratio = ratio_text(s.cost["exchange_ratio"])
    spend = BarSeries(
        "US$ million", [_millions(defender), _millions(attacker)], ["#2171b5", "#cb181d"]
    )
    return Chart(
        id="chart-cost",
        file="cost_exchange.png",
        title=f"Cost-exchange ratio {ratio}",
        caption=f"Cost-exchange ratio (defender's spend / attacker's): {ratio}. "
        f"Defender {fmt.money(defender.mean)}, attacker {fmt.money(attacker.mean)} per night.",
        kind="bars",
        data=Bars(["defender", "attacker"], [spend], f"US$ million per night ({CI})", money=True),
        size=(6.0, 4.5),
    )


def _sweep(data: ReportData) -> Chart:
    curve = data.sweep
    assert curve is not None
    lines = []
    for k, group in enumerate(dict.fromkeys(p.group for p in curve.points)):
        pts = [p for p in curve.points if p.group == group]
        if all(isinstance(p.x, float) for p in pts):
            pts.sort(key=lambda p: float(p.x))
        lines.append(
            Curve(
                name=group or "all kinds",
                x=[p.x for p in pts],
                y=[p.leaked for p in pts],
                colour=colour_of(k),
                launched=[p.launched for p in pts],
                run_ids=[p.run_id for p in pts],
            )
        )
    missing = f" ({curve.missing} points not complete, left out)" if curve.missing else ""
    several = len(lines) > 1
    return Chart(
        id="chart-sweep",
        file="saturation.png",
        title=f"Saturation: leakers per night against {curve.field}{missing}",
        caption="Threats that got through per night at each point of the sweep; whiskers: 95% "
        "confidence interval over replications"
        + ("; one line per setting of the other swept fields." if several else "."),
        kind="curves",
        data=Curves(lines),
        axes=(
            curve.field + (f" ({curve.unit})" if curve.unit else ""),
            f"threats leaked per night ({CI})",
        ),
        place="wide",
    )


def _campaign(data: ReportData) -> list[Chart]:
    view = data.campaign
    assert view is not None
    return [
        Chart(
            id="chart-stock",
            file="stock.png",
            title=f"Campaign {view.name}: stockpiles over {view.days} days",
            caption=f"Interceptors in stock after each night: mean over "
            f"{fmt.fixed(view.replications, 0)} replications, band from the 5th to the 95th "
            "percentile; grey bars: threats launched each night.",
            kind="stock",
            data=view,
            axes=("day", "interceptors in stock (mean, 5–95%)", "threats launched that night"),
            place="wide",
            size=(10.0, 4.5),
        ),
        Chart(
            id="chart-exhaustion",
            file="exhaustion_day.png",
            title="The day each stockpile runs out",
            caption="Replications by the day each stockpile ran out (replications where it "
            "never ran out are not counted; the legend gives the share that did).",
            kind="exhaustion",
            data=view,
            axes=("day the stockpile runs out", "replications"),
            place="wide",
        ),
    ]


def side_chart(data: ReportData) -> Chart:
    """The side view of the threats' trajectories and the fire units' envelopes."""
    view = data.side_view
    assert view is not None
    return Chart(
        id="chart-side",
        file="side_view.png",
        title="Side view: threats' altitude on their way to the target, fire units' "
        f"envelopes by their reach from {view.target}",
        caption="Each threat class's trajectories (one line per distinct trajectory, at most "
        f"{PROFILES_PER_CLASS} a class) against the ground distance to the threat's own "
        "target; shaded boxes: each fire unit's altitude envelope (min to max altitude) over "
        f"the distances its range reaches from {view.target}, the asset most threats aim at "
        "(from where it stands or is on station); the view fits the threats, so a ceiling "
        "above them runs off the top.",
        kind="side",
        data=view,
        axes=("distance to target (km)", "altitude above sea level (km)"),
        place="after_map",
        interactive="Dots: the replayed threats in the air at the replay's time. The buttons "
        "switch the x axis to minutes after launch.",
        size=(12.0, 5.0),
    )


def map_chart(data: ReportData) -> Chart:
    """The map: laydown, basemap and the replayed night."""
    r, lay = data.replay, data.laydown
    frame = lay.frame
    caption = (
        f"Replication {r.replicate} (seed {r.seed}): one night out of "
        f"{fmt.fixed(data.summary.replications, 0)}; the other charts average over all of "
        "them. Routes, rings and positions are from the scenario file; kill probabilities are "
        "assumptions."
    )
    if lay.terrain is not None:
        caption += " Under the map: the scenario's terrain as shaded relief."
    if lay.basemap is not None:
        caption += (
            " Coastlines, borders, rivers and cities: Natural Earth (public domain), drawn in "
            "the scenario's own frame, kilometres east and north of its origin."
        )
    interactive = "Move the slider or press Play to replay the night; hover a threat for its "
    interactive += "altitude, or colour the threats by altitude."
    if r.platforms:
        interactive += (
            " Platforms that move follow their dashed tracks, with their coverage; they are "
            "faded while off station, in transit or setting up."
        )
    return Chart(
        id="map",
        file="map.png",
        title=f"Laydown, and the night of replication {r.replicate} "
        f"({clock(0, r.start_clock)} – {clock(r.duration, r.start_clock)})",
        caption=caption,
        kind="map",
        data=data,
        axes=(frame.x_title, frame.y_title),
        place="map",
        interactive=interactive,
        size=(14.0, 8.0),
    )


def chart_list(data: ReportData) -> list[Chart]:
    """Every chart of a report, in the page's order (the PNG files follow it too)."""
    out: list[Chart] = []
    if data.campaign is not None:
        out.extend(_campaign(data))
    if data.sweep is not None:
        out.append(_sweep(data))
    out.append(map_chart(data))
    if data.side_view is not None:
        out.append(side_chart(data))
    out.extend([_kinds(data), _layers(data), _classes(data), _cost(data)])
    return out


def exhaustion_label(view: CampaignView, k: int) -> str:
    """Legend label of stockpile ``k`` in the exhaustion chart."""
    return f"{view.types[k]} ({fmt.percent(view.share_exhausted(k))} run out)"


def whisker(e: Estimate) -> tuple[float, float]:
    """Lengths of an estimate's whiskers below and above its mean (0 where undefined).

    Every charted figure is a count or an amount, so the lower whisker stops at zero.
    """
    below = 0.0 if math.isnan(e.lo) else e.mean - max(e.lo, 0.0)
    above = 0.0 if math.isnan(e.hi) else e.hi - e.mean
    return below, above
