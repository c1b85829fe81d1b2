"""Mixed ANOVA against independent references: R afex (two between factors) and pingouin (one)."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from conftest import ROOT, afex_table
from scipy import stats

from hiplbp.stats.anova import ANOVA_COLUMNS, design_matrix, gg_epsilon, mixed_anova, orthonormal_contrasts, sum_coding

RTOL = 1e-6
R_SOURCES = [
    "lumbar",
    "exercise",
    "lumbar:exercise",
    "visit",
    "lumbar:visit",
    "exercise:visit",
    "lumbar:exercise:visit",
]


@pytest.mark.parametrize("name", ["shared1", "shared2", "shared3"])
@pytest.mark.parametrize("ss_type", [3, 2])
def test_two_between_factors_equal_afex(afex_dir, shared_long, name, ss_type):
    ref = afex_table(afex_dir, f"{name}_ref_anova_type{ss_type}.csv").set_index("source")
    out = mixed_anova(shared_long[name], "score", "visit", "pid", ["lumbar", "exercise"], ss_type)
    assert list(out.columns)[:8] == ANOVA_COLUMNS
    assert out["source"].tolist() == R_SOURCES
    out = out.set_index("source")
    np.testing.assert_array_equal(out["df1"], ref["df1"])
    np.testing.assert_array_equal(out["df2"], ref["df2"])
    for mine, theirs in [("F", "F"), ("p_unc", "p"), ("p_gg", "p_gg"), ("np2", "pes")]:
        np.testing.assert_allclose(out[mine], ref[theirs], rtol=RTOL, err_msg=mine)
    within = ref["eps_gg"].notna()
    np.testing.assert_allclose(out.loc[within, "eps_gg"], ref.loc[within, "eps_gg"], rtol=RTOL)
    assert out.loc[~within, "eps_gg"].isna().all()


def test_complete_cases_only(shared_long):
    out = mixed_anova(shared_long["shared2"], "score", "visit", "pid", ["lumbar", "exercise"])
    assert out.attrs["n"] == 56 and len(out.attrs["excluded"]) == 11
    assert out.loc[out.source == "lumbar", "df2"].item() == 56 - 4


def test_one_between_factor_equals_pingouin_type2(shared_long):
    # pingouin's mixed_anova uses the classical (weighted) decomposition: type II sums of squares.
    d = shared_long["shared1"]
    pgo = pg.mixed_anova(d, dv="score", within="visit", between="exercise", subject="pid", correction=True)
    out = mixed_anova(d, "score", "visit", "pid", ["exercise"], ss_type=2)
    assert out["source"].tolist() == ["exercise", "visit", "exercise:visit"]
    np.testing.assert_allclose(out["F"], pgo["F"], rtol=1e-10)
    np.testing.assert_allclose(out["p_unc"], pgo["p_unc"], rtol=1e-10)
    np.testing.assert_allclose(out["np2"], pgo["np2"], rtol=1e-10)
    np.testing.assert_allclose(out["eps_gg"].iloc[1:], pgo["eps"].iloc[1:], rtol=1e-10)
    np.testing.assert_allclose(out["p_gg"].iloc[1:], pgo["p_GG_corr"].iloc[1:], rtol=1e-10)


def test_pingouin_is_type2_where_the_types_differ():
    """WeightLoss's arms are unequal (12, 12, 10): the visit effect differs between types II and
    III, and pingouin's is type II's."""
    w = pd.read_csv(ROOT / "trials" / "weightloss" / "weightloss.csv")
    long = w.melt(id_vars=["rownames", "group"], value_vars=["wl1", "wl2", "wl3"], var_name="month", value_name="wl")
    pgo = pg.mixed_anova(long, dv="wl", within="month", subject="rownames", between="group")
    t2, t3 = (mixed_anova(long, "wl", "month", "rownames", ["group"], ss_type=t) for t in (2, 3))
    np.testing.assert_allclose(t2["F"], pgo["F"], rtol=1e-10)
    assert abs(t3["F"][1] / pgo["F"][1] - 1) > 0.01  # month: 113.7 (III) against 109.9 (II, pingouin)


def test_balanced_design_types_agree(shared_long):
    # With equal cell sizes, type II and type III coincide.
    d = shared_long["shared1"]
    keep = d.drop_duplicates("pid").groupby(["lumbar", "exercise"]).head(15)["pid"]
    bal = d[d.pid.isin(keep)]
    t2 = mixed_anova(bal, "score", "visit", "pid", ["lumbar", "exercise"], 2)
    t3 = mixed_anova(bal, "score", "visit", "pid", ["lumbar", "exercise"], 3)
    np.testing.assert_allclose(t2["F"], t3["F"], rtol=1e-10)


def test_two_visits_closed_form(shared_long):
    # With two visits, arm x time is the one-way ANOVA of the change scores: F = t^2.
    d = shared_long["shared1"]
    d2 = d[d.visit.isin(["t0", "t2"])]
    out = mixed_anova(d2, "score", "visit", "pid", ["exercise"]).set_index("source")
    w = d2.pivot(index=["pid", "exercise"], columns="visit", values="score").reset_index()
    w["change"] = w["t2"] - w["t0"]
    t = pg.ttest(w.loc[w.exercise == "hip", "change"], w.loc[w.exercise == "control", "change"], correction=False)
    assert out.loc["exercise:visit", "F"] == pytest.approx(t["T"].item() ** 2, rel=1e-10)
    assert out.loc["exercise:visit", "eps_gg"] == 1.0
    assert out.loc["exercise:visit", "p_gg"] == pytest.approx(t["p_val"].item(), rel=1e-10)


def test_invariant_to_level_labels(shared_long):
    d = shared_long["shared1"].copy()
    a = mixed_anova(d, "score", "visit", "pid", ["lumbar", "exercise"])
    d["exercise"] = d["exercise"].map({"hip": "zz_hip", "control": "aa_control"})
    b = mixed_anova(d, "score", "visit", "pid", ["lumbar", "exercise"])
    np.testing.assert_allclose(a["F"], b["F"], rtol=1e-10)


def test_gg_epsilon_closed_forms():
    assert gg_epsilon(np.eye(3) * 2.0) == pytest.approx(1.0, rel=1e-9)  # sphericity
    assert gg_epsilon(np.diag([1.0, 0.0, 0.0])) == pytest.approx(1 / 3, rel=1e-9)  # lower bound 1/(k-1)
    assert gg_epsilon(np.array([[5.0]])) == 1.0


def test_building_blocks():
    c = orthonormal_contrasts(4)
    np.testing.assert_allclose(c.T @ c, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(c.sum(axis=0), 0, atol=1e-12)
    x = sum_coding(np.array([0, 1, 1, 2]), 3)
    np.testing.assert_array_equal(x, [[1, 0], [0, 1], [0, 1], [-1, -1]])
    X, blocks = design_matrix(pd.DataFrame({"a": list("xxyy"), "b": list("pqpq")}))
    assert blocks == {(): [0], ("a",): [1], ("b",): [2], ("a", "b"): [3]}
    np.testing.assert_array_equal(X[:, 3], X[:, 1] * X[:, 2])


def test_errors(shared_long):
    d = shared_long["shared1"]
    with pytest.raises(ValueError, match="ss_type must be 2 or 3"):
        mixed_anova(d, "score", "visit", "pid", ["exercise"], ss_type=1)
    empty_cell = d[~((d.lumbar == "unstable") & (d.exercise == "hip"))]
    with pytest.raises(
        ValueError, match=r"every combination of \['lumbar', 'exercise'\] needs at least one complete subject \(3 of 4"
    ):
        mixed_anova(empty_cell, "score", "visit", "pid", ["lumbar", "exercise"])
    with pytest.raises(ValueError, match=r"observed factors \['age'\] are not between factors"):
        mixed_anova(d, "score", "visit", "pid", ["exercise"], observed=["age"])
    with pytest.raises(ValueError, match="at least 2 levels"):
        mixed_anova(d[d.visit == "t0"], "score", "visit", "pid", ["exercise"])


def _complete(d):
    n = d.groupby("pid").score.count()
    return d[d.pid.isin(n[n == d.visit.nunique()].index)]


@pytest.mark.parametrize("name", ["shared1", "shared2"])
def test_pure_within_design_equals_pingouin_rm_anova(shared_long, name):
    d = _complete(shared_long[name])
    r = pg.rm_anova(d, dv="score", within="visit", subject="pid", correction=True, detailed=True).iloc[0]
    m = mixed_anova(d, "score", "visit", "pid", []).iloc[0]
    assert m.source == "visit"
    for mine, theirs in [("F", "F"), ("eps_gg", "eps"), ("ss", "SS"), ("ges", "ng2"), ("mauchly_w", "W_spher")]:
        assert m[mine] == pytest.approx(r[theirs], rel=1e-9), mine
    # pingouin's Mauchly p has no second-order term (R's has): equal for 3 visits, close for 4
    assert m.mauchly_p == pytest.approx(r["p_spher"], rel=1e-12 if name == "shared1" else 1e-5)
    spher = pg.sphericity(d, dv="score", within="visit", subject="pid")
    assert m.mauchly_chi2 == pytest.approx(spher.chi2, rel=1e-10) and m.mauchly_df == spher.dof
    # pingouin caps the Huynh-Feldt epsilon at 1; the uncapped value is reported here
    hf = pg.epsilon(d, dv="score", within="visit", subject="pid", correction="hf")
    assert min(1.0, m.eps_hf) == pytest.approx(hf, rel=1e-10)


def test_huynh_feldt_lecoutre_closed_form(shared_long):
    out = mixed_anova(shared_long["shared2"], "score", "visit", "pid", ["lumbar", "exercise"]).set_index("source")
    n, g, p = 56, 4, 3
    e = out.loc["visit", "eps_gg"]
    assert out.loc["visit", "eps_hf"] == pytest.approx(((n - g + 1) * p * e - 2) / (p * (n - g - p * e)), rel=1e-12)
    eff = min(1.0, out.loc["visit", "eps_hf"])
    assert out.loc["exercise:visit", "p_hf"] == pytest.approx(
        stats.f.sf(out.loc["exercise:visit", "F"], 3 * eff, 156 * eff), rel=1e-12
    )


def test_mauchly_second_order_term_matters_only_beyond_three_visits(shared_long):
    # R's mauchly.test adds Anderson's w2 term, which vanishes for p = k - 1 = 2.
    out = mixed_anova(shared_long["shared2"], "score", "visit", "pid", ["lumbar", "exercise"]).iloc[3]
    p1 = stats.chi2.sf(out.mauchly_chi2, out.mauchly_df)
    assert out.mauchly_p != pytest.approx(p1, rel=1e-12) and out.mauchly_p == pytest.approx(p1, rel=1e-2)
    out3 = mixed_anova(shared_long["shared1"], "score", "visit", "pid", ["lumbar", "exercise"]).iloc[3]
    assert out3.mauchly_p == pytest.approx(stats.chi2.sf(out3.mauchly_chi2, out3.mauchly_df), rel=1e-14)


def test_generalized_eta_squared_with_an_observed_factor(shared_long):
    d = shared_long["shared1"]
    manip = mixed_anova(d, "score", "visit", "pid", ["lumbar", "exercise"]).set_index("source")
    obs = mixed_anova(d, "score", "visit", "pid", ["lumbar", "exercise"], observed=["lumbar"]).set_index("source")
    errors = manip.loc["lumbar", "ss_error"] + manip.loc["visit", "ss_error"]
    # all factors manipulated: SS / (SS + both error SS)
    np.testing.assert_allclose(manip.ges, manip.ss / (manip.ss + errors), rtol=1e-12)
    # lumbar observed: every effect involving lumbar joins the denominator of the others
    lumbar_effects = [s for s in obs.index if "lumbar" in s]
    obs_ss = obs.loc[lumbar_effects, "ss"].sum()
    for s in obs.index:
        extra = obs_ss - (obs.loc[s, "ss"] if s in lumbar_effects else 0.0)
        assert obs.loc[s, "ges"] == pytest.approx(obs.loc[s, "ss"] / (obs.loc[s, "ss"] + errors + extra), rel=1e-12)
    assert obs.loc["exercise:visit", "ges"] < manip.loc["exercise:visit", "ges"]


@pytest.mark.parametrize("name", ["shared1", "shared2", "shared3"])
def test_mauchly_equals_r_at_three_four_and_five_visits(afex_dir, shared_long, name):
    # car's Mauchly (as afex prints it), R 4.2.2: the second-order term uses R's 3k at k >= 4
    ref = afex_table(afex_dir, f"{name}_ref_mauchly.csv").set_index("source")
    out = mixed_anova(shared_long[name], "score", "visit", "pid", ["lumbar", "exercise"]).set_index("source")
    np.testing.assert_allclose(out.loc[ref.index, "mauchly_w"], ref.W, rtol=1e-10)
    np.testing.assert_allclose(out.loc[ref.index, "mauchly_p"], ref.p, rtol=1e-9)


def test_mauchly_worked_example_pingouin_unbalanced_four_levels():
    # tests/reference/integrity/README.md: pingouin's mixed_anova_unbalanced data, Time (4 levels)
    # within Group: R / pingouin p = 0.7535238 (the 3p textbook form would give 0.7535183)
    import pingouin as pg

    d = pg.read_dataset("mixed_anova_unbalanced")
    out = mixed_anova(d, "Scores", "Time", "Subject", ["Group"]).set_index("source")
    assert out.loc["Time", "mauchly_p"] == pytest.approx(0.7535238, abs=5e-8)
