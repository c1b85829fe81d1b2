"""Linear mixed model against lmerTest (F to 1e-4 required; df too) and against closed forms."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, REFERENCE, afex_table

from hiplbp.stats.anova import mixed_anova
from hiplbp.stats.lmm import LMM_COLUMNS, fit_reml, lmm_anova


@pytest.mark.parametrize("name", ["shared1", "shared2", "shared3"])
def test_lmm_equals_lmertest(afex_dir, shared_long, name):
    out = lmm_anova(shared_long[name], "score", "visit", "pid", ["lumbar", "exercise"])
    assert list(out.columns) == LMM_COLUMNS and (out.df_method == "Satterthwaite").all()
    ref = afex_table(afex_dir, f"{name}_ref_lmm_type3.csv").set_index("source")
    out = out.set_index("source")
    assert sorted(out.index) == sorted(ref.index)
    out = out.loc[ref.index]
    np.testing.assert_allclose(out.F, ref.F, rtol=1e-4)
    # the REML optimum is found to machine precision; what is left is lme4's default optimizer
    # tolerance (with tight tolerances lme4 reaches our variance ratio to 5e-11)
    np.testing.assert_allclose(out.F, ref.F, rtol=1e-7)
    # type III df with the contrast rows lmerTest's anova(type = 3) builds (shared3: 5 visits with
    # drop-out, where orthonormal rows would give df 2e-4 off)
    np.testing.assert_allclose(out.df2, ref.df2, rtol=1e-7)
    np.testing.assert_allclose(out.p, ref.p, rtol=1e-4)
    np.testing.assert_array_equal(out.df1, ref.df1)


@pytest.mark.parametrize("name", ["shared1", "shared2"])
def test_lmm_with_a_covariate_equals_lmertest(afex_dir, shared_long, name):
    # lmer(score ~ age + lumbar * exercise * visit + (1 | pid)): the covariate's slope first
    ages = pd.read_csv(DATA / f"{name}_covariates.csv")
    out = lmm_anova(shared_long[name].merge(ages, on="pid"), "score", "visit", "pid", ["lumbar", "exercise"], ["age"])
    ref = afex_table(afex_dir, f"{name}_ref_lmm_cov_type3.csv")
    assert out.source.tolist() == ref.source.tolist() and out.source.iloc[0] == "age"
    np.testing.assert_allclose(out.F, ref.F, rtol=1e-6)
    np.testing.assert_allclose(out.df2, ref.df2, rtol=1e-6)
    np.testing.assert_allclose(out.p, ref.p, rtol=1e-5)
    np.testing.assert_array_equal(out.df1, ref.df1)


def test_three_arm_lmm_with_a_covariate_equals_lmertest():
    d = pd.read_csv(DATA / "three_arms_long.csv")
    d["visit"] = pd.Categorical(d["visit"], categories=["t0", "t1", "t2"])
    out = lmm_anova(d, "score", "visit", "pid", ["stratum", "arm"], ["age"])
    ref = pd.read_csv(REFERENCE / "k_arms" / "three_arms_lmm_age.csv")
    assert out.source.tolist() == ref.source.tolist()
    assert out.set_index("source").loc["arm:visit", "df1"] == 4  # (k - 1)(visits - 1)
    np.testing.assert_allclose(out.F, ref.F, rtol=1e-6)
    np.testing.assert_allclose(out.df2, ref.df2, rtol=1e-6)
    np.testing.assert_allclose(out.p, ref.p, rtol=1e-5)


def test_complete_data_lmm_equals_univariate_anova(shared_long):
    # With every subject observed at every visit, the random-intercept REML F tests are the
    # split-plot ANOVA F tests (compound symmetry), when the variance estimate is interior.
    d = shared_long["shared1"]
    lmm = lmm_anova(d, "score", "visit", "pid", ["lumbar", "exercise"]).set_index("source")
    aov = mixed_anova(d, "score", "visit", "pid", ["lumbar", "exercise"]).set_index("source")
    # lmerTest's rows are rounded to 7 significant digits (zapsmall), which moves F by ~4e-7 here;
    # the reported F follows lmerTest, and the exact rows (each term's own coefficients) give the
    # split-plot F to machine precision
    np.testing.assert_allclose(lmm.loc[aov.index, "F"], aov.F, rtol=1e-6)
    np.testing.assert_allclose(lmm.loc[aov.index, "df2"], aov.df2, rtol=1e-10)
    from hiplbp.stats.anova import design_matrix
    from hiplbp.stats.lmm import satterthwaite_f

    x, blocks = design_matrix(d[["lumbar", "exercise", "visit"]].astype(str))
    fit = fit_reml(x, d["score"].to_numpy(float), d["pid"].to_numpy())
    for t in [t for t in blocks if t]:
        f, _, df2 = satterthwaite_f(fit, np.eye(x.shape[1])[blocks[t]])
        assert f == pytest.approx(aov.loc[":".join(t), "F"], rel=1e-10)


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


def test_reml_gradient_is_the_derivative_of_the_profiled_deviance(shared_long):
    from hiplbp.stats.anova import design_matrix
    from hiplbp.stats.lmm import _Subjects

    d = shared_long["shared3"].dropna(subset=["score"])
    x, _ = design_matrix(d[["lumbar", "exercise", "visit"]].astype(str))
    s = _Subjects(x, d["score"].to_numpy(float), d["pid"].to_numpy())
    for lam in (0.3, 1.0, 4.0):
        h = 1e-5 * lam
        numeric = (s.profiled(lam + h)[0] - s.profiled(lam - h)[0]) / (2 * h)
        assert s.gradient(lam) == pytest.approx(numeric, rel=1e-6)


def test_lmertest_rows_span_each_term_and_leave_f_unchanged(shared_long):
    # The rows differ from the model's own coefficient blocks, but test the same hypothesis: the F
    # of every term is the same with either, only the multi-df Satterthwaite df may differ.
    from hiplbp.stats.anova import design_matrix
    from hiplbp.stats.lmm import lmertest_type3_contrasts, satterthwaite_f

    d = shared_long["shared3"].dropna(subset=["score"])
    fac = d[["lumbar", "exercise", "visit"]].astype(str)
    x, blocks = design_matrix(fac)
    fit = fit_reml(x, d["score"].to_numpy(float), d["pid"].to_numpy())
    cells = fac.drop_duplicates()
    terms = [t for t in blocks if t]
    rows = lmertest_type3_contrasts(cells, x[[fac.index.get_loc(i) for i in cells.index]], terms)
    for t in terms:
        own = np.eye(x.shape[1])[blocks[t]]
        assert rows[t].shape == own.shape
        # the rows are O(1) numbers with float noise near 1e-14; a rank below 1e-8 is that noise (any BLAS kernel)
        assert np.linalg.matrix_rank(np.vstack([rows[t], own]), tol=1e-8) == own.shape[0]
        assert satterthwaite_f(fit, rows[t])[0] == pytest.approx(satterthwaite_f(fit, own)[0], rel=1e-10)


def test_an_empty_cell_stops_with_one_line_naming_it(shared_long):
    d = shared_long["shared3"].copy()
    gone = (d.lumbar == "unstable") & (d.exercise == "hip") & (d.visit == "t4")
    d.loc[gone, "score"] = np.nan
    with pytest.raises(ValueError) as err:
        lmm_anova(d, "score", "visit", "pid", ["lumbar", "exercise"])
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.endswith("none in lumbar = unstable, exercise = hip, visit = t4")


def _dense_variance_derivatives(fit: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    """The n x n formulas the block version replaces (hiplbp before #16), kept as a reference."""
    s = fit["blocks"]
    z = np.zeros((s.n, s.size.size))
    z[np.arange(s.n), np.repeat(np.arange(s.size.size), s.size)] = 1.0
    dv = [np.eye(s.n), z @ z.T]
    v = fit["sigma2"] * dv[0] + fit["tau2"] * dv[1]
    vinv = np.linalg.inv(v)
    c = fit["cov_beta"]
    vx = vinv @ s.x
    pm = vinv - vx @ c @ vx.T
    py = pm @ s.y
    pv = [pm @ d for d in dv]
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            hess[i, j] = -np.trace(pv[i] @ pv[j]) + 2.0 * float(py @ dv[i] @ pm @ dv[j] @ py)
    return hess, [c @ vx.T @ d @ vx @ c for d in dv]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_block_variance_derivatives_equal_the_dense_formulas(seed):
    """Unbalanced subjects (1-5 visits): the O(n) Hessian and dC equal the n x n ones to 1e-10."""
    from hiplbp.stats.lmm import _variance_derivatives, fit_reml

    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, 60)
    groups = np.repeat(np.arange(60), sizes)
    x = np.column_stack([np.ones(groups.size), rng.normal(size=(groups.size, 3))])
    y = x @ np.array([1.0, 0.5, -0.2, 0.1]) + rng.normal(size=60)[groups] * 0.8 + rng.normal(size=groups.size)
    fit = fit_reml(x, y, groups)
    assert fit["tau2"] > 0
    hess, dc = _variance_derivatives(fit)
    ref_hess, ref_dc = _dense_variance_derivatives(fit)
    np.testing.assert_allclose(hess, ref_hess, rtol=1e-10)
    for a, b in zip(dc, ref_dc, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14 * np.abs(b).max())


