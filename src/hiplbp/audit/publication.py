"""Checks of a paper's own numbers and words: counts, labels, claims, BMI and the allocation ratio,
and :func:`publication_findings`, every check on one outcome's printed tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ..summary.replay import OutcomeCells, summary_claims, summary_comparisons
from ..trial.published import NOT_AVAILABLE, half_unit
from .baseline import allocation_row
from .cells import granularity_checks
from .verdicts import ARM_TEXT, FINDING_COLUMNS, _row

if TYPE_CHECKING:  # the settings' module imports this one
    from .printed import PrintedAudit


def n_reconciliation(groups: pd.DataFrame, enrollment: pd.DataFrame) -> list[dict]:
    """Enrolled = sum of strata; analysed = sum of groups; losses per stratum (needs enrolment per stratum)."""
    if enrollment.empty:
        return []
    enrolled = int(enrollment["n_enrolled"].astype(int).sum())
    analysed = int(groups["n"].sum())
    # each total as the sum of its printed parts
    sums = [
        (
            "enrolled",
            enrolled,
            enrollment["n_enrolled"],
            f"The {enrolled} enrolled patients add up to the strata sizes.",
        ),
        ("analysed", analysed, groups["n"], f"The {len(groups)} analysed groups add up to {analysed}."),
    ]
    rows = [
        _row("n_reconciliation", target, str(total), " + ".join(parts.astype(str)), explanation=why)
        for target, total, parts, why in sums
    ]
    lost = enrolled - analysed
    rows.append(
        _row(
            "n_reconciliation",
            "enrolled vs analysed",
            str(analysed),
            str(enrolled),
            statistic=lost,
            verdict="flag" if lost else "pass",
            explanation=(
                f"{lost} of {enrolled} enrolled patients are not in the analysed groups and the paper "
                "does not say why (drop-outs, exclusions?). Without the reasons, the results may not "
                "apply to everyone enrolled."
                if lost
                else "Every enrolled patient was analysed."
            ),
        )
    )
    for e in enrollment.itertuples():
        got = int(groups.loc[groups["stratum"] == e.stratum, "n"].sum())
        rows.append(
            _row(
                "n_reconciliation",
                e.stratum,
                str(got),
                str(e.n_enrolled),
                statistic=int(e.n_enrolled) - got,
                verdict="flag" if got != int(e.n_enrolled) else "pass",
                explanation=f"{int(e.n_enrolled) - got} of {e.n_enrolled} patients of this stratum are missing "
                "from its analysed groups, unexplained."
                if got != int(e.n_enrolled)
                else "All patients of this stratum were analysed.",
            )
        )
    return rows


def _second(time_levels: Sequence[str]) -> str | None:
    """The first follow-up visit; ``None`` for an outcome printed at one visit."""
    return str(time_levels[1]) if len(time_levels) > 1 else None


def label_checks(
    groups: pd.DataFrame,
    summary: pd.DataFrame,
    outcome: str,
    baseline: str,
    follow_up: str | None,
    arm_text: Mapping[str, str] = ARM_TEXT,
) -> list[dict]:
    """Printed labels against footnote markers, and against the direction of the results.

    ``arm_text`` describes each arm in the trial's words (config ``trial.arms``). Only trials whose
    groups are identified both by a printed label and by a footnote marker are checked; the
    direction of the results only with a ``follow_up`` visit.
    """
    rows: list[dict] = []
    if groups["printed_marker"].astype(str).eq("").all() or groups["arm_by_label"].isna().all():
        return rows
    for g in groups.itertuples():
        ok = g.arm_by_label == g.arm_by_marker
        rows.append(
            _row(
                "label_consistency",
                f"{g.group} label vs marker",
                g.printed_label,
                f"marker {g.printed_marker} = {g.arm_by_marker}",
                verdict="pass" if ok else "flag",
                explanation="The label and the footnote marker agree."
                if ok
                else f"{g.group} is labelled as the {g.arm_by_label} group but its footnote marker says it received "
                f"{arm_text[g.arm_by_marker]}. One of the two is wrong; which group received "
                f"{arm_text['treatment']} decides the paper's conclusion.",
            )
        )
    if follow_up is None:
        return rows
    s = summary[(summary["outcome"] == outcome) & (summary["status"] != NOT_AVAILABLE)].set_index(["group", "time"])
    for stratum, gs in groups.groupby("stratum", sort=False):
        change = {
            g.group: s.loc[(g.group, follow_up), "mean_value"] - s.loc[(g.group, baseline), "mean_value"]
            for g in gs.itertuples()
            if (g.group, follow_up) in s.index
        }
        if len(change) != 2:
            continue
        best = min(change, key=lambda g: change[g])
        by_marker = gs.set_index("group").loc[best, "arm_by_marker"]
        by_label = gs.set_index("group").loc[best, "arm_by_label"]
        rows.append(
            _row(
                "label_consistency",
                f"{stratum}: direction of results",
                best,
                f"the group with {arm_text['treatment']} improves more (the paper's conclusion)",
                statistic=float(change[best]),
                verdict="pass" if by_marker == by_label == "treatment" else "flag",
                explanation=f"{best} improved most ({change[best]:+.1f} from {baseline} to {follow_up}). By its "
                f"marker it is the {by_marker} group, by its label the {by_label} group"
                + (
                    "; both agree with the conclusion."
                    if by_marker == by_label == "treatment"
                    else "; the conclusion holds only if the markers, not the labels, are right."
                ),
            )
        )
    return rows


def reported_test_checks(
    claims: pd.DataFrame,
    comparisons: pd.DataFrame,
    configured_correlation: float,
    unchecked: pd.DataFrame | None = None,
) -> list[dict]:
    """Claims of significance recomputed from the summaries.

    Parameters
    ----------
    claims, comparisons : DataFrame
        From :func:`hiplbp.summary.replay.summary_claims` and :func:`hiplbp.summary.replay.summary_comparisons`.
    configured_correlation : float
        The correlation assumed in ``claims``, named in the explanations.
    unchecked : DataFrame, optional
        The trial's claims that cannot be tested (:func:`hiplbp.summary.replay.unchecked_claims`).
    """
    rows = []
    for c in claims.itertuples():
        if c.holds:
            verdict, text = (
                "pass",
                "Recomputed from the printed means and SDs, the change is significant at the assumed correlation.",
            )
        elif np.isfinite(c.threshold):
            verdict = "unconfirmed"
            text = (
                f"Significant only if the correlation between a patient's visits is at least {c.threshold:.2f} "
                f"(assumed here: {configured_correlation}); the paper does not report it, so the claim cannot be "
                "confirmed."
            )
        else:
            verdict, text = (
                "flag",
                "Not significant for any correlation between visits: the printed numbers do not support the claim.",
            )
        rows.append(
            _row(
                "reported_test",
                c.item,
                f"significant {c.direction or 'change'}",
                "p < alpha",
                p=float(c.p),
                verdict=verdict,
                explanation=text,
            )
        )
    for u in (unchecked if unchecked is not None else pd.DataFrame(columns=["item", "note"])).itertuples():
        rows.append(
            _row(
                "reported_test",
                u.item.removeprefix("claim: "),
                verdict="not_applicable",
                explanation="This claim cannot be checked from the printed tables: "
                f"{u.note.removeprefix('not checkable: ')}.",
            )
        )
    for c in comparisons.itertuples():
        rows.append(
            _row(
                "reported_test",
                c.item,
                NOT_AVAILABLE,
                p=float(c.p),
                verdict="not_applicable",
                explanation="The trial's tables print no statistic for this comparison; the p shown is the "
                "one-way ANOVA recomputed from the printed summaries.",
            )
        )
    return rows


def bmi_checks(characteristics: pd.DataFrame) -> list[dict]:
    """Mean BMI against mean weight / mean height^2, within what rounding and spread allow.

    Notes
    -----
    By the delta method, ``E[W / H^2] ~ (mu_W / mu_H^2)(1 + 3 CV_H^2 - 2 r CV_W CV_H)``; letting the
    height-weight correlation ``r`` range over [-1, 1] and the printed means over their rounding
    intervals bounds the mean BMI. The printed value must fall inside (with its own rounding).
    """
    rows = []
    c = characteristics.set_index(["variable", "group"])
    for grp in characteristics["group"].unique():
        if not {("bmi", grp), ("weight", grp), ("height", grp)} <= set(c.index):
            continue
        w, h, b = c.loc[("weight", grp)], c.loc[("height", grp)], c.loc[("bmi", grp)]
        hw, hh, hb = (half_unit(int(x["mean_decimals"])) for x in (w, h, b))
        cvw, cvh = w.sd_value / w.mean_value, h.sd_value / h.mean_value
        vals = []
        for mw in (w.mean_value - hw, w.mean_value + hw):
            for mh in (h.mean_value - hh, h.mean_value + hh):
                for r in (-1.0, 1.0):
                    vals.append(mw / (mh / 100) ** 2 * (1 + 3 * cvh**2 - 2 * r * cvw * cvh))
        lo, hi = min(vals), max(vals)
        ok = lo - hb <= b.mean_value <= hi + hb
        rows.append(
            _row(
                "bmi_consistency",
                f"BMI {grp}",
                b["mean"],
                f"[{lo:.2f}, {hi:.2f}]",
                statistic=w.mean_value / (h.mean_value / 100) ** 2,
                verdict="pass" if ok else "flag",
                explanation=(
                    f"The mean BMI {b['mean']} fits the mean weight and height ({lo:.1f} to {hi:.1f} "
                    "allowing for rounding and spread)."
                    if ok
                    else f"The mean BMI {b['mean']} cannot come from the printed mean weight and height "
                    f"(possible range {lo:.1f} to {hi:.1f})."
                ),
            )
        )
    units = (
        characteristics.loc[characteristics["variable"] == "bmi", "unit_as_printed"].unique()
        if "unit_as_printed" in characteristics.columns
        else []
    )
    for u in [u for u in units if str(u).strip()]:  # a unit the paper does not print is not checked
        rows.append(
            _row(
                "bmi_consistency",
                "BMI unit",
                u,
                "kg/m²",
                verdict="pass" if u in ("kg/m2", "kg/m²") else "flag",
                explanation="BMI is printed with the unit '%'; BMI is measured in kg/m². A reporting error "
                "that does not change the numbers."
                if u == "%"
                else f"BMI unit printed as {u}.",
            )
        )
        if rows[-1]["verdict"] == "flag":
            rows[-1]["severity"] = "inconsistent"  # a unit at odds with the measure, not an impossible number
    return rows


def allocation_checks(groups: pd.DataFrame, arm_text: Mapping[str, str] = ARM_TEXT) -> list[dict]:
    """Exact binomial test of treatment vs control counts against 1:1, per stratum and overall.

    The counts are the randomised ones where every group prints them, else the analysed ones.
    """
    rows = []
    parts = [(s, g) for s, g in groups.groupby("stratum", sort=False)]
    parts = ([] if len(parts) == 1 else parts) + [("all", groups)]
    randomised = groups.get("printed_n_randomised", pd.Series("", index=groups.index)).astype(str)
    counted = "randomised" if randomised.str.isdigit().all() else "analysed"
    size = randomised.astype(int) if counted == "randomised" else groups["n"]
    for s, g in parts:
        nt = int(size[g.index][g["arm_by_marker"] == "treatment"].sum())
        n = int(size[g.index].sum())
        p = float(stats.binomtest(nt, n, 0.5).pvalue)
        rows.append(
            allocation_row(
                f"published: {s}",
                nt,
                n,
                p,
                (
                    f"{nt} of {n} {counted} patients received {arm_text['treatment']}; under 1:1 randomization an "
                    f"imbalance this large has probability {p:.3f}. Possible reasons include a planned "
                    "unequal ratio, unreported drop-outs, or non-random allocation: a question for the "
                    "authors."
                    if p < 0.05
                    else f"{nt} of {n} receiving {arm_text['treatment']} is compatible with 1:1 randomization "
                    f"(p = {p:.2f})."
                ),
            )
        )
    return rows


def publication_findings(
    groups: pd.DataFrame,
    outcome_summaries: pd.DataFrame,
    characteristics: pd.DataFrame,
    enrollment: pd.DataFrame,
    printed: OutcomeCells,
    claims: pd.DataFrame,
    settings: PrintedAudit,
    unchecked: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every check on one outcome's published summaries (see the module docstring).

    ``printed`` is the outcome's groups as cell summaries (:func:`hiplbp.trial.cells.published_cells`);
    the trial's claims of significance (``claims``, :func:`hiplbp.summary.replay.change_claims`)
    are tested from them at the configured correlation, and ``unchecked`` claims listed.
    ``settings`` are the audit's (steps, scale bounds, correlation, alpha, Carlisle's seed and
    draws, the arms in the paper's words).
    """
    cells, assumed, outcome, time_levels = printed.cells, printed.assumed, printed.outcome, printed.time_levels
    granularity, bounds, arm_text = settings.granularity, settings.bounds, settings.arm_text
    configured_correlation = settings.correlation
    tested = summary_claims(
        cells, assumed, claims, outcome=outcome, correlation=configured_correlation, alpha=settings.alpha
    )
    # an unstratified trial is one block, named "all" in the findings
    groups = groups.assign(stratum=groups["stratum"].replace("", "all"))
    n = groups.set_index("group")["n"].to_dict()
    rows = (
        granularity_checks(outcome_summaries, n, granularity, bounds)
        + granularity_checks(characteristics, n, granularity, bounds)
        + n_reconciliation(groups, enrollment)
        # an outcome printed at one visit has no direction of results to check the labels by
        + label_checks(groups, outcome_summaries, outcome, time_levels[0], _second(time_levels), arm_text)
        + reported_test_checks(
            tested, summary_comparisons(cells, assumed, time_levels, outcome), configured_correlation, unchecked
        )
        + bmi_checks(characteristics)
        + allocation_checks(groups, arm_text)
    )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
