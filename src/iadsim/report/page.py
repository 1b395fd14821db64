r"""The self-contained HTML report: one file, every script inline, nothing fetched.

User text is escaped twice over: in the page with :func:`html.escape`, and in
the embedded JSON by writing ``<``, ``>`` and ``&`` as ``\\u003c`` etc., so no
string can close the ``<script>`` element that holds the data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from iadsim import format as fmt
from iadsim.metrics import Estimate
from iadsim.report.charts import Chart
from iadsim.report.data import ReportData
from iadsim.report.figures import charts
from iadsim.report.replay import SLIDER_STEP
from iadsim.report.style import esc

__all__ = ["render_html", "safe_json", "write_html"]


def _plain(value: Any) -> Any:
    """JSON-ready data: NumPy values to Python, NaN and infinities to null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def safe_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element whatever strings it holds."""
    text = json.dumps(_plain(value), separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _views(data: ReportData) -> dict[str, Any]:
    """Axis ranges of the map's "whole raid" and "defended area" views."""
    x, y = data.laydown.defended_area()
    wx, wy = data.laydown.whole_raid()
    return {"defended": {"x": list(x), "y": list(y)}, "all": {"x": list(wx), "y": list(wy)}}


def _cards(data: ReportData) -> str:
    s = data.summary
    launched = sum(k["launched"].mean for k in s.by_kind.values())

    def total(name: str) -> Estimate:
        if name in data.totals:
            return data.totals[name]
        return Estimate(sum(k[name].mean for k in s.by_kind.values()), math.nan, math.nan)

    def ci(e: Estimate, show: Callable[[float], str]) -> str:
        if math.isnan(e.lo) or math.isnan(e.hi):
            return ""
        return f"95% CI [{show(e.lo)}, {show(e.hi)}]"

    def one(x: float) -> str:
        return fmt.fixed(x, 1)

    def two(x: float) -> str:
        return fmt.fixed(x, 2)

    cost = s.cost
    cards = [
        ("launched", fmt.fixed(launched, 0), "threats per night"),
        ("destroyed", one(total("destroyed").mean), ci(total("destroyed"), one)),
        ("lost to EW", one(total("lost_to_ew").mean), ci(total("lost_to_ew"), one)),
        ("leaked", one(total("leaked").mean), ci(total("leaked"), one)),
        ("defender spend", fmt.money(cost["defender"].mean), ci(cost["defender"], fmt.money)),
        ("attacker spend", fmt.money(cost["attacker"].mean), "per night"),
        ("cost-exchange ratio", two(cost["exchange_ratio"].mean), ci(cost["exchange_ratio"], two)),
        ("asset value lost", one(s.assets["value_lost"].mean), ci(s.assets["value_lost"], one)),
    ]
    net = s.network
    if net:  # what the command-and-control network did (iadsim.engine.network)
        cut = net["unit_seconds_cut_off"]
        hours = Estimate(cut.mean / 3600.0, cut.lo / 3600.0, cut.hi / 3600.0)
        cards += [
            ("track delay (s)", one(net["track_delay"].mean), ci(net["track_delay"], one)),
            ("tracks dropped", one(net["tracks_dropped"].mean), "command posts full"),
            ("unit-hours cut off", one(hours.mean), ci(hours, one)),
            (
                "windows lost to C2",
                one(net["engagement_windows_lost"].mean),
                ci(net["engagement_windows_lost"], one),
            ),
        ]
    return "\n".join(
        f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{esc(v)}</div>'
        f'<div class="n">{esc(n)}</div></div>'
        for k, v, n in cards
    )


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;
background:#f6f6f4}
header,main,footer{max-width:1280px;margin:0 auto;padding:0 20px}
header h1{font-size:1.6rem;margin:18px 0 4px}
.sub{color:#555;margin:0 0 10px}
dl.facts{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:.85rem;color:#444;margin:0 0 12px}
dl.facts div{display:flex;gap:4px} dl.facts dt{color:#777} dl.facts dd{margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;
margin:10px 0 16px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 10px}
.card .k{font-size:.78rem;color:#666;text-transform:uppercase;letter-spacing:.03em}
.card .v{font-size:1.25rem;font-weight:600;margin:2px 0} .card .n{font-size:.78rem;color:#777}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0 0 16px;padding:8px}
.controls{display:flex;align-items:center;gap:10px;padding:4px 8px;flex-wrap:wrap}
.controls input[type=range]{flex:1;min-width:240px}
#replay-clock{font-variant-numeric:tabular-nums;font-weight:600;min-width:4.5em}
#replay-status{font-size:.9rem;color:#333;margin:2px 8px 6px}
button{font:inherit;padding:3px 12px;border:1px solid #aaa;border-radius:4px;background:#fafafa;
cursor:pointer}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
.grid section{margin:0} .caption{font-size:.85rem;color:#555;margin:0 8px 6px}
.note{font-size:.85rem;color:#555;margin:4px 8px}
footer{font-size:.8rem;color:#666;padding-bottom:30px}
"""


def _caption(chart: Chart) -> str:
    """A chart's caption on the page: the shared caption, then what the page's controls add."""
    return f"{chart.caption} {chart.interactive}".strip()


def _section(chart: Chart) -> str:
    caption = _caption(chart)
    return (
        f'<section><div id="{esc(chart.id)}" class="chart"></div>'
        + (f'<p class="caption">{esc(caption)}</p>' if caption else "")
        + "</section>"
    )


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML document."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    drawn = charts(data)
    plain = [(c, fig) for c, fig in drawn if c.place != "map"]
    the_map, map_fig = next((c, fig) for c, fig in drawn if c.place == "map")
    document = {
        "map": json.loads(pio.to_json(map_fig, validate=False)),
        "charts": [
            {"id": c.id, "figure": json.loads(pio.to_json(fig, validate=False))} for c, fig in plain
        ],
        "replay": data.replay.to_json(),
        "views": _views(data),
    }
    facts = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in data.facts)
    sections = "\n".join(_section(c) for c, _ in plain if c.place == "grid")
    wide = "\n".join(_section(c) for c, _ in plain if c.place == "wide")
    after_map = "\n".join(_section(c) for c, _ in plain if c.place == "after_map")
    notes = "".join(f'<p class="note">{esc(n)}</p>' for n in data.notes)
    r = data.replay
    script = (files("iadsim.report") / "report.js").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(data.title)} — iadsim report</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header>
<h1 id="title">{esc(data.title)}</h1>
<p class="sub">{esc(data.source)}</p>
<dl class="facts">{facts}</dl>
</header>
<main>
<p class="note">Means per night over {data.summary.replications:,} replications, with 95%
confidence intervals.</p>
<div class="cards">{_cards(data)}</div>
{wide}
<section>
<div class="controls">
<button id="replay-play" type="button">Play</button>
<input id="replay-time" type="range" min="0" max="{r.duration:g}" step="{SLIDER_STEP:g}" value="0"
 aria-label="replay time">
<span id="replay-clock">–</span>
<button type="button" data-view="all">Whole raid</button>
<button type="button" data-view="defended">Defended area</button>
<button id="replay-colour" type="button" aria-pressed="false">Colour by altitude</button>
</div>
<p id="replay-status">–</p>
<div id="map"></div>
<p class="caption">{esc(_caption(the_map))}</p>
{notes}
</section>
{after_map}
<div class="grid">
{sections}
</div>
</main>
<footer>Made by iadsim {esc(data.summary.provenance.get("iadsim", ""))}: simulation and
analysis only; it never connects to real sensors or weapons. Presets are approximate public
class-level figures.</footer>
<script type="application/json" id="report-data">{safe_json(document)}</script>
<script>{script}</script>
</body>
</html>
"""


def write_html(data: ReportData, path: str | Path) -> Path:
    """Write the report to ``path`` (UTF-8); return the path.

    The page goes to a temporary file beside ``path`` that is then renamed over
    it, so ``path`` never holds half a report.
    """
    import os

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_html(data)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
