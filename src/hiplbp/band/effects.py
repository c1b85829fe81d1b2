"""Within-group changes and baseline-adjusted treatment effects from printed cells, and their bands.

Two statistics a reanalysis recomputes from a paper's cells besides the mixed ANOVA:

* the **change within a group** between two visits (the paired t the paper's claims rest on):
  ``t = (m_t - m_0) / sqrt((s_0^2 + s_t^2 - 2 rho s_0 s_t) / n_c)`` with ``n_c - 1`` df;
* the **treatment effect at a visit adjusted for baseline** (ANCOVA with one intercept per between
  cell and a common slope, as :func:`hiplbp.stats.ancova.fit`): with ``w = n_c - 1`` per cell,
  ``S_xx = sum w s_0^2``, ``S_xy = sum w rho s_0 s_t``, ``S_yy = sum w s_t^2``, the slope is
  ``beta = S_xy / S_xx``, the effect of a contrast ``c`` of cells ``c' m_t - beta c' m_0``, its
  variance ``sigma^2 (sum c^2 / n_c + (c' m_0)^2 / S_xx)`` with
  ``sigma^2 = (S_yy - S_xy^2 / S_xx) / (N - G - 1)``. With the *pooled* baseline-visit correlation
  ``rho = sum w cov_g / sum w s_0 s_t`` this is the individual data's ANCOVA exactly (tested).

The bands take every value the box of complete-case means and SDs (:mod:`.box`) and the correlation
range allow. Means and SDs enter through separate factors, so the bands are products of exact
ranges: the mean change, the denominators and the ANCOVA estimate (bilinear in the means and the
slope) are exact over the box; the slope's range treats ``S_xy`` and ``S_xx`` as free of each
other, and the residual variance uses Cauchy-Schwarz, both conservative (never narrower than
the truth).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .box import Box


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[lo, hi]`` of a statistic, with its p values' range."""

    lo: float
    hi: float
    p_lo: float = np.nan
    p_hi: float = np.nan


def _span(values: list[float]) -> tuple[float, float]:
    return float(min(values)), float(max(values))


def _abs_range(lo: float, hi: float) -> tuple[float, float]:
    """Range of ``|x|`` for ``x`` in ``[lo, hi]``."""
    top = max(abs(lo), abs(hi))
    return (0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi))), top


def _two_sided(t_abs: tuple[float, float], df: float) -> tuple[float, float]:
    return float(2 * stats.t.sf(t_abs[1], df)), float(2 * stats.t.sf(t_abs[0], df))


def _variance_range(s0: tuple[float, float], st: tuple[float, float], rho: tuple[float, float]) -> tuple[float, float]:
    """Exact range of ``s0^2 + st^2 - 2 rho s0 st`` over a box of SDs and correlations.

    Convex in the SDs (``|rho| <= 1``) and linear in ``rho``: the maximum is at a corner. The
    minimum is at the largest ``rho`` (the SDs are non-negative) and, on the SD box, on an edge:
    with one SD fixed at ``a`` the other's best value is ``rho a``, clipped to its interval.
    """
    f = lambda a, b, r: a * a + b * b - 2 * r * a * b  # noqa: E731
    top = max(f(a, b, r) for a, b, r in itertools.product(s0, st, rho))
    r = rho[1]
    cands = []
    for a in s0:
        cands.append(f(a, float(np.clip(r * a, *st)), r))
    for b in st:
        cands.append(f(float(np.clip(r * b, *s0)), b, r))
    return max(min(cands), 0.0), top


