"""Reports: one self-contained HTML file (map, replay, charts) and the same charts as PNG.

``report_from_scenario`` runs a scenario file; ``report_from_store`` reads a
stored run or sweep (re-running only the replicate it replays). Both give a
:class:`ReportData`, which ``write_html`` and ``write_pngs`` draw. plotly and
matplotlib are imported only when drawing.

Campaigns (stockpiles over days) are not reported: iadsim has no campaign
model yet, so there is nothing to show; the stockpile and exhaustion-day
charts come with it.
"""

from iadsim.report.data import ReportData, SweepCurve, SweepResult, spend_by_class
from iadsim.report.page import render_html, write_html
from iadsim.report.sources import report_from_scenario, report_from_store
from iadsim.report.static import write_pngs

__all__ = [
    "ReportData",
    "SweepCurve",
    "SweepResult",
    "render_html",
    "report_from_scenario",
    "report_from_store",
    "spend_by_class",
    "write_html",
    "write_pngs",
]
