r"""A backtest's charts: fan charts, PIT histograms, coverage against nominal level.

The HTML page is self-contained (plotly.js inline, nothing fetched), as
``iadsim report``'s is; the PNG files are drawn with matplotlib's Agg canvas,
never pyplot, with mathtext and TeX off so every label is drawn as written.
Both show the leaked share (of launched) since it is the outcome every kind
and month reports.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iadsim.history.backtest import MODELS, Backtest
from iadsim.history.scores import coverage_from_pit

__all__ = ["fan_data", "render_backtest_html", "write_backtest_html", "write_backtest_pngs"]

COLOURS = {
    "simulation": "#1f77b4",
    "random walk": "#ff7f0e",
    "persistence": "#2ca02c",
    "climatology": "#9467bd",
}
"""One colour per model, the same in HTML and PNG."""

NOMINAL = np.round(np.arange(0.1, 0.91, 0.1), 2)
"""Nominal levels of the coverage chart."""

_PLAIN_TEXT: Any = {"text.parse_math": False, "text.usetex": False}
_LEVEL = {"month": "monthly", "night": "nightly"}


def fan_data(bt: Backtest, level: str, kind: str, model: str = "simulation") -> pd.DataFrame:
    """Leaked-share forecasts of one level, kind and model, in time order."""
    f = bt.forecasts
    pick = (
        (f["level"] == level)
        & (f["kind"] == kind)
        & (f["outcome"] == "leaked")
        & (f["model"] == model)
    )
    return f[pick].sort_values("period").reset_index(drop=True)


def _fans(bt: Backtest) -> list[tuple[str, str]]:
    """(level, kind) pairs to draw: every kind monthly, drones nightly."""
    f = bt.forecasts
    pairs = [("month", k) for k in dict.fromkeys(f.loc[f["level"] == "month", "kind"])]
    if ((f["level"] == "night") & (f["kind"] == "owa_drone")).any():
        pairs.append(("night", "owa_drone"))
    return pairs


def _pits(bt: Backtest, level: str, model: str) -> np.ndarray:
    f = bt.forecasts
    pick = (f["level"] == level) & (f["model"] == model)
    return f.loc[pick, "pit"].to_numpy(float)


def _levels(bt: Backtest) -> list[str]:
    return [lv for lv in ("month", "night") if (bt.forecasts["level"] == lv).any()]


# ---------------------------------------------------------------- HTML (plotly)


def _plotly_figures(bt: Backtest) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    figures: list[tuple[str, Any]] = []
    for level, kind in _fans(bt):
        d = fan_data(bt, level, kind)
        x = d["period"].tolist()
        fig = go.Figure()
        for lo, hi, name, alpha in (("lo90", "hi90", "90% interval", 0.18),
                                    ("lo50", "hi50", "50% interval", 0.35)):  # fmt: skip
            fig.add_trace(go.Scatter(x=x, y=d[hi], mode="lines", line={"width": 0},
                                     showlegend=False, hoverinfo="skip"))  # fmt: skip
            fig.add_trace(
                go.Scatter(x=x, y=d[lo], mode="lines", line={"width": 0}, fill="tonexty",
                           fillcolor=f"rgba(31,119,180,{alpha})", name=name)
            )  # fmt: skip
        fig.add_trace(go.Scatter(x=x, y=d["mean"], mode="lines", name="simulation mean",
                                 line={"color": COLOURS["simulation"]}))  # fmt: skip
        for model in MODELS[1:]:
            m = fan_data(bt, level, kind, model)
            fig.add_trace(
                go.Scatter(x=m["period"].tolist(), y=m["mean"], mode="lines", name=f"{model} mean",
                           line={"color": COLOURS[model], "dash": "dot", "width": 1})
            )  # fmt: skip
        size = 5 if level == "month" else 3
        fig.add_trace(go.Scatter(x=x, y=d["reported"], mode="markers", name="reported",
                                 marker={"color": "black", "size": size}))  # fmt: skip
        fig.update_layout(
            title=f"{kind}: leaked share, {_LEVEL[level]} one-step-ahead forecasts",
            yaxis_title="leaked / launched", template="plotly_white", height=360,
        )  # fmt: skip
        figures.append((f"fan-{level}-{kind}", fig))
    for level in _levels(bt):
        fig = go.Figure()
        for model in MODELS:
            fig.add_trace(
                go.Histogram(x=_pits(bt, level, model), xbins={"start": 0, "end": 1, "size": 0.1},
                             histnorm="probability density", name=model, opacity=0.6,
                             marker={"color": COLOURS[model]})
            )  # fmt: skip
        fig.add_hline(y=1.0, line={"color": "black", "dash": "dash"})
        fig.update_layout(
            title=f"PIT histogram, {_LEVEL[level]} forecasts (flat = calibrated)",
            barmode="overlay", xaxis_title="PIT", yaxis_title="density",
            template="plotly_white", height=340,
        )  # fmt: skip
        figures.append((f"pit-{level}", fig))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="nominal",
                             line={"color": "black", "dash": "dash"}))  # fmt: skip
    for level in _levels(bt):
        for model in MODELS:
            pits = _pits(bt, level, model)
            cover = [coverage_from_pit(pits, float(n)) for n in NOMINAL]
            fig.add_trace(
                go.Scatter(x=NOMINAL, y=cover, mode="lines+markers", name=f"{model}, {level}",
                           line={"color": COLOURS[model],
                                 "dash": "solid" if level == "month" else "dot"})
            )  # fmt: skip
    fig.update_layout(
        title="Coverage of central prediction intervals against their nominal level (from PIT)",
        xaxis_title="nominal level", yaxis_title="share of reported values inside",
        template="plotly_white", height=380,
    )  # fmt: skip
    figures.append(("coverage", fig))
    return figures


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "–" if not np.isfinite(v) else f"{v:.3f}"
    return str(v)


def render_backtest_html(bt: Backtest) -> str:
    """The backtest as one self-contained HTML page."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    from iadsim.history.backtest_text import targets, verdicts

    charts = "\n".join(
        f'<section id="{cid}">'
        + pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{cid}")
        + "</section>"
        for cid, fig in _plotly_figures(bt)
    )
    scores = bt.scores[bt.scores["outcome"] != "all"]
    items = "".join(
        f"<li>{html.escape(t.text)}: {html.escape(t.value)} — <b>"
        f"{'met' if t.met else 'NOT met' if t.met is not None else 'not measured'}</b></li>"
        for t in targets(bt)
    )
    says = "".join(f"<li>{html.escape(v)}</li>" for v in verdicts(bt))
    sat = _table(bt.saturation)
    settings = html.escape(", ".join(f"{k}: {v}" for k, v in bt.settings.items()))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backtest {bt.span[0]} to {bt.span[1]} — iadsim</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.8rem; margin: 0.5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.15rem 0.5rem; text-align: right; }}
