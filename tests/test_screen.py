"""Screening (#17, the library core): each trial folder's findings and its row of trials.csv."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from hiplbp.audit.printed import PrintedAudit, measure_steps, printed_findings, scale_bounds
from hiplbp.audit.trial import audit_trial
from hiplbp.integrity import stouffer
from hiplbp.run.config import load_schema
from hiplbp.screen import TRIAL_COLUMNS, folder_config, own_runs, run_config, screen_trial, trial_folders
from hiplbp.trial.tables import read_trial

TRIALS = ROOT / "trials"


def test_a_trial_s_findings_are_its_audit_plus_the_allocation_ratio_ebadi2012():
    findings, row = screen_trial(TRIALS / "ebadi2012", seed=3, draws=2000)
    own_config = folder_config(TRIALS / "ebadi2012")
    steps, bounds = measure_steps(own_config), scale_bounds(own_config)
    assert steps == {"VAS": 1.0, "age": 1.0} and bounds["FRI"] == (0.0, 100.0)
    own = audit_trial(
        read_trial(TRIALS / "ebadi2012"), granularity=steps, bounds=bounds, seed=3, draws=2000, within_names=["Time"]
    )
    pd.testing.assert_frame_equal(findings.iloc[: len(own)].drop(columns="trial"), own)
    alloc = findings.iloc[-1]
    assert alloc.check == "allocation_ratio" and alloc.value == "25:25" and alloc.p == 1.0
    assert set(row) == set(TRIAL_COLUMNS) and row["status"] == "screened"
    # what the audit of Ebadi's printed tables finds: 13 reported tests whose p its F cannot give, 4 percentages
    assert row["inconsistent_tests"] == row["flags_reported_statistic"] == 13
    assert row["flags_percent_consistency"] == 4
    assert row["flags"] == int((findings.verdict == "flag").sum())
    per_variable = own[(own.check == "carlisle") & ~own.target.str.endswith("combined")].p
    _, p_diff, p_sim = stouffer(list(per_variable))
    assert (row["carlisle_p_different"], row["carlisle_p_similar"]) == (p_diff, p_sim)
    assert row["unexplained_losses"] == 0  # its flow table accounts for the losses


def test_losses_without_a_flow_table_are_unexplained(tmp_path):
    folder = tmp_path / "ebadi_no_flow"
    shutil.copytree(TRIALS / "ebadi2012", folder)
    (folder / "flow.csv").unlink()
    _, row = screen_trial(folder, seed=3, draws=500)
    assert row["unexplained_losses"] == (25 - 21) + (25 - 18)


def test_an_invalid_folder_is_a_row_with_its_one_line_reason(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(TRIALS / "lee2015", folder)
    text = (folder / "groups.csv").read_text().replace(",23,", ",2x3,", 1)
    (folder / "groups.csv").write_text(text)
    findings, row = screen_trial(folder, seed=1, draws=500)
    assert findings.empty and row["status"] == "invalid"
    expected = "expected a whole number, empty or not_available, got '2x3'"
    assert row["reason"] == f"{folder / 'groups.csv'}: row 2, column 'n_analysed': {expected}"
    assert np.isnan(row["carlisle_p_different"])


def test_every_planted_deterministic_anomaly_is_found_and_clean_trials_are_not_flagged(tmp_path):
    """benchmarks/synthetic_trials.py: two trials of each kind and six clean ones; GRIM, impossible SDs, p values
    their t cannot give and unexplained losses are each found in every trial that has one, and in no other."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_trials import DETERMINISTIC, generate

    planted = generate(tmp_path, 24, seed=5, anomalous=0.75).set_index("trial")["kind"]
    found = {
        "grim": "flags_grim",
        "sd": "flags_mean_sd_consistency",
        "test": "flags_reported_statistic",
        "losses": "unexplained_losses",
    }
    rows = pd.DataFrame([screen_trial(f, seed=1, draws=500)[1] for f in sorted(tmp_path.glob("trial*"))])
    kind = rows.trial.map(planted).fillna("clean")
    assert set(DETERMINISTIC) <= set(kind)
    for k, column in found.items():
        assert ((rows[column] > 0) == (kind == k)).all(), k


