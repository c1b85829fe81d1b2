"""The findings table on the published paper: every check, known verdicts, valid vocabulary."""

import numpy as np
import pandas as pd
import pytest
from conftest import LEE_MEANING, PUBLISHED

from hiplbp.audit import ARM_TEXT, CHECKS, FINDING_COLUMNS, VERDICTS, data_findings, publication_findings
from hiplbp.audit.printed import PrintedAudit, printed_findings
from hiplbp.figures.consort import flow_from_data, flow_from_trial
from hiplbp.summary.replay import OutcomeCells, change_claims, unchecked_claims
from hiplbp.trial import published
from hiplbp.trial.cells import published_cells
from hiplbp.trial.tables import read_trial

TIMES = ["baseline", "week3", "week6"]
ASSUME = [dict(outcome="vas", time="week6", group=g, from_time="week3") for g in ("CG II", "EG II")]


SETTINGS = PrintedAudit(
    arms={"treatment": "hip", "control": "control"},
    meaning=LEE_MEANING,
    arm_text=dict(ARM_TEXT),
    arm_from="marker",
    granularity={"vas": 1, "age": 1},
    bounds={"vas": (0, 100)},
    assumptions=ASSUME,
    correlation=0.5,
    alpha=0.05,
    seed=20150217,
    draws=2000,
    within_names=None,
    baseline_visit="baseline",
)


@pytest.fixture(scope="module")
def findings():
    """The printed tables' findings as Lee & Kim's run computes them (printed_findings)."""
    return printed_findings(read_trial(PUBLISHED), SETTINGS)


def _get(f, check, target):
    return f[(f.check == check) & (f.target == target)].iloc[0]


def test_publication_findings_of_one_outcome_are_the_run_s_without_the_trial_wide_checks(findings):
    g = published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING)
    s = published.read_summary(PUBLISHED / "outcomes.csv")
    t1 = published.read_characteristics(PUBLISHED / "characteristics.csv")
    cells, assumed = published_cells(g, s, "vas", TIMES, {"treatment": "hip", "control": "control"}, "marker", ASSUME)
    one = publication_findings(
        g,
        s,
        t1,
        published.read_enrollment(PUBLISHED / "flow.csv"),
        OutcomeCells("vas", TIMES, cells, assumed),
        change_claims(read_trial(PUBLISHED).tests),
        SETTINGS,
        unchecked=unchecked_claims(read_trial(PUBLISHED).tests, ["vas"]),
    )
    assert "carlisle" not in set(one.check)
    both = one.merge(findings, on=["check", "target"], suffixes=("", "_run"))
    assert len(both) == len(one)
    assert (both.verdict == both.verdict_run).all()


def test_vocabulary(findings):
    assert list(findings.columns) == FINDING_COLUMNS
    assert set(findings.check) <= set(CHECKS) and set(findings.verdict) <= set(VERDICTS)
    assert {"grim", "grimmer", "mean_sd_consistency", "label_consistency", "carlisle"} <= set(findings.check)
    assert findings.explanation.str.len().min() > 20


def test_unprinted_cells_are_not_applicable_never_guessed(findings):
    na = findings[
        findings.check.isin(["grim", "grimmer", "mean_sd_consistency"])
        & findings.target.str.contains("week6")
        & findings.target.str.contains("II")
    ]
    assert len(na) == 4 and (na.verdict == "not_applicable").all() and (na.value == "not_available").all()


def test_grim_on_the_printed_means(findings):
    assert _get(findings, "grim", "vas EG II week3").verdict == "pass"  # 53.89 = 485 / 9
    assert _get(findings, "grim", "age CG II").verdict == "pass"  # 59.38 = 1247 / 21
    assert _get(findings, "grim", "vas EG I baseline").verdict == "not_applicable"  # n = 23 > 10 at 1 decimal


def test_counts_labels_bmi_allocation(findings):
    lost = _get(findings, "n_reconciliation", "enrolled vs analysed")
    assert (lost.verdict, lost.statistic) == ("flag", 9)
    assert _get(findings, "n_reconciliation", "lumbar stability").statistic == 6
    assert _get(findings, "label_consistency", "CG II label vs marker").verdict == "flag"
    assert _get(findings, "label_consistency", "EG I label vs marker").verdict == "pass"
    direction = _get(findings, "label_consistency", "lumbar instability: direction of results")
    assert direction.value == "CG II" and direction.statistic == pytest.approx(39.1 - 61.0, rel=1e-9)
    assert (
        findings[
            (findings.check == "bmi_consistency")
            & findings.target.str.startswith("BMI ")
            & (findings.target != "BMI unit")
        ].verdict
        == "pass"
    ).all()
    assert _get(findings, "bmi_consistency", "BMI unit").verdict == "flag"
    alloc = _get(findings, "allocation_ratio", "published: lumbar instability")
    assert alloc.value == "21:9" and alloc.p == pytest.approx(0.042774, abs=1e-6) and alloc.verdict == "flag"


