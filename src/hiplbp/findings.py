"""The publication audit: every check on the published summaries, in one findings table.

Each row is one check on one target with a verdict: ``pass``, ``flag`` (the printed numbers
cannot all be right, or an event is unusual enough to ask about), ``unconfirmed`` (a weaker
signal that depends on an unverifiable convention or assumption) or ``not_applicable`` (nothing
to check: the cell was not printed, or the check cannot detect anything at this precision). The
explanation is meant for a clinician: a flag is a question for the authors, not proof of
misconduct.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .common import derive_seed
from .integrity import carlisle_p, exact_consistency, grim, grimmer, sd_bounds, stouffer
from .integrity.exact import IMPOSSIBLE, POSSIBLE
from .published import NOT_AVAILABLE, half_unit
from .replay import summary_claims, summary_comparisons

FINDING_COLUMNS = ["check", "target", "value", "expected", "statistic", "p", "verdict", "explanation"]
CHECKS = [
    "grim",
    "grimmer",
    "mean_sd_consistency",
    "percent_consistency",
    "reported_statistic",
    "n_reconciliation",
    "label_consistency",
    "reported_test",
    "bmi_consistency",
    "allocation_ratio",
    "carlisle",
]
VERDICTS = ["pass", "flag", "unconfirmed", "not_applicable"]
#: How the findings name the arms when the trial's config does not describe them (``trial.arms``).
ARM_TEXT = {"treatment": "the treatment under test", "control": "the control treatment"}


def _row(
    check: str,
    target: str,
    value: object = "",
    expected: object = "",
    statistic: float = np.nan,
    p: float = np.nan,
    verdict: str = "pass",
    explanation: str = "",
) -> dict:
    assert check in CHECKS and verdict in VERDICTS
    return dict(
        check=check,
        target=target,
        value=value,
        expected=expected,
        statistic=statistic,
        p=p,
        verdict=verdict,
        explanation=explanation,
    )


def granularity_checks(
    summary: pd.DataFrame,
    n_by_group: Mapping[str, int],
    granularity: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
) -> list[dict]:
    """GRIM, GRIMMER and SD bounds of every printed mean and SD of measures with a known step.

    Parameters
    ----------
    summary : DataFrame
        Published table with ``group``, ``mean``, ``sd`` (text), ``status`` and a variable column
        (``outcome`` or ``variable``) and optionally ``time``.
    n_by_group : mapping
        Group -> sample size.
    granularity : mapping
        Measure -> step of one value (e.g. ``{"pain": 1, "age": 1}``); others are skipped.
    bounds : mapping
        Measure -> (min, max) of the scale: the exact test of mean and SD needs them (else GRIMMER).
    """
    rows = []
    var_col = "outcome" if "outcome" in summary.columns else "variable"
    for r in summary.itertuples(index=False):
        r = r._asdict()
        measure = r[var_col]
        if measure not in granularity:
            continue
        step = float(granularity[measure])
        target = " ".join(str(x) for x in (measure, r["group"], r.get("time", "")) if x)
        # a cell's own n (drop-out) where the table prints one, else the group's
        n = int(r["n"]) if str(r.get("n", "")).isdigit() else int(n_by_group[r["group"]])
        scale = bounds.get(measure)
        sd_check = "mean_sd_consistency" if scale is not None else "grimmer"
        if r["status"] == NOT_AVAILABLE:
            for check in ("grim", sd_check):
                rows.append(
                    _row(
                        check,
                        target,
                        "not_available",
                        verdict="not_applicable",
                        explanation="The paper does not print this value; it is not guessed.",
                    )
                )
            continue
        g = grim(r["mean"], n, step)
        if not g.informative:
            rows.append(
                _row(
                    "grim",
                    target,
                    r["mean"],
                    f"n = {n}, step {step:g}",
                    verdict="not_applicable",
                    explanation=f"With {n} patients every mean at this precision is possible, so GRIM cannot "
                    "detect anything here.",
                )
            )
        elif g.consistent:
            rows.append(
                _row(
                    "grim",
                    target,
                    r["mean"],
                    f"a total of {step:g}-steps divided by {n}",
                    explanation=f"The mean {r['mean']} is possible for {n} values in steps of {step:g}.",
                )
            )
        else:
            rows.append(
                _row(
                    "grim",
                    target,
                    r["mean"],
                    f"nearest possible {g.nearest:.{len(r['mean'].split('.')[-1])}f}",
                    verdict="flag",
                    explanation=f"No {n} values in steps of {step:g} have a mean that rounds to {r['mean']}; "
                    "the mean, the n or the scale as reported cannot all be right (often a typo).",
                )
            )
        if not g.consistent:
            rows.append(
                _row(
                    sd_check,
                    target,
                    r["sd"],
                    verdict="not_applicable",
                    explanation="The SD can only be checked against a mean that is possible (GRIM).",
                )
            )
        elif scale is None:
            rows.append(_grimmer_row(target, r["mean"], r["sd"], n, step))
        else:
            rows.append(_exact_row(target, r["mean"], r["sd"], n, scale, step))
    return rows


def _grimmer_row(target: str, mean: str, sd: str, n: int, step: float) -> dict:
    """GRIMMER, the strongest test available when the scale's bounds are not configured."""
    gm = grimmer(mean, sd, n, step)
    verdict = "pass" if gm.consistent else "flag"
    text = (
        f"The SD {sd} is possible with the mean {mean} and n = {n} by GRIMMER (a necessary condition; "
        "the exact test needs the scale's bounds, which are not configured for this measure)."
        if gm.consistent
        else f"No {n} values in steps of {step:g} with a mean that prints as {mean} have an SD that prints as "
        f"{sd} (GRIMMER fails its {gm.failed} test)."
    )
    return _row("grimmer", target, sd, "" if gm.consistent else f"fails {gm.failed}", verdict=verdict, explanation=text)


