"""Three arms against R (tests/reference/k_arms.R): mixed ANOVA (afex types II and III), the visit
contrasts and the ANCOVA (emmeans, car) with each multiplicity adjustment, and the multivariate t
integral behind Dunnett's method (mvtnorm, tight error bound)."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, REFERENCE, ROOT
from scipy import integrate, stats

from hiplbp.stats.ancova import Adjustment, ancova
from hiplbp.stats.anova import mixed_anova
from hiplbp.stats.contrasts import visit_contrasts
from hiplbp.stats.multiplicity import Family, adjust_family, max_t_probability
from hiplbp.trial.design import Design

REF = REFERENCE / "k_arms"
WEIGHTLOSS = Design(["1", "2", "3"], {"treatment": ["Diet", "DietEx"], "control": "Control"}, baseline="none")
THREE = Design(["t0", "t1", "t2"], {"treatment": ["A", "B"], "control": "Control"}, strata=["s1", "s2"], baseline="t0")


def _weightloss() -> pd.DataFrame:
    w = pd.read_csv(ROOT / "trials" / "weightloss" / "weightloss.csv")  # the worked example's data
    long = w.melt(id_vars=["rownames", "group"], value_vars=["wl1", "wl2", "wl3"], var_name="time", value_name="wl")
    long["time"] = pd.Categorical(long["time"].str[-1], categories=["1", "2", "3"])
    return long.rename(columns={"rownames": "subject", "group": "arm"})


def _three_arms() -> pd.DataFrame:
    d = pd.read_csv(DATA / "three_arms_long.csv").rename(columns={"pid": "subject", "visit": "time"})
    d["time"] = pd.Categorical(d["time"], categories=THREE.time_levels)
    return d


@pytest.mark.parametrize("ss_type", [2, 3])
def test_three_arm_mixed_anova_equals_afex(ss_type):
    mine = mixed_anova(_weightloss(), "wl", "time", "subject", ["arm"], ss_type=ss_type).set_index("source")
    ref = pd.read_csv(REF / f"weightloss_anova_type{ss_type}.csv")
    ref["source"] = ref["source"].str.replace("group", "arm").str.replace("month", "time")
    ref = ref.set_index("source")
    assert mine.loc["arm", "df1"] == 2 and mine.loc["arm:time", "df1"] == 4  # k - 1 numerator df
    for col, theirs in [("df1", "df1"), ("df2", "df2"), ("F", "F"), ("ges", "ges"), ("p_unc", "p"), ("p_gg", "p_gg")]:
        np.testing.assert_allclose(mine.loc[ref.index, col], ref[theirs], rtol=1e-6, err_msg=col)
    three = mixed_anova(_three_arms(), "score", "time", "subject", ["stratum", "arm"], ss_type, ["stratum"])
    ref3 = pd.read_csv(REF / f"three_arms_anova_type{ss_type}.csv")
    ref3["source"] = ref3["source"].str.replace("visit", "time")
    three, ref3 = three.set_index("source"), ref3.set_index("source")
    assert list(three.index) == list(ref3.index)
    for col, theirs in [("df1", "df1"), ("df2", "df2"), ("F", "F"), ("ges", "ges"), ("p_unc", "p")]:
        np.testing.assert_allclose(three[col], ref3[theirs], rtol=1e-6, err_msg=col)


@pytest.mark.parametrize(
    "pairwise, method", [(False, "none"), (False, "holm"), (False, "bonferroni"), (False, "dunnett"), (True, "tukey")]
)
def test_three_arm_visit_contrasts_equal_emmeans(pairwise, method):
    family = Family(pairwise=pairwise, method=method)
    mine = visit_contrasts(_weightloss(), "wl", WEIGHTLOSS, family=family)
    assert set(mine.contrast) == {"difference"}  # design.baseline none: no change from baseline
    ref = pd.read_csv(REF / f"weightloss_contrasts_{'pairwise' if pairwise else 'control'}.csv")
    assert mine.comparison.tolist() == ref.contrast.tolist() and mine.visit.tolist() == ref["by"].astype(str).tolist()
    for col, theirs in [("estimate", "estimate"), ("se", "SE"), ("df", "df"), ("t", "t"), ("p_unc", "p_none")]:
        np.testing.assert_allclose(mine[col], ref[theirs], rtol=1e-6, err_msg=col)
    np.testing.assert_allclose(mine.ci_low, ref.lower_none, rtol=1e-6)
    for col, theirs in [("p_adj", "p"), ("ci_adj_low", "lower"), ("ci_adj_high", "upper")]:
        np.testing.assert_allclose(mine[col], ref[f"{theirs}_{method}"], rtol=1e-6, err_msg=col)
    assert set(mine.adjust) == {method}


def test_emmeans_default_dunnett_is_an_approximation_the_exact_method_improves_on():
    # emmeans' own mvt p (abseps 1e-3) agree with the exact ones only to its error bound
    mine = visit_contrasts(_weightloss(), "wl", WEIGHTLOSS, family=Family(method="dunnett"))
    ref = pd.read_csv(REF / "weightloss_contrasts_control.csv")
    np.testing.assert_allclose(mine.p_adj, ref.p_mvt, atol=2e-3)
    assert np.max(np.abs(mine.p_adj - ref.p_dunnett)) < 1e-7


@pytest.mark.parametrize("model", ["main", "interaction"])
@pytest.mark.parametrize("method", ["dunnett", "holm", "none"])
def test_three_arm_ancova_with_a_covariate_equals_car_and_emmeans(model, method):
    adjust = Adjustment("t0", covariates=("age",), stratum_by_arm=model == "interaction")
    terms, eff = ancova(_three_arms(), "score", THREE, adjust=adjust, family=Family(method=method))
    ref_terms = pd.read_csv(REF / "three_arms_ancova_terms.csv")
    ref_eff = pd.read_csv(REF / "three_arms_ancova_effects.csv")
    for v in ("t1", "t2"):
        t = terms[terms.visit == v].set_index("source")
        r = ref_terms[(ref_terms.visit == v) & (ref_terms.model == model)].copy()
        r["source"] = r["source"].replace({"y0": "baseline"})
        r = r.set_index("source")
        assert list(t.index) == list(r.index)
        assert t.loc["arm", "df"] == 2
        np.testing.assert_allclose(t.SS, r.SS, rtol=1e-6)
        np.testing.assert_allclose(t.F.iloc[:-1], r.F.iloc[:-1], rtol=1e-6)
        np.testing.assert_allclose(t.p.iloc[:-1], r.p.iloc[:-1], rtol=1e-6)
        for stratum in ["all", "s1", "s2"] if model == "interaction" else ["all"]:
            label = model if stratum == "all" else f"interaction|{stratum}"
            e = eff[(eff.visit == v) & (eff.stratum == stratum)]
            x = ref_eff[(ref_eff["by"] == v) & (ref_eff.model == label)]
            assert e.comparison.tolist() == x.contrast.tolist() == ["A - Control", "B - Control"]
            for col, theirs in [("estimate", "estimate"), ("se", "SE"), ("df", "df"), ("p", "p_none")]:
                np.testing.assert_allclose(e[col], x[theirs], rtol=1e-6, err_msg=(v, stratum, col))
            for col, theirs in [("p_adj", "p"), ("ci_adj_low", "lower"), ("ci_adj_high", "upper")]:
                np.testing.assert_allclose(e[col], x[f"{theirs}_{method}"], rtol=1e-6, err_msg=(v, stratum, col))
    if model == "main":
        assert set(eff.stratum) == {"all"}


def test_max_t_probability_equals_mvtnorm():
    ref = pd.read_csv(REF / "max_t_probabilities.csv")
    for r in ref.itertuples():
        corr = np.eye(r.m)
        corr[0, 1] = corr[1, 0] = r.r12
        if r.m == 3:
            corr[0, 2] = corr[2, 0] = r.r13
            corr[1, 2] = corr[2, 1] = r.r23
        p = max_t_probability(r.c, corr, r.df, seed=3)
        # two comparisons: exact on both sides; three: exact here (one-factor correlations), and
        # mvtnorm's randomized integration within its error estimate (at most 1.7e-7)
        assert p == pytest.approx(r.prob, rel=1e-9 if r.m == 2 else 0, abs=0 if r.m == 2 else 2e-7)


def test_one_factor_integral_equals_the_bivariate_and_the_quasi_monte_carlo_ones():
    # two comparisons through the one-factor integral equal Owen's T; four equal scipy's QMC
    from hiplbp.stats.multiplicity import _one_factor, _one_factor_square, _over_scale

    lam = np.array([0.6, 0.7])
    exact = max_t_probability(2.2, [[1, 0.42], [0.42, 1]], 19)
    assert _over_scale(lambda h: _one_factor_square(h, lam), 2.2, 19) == pytest.approx(exact, rel=1e-10)
    lam = np.array([0.6, 0.7, 0.5, 0.65])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    x = np.full(4, 2.5)
    qmc = stats.multivariate_t.cdf(x, shape=r, df=40, lower_limit=-x, maxpts=400_000, random_state=1)
    assert max_t_probability(2.5, r, 40) == pytest.approx(qmc, abs=1e-6)
    general = r.copy()
    general[0, 3] = general[3, 0] = 0.1  # no longer one factor: the QMC route
    assert _one_factor(general) is None
    assert max_t_probability(2.5, general, 40, seed=5) == pytest.approx(
        stats.multivariate_t.cdf(x, shape=general, df=40, lower_limit=-x, maxpts=400_000, random_state=2), abs=1e-5
    )


def test_dunnett_limits_of_one_and_of_independent_comparisons():
    # one comparison: the t test; independent comparisons: Sidak's exact product, integrated over
    # the common scale; perfectly correlated comparisons: one t test again
    p, _, _ = adjust_family([1.2], [[0.36]], 17, "dunnett")
    assert p[0] == pytest.approx(2 * stats.t.sf(2.0, 17), rel=1e-12)
    t, df = 2.1, 25
    chi = stats.chi(df)
    sidak = integrate.quad(
        lambda s: (1 - 2 * stats.norm.sf(t * s)) ** 2 * chi.pdf(s * np.sqrt(df)) * np.sqrt(df), 0, np.inf
    )[0]
    assert max_t_probability(t, np.eye(2), df) == pytest.approx(sidak, rel=1e-9)
    same = np.array([[1.0, 1 - 1e-13], [1 - 1e-13, 1.0]])
    assert max_t_probability(t, same, df) == pytest.approx(1 - 2 * stats.t.sf(t, df), rel=1e-9)
