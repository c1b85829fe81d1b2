"""Linear mixed model against lmerTest (F to 1e-4 required; df too) and against closed forms."""

import numpy as np
import pytest
from conftest import afex_table

from hiplbp.anova import mixed_anova
from hiplbp.lmm import LMM_COLUMNS, fit_reml, lmm_anova


@pytest.mark.parametrize("name", ["shared1", "shared2"])
def test_lmm_equals_lmertest(afex_dir, shared_long, name):
    out = lmm_anova(shared_long[name], "score", "visit", "pid", ["lumbar", "exercise"])
    assert list(out.columns) == LMM_COLUMNS and (out.df_method == "Satterthwaite").all()
    ref = afex_table(afex_dir, f"{name}_ref_lmm_type3.csv").set_index("source")
    out = out.set_index("source")
    assert sorted(out.index) == sorted(ref.index)
    out = out.loc[ref.index]
    np.testing.assert_allclose(out.F, ref.F, rtol=1e-4)
    np.testing.assert_allclose(out.F, ref.F, rtol=1e-6)  # in practice much closer than required
    np.testing.assert_allclose(out.df2, ref.df2, rtol=1e-5)
    np.testing.assert_allclose(out.p, ref.p, rtol=1e-4)
    np.testing.assert_array_equal(out.df1, ref.df1)


def test_complete_data_lmm_equals_univariate_anova(shared_long):
    # With every subject observed at every visit, the random-intercept REML F tests are the
    # split-plot ANOVA F tests (compound symmetry), when the variance estimate is interior.
    d = shared_long["shared1"]
    lmm = lmm_anova(d, "score", "visit", "pid", ["lumbar", "exercise"]).set_index("source")
    aov = mixed_anova(d, "score", "visit", "pid", ["lumbar", "exercise"]).set_index("source")
    np.testing.assert_allclose(lmm.loc[aov.index, "F"], aov.F, rtol=1e-8)
    np.testing.assert_allclose(lmm.loc[aov.index, "df2"], aov.df2, rtol=1e-6)


def test_reml_variance_components_closed_form():
    # Balanced one-way random effects: REML = ANOVA estimators (when positive).
    rng = np.random.default_rng(4)
    n, m = 30, 4
    u = rng.normal(0, 2.0, n)
    y = (u[:, None] + rng.normal(0, 1.0, (n, m))).ravel() + 5.0
    g = np.repeat(np.arange(n), m)
    fit = fit_reml(np.ones((n * m, 1)), y, g)
    yy = y.reshape(n, m)
    msw = ((yy - yy.mean(1, keepdims=True)) ** 2).sum() / (n * (m - 1))
    msb = m * ((yy.mean(1) - yy.mean()) ** 2).sum() / (n - 1)
    assert fit["sigma2"] == pytest.approx(msw, rel=1e-8)
    assert fit["tau2"] == pytest.approx((msb - msw) / m, rel=1e-6)


def test_uses_incomplete_subjects(shared_long):
    out = lmm_anova(shared_long["shared2"], "score", "visit", "pid", ["lumbar", "exercise"])
    assert out.attrs["n_subjects"] == 67 and out.attrs["n_obs"] == shared_long["shared2"].score.notna().sum()
