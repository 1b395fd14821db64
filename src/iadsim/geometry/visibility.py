"""Windows of a threat's 4-D trajectory against a sensor or fire unit, at compile time.

A window is an interval of time in which every condition holds at once:

- the slant range lies in ``[r_min, r_max]``;
- the threat's altitude lies in ``[z_min, z_max]`` (a fire unit's envelope);
- the threat is above the 4/3-earth horizon of the platform, when asked:
  ``ground distance <= sqrt(2 k R h_p) + sqrt(2 k R h_t)``;
- the threat is inside a downward-looking cone of half-angle ``a`` under the
  platform, when asked (an airborne electro-optical sensor's field of regard):
  ``ground distance <= tan(a) (h_p - h_t)``;
- the terrain does not mask it, for a platform standing on a terrain grid: the
  threat is at or above the masking altitude of its cell (:mod:`iadsim.geometry.terrain`).

Threat and platform move in straight lines between the points of their
trajectories, so on every piece between consecutive points of either the
relative motion is linear: range and cone are quadratics and the envelope is
linear in time, solved exactly; the horizon condition is a concave function of
time (a sum of square roots of linear heights minus a norm), whose set where it
is non-negative is one interval, found by bisection to 1e-9 of the piece; the
terrain condition is sampled every half cell along the track and its crossings
bisected. Windows touching across pieces are merged.

These run once per scenario; the engines read the windows. Compiled with Numba.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from iadsim.geometry.windows import EARTH_RADIUS, REFRACTION_K

__all__ = ["KR2", "mask_filter", "moving_windows", "site_windows"]

KR2 = 2.0 * REFRACTION_K * EARTH_RADIUS
"""2 k R (m): a height h above a smooth earth sees to a ground distance sqrt(2 k R h)."""

_MAXI = 8  # intervals one piece may split into, at most
_BISECT = 60


@njit(cache=True)
def _quad_le0(a: float, b: float, c: float, out: np.ndarray) -> int:
    """Intervals of s in [0, 1] where ``a s^2 + b s + c <= 0``; returns how many (0-2)."""
    scale = abs(a) + abs(b) + abs(c)
    if scale == 0.0:
        out[0, 0], out[0, 1] = 0.0, 1.0
        return 1
    if abs(a) <= 1e-15 * scale:
        if abs(b) <= 1e-15 * scale:
            if c <= 0.0:
                out[0, 0], out[0, 1] = 0.0, 1.0
                return 1
            return 0
        root = -c / b
        if b > 0.0:
            lo, hi = 0.0, min(root, 1.0)
        else:
            lo, hi = max(root, 0.0), 1.0
        if lo <= hi:
            out[0, 0], out[0, 1] = lo, hi
            return 1
        return 0
    disc = b * b - 4.0 * a * c
    if disc < 0.0:
        if a < 0.0:
            out[0, 0], out[0, 1] = 0.0, 1.0
            return 1
        return 0
    q = -0.5 * (b + math.copysign(math.sqrt(disc), b))
    r1 = q / a
    r2 = c / q if q != 0.0 else 0.0
    lo, hi = min(r1, r2), max(r1, r2)
    if a > 0.0:
        lo, hi = max(lo, 0.0), min(hi, 1.0)
        if lo <= hi:
            out[0, 0], out[0, 1] = lo, hi
            return 1
        return 0
    n = 0
    if lo >= 0.0:
        out[n, 0], out[n, 1] = 0.0, min(lo, 1.0)
        n += 1
    if hi <= 1.0:
        out[n, 0], out[n, 1] = max(hi, 0.0), 1.0
        n += 1
    return n


@njit(cache=True)
def _intersect(cur: np.ndarray, n: int, add: np.ndarray, m: int, tmp: np.ndarray) -> int:
    """``cur[:n] & add[:m]`` into ``cur``; returns the new count."""
    k = 0
    for i in range(n):
        for j in range(m):
            lo = max(cur[i, 0], add[j, 0])
            hi = min(cur[i, 1], add[j, 1])
            if lo <= hi and k < _MAXI:
                tmp[k, 0], tmp[k, 1] = lo, hi
                k += 1
    for i in range(k):
        cur[i, 0], cur[i, 1] = tmp[i, 0], tmp[i, 1]
    return k


@njit(cache=True)
def _horizon(
    s: float,
    hx: float,
    hy: float,
    vx: float,
    vy: float,
    zt: float,
    dzt: float,
    zp: float,
    dzp: float,
) -> float:
    """Horizon margin (m) at s: sqrt(2kR h_p) + sqrt(2kR h_t) - ground distance."""
    x = hx + s * vx
    y = hy + s * vy
    return (
        math.sqrt(KR2 * max(zp + s * dzp, 0.0))
        + math.sqrt(KR2 * max(zt + s * dzt, 0.0))
        - math.sqrt(x * x + y * y)
    )


@njit(cache=True)
def _horizon_edge(
    hidden: float, seen: float, hx: float, hy: float, vx: float, vy: float, zt: float,
    dzt: float, zp: float, dzp: float,
) -> float:  # fmt: skip
    """Bisect between a point below the horizon and one above it; the end above it."""
    for _ in range(_BISECT):
        m = 0.5 * (hidden + seen)
        if _horizon(m, hx, hy, vx, vy, zt, dzt, zp, dzp) >= 0.0:
            seen = m
        else:
            hidden = m
    return seen


@njit(cache=True)
def _horizon_interval(
    hx: float,
    hy: float,
    vx: float,
    vy: float,
    zt: float,
    dzt: float,
    zp: float,
    dzp: float,
    out: np.ndarray,
) -> int:
    """The interval of [0, 1] where the horizon margin is >= 0 (it is concave in s)."""
    lo, hi = 0.0, 1.0
    for _ in range(_BISECT):  # golden-section search of the concave margin's maximum
        m1 = lo + (hi - lo) * 0.381966
        m2 = hi - (hi - lo) * 0.381966
        if _horizon(m1, hx, hy, vx, vy, zt, dzt, zp, dzp) < _horizon(
            m2, hx, hy, vx, vy, zt, dzt, zp, dzp
        ):
            lo = m1
        else:
            hi = m2
    top = 0.5 * (lo + hi)
    if _horizon(top, hx, hy, vx, vy, zt, dzt, zp, dzp) < 0.0:
        return 0
    left, right = 0.0, 1.0
    if _horizon(0.0, hx, hy, vx, vy, zt, dzt, zp, dzp) < 0.0:
        left = _horizon_edge(0.0, top, hx, hy, vx, vy, zt, dzt, zp, dzp)
    if _horizon(1.0, hx, hy, vx, vy, zt, dzt, zp, dzp) < 0.0:
        right = _horizon_edge(1.0, top, hx, hy, vx, vy, zt, dzt, zp, dzp)
    out[0, 0], out[0, 1] = left, right
    return 1


@njit(cache=True)
def _piece(
    hx: float,
    hy: float,
    vx: float,
    vy: float,
    zt: float,
    dzt: float,
    zp: float,
    dzp: float,
    r_min: float,
    r_max: float,
    z_min: float,
    z_max: float,
    horizon: bool,
    cone_tan2: float,
    cur: np.ndarray,
    add: np.ndarray,
    tmp: np.ndarray,
) -> int:
    """The intervals of s in [0, 1] where every condition holds on one piece.

    Relative ground position ``(hx, hy) + s (vx, vy)``, threat altitude
    ``zt + s dzt``, platform altitude ``zp + s dzp``.
    """
    cur[0, 0], cur[0, 1] = 0.0, 1.0
    n = 1
    # the altitude envelope: z_min <= zt + s dzt <= z_max
    n = _intersect(cur, n, add, _quad_le0(0.0, dzt, zt - z_max, add), tmp)
    if n == 0:
        return 0
    n = _intersect(cur, n, add, _quad_le0(0.0, -dzt, z_min - zt, add), tmp)
    if n == 0:
        return 0
    # the slant range
    ez = dzt - dzp
    rz = zt - zp
    a = vx * vx + vy * vy + ez * ez
    b = 2.0 * (hx * vx + hy * vy + rz * ez)
    c = hx * hx + hy * hy + rz * rz
    n = _intersect(cur, n, add, _quad_le0(a, b, c - r_max * r_max, add), tmp)
    if n == 0:
        return 0
    if r_min > 0.0:
        n = _intersect(cur, n, add, _quad_le0(-a, -b, r_min * r_min - c, add), tmp)
        if n == 0:
            return 0
    if cone_tan2 >= 0.0:
        # below the platform: zp - zt > 0, then inside the cone
        n = _intersect(cur, n, add, _quad_le0(0.0, -(dzp - dzt), -(zp - zt) + 1e-9, add), tmp)
        if n == 0:
            return 0
        d0, d1 = zp - zt, dzp - dzt
        qa = vx * vx + vy * vy - cone_tan2 * d1 * d1
        qb = 2.0 * (hx * vx + hy * vy) - 2.0 * cone_tan2 * d0 * d1
        qc = hx * hx + hy * hy - cone_tan2 * d0 * d0
        n = _intersect(cur, n, add, _quad_le0(qa, qb, qc, add), tmp)
        if n == 0:
            return 0
    if horizon:
        n = _intersect(cur, n, add, _horizon_interval(hx, hy, vx, vy, zt, dzt, zp, dzp, add), tmp)
    return n


@njit(cache=True)
def _masked(
    x: float,
    y: float,
    z: float,
    slopes: np.ndarray,
    i0: int,
    j0: int,
    x0: float,
    y0: float,
    cell: float,
    sx: float,
    sy: float,
    sz: float,
) -> bool:
    """True if the terrain hides the point ``(x, y, z)`` from the site ``(sx, sy, sz)``."""
    i = math.floor((y0 - y) / cell) - i0
    j = math.floor((x - x0) / cell) - j0
    if i < 0 or j < 0 or i >= slopes.shape[0] or j >= slopes.shape[1]:
        return False
    h = slopes[i, j]
    if h == -np.inf:
        return False
    d = math.sqrt((x - sx) * (x - sx) + (y - sy) * (y - sy))
    return z < sz + h * d + d * d / KR2


@njit(cache=True)
def _time(a: float, b: float, s: float) -> float:
    """The time at fraction ``s`` of ``[a, b]``: exactly ``a`` or ``b`` at the ends."""
    if s <= 0.0:
        return a
    if s >= 1.0:
        return b
    return a + s * (b - a)


@njit(cache=True)
def _append(out: np.ndarray, n: int, t0: float, t1: float) -> int:
    if n > 0 and t0 <= out[n - 1, 1]:
        out[n - 1, 1] = max(out[n - 1, 1], t1)
        return n
    if n >= out.shape[0]:
        return -1
    out[n, 0], out[n, 1] = t0, t1
    return n + 1


@njit(cache=True)
def _mask_piece(
    tx: np.ndarray, ty: np.ndarray, tz: np.ndarray, tt: np.ndarray, k: int,
    s0: float, s1: float, t_lo: float, t_hi: float,
    slopes: np.ndarray, i0: int, j0: int, x0: float, y0: float, cell: float,
    cx: float, cy: float, cz: float, out: np.ndarray, n_out: int,
) -> int:  # fmt: skip
    """Append the parts of ``[s0, s1]`` of leg ``k`` the terrain does not hide from the site.

    The terrain is sampled every half cell along the piece and its crossings bisected.
    ``t_lo``/``t_hi`` (if >= 0) are the exact times of the piece's ends, kept as they
    are when those ends are seen. Returns the new count, or -1 if ``out`` is full.
    """
    vx, vy = tx[k + 1] - tx[k], ty[k + 1] - ty[k]
    dz = tz[k + 1] - tz[k]
    a_t, b_t = tt[k], tt[k + 1]
    start_t = t_lo if t_lo >= 0.0 else _time(a_t, b_t, s0)
    end_t = t_hi if t_hi >= 0.0 else _time(a_t, b_t, s1)
    length = math.sqrt(vx * vx + vy * vy) * (s1 - s0)
    steps = max(1, math.ceil(length / (0.5 * cell)))
    prev_s = s0
    prev_hidden = _masked(
        tx[k] + s0 * vx, ty[k] + s0 * vy, tz[k] + s0 * dz,
        slopes, i0, j0, x0, y0, cell, cx, cy, cz,
    )  # fmt: skip
    open_t = start_t
    for q in range(1, steps + 1):
        s = s0 + (s1 - s0) * q / steps
        hidden = _masked(
            tx[k] + s * vx, ty[k] + s * vy, tz[k] + s * dz,
            slopes, i0, j0, x0, y0, cell, cx, cy, cz,
        )  # fmt: skip
        if hidden != prev_hidden:
            a, b = prev_s, s
            for _ in range(40):
                m = 0.5 * (a + b)
                hm = _masked(
                    tx[k] + m * vx, ty[k] + m * vy, tz[k] + m * dz,
                    slopes, i0, j0, x0, y0, cell, cx, cy, cz,
                )  # fmt: skip
                if hm == prev_hidden:
                    a = m
                else:
                    b = m
            if hidden:  # a window closes at the crossing
                n_out = _append(out, n_out, open_t, _time(a_t, b_t, a))
                if n_out < 0:
                    return -1
            else:
                open_t = _time(a_t, b_t, b)
        prev_hidden, prev_s = hidden, s
    if not prev_hidden:
        n_out = _append(out, n_out, open_t, end_t)
    return n_out


@njit(cache=True)
def mask_filter(
    tx: np.ndarray, ty: np.ndarray, tz: np.ndarray, tt: np.ndarray,
    starts: np.ndarray, ends: np.ndarray,
    slopes: np.ndarray, i0: int, j0: int, x0: float, y0: float, cell: float,
    cx: float, cy: float, cz: float, out: np.ndarray,
) -> int:  # fmt: skip
    """The parts of the windows ``[starts, ends]`` the terrain does not hide from a site.

    A window the terrain never hides comes back exactly as it was (its pieces on
    consecutive legs touch and are merged), so a flat grid changes nothing.
    Returns how many rows of ``out`` it wrote (-1 if ``out`` is too small).
    """
    n_out = 0
    for w in range(len(starts)):
        for k in range(len(tt) - 1):
            a, b = tt[k], tt[k + 1]
            if b <= a or b < starts[w] or a > ends[w]:
                continue
            span = b - a
            s0 = max((starts[w] - a) / span, 0.0)
            s1 = min((ends[w] - a) / span, 1.0)
            t_lo = starts[w] if starts[w] >= a else a
            t_hi = ends[w] if ends[w] <= b else b
            n_out = _mask_piece(
                tx, ty, tz, tt, k, s0, s1, t_lo, t_hi,
                slopes, i0, j0, x0, y0, cell, cx, cy, cz, out, n_out,
            )  # fmt: skip
            if n_out < 0:
                return -1
    return n_out


@njit(cache=True)
def site_windows(
    tx: np.ndarray,
    ty: np.ndarray,
    tz: np.ndarray,
    tt: np.ndarray,
    cx: float,
    cy: float,
    cz: float,
    r_min: float,
    r_max: float,
    z_min: float,
    z_max: float,
    horizon: bool,
    cone_tan2: float,
    slopes: np.ndarray,
    i0: int,
    j0: int,
    x0: float,
    y0: float,
    cell: float,
    out: np.ndarray,
) -> int:
    """Windows of a threat trajectory against a platform standing at ``(cx, cy, cz)``.

    ``slopes`` is the site's horizon-slope map (:func:`iadsim.geometry.terrain.horizon_slopes`;
    a 0 x 0 array for no terrain). Writes ``(start, end)`` rows into ``out`` and returns
    how many (-1 if ``out`` is too small).
    """
    cur = np.empty((_MAXI, 2))
    add = np.empty((_MAXI, 2))
    tmp = np.empty((_MAXI, 2))
    n_out = 0
    masked = slopes.shape[0] > 0
    for k in range(len(tt) - 1):
        span = tt[k + 1] - tt[k]
        if span <= 0.0:
            continue
        vx, vy = tx[k + 1] - tx[k], ty[k + 1] - ty[k]
        n = _piece(
            tx[k] - cx,
            ty[k] - cy,
            vx,
            vy,
            tz[k],
            tz[k + 1] - tz[k],
            cz,
            0.0,
            r_min,
            r_max,
            z_min,
            z_max,
            horizon,
            cone_tan2,
            cur,
            add,
            tmp,
        )
        for p in range(n):
            s0, s1 = cur[p, 0], cur[p, 1]
            if not masked:
                n_out = _append(
                    out, n_out, _time(tt[k], tt[k + 1], s0), _time(tt[k], tt[k + 1], s1)
                )
                if n_out < 0:
                    return -1
                continue
            n_out = _mask_piece(
                tx, ty, tz, tt, k, s0, s1, -1.0, -1.0,
                slopes, i0, j0, x0, y0, cell, cx, cy, cz, out, n_out,
            )  # fmt: skip
            if n_out < 0:
                return -1
    return n_out


@njit(cache=True)
def _at(xs: np.ndarray, ts: np.ndarray, t: float) -> float:
    """The value of a piecewise-linear function of time at ``t`` (held before and after)."""
    n = len(ts)
    if t <= ts[0]:
        return xs[0]
    if t >= ts[n - 1]:
        return xs[n - 1]
    lo, hi = 0, n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ts[mid] <= t:
            lo = mid
        else:
            hi = mid
    span = ts[hi] - ts[lo]
    f = (t - ts[lo]) / span if span > 0.0 else 0.0
    return xs[lo] + f * (xs[hi] - xs[lo])


@njit(cache=True)
def moving_windows(
    tx: np.ndarray,
    ty: np.ndarray,
    tz: np.ndarray,
    tt: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    pz: np.ndarray,
    pt: np.ndarray,
    r_min: float,
    r_max: float,
    z_min: float,
    z_max: float,
    horizon: bool,
    cone_tan2: float,
    out: np.ndarray,
) -> int:
    """Windows of a threat trajectory against a platform on a trajectory of its own.

    The times of both trajectories cut the threat's flight into pieces on which
    both move in straight lines; each piece is solved as in :func:`site_windows`
    (without terrain: a moving platform's line of sight is the smooth earth's).
    """
    cur = np.empty((_MAXI, 2))
    add = np.empty((_MAXI, 2))
    tmp = np.empty((_MAXI, 2))
    n_out = 0
    n = len(tt)
    j = 0
    for k in range(n - 1):
        a, b = tt[k], tt[k + 1]
        if b <= a:
            continue
        while j < len(pt) and pt[j] <= a:
            j += 1
        cuts_lo = a
        jj = j
        while True:
            cut_hi = b
            if jj < len(pt) and pt[jj] < b:
                cut_hi = pt[jj]
            span = cut_hi - cuts_lo
            if span > 0.0:
                fx0 = tx[k] + (tx[k + 1] - tx[k]) * (cuts_lo - a) / (b - a)
                fy0 = ty[k] + (ty[k + 1] - ty[k]) * (cuts_lo - a) / (b - a)
                fz0 = tz[k] + (tz[k + 1] - tz[k]) * (cuts_lo - a) / (b - a)
                fx1 = tx[k] + (tx[k + 1] - tx[k]) * (cut_hi - a) / (b - a)
                fy1 = ty[k] + (ty[k + 1] - ty[k]) * (cut_hi - a) / (b - a)
                fz1 = tz[k] + (tz[k + 1] - tz[k]) * (cut_hi - a) / (b - a)
                qx0, qy0, qz0 = _at(px, pt, cuts_lo), _at(py, pt, cuts_lo), _at(pz, pt, cuts_lo)
                qx1, qy1, qz1 = _at(px, pt, cut_hi), _at(py, pt, cut_hi), _at(pz, pt, cut_hi)
                hx, hy = fx0 - qx0, fy0 - qy0
                vx, vy = (fx1 - qx1) - hx, (fy1 - qy1) - hy
                m = _piece(
                    hx,
                    hy,
                    vx,
                    vy,
                    fz0,
                    fz1 - fz0,
                    qz0,
                    qz1 - qz0,
                    r_min,
                    r_max,
                    z_min,
                    z_max,
                    horizon,
                    cone_tan2,
                    cur,
                    add,
                    tmp,
                )
                for p in range(m):
                    n_out = _append(
                        out,
                        n_out,
                        _time(cuts_lo, cut_hi, cur[p, 0]),
                        _time(cuts_lo, cut_hi, cur[p, 1]),
                    )
                    if n_out < 0:
                        return -1
            if cut_hi >= b:
                break
            cuts_lo = cut_hi
            jj += 1
    return n_out
