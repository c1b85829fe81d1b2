"""The paper's own analysis, replayed from its printed summaries and from the reconstruction.

Papers often report group means and SDs and claims of significance, not test statistics.
Where a test has a closed form in the summaries (one-way ANOVA among the groups at a visit),
it is recomputed exactly; where it needs the unreported within-subject correlation (within-group
change over time), it is computed at the configured correlation and the correlation the claim
implies is given. Every printed number and claim becomes one row of ``published_vs_reproduced``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from .published import NOT_AVAILABLE, decimals, rounds_to
from .reconstruct import target_cells
from .sensitivity import paired_t, paired_t_threshold

REPLAY_COLUMNS = ["item", "published", "reproduced", "decimals", "match", "note"]
UNREACHED = "not reached by this reconstruction: rounding to the measurement unit moved it (see reconstruction_check)"

#: Claims of the paper whose data were not recovered (hip range of motion was not printed in a
#: recoverable form): listed as not available by the replay and not applicable by the audit.
UNRECOVERED_CLAIMS = {
    "hip ROM limitation greater in the instability group": "hip range of motion was not recovered from the paper"
}


def oneway_from_summaries(n: npt.ArrayLike, means: npt.ArrayLike, sds: npt.ArrayLike) -> tuple[float, int, int, float]:
    """One-way ANOVA F test from group sizes, means and SDs.

    Notes
    -----
    ``SS_between = sum n_i (m_i - m)^2`` with ``m`` the size-weighted grand mean,
    ``SS_within = sum (n_i - 1) s_i^2``; ``F = (SS_b / (g - 1)) / (SS_w / (N - g))``.

    Returns
    -------
    (F, df1, df2, p)

    Examples
    --------
    >>> f, d1, d2, p = oneway_from_summaries([3, 3], [1.0, 2.0], [1.0, 1.0])
    >>> round(f, 4), d1, d2
    (1.5, 1, 4)
    """
    ns, m, s = (np.asarray(a, float) for a in (n, means, sds))
    grand = np.sum(ns * m) / ns.sum()
    ssb, ssw = float(np.sum(ns * (m - grand) ** 2)), float(np.sum((ns - 1) * s**2))
    df1, df2 = len(ns) - 1, int(ns.sum() - len(ns))
    f = (ssb / df1) / (ssw / df2)
    return f, df1, df2, float(stats.f.sf(f, df1, df2))


def published_cells(
    groups: pd.DataFrame,
    summary: pd.DataFrame,
    outcome: str,
    time_levels: Sequence[str],
    arms: Mapping[str, str],
    arm_from: str,
    assumptions: Sequence[Mapping],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The four published groups as cell summaries, unprinted cells filled from assumptions.

    Returns
    -------
    cells : DataFrame
        ``group, stratum, arm, n, mean_<visit>, sd_<visit>`` (stratum and arm labels as the
        reconstructed data use them).
    assumed : DataFrame
        ``cell`` (row of ``cells``), ``group`` and ``time`` of every assumed cell.
    """
    targets = target_cells(summary, assumptions, outcome)
    rows, assumed = [], []
    for i, g in enumerate(groups.itertuples(index=False)):
        arm = arms[g.arm_by_marker if arm_from == "marker" else g.arm_by_label]
        row = dict(group=g.group, stratum=g.stratum_label, arm=arm, n=int(g.n))
        t = targets[targets.group == g.group].set_index("time")
        for v in time_levels:
            row[f"mean_{v}"], row[f"sd_{v}"] = t.loc[v, "mean"], t.loc[v, "sd"]
            if t.loc[v, "basis"] == "assumed":
                assumed.append(dict(cell=i, group=g.group, time=v))
        rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(assumed, columns=["cell", "group", "time"])


def summary_claims(
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    *,
    outcome: str,
    time_levels: Sequence[str],
    correlation: float,
    alpha: float,
) -> pd.DataFrame:
    """The paper's claim that every group improved, tested from the summaries, one row per group x visit.

    Returns
    -------
    DataFrame
        ``item`` (the claim in words), ``group``, ``visit``, ``t``, ``df``, ``p`` (paired t at the
        assumed ``correlation``), ``threshold`` (the correlation from which the change is
        significant, :func:`hiplbp.sensitivity.paired_t_threshold`), ``decreased`` (lower and
        significant at ``alpha``) and ``assumed`` (the follow-up cell was not printed).
    """
    base = time_levels[0]
    assumed_keys = {(a.group, a.time) for a in assumed.itertuples()}
    rows = []
    for t in time_levels[1:]:
        for c in cells.itertuples():
            m0, s0, m1, s1 = (
                getattr(c, f"mean_{base}"),
                getattr(c, f"sd_{base}"),
                getattr(c, f"mean_{t}"),
                getattr(c, f"sd_{t}"),
            )
            tval, p = paired_t(c.n, m0, s0, m1, s1, correlation)
            rows.append(
                dict(
                    item=f"{outcome} of {c.group} decreased significantly, {base} to {t}",
                    group=c.group,
                    visit=t,
                    t=tval,
                    df=c.n - 1,
                    p=p,
                    threshold=paired_t_threshold(c.n, m0, s0, m1, s1, alpha),
                    decreased=bool(m1 < m0 and p < alpha),
                    assumed=(c.group, t) in assumed_keys,
                )
            )
    return pd.DataFrame(rows)


