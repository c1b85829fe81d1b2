"""The correlation between visits: a configured range, narrowed by what the paper prints.

Papers rarely print the correlation, but several printed numbers imply it:

* a **change-score SD** ``s_d`` of two visits: ``rho = (s_0^2 + s_t^2 - s_d^2) / (2 s_0 s_t)``;
* a **paired test** of the change (``t`` with the two visits' means, SDs and n):
  ``s_d^2 = n (m_t - m_0)^2 / t^2``, then as above;
* an **F of the mixed ANOVA**: every F depends on the pooled correlation ``rho*``
  (:func:`hiplbp.summary.anova.pooled_correlation`); the correlations whose band (rounding and
  overlap at that one correlation) reaches the printed F, within its rounding, are the ones the
  paper allows.

What each narrows: a change SD or paired test fixes the correlation of *that* group's two visits
(its change, and the ANCOVA at that visit once every group's is known: the pooled correlation is a
weighted mean of the groups'); a printed F fixes the *pooled* correlation of the ANOVA it came
from. The first two are exact ranges over the rounding box, found on a grid of it (the function is
smooth and the box small; the grid's corners are included, where its extremes usually lie); the
F's range is found on a grid of correlations (``step``) and widened by one step each way.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Points per side of the rounding box's grid.
GRID = 41


def _ratio_range(
    s0: tuple[float, float], st: tuple[float, float], var: tuple[float, float]
) -> tuple[float, float] | None:
    """Range of ``(s0^2 + st^2 - v) / (2 s0 st)`` over the box, clipped to [-1, 1]; None if outside."""
    a = np.linspace(*s0, GRID)[:, None, None]
    b = np.linspace(*st, GRID)[None, :, None]
    v = np.array(var)[None, None, :]  # decreasing in v: its endpoints suffice
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (a**2 + b**2 - v) / (2 * a * b)
    r = r[np.isfinite(r)]
    lo, hi = float(r.min()), float(r.max())
    if lo > 1 or hi < -1:
        return None
    return max(lo, -1.0), min(hi, 1.0)


def from_change_sd(s0: float, st: float, sd_change: float, half: float) -> tuple[float, float] | None:
    """Correlation of two visits implied by their printed SDs and the change score's SD.

    ``half`` is half a unit of the printed precision of all three. None when no correlation in
    [-1, 1] gives these SDs (an inconsistency of its own).

    Examples
    --------
    >>> lo, hi = from_change_sd(10.0, 10.0, 10.0, 0.0)
    >>> round(lo, 9), round(hi, 9)
    (0.5, 0.5)
    """
    sd = (max(sd_change - half, 0.0), sd_change + half)
    return _ratio_range(
        (max(s0 - half, 1e-12), s0 + half), (max(st - half, 1e-12), st + half), (sd[0] ** 2, sd[1] ** 2)
    )


def from_paired_t(
    n: float, m0: float, mt: float, s0: float, st: float, t: float, *, half: float, t_half: float
) -> tuple[float, float] | None:
    """Correlation of two visits implied by a printed paired t of their change.

    ``half`` is half a unit of the means' and SDs' printed precision, ``t_half`` of the t's.

    Examples
    --------
    >>> lo, hi = from_paired_t(10, 50.0, 45.0, 10.0, 10.0, -1.5811388, half=0.0, t_half=0.0)
    >>> round(lo, 6), round(hi, 6)
    (0.5, 0.5)
    """
    d = abs(mt - m0)
    d_lo, d_hi = max(d - 2 * half, 0.0), d + 2 * half
    t_lo, t_hi = max(abs(t) - t_half, 0.0), abs(t) + t_half
    if t_lo == 0:
        v_hi = np.inf
    else:
        v_hi = n * d_hi**2 / t_lo**2
    v_lo = n * d_lo**2 / t_hi**2
    if not np.isfinite(v_hi):
        v_hi = 4 * (max(s0, st) + half) ** 2  # a t of 0 allows any spread: the correlation's floor is -1
    return _ratio_range((max(s0 - half, 1e-12), s0 + half), (max(st - half, 1e-12), st + half), (v_lo, v_hi))


def implied_by_change(
    s0: tuple[float, float],
    st: tuple[float, float],
    *,
    sd_change: tuple[float, float] | None = None,
    n: float | None = None,
    difference: tuple[float, float] | None = None,
    t: tuple[float, float] | None = None,
) -> tuple[float, float] | None:
    """The correlation range implied by a change's SD, or by its paired t, over ranges of every input.

    The pipeline's form of :func:`from_change_sd` and :func:`from_paired_t`: the visits' SDs
    ``s0``, ``st`` and the mean change ``difference`` are ranges (the box of complete-case values,
    which also covers patients seen at one visit only), ``sd_change`` and ``t`` the printed
    values' rounding intervals.
    """
    lo_sd = (max(s0[0], 1e-12), s0[1]), (max(st[0], 1e-12), st[1])
    if sd_change is not None:
        return _ratio_range(*lo_sd, (max(sd_change[0], 0.0) ** 2, sd_change[1] ** 2))
    assert n is not None and difference is not None and t is not None
    d_lo = 0.0 if difference[0] <= 0 <= difference[1] else min(abs(difference[0]), abs(difference[1]))
    d_hi = max(abs(difference[0]), abs(difference[1]))
    t_lo, t_hi = max(min(abs(t[0]), abs(t[1])), 0.0), max(abs(t[0]), abs(t[1]))
    v_lo = n * d_lo**2 / t_hi**2 if t_hi > 0 else 0.0
    v_hi = n * d_hi**2 / t_lo**2 if t_lo > 0 else 4 * max(s0[1], st[1]) ** 2
    return _ratio_range(*lo_sd, (v_lo, v_hi))


def from_statistic(
    band_at: Callable[[float], tuple[float, float]],
    printed: tuple[float, float],
    rho_range: tuple[float, float],
    step: float = 0.005,
) -> tuple[float, float] | None:
    """The correlations in ``rho_range`` at which a statistic's band reaches its printed value.

    Parameters
    ----------
    band_at : callable
        ``rho -> (lo, hi)``: the statistic's band with the correlation fixed at ``rho`` (every
        other open quantity free).
    printed : (float, float)
        The printed value's rounding interval.
    rho_range : (float, float)
        Where to look.
    step : float
        Grid spacing; the range found is widened by one step each way (within ``rho_range``).

    Returns
    -------
    (float, float) or None
        The smallest and largest such correlation; None when none reaches the printed value.
    """
    lo, hi = rho_range
    grid = np.unique(np.append(np.arange(lo, hi, step), hi))
    ok = []
    for r in grid:
        b_lo, b_hi = band_at(float(r))
        if b_lo <= printed[1] and printed[0] <= b_hi:
            ok.append(float(r))
    if not ok:
        return None
    return max(min(ok) - step, lo), min(max(ok) + step, hi)


def intersect(ranges: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Common part of intervals; None when they do not meet."""
    lo, hi = max(r[0] for r in ranges), min(r[1] for r in ranges)
    return (lo, hi) if lo <= hi else None
