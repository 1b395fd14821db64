"""A backtest in words: the score table, the targets, where the simulation wins and loses."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from iadsim.history.backtest import MISSILE_KINDS, MODELS, Backtest
from iadsim.history.report import markdown_table

__all__ = ["Target", "backtest_text", "score_table", "size_table", "targets", "verdicts"]

_KIND_ROWS = ("owa_drone", *MISSILE_KINDS, "missiles")
_OUTCOMES = ("leaked", "destroyed", "lost_to_ew")
_LEVEL = {"month": "monthly", "night": "nightly"}


@dataclass(frozen=True)
class Target:
    """One target of issue 15, measured."""

    text: str
    """What is asked."""
    value: str
    """What the backtest measured."""
    met: bool | None
    """None when the backtest has nothing to measure it on."""


def _f(x: float, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _pct(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _row(bt: Backtest, level: str, kind: str, outcome: str, model: str) -> pd.Series | None:
    try:
        return bt.score(level, kind, outcome, model)
    except KeyError:
        return None


def score_table(bt: Backtest) -> str:
    """Markdown table of the mean scores (shares of launched) by level, kind, outcome, model."""
    rows = []
    for level in ("month", "night"):
        for kind in _KIND_ROWS:
            for outcome in _OUTCOMES:
                for model in MODELS:
                    r = _row(bt, level, kind, outcome, model)
                    if r is None:
                        continue
                    rows.append(
                        [_LEVEL[level], kind, outcome, model, int(r["targets"]),
                         _pct(r["cover50"]), _pct(r["cover90"]), _pct(r["pit50"]),
                         _pct(r["pit90"]), _f(r["is50"]), _f(r["is90"]), _f(r["crps"]),
                         _f(r["bias"])]
                    )  # fmt: skip
    header = ["level", "kind", "outcome", "model", "n", "in 50%", "in 90%", "PIT 50%",
              "PIT 90%", "IS 50%", "IS 90%", "CRPS", "bias"]  # fmt: skip
    return markdown_table(header, rows)


def size_table(bt: Backtest) -> str:
    """Markdown table of the nightly leaked scores on small and large nights."""
    rows = []
    t = bt.by_size
    for _, r in t.iterrows() if not t.empty else ():
        if r["kind"] not in (*_KIND_ROWS, "all"):
            continue
        rows.append(
            [r["kind"], r["size"], f"{r['smallest']:g}-{r['largest']:g}", r["model"],
             int(r["targets"]), _pct(r["cover50"]), _pct(r["cover90"]), _pct(r["pit50"]),
             _pct(r["pit90"]), _f(r["is90"]), _f(r["crps"]), _f(r["bias"])]
        )  # fmt: skip
    header = ["kind", "nights", "launched", "model", "n", "in 50%", "in 90%", "PIT 50%",
              "PIT 90%", "IS 90%", "CRPS", "bias"]  # fmt: skip
    return markdown_table(header, rows)


def _chosen(bt: Backtest) -> list[str]:
    """What the drifting models chose for drones at their last monthly origin, and how often."""
    f = bt.forecasts
    pick = f[(f["kind"] == "owa_drone") & (f["outcome"] == "leaked") & (f["level"] == "month")]
    lines = []
    sim = pick[pick["model"] == "simulation"].dropna(subset=["decoys_at_ref"])
    if not sim.empty:
        counts = (sim["decoys_at_ref"].map("{:.0%}".format) + " at "
                  + sim["decoy_slope"].map("{:g}".format)).value_counts()  # fmt: skip
        lines.append(
            "- simulation, decoy share of a 100-drone night at logit slope per log size, "
            "chosen at the monthly origins: "
            + ", ".join(f"{k} ({v} months)" for k, v in counts.items())
        )
    rw = pick[pick["model"] == "random walk"].dropna(subset=["size_slope"])
    if not rw.empty:
        counts = rw["size_slope"].map("{:+g}".format).value_counts()
        lines.append(
            "- random walk, leaked share's logit slope per doubling of the raid: "
            + ", ".join(f"{k} ({v} months)" for k, v in counts.items())
        )
    return lines


def targets(bt: Backtest) -> list[Target]:
    """The issue's targets for the simulation, as this backtest measured them."""
    out = []
    sim = "simulation"
    for kind, name in (("owa_drone", "drones"), ("missiles", "missiles")):
        r = _row(bt, "month", kind, "all", sim)
        if r is None:
            out.append(Target(f"monthly {name}: >= 85% inside 90% intervals", "–", None))
            out.append(Target(f"monthly {name}: 40-60% inside 50% intervals", "–", None))
            continue
        n = int(r["targets"])
        leaked = _row(bt, "month", kind, "leaked", sim)
        alone = {
            level: f" (leaked alone: {leaked[f'cover{level}']:.0%} of {int(leaked['targets'])})"
            if leaked is not None and int(leaked["targets"]) < n
            else ""
            for level in ("50", "90")
        }
        out.append(
            Target(
                f"monthly {name}: >= 85% of values inside their 90% intervals",
                f"{r['cover90']:.0%} of {n}{alone['90']}",
                bool(r["cover90"] >= 0.85),
            )
        )
        out.append(
            Target(
                f"monthly {name}: 40-60% of values inside their 50% intervals",
                f"{r['cover50']:.0%} of {n}{alone['50']}",
                bool(0.40 <= r["cover50"] <= 0.60),
            )
        )
    r = _row(bt, "night", "all", "leaked", sim)
    out.append(
        Target(
            "nightly: >= 85% of nights' leaked counts inside their 90% intervals",
            f"{r['cover90']:.0%} of {int(r['targets'])} (PIT: {r['pit90']:.0%})" if r is not None
            else "–",
            bool(r["cover90"] >= 0.85) if r is not None else None,
        )
    )  # fmt: skip
    for level in ("month", "night"):
        mine = _row(bt, level, "owa_drone", "leaked", sim)
        if mine is None:
            continue
        others = {m: _row(bt, level, "owa_drone", "leaked", m) for m in MODELS[2:]}
        shown = ", ".join(f"{m} {_f(o['is90'])}" for m, o in others.items() if o is not None)
        met = all(o is not None and mine["is90"] < o["is90"] for o in others.values())
        out.append(
            Target(
                f"{_LEVEL[level]} drone leakage: 90% interval score below persistence and "
                "climatology",
                f"simulation {_f(mine['is90'])}; {shown}",
                met,
            )
        )
    return out