def _exact_row(target: str, mean: str, sd: str, n: int, scale: tuple[float, float], step: float) -> dict:
    """The exact test's verdict, and which of the weaker tests would also have caught it."""
    lo, hi = scale
    exact = exact_consistency(mean, sd, n, lo, hi, step)
    gm = grimmer(mean, sd, n, step)
    sb = sd_bounds(mean, sd, n, lo, hi, step)
    where = f"{n} values on {lo:g}-{hi:g} in steps of {step:g}"
    weaker = (
        f"GRIMMER {'passes' if gm.consistent else f'fails ({gm.failed})'}; SD bounds for this mean "
        f"[{sb.low:.2f}, {sb.high:.2f}] {'contain' if sb.consistent else 'exclude'} it."
    )
    if exact.verdict == POSSIBLE:
        verdict = "pass"
        text = f"Some {where} have a mean that prints as {mean} and an SD that prints as {sd} (exact search)."
    elif exact.verdict == IMPOSSIBLE:
        verdict = "flag"
        caught = [name for name, ok in (("GRIMMER", gm.consistent), ("the SD bounds", sb.consistent)) if not ok]
        text = (
            f"No {where} have a mean that prints as {mean} and an SD that prints as {sd}: the exact search "
            f"over every total and sum of squares finds none. {weaker} "
            + (
                f"So {' and '.join(caught)} would also have caught it."
                if caught
                else "Neither weaker test would have caught it."
            )
        )
    else:
        verdict = "unconfirmed"
        text = f"The exact search stopped after {exact.nodes} nodes without a verdict. {weaker}"
    return _row(
        "mean_sd_consistency",
        target,
        sd,
        f"a sample of {where}",
        statistic=exact.nodes,
        verdict=verdict,
        explanation=text,
    )


