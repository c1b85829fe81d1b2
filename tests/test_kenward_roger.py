"""Kenward-Roger inference for the MMRM: against pbkrtest (compound symmetry is the random-intercept
LMM, tests/reference/kenward_roger.R) and against the exact tests it reproduces on complete data
with an unstructured covariance (the pooled t, Hotelling's T²)."""

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE
from scipy import stats
from test_mmrm import AGAINST_PLACEBO, NONE, _dropout

from hiplbp.stats.kenward_roger import kenward_roger
from hiplbp.stats.mmrm import MmrmOptions, fit_mmrm, mmrm

REF = REFERENCE / "kenward_roger"


@pytest.fixture(scope="module")
def cs():
    options = MmrmOptions(covariance="compound_symmetry", family=NONE, df="kenward_roger")
    return mmrm(_dropout(), "y", AGAINST_PLACEBO, visit="visit", covariates=["base", "age"], options=options)


def test_compound_symmetry_contrasts_and_means_equal_pbkrtest(cs):
    ref = pd.read_csv(REF / "contrasts.csv")
    mine = cs.contrasts
    assert (mine.visit + mine.comparison.str.replace(" ", "")).tolist() == (ref.visit + ref.comparison).tolist()
    for col in ["estimate", "se", "t", "df", "p"]:
        np.testing.assert_allclose(mine[col], ref[col], rtol=1e-6, err_msg=col)
    means = pd.read_csv(REF / "means.csv")
    for col in ["emmean", "se", "df"]:
        np.testing.assert_allclose(cs.means[col], means[col], rtol=1e-6, err_msg=col)
    # the adjustment is small here but real: the SE is not the unadjusted one
    plain = mmrm(
        _dropout(),
        "y",
        AGAINST_PLACEBO,
        visit="visit",
        covariates=["base", "age"],
        options=MmrmOptions(covariance="compound_symmetry", family=NONE),
    )
    assert (cs.contrasts.se > plain.contrasts.se).all()


def test_compound_symmetry_type3_equals_pbkrtest_scaled_f(cs):
    ref = pd.read_csv(REF / "type3.csv")
    mine = cs.terms.set_index("source").loc[ref.source]
    assert set(mine.df_method) == {"Kenward-Roger"}
    for col in ["F", "df2"]:
        np.testing.assert_allclose(mine[col], ref[col], rtol=1e-6, err_msg=col)
    # a p of 2e-11 moves about 20 times as much as its F (lme4's optimiser stops about 1e-8 short)
    np.testing.assert_allclose(mine["p"], ref["p"], rtol=1e-5)
    np.testing.assert_array_equal(mine.df1, ref.df1)


def _complete(n_per_arm=(9, 12, 10), t=4, seed=7):
    """Complete data, cell-means coding: the unstructured REML covariance is the pooled one."""
    rng = np.random.default_rng(seed)
    true = 0.5 * np.eye(t) + 0.5 + np.diag(np.linspace(0.2, 1.0, t))
    rows = []
    for a, n in enumerate(n_per_arm):
        y = rng.multivariate_normal(np.arange(t) * (a + 1) * 0.3, true, size=n)
        for i in range(n):
            rows += [dict(subject=f"{a}-{i}", arm=a, visit=j, y=y[i, j]) for j in range(t)]
    d = pd.DataFrame(rows)
    x = np.zeros((len(d), len(n_per_arm) * t))
    x[np.arange(len(d)), d.arm * t + d.visit] = 1.0
    fit = fit_mmrm(x, d.y.to_numpy(), d.subject.to_numpy(), d.visit.to_numpy(), "unstructured")
    wide = d.pivot(index="subject", columns="visit", values="y")
    arm = d.groupby("subject").arm.first().loc[wide.index]
    return fit, wide.to_numpy(), arm.to_numpy()


