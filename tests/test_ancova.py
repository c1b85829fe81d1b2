"""ANCOVA against R (car::Anova type III, emmeans contrasts) to 1e-6 relative."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, afex_table

from hiplbp.stats.ancova import EFFECT_COLUMNS, TERMS_COLUMNS, Adjustment, ancova, fit
from hiplbp.trial.design import Design

ARMS = {"treatment": "hip", "control": "control"}


def _canon(df):
    return df.rename(columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"})


@pytest.mark.parametrize("name, last", [("shared1", "t2"), ("shared2", "t3")])
def test_ancova_equals_car_and_emmeans(afex_dir, shared_long, name, last):
    terms, eff = fit(
        _canon(shared_long[name]),
        "score",
        ["stratum", "arm"],
        [(ARMS["treatment"], ARMS["control"])],
        adjust=Adjustment("t0"),
        visit=last,
    )
    assert list(terms.columns) == TERMS_COLUMNS and list(eff.columns) == EFFECT_COLUMNS
    ref = afex_table(afex_dir, f"{name}_ref_ancova_type3.csv")
    assert terms.source.tolist() == ["(Intercept)", "baseline", "stratum", "arm", "stratum:arm", "Residuals"]
    np.testing.assert_allclose(terms.SS, ref.SS, rtol=1e-6)
    np.testing.assert_array_equal(terms.df, ref.df)
    np.testing.assert_allclose(terms.F.iloc[:-1], ref.F.iloc[:-1], rtol=1e-6)
    np.testing.assert_allclose(terms.p.iloc[:-1], ref.p.iloc[:-1], rtol=1e-6)
    con = afex_table(afex_dir, f"{name}_ref_ancova_contrasts.csv").set_index("lumbar")
    e = eff.set_index("stratum")
    for s in ("stable", "unstable"):
        for mine, theirs in [
            ("estimate", "estimate"),
            ("se", "SE"),
            ("df", "df"),
            ("ci_low", "lower.CL"),
            ("ci_high", "upper.CL"),
        ]:
            assert e.loc[s, mine] == pytest.approx(con.loc[s, theirs], rel=1e-6), (s, mine)
    # the stratum-averaged effect is the type III test of arm: same p, t^2 = F
    assert e.loc["all", "estimate"] == pytest.approx(con.estimate.mean(), rel=1e-12)
    assert e.loc["all", "p"] == pytest.approx(ref.set_index("source").loc["exercise", "p"], rel=1e-6)
    t = e.loc["all", "estimate"] / e.loc["all", "se"]
    assert t**2 == pytest.approx(ref.set_index("source").loc["exercise", "F"], rel=1e-6)


def test_one_factor_ancova_is_the_textbook_slope_adjusted_difference(shared_long):
    d = _canon(shared_long["shared1"])
    _, eff = fit(d, "score", ["arm"], [(ARMS["treatment"], ARMS["control"])], adjust=Adjustment("t0"), visit="t2")
    w = d.pivot(index=["subject", "arm"], columns="time", values="score").reset_index()
    # closed form: common within-group slope, difference of adjusted means
    g = {a: w[w.arm == a] for a in ("hip", "control")}
    sxy = sum(((x.t0 - x.t0.mean()) * (x.t2 - x.t2.mean())).sum() for x in g.values())
    sxx = sum(((x.t0 - x.t0.mean()) ** 2).sum() for x in g.values())
    b = sxy / sxx
    adj = (g["hip"].t2.mean() - g["control"].t2.mean()) - b * (g["hip"].t0.mean() - g["control"].t0.mean())
    assert eff.stratum.tolist() == ["all"]
    assert eff.estimate.item() == pytest.approx(adj, rel=1e-10)


def test_every_follow_up_visit(shared_long):
    terms, eff = ancova(
        _canon(shared_long["shared2"]),
        "score",
        Design(["t0", "t1", "t2", "t3"], ARMS, ["stable", "unstable"], baseline="t0"),
    )
    assert eff.visit.unique().tolist() == ["t1", "t2", "t3"] and len(eff) == 9
    assert terms.groupby("visit").size().tolist() == [6, 6, 6]


def test_the_ancova_is_not_offered_without_a_baseline(shared_long):
    design = Design(["t0", "t1", "t2", "t3"], ARMS, ["stable", "unstable"], baseline="none")
    with pytest.raises(ValueError, match=r"^design.baseline is none: no analysis adjusts for a baseline, so"):
        ancova(_canon(shared_long["shared2"]), "score", design)


@pytest.mark.parametrize("name, last", [("shared1", "t2"), ("shared2", "t3")])
def test_a_baseline_column_gives_car_and_emmeans_ancova(afex_dir, shared_long, name, last):
    # the baseline measurement as a subject-level column (say `pre`) instead of a visit: every visit
    # left is an outcome, and the ANCOVA at the last one is R's with the visit t0 as covariate
    d = _canon(shared_long[name])
    pre = d[d.time == "t0"].set_index("subject").score.rename("pre")
    visits = sorted(set(d.time) - {"t0"})
    data = d[d.time != "t0"].join(pre, on="subject")
    terms, eff = ancova(data, "score", Design(visits, ARMS, ["stable", "unstable"], baseline="pre"))
    assert eff.visit.unique().tolist() == visits  # every visit is an outcome
    terms = terms[terms.visit == last]
    ref = afex_table(afex_dir, f"{name}_ref_ancova_type3.csv")
    assert terms.source.tolist() == ["(Intercept)", "baseline", "stratum", "arm", "stratum:arm", "Residuals"]
    np.testing.assert_allclose(terms.SS, ref.SS, rtol=1e-6)
    np.testing.assert_allclose(terms.F.iloc[:-1], ref.F.iloc[:-1], rtol=1e-6)
    con = afex_table(afex_dir, f"{name}_ref_ancova_contrasts.csv").set_index("lumbar")
    e = eff[eff.visit == last].set_index("stratum")
    for s in ("stable", "unstable"):
        assert e.loc[s, "estimate"] == pytest.approx(con.loc[s, "estimate"], rel=1e-6)
        assert e.loc[s, "se"] == pytest.approx(con.loc[s, "SE"], rel=1e-6)


@pytest.mark.parametrize("name", ["shared1", "shared2"])
@pytest.mark.parametrize("model", ["main", "interaction"])
def test_covariates_and_the_stratum_as_a_main_effect_give_car_and_emmeans(afex_dir, shared_long, name, model):
    # y_last ~ y_first + age + lumbar (+ or *) exercise, type III (car) and the arm contrast (emmeans)
    d = _canon(shared_long[name])
    age = pd.read_csv(DATA / f"{name}_covariates.csv").rename(columns={"pid": "subject"}).set_index("subject").age
    d = d.join(age, on="subject")
    last = sorted(d.time.unique())[-1]
    adjust = Adjustment("t0", covariates=("age",), stratum_by_arm=model == "interaction")
    terms, eff = fit(d, "score", ["stratum", "arm"], [(ARMS["treatment"], ARMS["control"])], adjust=adjust, visit=last)
    ref = afex_table(afex_dir, f"{name}_ref_ancova_cov_{model}_type3.csv")
    names = {"y0": "baseline", "lumbar": "stratum", "exercise": "arm", "lumbar:exercise": "stratum:arm"}
    assert terms.source.tolist() == [names.get(s, s) for s in ref.source]
    np.testing.assert_allclose(terms.SS, ref.SS, rtol=1e-6)
    np.testing.assert_array_equal(terms.df, ref.df)
    np.testing.assert_allclose(terms.F.iloc[:-1], ref.F.iloc[:-1], rtol=1e-6)
    np.testing.assert_allclose(terms.p.iloc[:-1], ref.p.iloc[:-1], rtol=1e-6)
    con = afex_table(afex_dir, f"{name}_ref_ancova_cov_{model}_contrasts.csv")
    if model == "main":  # one arm effect
        assert eff.stratum.tolist() == ["all"]
        rows = [(eff.iloc[0], con.iloc[0])]
    else:
        e = eff.set_index("stratum")
        rows = [(e.loc[s], con.set_index("lumbar").loc[s]) for s in ("stable", "unstable")]
    for mine, theirs in rows:
        for a, b in [
            ("estimate", "estimate"),
            ("se", "SE"),
            ("df", "df"),
            ("ci_low", "lower.CL"),
            ("ci_high", "upper.CL"),
            ("p", "p"),
        ]:
            assert mine[a] == pytest.approx(theirs[b], rel=1e-6), (a, mine.name)