def test_arms_come_from_the_footnote_markers_the_trial_config_explains_lee2015():
    """Lee & Kim's groups.csv states no arm; their config's marker legend does (†: hip exercise, 23 + 21 analysed;
    ‡: control, 16 + 9): 44 of 69 in the treatment arm, the exact binomial p against 1:1."""
    from scipy import stats

    findings, row = screen_trial(TRIALS / "lee2015", seed=1, draws=500)
    alloc = findings[findings.check == "allocation_ratio"].set_index("target")
    assert alloc.loc["published: all", "value"] == "44:25"
    assert alloc.loc["published: lumbar instability", "value"] == "21:9"
    assert row["allocation_p"] == stats.binomtest(44, 69, 0.5).pvalue


SCHEMA = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")


def test_a_folder_with_its_own_run_config_is_audited_as_that_run_audits_it():
    """Given the run schema, Lee & Kim's folder is audited with their config's settings (hiplbp.audit.printed,
    the function the rule audit calls): its seed and 100,000 draws rather than the screen's, the outcomes'
    baselines in Carlisle's method, the allocation per stratum, the labels against the markers."""
    findings, row = screen_trial(TRIALS / "lee2015", seed=1, draws=500, schema=SCHEMA, root=ROOT)
    config = run_config(TRIALS / "lee2015", SCHEMA, ROOT)
    settings = PrintedAudit.from_config(config)
    assert (settings.seed, settings.draws) == (20150217, 100_000)
    expected = printed_findings(read_trial(TRIALS / "lee2015"), settings)
    pd.testing.assert_frame_equal(findings.drop(columns="trial"), expected)
    assert "vas at baseline" in " ".join(findings[findings.check == "carlisle"].target)
    assert row["flags_label_consistency"] == 3 and row["flags_n_reconciliation"] == 3
    # Carlisle's variables: age, height, weight and VAS at baseline (BMI, computed from height and weight,
    # left out); too alike at one-tailed p = .050 in the instability stratum and .042 over both strata:
    # two-sided .100 and .084, no flag
    carlisle = findings[findings.check == "carlisle"].set_index("target")
    assert carlisle.loc["lumbar instability: combined", "value"] == "4 variables"
    assert carlisle.loc["lumbar instability: combined", "p"] == pytest.approx(0.1004, abs=1e-3)
    assert carlisle.loc["all strata: combined", "p"] == pytest.approx(0.0844, abs=1e-3)
    assert row["carlisle_p_similar"] == pytest.approx(0.0422, abs=5e-4)
    assert row["flags_carlisle"] == 0 and row["flags_improbable"] == 2  # the allocation ratio, 21:9 and 44:25
    assert row["flags"] == int((findings.verdict == "flag").sum()) == 9


def test_own_runs_are_the_folders_with_a_valid_run_config(tmp_path):
    """screen.reports: a folder runs when its config and tables validate; otherwise its one-line reason."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_trials import generate

    generate(tmp_path / "gen", 1, seed=1, anomalous=0.0)
    shutil.copytree(TRIALS / "ebadi2012", tmp_path / "ebadi2012")
    shutil.copytree(TRIALS / "lee2015", tmp_path / "typo")
    text = (tmp_path / "typo" / "config.yaml").read_text().replace("  ss_type: 3", "  ss_typ: 3")
    (tmp_path / "typo" / "config.yaml").write_text(text)
    shutil.copytree(TRIALS / "ebadi2012", tmp_path / "again" / "ebadi2012")
    patterns = ["ebadi2012", "gen/*", "typo", "missing", "again/ebadi2012"]
    configs, reasons = own_runs(patterns, SCHEMA, root=tmp_path)
    assert list(configs) == ["ebadi2012"] and configs["ebadi2012"]["trial"]["folder"] == "again/ebadi2012"
    assert configs["ebadi2012"]["analysis"]["ss_type"] == 3  # validated: the schema's defaults filled in
    assert reasons == {
        "ebadi2012": "ebadi2012: another trial folder is also named 'ebadi2012'; rename one to run both",
        "gen/trial0001": "gen/trial0001/config.yaml: no run config (a `design` section); expected one to run it",
        "missing": "missing: not found; expected a trial folder",
        "typo": "typo/config.yaml: unknown key 'analysis.ss_typ'; allowed here: "
        "adjust, alpha, ci_level, comparisons, covariates, mmrm, observed, primary, ss_type, stratum_by_arm",
    }


def test_a_glob_passes_over_worked_examples_of_own_data_but_a_named_one_is_kept():
    # trials/weightloss holds a data set and its run config, no printed tables
    assert trial_folders(["trials/*/"], root=ROOT) == ["trials/ebadi2012", "trials/lee2015"]
    assert trial_folders(["trials/weightloss"], root=ROOT) == ["trials/weightloss"]


def _variant(tmp_path, name, edit):
    """trials/ebadi2012's folder with its outcomes table edited."""
    folder = tmp_path / name
    shutil.copytree(TRIALS / "ebadi2012", folder)
    table = pd.read_csv(folder / "outcomes.csv", dtype=str, keep_default_na=False)
    edit(table).to_csv(folder / "outcomes.csv", index=False)
    return folder


