"""Contrasts against per-visit OLS (statsmodels) and Holm against statsmodels' multipletests."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.multitest import multipletests

from hiplbp.stats.contrasts import CONTRAST_COLUMNS, holm, visit_contrasts
from hiplbp.trial.design import Design

ARMS = {"treatment": "hip", "control": "control"}


STRATA = ["stable", "unstable"]


def _canon(df):
    return df.rename(columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"})


def test_contrasts_equal_cell_means_ols(shared_long):
    d = _canon(shared_long["shared2"])
    out = visit_contrasts(d, "score", Design(["t0", "t1", "t2", "t3"], ARMS, STRATA, baseline="t0"))
    assert list(out.columns) == CONTRAST_COLUMNS and len(out) == 4 * 3 + 3 * 3
    w = d.pivot(index=["subject", "stratum", "arm"], columns="time", values="score").dropna().reset_index()
    w["cell"] = w.stratum + "_" + w.arm
    for v, kind in (("t2", "difference"), ("t3", "change_difference")):
        w["y"] = w[v] - (w["t0"] if kind == "change_difference" else 0)
        fit = smf.ols("y ~ 0 + C(cell)", data=w).fit()
        names = {c: f"C(cell)[{c}]" for c in w.cell.unique()}
        for s, expr in [
            ("stable", f"{names['stable_hip']} - {names['stable_control']} = 0"),
            (
                "all",
                f"0.5*{names['stable_hip']} - 0.5*{names['stable_control']} + "
                f"0.5*{names['unstable_hip']} - 0.5*{names['unstable_control']} = 0",
            ),
        ]:
            tt = fit.t_test(expr)
            row = out[(out.contrast == kind) & (out.visit == v) & (out.stratum == s)].iloc[0]
            assert row.estimate == pytest.approx(float(tt.effect[0]), rel=1e-10)
            assert row.se == pytest.approx(float(tt.sd[0, 0]), rel=1e-10)
            assert row.p_unc == pytest.approx(float(tt.pvalue), rel=1e-8)
            assert row.df == fit.df_resid == 52
    np.testing.assert_allclose(out.p_holm, multipletests(out.p_unc, method="holm")[1], rtol=1e-12)


def test_one_factor_contrasts_are_welch_free_two_sample_t(shared_long):
    from scipy import stats

    d = _canon(shared_long["shared1"])
    out = visit_contrasts(d, "score", Design(["t0", "t1", "t2"], ARMS, baseline="t0"))
    assert set(out.stratum) == {"all"}
    x = d[(d.time == "t2") & (d.arm == "hip")].score
    y = d[(d.time == "t2") & (d.arm == "control")].score
    ref = stats.ttest_ind(x, y)
    row = out[(out.contrast == "difference") & (out.visit == "t2")].iloc[0]
    assert row.t == pytest.approx(ref.statistic, rel=1e-10) and row.p_unc == pytest.approx(ref.pvalue, rel=1e-10)


def test_holm_matches_statsmodels():
    p = np.array([0.001, 0.2, 0.04, 0.03, 0.5])
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-9)


def test_rows_report_the_basis_of_the_values_they_use(shared_long):
    d = _canon(shared_long["shared1"])
    assumed = (d.time == "t2") & (d.stratum == "unstable")
    basis = pd.Series(["published"] * len(d), index=d.index).where(~assumed, "assumed")
    out = visit_contrasts(d, "score", Design(["t0", "t1", "t2"], ARMS, STRATA, baseline="t0"), basis=basis).set_index(
        ["contrast", "visit", "stratum"]
    )["basis"]
    assert out[("difference", "t2", "unstable")] == "assumed"
    assert out[("difference", "t2", "stable")] == "published"
    assert out[("difference", "t2", "all")] == "assumed+published"
    assert out[("change_difference", "t2", "unstable")] == "assumed+published"
    assert out[("difference", "t1", "unstable")] == "published"
    assert (visit_contrasts(d, "score", Design(["t0", "t1", "t2"], ARMS, baseline="t0")).basis == "data").all()


def test_without_a_baseline_the_contrasts_are_the_differences_at_each_visit(shared_long):
    d = _canon(shared_long["shared2"])
    visits = ["t0", "t1", "t2", "t3"]
    with_baseline = visit_contrasts(d, "score", Design(visits, ARMS, STRATA, baseline="t0"))
    none = visit_contrasts(d, "score", Design(visits, ARMS, STRATA, baseline="none"))
    differences = with_baseline[with_baseline.contrast == "difference"].reset_index(drop=True)
    assert len(none) == 4 * 3 and set(none.contrast) == {"difference"}
    columns = [c for c in CONTRAST_COLUMNS if c != "p_holm"]
    pd.testing.assert_frame_equal(none[columns], differences[columns], check_exact=False, rtol=1e-12)
    # Holm's family is the table's own rows: now the differences alone
    np.testing.assert_allclose(none.p_holm, multipletests(none.p_unc, method="holm")[1], rtol=1e-12)
