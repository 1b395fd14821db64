"""Reports: one self-contained HTML file (map, replay, charts) and the same charts as PNG.

``report_from_scenario`` runs a scenario file; ``report_from_campaign`` runs a
campaign file (stockpiles over the days, the day each runs out, and one
standard night); ``report_from_store`` reads a stored run or sweep (re-running
only the replicate it replays). Each gives a :class:`ReportData`, which
``write_html`` and ``write_pngs`` draw. plotly and matplotlib are imported
only when drawing.
"""

from iadsim.report.campaign import CampaignView, campaign_view
from iadsim.report.data import ReportData, SweepCurve, SweepResult, spend_by_class
from iadsim.report.page import render_html, write_html
from iadsim.report.sources import report_from_campaign, report_from_scenario, report_from_store
from iadsim.report.static import write_pngs

__all__ = [
    "CampaignView",
    "ReportData",
    "SweepCurve",
    "SweepResult",
    "campaign_view",
    "render_html",
    "report_from_campaign",
    "report_from_scenario",
    "report_from_store",
    "spend_by_class",
    "write_html",
    "write_pngs",
]