def test_reported_tests(findings):
    eg2 = _get(findings, "reported_test", "vas of EG II decreased significantly, baseline to week3")
    assert eg2.verdict == "unconfirmed" and "0.75" in eg2.explanation
    assert _get(findings, "reported_test", "vas of EG I decreased significantly, baseline to week3").verdict == "pass"


def test_carlisle_rows(findings):
    """Each baseline p against the z-test limit of Carlisle & Loadsman's simulation (pooled SD
    sqrt(sum n s^2 / N); rounding to 0.1 on SEs of several units moves it far less than the Monte
    Carlo error of 2,000 draws), and each combined row against Stouffer's closed form."""
    from scipy import stats

    c = findings[findings.check == "carlisle"]
    # age, height, weight and VAS at baseline: BMI is computed from height and weight, so it is left out;
    # each stratum's combination, and the two strata's together
    assert len(c) == 2 * (4 + 1) + 1 and not c.target.str.endswith("bmi").any()
    groups = published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING)
    t1 = pd.read_csv(PUBLISHED / "characteristics.csv")
    t1 = t1[(t1.kind == "continuous") & (t1.variable != "bmi")]
    t2 = pd.read_csv(PUBLISHED / "outcomes.csv", dtype=str)
    t2 = t2[t2.time == "baseline"].assign(variable="vas at baseline")
    table = pd.concat([t1, t2])[["variable", "group", "mean", "sd"]].astype({"mean": float, "sd": float})
    for stratum, gs in groups.groupby("stratum"):
        n = gs.set_index("group")["n"]
        ps = []
        for var, t in table[table.group.isin(n.index)].groupby("variable"):
            t = t.set_index("group").loc[n.index]
            sd = (n * t["sd"] ** 2).sum() ** 0.5 / n.sum() ** 0.5
            z = abs(t["mean"].iloc[0] - t["mean"].iloc[1]) / (sd * (1 / n).sum() ** 0.5)
            p_ref = 2 * stats.norm.sf(z)
            p = _get(findings, "carlisle", f"{stratum}: {var}").p
            assert p == pytest.approx(p_ref, abs=4 * (p_ref * (1 - p_ref) / 2000) ** 0.5 + 1e-3), var
            ps.append(p)
        combined = _get(findings, "carlisle", f"{stratum}: combined")
        assert combined.statistic == pytest.approx(stats.norm.ppf(1 - pd.Series(ps)).sum() / len(ps) ** 0.5, rel=1e-12)
        # two-sided: twice the smaller tail
        assert combined.p == pytest.approx(
            2 * min(stats.norm.sf(combined.statistic), stats.norm.cdf(combined.statistic)), rel=1e-9
        )
    every = c[~c.target.str.endswith("combined")].p
    trial = _get(findings, "carlisle", "all strata: combined")
    assert trial.value == "8 variables"
    assert trial.statistic == pytest.approx(stats.norm.ppf(1 - every).sum() / len(every) ** 0.5, rel=1e-12)
    assert _get(findings, "carlisle", "lumbar instability: vas at baseline").explanation.startswith("Vas at baseline")
    assert _get(findings, "carlisle", "lumbar stability: age").explanation.startswith("Baseline age of the two arms")


def test_data_findings_exact_t_tests():
    from scipy import stats

    subj = pd.DataFrame(
        {"stratum": ["s"] * 10, "arm": ["hip"] * 6 + ["control"] * 4, "age": [50, 55, 61, 47, 52, 58, 49, 60, 51, 57]}
    )
    f = data_findings(subj, ["age"], [("hip", "control")], ["s"], synthetic=False)
    row = f[f.target == "data: s: age"].iloc[0]
    assert row.p == pytest.approx(stats.ttest_ind(subj.age[:6], subj.age[6:]).pvalue, rel=1e-9)
    assert set(f.check) == {"allocation_ratio", "carlisle"}


def test_consort_counts_from_the_printed_flow():
    flow = flow_from_trial(
        published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING),
        pd.read_csv(PUBLISHED / "flow.csv", dtype=str, keep_default_na=False),
        arm_from="marker",
    )
    lost = flow.lost().set_index("name")["n_lost"].to_dict()
    assert lost == {"lumbar stability": 6, "lumbar instability": 3}  # 45 - 39, 33 - 30
    assert flow.enrolled == 78 and flow.groups["n_analysed"].sum() == 69
    assert flow.groups["n_randomised"].isna().all()  # the paper does not print allocation


