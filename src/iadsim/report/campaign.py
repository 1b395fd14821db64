"""A campaign in the report: interceptor stockpiles over the days, and when each runs out.

Built from :class:`~iadsim.planning.campaign.CampaignResult`; drawn by
:mod:`iadsim.report.figures` (HTML) and :mod:`iadsim.report.static` (PNG).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CampaignView", "campaign_view"]


@dataclass(frozen=True)
class CampaignView:
    """What the report shows of a campaign. Days are numbered from 1."""

    name: str
    days: int
    replications: int
    seed: int
    types: list[str]
    """Fire-unit classes with a stockpile."""
    threats: list[float]
    """Threats launched each night (0: no raid)."""
    stock_mean: list[list[float]]
    """``[type][day]`` interceptors in stock after the night, mean over replications."""
    stock_p5: list[list[float]]
    """``[type][day]`` 5th percentile over replications."""
    stock_p95: list[list[float]]
    """``[type][day]`` 95th percentile over replications."""
    exhaustion: list[list[int]]
    """``[type][replication]`` first day the stock is empty after the night (0: never)."""

    def share_exhausted(self, k: int) -> float:
        """Share of replications in which stockpile ``k`` runs out within the campaign."""
        days = np.asarray(self.exhaustion[k])
        return float((days > 0).mean()) if len(days) else 0.0


def campaign_view(result: Any) -> CampaignView:
    """The report's view of a :class:`~iadsim.planning.campaign.CampaignResult`."""
    stock = np.asarray(result.stock, dtype=float)
    days = result.exhaustion_day()
    return CampaignView(
        name=str(result.name),
        days=int(result.days),
        replications=int(result.replications),
        seed=int(result.seed),
        types=[str(t) for t in result.types],
        threats=np.asarray(result.launched, dtype=float).sum(axis=1).tolist(),
        stock_mean=[stock[:, :, k].mean(axis=0).tolist() for k in range(len(result.types))],
        stock_p5=[
            np.percentile(stock[:, :, k], 5, axis=0).tolist() for k in range(len(result.types))
        ],
        stock_p95=[
            np.percentile(stock[:, :, k], 95, axis=0).tolist() for k in range(len(result.types))
        ],
        exhaustion=[days[:, k].astype(int).tolist() for k in range(len(result.types))],
    )