def change_band(box: Box, cell: int, start: int, end: int, n_complete: float, rho: tuple[float, float]) -> Interval:
    """The band of a within-group change's paired t (``lo``/``hi``) and its two-sided p.

    ``box`` bounds the complete cases' means and SDs (cells x visits), ``cell`` its row, ``start``
    and ``end`` the visits' columns, ``rho`` the range of the two visits' correlation.
    """
    d_lo = box.mean_lo[cell, end] - box.mean_hi[cell, start]
    d_hi = box.mean_hi[cell, end] - box.mean_lo[cell, start]
    v_lo, v_hi = _variance_range(
        (box.sd_lo[cell, start], box.sd_hi[cell, start]), (box.sd_lo[cell, end], box.sd_hi[cell, end]), rho
    )
    se = [np.sqrt(v / n_complete) for v in (v_lo, v_hi)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ts = [d / s if s > 0 else np.sign(d) * np.inf for d in (d_lo, d_hi) for s in se]
    lo, hi = _span([float(np.nan_to_num(t, nan=0.0)) for t in ts])
    if d_lo <= 0 <= d_hi:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    p_lo, p_hi = _two_sided(_abs_range(lo, hi), n_complete - 1)
    return Interval(lo, hi, p_lo, p_hi)


def ancova_from_summaries(
    n: np.ndarray,
    m0: np.ndarray,
    s0: np.ndarray,
    mt: np.ndarray,
    st: np.ndarray,
    rho: float,
    contrast: np.ndarray,
) -> tuple[float, float, float, float]:
    """Baseline-adjusted effect of a contrast of cells from their summaries: ``(estimate, se, df, p)``.

    Parameters
    ----------
    n, m0, s0, mt, st : ndarray
        Per between cell: complete cases, baseline mean and SD, the visit's mean and SD.
    rho : float
        The pooled within-cell correlation of baseline and visit.
    contrast : ndarray
        Weights of the cells (``+1`` treatment, ``-1`` control; ``+-1/S`` to average over ``S``
        strata).

    Examples
    --------
    >>> est, se, df, p = ancova_from_summaries(np.array([10, 10]), np.array([50., 52.]), np.array([10., 10.]),
    ...                                        np.array([40., 48.]), np.array([10., 10.]), 0.5, np.array([1., -1.]))
    >>> round(est, 6), df
    (-7.0, 17.0)
    """
    w = np.asarray(n, float) - 1
    sxx, sxy, syy = np.sum(w * s0**2), np.sum(w * rho * s0 * st), np.sum(w * st**2)
    beta = sxy / sxx
    df = float(np.sum(n) - len(n) - 1)
    sigma2 = (syy - sxy**2 / sxx) / df
    x = float(contrast @ m0)
    est = float(contrast @ mt - beta * x)
    se = float(np.sqrt(sigma2 * (np.sum(contrast**2 / n) + x**2 / sxx)))
    return est, se, df, float(2 * stats.t.sf(abs(est / se), df))


def ancova_band(
    box: Box, start: int, end: int, n_complete: np.ndarray, rho: tuple[float, float], contrast: np.ndarray
) -> Interval:
    """The band of a baseline-adjusted effect (``lo``/``hi``: the estimate) and its two-sided p.

    The estimate ``y - beta x`` (``y = c' m_t``, ``x = c' m_0``) is bilinear in the box's means and
    the slope: exact at the corners of ``y``, ``x`` and the slope's range. The slope
    ``rho S_xy' / S_xx`` (``S_xy' = sum w s_0 s_t``) ranges over the corners of ``rho`` and of
    ``S_xy'`` and ``S_xx``, each exact over the SD box and taken as free of each other. The
    residual variance ``(S_yy - rho^2 S_xy'^2 / S_xx) / df`` is at least ``(1 - rho^2) S_yy / df``
    (Cauchy-Schwarz) and at most ``S_yy / df`` less the smallest adjustment.
    """
    n = np.asarray(n_complete, float)
    w, c = n - 1, np.asarray(contrast, float)

    def lin(lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
        return float(np.sum(np.where(c > 0, c * lo, c * hi))), float(np.sum(np.where(c > 0, c * hi, c * lo)))

    y = lin(box.mean_lo[:, end], box.mean_hi[:, end])
    x = lin(box.mean_lo[:, start], box.mean_hi[:, start])
    a = (
        float(np.sum(w * box.sd_lo[:, start] * box.sd_lo[:, end])),
        float(np.sum(w * box.sd_hi[:, start] * box.sd_hi[:, end])),
    )
    b = (float(np.sum(w * box.sd_lo[:, start] ** 2)), float(np.sum(w * box.sd_hi[:, start] ** 2)))
    syy = (float(np.sum(w * box.sd_lo[:, end] ** 2)), float(np.sum(w * box.sd_hi[:, end] ** 2)))
    slopes = [r * aa / bb for r, aa, bb in itertools.product(rho, a, b) if bb > 0]
    if not slopes:
        # no complete pair has baseline spread (one patient per cell, or SD 0): no slope to adjust by
        return Interval(np.nan, np.nan)
    beta = _span(slopes)
    lo, hi = _span([yy - bt * xx for yy, bt, xx in itertools.product(y, beta, x)])
    df = float(np.sum(n) - len(n) - 1)
    r_abs = _abs_range(*rho)
    adj_hi = r_abs[1] ** 2 * a[1] ** 2 / b[0] if b[0] > 0 else np.inf
    adj_lo = r_abs[0] ** 2 * a[0] ** 2 / b[1] if b[1] > 0 else 0.0
    s2_lo = max(syy[0] - adj_hi, (1 - r_abs[1] ** 2) * syy[0], 0.0) / df
    s2_hi = (syy[1] - adj_lo) / df
    h = float(np.sum(c**2 / n))
    x2 = tuple(v**2 for v in _abs_range(*x))
    se_lo = np.sqrt(s2_lo * (h + x2[0] / b[1]))
    se_hi = np.sqrt(s2_hi * (h + (x2[1] / b[0] if b[0] > 0 else np.inf)))
    e_abs = _abs_range(lo, hi)
    t_abs = (e_abs[0] / se_hi, e_abs[1] / se_lo if se_lo > 0 else np.inf)
    p_lo, p_hi = _two_sided(t_abs, df)
    return Interval(lo, hi, p_lo, p_hi)