def test_complete_data_unstructured_needs_no_adjustment_and_gives_the_pooled_t():
    fit, y, arm = _complete()
    kr = kenward_roger(fit, "unstructured")
    np.testing.assert_allclose(kr.cov_beta, kr.phi, rtol=1e-8, atol=1e-12)
    n, t, k = len(y), y.shape[1], 3
    resid = y - np.array([y[arm == a].mean(axis=0) for a in range(k)])[arm]
    pooled = resid.T @ resid / (n - k)
    for j in range(t):
        c = np.zeros(k * t)
        c[1 * t + j], c[0 * t + j] = 1.0, -1.0  # arm 1 minus arm 0 at visit j
        se = np.sqrt(pooled[j, j] * (1 / np.sum(arm == 1) + 1 / np.sum(arm == 0)))
        np.testing.assert_allclose(np.sqrt(c @ kr.cov_beta @ c), se, rtol=1e-8)
        np.testing.assert_allclose(kr.t_df(c), n - k, rtol=1e-8)


@pytest.mark.parametrize("rows", ["every_visit", "profile"])
def test_complete_data_unstructured_f_is_hotellings_t2(rows):
    """One between df: the arms' difference at every visit (t rows), or its profile (t - 1 rows)."""
    fit, y, arm = _complete()
    kr = kenward_roger(fit, "unstructured")
    n, t, k = len(y), y.shape[1], 3
    d = y[arm == 2].mean(axis=0) - y[arm == 0].mean(axis=0)
    resid = y - np.array([y[arm == a].mean(axis=0) for a in range(k)])[arm]
    s = resid.T @ resid / (n - k)
    h = np.eye(t) if rows == "every_visit" else np.diff(np.eye(t), axis=0)
    L = np.zeros((len(h), k * t))
    L[:, 2 * t : 3 * t], L[:, 0:t] = h, -h
    q = len(h)
    t2 = float((h @ d) @ np.linalg.solve(h @ s @ h.T, h @ d)) / (1 / np.sum(arm == 2) + 1 / np.sum(arm == 0))
    exact_f, exact_df2 = t2 * (n - k - q + 1) / ((n - k) * q), n - k - q + 1
    f, df1, df2 = kr.f_test(L)
    assert df1 == q
    np.testing.assert_allclose(df2, exact_df2, rtol=1e-8)
    np.testing.assert_allclose(f, exact_f, rtol=1e-8)
    assert stats.f.sf(f, df1, df2) == pytest.approx(stats.f.sf(exact_f, q, exact_df2), rel=1e-8)


@pytest.mark.parametrize("structure", ["heterogeneous_cs", "ar1"])
def test_structures_not_linear_in_their_parameters_are_one_line(structure):
    options = MmrmOptions(covariance=structure, df="kenward_roger")
    with pytest.raises(ValueError, match=rf"^Kenward-Roger df take a covariance linear .* not {structure} \(expected"):
        mmrm(_dropout(), "y", AGAINST_PLACEBO, visit="visit", covariates=["base"], options=options)


def test_complete_data_with_a_covariance_per_arm_gives_welchs_t():
    """Two arms, each its own unstructured covariance, complete data: at each visit the comparison
    is Welch's t (its SE and df), with no adjustment."""
    rng, t, sizes = np.random.default_rng(3), 3, (8, 13)
    rows = []
    for a, n in enumerate(sizes):
        y = rng.multivariate_normal(np.zeros(t), np.eye(t) * (1 + 2 * a) + 0.4, size=n)
        rows += [dict(subject=f"{a}-{i}", arm=a, visit=j, y=y[i, j]) for i in range(n) for j in range(t)]
    d = pd.DataFrame(rows)
    x = np.zeros((len(d), 2 * t))
    x[np.arange(len(d)), d.arm * t + d.visit] = 1.0
    fit = fit_mmrm(x, d.y.to_numpy(), d.subject.to_numpy(), d.visit.to_numpy(), "unstructured", group=d.arm.to_numpy())
    kr = kenward_roger(fit, "unstructured")
    for j in range(t):
        c = np.zeros(2 * t)
        c[t + j], c[j] = 1.0, -1.0
        v1, v0 = (d[(d.arm == a) & (d.visit == j)].y.var(ddof=1) / sizes[a] for a in (1, 0))
        welch = (v1 + v0) ** 2 / (v1**2 / (sizes[1] - 1) + v0**2 / (sizes[0] - 1))
        np.testing.assert_allclose(np.sqrt(c @ kr.cov_beta @ c), np.sqrt(v1 + v0), rtol=1e-7)
        np.testing.assert_allclose(kr.t_df(c), welch, rtol=1e-7)
