"""What the printed tables leave open, carried through the mixed ANOVA: a band for every F.

A mixed ANOVA recomputed from printed cells rests on four things the tables do not fix:

(a) the correlation between a patient's visits. Point 5 of the theory in
    :func:`hiplbp.summary.anova.pooled_correlation`: with the *pooled* within-cell correlation
    ``rho*`` the closed form gives the individual data's F exactly, so the band takes ``rho*``
    over a configured range;
(b) the rounding of every printed mean and SD (each within half a unit of its last digit);
(c) when the n differs between visits, which patients each printed cell describes: the ANOVA uses
    the complete cases (``n_c`` of the ``n`` measured at a visit), whose means and SDs are not
    printed. Their distance from the printed ones is bounded exactly, given ``d = n - n_c`` and
    the scale's bounds (:func:`complete_case_box`);
(d) assumed cells (an assumption's mean and SD, with the shifts the sensitivity grid varies).

Every F of the mixed ANOVA is ``(Q_t(M) / df1) / (E(S, rho) / df2)``: the hypothesis sum of
squares ``Q_t`` is a positive semi-definite quadratic form in the complete-case cell means ``M``
and the error ``E`` depends only on the complete-case SDs ``S`` and ``rho*`` (the between-subject
error through ``V + rho P``, the within-subject error through ``(1 - 1/k) V - rho P / k``, with
``V = sum (n_c - 1) s^2`` and ``P = sum (n_c - 1) sum_{t != u} s_t s_u``). The two parts share no
quantity, so ``F`` ranges over ``[Q_min / E_max, Q_max / E_min]``:

* ``Q_min`` is a convex quadratic programme over the box of means: solved exactly;
* ``Q_max`` (a convex function's maximum over a box, at a vertex) is bounded above by
  ``||L x|| <= ||L x0|| + min(sum_j delta_j ||L e_j||, sqrt(lambda_max sum_j delta_j^2))`` (the
  triangle inequality, and the largest eigenvalue of ``L' L``): exact for one free mean,
  conservative otherwise;
* ``E`` is bounded by the extremes of ``V`` and ``P`` over the box of SDs (both increase with each
  SD) and of ``rho P`` over the correlation range.

Each bound holds for every value the open quantities can take, so the band covers the individual
data's F whenever ``rho*`` lies in the range and the cells are what the paper says they are: the
band is exact interval arithmetic, not sampling. ``benchmarks/coverage.py`` measures it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from ..summary.anova import SummaryDesign
from .box import SCALE_ONLY, Box, Limits, OpenQuantities, complete_case_box

BAND_COLUMNS = [
    "source",
    "df1",
    "df2",
    "F_lo",
    "F_hi",
    "p_lo",
    "p_hi",
    "F_reference",
    "p_reference",
    "flips",
    "width_correlation",
    "width_rounding",
    "width_overlap",
    "width_assumptions",
    "dominant",
]


def _hypothesis_forms(design: SummaryDesign) -> np.ndarray:
    """The matrix ``H_t`` of each source's hypothesis SS as a quadratic form in vec(means), (sources, gk, gk)."""
    g, k = design.g, design.k
    dim = g * k
    eye = np.eye(dim)
    pairs = eye[:, None, :] + eye[None, :, :]  # e_i + e_j
    # Q(e_i + e_j) = H_ii + H_jj + 2 H_ij for a quadratic form: polarization on one batched call
    unit = _ss(design, eye.reshape(dim, g, k))
    both = _ss(design, pairs.reshape(dim * dim, g, k)).reshape(dim, dim, -1)
    forms = (both - unit[:, None, :] - unit[None, :, :]) / 2
    return np.moveaxis(forms, -1, 0)


def _ss(design: SummaryDesign, means: np.ndarray) -> np.ndarray:
    """Hypothesis sums of squares of every source, for a batch of mean matrices (S, g, k) -> (S, sources)."""
    tot = means @ design.one[:, 0]
    ss_b = np.einsum("tgh,sg,sh->st", design.a, tot, tot)
    mc = means @ design.c
    ss_w = np.einsum("tgh,sgp,shp->st", design.a, mc, mc)
    between_idx = [i for i, (t, _) in enumerate(design.terms) if t]
    return np.concatenate([ss_b[:, between_idx], ss_w], axis=1)


