"""Published results on the Andersen, Pavlikov and Toffolo (2022) instances.

Best bound, best solution and time from the authors' logs (repository
tuliotoffolo/wta, ``logs/results.csv``; Annals of Operations Research
312(2):581-606): for each instance the largest lower bound (LB) and the
smallest objective (UB) over all their approaches and settings
(branch-and-adjust and probchain, each with several deltas; one thread,
two hours each), and the shortest time of a run that reported ``opt``
(None: no run closed it within two hours).

The probchain runs evaluate a piecewise-linear approximation of the
objective, so some of their values are not the objective of any assignment:
on 100x200x1, 200x400x2 and 250x500x1 their UB lies below the optimum that
exact evaluation gives (and on 250x500x1 their LB lies above their UB).
:func:`compare` marks such rows.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PUBLISHED", "Published", "published"]

TIME_LIMIT = 7200.0
"""Seconds of each of their runs."""


@dataclass(frozen=True)
class Published:
    """Best published results on one instance."""

    bound: float
    """Largest lower bound reported."""
    solution: float
    """Smallest objective reported."""
    seconds: float | None
    """Shortest run that reported ``opt`` (None: none did)."""

    @property
    def closed(self) -> bool:
        """Whether some run reported the instance solved to optimality."""
        return self.seconds is not None

    @property
    def gap(self) -> float:
        """(best solution - best bound) / best solution, at least 0."""
        return max(0.0, (self.solution - self.bound) / self.solution)


PUBLISHED: dict[str, Published] = {
    "50x100x1": Published(1734.302278, 1734.302257, 1.2),
    "50x100x2": Published(123.838406, 123.838359, 18.6),
    "50x100x3": Published(20.587974, 20.589861, 356.1),
    "100x200x1": Published(2862.234768, 2862.302609, 14.7),
    "100x200x2": Published(116.045985, 116.057161, 202.6),
    "100x200x3": Published(14.549077, 14.579133, None),
    "150x300x1": Published(3740.138652, 3740.41745, 35.7),
    "150x300x2": Published(103.148114, 103.150726, 420.7),
    "150x300x3": Published(11.383811, 11.429016, None),
    "200x400x1": Published(4970.172084, 4970.363244, 86.3),
    "200x400x2": Published(115.406346, 115.447021, None),
    "200x400x3": Published(10.507078, 10.577367, None),
    "250x500x1": Published(6689.831589, 6689.827836, 392.2),
    "250x500x2": Published(114.262785, 114.350685, None),
    "250x500x3": Published(10.856597, 10.95983, None),
    "300x600x1": Published(8136.481866, 8136.875861, 358.9),
    "300x600x2": Published(118.439121, 118.543307, None),
    "300x600x3": Published(12.982123, 13.10007, None),
    "350x700x1": Published(9049.866527, 9049.82123, 1093.3),
    "350x700x2": Published(120.662887, 121.056537, None),
    "350x700x3": Published(10.678994, 10.831706, None),
    "400x800x1": Published(11490.37147, 11491.045431, 691.4),
    "400x800x2": Published(129.071246, 129.279798, None),
    "400x800x3": Published(11.773388, 11.984283, None),
    "450x900x1": Published(12520.430969, 12521.102431, 1745.2),
    "450x900x2": Published(133.798892, 134.171821, None),
    "450x900x3": Published(12.283354, 12.50219, None),
    "500x1000x1": Published(13140.758748, 13141.445285, 4404.8),
    "500x1000x2": Published(123.192951, 123.785543, None),
    "500x1000x3": Published(11.831966, 12.076208, None),
}
"""Keyed ``"{m}x{n}x{mu}"`` as in the file names ``wta_{m}x{n}x{mu}.txt``."""


def published(name: str) -> Published | None:
    """The published results of an instance file name or key (None if not published)."""
    key = name.rsplit("/", 1)[-1].removeprefix("wta_").removesuffix(".txt")
    return PUBLISHED.get(key)