def test_odd_but_legitimate_tables_are_screened_and_a_defect_stops_only_its_trial(tmp_path, monkeypatch):
    """SD 0, a cell of one patient, an outcome printed at one visit: each is screened. A trial that
    meets a defect (here planted) is a row with its one-line error, and the others are screened."""
    import hiplbp.screen as screen

    vas_late = lambda t: (t.outcome == "VAS") & (t.group == "US") & (t.time == "after_1_month")  # noqa: E731
    sd0 = _variant(tmp_path, "sd0", lambda t: t.assign(sd=t.sd.mask(vas_late(t), "0")))
    n1 = _variant(tmp_path, "n1", lambda t: t.assign(n=t.n.mask(vas_late(t), "1")))
    one = _variant(tmp_path, "one_visit", lambda t: t[~((t.outcome == "VAS") & (t.time != "baseline"))])
    schema = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")
    findings, rows = screen.screen_chunk([sd0, n1, one], seed=1, draws=500, schema=schema, root=ROOT)
    assert rows.status.tolist() == ["screened"] * 3, rows.reason.tolist()
    zero = findings[(findings.trial == "sd0") & (findings.target == "VAS US after_1_month")]
    assert set(zero.check) == {"grim", "mean_sd_consistency"} and "flag" not in set(zero.verdict)
    # one patient cannot have a mean of 27.7 on whole mm (GRIM), and then no SD is checked
    single = findings[(findings.trial == "n1") & (findings.target == "VAS US after_1_month")].set_index("check")
    assert single.loc["grim", "verdict"] == "flag" and "No 1 values" in single.loc["grim", "explanation"]
    assert single.loc["mean_sd_consistency", "verdict"] == "not_applicable"

    real = screen.read_trial

    def planted(folder):
        if folder.name == "n1":
            raise ZeroDivisionError("planted")
        return real(folder)

    monkeypatch.setattr(screen, "read_trial", planted)
    _, rows = screen.screen_chunk([sd0, n1, one], seed=1, draws=500, schema=schema, root=ROOT)
    assert rows.status.tolist() == ["screened", "error", "screened"]
    assert rows.reason.iloc[1] == f"{n1}: unexpected ZeroDivisionError: planted (a defect of hiplbp, please report it)"


@pytest.mark.parametrize("name", ["ebadi2012", "lee2015"])
def test_one_carlisle_p_in_a_trials_run_and_its_screen_row(name):
    """The trial's combination of every baseline variable (its only stratum's, or all strata's) is
    the p its screen row gives, and its run computes the same findings (the function the rule calls)."""
    findings, row = screen_trial(TRIALS / name, seed=1, draws=500, schema=SCHEMA, root=ROOT)
    combined = findings[(findings.check == "carlisle") & findings.target.str.endswith("combined")]
    trial = combined[combined.target.str.startswith("all")].iloc[-1]
    assert trial.p == 2 * min(row["carlisle_p_different"], row["carlisle_p_similar"])  # two-sided
    variables = findings[(findings.check == "carlisle") & ~findings.target.str.endswith("combined")]
    assert trial.value == f"{len(variables)} variables"
    if name == "ebadi2012":  # 3 characteristics and the 12 outcomes' baselines, as its run combines them
        assert len(variables) == 15 and trial.target == "all: combined"