def _box_minimum(h: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """``min x' h x`` over the box ``[lo, hi]`` for positive semi-definite ``h`` (convex: a local minimum is global)."""
    if np.allclose(lo, hi):
        return float(lo @ h @ lo)

    def value(x: npt.NDArray[np.float64]) -> float:
        return float(x @ h @ x)

    def gradient(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(2 * h @ x, dtype=np.float64)

    res = optimize.minimize(
        value,
        (lo + hi) / 2,
        jac=gradient,
        bounds=optimize.Bounds(lo, hi),
        method="L-BFGS-B",
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    return max(float(res.fun), 0.0)


def _q_range(h: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """Minimum (exact, convex) and an upper bound of the maximum of ``x' h x`` over the box ``[lo, hi]``."""
    x0 = (lo + hi) / 2
    q_min = _box_minimum(h, lo, hi)
    if np.allclose(lo, hi):
        return q_min, q_min
    # ||L x|| with L' L = h: triangle inequality over the box's half-widths
    w, v = np.linalg.eigh(h)
    ell = (v * np.sqrt(np.clip(w, 0, None))).T
    radius = (hi - lo) / 2
    # ||L d|| over the box: at most sum_j r_j ||L e_j|| (triangle) and sqrt(lambda_max sum_j r_j^2)
    reach = min(np.sum(radius * np.linalg.norm(ell, axis=0)), np.sqrt(max(w.max(), 0.0) * np.sum(radius**2)))
    q_max = (np.linalg.norm(ell @ x0) + reach) ** 2
    return q_min, float(q_max)


def _error_range(design: SummaryDesign, box: Box, rho_lo: float, rho_hi: float) -> tuple[float, float, float, float]:
    """Bounds of the between- and within-subject error SS over the SD box and the correlation range.

    Per cell, with ``V = sum s^2`` and ``T = (sum s)^2``: the between error is
    ``sum (n - 1) ((1 - rho) V + rho T) / k``, increasing in every SD and in ``rho`` (for
    ``rho >= 0``): exact at the box's corners. The within error is
    ``sum (n - 1) ((1 - 1/k + rho/k) V - rho T / k)``, decreasing in ``rho`` and a positive
    semi-definite quadratic in the SDs for ``rho <= 1``: its minimum (at ``rho_hi``) is a convex
    programme over the box, solved exactly; its maximum is bounded by ``V`` at the upper corner and
    ``T`` at the lower one.
    """
    nm1 = design.n - 1
    k = design.k
    v_lo, v_hi = np.sum(box.sd_lo**2, axis=1), np.sum(box.sd_hi**2, axis=1)
    t_lo, t_hi = np.sum(box.sd_lo, axis=1) ** 2, np.sum(box.sd_hi, axis=1) ** 2
    if rho_lo >= 0:
        eb_lo = float(np.sum(nm1 * ((1 - rho_lo) * v_lo + rho_lo * t_lo)) / k)
    else:  # a negative correlation: the cross term lowers the error; bound it term by term
        eb_lo = float(np.sum(nm1 * ((1 - rho_lo) * v_lo + rho_lo * t_hi)) / k)
    eb_hi = (
        float(np.sum(nm1 * ((1 - rho_hi) * v_hi + rho_hi * t_hi)) / k)
        if rho_hi >= 0
        else float(np.sum(nm1 * ((1 - rho_hi) * v_hi + rho_hi * t_lo)) / k)
    )
    a, b = 1 - 1 / k + rho_hi / k, rho_hi / k
    lo, hi = box.sd_lo.reshape(-1), box.sd_hi.reshape(-1)
    # sum_g (n_g - 1) (a |s_g|^2 - b (1' s_g)^2): a block-diagonal quadratic form in the SDs
    blocks = [np.eye(k) * a - b for _ in range(design.g)]
    h = np.zeros((design.g * k, design.g * k))
    for g, block in enumerate(blocks):
        h[g * k : (g + 1) * k, g * k : (g + 1) * k] = nm1[g] * block
    ew_lo = _box_minimum(h, lo, hi)
    ew_hi = float(np.sum(nm1 * ((1 - 1 / k + rho_lo / k) * v_hi - rho_lo * (t_lo if rho_lo >= 0 else t_hi) / k)))
    return eb_lo, eb_hi, max(ew_lo, 0.0), ew_hi


def f_band(
    cells: pd.DataFrame,
    between: Sequence[str],
    time_levels: Sequence[str],
    box: Box,
    n_complete: np.ndarray,
    rho_range: tuple[float, float],
    *,
    ss_type: int = 3,
) -> pd.DataFrame:
    """The range of every F (and unadjusted p) of the mixed ANOVA over the open quantities.

    Parameters
    ----------
    cells : DataFrame
        One row per between cell (the factor columns); means and SDs come from ``box``.
    between, time_levels, ss_type
        As :class:`hiplbp.summary.anova.SummaryDesign`.
    box : Box
        Bounds of the complete-case means and SDs (:func:`complete_case_box`).
    n_complete : ndarray
        Complete cases per cell.
    rho_range : (float, float)
        The range of the pooled within-cell correlation.

    Returns
    -------
    DataFrame
        ``source, df1, df2, F_lo, F_hi, p_lo, p_hi``.
    """
    frame = cells[list(between)].copy() if between else pd.DataFrame(index=range(len(n_complete)))
    frame["n"] = np.asarray(n_complete, float)
    for j, t in enumerate(time_levels):
        frame[f"sd_{t}"] = (box.sd_lo[:, j] + box.sd_hi[:, j]) / 2
    design = SummaryDesign(frame, between, time_levels, ss_type)
    forms = _hypothesis_forms(design)
    lo, hi = box.mean_lo.reshape(-1), box.mean_hi.reshape(-1)
    eb_lo, eb_hi, ew_lo, ew_hi = _error_range(design, box, *rho_range)
    between_n = sum(1 for t, _ in design.terms if t)
    qs = [q for t, q in design.terms if t] + [q for _, q in design.terms]
    rows = []
    p = design.k - 1
    for i, source in enumerate(design.sources()):
        q_min, q_max = _q_range(forms[i], lo, hi)
        if i < between_n:
            df1, df2 = qs[i], design.df_err
            e_lo, e_hi = eb_lo, eb_hi
        else:
            df1, df2 = qs[i] * p, design.df_err * p
            e_lo, e_hi = ew_lo, ew_hi
        f_lo = (q_min / df1) / (e_hi / df2)
        f_hi = (q_max / df1) / (e_lo / df2) if e_lo > 0 else np.inf
        rows.append(
            dict(
                source=source,
                df1=int(df1),
                df2=int(df2),
                F_lo=f_lo,
                F_hi=f_hi,
                p_lo=float(stats.f.sf(f_hi, df1, df2)),
                p_hi=float(stats.f.sf(f_lo, df1, df2)),
            )
        )
    return pd.DataFrame(rows)


def printed_box(
    n: np.ndarray,
    mean: np.ndarray,
    sd: np.ndarray,
    n_complete: np.ndarray,
    *,
    rounding: float,
    overlap: bool,
    assumed: np.ndarray | None = None,
    limits: Limits = SCALE_ONLY,
) -> Box:
    """The box of complete-case means and SDs with some open quantities switched off.

    ``rounding`` is the half-unit of the printed values (0: exact), ``overlap`` whether the
    patient sets of the visits may differ (False: every printed cell is the complete cases'),
    ``assumed`` the extra half-width of each assumed mean (None: the assumed values are exact),
    ``limits`` the scale and how unlike the left-out patients may be (:func:`complete_case_box`).
    Switching sources off one at a time gives each source's own width.
    """
    nc = np.asarray(n_complete, float)
    counts = n if overlap else np.broadcast_to(nc[:, None], n.shape)
    box = complete_case_box(
        counts,
        mean,
        sd,
        nc[:, None],
        mean_half=rounding,
        sd_half=rounding,
        limits=limits,
    )
    if assumed is None or not np.any(assumed):
        return box
    return Box(
        mean_lo=np.clip(box.mean_lo - assumed, limits.low, limits.high),
        mean_hi=np.clip(box.mean_hi + assumed, limits.low, limits.high),
        sd_lo=box.sd_lo,
        sd_hi=box.sd_hi,
    )


def printed_band(
    printed: pd.DataFrame,
    between: Sequence[str],
    time_levels: Sequence[str],
    open_: OpenQuantities,
    *,
    n_complete: np.ndarray | None = None,
    assumed: np.ndarray | None = None,
    ss_type: int = 3,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The band of every F of the mixed ANOVA from a paper's printed cells, and what dominates it.

    Parameters
    ----------
    printed : DataFrame
        One row per between cell: the factor columns and, per visit, ``n_<visit>``,
        ``mean_<visit>`` and ``sd_<visit>`` as printed.
    between, time_levels, ss_type
        As :class:`hiplbp.summary.anova.SummaryDesign`.
    open_ : OpenQuantities
        The range of the pooled within-cell correlation (``rho_range``), the point estimate's
        (``reference``, for ``F_reference``), half a unit of the printed means' and SDs' precision
        (``half``), the scale's bounds and how unlike the complete cases the patients missing from
        some visit can be (``difference``, ``z``: :func:`complete_case_box`). Its
        ``assumed_shift`` is not used: ``assumed`` says it per cell.
    n_complete : ndarray, optional
        Complete cases per cell; default the smallest n of its visits (monotone drop-out: whoever
        is seen at the last visit was seen at every visit).
    assumed : ndarray, optional
        Per cell and visit, how far an assumed (unprinted) mean may lie from its assumed value
        (0 for printed cells): the shifts of the sensitivity grid.
    alpha : float
        Significance level: ``flips`` says whether the band of p straddles it.

    Returns
    -------
    DataFrame
        ``BAND_COLUMNS``: the band (``F_lo, F_hi, p_lo, p_hi``), the point estimate at the printed
        values and ``reference``, whether significance can flip, the band's width when only the
        correlation, only the rounding or only the unknown overlap of patient sets is open, and
        which of the three dominates.
    """
    t = [str(v) for v in time_levels]
    n = printed[[f"n_{v}" for v in t]].to_numpy(float)
    mean = printed[[f"mean_{v}" for v in t]].to_numpy(float)
    sd = printed[[f"sd_{v}" for v in t]].to_numpy(float)
    nc = n.min(axis=1) if n_complete is None else np.asarray(n_complete, float)
    half, rho_range, reference = open_.half, open_.rho_range, open_.reference
    extra = np.zeros_like(mean) if assumed is None else np.asarray(assumed, float)

    def band(rhos: tuple[float, float], rounding: float, overlap: bool, assumptions: bool) -> pd.DataFrame:
        box = printed_box(
            n,
            mean,
            sd,
            nc,
            rounding=rounding,
            overlap=overlap,
            assumed=extra if assumptions else None,
            limits=open_.limits,
        )
        return f_band(printed, between, t, box, nc, rhos, ss_type=ss_type)

    full = band(rho_range, half, True, True)
    point = band((reference, reference), 0.0, False, False)
    widths = {
        "correlation": band(rho_range, 0.0, False, False),
        "rounding": band((reference, reference), half, False, False),
        "overlap": band((reference, reference), 0.0, True, False),
        "assumptions": band((reference, reference), 0.0, False, True),
    }
    out = full.assign(F_reference=point["F_lo"], p_reference=point["p_lo"])
    out["flips"] = (out["p_lo"] < alpha) & (out["p_hi"] >= alpha)
    for name, b in widths.items():
        out[f"width_{name}"] = b["F_hi"] - b["F_lo"]
    spread = out[[f"width_{name}" for name in widths]].to_numpy()
    out["dominant"] = [list(widths)[i] for i in np.argmax(spread, axis=1)]
    return out[BAND_COLUMNS]
