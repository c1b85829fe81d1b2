"""ANCOVA of each follow-up visit adjusted for baseline: the primary analysis of a randomized trial.

For each follow-up visit ``t``: ``y_t ~ y_baseline + covariates + stratum * arm`` (sum-to-zero
coding; :class:`Adjustment`), fitted by OLS on the subjects observed at both visits with every
covariate. Each arm comparison (every arm against control, or every pair) is estimated within
each stratum and averaged over strata with equal weights, as ``emmeans(fit, ~ arm | stratum)`` contrasts and their
average; with the stratum as a main effect (``stratum + arm``, the usual adjustment for a
stratification factor) there is one arm effect, as ``emmeans(fit, ~ arm)``. Its standard error
comes from the model's covariance matrix and its interval from the t distribution with the
residual df.

References
----------
Vickers AJ, Altman DG (2001). Analysing controlled trials with baseline and follow up
measurements. BMJ 323:1123-1124.
Senn S (2006). Change from baseline and analysis of covariance revisited. Stat Med 25:4334-4344.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..trial.design import Design
from .anova import _residual_ssp, design_matrix, split_covariates
from .multiplicity import Family

TERMS_COLUMNS = ["visit", "source", "SS", "df", "F", "p"]


@dataclass(frozen=True)
class Adjustment:
    """What an ANCOVA adjusts for and how the strata enter it.

    Attributes
    ----------
    baseline : str
        The baseline: a visit of ``time``, or a subject-level column of the data (``baseline_from``).
    baseline_from : {"visit", "column"}
        Where the baseline is.
    covariates : tuple of str
        Further subject-level columns, as fixed effects (config ``analysis.covariates``): a numeric
        column as a slope, a categorical one (strings) as a factor, sum-coded, one term.
    stratum_by_arm : bool
        ``True``: stratum x arm, the arm effect estimated within each stratum and averaged with
        equal weights; ``False``: the stratum as a main effect, one arm effect (the usual trial
        ANCOVA of a stratification factor, EMA 2015). Config ``analysis.stratum_by_arm``.
    """

    baseline: str
    baseline_from: str = "visit"
    covariates: tuple[str, ...] = ()
    stratum_by_arm: bool = True

    @classmethod
    def of(cls, design: Design, covariates: Sequence[str] = (), stratum_by_arm: bool = True) -> Adjustment:
        """The adjustment for ``design``'s baseline (a visit or a column), with further covariates."""
        if not design.has_baseline:
            raise ValueError("design.baseline is none: no analysis adjusts for a baseline, so there is no ANCOVA")
        return cls(str(design.baseline), design.baseline_kind, tuple(covariates), stratum_by_arm)


EFFECT_COLUMNS = [
    "visit",
    "comparison",
    "stratum",
    "estimate",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p",
    "p_adj",
    "ci_adj_low",
    "ci_adj_high",
    "adjust",
]


def _wide(data: pd.DataFrame, dv: str, between: Sequence[str], adjust: Adjustment, visit: str) -> pd.DataFrame:
    """One row per subject with every value the model needs: between factors, ``y0`` (the
    baseline), the covariates and ``y1`` (the visit)."""
    w = data.pivot_table(index="subject", columns="time", values=dv, aggfunc="first", observed=True)
    # one value per subject, carried on each of its rows
    subject = data.groupby("subject", observed=True)[[*between, *adjust.covariates]].first()
    w.columns = [str(c) for c in w.columns]
    columns = [*between, "y0", *adjust.covariates, "y1"]
    if visit not in w or (adjust.baseline_from == "visit" and adjust.baseline not in w):
        return pd.DataFrame(columns=columns)
    if adjust.baseline_from == "column":
        y0 = data.groupby("subject", observed=True)[adjust.baseline].first().rename("y0")
    else:
        y0 = w[adjust.baseline].rename("y0")
    out = subject.join(y0).join(w[visit].rename("y1"))[columns]
    return out.dropna(subset=["y0", *adjust.covariates, "y1"])


