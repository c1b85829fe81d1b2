"""Reconstruction: exact moments before rounding, published n, arms, assumptions, determinism."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import DEFAULT_RECONSTRUCTION, LEE_MEANING, LEE_SCALES, PUBLISHED

from hiplbp import SYNTHETIC_NOTE
from hiplbp.reconstruction import patients as R
from hiplbp.trial import published
from hiplbp.trial.design import Design

VAS = {"name": "vas", "column": "vas", "min": 0, "max": 100, "integer": True}
ASSUME = [dict(outcome="vas", time="week6", group=g, from_time="week3") for g in ("CG II", "EG II")]


def _run(outcome_table=None, outcomes=(VAS,), **kw):
    design = Design(
        ["baseline", "week3", "week6"],
        {"treatment": "hip", "control": "control"},
        ["stable", "unstable"],
        list(outcomes),
    )
    settings = replace(DEFAULT_RECONSTRUCTION, assumptions=ASSUME, seed=20150217, correlation=0.5, scales=LEE_SCALES)
    return R.reconstruct(
        published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING),
        published.read_summary(PUBLISHED / "outcomes.csv") if outcome_table is None else outcome_table,
        published.read_characteristics(PUBLISHED / "characteristics.csv"),
        design,
        replace(settings, **kw),
    )


def test_exact_moment_sample_hits_the_targets():
    rng = np.random.default_rng(3)
    corr = R.compound_symmetry(3, 0.6)
    x = R.exact_moment_sample(rng, 9, [55.0, 46.1, 39.6], [8.9, 6.9, 7.5], corr)
    np.testing.assert_allclose(x.mean(0), [55.0, 46.1, 39.6], rtol=1e-12)
    np.testing.assert_allclose(x.std(0, ddof=1), [8.9, 6.9, 7.5], rtol=1e-12)
    np.testing.assert_allclose(np.corrcoef(x.T), corr, atol=1e-12)


def test_exact_moment_sample_needs_more_rows_than_variables():
    with pytest.raises(ValueError, match="more rows than variables"):
        R.exact_moment_sample(np.random.default_rng(0), 3, [0, 0, 0], [1, 1, 1], np.eye(3))


def test_compound_symmetry_rejects_impossible_correlation():
    with pytest.raises(ValueError, match="positive definite"):
        R.compound_symmetry(3, -0.6)


def test_groups_have_published_sizes_strata_and_arms_by_marker():
    raw, _ = _run()
    counts = raw.groupby(["published_group", "stratum", "arm"]).size().to_dict()
    assert counts == {
        ("CG I", "stable", "control"): 16,
        ("CG II", "unstable", "hip"): 21,
        ("EG I", "stable", "hip"): 23,
        ("EG II", "unstable", "control"): 9,
    }
    assert raw["subject"].is_unique and len(raw) == 69
    assert (raw["synthetic"] == SYNTHETIC_NOTE).all()


def test_arm_from_label_follows_eg_cg():
    raw, _ = _run(arm_from="label")
    arm = raw.groupby("published_group")["arm"].first().to_dict()
    assert arm == {"EG I": "hip", "CG I": "control", "CG II": "control", "EG II": "hip"}


def test_every_possible_cell_matches_at_the_printed_precision():
    from hiplbp.integrity import grim, grimmer

    raw, check = _run()
    n = published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING).set_index("group")["n"]
    vas = published.read_summary(PUBLISHED / "outcomes.csv")
    t1 = published.read_characteristics(PUBLISHED / "characteristics.csv")
    for r in vas[vas.status == "printed"].itertuples():
        v = raw.loc[raw.published_group == r.group, f"vas_{r.time}"]
        assert v.between(0, 100).all() and (v == v.round()).all()
        assert grimmer(r.mean, r.sd, int(n[r.group])).consistent  # possible, so it must be reached
        assert abs(v.mean() - r.mean_value) <= 0.5 * 10.0 ** -int(r.mean_decimals) + 1e-9, (r.group, r.time)
        assert abs(v.std(ddof=1) - r.sd_value) <= 0.5 * 10.0 ** -int(r.sd_decimals) + 1e-9, (r.group, r.time)
    for r in t1[t1.variable != "bmi"].itertuples():
        v = raw.loc[raw.published_group == r.group, r.variable]
        if r.variable == "age":
            assert (v == v.round()).all() and grim(r.mean, int(n[r.group])).consistent
        else:
            assert np.allclose(v * 10, np.round(v * 10))  # printed precision: one decimal
        assert abs(v.mean() - r.mean_value) <= 0.5 * 10.0 ** -int(r.mean_decimals) + 1e-9, (r.variable, r.group)
        assert abs(v.std(ddof=1) - r.sd_value) <= 0.5 * 10.0 ** -int(r.sd_decimals) + 1e-9, (r.variable, r.group)
    assert check[check.basis != "derived"].match.all()


def test_within_group_correlations_are_within_tolerance_of_the_target():
    for rho in (0.3, 0.5, 0.8):
        raw, check = _run(correlation=rho)
        for grp, g in raw.groupby("published_group"):
            r = np.corrcoef(g[["vas_baseline", "vas_week3", "vas_week6"]].to_numpy(float).T)
            assert np.all(np.abs(r[np.triu_indices(3, 1)] - rho) <= 0.02), (rho, grp)
        vas = check[check.variable == "vas"]
        assert (vas.correlation_min >= rho - 0.02).all() and (vas.correlation_max <= rho + 0.02).all()


def test_bmi_gap_is_reported():
    raw, check = _run()
    bmi = check[check.variable == "bmi"]
    assert (abs(bmi.achieved_mean - bmi.published_mean) < 0.1).all()
    assert bmi.note.str.contains("gap to the printed mean").all()


def test_check_table_reports_targets_achieved_and_basis():
    raw, check = _run()
    vas = check[check.variable == "vas"]
    assert len(vas) == 12
    assumed = vas[vas.basis == "assumed"]
    assert set(zip(assumed.group, assumed.time, strict=False)) == {("CG II", "week6"), ("EG II", "week6")}
    # the assumed target is the week-3 cell (no change after week 3)
    eg2 = assumed.set_index("group").loc["EG II"]
    assert eg2.published_mean == 53.89 and eg2.published_sd == 9.6
    assert "ASSUMPTION" in eg2.note
    achieved = raw.loc[raw.published_group == "EG II", "vas_week6"]
    assert np.isclose(eg2.achieved_mean, achieved.mean()) and np.isclose(eg2.achieved_sd, achieved.std(ddof=1))
    assert set(check.basis) == {"published", "assumed", "derived"}
    bmi = check[check.variable == "bmi"]
    assert len(bmi) == 4 and (bmi.basis == "derived").all()


def test_bmi_is_weight_over_height_squared():
    raw, _ = _run()
    np.testing.assert_allclose(raw.bmi, raw.weight / (raw.height / 100) ** 2, atol=0.005)


def test_unprinted_cell_without_assumption_is_an_error():
    with pytest.raises(ValueError, match=r"vas at week6 in group 'CG II' was not printed.*reconstruction.assumptions"):
        _run(assumptions=[])


def test_assumption_shift_and_scale_are_applied():
    shifted = [dict(a, mean_shift=-5.0, sd_scale=1.2) for a in ASSUME]
    _, check = _run(assumptions=shifted)
    c = check[(check.variable == "vas") & (check.group == "CG II") & (check.time == "week6")].iloc[0]
    assert np.isclose(c.published_mean, 39.1 - 5.0) and np.isclose(c.published_sd, 10.7 * 1.2)


def test_outcome_without_published_numbers_is_an_error():
    kodi = {"name": "kodi", "column": "kodi", "min": 0, "max": 100, "integer": True}
    with pytest.raises(ValueError, match="'kodi' has no published numbers"):
        _run(outcomes=[VAS, kodi])


def test_deterministic_and_seed_dependent():
    a, ca = _run()
    b, cb = _run()
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ca, cb)
    c, _ = _run(seed=1)
    assert not a["vas_baseline"].equals(c["vas_baseline"])


def test_value_basis_marks_exactly_the_assumed_cells():
    raw, check = _run()
    long = raw.melt(
        id_vars=["subject"], value_vars=["vas_baseline", "vas_week3", "vas_week6"], var_name="time", value_name="vas"
    )
    long["time"] = long["time"].str.removeprefix("vas_")
    basis = R.value_basis(long, raw, check, "vas")
    group = long["subject"].map(raw.set_index("subject")["published_group"])
    expected = (long["time"] == "week6") & group.isin(["CG II", "EG II"])
    assert (basis == "assumed").equals(expected) and expected.sum() == 30
    cell = check[(check.variable == "vas") & (check.group == "CG II")].iloc[0]
    assert (cell.stratum, cell.arm) == ("unstable", "hip")


def test_impossible_published_value_uses_the_nearest_and_says_so(tmp_path):
    from hiplbp.integrity import grim

    text = (
        (PUBLISHED / "outcomes.csv").read_text().replace("vas,EG II,week3,9,53.89,9.6", "vas,EG II,week3,9,53.88,9.6")
    )
    (tmp_path / "t2.csv").write_text(text)
    assert not grim("53.88", 9).consistent  # 484/9 = 53.78, 485/9 = 53.89
    raw, check = _run(published.read_summary(tmp_path / "t2.csv"), seed=1)
    row = check[(check.variable == "vas") & (check.group == "EG II") & (check.time == "week3")].iloc[0]
    assert not row.match and "impossible for this n (GRIM): nearest possible used" in row.note
    assert raw.loc[raw.published_group == "EG II", "vas_week3"].sum() == 485  # the nearest attainable mean
    others = check[(check.basis != "derived") & ~((check.group == "EG II") & (check.time.isin(["week3", "week6"])))]
    assert others.match.all()


def test_a_table_that_prints_se_or_ci_is_reconstructed_to_its_printed_digits(tmp_path):
    """SE = SD / sqrt(n) and a t-based 95 % CI are read as printed; the patients reproduce them."""
    from scipy import stats

    s = published.read_summary(PUBLISHED / "outcomes.csv")
    printed = s[s.status == "printed"].copy()
    n = printed.n.astype(int)
    se = (printed.sd_value / np.sqrt(n)).round(2)
    half = stats.t.ppf(0.975, n - 1) * printed.sd_value / np.sqrt(n)
    table = s[["outcome", "group", "time", "n", "mean", "status"]].copy()
    table["se"] = ""
    table["ci_low"] = ""
    table["ci_high"] = ""
    # the first half of the printed cells print an SE, the others a 95 % CI
    for k, (i, r) in enumerate(printed.iterrows()):
        if k % 2 == 0:
            table.loc[i, "se"] = f"{se[i]:.2f}"
        else:
            table.loc[i, "ci_low"] = f"{r.mean_value - half[i]:.1f}"
            table.loc[i, "ci_high"] = f"{r.mean_value + half[i]:.1f}"
    table.to_csv(tmp_path / "outcomes.csv", index=False)
    summary = published.read_summary(tmp_path / "outcomes.csv")
    derived = summary[summary.status == "printed"]
    assert set(derived.sd_source) == {"se", "ci"} and derived.sd.eq("").all()
    raw, check = _run(summary, seed=1)
    for _, r in table.loc[printed.index].iterrows():
        v = raw.loc[raw.published_group == r.group, f"vas_{r.time}"]
        m, sd, k = v.mean(), v.std(ddof=1), len(v)
        if r.se:
            assert abs(sd / np.sqrt(k) - float(r.se)) <= 0.005 + 1e-9, (r.group, r.time)
        else:
            # the CI's half-width, as its printed bounds give it, to within 2 t / sqrt(n) half units
            q = stats.t.ppf(0.975, k - 1) / np.sqrt(k)
            assert abs(q * sd - (float(r.ci_high) - float(r.ci_low)) / 2) <= 2 * q * 0.05 + 1e-9, (r.group, r.time)
        assert abs(m - float(r["mean"])) <= 0.05 + 1e-9
    assert check[check.table == "outcome"].match.all()


def test_a_visit_printed_with_sd_0_is_reconstructed_as_its_mean():
    """An SD printed as 0 is legitimate (every patient scored the same): that visit is constant
    and the others keep their moments and correlation."""
    table = published.read_summary(PUBLISHED / "outcomes.csv")
    cell = (table.group == "EG I") & (table.time == "week3")
    n = int(published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING).set_index("group").loc["EG I", "n"])
    table.loc[cell, ["mean", "sd"]] = ["40", "0"]
    table.loc[cell, ["mean_value", "sd_value", "mean_decimals", "sd_decimals"]] = [40.0, 0.0, 0, 0]
    raw, check = _run(outcome_table=table)
    eg = raw[raw.published_group == "EG I"]
    assert (eg["vas_week3"] == 40).all() and len(eg) == n
    assert check[check.basis != "derived"].match.all()
    r = np.corrcoef(eg["vas_baseline"], eg["vas_week6"])[0, 1]
    assert abs(r - 0.5) < 0.1


def test_exact_moments_with_a_constant_variable_and_tuning_two_rows():
    x = R.exact_moment_sample(
        np.random.default_rng(1), 6, [3.0, 5.0, 7.0], [1.0, 0.0, 2.0], R.compound_symmetry(3, 0.4)
    )
    assert (x[:, 1] == 5.0).all()
    np.testing.assert_allclose(x.std(axis=0, ddof=1), [1.0, 0.0, 2.0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.corrcoef(x[:, [0, 2]].T)[0, 1], 0.4, rtol=1e-10)
    from hiplbp.reconstruction.sampler import tune_correlations

    two = np.array([[1.0, 2.0], [3.0, 1.0]])
    np.testing.assert_array_equal(tune_correlations(two, np.eye(2), rng=np.random.default_rng(0)), two)
