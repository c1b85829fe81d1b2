"""Every worked example of tests/reference/integrity/README.md, each with its source.

The README lists values stated by other projects' tests and docs (scrutiny, rsprite2, MEPtoolkit,
pingouin with its JASP/JAMOVI/ez references, emmeans, lmerTest) and by the methods' papers. The
data sets ship with pingouin or were exported from the R packages by tests/reference/datasets.R.
Carlisle's method has no reachable published p value; it is tested by its properties and against
Stouffer's closed form in tests/test_integrity.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from conftest import REFERENCE
from scipy import stats

from hiplbp.integrity import exact_consistency, grim, grimmer, sd_bounds, stouffer
from hiplbp.stats.ancova import Adjustment
from hiplbp.stats.ancova import fit as ancova_fit
from hiplbp.stats.anova import mixed_anova
from hiplbp.stats.contrasts import holm
from hiplbp.stats.effects import hedges_g
from hiplbp.stats.lmm import lmm_anova

DATA = REFERENCE / "data"


# --- GRIM -------------------------------------------------------------------------------------
def test_grim_brown_heathers_2017():
    # Brown & Heathers 2017 (SPPS 8:363): 5.19 with n = 28 is impossible, 5.21 possible
    assert not grim("5.19", 28).consistent and grim("5.21", 28).consistent


def test_grim_scrutiny_sequences():
    # scrutiny tests/testthat/test-grim.R
    seq = [f"{x:.3f}" for x in np.arange(0.150, 0.1595, 0.001)]
    assert [grim(m, 120, items=3).consistent for m in seq] == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    seq = [f"{x:.2f}" for x in np.arange(0.80, 0.895, 0.01)]
    assert [grim(m, 28, items=2).consistent for m in seq] == [1, 0, 1, 0, 1, 0, 1, 1, 1, 1]
    # percentages 6 ... 16 with n = 50: a percentage is a mean of 0/100 values
    assert [grim(str(p), 50, granularity=100).consistent for p in range(6, 17)] == [1, 0] * 5 + [1]


def test_grim_rsprite2():
    # rsprite2 tests/testthat/test-core-and-plot-functions.R
    assert grim("5.18", 14, items=2).consistent
    r = grim("5.83", 50)
    assert not r.consistent and round(r.nearest, 2) in (5.82, 5.84)
    assert grim("5.2", 20).consistent and grim("5.2", 20).sums == (103, 104, 105)
    assert not grim("2.5", 200).informative  # the sample is too big for GRIM to say anything


def test_grim_is_informative_iff_scrutiny_probability_is_positive():
    # scrutiny test-grim-stats.R: grim_probability("5.30", n) = max(0, 1 - n / 100)
    for n in (10, 50, 90, 99, 100, 150):
        assert grim("5.30", n).informative == (max(0.0, 1 - n / 100) > 0)


# --- GRIMMER -----------------------------------------------------------------------------------
def test_grimmer_scrutiny_and_rsprite2():
    assert grimmer("5.21", "1.6", 28).consistent
    assert grimmer("3.44", "2.47", 18).failed == "parity"  # Q = 317 is odd, the total 62 even
    assert grimmer("5.19", "1.5", 28).failed == "grim"
    assert not grimmer("2", "1", 1).consistent  # SD undefined for n = 1
    assert grimmer("3.33", "1.234", 250).consistent  # two totals possible
    # scrutiny R/grimmer.R: from the real sample 1,1,2,3,3,4,4,4,4,5
    assert grimmer("3.10", "1.37", 10).consistent
    r = exact_consistency("3.10", "1.37", 10, 1, 5)
    assert r.verdict == "possible"


def test_grimmer_every_total_the_mean_allows():
    # README: 8.9 / 2.81 / 25 admits totals 222 and 223; scrutiny tests only one
    assert grim("8.9", 25).sums == (222, 223) and grimmer("8.9", "2.81", 25).consistent


def test_impossible_pair_every_other_implementation_accepts():
    # README: ("1.2", "0.3", 57) is below the SD any integer sample with that mean can have
    assert grimmer("1.2", "0.3", 57).consistent
    assert not sd_bounds("1.2", "0.3", 57, 0, 10).consistent
    assert exact_consistency("1.2", "0.3", 57, 0, 10).verdict == "impossible"


# --- SD limits (rsprite2 .sd_limits, boundary_test) --------------------------------------------
def test_sd_limits_rsprite2():
    r = sd_bounds("4.2", None, 5, 1, 7)
    assert (round(r.low, 2), round(r.high, 2)) == (0.45, 3.03)
    r = sd_bounds("4.2", None, 5, 1, 7, granularity=0.5)  # n_items = 2
    assert (round(r.low, 2), round(r.high, 2)) == (0.27, 3.03)
    for mean, n, lo, hi in (("1", 100, 1, 7), ("7", 100, 1, 7), ("5", 10, 5, 5)):
        r = sd_bounds(f"{mean}.0000", None, n, lo, hi)
        assert (r.low, r.high) == (0.0, 0.0)
    assert sd_bounds("4", "1.5", 20, 1, 7).consistent and not sd_bounds("4", "5", 20, 1, 7).consistent


# --- Stouffer (MEPtoolkit tests/testthat/test-carlisle.R) --------------------------------------
def test_stouffer_meptoolkit():
    assert stouffer([0.8, 0.8, 0.8, 0.8])[2] == pytest.approx(0.046164081, abs=1e-9)
    p = [
        stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False).pvalue
        for m1, s1, n1, m2, s2, n2 in ((1.20, 1.2, 60, 2.1, 2.5, 30), (1.25, 1.25, 60, 2.15, 2.55, 30))
    ]
    assert stouffer(p)[2] == pytest.approx(0.9801026, abs=1e-7)


# --- Holm (R p.adjust, via pingouin tests/test_multicomp.py) -----------------------------------
def test_holm_p_adjust():
    np.testing.assert_allclose(holm([0.52, 0.12, 0.0001, 0.03, 0.14]), [0.52, 0.36, 0.0005, 0.12, 0.36], rtol=1e-9)
    np.testing.assert_allclose(holm([0.52, 0.12, 0.10, 0.30, 0.14]), [0.6, 0.5, 0.5, 0.6, 0.5], rtol=1e-9)
    np.testing.assert_allclose(holm([0.52, np.nan, 0.10, 0.30, 0.14]), [0.6, np.nan, 0.4, 0.6, 0.42], rtol=1e-9)


# --- Hedges' g (R effsize cohen.d, via pingouin tests/test_effsize.py) -------------------------
def test_hedges_g_effsize():
    a, b = [3.2, 6.4, 1.8, 2.4, 5.8, 6.5], [2.4, 3.2, 3.2, 1.4, 2.8, 3.5]
    g = hedges_g(a, b)[0]
    assert g == pytest.approx(0.9254296, abs=1e-7)
    assert g / (1 - 3 / (4 * 12 - 9)) == pytest.approx(1.002549, abs=1e-6)


# --- Mixed and repeated-measures ANOVA (pingouin data; JASP, JAMOVI, ez) -----------------------
def test_mixed_anova_pingouin_jasp():
    d = pg.read_dataset("mixed_anova")
    out = mixed_anova(d, "Scores", "Time", "Subject", ["Group"], ss_type=3, observed=[]).set_index("source")
    expected = {
        "Group": (5.45996, 1, 58, 5.05171, 0.08012, 0.03067),
        "Time": (7.62843, 2, 116, 4.02739, 0.06493, 0.04234),
        "Group:Time": (5.16719, 2, 116, 2.72800, 0.04492, 0.02908),
    }
    for term, (ss, df1, df2, f, np2, ges) in expected.items():
        r = out.loc[term]
        assert (r.df1, r.df2) == (df1, df2)
        assert r.ss == pytest.approx(ss, abs=5e-6) and r.F == pytest.approx(f, abs=5e-6)
        assert r.np2 == pytest.approx(np2, abs=5e-6) and r.ges == pytest.approx(ges, abs=5e-6)
    # JAMOVI: GG epsilon from the pooled within-group covariance
    assert out.loc["Time", "eps_gg"] == pytest.approx(0.99812, abs=5e-6)


def test_one_way_rm_anova_pingouin_jamovi_and_ez():
    d = pg.read_dataset("mixed_anova")
    r = mixed_anova(d, "Scores", "Time", "Subject", []).set_index("source").loc["Time"]
    assert r.F == pytest.approx(3.91280, abs=5e-6) and r.p_unc == pytest.approx(0.02263, abs=5e-6)
    assert r.ges == pytest.approx(0.03998, abs=5e-6) and r.np2 == pytest.approx(0.06219, abs=5e-6)
    assert r.eps_gg == pytest.approx(0.9987509, abs=5e-8) and min(r.eps_hf, 1.0) == 1.0
    assert r.mauchly_w == pytest.approx(0.999, abs=5e-4) and r.mauchly_p == pytest.approx(0.964, abs=5e-4)


def test_rm_anova_wide_pingouin_jamovi():
    w = pg.read_dataset("rm_anova_wide").dropna()
    assert len(w) == 9
    d = w.reset_index(names="subject").melt(id_vars="subject", var_name="time", value_name="y")
    d["time"] = pd.Categorical(d["time"], categories=list(w.columns), ordered=True)
    r = mixed_anova(d, "y", "time", "subject", []).set_index("source").loc["time"]
    assert (r.df1, r.df2) == (3, 24)
    assert r.F == pytest.approx(5.20065, abs=5e-6) and r.p_unc == pytest.approx(0.00656, abs=5e-6)
    assert r.ges == pytest.approx(0.34639, abs=5e-6) and r.np2 == pytest.approx(0.39397, abs=5e-6)
    assert r.eps_gg == pytest.approx(0.69433, abs=5e-6) and r.mauchly_w == pytest.approx(0.30678, abs=5e-6)
    assert r.p_gg == pytest.approx(0.01670, abs=5e-6)


def test_rm_anova2_metric_pingouin_jamovi_and_ez():
    d = pg.read_dataset("rm_anova2").groupby(["Subject", "Metric"], as_index=False)["Performance"].mean()
    r = mixed_anova(d, "Performance", "Metric", "Subject", []).set_index("source").loc["Metric"]
    assert r.F == pytest.approx(26.95919, abs=5e-6)
    assert r.eps_gg == pytest.approx(0.9691030, abs=5e-8) and min(r.eps_hf, 1.0) == 1.0
    assert r.mauchly_w == pytest.approx(0.968, abs=5e-4) and r.mauchly_p == pytest.approx(0.8784418, abs=5e-8)


# --- ANCOVA ------------------------------------------------------------------------------------
def _as_ancova(d: pd.DataFrame, y: str, covariate: str, factor: str) -> pd.DataFrame:
    """A one-covariate ANCOVA in the canonical long form: the covariate as the 'baseline' visit."""
    d = d.reset_index(drop=True)
    base = pd.DataFrame({"subject": d.index, "time": "pre", "arm": d[factor], "y": d[covariate]})
    post = pd.DataFrame({"subject": d.index, "time": "post", "arm": d[factor], "y": d[y]})
    return pd.concat([base, post], ignore_index=True)


def test_ancova_pingouin_jasp():
    d = pg.read_dataset("ancova")
    arms = [("A", "B")]
    terms, _ = ancova_fit(
        _as_ancova(d, "Scores", "Income", "Method"), "y", ["arm"], arms, adjust=Adjustment("pre"), visit="post"
    )
    t = terms.set_index("source")
    assert t.loc["arm", "df"] == 3 and t.loc["Residuals", "df"] == 31
    assert t.loc["arm", "F"] == pytest.approx(3.3365, abs=5e-5) and t.loc["arm", "p"] == pytest.approx(0.0319, abs=5e-5)
    assert t.loc["baseline", "F"] == pytest.approx(29.4194, abs=5e-5)
    # with rows 1 and 2 of Scores missing
    d2 = d.copy()
    d2.loc[[1, 2], "Scores"] = np.nan
    terms, _ = ancova_fit(
        _as_ancova(d2, "Scores", "Income", "Method"), "y", ["arm"], arms, adjust=Adjustment("pre"), visit="post"
    )
    t = terms.set_index("source")
    assert t.loc["Residuals", "df"] == 29
    assert t.loc["arm", "F"] == pytest.approx(3.1471, abs=5e-5) and t.loc["arm", "p"] == pytest.approx(0.0400, abs=5e-5)
    assert t.loc["baseline", "F"] == pytest.approx(19.7811, abs=5e-5)


def test_ancova_emmeans_fiber_montgomery():
    # emmeans fiber (Montgomery 2013, Table 15.10): lm(strength ~ diameter + machine), A - B
    d = pd.read_csv(DATA / "fiber.csv")
    _, eff = ancova_fit(
        _as_ancova(d, "strength", "diameter", "machine"),
        "y",
        ["arm"],
        [("A", "B")],
        adjust=Adjustment("pre"),
        visit="post",
    )
    r = eff.iloc[0]
    assert r.df == 11
    assert r.estimate == pytest.approx(-1.04, abs=5e-3) and r.se == pytest.approx(1.01, abs=5e-3)
    assert r.estimate / r.se == pytest.approx(-1.024, abs=5e-4)


# --- Linear mixed model, random intercept, Satterthwaite (lmerTest tests) ----------------------
def test_lmm_lme4_cake():
    d = pd.read_csv(DATA / "cake.csv")
    d["unit"] = d["recipe"] + ":" + d["replicate"].astype(str)
    out = lmm_anova(d, "angle", "temperature", "unit", ["recipe"]).set_index("source")
    assert out.loc[["recipe", "temperature", "recipe:temperature"], "df1"].tolist() == [2, 5, 10]
    np.testing.assert_allclose(
        out.loc[["recipe", "temperature", "recipe:temperature"], "df2"], [42, 210, 210], rtol=1e-6
    )
    # balanced: F equals the split-plot ANOVA F
    aov = mixed_anova(d, "angle", "temperature", "unit", ["recipe"]).set_index("source")
    np.testing.assert_allclose(out.loc[aov.index, "F"], aov.F, rtol=1e-6)


def test_lmm_lmertest_potdata():
    d = pd.read_csv(DATA / "potdata.csv").astype({"CO2": str, "nutrients": str, "chamber": str})
    out = lmm_anova(d, "biomass", "nutrients", "chamber", ["CO2"]).set_index("source")
    np.testing.assert_allclose(out.loc[["CO2", "nutrients", "CO2:nutrients"], "df2"], [2, 10, 10], rtol=1e-6)
    assert out.loc["CO2", "p"] == pytest.approx(0.0224955602, rel=1e-6)
    assert out.loc["nutrients", "p"] < 1e-10
    assert out.loc["CO2:nutrients", "p"] == pytest.approx(0.020905569, rel=1e-6)
