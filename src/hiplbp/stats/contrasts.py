"""Follow-up contrasts of the mixed design, model-based as emmeans on a multivariate model.

The multivariate linear model ``Y ~ stratum * arm`` (complete cases, one response per visit)
gives every visit its own residual variance and every pair of visits its own covariance. In it,
the treatment - control difference at visit ``t`` in a cell contrast ``c`` is
``sum_g c_g mean_{g,t}`` with variance ``s_t^2 sum_g c_g^2 / n_g``, ``s_t^2`` the pooled
within-cell variance of visit ``t`` on ``N - G`` df; the difference in change from baseline uses
the pooled variance of ``y_t - y_baseline``. The family (every contrast of one outcome) is
Holm-adjusted; intervals are unadjusted 95 % t intervals.

References
----------
Lenth RV (2023). emmeans: Estimated Marginal Means. R package.
Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6:65-70.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ..trial.design import Design
from .anova import wide_complete
from .describe import basis_label

CONTRAST_COLUMNS = [
    "contrast",
    "visit",
    "stratum",
    "estimate",
    "se",
    "df",
    "t",
    "p_unc",
    "p_holm",
    "ci_low",
    "ci_high",
    "basis",
]


def holm(p: npt.ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p values; a missing p stays missing and is not counted in the family.

    statsmodels' ``multipletests(method="holm")`` does the adjustment; it does not accept missing
    values, so they are set aside first, as R's ``p.adjust`` does (the family size is the number of
    non-missing p).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    >>> [round(float(x), 2) for x in holm([0.52, np.nan, 0.10, 0.30, 0.14])]
    [0.6, nan, 0.4, 0.6, 0.42]
    """
    values = np.asarray(p, float)
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    if ok.any():
        out[ok] = multipletests(values[ok], method="holm")[1]
    return out


def visit_contrasts(
    data: pd.DataFrame, dv: str, design: Design, level: float = 0.95, basis: pd.Series | str = "data"
) -> pd.DataFrame:
    """Treatment - control at each visit and in change from baseline, per stratum and averaged.

    Parameters
    ----------
    data : DataFrame
        Canonical long table.
    dv : str
        Outcome.
    design : Design
        Its between factors (``["stratum", "arm"]`` or ``["arm"]``), arms, visits and baseline visit
        (:attr:`~hiplbp.trial.design.Design.baseline_visit`, which changes are measured from).
    level : float
        Confidence level.
    basis : Series or str
        What each value of ``data`` rests on (see :func:`hiplbp.stats.describe.cell_summary`); each row
        reports the labels of the values it uses.

    Returns
    -------
    DataFrame
        :data:`CONTRAST_COLUMNS`; ``contrast`` is ``difference`` (at a visit) or, where the design
        has a baseline visit (:attr:`~hiplbp.trial.design.Design.changes_from`),
        ``change_difference`` (difference in change from baseline to the visit); ``stratum`` is a
        stratum label or ``all`` (equally weighted average over strata).
    """
    between, arms, time_levels = design.between, design.arms, design.time_levels
    labelled = data.assign(_basis=basis)
    wide, _ = wide_complete(data, dv, "time", "subject", between)
    labelled = labelled[labelled["subject"].isin(wide.index)]
    strata_col = between[0] if len(between) > 1 else None
    cell_keys = list(between)
    sizes = wide.groupby(cell_keys, observed=True, sort=True).size()
    cells = [k if isinstance(k, tuple) else (k,) for k in sizes.index]
    n_cells = len(cells)
    n = sizes.to_numpy(float)
    df = int(n.sum() - n_cells)
    strata = sorted({c[0] for c in cells}) if strata_col else [None]
    weights = {}
    for s in strata:
        w = np.zeros(n_cells)
        for i, key in enumerate(cells):
            if (s is None or key[0] == s) and key[-1] == arms["treatment"]:
                w[i] = 1.0
            elif (s is None or key[0] == s) and key[-1] == arms["control"]:
                w[i] = -1.0
        weights["all" if s is None else s] = w
    if strata_col:
        weights["all"] = np.mean([weights[s] for s in strata], axis=0)
    base = design.changes_from
    t_crit = stats.t.ppf(0.5 + level / 2, df)
    rows = []
    for kind in ("difference", "change_difference") if base is not None else ("difference",):
        for v in design.follow_up if kind == "change_difference" else time_levels:
            y = wide[str(v)] - (wide[base] if kind == "change_difference" else 0.0)
            means = y.groupby([wide[k] for k in cell_keys], observed=True, sort=True).mean().to_numpy()
            resid = y - y.groupby([wide[k] for k in cell_keys], observed=True).transform("mean")
            s2 = float((resid**2).sum() / df)
            for s, w in weights.items():
                est = float(w @ means)
                se = float(np.sqrt(s2 * np.sum(w**2 / n)))
                t = est / se
                visits = {str(v), base} if kind == "change_difference" else {str(v)}
                used = labelled[labelled["time"].astype(str).isin(visits)]
                if s != "all":
                    used = used[used[strata_col] == s]
                rows.append(
                    dict(
                        contrast=kind,
                        visit=str(v),
                        stratum=s,
                        estimate=est,
                        se=se,
                        df=df,
                        t=t,
                        p_unc=float(2 * stats.t.sf(abs(t), df)),
                        ci_low=est - t_crit * se,
                        ci_high=est + t_crit * se,
                        basis=basis_label(used["_basis"]),
                    )
                )
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p_unc"])
    return out[CONTRAST_COLUMNS]
