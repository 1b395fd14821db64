"""One list of charts: the page and the PNG files draw the same titles, captions and axes."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from iadsim import format as fmt
from iadsim.metrics import Estimate
from iadsim.report import figures, render_html, report_from_campaign, static, write_pngs
from iadsim.report.charts import KINDS, chart_list
from iadsim.report.data import SweepCurve, SweepResult
from iadsim.report.style import esc

from repo_paths import EXAMPLES

BATTERY = EXAMPLES / "single_battery.yaml"
CAMPAIGN = """
schema_version: 1
name: Three nights of $drones_
defence: {defence}
days: 3
model: {{seed: 3, raid_probability: 0.9, mean_threats: 10, dispersion: 1.5, max_threats: 30}}
stockpiles: {{sam: 30}}
"""


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """A report with every kind of chart: a campaign's, a sweep's, the map and the summary."""
    folder = tmp_path_factory.mktemp("charts")
    path = folder / "campaign.yaml"
    path.write_text(CAMPAIGN.format(defence=BATTERY.resolve()), encoding="utf-8")
    data = report_from_campaign(path, replications=3, seed=1, engine="reference")
    points = [
        SweepResult(float(n), "", Estimate(n / 4, n / 8, n / 2), float(n), {}, f"run{n}")
        for n in (4, 8, 16)
    ]
    sweep = SweepCurve("sweep1", "a sweep", "raids.0.count", "", points)
    return dataclasses.replace(data, sweep=sweep)


def test_both_back_ends_draw_every_kind_of_chart():
    assert set(figures.DRAW) == set(static.DRAW) == set(KINDS)


def test_the_list_has_every_chart_once(everything):
    charts = chart_list(everything)
    kinds = {c.kind for c in charts}
    assert kinds >= {"bars", "panels", "curves", "stock", "exhaustion", "map"}
    assert len({c.id for c in charts}) == len({c.file for c in charts}) == len(charts)
    ids = [c.id for c in charts]
    assert ids[:4] == ["chart-stock", "chart-exhaustion", "chart-sweep", "map"]


def _plotly_title(fig) -> str:
    layout = fig["layout"] if isinstance(fig, dict) else fig.to_plotly_json()["layout"]
    return layout["title"]["text"]


def test_titles_and_captions_are_the_same_on_the_page_and_in_the_pngs(everything, tmp_path):
    import matplotlib

    drawn = dict((c.id, fig) for c, fig in figures.charts(everything))
    page = render_html(everything)
    with matplotlib.rc_context(static._PLAIN_TEXT):
        for chart in chart_list(everything):
            assert _plotly_title(drawn[chart.id]) == esc(chart.title)
            assert esc(chart.caption) in page
            fig = static.DRAW[chart.kind](chart, everything)
            assert fig._suptitle.get_text() == f"{everything.title}\n{chart.title}"
            texts = [" ".join(t.get_text().split()) for t in fig.findobj(matplotlib.text.Text)]
            assert " ".join(chart.caption.split()) in texts, chart.id
    kinds = next(c for c in chart_list(everything) if c.id == "chart-kinds")
    assert kinds.title.endswith("(per night)")  # once, for both back ends
    names = [p.name for p in write_pngs(everything, tmp_path)]
    assert names == [c.file for c in chart_list(everything)]


def test_axis_titles_are_the_same_in_both_back_ends(everything):
    import matplotlib

    drawn = dict((c.id, fig) for c, fig in figures.charts(everything))
    with matplotlib.rc_context(static._PLAIN_TEXT):
        for chart in chart_list(everything):
            if chart.kind not in ("bars", "curves", "stock", "exhaustion"):
                continue
            layout = drawn[chart.id]["layout"]
            plotly_axes = {
                layout[a].get("title", {}).get("text")
                for a in ("xaxis", "yaxis", "yaxis2")
                if a in layout
            }
            fig = static.DRAW[chart.kind](chart, everything)
            mpl_axes = {ax.get_xlabel() for ax in fig.axes} | {ax.get_ylabel() for ax in fig.axes}
            expected = set(chart.axes) if chart.axes else {chart.data.axis}
            assert {esc(t) for t in expected} <= plotly_axes, chart.id
            assert expected <= mpl_axes, chart.id


def test_money_is_written_by_the_format_module(everything):
    cost = everything.summary.cost
    chart = next(c for c in chart_list(everything) if c.id == "chart-cost")
    assert f"Defender {fmt.money(cost['defender'].mean)}" in chart.caption
    page = render_html(everything)
    card = re.search(r'defender spend</div><div class="v">([^<]*)</div>', page)
    assert card and card.group(1) == esc(fmt.money(cost["defender"].mean))
    figure = dict((c.id, f) for c, f in figures.charts(everything))["chart-cost"]
    hover = figure["data"][0]["text"][0]  # the defender's bar: dollars with their interval
    assert hover == fmt.estimate(cost["defender"], money=True)
    json.dumps(figure)  # plain data
