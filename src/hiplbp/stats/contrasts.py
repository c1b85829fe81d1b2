"""Follow-up contrasts of the mixed design, model-based as emmeans on a multivariate model.

The multivariate linear model ``Y ~ stratum * arm`` (complete cases, one response per visit)
gives every visit its own residual variance and every pair of visits its own covariance. In it,
the difference of two arms at visit ``t`` in a cell contrast ``c`` is ``sum_g c_g mean_{g,t}``
with variance ``s_t^2 sum_g c_g^2 / n_g``, ``s_t^2`` the pooled within-cell variance of visit
``t`` on ``N - G`` df, and two comparisons covary by ``s_t^2 sum_g c_g d_g / n_g``; the
difference in change from baseline uses the pooled variance of ``y_t - y_baseline``. Each
visit's comparisons (every arm against control, or every pair) are a family adjusted as the
config says (:mod:`hiplbp.stats.multiplicity`); the whole outcome is also Holm-adjusted.

References
----------
Lenth RV (2023). emmeans: Estimated Marginal Means. R package.
Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6:65-70.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..trial.design import Design
from .anova import wide_complete
from .describe import basis_label
from .multiplicity import Family, step_down

CONTRAST_COLUMNS = [
    "contrast",
    "comparison",
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
    "p_adj",
    "ci_adj_low",
    "ci_adj_high",
    "adjust",
    "basis",
]


def holm(p: npt.ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p values; a missing p stays missing and is not counted in the family.

    :func:`~hiplbp.stats.multiplicity.step_down` does the adjustment; missing values are set aside
    first, as R's ``p.adjust`` does (the family size is the number of non-missing p).

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
        out[ok] = step_down(values[ok], "holm")
    return out


def _targets(design: Design, kind: str) -> list[tuple[str, list[str]]]:
    """What each row of one contrast kind compares the arms at: a visit label and the visits it
    averages over (the visit itself; with two within factors, also each level of each factor
    averaged over the other's, as ``emmeans(fit, ~ arm | phase)``)."""
    if kind == "change_difference":
        return [(v, [v]) for v in design.follow_up]
    return [(str(v), [str(v)]) for v in design.time_levels] + list(design.marginal_cells().items())


def visit_contrasts(
    data: pd.DataFrame,
    dv: str,
    design: Design,
    level: float = 0.95,
    basis: pd.Series | str = "data",
    family: Family | None = None,
) -> pd.DataFrame:
    """Arm comparisons at each visit and in change from baseline, per stratum and averaged.

    Parameters
    ----------
    data : DataFrame
        Canonical long table.
    dv : str
        Outcome.
    design : Design
        Its between factors (``["stratum", "arm"]`` or ``["arm"]``), arms and control, visits and
        baseline visit (:attr:`~hiplbp.trial.design.Design.baseline_visit`, which changes are
        measured from).
    level : float
        Confidence level.
    basis : Series or str
        What each value of ``data`` rests on (see :func:`hiplbp.stats.describe.cell_summary`); each row
        reports the labels of the values it uses.
    family : Family, optional
        Which comparisons (each arm against control, or every pair) and their adjustment; by
        default each arm against control, Dunnett.

    Returns
    -------
    DataFrame
        :data:`CONTRAST_COLUMNS`; ``contrast`` is ``difference`` (at a visit; with two within
        factors also at each level of each, averaged over the other: ``visit`` ``phase = fup``,
        :func:`~hiplbp.trial.design.marginal_label`) or, where the design
        has a baseline visit (:attr:`~hiplbp.trial.design.Design.changes_from`),
        ``change_difference`` (difference in change from baseline to the visit); ``comparison`` is
        ``"a - b"``; ``stratum`` is a stratum label or ``all`` (equally weighted average over
        strata). ``p_holm`` is Holm's adjustment over every row of the outcome; ``p_adj``,
        ``ci_adj_low`` and ``ci_adj_high`` are the family's method's (``adjust``) over the comparisons of one row's
        visit, stratum and contrast (emmeans' ``by`` group), unadjusted with two arms.
    """
    family = family or Family()
    between = design.between
    labelled = data.assign(_basis=basis)
    wide, _ = wide_complete(data, dv, "time", "subject", between)
    labelled = labelled[labelled["subject"].isin(wide.index)]
    strata_col = between[0] if len(between) > 1 else None
    cell_keys = list(between)
    sizes = wide.groupby(cell_keys, observed=True, sort=True).size()
    cells = [k if isinstance(k, tuple) else (k,) for k in sizes.index]
    n = sizes.to_numpy(float)
    df = int(n.sum() - len(cells))
    strata = sorted({c[0] for c in cells}) if strata_col else [None]
    comparisons = design.comparisons(family.pairwise)

    def weights(s: str | None, a: str, b: str) -> np.ndarray:
        in_s = [s is None or key[0] == s for key in cells]
        return np.array(
            [(key[-1] == a) - (key[-1] == b) if ok else 0.0 for key, ok in zip(cells, in_s, strict=True)], float
        )

    groups = {("all" if s is None else s): np.array([weights(s, a, b) for a, b in comparisons]) for s in strata}
    if strata_col:
        groups["all"] = np.mean([groups[s] for s in strata], axis=0)
    base = design.changes_from
    rows = []
    for kind in ("difference", "change_difference") if base is not None else ("difference",):
        for v, over in _targets(design, kind):
            y = wide[over].mean(axis=1) - (wide[base] if kind == "change_difference" else 0.0)
            means = y.groupby([wide[k] for k in cell_keys], observed=True, sort=True).mean().to_numpy()
            resid = y - y.groupby([wide[k] for k in cell_keys], observed=True).transform("mean")
            s2 = float((resid**2).sum() / df)
            visits = {*over, base} if kind == "change_difference" else set(over)
            at_visit = labelled[labelled["time"].astype(str).isin(visits)]
            for s, w in groups.items():
                used = at_visit if s == "all" else at_visit[at_visit[strata_col] == s]
                for (a, b), r in zip(
                    comparisons, family.rows(comparisons, w @ means, s2 * (w / n) @ w.T, df, level), strict=True
                ):
                    arms_used = used[used["arm"].isin([a, b])]
                    rows.append(
                        dict(contrast=kind, visit=str(v), stratum=s) | r | {"basis": basis_label(arms_used["_basis"])}
                    )
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p_unc"])
    return out[CONTRAST_COLUMNS]
