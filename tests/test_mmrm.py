"""The MMRM against R (tests/reference/mmrm.R: nlme::gls + emmeans, Satterthwaite), against closed
forms (per-arm unstructured covariance on complete data is Welch's t), and its analytic derivatives
against finite differences."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, REFERENCE, ROOT
from scipy import stats

from hiplbp.stats.covariance import STRUCTURES, Structure
from hiplbp.stats.mmrm import MmrmOptions, mmrm
from hiplbp.stats.multiplicity import Family

REF = REFERENCE / "mmrm"
VISITS = ["w2", "w4", "w8", "w12"]
ARMS = ["Placebo", "Low", "High"]
AGAINST_PLACEBO = [("Low", "Placebo"), ("High", "Placebo")]
NONE = Family(method="none")


def _dropout() -> pd.DataFrame:
    d = pd.read_csv(DATA / "mmrm_dropout.csv")
    d["visit"] = pd.Categorical(d["visit"], categories=VISITS)
    d["arm"] = pd.Categorical(d["arm"], categories=ARMS)
    return d


@pytest.fixture(scope="module")
def fits():
    d = _dropout()
    return {
        s: mmrm(
            d,
            "y",
            AGAINST_PLACEBO,
            visit="visit",
            covariates=["base", "age"],
            options=MmrmOptions(covariance=s, family=NONE),
        )
        for s in STRUCTURES
    }


def test_dropout_data_has_drop_out():
    d = _dropout()
    per_visit = d.groupby("visit", observed=True).size()
    assert per_visit["w2"] == 90 and per_visit["w12"] < per_visit["w2"]  # subjects leave, none is imputed


@pytest.mark.parametrize("structure", STRUCTURES)
def test_mmrm_contrasts_and_means_equal_gls_emmeans(fits, structure):
    res = fits[structure]
    assert res.fit.converged
    ref = pd.read_csv(REF / f"{structure}_contrasts.csv")
    mine = res.contrasts.assign(comparison=res.contrasts.comparison.str.replace(" ", ""))
    mine = mine.set_index(["visit", "comparison"]).loc[list(zip(ref.visit, ref.comparison, strict=True))]
    for col in ["estimate", "se", "t", "ci_low", "ci_high"]:
        np.testing.assert_allclose(mine[col], ref[col], rtol=1e-5, err_msg=col)
    np.testing.assert_allclose(mine["df"], ref["df"], rtol=1e-3, err_msg="df")
    np.testing.assert_allclose(mine["p"], ref["p"], rtol=1e-4, err_msg="p")
    means = pd.read_csv(REF / f"{structure}_means.csv")
    mm = res.means.set_index(["visit", "arm"]).loc[list(zip(means.visit, means.arm, strict=True))]
    np.testing.assert_allclose(mm["emmean"], means["emmean"], rtol=1e-5)
    np.testing.assert_allclose(mm["se"], means["se"], rtol=1e-5)
    np.testing.assert_allclose(mm["df"], means["df"], rtol=1e-3)


@pytest.mark.parametrize("structure", STRUCTURES)
def test_mmrm_covariance_equals_gls(fits, structure):
    ref = pd.read_csv(REF / f"{structure}_fit.csv")
    sigma = ref.filter(like="X").to_numpy(float).reshape(4, 4, order="F")
    mine = fits[structure].covariance.pivot(index="visit", columns="visit2", values="value").loc[VISITS, VISITS]
    np.testing.assert_allclose(mine.to_numpy(), sigma, rtol=1e-5)


def test_mmrm_type3_equals_gls_fai_cornelius(fits):
    res = fits["unstructured"].terms.set_index("source")
    ref = pd.read_csv(REF / "unstructured_type3.csv").set_index("source")
    assert list(res.index) == list(ref.index)  # base, age, arm, visit, arm:visit
    np.testing.assert_allclose(res["F"], ref["F"], rtol=1e-4)
    np.testing.assert_allclose(
        res["F"], ref["F_joint_tests"], rtol=0, atol=5e-4 + 1e-12
    )  # joint_tests rounds to 3 decimals
    np.testing.assert_allclose(res["df1"], ref["df1"])
    np.testing.assert_allclose(res["df2"], ref["df2"], rtol=1e-3)
    assert res.loc["arm", "df1"] == 2 and res.loc["arm:visit", "df1"] == 6


def test_per_arm_unstructured_on_complete_data_is_welch():
    """With a separate unstructured covariance per arm, complete data and a saturated arm x visit
    mean, each arm's REML covariance is its sample covariance and each visit's contrast is Welch's
    t-test: its SE and its Satterthwaite df are Welch's (a closed form)."""
    w = pd.read_csv(ROOT / "trials" / "weightloss" / "weightloss.csv")
    long = w.melt(id_vars=["rownames", "group"], value_vars=["wl1", "wl2", "wl3"], var_name="visit", value_name="wl")
    long["visit"] = pd.Categorical(long["visit"], categories=["wl1", "wl2", "wl3"])
    long = long.rename(columns={"rownames": "subject", "group": "arm"})
    pairs = [("Diet", "Control"), ("DietEx", "Control")]
    res = mmrm(long, "wl", pairs, visit="visit", options=MmrmOptions(by_arm=True, family=NONE))
    assert res.fit.converged
    for (v, comparison), row in res.contrasts.set_index(["visit", "comparison"]).iterrows():
        a, b = comparison.split(" - ")
        xa = w.loc[w.group == a, v].to_numpy(float)
        xb = w.loc[w.group == b, v].to_numpy(float)
        va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
        welch_df = (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
        welch = stats.ttest_ind(xa, xb, equal_var=False)
        np.testing.assert_allclose(row["estimate"], xa.mean() - xb.mean(), rtol=1e-9)
        np.testing.assert_allclose(row["se"], np.sqrt(va + vb), rtol=1e-7)
        np.testing.assert_allclose(row["df"], welch_df, rtol=1e-6)
        np.testing.assert_allclose(row["p"], welch.pvalue, rtol=1e-6)
    cov = res.covariance
    for arm in ["Control", "Diet", "DietEx"]:
        sample = np.cov(w.loc[w.group == arm, ["wl1", "wl2", "wl3"]].to_numpy(float), rowvar=False)
        mine = cov[cov.group == arm].pivot(index="visit", columns="visit2", values="value").to_numpy()
        np.testing.assert_allclose(mine, sample, rtol=1e-7)


@pytest.mark.parametrize("name", STRUCTURES)
def test_structure_derivatives_equal_finite_differences(name):
    s = Structure(name, 4)
    rng = np.random.default_rng(3)
    theta = rng.normal(0, 0.4, s.n_params)
    sigma, d1, d2 = s.matrices(theta)
    assert np.all(np.linalg.eigvalsh(sigma) > 0)
    h = 1e-6
    for a in range(s.n_params):
        e = np.zeros(s.n_params)
        e[a] = h
        up, down = s.matrices(theta + e), s.matrices(theta - e)
        np.testing.assert_allclose((up[0] - down[0]) / (2 * h), d1[a], atol=1e-7)
        np.testing.assert_allclose((up[1] - down[1]) / (2 * h), d2[a], atol=1e-6)


def test_reml_gradient_and_hessian_equal_finite_differences(fits):
    fit = fits["heterogeneous_cs"].fit
    model = fit.extra["model"]
    theta, h = fit.theta + 0.05, 1e-5
    ev = model.evaluate(theta, 2)
    eye = np.eye(len(theta))
    grad = [
        (model.evaluate(theta + h * e, 0)["deviance"] - model.evaluate(theta - h * e, 0)["deviance"]) / (2 * h)
        for e in eye
    ]
    hess = [
        (model.evaluate(theta + h * e, 1)["gradient"] - model.evaluate(theta - h * e, 1)["gradient"]) / (2 * h)
        for e in eye
    ]
    np.testing.assert_allclose(ev["gradient"], grad, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ev["hessian"], np.array(hess), rtol=1e-5, atol=1e-5)


def test_subjects_with_one_visit_count_and_order_does_not_matter():
    d = _dropout()
    shuffled = d.sample(frac=1.0, random_state=1)
    a = mmrm(d, "y", AGAINST_PLACEBO, visit="visit", covariates=["base"])
    b = mmrm(shuffled, "y", AGAINST_PLACEBO, visit="visit", covariates=["base"])
    np.testing.assert_allclose(a.contrasts["estimate"], b.contrasts["estimate"], rtol=1e-9)
    np.testing.assert_allclose(a.contrasts["df"], b.contrasts["df"], rtol=1e-6)
    assert a.fit.n_subjects == 90 and a.fit.n_obs == len(d)


def test_empty_cell_is_one_line():
    d = _dropout()
    d = d[~((d.arm == "Low") & (d.visit == "w12"))]
    with pytest.raises(ValueError, match="every cell of arm x visit; none in arm = Low, visit = w12"):
        mmrm(d, "y", AGAINST_PLACEBO, visit="visit")


def test_dunnett_with_a_df_per_contrast_uses_each_contrasts_own_df():
    from hiplbp.stats.multiplicity import adjust_family

    est, cov = np.array([1.0, 2.5]), np.array([[0.5, 0.2], [0.2, 0.6]])
    p, lo, hi = adjust_family(est, cov, np.array([20.0, 60.0]), "dunnett")
    for j, df in enumerate([20.0, 60.0]):
        pj, loj, hij = adjust_family(est, cov, df, "dunnett")
        np.testing.assert_allclose([p[j], lo[j], hi[j]], [pj[j], loj[j], hij[j]], rtol=1e-12)
    # Holm with a df per contrast: each p from its own t distribution, then stepped down
    p_holm, _, _ = adjust_family(est, cov, np.array([20.0, 60.0]), "holm")
    raw = 2 * stats.t.sf(np.abs(est) / np.sqrt(np.diag(cov)), [20.0, 60.0])
    np.testing.assert_allclose(
        np.sort(p_holm), np.sort(np.minimum(1, np.maximum.accumulate(np.sort(raw) * [2, 1]))), rtol=1e-12
    )


def _with_site() -> pd.DataFrame:
    d = _dropout()
    assert not pd.api.types.is_numeric_dtype(d["site"]) and set(d["site"]) == {"north", "south", "west"}
    return d


def test_a_categorical_covariate_in_the_mmrm_equals_gls_emmeans():
    res = mmrm(_with_site(), "y", AGAINST_PLACEBO, visit="visit", covariates=["base", "age", "site"])
    ref = pd.read_csv(REF / "site_mmrm_contrasts.csv")
    mine = res.contrasts
    np.testing.assert_allclose(mine.estimate, ref.estimate, rtol=1e-5)
    np.testing.assert_allclose(mine.se, ref.se, rtol=1e-5)
    np.testing.assert_allclose(mine.df, ref.df, rtol=1e-3)
    t3 = pd.read_csv(REF / "site_mmrm_type3.csv")
    assert res.terms.source.tolist() == t3.source.tolist() == ["base", "age", "site", "arm", "visit", "arm:visit"]
    np.testing.assert_allclose(res.terms.F, t3.F, rtol=1e-4)
    np.testing.assert_allclose(res.terms.df1, t3.df1)
    np.testing.assert_allclose(res.terms.df2, t3.df2, rtol=1e-3)


def test_a_categorical_covariate_in_the_lmm_equals_lmertest():
    from hiplbp.stats.lmm import lmm_anova

    d = _with_site()
    mine = lmm_anova(d, "y", "visit", "subject", ["arm"], ["base", "age", "site"])
    ref = pd.read_csv(REF / "site_lmm_type3.csv")
    assert mine.source.tolist() == ref.source.tolist()
    np.testing.assert_allclose(mine.F, ref.F, rtol=1e-5)
    np.testing.assert_allclose(mine.df2, ref.df2, rtol=1e-4)
    np.testing.assert_allclose(mine.df1, ref.df1)


def test_a_categorical_covariate_in_the_ancova_equals_car_and_emmeans():
    from hiplbp.stats.ancova import Adjustment, fit

    d = _with_site().rename(columns={"visit": "time"})
    adjust = Adjustment("base", "column", ("age", "site"), stratum_by_arm=False)
    ref_terms = pd.read_csv(REF / "site_ancova_terms.csv")
    ref_eff = pd.read_csv(REF / "site_ancova_effects.csv")
    for v in VISITS:
        terms, eff = fit(d, "y", ["arm"], AGAINST_PLACEBO, adjust=adjust, visit=v, family=NONE)
        rt = ref_terms[ref_terms.visit == v]
        assert terms.source.tolist() == rt.source.str.replace("base", "baseline").tolist()
        np.testing.assert_allclose(terms.SS, rt.SS, rtol=1e-6)
        np.testing.assert_allclose(terms.df, rt.df)
        np.testing.assert_allclose(terms.F.dropna(), rt.F.dropna(), rtol=1e-6)
        re = ref_eff[ref_eff.visit == v]
        np.testing.assert_allclose(eff.estimate, re.estimate, rtol=1e-6)
        np.testing.assert_allclose(eff.se, re.se, rtol=1e-6)
        np.testing.assert_allclose(eff.p, re.p, rtol=1e-6)


def test_one_visit_is_the_ancova_and_a_flat_visit_is_one_line():
    """With a single visit every structure reduces to OLS (a closed form); an outcome with no spread at a
    visit has no covariance to fit, which is one line."""
    import statsmodels.formula.api as smf

    one = _dropout()
    one = one[one.visit == "w2"].copy()
    ols = smf.ols("y ~ base + C(arm, Treatment('Placebo'))", one.assign(arm=one.arm.astype(str))).fit()
    for structure in STRUCTURES:
        res = mmrm(
            one, "y", AGAINST_PLACEBO, visit="visit", covariates=["base"], options=MmrmOptions(covariance=structure)
        )
        low = res.contrasts.set_index("comparison").loc["Low - Placebo"]
        np.testing.assert_allclose(low.estimate, ols.params["C(arm, Treatment('Placebo'))[T.Low]"], rtol=1e-8)
        np.testing.assert_allclose(low.se, ols.bse["C(arm, Treatment('Placebo'))[T.Low]"], rtol=1e-6)
        np.testing.assert_allclose(low.df, ols.df_resid, rtol=1e-6)
    flat = _dropout().assign(y=lambda d: np.where(d.visit == "w12", 50.0, d.y))
    with pytest.raises(ValueError, match=r"^the MMRM of y: every observed value at visit w12 is the same \(SD 0\)"):
        mmrm(flat, "y", AGAINST_PLACEBO, visit="visit")