th {{ background: #f4f4f4; }}
td:nth-child(-n+4) {{ text-align: left; }}
p.sub {{ color: #666; }}
</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>Rolling-origin backtest, {bt.span[0]} to {bt.span[1]}</h1>
<p class="sub">Reported raids: {html.escape(bt.source)}; model: {html.escape(bt.scenario)}.<br>
Settings: {settings}</p>
<h2>Targets</h2><ul>{items}</ul>
<h2>Where the simulation beats the baselines</h2><ul>{says}</ul>
{charts}
<h2>Scores (shares of launched; lower interval score, CRPS are better)</h2>
{_table(scores)}
<h2>Leaked share against raid size (logit slope per doubling, within months)</h2>
{sat}
<h2>Nightly leaked counts on small and large nights (split at each kind's median size)</h2>
{_table(bt.by_size) if not bt.by_size.empty else "<p>No nightly forecasts.</p>"}
<footer><p class="sub">Made by iadsim: simulation and analysis only.</p></footer>
</body>
</html>
"""


def write_backtest_html(bt: Backtest, path: str | Path) -> Path:
    """Write the HTML page to ``path`` (atomically: a temporary file renamed over it)."""
    path = Path(path)
    text = render_backtest_html(bt)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# ---------------------------------------------------------------- PNG (matplotlib)


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _fan_png(bt: Backtest, path: Path) -> None:
    pairs = _fans(bt)
    fig = _figure(10, 2.6 * len(pairs))
    axes = fig.subplots(len(pairs), 1, squeeze=False)[:, 0]
    for ax, (level, kind) in zip(axes, pairs, strict=True):
        d = fan_data(bt, level, kind)
        x = pd.to_datetime(d["period"]).to_numpy()
        ax.fill_between(x, d["lo90"], d["hi90"], color=COLOURS["simulation"], alpha=0.18,
                        label="90% interval", step="mid" if level == "night" else None)  # fmt: skip
        ax.fill_between(x, d["lo50"], d["hi50"], color=COLOURS["simulation"], alpha=0.35,
                        label="50% interval", step="mid" if level == "night" else None)  # fmt: skip
        ax.plot(x, d["mean"], color=COLOURS["simulation"], lw=1, label="simulation mean")
        for model in MODELS[1:]:
            m = fan_data(bt, level, kind, model)
            ax.plot(pd.to_datetime(m["period"]).to_numpy(), m["mean"], color=COLOURS[model],
                    lw=0.8, ls=":", label=f"{model} mean")  # fmt: skip
        ax.scatter(x, d["reported"], s=10 if level == "month" else 3, color="black",
                   label="reported", zorder=3)  # fmt: skip
        ax.set_title(f"{kind}: leaked share, {_LEVEL[level]} one-step-ahead forecasts")
        ax.set_ylabel("leaked / launched")
        ax.grid(color="#e5e5e5", lw=0.8)
    axes[0].legend(fontsize=7, ncol=4, loc="upper left")
    fig.savefig(path, dpi=130)


def _pit_png(bt: Backtest, path: Path) -> None:
    levels = _levels(bt)
    fig = _figure(10, 2.4 * len(levels))
    axes = fig.subplots(len(levels), len(MODELS), squeeze=False)
    for i, level in enumerate(levels):
        for j, model in enumerate(MODELS):
            ax = axes[i, j]
            ax.hist(_pits(bt, level, model), bins=np.linspace(0, 1, 11), density=True,
                    color=COLOURS[model], alpha=0.8)  # fmt: skip
            ax.axhline(1.0, color="black", ls="--", lw=0.8)
            ax.set_title(f"{model}, {_LEVEL[level]}", fontsize=9)
            ax.set_xlim(0, 1)
    fig.suptitle("PIT histograms (flat = calibrated)")
    fig.savefig(path, dpi=130)


def _coverage_png(bt: Backtest, path: Path) -> None:
    fig = _figure(6, 5)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="black", ls="--", lw=0.8, label="nominal")
    for level in _levels(bt):
        for model in MODELS:
            pits = _pits(bt, level, model)
            cover = [coverage_from_pit(pits, float(n)) for n in NOMINAL]
            ax.plot(NOMINAL, cover, marker="o", ms=3, color=COLOURS[model],
                    ls="-" if level == "month" else ":", label=f"{model}, {level}")  # fmt: skip
    ax.set_xlabel("nominal level of the central interval")
    ax.set_ylabel("share of reported values inside (from PIT)")
    ax.set_title("Coverage against nominal level")
    ax.legend(fontsize=7)
    ax.grid(color="#e5e5e5", lw=0.8)
    fig.savefig(path, dpi=130)


def write_backtest_pngs(bt: Backtest, folder: str | Path) -> list[Path]:
    """Write ``fan_charts.png``, ``pit.png`` and ``coverage.png`` into ``folder``."""
    import matplotlib

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context(_PLAIN_TEXT):
        for name, draw in (("fan_charts.png", _fan_png), ("pit.png", _pit_png),
                           ("coverage.png", _coverage_png)):  # fmt: skip
            path = folder / name
            draw(bt, path)
            written.append(path)
    return written
