"""Baseline balance: Carlisle & Loadsman's test of printed baseline rows, and the checks of individual data."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from scipy import stats

from ..integrity import carlisle_p, stouffer
from ..seeds import derive_seed
from ..trial.published import NOT_AVAILABLE
from .verdicts import FINDING_COLUMNS, _row


def allocation_row(target: str, n_treatment: int, n: int, p: float, explanation: str) -> dict:
    """The exact binomial test of ``n_treatment`` of ``n`` against 1:1, as a findings row (flag below .05)."""
    return _row(
        "allocation_ratio",
        target,
        f"{n_treatment}:{n - n_treatment}",
        "1:1",
        statistic=n_treatment / n,
        p=p,
        verdict="flag" if p < 0.05 else "pass",
        explanation=explanation,
    )


def _combined_row(target: str, k: int, z: float, p_diff: float, p_sim: float, explanation: str) -> dict:
    """The Stouffer combination of ``k`` baseline p values as a two-sided test: ``p`` is twice the
    smaller tail (too different or too alike), flagged below .05, so that an honest trial is flagged
    at most 5 % of the time (a tail below .05 alone would flag 10 %)."""
    p = min(1.0, 2 * min(p_diff, p_sim))
    return _row(
        "carlisle",
        target,
        f"{k} variables",
        "",
        statistic=z,
        p=p,
        verdict="flag" if p < 0.05 else "pass",
        explanation=explanation,
    )


def _baseline_label(variable: str) -> str:
    """'Baseline age', but 'Pain at baseline' rather than 'Baseline pain at baseline'."""
    return variable[:1].upper() + variable[1:] if "baseline" in variable else f"Baseline {variable}"


#: Variables computed from others when all of them are printed: left out of Carlisle's method,
#: whose combination assumes independent variables (BMI from weight and height).
DERIVED = {"bmi": ("weight", "height")}


def carlisle_variables(
    characteristics: pd.DataFrame, outcomes: pd.DataFrame, baseline: str | None = None
) -> pd.DataFrame:
    """The baseline rows Carlisle's method combines, one definition for a trial's run and its screen.

    Every continuous baseline characteristic printed with a mean and an SD for its groups, and each
    outcome at the baseline visit (``baseline``; ``None``: each outcome's first printed visit, where
    papers print the baseline), each with its own printed n where the table gives one. A derived
    variable (:data:`DERIVED`: BMI) is left out when the variables it is computed from are printed.
    Categorical characteristics are not combined (the method is for means and SDs).

    Parameters
    ----------
    characteristics, outcomes : DataFrame
        The continuous characteristics and the outcome cells as :func:`hiplbp.trial.published.read_summary`
        reads them (text ``mean``, ``sd``, ``status`` and ``n``).
    baseline : str, optional
        The baseline visit's label.

    Returns
    -------
    DataFrame
        ``variable, group, mean, sd, n`` (``n`` text, empty where the table prints none).
    """
    c = characteristics.assign(n=characteristics.get("n", ""))
    rows = c[(c["status"] != NOT_AVAILABLE) & (c["sd"].astype(str) != "")][["variable", "group", "mean", "sd", "n"]]
    present = set(rows["variable"])
    rows = rows[[not (v in DERIVED and set(DERIVED[v]) <= present) for v in rows["variable"]]]
    o = outcomes.assign(n=outcomes.get("n", ""))
    o = o[(o["status"] != NOT_AVAILABLE) & (o["sd"].astype(str) != "")]
    first = o.groupby("outcome", sort=False)["time"].transform("first")
    at = o[o["time"] == (baseline if baseline is not None else first)]
    at = at.assign(variable=at["outcome"] + " at " + at["time"])[["variable", "group", "mean", "sd", "n"]]
    return pd.concat([rows, at], ignore_index=True).fillna("")


#: The target of the combination over every stratum of a stratified trial.
TRIAL_BLOCK = "all strata"


def _combination(target: str, ps: list[float]) -> dict:
    """Stouffer's combination of baseline p values, as a findings row (flag when a tail is below .05)."""
    z, p_diff, p_sim = stouffer(ps)
    flag = 2 * min(p_diff, p_sim) < 0.05
    return _combined_row(
        target,
        len(ps),
        z,
        p_diff,
        p_sim,
        f"Combining the baseline p values (Stouffer): too different p = {p_diff:.3f}, too similar p = {p_sim:.3f}; "
        f"two-sided p = {min(1.0, 2 * min(p_diff, p_sim)):.3f}. "
        + (
            "The arms are less alike (or more alike) than random allocation usually gives; worth asking how "
            "allocation was done."
            if flag
            else "The baseline differences look like what random allocation gives."
        )
        + " The method assumes independent variables; one computed from others (such as an index from its parts) "
        "is not.",
    )


