"""The audit of a trial folder from its printed tables alone (any design the format describes).

Every check needs only what the paper prints (:mod:`hiplbp.trial.tables`) and what the trial's config
says about its measures (step and scale bounds):

- each printed mean and SD (outcomes per cell, with the cell's own n; continuous baseline
  characteristics): GRIM, and the exact consistency test where the scale's bounds are known
  (else GRIMMER);
- each printed percentage (categorical characteristics): can some count of the n give it;
- each reported F, t or chi-square: is the printed p within the range the printed statistic
  implies over its rounding and its printed df, or every df the printed n allow
  (:mod:`hiplbp.audit.reported`);
- the flow: analysed against randomised per group and visit;
- Carlisle & Loadsman's test of the baseline rows, within each stratum.

The verdicts and the table are those of :mod:`hiplbp.audit.verdicts`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from ..integrity import percent_check
from ..trial.published import NOT_AVAILABLE, _summary_values
from ..trial.tables import Trial
from .baseline import carlisle_checks, carlisle_variables
from .cells import granularity_checks
from .reported import reported_statistic_checks
from .table1 import baseline_p_checks
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
        if lost < 0:
            rows[-1]["severity"] = "impossible"  # more analysed than randomised: no flow gives it
    return rows


def audit_trial(
    trial: Trial,
    *,
    granularity: Mapping[str, float | str],
    bounds: Mapping[str, tuple[float, float]],
    seed: int,
    draws: int = 100_000,
    within_names: Collection[str] | None = None,
    baseline: str | None = None,
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
    within_names : collection of str, optional
        The within-subject factors by the names the tables print; ``None`` (not declared): each
        reported effect is tried as both (:func:`hiplbp.audit.reported.reported_statistic_checks`).
    baseline : str, optional
        The baseline visit, whose outcome rows Carlisle's method combines with the characteristics
        (:func:`hiplbp.audit.baseline.carlisle_variables`); each outcome's first printed visit by default.

    Returns
    -------
    DataFrame
        :data:`hiplbp.audit.verdicts.FINDING_COLUMNS`.
    """
    n_by_group = trial.groups.set_index("group")["n_analysed"].astype(int).to_dict()
    outcomes = _summary_values(trial.outcomes, trial.folder / "outcomes.csv")
    rows = granularity_checks(outcomes, n_by_group, granularity, bounds)
    c = trial.characteristics
    continuous = _summary_values(c[c["kind"] == "continuous"].reset_index(drop=True), trial.folder)
    rows += granularity_checks(continuous, n_by_group, granularity, bounds)
    base = carlisle_variables(continuous, outcomes, baseline)
    rows += carlisle_checks(_groups(trial), base, seed=seed, draws=draws)
    rows += baseline_p_checks(c, n_by_group)
    rows += percent_checks(trial) + reported_statistic_checks(trial, within_names) + flow_checks(trial)
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
