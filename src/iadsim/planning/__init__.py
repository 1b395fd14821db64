"""Planning on top of the simulation: campaigns with stockpiles and deliveries."""

from iadsim.planning.campaign import CampaignResult, night_sizes, run_campaign

__all__ = ["CampaignResult", "night_sizes", "run_campaign"]
