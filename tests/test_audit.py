"""Audit: binomial allocation test, SMD and label consistency against closed forms."""

from math import comb

import numpy as np
import pandas as pd
import pytest
from conftest import LEE_MEANING, PUBLISHED
from scipy import stats

from hiplbp import audit
from hiplbp.trial import published

ARMS = [("hip", "control")]


def _subjects():
    return pd.DataFrame(
        {
            "stratum": ["stable"] * 39 + ["unstable"] * 30,
            "arm": ["hip"] * 23 + ["control"] * 16 + ["hip"] * 21 + ["control"] * 9,
        }
    )


def test_allocation_counts_and_exact_binomial():
    a = audit.allocation(_subjects(), ARMS, ["stable", "unstable"]).set_index("stratum")
    assert a.loc["unstable", ["n", "n_treatment", "n_control"]].tolist() == [30, 21, 9]
    assert a.loc["all", ["n", "n_treatment", "n_control"]].tolist() == [69, 44, 25]
    # two-sided exact test for a symmetric null: twice the lower tail
    p_unstable = 2 * sum(comb(30, k) for k in range(0, 10)) / 2**30
    assert a.loc["unstable", "p_binomial"] == pytest.approx(p_unstable, rel=1e-12)
    assert a.loc["unstable", "p_binomial"] == pytest.approx(0.0428, abs=5e-5)
    p_stable = 2 * sum(comb(39, k) for k in range(0, 17)) / 2**39
    assert a.loc["stable", "p_binomial"] == pytest.approx(p_stable, rel=1e-12)
    p_all = 2 * sum(comb(69, k) for k in range(0, 26)) / 2**69
    assert a.loc["all", "p_binomial"] == pytest.approx(p_all, rel=1e-12)


def test_allocation_without_strata():
    a = audit.allocation(_subjects(), ARMS)
    assert a["stratum"].tolist() == ["all"] and a["n"].item() == 69


def test_baseline_table_and_smd():
    rng = np.random.default_rng(0)
    s = _subjects().assign(age=rng.normal(55, 10, 69))
    b = audit.baseline_table(s, ["age"], ARMS, ["stable", "unstable"]).set_index("stratum")
    t = s[(s.stratum == "unstable") & (s.arm == "hip")].age
    c = s[(s.stratum == "unstable") & (s.arm == "control")].age
    expected = (t.mean() - c.mean()) / np.sqrt((t.var() + c.var()) / 2)
    assert b.loc["unstable", "smd"] == pytest.approx(expected, rel=1e-12)
    assert b.loc["unstable", "n_treatment"] == 21 and b.loc["unstable", "sd_control"] == pytest.approx(
        c.std(), rel=1e-9
    )


def test_a_categorical_baseline_variable_is_n_percent_with_pearson_chi_square():
    s = _subjects()
    s = s.assign(
        sex=np.where(np.arange(len(s)) % 3 == 0, "F", "M"), site=[("a", "b", "c")[i % 3] for i in range(len(s))]
    )
    s.loc[s.index[:4], "site"] = np.nan  # missing values are left out of the percentages
    b = audit.baseline_table(s, [], ARMS, factors=["sex", "site"])
    assert b.kind.unique().tolist() == ["categorical"] and b.variable.tolist() == [
        "sex: F",
        "sex: M",
        "site: a",
        "site: b",
        "site: c",
    ]
    for v in ("sex", "site"):
        t, c = (s.loc[s.arm == arm, v].dropna() for arm in ("hip", "control"))
        table = pd.crosstab(pd.concat([t, c]), ["hip"] * len(t) + ["control"] * len(c))[["hip", "control"]].to_numpy()
        expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
        # R's chisq.test: Yates' correction for a 2 x 2 table, min(0.5, |O - E|) off each cell
        yates = np.minimum(0.5, np.abs(table - expected)) if table.shape == (2, 2) else 0
        chi2 = float((((np.abs(table - expected) - yates) ** 2) / expected).sum())
        rows = b[b.variable.str.startswith(v + ":")]
        assert rows.p.iloc[0] == pytest.approx(stats.chi2.sf(chi2, table.shape[0] - 1), rel=1e-12)  # Yates for 2 x 2
        assert rows.p.iloc[1:].isna().all()
        np.testing.assert_allclose(rows.mean_treatment, 100 * table[:, 0] / len(t), rtol=1e-12)
        assert rows.n_control.tolist() == table[:, 1].tolist()
    f = b.set_index("variable").loc["sex: F"]
    p1, p2 = f.mean_treatment / 100, f.mean_control / 100
    assert f.smd == pytest.approx((p1 - p2) / np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2), rel=1e-12)


def test_label_consistency_flags_the_instability_stratum():
    g = published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING)
    lab = audit.label_consistency(g, "marker").set_index("group")
    assert lab["consistent"].to_dict() == {"EG I": True, "CG I": True, "CG II": False, "EG II": False}
    assert lab.loc["CG II", "arm_used"] == "treatment"
    assert lab.loc["CG II", "note"].startswith(
        "CONFLICT: the printed label says control but the footnote marker says treatment"
    )
    assert audit.label_consistency(g, "label").set_index("group").loc["CG II", "arm_used"] == "control"


def test_baseline_p_is_the_classical_t_test_and_attrition_counts():
    from scipy import stats

    rng = np.random.default_rng(1)
    s = _subjects().assign(age=rng.normal(55, 10, 69))
    b = audit.baseline_table(s, ["age"], ARMS, ["stable", "unstable"]).set_index("stratum")
    u = s[s.stratum == "unstable"]
    assert b.loc["unstable", "p"] == pytest.approx(
        stats.ttest_ind(u[u.arm == "hip"].age, u[u.arm == "control"].age).pvalue, rel=1e-9
    )
    long = pd.DataFrame(
        {
            "subject": ["a", "a", "b", "b"],
            "stratum": ["s"] * 4,
            "arm": ["hip"] * 4,
            "time": ["t0", "t1", "t0", "t1"],
            "y": [1.0, np.nan, 2.0, 3.0],
        }
    )
    a = audit.attrition(long, ["y"], ["t0", "t1"], ["s"]).set_index("time")
    assert a.loc["t1", ["n_subjects", "n_observed", "n_missing"]].tolist() == [2, 1, 1]