def summary_comparisons(cells: pd.DataFrame, assumed: pd.DataFrame, time_levels: Sequence[str]) -> pd.DataFrame:
    """One-way ANOVA among the groups at each visit, from the summaries (:func:`oneway_from_summaries`).

    Returns
    -------
    DataFrame
        ``item, visit, F, df1, df2, p, assumed`` (``assumed``: some cell of that visit was not printed).
    """
    rows = []
    for t in time_levels:
        f, d1, d2, p = oneway_from_summaries(cells.n, cells[f"mean_{t}"], cells[f"sd_{t}"])
        rows.append(
            dict(
                item=f"comparison among four groups at {t} (one-way ANOVA from summaries)",
                visit=t,
                F=f,
                df1=d1,
                df2=d2,
                p=p,
                assumed=bool((assumed["time"] == t).any()),
            )
        )
    return pd.DataFrame(rows)


def _fmt_match(reproduced: float, published_text: str) -> tuple[bool, int]:
    d = decimals(published_text) or 0
    return rounds_to(reproduced, float(published_text), d), d


def published_vs_reproduced(
    groups: pd.DataFrame,
    summaries: pd.DataFrame,
    characteristics: pd.DataFrame,
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    *,
    outcome: str,
    time_levels: Sequence[str],
    correlation: float,
    alpha: float,
    raw: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every printed number and claim of the paper against its reproduction.

    Parameters
    ----------
    groups, summaries, characteristics : DataFrame
        Published tables (:mod:`hiplbp.published`).
    cells, assumed : DataFrame
        From :func:`published_cells`.
    outcome : str
        Outcome name (e.g. ``pain``).
    time_levels : sequence of str
        Visits; the first is baseline.
    correlation : float
        Assumed within-subject correlation for tests that need it.
    alpha : float
        Significance level for claims.
    raw : DataFrame, optional
        Reconstructed individual data (wide); adds the table cells recomputed from it.

    Returns
    -------
    DataFrame
        ``item, published, reproduced, decimals, match, note``. ``match`` compares at the
        printed precision (numbers) or the direction of the claim (significance); it is empty
        where the paper printed nothing to compare.
    """
    rows = []
    if raw is not None:
        for r in characteristics.itertuples():
            v = raw.loc[raw.published_group == r.group, r.variable].astype(float)
            for stat, text, val in (("mean", r.mean, v.mean()), ("SD", r.sd, v.std(ddof=1))):
                ok, d = _fmt_match(val, text)
                note = (
                    ""
                    if ok
                    else (
                        "derived per patient as weight/height^2; the printed BMI is not a target"
                        if r.variable == "bmi"
                        else UNREACHED
                    )
                )
                rows.append(
                    dict(
                        item=f"Table 1 {r.variable} {stat} {r.group}",
                        published=text,
                        reproduced=val,
                        decimals=d,
                        match=ok,
                        note=note,
                    )
                )
        for r in summaries[summaries.outcome == outcome].itertuples():
            v = raw.loc[raw.published_group == r.group, f"{outcome}_{r.time}"].astype(float)
            for stat, text, val in (("mean", r.mean, v.mean()), ("SD", r.sd, v.std(ddof=1))):
                if r.status == NOT_AVAILABLE:
                    rows.append(
                        dict(
                            item=f"Table 2 {outcome} {stat} {r.group} {r.time}",
                            published="not_available",
                            reproduced=val,
                            decimals=np.nan,
                            match=None,
                            note="not printed; the reconstruction uses the configured assumption",
                        )
                    )
                    continue
                ok, d = _fmt_match(val, text)
                rows.append(
                    dict(
                        item=f"Table 2 {outcome} {stat} {r.group} {r.time}",
                        published=text,
                        reproduced=val,
                        decimals=d,
                        match=ok,
                        note="" if ok else UNREACHED,
                    )
                )
    claims = summary_claims(
        cells, assumed, outcome=outcome, time_levels=time_levels, correlation=correlation, alpha=alpha
    )
    base = time_levels[0]
    for c in claims.itertuples():
        note = (
            f"paired t from the summaries at the assumed correlation {correlation}: t({c.df}) = {c.t:.2f}; "
            f"the claim holds for any correlation >= {c.threshold:.3f}"
            if np.isfinite(c.threshold)
            else "the claim holds for every correlation"
            if c.threshold == -np.inf
            else "the claim fails for every correlation"
        )
        if c.assumed:
            note = "week cell not printed (assumption): " + note
        if raw is not None:
            pair = raw.loc[raw.published_group == c.group, [f"{outcome}_{base}", f"{outcome}_{c.visit}"]].astype(float)
            paired = stats.ttest_rel(pair.iloc[:, 0], pair.iloc[:, 1])
            note += f"; reconstructed data: paired t = {paired.statistic:.2f}, p = {paired.pvalue:.3g}"
        rows.append(
            dict(
                item=f"claim: {c.item}",
                published="significant decrease",
                reproduced=c.p,
                decimals=np.nan,
                match=bool(c.decreased),
                note=note,
            )
        )
    for c in summary_comparisons(cells, assumed, time_levels).itertuples():
        note = (
            f"F({c.df1}, {c.df2}) = {c.F:.3f}, closed form from n, means, SDs; the paper's statistic and the legend "
            "of its '*' marks were not recovered" + ("; uses assumed cells" if c.assumed else "")
        )
        if raw is not None:
            res = stats.f_oneway(
                *[raw.loc[raw.published_group == g, f"{outcome}_{c.visit}"].astype(float) for g in cells.group]
            )
            note += f"; reconstructed data: F = {res.statistic:.3f}, p = {res.pvalue:.3g}"
        rows.append(
            dict(item=c.item, published="not_available", reproduced=c.p, decimals=np.nan, match=None, note=note)
        )
    rows += [
        dict(
            item=f"claim: {claim}", published="not_available", reproduced=np.nan, decimals=np.nan, match=None, note=why
        )
        for claim, why in UNRECOVERED_CLAIMS.items()
    ]
    return pd.DataFrame(rows, columns=REPLAY_COLUMNS)