def test_a_20000_subject_trial_fits_without_n_by_n_matrices():
    """The size that failed allocating 25.8 GiB before the model worked per subject: 20,000 subjects x 3 visits,
    2 % missing; the variance components come back near the truth (tau 12, sigma 8) and the interaction is found."""
    import pandas as pd

    rng = np.random.default_rng(16)
    n = 20_000
    arm = rng.choice(["treatment", "control"], n)
    y = rng.normal(50, 12, n)[:, None] + np.where(arm == "treatment", -4.0, -2.0)[:, None] * np.arange(3)
    y = y + rng.normal(0, 8, (n, 3))
    y[rng.random(y.shape) < 0.02] = np.nan
    d = pd.DataFrame(
        {"subject": np.repeat(np.arange(n), 3), "arm": np.repeat(arm, 3), "time": np.tile(["t0", "t1", "t2"], n)}
    ).assign(y=y.ravel())
    out = lmm_anova(d, "y", "time", "subject", ["arm"]).set_index("source")
    assert out.attrs["n_subjects"] == d.dropna().subject.nunique() > n - 5
    assert abs(np.sqrt(out.attrs["tau2"]) - 12) < 0.3 and abs(np.sqrt(out.attrs["sigma2"]) - 8) < 0.1
    # a within-subject term's df are close to observations minus subjects (the within-subject error)
    within = out.attrs["n_obs"] - out.attrs["n_subjects"]
    assert out.at["arm:time", "p"] < 1e-10 and abs(out.at["arm:time", "df2"] / within - 1) < 0.01