def verdicts(bt: Backtest) -> list[str]:
    """Plain sentences: where the simulation's forecast beats each other forecast."""
    lines = []
    for level in ("month", "night"):
        for kind in _KIND_ROWS:
            for outcome in _OUTCOMES:
                mine = _row(bt, level, kind, outcome, "simulation")
                if mine is None:
                    continue
                better: list[str] = []
                worse: list[str] = []
                for model in MODELS[1:]:
                    other = _row(bt, level, kind, outcome, model)
                    if other is None:
                        continue
                    for score, name in (("is90", "interval score"), ("crps", "CRPS")):
                        text = f"{model} on {name} ({_f(mine[score])} vs {_f(other[score])})"
                        (better if mine[score] < other[score] else worse).append(text)
                head = f"{_LEVEL[level]} {kind} {outcome}: "
                if not worse:
                    lines.append(head + "the simulation beats every baseline: " + "; ".join(better))
                elif not better:
                    lines.append(head + "the simulation beats no baseline: " + "; ".join(worse))
                else:
                    lines.append(
                        head + "the simulation beats " + "; ".join(better) + ". It does not beat "
                        + "; ".join(worse)
                    )  # fmt: skip
    return lines


def _saturation(bt: Backtest) -> list[str]:
    lines = []
    s = bt.saturation
    for kind in dict.fromkeys(s["kind"]):
        part = s[s["kind"] == kind].set_index("source")
        if "reported" not in part.index:
            continue
        r = part.loc["reported"]
        if r["nights"] == 0:
            lines.append(f"- {kind}: no month has nights of different sizes; no test.")
            continue
        verdict = (
            "leaked share rises with raid size (saturation)"
            if r["p_value"] < 0.05 and r["per_doubling"] > 0
            else "leaked share falls with raid size"
            if r["p_value"] < 0.05
            else "no dependence on raid size detected"
        )
        text = (
            f"- {kind}: reported {r['per_doubling']:+.3f} ± {r['se']:.3f} per doubling "
            f"(p = {r['p_value']:.2g}, {int(r['nights'])} nights): {verdict}"
        )
        for model in ("simulation", "random walk"):
            if model in part.index:
                m = part.loc[model]
                text += f"; {model} forecasts {m['per_doubling']:+.3f}"
        lines.append(text + ".")
    return lines


def backtest_text(bt: Backtest) -> str:
    """The whole backtest as text (Markdown tables)."""
    st = bt.settings
    window = f"training window {st['window']} months" if st["window"] is not None else "all history"
    if st["half_life"] is not None:
        window += f", forgetting half-life {st['half_life']:g} days"
    if st["breaks"]:
        window += ", restarted at " + ", ".join(st["breaks"])
    parts = [
        f"Reported raids: {bt.source}; model: {bt.scenario}.",
        f"Rolling-origin backtest over {bt.span[0]} to {bt.span[1]} "
        f"({', '.join(_LEVEL[b] for b in st['by'])}); each forecast uses only earlier nights "
        f"({window}{', from ' + st['start'] if st['start'] else ''}). Kinds: "
        f"{', '.join(st['kinds'])}.",
        "",
        "Models: simulation (the scenario's shares by raid size, kill probability and EW "
        "susceptibility (drones, with a share of decoys growing with raid size) or defence "
        "capacity (missiles) drifting as logit random walks); random walk (the "
        "leaked share as a logit random walk, moving with the night's raid size, "
        "beta-binomial nights, no simulator); persistence "
        "(last month's, nightly: last night's, shares); climatology (the pooled shares of the "
        f"last {st['climatology_months']} months).",
        "",
        "Scores are on shares of launched threats, lower is better for IS (interval score), "
        "CRPS; 'in 50%'/'in 90%' are values inside the intervals, 'PIT 50%'/'PIT 90%' the "
        "same read from the randomised PIT (fair for nights of a few missiles); bias is "
        "predicted mean minus reported.",
        "",
        score_table(bt),
        "",
        "Targets (issue 15):",
    ]
    for t in targets(bt):
        mark = "met" if t.met else "NOT met" if t.met is not None else "not measured"
        parts.append(f"- {t.text}: {t.value} ({mark})")
    if not bt.by_size.empty:
        parts += ["", "Nightly leaked counts on small and large nights (split at each kind's "
                  "median raid size):", "", size_table(bt)]  # fmt: skip
    chosen = _chosen(bt)
    if chosen:
        parts += ["", "Raid size in the drifting models (drones):", *chosen]
    parts += ["", "Where the simulation beats the baselines (mean scores):"]
    parts += [f"- {line}" for line in verdicts(bt)]
    sat = _saturation(bt)
    if sat:
        parts += [
            "",
            "Does the nightly leaked share depend on raid size? (logit slope per doubling of "
            "the raid, within months, quasi-binomial; the same regression on the forecasts):",
        ]
        parts += sat
    return "\n".join(parts)
