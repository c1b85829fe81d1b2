"""The audit of a trial folder from its printed tables alone: Ebadi 2012 and constructed cases."""

import pytest
from conftest import ROOT
from scipy import stats

from hiplbp.audit import CHECKS, FINDING_COLUMNS, VERDICTS, audit_trial, percent_checks
from hiplbp.trial.tables import read_trial


@pytest.fixture(scope="module")
def ebadi():
    t = read_trial(ROOT / "trials" / "ebadi2012")
    # its tables name the visits' factor Time (its config's design.factor_names)
    return audit_trial(
        t, granularity={"VAS": 1, "age": 1}, bounds={"VAS": (0, 100)}, seed=7, draws=20_000, within_names=["Time"]
    )


def _row(f, check, target):
    return f[(f.check == check) & (f.target == target)].iloc[0]


def test_vocabulary(ebadi):
    assert list(ebadi.columns) == FINDING_COLUMNS
    assert set(ebadi.check) <= set(CHECKS) and set(ebadi.verdict) <= set(VERDICTS)


def test_vas_cells_use_their_own_n(ebadi):
    # VAS 27.7 (14.4) with n = 21 and 25.5 (9.9) with n = 18 at 1 month: exact test on 0-100
    r = _row(ebadi, "mean_sd_consistency", "VAS PL after_1_month")
    assert r.verdict == "pass" and "18 values on 0-100" in r.expected
    assert _row(ebadi, "grim", "VAS US after_1_month").verdict == "not_applicable"  # n = 21 > 10 at 1 decimal


def test_reported_f_recomputed_over_every_allowed_df(ebadi):
    r = _row(ebadi, "reported_statistic", "FRI: Group")
    # F(1, df2) = 3.90 with df2 from 37 (complete cases 21 + 18) to 48 (all 50 randomised)
    lo, hi = stats.f.sf(3.905, 1, 48), stats.f.sf(3.895, 1, 37)
    assert r.verdict == "flag" and r.p == pytest.approx(hi, rel=1e-9)
    assert f"p in [{lo:.3g}, {hi:.3g}]" == r.expected
    # a within-subject effect may carry a sphericity correction: F = 3.47 (Time) fits p = .09 only so
    t = _row(ebadi, "reported_statistic", "flexion_rom: Time")
    assert t.verdict == "flag" and "sphericity correction" in t.explanation
    assert _row(ebadi, "reported_statistic", "FRI: Time").verdict == "pass"  # F = 75.92, p < .001


def test_percentages_against_the_printed_n(ebadi):
    r = _row(ebadi, "percent_consistency", "sex female US")
    assert r.verdict == "flag" and "possible with n = 24" in r.explanation  # 25 % of 25 is 6.25 patients


def test_flow_and_carlisle(ebadi):
    r = _row(ebadi, "n_reconciliation", "PL at after_1_month")
    assert r.verdict == "pass" and r.statistic == 7  # 18 of 25
    assert {"all: age", "all: combined"} <= set(ebadi[ebadi.check == "carlisle"].target)


def test_percent_checks_with_a_printed_count(tmp_path):
    (tmp_path / "groups.csv").write_text("group,n_analysed\nA,24\n")
    (tmp_path / "outcomes.csv").write_text("outcome,group,time,mean,sd,status\ny,A,t0,1,1,printed\n")
    (tmp_path / "characteristics.csv").write_text(
        "variable,group,kind,category,count,percent,status\n"
        "sex,A,categorical,female,6,25.0,printed\nsex,A,categorical,male,17,75.0,printed\n"
    )
    rows = {r["target"]: r for r in percent_checks(read_trial(tmp_path))}
    assert rows["sex female A"]["verdict"] == "pass"  # 6 / 24 = 25.0 %
    assert rows["sex male A"]["verdict"] == "flag"  # 17 / 24 = 70.8 %, not 75.0
