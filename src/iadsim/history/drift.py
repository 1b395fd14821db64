"""Parameters that drift: a random walk on the logit scale, filtered on a grid.

A forecasting model here is a pair of parameters ``(a, b)`` on a grid (for the
simulation, the kill probability and the EW susceptibility; for the purely
statistical model, the leaked share and the share of the rest lost to EW) and,
for every grid point and reported night, the shares destroyed / lost to EW /
leaked that the point gives that night (``shares[G, N, 3]``; for the
simulation they depend on the night's raid size).

Between nights the parameters follow independent random walks on the logit
scale with volatility ``sigma`` (standard deviation per 30 days). A night's
counts given its shares are Dirichlet-multinomial with concentration ``c``
(night-to-night spread beyond the binomial: targets, weather, routes; ``inf``
is the multinomial). The grid makes the filter exact up to the grid: the
distribution of the parameters after the nights seen so far is a vector over
grid points, carried to the next night by the random walk's transition
matrices and multiplied by the night's likelihood. Several ``(sigma, c)``
pairs (and variants of the shares, if any) run side by side; at each forecast origin each
filter is weighted by its one-step predictive likelihood over the nights seen so far
(optionally with recent nights counting more: ``selection_half_life``), and forecasts
either average the filters by these weights (Bayesian model averaging over the static
parameters, :meth:`FilterRun.weights`) or use the best one, so the volatility, the spread
and the variant are estimated from history only, never from what is being predicted.

Forecasts are simulation-free sampling: parameters drawn from the filtered
distribution, carried forward night by night along a sampled random-walk path
(so the nights of a month share their drift), shares read from the grid,
Dirichlet draws for the spread and multinomial draws for the counts. The
intervals thus include the drift expected over the horizon, the parameter
uncertainty and the overdispersion.

Options: ``half_life`` (days) also tempers the log-distribution towards flat
as time passes (an exponentially weighted likelihood); a restart (training
window, ``--break``) starts again from the flat distribution.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import gammaln

__all__ = [
    "DEFAULT_CONCENTRATIONS",
    "DEFAULT_SIGMAS",
    "FLOOR",
    "DriftModel",
    "FilterRun",
    "night_logliks",
    "sample_counts",
]

FLOOR = 0.005
"""Share mixed uniformly into every grid point's shares, so no night is impossible."""

DEFAULT_SIGMAS = (0.0, 0.1, 0.2, 0.4, 0.8, 1.6)
"""Random-walk volatilities tried (logit scale, standard deviation per 30 days)."""

DEFAULT_CONCENTRATIONS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, math.inf)
"""Dirichlet concentrations of nights around their shares tried (``inf``: multinomial)."""


_CLIP = 0.001
"""Grid values are clipped to ``[_CLIP, 1 - _CLIP]`` before taking logits."""


def _logit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    x = np.clip(np.asarray(x, dtype=float), _CLIP, 1 - _CLIP)
    return np.asarray(np.log(x) - np.log1p(-x))