def carlisle_checks(groups: pd.DataFrame, summaries: pd.DataFrame, *, seed: int, draws: int = 100_000) -> list[dict]:
    """Carlisle's method within each stratum: per-variable p, combined in both tails.

    Parameters
    ----------
    summaries : DataFrame
        ``variable, group, mean, sd`` (text) and optionally ``n``: :func:`carlisle_variables`. A
        row's own n is used where printed, else its group's.
    seed : int
        Config seed; each variable's Monte Carlo derives its own.

    Returns
    -------
    list of dict
        A row per stratum and variable, each stratum's combination (Stouffer, both tails) and,
        with more than one stratum, the combination of them all (:data:`TRIAL_BLOCK`): the trial's
        one Carlisle p, which its screen row gives too.
    """
    rows: list[dict] = []
    everything: list[float] = []
    blocks = 0
    for stratum, gs in groups.groupby("stratum", sort=False):
        if len(gs) != 2:
            continue
        gs = gs.sort_values("arm_by_marker", ascending=False)
        ps = []
        for var in summaries["variable"].unique():
            t = summaries[summaries["variable"] == var].set_index("group")
            if not set(gs["group"]) <= set(t.index):
                continue
            own = t["n"] if "n" in t else pd.Series("", index=t.index)
            sizes = [
                int(own[g]) if str(own[g]).isdigit() else int(n) for g, n in zip(gs["group"], gs["n"], strict=True)
            ]
            p = carlisle_p(
                sizes,
                [t.loc[g, "mean"] for g in gs["group"]],
                [t.loc[g, "sd"] for g in gs["group"]],
                draws=draws,
                seed=derive_seed(seed, "carlisle", stratum, var),
            )
            ps.append(p)
            rows.append(
                _row(
                    "carlisle",
                    f"{stratum}: {var}",
                    "",
                    "uniform p under randomization",
                    p=p,
                    verdict="pass",
                    explanation=f"{_baseline_label(var)} of the two arms: p = {p:.3f}, how often two randomly "
                    "allocated groups, with means rounded as printed, differ at least this "
                    "much (Carlisle & Loadsman's Monte Carlo).",
                )
            )
        if ps:
            rows.append(_combination(f"{stratum}: combined", ps))
            everything += ps
            blocks += 1
    if blocks > 1:
        # the trial's one Carlisle p, which its screen row gives too: every stratum's variables
        rows.append(_combination(f"{TRIAL_BLOCK}: combined", everything))
    return rows


def data_findings(
    subjects: pd.DataFrame,
    variables: Sequence[str],
    comparisons: Sequence[tuple[str, str]],
    strata: Sequence[str],
    *,
    synthetic: bool,
) -> pd.DataFrame:
    """Allocation ratio and Carlisle's method on individual data (one row per subject at baseline).

    With individual values nothing is rounded, so each variable's p is exact: the one-way ANOVA of
    the arms compared (``comparisons``; with two arms the pooled t-test, the p tableone prints,
    which is also what :func:`hiplbp.integrity.carlisle_p` gives without rounding). The allocation
    ratio is tested per pair of arms compared, against 1:1.
    """
    who = "reconstructed data" if synthetic else "data"
    note = (
        " These are synthetic patients rebuilt from the published summaries, so this repeats the check on the "
        "paper's numbers rather than on real patients."
        if synthetic
        else ""
    )
    rows = []
    blocks = [(s, subjects[subjects["stratum"] == s]) for s in strata] if strata else []
    arms = list(dict.fromkeys(a for pair in comparisons for a in pair))
    for s, g in blocks + [("all", subjects)]:
        for a, b in comparisons:
            nt, n = int((g["arm"] == a).sum()), int(g["arm"].isin([a, b]).sum())
            p = float(stats.binomtest(nt, n, 0.5).pvalue)
            arm = "the treatment arm" if len(comparisons) == 1 else f"{a} (of {a} and {b})"
            pair = "" if len(comparisons) == 1 else f" {a} - {b}"
            rows.append(
                allocation_row(
                    f"{who}: {s}{pair}",
                    nt,
                    n,
                    p,
                    f"{nt} of {n} patients in {arm}; exact binomial p = {p:.3f} against 1:1." + note,
                )
            )
    test = "t-test" if len(arms) == 2 else f"one-way ANOVA of {len(arms)} arms"
    for s, g in blocks or [("all", subjects)]:
        ps = []
        for v in variables:
            samples = [g.loc[g["arm"] == a, v].dropna().astype(float) for a in arms]
            if min(len(x) for x in samples) < 2:
                continue
            p = float(stats.f_oneway(*samples).pvalue)
            ps.append(p)
            rows.append(
                _row(
                    "carlisle",
                    f"{who}: {s}: {v}",
                    "",
                    "uniform p under randomization",
                    p=p,
                    explanation=f"Baseline {v}: {test} p = {p:.3f}." + note,
                )
            )
        if ps:
            z, p_diff, p_sim = stouffer(ps)
            rows.append(
                _combined_row(
                    f"{who}: {s}: combined",
                    len(ps),
                    z,
                    p_diff,
                    p_sim,
                    f"Stouffer: too different p = {p_diff:.3f}, too similar p = {p_sim:.3f}." + note,
                )
            )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
