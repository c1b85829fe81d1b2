"""The audit of a trial folder from its printed tables alone (any design the format describes).

Every check needs only what the paper prints (:mod:`hiplbp.trial.tables`) and what the trial's config
says about its measures (step and scale bounds):

- each printed mean and SD (outcomes per cell, with the cell's own n; continuous baseline
  characteristics): GRIM, and the exact consistency test where the scale's bounds are known
  (else GRIMMER);
- each printed percentage (categorical characteristics): can some count of the n give it;
- each reported F, t or chi-square: is the printed p within the range the printed statistic
  implies over its rounding and every denominator df the printed n allow
  (:func:`hiplbp.integrity.recompute_p`);
- the flow: analysed against randomised per group and visit;
- Carlisle & Loadsman's test of the baseline rows, within each stratum.

The verdicts and the table are those of :mod:`hiplbp.audit.verdicts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from ..integrity import percent_check, recompute_p
from ..text import plain
from ..trial.published import NOT_AVAILABLE, _summary_values
from ..trial.tables import Trial
from .baseline import carlisle_checks
from .cells import granularity_checks
from .verdicts import FINDING_COLUMNS, _row


def _groups(trial: Trial) -> pd.DataFrame:
    g = trial.groups
    return pd.DataFrame(
        {
            "group": g["group"],
            # an unstratified trial is one block, named "all" in the findings
            "stratum": (g["stratum"] if "stratum" in g else pd.Series("", index=g.index)).replace("", "all"),
            "n": g["n_analysed"].astype(int),
            "arm_by_marker": g["arm"] if "arm" in g else "",
        }
    )


def percent_checks(trial: Trial) -> list[dict]:
    """Each printed percentage of a categorical characteristic against its n (and count, if printed)."""
    rows: list[dict] = []
    n_group = trial.groups.set_index("group")["n_analysed"].astype(int)
    c = trial.characteristics
    if c.empty:
        return rows
    for r in c[(c["kind"] == "categorical") & (c["status"] != NOT_AVAILABLE)].itertuples():
        pct = getattr(r, "percent", "")
        if not pct:
            continue
        n = int(r.n) if str(getattr(r, "n", "")).isdigit() else int(n_group[r.group])
        count = getattr(r, "count", "") or None
        res = percent_check(pct, n, count)
        target = f"{r.variable} {r.category} {r.group}"
        # which n near the printed one would give the percentage (a header n that includes drop-outs)
        near = [m for m in range(max(n - 3, 1), n + 4) if m != n and percent_check(pct, m, count).consistent]
        rows.append(
            _row(
                "percent_consistency",
                target,
                f"{pct}%" + (f" ({count})" if count else ""),
                f"k / {n} for a whole k",
                verdict="pass" if res.consistent else "flag",
                explanation=(
                    f"{pct}% of {n} is {res.counts[0]} patient(s)."
                    if res.consistent
                    else f"No whole number of {n} patients is {pct}%"
                    + (f" together with the printed count {count}" if count else "")
                    + "; the percentage, the count or the n cannot all be right"
                    + (
                        f" (it is possible with n = {', '.join(map(str, near))}: perhaps the percentage was "
                        "computed on the patients analysed rather than the printed n)."
                        if near
                        else "."
                    )
                ),
            )
        )
    return rows


def _visits(trial: Trial, outcome: str) -> int:
    """Number of visits printed for an outcome (at least 2)."""
    return max(trial.outcomes.loc[trial.outcomes["outcome"] == outcome, "time"].nunique(), 2)


def _denominator_dfs(trial: Trial, outcome: str, within: bool, df1: float, k: int) -> list[tuple[float, float]]:
    """Every (df1, df2) a repeated-measures ANOVA of this outcome could have had, from the printed n."""
    o = trial.outcomes[trial.outcomes["outcome"] == outcome]
    g = trial.groups
    n_groups = len(g)
    totals = {int(g["n_analysed"].astype(int).sum())}
    if "n_randomised" in g and g["n_randomised"].str.isdigit().all():
        totals.add(int(g["n_randomised"].astype(int).sum()))
    if "n" in o and o["n"].str.isdigit().all():
        per_visit = o.assign(n=o["n"].astype(int)).groupby("time")["n"].sum()
        totals |= set(int(x) for x in per_visit)
    return [(df1, (k - 1) * (t - n_groups) if within else t - n_groups) for t in sorted(totals) if t > n_groups]


def reported_statistic_checks(trial: Trial, within_effect: str = "time") -> list[dict]:
    """Each reported F, t or chi-square recomputed from its printed statistic, df and p.

    Parameters
    ----------
    within_effect : str
        A word (case-insensitive) that marks an effect as within-subject (its df are multiplied
        by the number of visits minus one, and may carry a sphericity correction).
    """
    rows: list[dict] = []
    t = trial.tests
    if t.empty:
        return rows
    # a printed difference (an effect estimate) is not a test statistic: the band rule checks it
    for r in t[t["test"].isin(["F", "t", "chi2"]) & (t["status"] != NOT_AVAILABLE)].itertuples():
        if not r.statistic:
            continue
        printed_df = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", str(r.df_as_printed))]
        within = within_effect.lower() in str(r.effect).lower()
        k = _visits(trial, r.outcome)
        if len(printed_df) >= 2:
            dfs = [(printed_df[0], printed_df[1])]
        else:
            df1 = printed_df[0] if printed_df else 1.0
            dfs = _denominator_dfs(trial, r.outcome, within, df1, k)
        eps = (1.0 / (k - 1), 1.0) if within and r.test == "F" else (1.0, 1.0)
        res = recompute_p(r.test, r.statistic, dfs, r.p_as_printed, epsilon=eps)
        df_text = ", ".join(f"({a:g}, {b:g})" for a, b in dfs)
        verdict = "not_applicable" if res.consistent is None else ("pass" if res.consistent else "flag")
        rows.append(
            _row(
                "reported_statistic",
                f"{r.outcome}: {r.effect}",
                f"{r.test} = {r.statistic}, p {r.p_as_printed}",
                f"p in [{plain(res.p_low)}, {plain(res.p_high)}]",
                p=res.p_high,
                verdict=verdict,
                explanation=res.explanation
                + f" Degrees of freedom considered: {df_text}"
                + (" with any sphericity correction" if eps != (1.0, 1.0) else "")
                + (
                    "."
                    if res.consistent is not False
                    else "; a printed p that no allowed df gives is a question "
                    "for the authors (often a typo or a p from another test)."
                ),
            )
        )
    return rows


def flow_checks(trial: Trial) -> list[dict]:
    """Analysed against randomised per group and visit (more analysed than randomised is impossible)."""
    rows: list[dict] = []
    g = trial.groups.set_index("group")
    if "n_randomised" not in g or trial.outcomes.empty or "n" not in trial.outcomes:
        return rows
    o = trial.outcomes[trial.outcomes["n"].str.isdigit()]
    for (grp, time), cell in o.groupby(["group", "time"], sort=False):
        randomised = g.loc[grp, "n_randomised"]
        if not str(randomised).isdigit():
            continue
        analysed = int(cell["n"].astype(int).max())
        lost = int(randomised) - analysed
        rows.append(
            _row(
                "n_reconciliation",
                f"{grp} at {time}",
                str(analysed),
                f"<= {randomised} randomised",
                statistic=lost,
                verdict="flag" if lost < 0 else "pass",
                explanation=(
                    f"{analysed} analysed of {randomised} randomised ({lost} not analysed at this visit)."
                    if lost >= 0
                    else f"{analysed} analysed but only {randomised} randomised: the counts cannot both be right."
                ),
            )
        )
    return rows


def audit_trial(
    trial: Trial,
    *,
    granularity: Mapping[str, float | str],
    bounds: Mapping[str, tuple[float, float]],
    seed: int,
    draws: int = 100_000,
    within_effect: str = "time",
) -> pd.DataFrame:
    """Every check a trial folder's printed tables allow, as a findings table.

    Parameters
    ----------
    trial : Trial
        From :func:`hiplbp.trial.tables.read_trial`.
    granularity : mapping
        Measure -> step of one value (GRIM and the exact test run only on these).
    bounds : mapping
        Measure -> (min, max) of its scale (the exact test needs them; else GRIMMER).
    seed, draws : int
        Carlisle's Monte Carlo.
    within_effect : str
        The word that marks a reported effect as within-subject (see :func:`reported_statistic_checks`).

    Returns
    -------
    DataFrame
        :data:`hiplbp.audit.verdicts.FINDING_COLUMNS`.
    """
    n_by_group = trial.groups.set_index("group")["n_analysed"].astype(int).to_dict()
    outcomes = _summary_values(trial.outcomes, trial.folder / "outcomes.csv")
    rows = granularity_checks(outcomes, n_by_group, granularity, bounds)
    c = trial.characteristics
    if not c.empty:
        continuous = _summary_values(c[c["kind"] == "continuous"].reset_index(drop=True), trial.folder)
        rows += granularity_checks(continuous, n_by_group, granularity, bounds)
        baseline = continuous[continuous["status"] != NOT_AVAILABLE][["variable", "group", "mean", "sd"]]
        rows += carlisle_checks(_groups(trial), baseline, seed=seed, draws=draws)
    rows += percent_checks(trial) + reported_statistic_checks(trial, within_effect) + flow_checks(trial)
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