def _kernel(z: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """[K, K] transition matrix of a Gaussian step of sd ``scale`` between logit points."""
    k = len(z)
    if k == 1 or scale <= 0:
        return np.eye(k)
    edges = np.concatenate([[z[0] - (z[1] - z[0]) / 2], (z[1:] + z[:-1]) / 2,
                            [z[-1] + (z[-1] - z[-2]) / 2]])  # fmt: skip
    width = np.maximum(np.diff(edges), 1e-12)
    d = z[None, :] - z[:, None]
    w = np.exp(-0.5 * (d / scale) ** 2) * width[None, :]
    return np.asarray(w / w.sum(axis=1, keepdims=True))


def _floor(p: NDArray[np.float64]) -> NDArray[np.float64]:
    return (1 - FLOOR) * p + FLOOR / 3


def night_logliks(
    shares: NDArray[np.float64], nights: pd.DataFrame, c: float, *, has_ew: bool
) -> NDArray[np.float64]:
    """Log-likelihood ``[G, N]`` of each night's counts at each grid point.

    Dirichlet-multinomial with concentration ``c`` (multinomial if infinite),
    without the multinomial coefficient (the same for every grid point and
    ``c``). A night reported with EW separately (and a kind with EW in the
    model) uses three categories; any other night two (neutralised, leaked).
    """
    p = _floor(np.asarray(shares, dtype=float))
    n = nights["launched"].to_numpy(float)
    leaked = nights["leaked"].to_numpy(float)
    two_x = np.stack([n - leaked, leaked], axis=-1)  # [N, 2]
    two_p = np.stack([p[..., 0] + p[..., 1], p[..., 2]], axis=-1)  # [G, N, 2]
    out = _dm(two_p, two_x, n, c)
    if has_ew:
        separate = (nights["ew_reporting"] == "separate").to_numpy()
        if separate.any():
            d = np.nan_to_num(nights["destroyed"].to_numpy(float))
            e = np.nan_to_num(nights["lost_to_ew"].to_numpy(float))
            three_x = np.stack([d, e, leaked], axis=-1)
            three = _dm(p[:, separate], three_x[separate], n[separate], c)
            out[:, separate] = three
    return out


def _dm(
    p: NDArray[np.float64], x: NDArray[np.float64], n: NDArray[np.float64], c: float
) -> NDArray[np.float64]:
    """Dirichlet-multinomial log-pmf without the multinomial coefficient: ``[G, N]``."""
    if math.isinf(c):
        return np.asarray((x[None] * np.log(p)).sum(axis=-1))
    alpha = c * p
    part = (gammaln(x[None] + alpha) - gammaln(alpha)).sum(axis=-1)
    return np.asarray(part + gammaln(c) - gammaln(n + c)[None, :])


def sample_counts(
    shares: NDArray[np.float64], n: NDArray[np.float64], c: float, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Counts ``[..., 3]`` for nights of ``n`` threats at shares ``[..., 3]``, spread ``c``."""
    p = np.clip(np.asarray(shares, dtype=float), 0.0, None)
    total = p.sum(axis=-1, keepdims=True)
    p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1 / 3)
    if math.isfinite(c):
        g = rng.gamma(np.maximum(c * p, 1e-9))
        s = g.sum(axis=-1, keepdims=True)
        p = np.where(s > 0, g / np.where(s > 0, s, 1.0), p)
    counts = rng.multinomial(np.broadcast_to(n.astype(np.int64), p.shape[:-1]), p)
    return np.asarray(counts, dtype=float)


@dataclass
class DriftModel:
    """A grid of parameter pairs and the shares each gives each night of one kind."""

    a: NDArray[np.float64]
    """[P] values of the first parameter, in (0, 1]."""
    b: NDArray[np.float64]
    """[E] values of the second parameter (``[0]`` when there is none)."""
    shares: NDArray[np.float64]
    """[P * E, N, 3] shares destroyed / lost to EW / leaked (``N`` may be 1: the same
    every night); or ``[V, P * E, N, 3]`` for ``V`` variants of the model (see
    ``variants``)."""
    nights: pd.DataFrame
    """The kind's nights, sorted by date (``date``, ``launched``, ``destroyed``,
    ``lost_to_ew``, ``leaked``, ``ew_reporting``)."""
    has_ew: bool
    """True if lost to EW is an outcome of the kind (three categories when reported)."""
    sigmas: Sequence[float] = DEFAULT_SIGMAS
    concentrations: Sequence[float] = DEFAULT_CONCENTRATIONS
    half_life: float | None = None
    """Days after which a night's log-likelihood counts half (None: no forgetting)."""
    selection_half_life: float | None = None
    """Days after which a night's predictive log-likelihood counts half in choosing the
    filter (None: every night counts fully)."""
    variants: Sequence[Mapping[str, float]] = ({},)
    """The static parameters of each variant of the shares, by name (chosen, like
    ``sigma`` and ``c``, by past predictive likelihood)."""
    _kernels: dict[tuple[float, int], tuple[NDArray[np.float64], NDArray[np.float64]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        if self.shares.ndim == 3:
            self.shares = self.shares[None]
        if self.shares.shape[0] != len(self.variants):
            raise ValueError(
                f"{self.shares.shape[0]} share tables for {len(self.variants)} variants"
            )
        self.dates: list[dt.date] = list(self.nights["date"])
        """The nights' dates, as a list (fast to index)."""
        self.launched = self.nights["launched"].to_numpy(float)
        """[N] threats launched each night."""

    @property
    def pairs(self) -> list[tuple[float, float, int]]:
        """The ``(sigma, c, variant)`` filters run side by side."""
        return [
            (s, c, v)
            for v in range(len(self.variants))
            for s in self.sigmas
            for c in self.concentrations
        ]

    def loglik(self, c: float, variant: int = 0) -> NDArray[np.float64]:
        """[G, N] night log-likelihoods at concentration ``c``."""
        shares = self.shares[variant]
        if shares.shape[1] == 1 and len(self.nights) > 1:
            shares = np.broadcast_to(shares, (shares.shape[0], len(self.nights), 3))
        return night_logliks(shares, self.nights, c, has_ew=self.has_ew)

    def stacked(self) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """``([K, G, N] log-likelihoods, [F] index of each filter's (c, variant) in K)``."""
        combos = list(dict.fromkeys((c, v) for _, c, v in self.pairs))
        stack = np.empty((len(combos), self.shares.shape[1], len(self.nights)), np.float32)
        for k, (c, v) in enumerate(combos):
            stack[k] = self.loglik(c, v)
        return stack, np.array([combos.index((c, v)) for _, c, v in self.pairs])

    def shares_at(
        self, state: NDArray[np.int64], night: int, variant: int = 0
    ) -> NDArray[np.float64]:
        """[S, 3] shares at grid points ``state`` on night index ``night``."""
        column = 0 if self.shares.shape[2] == 1 else night
        return np.asarray(self.shares[variant, state, column])

    def kernels(self, sigma: float, days: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Transition matrices ``([P, P], [E, E])`` of ``days`` days at volatility ``sigma``."""
        key = (sigma, days)
        if key not in self._kernels:
            scale = sigma * math.sqrt(max(days, 0) / 30.0)
            self._kernels[key] = (_kernel(_logit(self.a), scale), _kernel(_logit(self.b), scale))
        return self._kernels[key]


class FilterRun:
    """The filters of every ``(sigma, c)`` pair, stepped night by night.

    Start with :meth:`reset`; for each night in date order, :meth:`advance` to
    its date, forecast from the state (:meth:`choose`, :meth:`sample_path`,
    :meth:`sample_now`), then :meth:`observe` it.
    """

    def __init__(self, model: DriftModel) -> None:
        self.model = model
        self.pairs = model.pairs
        self.shape = (len(self.pairs), len(model.a), len(model.b))
        self.ll, self.which = model.stacked()
        sigmas = np.array([s for s, _, _ in self.pairs])
        self.groups = [(float(s), np.flatnonzero(sigmas == s)) for s in np.unique(sigmas) if s > 0]
        self.reset()

    def reset(self) -> None:
        """Flat distribution, no history."""
        self.logp = np.full(self.shape, -math.log(self.shape[1] * self.shape[2]))
        self.score = np.zeros(len(self.pairs))
        self.date: dt.date | None = None
        self.seen = 0

    def advance(self, date: dt.date) -> None:
        """Carry every filter's distribution forward to ``date`` (drift and forgetting)."""
        if self.date is None:
            self.date = date
            return
        days = (date - self.date).days
        if days <= 0:
            return
        self.date = date
        if self.model.half_life is not None:
            self.logp *= 0.5 ** (days / self.model.half_life)
        if self.model.selection_half_life is not None:
            self.score *= 0.5 ** (days / self.model.selection_half_life)
        for sigma, fs in self.groups:
            ka, kb = self.model.kernels(sigma, days)
            part = self.logp[fs]
            top = part.max(axis=(1, 2), keepdims=True)
            p = np.matmul(np.matmul(ka.T, np.exp(part - top)), kb)
            self.logp[fs] = np.log(np.maximum(p, 1e-300)) + top
        self.logp -= _logsum(self.logp)

    def observe(self, night: int) -> None:
        """Update with the reported night of index ``night`` (at the current date)."""
        ll = self.ll[self.which, :, night].reshape(self.shape)
        joint = self.logp + ll.astype(np.float64)
        total = _logsum(joint)
        self.score += total[:, 0, 0]
        self.logp = joint - total
        self.seen += 1

    def choose(self) -> int:
        """The filter with the best one-step predictive log-likelihood so far.

        With ``selection_half_life``, each night's log-likelihood counts
        ``0.5 ** (age / selection_half_life)``.
        """
        return int(np.argmax(self.score))

    def weights(self) -> NDArray[np.float64]:
        """[F] posterior weights of the filters: ``exp`` of their predictive log-likelihoods.

        A flat prior over the ``(sigma, c, variant)`` grid; the weights are the posterior
        probabilities of its points given the nights seen so far (Bayesian model averaging
        over the static parameters instead of choosing one).
        """
        w = np.exp(self.score - self.score.max())
        return np.asarray(w / w.sum())

    def pick(self, size: int, rng: np.random.Generator, average: bool) -> NDArray[np.int64]:
        """[size] filter of each forecast sample: all the best one, or drawn by weight."""
        if not average:
            return np.full(size, self.choose(), dtype=np.int64)
        return np.asarray(rng.choice(len(self.pairs), size=size, p=self.weights()))

    def _draw(self, f: int, size: int, rng: np.random.Generator) -> NDArray[np.int64]:
        p = np.exp(self.logp[f].ravel() - self.logp[f].max())
        return rng.choice(p.size, size=size, p=p / p.sum())

    def sample_now(
        self, f: int, night: int, n: float, size: int, rng: np.random.Generator
    ) -> NDArray[np.float64]:
        """[S, 3] counts of night ``night`` (of ``n`` threats) from the current state."""
        state = self._draw(f, size, rng)
        _, c, v = self.pairs[f]
        shares = self.model.shares_at(state, night, v)
        return sample_counts(shares, np.array([n] * size), c, rng)

    def sample_mixed_now(
        self, filters: NDArray[np.int64], night: int, n: float, rng: np.random.Generator
    ) -> NDArray[np.float64]:
        """[S, 3] counts of a night, sample ``s`` from filter ``filters[s]``."""
        out = np.zeros((len(filters), 3))
        for f in np.unique(filters):
            take = filters == f
            out[take] = self.sample_now(int(f), night, n, int(take.sum()), rng)
        return out

    def sample_mixed_path(
        self, filters: NDArray[np.int64], nights: Sequence[int], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        """[S, len(nights), 3] counts along drift paths, sample ``s`` from ``filters[s]``."""
        out = np.zeros((len(filters), len(nights), 3))
        for f in np.unique(filters):
            take = filters == f
            out[take] = self.sample_path(int(f), nights, int(take.sum()), rng)
        return out

    def sample_path(
        self,
        f: int,
        nights: Sequence[int],
        size: int,
        rng: np.random.Generator,
    ) -> NDArray[np.float64]:
        """[S, len(nights), 3] counts of the coming nights, along sampled drift paths."""
        sigma, c, v = self.pairs[f]
        model = self.model
        state = self._draw(f, size, rng)
        pe = len(model.b)
        ia, ib = state // pe, state % pe
        out = np.zeros((size, len(nights), 3))
        previous = self.date
        for k, night in enumerate(nights):
            date = model.dates[night]
            days = (date - previous).days if previous is not None else 0
            previous = date
            if sigma > 0 and days > 0:
                ka, kb = model.kernels(sigma, days)
                ia = _step(np.cumsum(ka, axis=1), ia, rng)
                ib = _step(np.cumsum(kb, axis=1), ib, rng)
            n = float(model.launched[night])
            shares = model.shares_at(ia * pe + ib, night, v)
            out[:, k] = sample_counts(shares, np.full(size, n), c, rng)
        return out


def _logsum(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log(sum(exp(x)))`` over the last two axes, kept as ``[F, 1, 1]``."""
    top = x.max(axis=(1, 2), keepdims=True)
    return np.asarray(np.log(np.exp(x - top).sum(axis=(1, 2), keepdims=True)) + top)


def _step(
    cumulative: NDArray[np.float64], index: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Next grid indices drawn from the rows ``index`` of a cumulative transition matrix."""
    rows = cumulative[index]
    u = rng.uniform(size=len(index)) * rows[:, -1]
    return np.minimum((rows < u[:, None]).sum(axis=1), cumulative.shape[1] - 1)