def n_reconciliation(groups: pd.DataFrame, enrollment: pd.DataFrame) -> list[dict]:
    """Enrolled = sum of strata; analysed = sum of groups; losses per stratum (needs enrolment per stratum)."""
    if enrollment.empty:
        return []
    enrolled = int(enrollment["n_enrolled"].astype(int).sum())
    analysed = int(groups["n"].sum())
    rows = [
        _row(
            "n_reconciliation",
            "enrolled",
            str(enrolled),
            " + ".join(enrollment["n_enrolled"].astype(str)),
            explanation=f"The {enrolled} enrolled patients add up to the strata sizes.",
        ),
        _row(
            "n_reconciliation",
            "analysed",
            str(analysed),
            " + ".join(groups["n"].astype(str)),
            explanation=f"The {len(groups)} analysed groups add up to {analysed}.",
        ),
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


def label_checks(
    groups: pd.DataFrame,
    summary: pd.DataFrame,
    outcome: str,
    baseline: str,
    follow_up: str,
    arm_text: Mapping[str, str] = ARM_TEXT,
) -> list[dict]:
    """Printed labels against footnote markers, and against the direction of the results.

    ``arm_text`` describes each arm in the trial's words (config ``trial.arms``). Only trials whose
    groups are identified both by a printed label and by a footnote marker are checked.
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
        From :func:`hiplbp.replay.summary_claims` and :func:`hiplbp.replay.summary_comparisons`.
    configured_correlation : float
        The correlation assumed in ``claims``, named in the explanations.
    unchecked : DataFrame, optional
        The trial's claims that cannot be tested (:func:`hiplbp.replay.unchecked_claims`).
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
                "not_available",
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
            _row(
                "allocation_ratio",
                f"published: {s}",
                f"{nt}:{n - nt}",
                "1:1",
                statistic=nt / n,
                p=p,
                verdict="flag" if p < 0.05 else "pass",
                explanation=(
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


def _baseline_label(variable: str) -> str:
    """'Baseline age', but 'Pain at baseline' rather than 'Baseline pain at baseline'."""
    return variable[:1].upper() + variable[1:] if "baseline" in variable else f"Baseline {variable}"


def carlisle_checks(groups: pd.DataFrame, summaries: pd.DataFrame, *, seed: int, draws: int = 100_000) -> list[dict]:
    """Carlisle's method within each stratum: per-variable p, combined in both tails.

    Parameters
    ----------
    summaries : DataFrame
        ``variable, group, mean, sd`` (text): Table 1 plus the baseline outcome rows.
    seed : int
        Config seed; each variable's Monte Carlo derives its own.
    """
    rows = []
    for stratum, gs in groups.groupby("stratum", sort=False):
        if len(gs) != 2:
            continue
        gs = gs.sort_values("arm_by_marker", ascending=False)
        ps = []
        for var in summaries["variable"].unique():
            t = summaries[summaries["variable"] == var].set_index("group")
            if not set(gs["group"]) <= set(t.index):
                continue
            p = carlisle_p(
                list(gs["n"]),
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
            z, p_diff, p_sim = stouffer(ps)
            flag = min(p_diff, p_sim) < 0.05
            rows.append(
                _row(
                    "carlisle",
                    f"{stratum}: combined",
                    f"{len(ps)} variables",
                    "",
                    statistic=z,
                    p=min(p_diff, p_sim),
                    verdict="flag" if flag else "pass",
                    explanation=(
                        f"Combining the baseline p values (Stouffer): too different p = {p_diff:.3f}, "
                        f"too similar p = {p_sim:.3f}. "
                        + (
                            "The arms are less alike (or more alike) than random allocation usually "
                            "gives; worth asking how allocation was done."
                            if flag
                            else "The baseline differences look like what random allocation gives."
                        )
                        + " The method assumes independent variables; one computed from others (such as an "
                        "index from its parts) is not."
                    ),
                )
            )
    return rows


def publication_findings(
    groups: pd.DataFrame,
    outcome_summaries: pd.DataFrame,
    characteristics: pd.DataFrame,
    enrollment: pd.DataFrame,
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    claims: pd.DataFrame,
    *,
    unchecked: pd.DataFrame | None = None,
    granularity: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
    outcome: str,
    time_levels: Sequence[str],
    configured_correlation: float,
    alpha: float = 0.05,
    seed: int,
    draws: int = 100_000,
    arm_text: Mapping[str, str] = ARM_TEXT,
) -> pd.DataFrame:
    """Every check on the published summaries (see the module docstring).

    ``cells`` and ``assumed`` are the published groups as cell summaries
    (:func:`hiplbp.replay.published_cells`); the trial's claims of significance (``claims``,
    :func:`hiplbp.replay.change_claims`) are tested from them, and ``unchecked`` claims listed.
    """
    tested = summary_claims(cells, assumed, claims, outcome=outcome, correlation=configured_correlation, alpha=alpha)
    # an unstratified trial is one block, named "all" in the findings
    groups = groups.assign(stratum=groups["stratum"].replace("", "all"))
    n = groups.set_index("group")["n"].to_dict()
    base = [dict(variable=r.variable, group=r.group, mean=r.mean, sd=r.sd) for r in characteristics.itertuples()]
    base += [
        dict(variable=f"{r.outcome} at {r.time}", group=r.group, mean=r.mean, sd=r.sd)
        for r in outcome_summaries.itertuples()
        if r.time == time_levels[0] and r.status != NOT_AVAILABLE
    ]
    rows = (
        granularity_checks(outcome_summaries, n, granularity, bounds)
        + granularity_checks(characteristics, n, granularity, bounds)
        + n_reconciliation(groups, enrollment)
        + label_checks(groups, outcome_summaries, outcome, time_levels[0], time_levels[1], arm_text)
        + reported_test_checks(
            tested, summary_comparisons(cells, assumed, time_levels, outcome), configured_correlation, unchecked
        )
        + bmi_checks(characteristics)
        + allocation_checks(groups, arm_text)
        + carlisle_checks(groups, pd.DataFrame(base), seed=seed, draws=draws)
    )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def data_findings(
    subjects: pd.DataFrame, variables: Sequence[str], arms: Mapping[str, str], strata: Sequence[str], *, synthetic: bool
) -> pd.DataFrame:
    """Allocation ratio and Carlisle's method on individual data (one row per subject at baseline).

    With individual values nothing is rounded, so each variable's p is the exact pooled t-test (the
    p tableone prints); Carlisle & Loadsman's Monte Carlo, without rounding, tends to the z-test with
    their pooled SD, which is slightly smaller for small arms.
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
    for s, g in blocks + [("all", subjects)]:
        nt = int((g["arm"] == arms["treatment"]).sum())
        n = int(g["arm"].isin(arms.values()).sum())
        p = float(stats.binomtest(nt, n, 0.5).pvalue)
        rows.append(
            _row(
                "allocation_ratio",
                f"{who}: {s}",
                f"{nt}:{n - nt}",
                "1:1",
                statistic=nt / n,
                p=p,
                verdict="flag" if p < 0.05 else "pass",
                explanation=f"{nt} of {n} patients in the treatment arm; exact binomial p = {p:.3f} against 1:1."
                + note,
            )
        )
    for s, g in blocks or [("all", subjects)]:
        ps = []
        for v in variables:
            x = g.loc[g["arm"] == arms["treatment"], v].dropna().astype(float)
            y = g.loc[g["arm"] == arms["control"], v].dropna().astype(float)
            if len(x) < 2 or len(y) < 2:
                continue
            p = float(stats.ttest_ind(x, y).pvalue)
            ps.append(p)
            rows.append(
                _row(
                    "carlisle",
                    f"{who}: {s}: {v}",
                    "",
                    "uniform p under randomization",
                    p=p,
                    explanation=f"Baseline {v}: t-test p = {p:.3f}." + note,
                )
            )
        if ps:
            z, p_diff, p_sim = stouffer(ps)
            flag = min(p_diff, p_sim) < 0.05
            rows.append(
                _row(
                    "carlisle",
                    f"{who}: {s}: combined",
                    f"{len(ps)} variables",
                    "",
                    statistic=z,
                    p=min(p_diff, p_sim),
                    verdict="flag" if flag else "pass",
                    explanation=f"Stouffer: too different p = {p_diff:.3f}, too similar p = {p_sim:.3f}." + note,
                )
            )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