def test_consort_counts_of_a_two_arm_trial_with_drop_out(tmp_path):
    groups = pd.DataFrame(
        {"group,stratum,label_as_printed,marker_as_printed,arm,n_randomised,n_analysed": ["A,,A,,treatment,25,25"]}
    )
    (tmp_path / "groups.csv").write_text(
        "group,stratum,label_as_printed,marker_as_printed,arm,n_randomised,n_analysed\n"
        "A,,A,,treatment,25,25\nB,,B,,control,25,25\n"
    )
    del groups
    flow = pd.DataFrame(
        {
            "stage": ["analysed"] * 4,
            "stratum": [""] * 4,
            "group": ["A", "A", "B", "B"],
            "time": ["t0", "t1"] * 2,
            "n": ["24", "21", "24", "18"],
        }
    )
    f = flow_from_trial(published.read_groups(tmp_path / "groups.csv"), flow, arm_from="marker")
    assert f.groups["by_visit"].tolist() == ["24 / 21", "24 / 18"]
    assert f.lost()["n_lost"].tolist() == [4, 7]  # 25 - 21, 25 - 18


def test_consort_counts_from_the_data_and_config():
    d = pd.DataFrame(
        {
            "subject": [1, 1, 2, 2, 3, 3],
            "arm": ["a", "a", "b", "b", "b", "b"],
            "time": ["t0", "t1"] * 3,
            "y": [1.0, 2.0, 3.0, np.nan, np.nan, np.nan],
        }
    )
    f = flow_from_data(d, ["y"], ["t0", "t1"], {"treatment": "a", "control": "b"}, [], {"randomised": {"b": 4}})
    assert f.groups[["group", "n_randomised", "by_visit"]].values.tolist() == [["a", 1, "1 / 1"], ["b", 4, "1 / 0"]]
    assert f.enrolled == 5 and f.lost()["n_lost"].tolist() == [0, 4]


def _table(rows):
    return pd.DataFrame([dict(outcome="score", group=g, time="t0", mean=m, sd=s, status="printed") for g, m, s in rows])


def test_mean_sd_rows_report_the_exact_verdict_and_the_weaker_tests():
    from hiplbp.audit import granularity_checks

    # A: a real sample (1,4,4,4,5,5,7,7); B: impossible, only the SD bounds catch it ("1.2" / "0.3",
    # n = 57 passes GRIMMER); C: three values summing to 3 cannot have Q = 7, no weaker test catches it
    summary = _table([("A", "5", "1.92"), ("B", "1.2", "0.3"), ("C", "1.0", "1.41")])
    rows = pd.DataFrame(
        granularity_checks(summary, {"A": 8, "B": 57, "C": 3}, {"score": 1}, {"score": (0, 10)})
    ).set_index(["check", "target"])
    a = rows.loc[("mean_sd_consistency", "score A t0")]
    b = rows.loc[("mean_sd_consistency", "score B t0")]
    c = rows.loc[("mean_sd_consistency", "score C t0")]
    assert a.verdict == "pass" and b.verdict == "flag" and c.verdict == "flag"
    assert "GRIMMER passes" in b.explanation and "So the SD bounds would also have caught it" in b.explanation
    assert "Neither weaker test would have caught it" in c.explanation


def test_without_scale_bounds_grimmer_is_the_test_and_says_so():
    from hiplbp.audit import granularity_checks

    rows = pd.DataFrame(granularity_checks(_table([("A", "3.44", "2.47")]), {"A": 18}, {"score": 1}, {}))
    row = rows[rows.check == "grimmer"].iloc[0]
    assert row.verdict == "flag" and "parity" in row.explanation
    assert "mean_sd_consistency" not in set(rows.check)


def test_consort_without_a_flow_table_uses_the_groups_counts():
    g = published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING)
    f = flow_from_trial(g, pd.DataFrame(columns=["stage"]), arm_from="marker")
    assert f.groups["n_analysed"].tolist() == [23, 16, 21, 9] and np.isnan(f.enrolled)


def test_every_finding_says_how_sure_it_is_and_which_inspect_sr_check_it_informs(findings):
    from hiplbp.audit.verdicts import FLAG_SEVERITY, INSPECT_SR, SEVERITIES

    assert set(FLAG_SEVERITY) == set(CHECKS) == set(INSPECT_SR)
    assert set(findings.severity) <= set(SEVERITIES)
    flags = findings[findings.verdict == "flag"]
    assert (flags.severity != "").all() and (findings[findings.verdict == "pass"].severity == "").all()
    assert (findings[findings.verdict == "unconfirmed"].severity == "note").all()
    by_check = flags.groupby("check").severity.first().to_dict()
    assert _get(findings, "bmi_consistency", "BMI unit").severity == "inconsistent"  # '%' for kg/m²
    assert by_check["label_consistency"] == "inconsistent"  # the label and the marker disagree
    assert by_check["allocation_ratio"] == "improbable"  # 21:9 under 1:1 allocation
    assert set(findings[findings.check == "carlisle"].inspect_sr) == {"4.3"}
    assert set(findings[findings.check == "grim"].inspect_sr) == {"4.8"}
