"""Planning on the simulation: campaigns with stockpiles and deliveries, laydown, procurement.

Planning files are resolved against their scenario before any work starts; a
name the scenario does not have, or more work than fits in memory, is a
:class:`~iadsim.planning.errors.PlanningError` naming the planning file's field.
"""

from iadsim.planning.campaign import (
    MAX_DAYS,
    CampaignResult,
    campaign_work,
    night_sizes,
    run_campaign,
)
from iadsim.planning.errors import PlanningError

__all__ = [
    "MAX_DAYS",
    "CampaignResult",
    "PlanningError",
    "campaign_work",
    "night_sizes",
    "run_campaign",
]
