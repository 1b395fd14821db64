"""Planning on the simulation: campaigns with stockpiles and deliveries, laydown, procurement.

Planning files are resolved against their scenario before any work starts; a
name the scenario does not have, or more work than fits in memory, is an error
naming the planning file's field (``invalid campaign``, ``laydown``, ``procurement``).
"""

from iadsim.planning.campaign import (
    CampaignResult,
    campaign_work,
    night_sizes,
    run_campaign,
    template_draws,
)

__all__ = [
    "CampaignResult",
    "campaign_work",
    "night_sizes",
    "run_campaign",
    "template_draws",
]