def fit(
    data: pd.DataFrame,
    dv: str,
    between: Sequence[str],
    comparisons: Sequence[tuple[str, str]],
    *,
    adjust: Adjustment,
    visit: str,
    level: float = 0.95,
    family: Family | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ANCOVA of one follow-up visit adjusted for baseline (and covariates, if ``adjust`` names any).

    Parameters
    ----------
    data : DataFrame
        Canonical long table (``subject``, ``time``, ``arm``, optional ``stratum``, ``dv``).
    dv : str
        Outcome.
    between : sequence of str
        Between factors, ``arm`` last (``["stratum", "arm"]`` or ``["arm"]``).
    comparisons : sequence of (str, str)
        The arm comparisons ``a - b`` (:meth:`~hiplbp.trial.design.Design.comparisons`).
    adjust : Adjustment
        The baseline (a visit or a column), further covariates, and whether the stratum is
        crossed with the arm.
    visit : str
        Response visit.
    level : float
        Confidence level.
    family : Family, optional
        How each stratum's comparisons are adjusted together (:mod:`hiplbp.stats.multiplicity`);
        by default Dunnett.

    Returns
    -------
    terms : DataFrame
        Type III table ``visit, source, SS, df, F, p`` with sources ``(Intercept)``, ``baseline``,
        each covariate, the between terms and ``Residuals`` (as ``car::Anova(type = 3)``).
    effects : DataFrame
        :data:`EFFECT_COLUMNS`, one row per comparison ``a - b`` and stratum: with stratum x arm,
        within each stratum and ``stratum == "all"`` for the equally weighted average; with the
        stratum as a main effect (or without strata), the one arm effect, ``all``. ``p_adj`` and
        the ``ci_adj`` limits adjust the comparisons of one stratum together (``adjust``).

    Notes
    -----
    Each contrast is ``L beta`` with ``L`` the difference of the design rows of the two arms at
    the same covariate value (the slope is common, so the value does not matter), and
    ``se = sqrt(s^2 L (X'X)^{-1} L')``.
    """
    family = family or Family()
    between = list(between)
    w = _wide(data, dv, between, adjust, visit)
    n = len(w)
    numeric, categorical = split_covariates(w, adjust.covariates)
    x_fac, factor_blocks = design_matrix(w[between].astype(str), max_order=None if adjust.stratum_by_arm else 1)
    x_cat, cat_blocks = design_matrix(w[categorical].astype(str), max_order=1)
    # intercept, baseline, slopes, the categorical covariates' columns, then the between terms
    x = np.column_stack([x_fac[:, :1], w[["y0", *numeric]].to_numpy(float), x_cat[:, 1:], x_fac[:, 1:]])
    k = 1 + len(numeric) + x_cat.shape[1] - 1
    slopes = {c: [2 + i] for i, c in enumerate(numeric)}
    blocks = (
        {"(Intercept)": [0], "baseline": [1]}
        | {c: slopes[c] if c in slopes else [j + 1 + len(numeric) for j in cat_blocks[(c,)]] for c in adjust.covariates}
        | {":".join(t): [c + k for c in cols] for t, cols in factor_blocks.items() if t != ()}
    )
    y = w["y1"].to_numpy(float)[:, None]
    df_res = n - np.linalg.matrix_rank(x)
    if df_res < 1:
        raise ValueError(f"ANCOVA at {visit}: too few subjects ({n}) for {x.shape[1]} parameters")
    sse = float(_residual_ssp(x, y)[0, 0])
    rows = []
    for name, cols in blocks.items():
        keep = [c for c in range(x.shape[1]) if c not in cols]
        ss = float(_residual_ssp(x[:, keep], y)[0, 0]) - sse
        f = (ss / len(cols)) / (sse / df_res)
        rows.append(dict(visit=visit, source=name, SS=ss, df=len(cols), F=f, p=float(stats.f.sf(f, len(cols), df_res))))
    rows.append(dict(visit=visit, source="Residuals", SS=sse, df=df_res, F=np.nan, p=np.nan))
    terms = pd.DataFrame(rows, columns=TERMS_COLUMNS)

    xtx_inv = np.linalg.pinv(x.T @ x)
    beta = xtx_inv @ x.T @ y[:, 0]
    s2 = sse / df_res
    strata = sorted(w[between[0]].astype(str).unique()) if len(between) > 1 else []

    def differences(cell: Mapping[str, str]) -> np.ndarray:
        """One row of ``L`` per comparison: the difference of the two arms' design rows in ``cell``."""
        return np.array(
            [
                _cell_row(w, between, x, {**cell, "arm": a}, k) - _cell_row(w, between, x, {**cell, "arm": b}, k)
                for a, b in comparisons
            ]
        )

    groups = {s: differences({between[0]: s}) for s in strata} if adjust.stratum_by_arm else {}
    # additive strata: the arm differences are the same in each stratum (its first one is used)
    groups["all"] = (
        np.mean(list(groups.values()), axis=0) if groups else differences({between[0]: strata[0]} if strata else {})
    )
    eff = [
        {"visit": visit, "stratum": s} | r
        for s, L in groups.items()
        for r in family.rows(comparisons, L @ beta, s2 * L @ xtx_inv @ L.T, df_res, level)
    ]
    return terms, pd.DataFrame(eff).rename(columns={"p_unc": "p"})[EFFECT_COLUMNS]


def _cell_row(w: pd.DataFrame, between: Sequence[str], x: np.ndarray, cell: Mapping[str, str], k: int) -> np.ndarray:
    """Design row of a between cell (the ``k`` covariate columns set to 0: they cancel in contrasts)."""
    hit = np.ones(len(w), bool)
    for f, level in cell.items():
        hit &= (w[f].astype(str) == str(level)).to_numpy()
    if not hit.any():
        raise ValueError(f"ANCOVA: no subject in cell {dict(cell)}")
    row = x[np.flatnonzero(hit)[0]].copy()
    row[1 : 1 + k] = 0.0
    return row


def ancova(
    data: pd.DataFrame,
    dv: str,
    design: Design,
    level: float = 0.95,
    adjust: Adjustment | None = None,
    family: Family | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`fit` at every outcome visit of ``design`` (its between factors and arms), adjusted for
    its baseline: the baseline visit (then every later visit is an outcome) or a baseline column
    (then every visit is); the two tables stacked over visits. ``adjust`` adds covariates and says
    how the strata enter (default: the baseline alone, stratum x arm); ``family`` which arm
    comparisons are made and how they are adjusted.

    Raises
    ------
    ValueError
        When the design has no baseline (``design.baseline: none``): the ANCOVA is not offered.
    """
    adjust, family = adjust or Adjustment.of(design), family or Family()
    parts = [
        fit(
            data,
            dv,
            design.between,
            design.comparisons(family.pairwise),
            adjust=adjust,
            visit=t,
            level=level,
            family=family,
        )
        for t in design.follow_up
    ]
    return (pd.concat([p[0] for p in parts], ignore_index=True), pd.concat([p[1] for p in parts], ignore_index=True))
