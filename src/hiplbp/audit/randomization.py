"""Randomization audit: allocation ratio, baseline balance and the paper's group labels.

Within each stratum the trial allocated patients to the treatment or the control arm; if that
allocation was simple 1:1 randomization, the number in the treatment arm is Binomial(n, 1/2). The
baseline table compares the arms within strata with the standardized mean difference (a stratum
may be a classification rather than randomized).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..stats.describe import strata_blocks


def allocation(
    subjects: pd.DataFrame, comparisons: Sequence[tuple[str, str]], strata: Sequence[str] = ()
) -> pd.DataFrame:
    """Allocation counts per stratum (and overall) and arm comparison, with an exact binomial test against 1:1.

    Parameters
    ----------
    subjects : DataFrame
        One row per subject with ``arm`` (and ``stratum`` when ``strata`` is given).
    comparisons : sequence of (str, str)
        The arm pairs ``(a, b)`` compared (:meth:`~hiplbp.trial.design.Design.comparisons`): in the
        columns, ``a`` is "treatment" and ``b`` "control".
    strata : sequence of str
        Stratum labels, in order; empty for a one-factor design.

    Returns
    -------
    DataFrame
        ``stratum, comparison, n, n_treatment, n_control, prop_treatment, p_binomial`` with
        ``stratum == "all"`` for the whole sample and ``n`` the pair's patients. ``p_binomial`` is
        the two-sided exact binomial test of ``n_treatment`` against ``p = 0.5`` (scipy's
        two-sided test: the sum of the probabilities of all counts no more likely than the
        observed one, as R's ``binom.test``). With more than two arms, equal allocation makes
        each pair's split binomial given the pair's total.

    Examples
    --------
    >>> s = pd.DataFrame({"stratum": ["u"] * 30, "arm": ["hip"] * 21 + ["ctl"] * 9})
    >>> round(float(allocation(s, [("hip", "ctl")], ["u"]).p_binomial[0]), 4)
    0.0428
    """
    groups = [(s, subjects[subjects["stratum"] == s]) for s in strata] if strata else []
    groups.append(("all", subjects))
    rows = []
    for name, g in groups:
        for a, b in comparisons:
            nt, nc = int((g["arm"] == a).sum()), int((g["arm"] == b).sum())
            n = nt + nc
            p = float(stats.binomtest(nt, n, 0.5).pvalue) if n else np.nan
            prop = nt / n if n else np.nan
            rows.append(
                dict(stratum=name, comparison=f"{a} - {b}", n=n, n_treatment=nt, n_control=nc, prop_treatment=prop)
                | {"p_binomial": p}
            )
    return pd.DataFrame(rows)


def smd(mean_t: float, sd_t: float, mean_c: float, sd_c: float) -> float:
    """Standardized mean difference with the average-variance denominator (as R's tableone).

    Notes
    -----
    ``(mean_t - mean_c) / sqrt((sd_t^2 + sd_c^2) / 2)`` (Austin 2009, Stat Med 28:3083).

    Examples
    --------
    >>> smd(1.0, 1.0, 0.0, 1.0)
    1.0
    """
    return float((mean_t - mean_c) / np.sqrt((sd_t**2 + sd_c**2) / 2.0))


#: The columns of :func:`baseline_table` (also when there is no baseline variable to compare).
BASELINE_COLUMNS = [
    "stratum",
    "comparison",
    "variable",
    "n_treatment",
    "mean_treatment",
    "sd_treatment",
    "n_control",
    "mean_control",
    "sd_control",
    "smd",
    "p",
    "kind",
]


def categorical_rows(
    subjects: pd.DataFrame,
    factors: Sequence[str],
    comparisons: Sequence[tuple[str, str]],
    strata: Sequence[str] = (),
) -> list[dict]:
    """Baseline rows of categorical variables: one per level, pair of arms and stratum.

    ``n_*`` is the number of patients of the arm at the level, ``mean_*`` its percentage of the
    arm's patients with a value; ``smd`` the standardized difference of the two proportions
    (``(p1 - p2) / sqrt((p1 (1 - p1) + p2 (1 - p2)) / 2)``, Austin 2009); ``p``, on the factor's first
    level only, Pearson's chi-square test of arm x level (with Yates' correction for a 2 x 2 table,
    as R's ``chisq.test`` and tableone).
    """
    rows = []
    for name, g in strata_blocks(subjects, strata):
        for (a, b), v in ((pair, v) for v in factors for pair in comparisons):
            t = g.loc[g["arm"] == a, v].dropna().astype(str)
            c = g.loc[g["arm"] == b, v].dropna().astype(str)
            levels = sorted(set(t) | set(c))
            table = np.array([[int((t == lv).sum()), int((c == lv).sum())] for lv in levels])
            usable = len(levels) > 1 and t.size > 0 and c.size > 0
            p = float(stats.chi2_contingency(table, correction=True).pvalue) if usable else np.nan
            for i, (lv, (nt, nc)) in enumerate(zip(levels, table, strict=True)):
                pt, pc = (nt / t.size if t.size else np.nan), (nc / c.size if c.size else np.nan)
                pooled = np.sqrt((pt * (1 - pt) + pc * (1 - pc)) / 2)
                rows.append(
                    dict(stratum=name, comparison=f"{a} - {b}", variable=f"{v}: {lv}", n_treatment=int(nt))
                    | dict(mean_treatment=100 * pt, sd_treatment=np.nan, n_control=int(nc), mean_control=100 * pc)
                    | dict(sd_control=np.nan, smd=(pt - pc) / pooled if pooled > 0 else np.nan)
                    | dict(p=p if i == 0 else np.nan, kind="categorical")
                )
    return rows


def baseline_table(
    subjects: pd.DataFrame,
    variables: Sequence[str],
    comparisons: Sequence[tuple[str, str]],
    strata: Sequence[str] = (),
    factors: Sequence[str] = (),
) -> pd.DataFrame:
    """Baseline comparison of each pair of arms compared, within each stratum.

    Parameters
    ----------
    subjects : DataFrame
        One row per subject with ``arm``, optional ``stratum`` and the ``variables``.
    variables : sequence of str
        Numeric baseline variables.
    comparisons, strata
        As in :func:`allocation`.
    factors : sequence of str
        Categorical baseline variables (:func:`categorical_rows`), after the numeric ones.

    Returns
    -------
    DataFrame
        ``stratum, comparison, variable, n_treatment, mean_treatment, sd_treatment, n_control,
        mean_control, sd_control, smd, p, kind`` (``p``: classical two-sample t-test, as tableone;
        ``kind``: ``continuous`` or ``categorical``).
    """
    rows = []
    for name, g in strata_blocks(subjects, strata):
        for (a, b), v in ((pair, v) for v in variables for pair in comparisons):
            t = g.loc[g["arm"] == a, v].dropna().astype(float)
            c = g.loc[g["arm"] == b, v].dropna().astype(float)
            row = dict(
                stratum=name,
                comparison=f"{a} - {b}",
                variable=v,
                n_treatment=t.size,
                mean_treatment=t.mean(),
                sd_treatment=t.std(ddof=1),
                n_control=c.size,
                mean_control=c.mean(),
                sd_control=c.std(ddof=1),
            )
            row["smd"] = (
                smd(row["mean_treatment"], row["sd_treatment"], row["mean_control"], row["sd_control"])
                if t.size > 1 and c.size > 1
                else np.nan
            )
            # as R's tableone for continuous variables: classical (equal-variance) t-test / ANOVA
            row["p"] = float(stats.ttest_ind(t, c).pvalue) if t.size > 1 and c.size > 1 else np.nan
            rows.append(row | {"kind": "continuous"})
    rows += categorical_rows(subjects, factors, comparisons, strata)
    return pd.DataFrame(rows, columns=BASELINE_COLUMNS)


def attrition(
    data: pd.DataFrame, outcomes: Sequence[str], time_levels: Sequence[str], strata: Sequence[str] = ()
) -> pd.DataFrame:
    """Subjects with each outcome observed, by stratum, arm and visit.

    Returns
    -------
    DataFrame
        ``stratum, arm, time, outcome, n_subjects, n_observed, n_missing`` where ``n_subjects`` is
        the number of subjects of the arm in the data (at any visit).
    """
    keys = (["stratum"] if strata else []) + ["arm"]
    rows = []
    for key, g in data.groupby(keys, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n_sub = g["subject"].nunique()
        for t in time_levels:
            at = g[g["time"].astype(str) == str(t)]
            for o in outcomes:
                obs = at.loc[at[o].notna(), "subject"].nunique()
                rows.append(
                    dict(zip(keys, key, strict=False))
                    | dict(time=str(t), outcome=o, n_subjects=n_sub, n_observed=obs, n_missing=n_sub - obs)
                )
    out = pd.DataFrame(rows)
    if not strata:
        out.insert(0, "stratum", "all")
    return out


#: Columns of :func:`label_consistency`.
LABEL_COLUMNS = [
    "group",
    "stratum",
    "printed_label",
    "printed_marker",
    "arm_by_label",
    "arm_by_marker",
    "consistent",
    "arm_used",
    "note",
]


def label_consistency(groups: pd.DataFrame | None, arm_from: str) -> pd.DataFrame:
    """Compare the arm each published group's printed label suggests with its footnote marker's.

    Parameters
    ----------
    groups : DataFrame
        From :func:`hiplbp.trial.published.read_groups`.
    arm_from : {"marker", "label"}
        The attribute the reconstruction follows (config ``reconstruction.arm_from``).

    Returns
    -------
    DataFrame
        ``group, stratum, printed_label, printed_marker, arm_by_label, arm_by_marker,
        consistent, arm_used, note`` (:data:`LABEL_COLUMNS`; empty without a trial).
    """
    if groups is None:
        return pd.DataFrame(columns=LABEL_COLUMNS)
    g = groups[["group", "stratum", "printed_label", "printed_marker", "arm_by_label", "arm_by_marker"]].copy()
    g["consistent"] = g["arm_by_label"] == g["arm_by_marker"]
    g["arm_used"] = g["arm_by_marker"] if arm_from == "marker" else g["arm_by_label"]
    g["note"] = np.where(
        g["consistent"],
        "label and footnote marker agree",
        "CONFLICT: the printed label says "
        + g["arm_by_label"]
        + " but the footnote marker says "
        + g["arm_by_marker"]
        + f"; this run follows the {arm_from} (reconstruction.arm_from)",
    )
    return g.reset_index(drop=True)
