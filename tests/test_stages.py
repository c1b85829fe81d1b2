"""What each rule is given (hiplbp.run.stages), from the validated config alone, without Snakemake."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import DATA, ROOT

from hiplbp.run import stages
from hiplbp.run.config import SCHEMAS, read_config_file, resolve_extends, validated
from hiplbp.run.stages import STAGES, stage_arguments
from hiplbp.trial.tables import read_trial


def _run(path):
    """A config file as the workflow sees it: ``extends`` resolved, validated with the schema's defaults."""
    return validated(resolve_extends(read_config_file(ROOT / path), root=ROOT))


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch):
    # paths in a config are relative to the repository root, where the workflow runs
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def lee():
    config = _run("config.yaml")
    return config, read_trial(ROOT / config["trial"]["folder"])


def _schema_default(*keys):
    node = yaml.safe_load((SCHEMAS / "config.schema.yaml").read_text())
    for key in keys:
        node = node["properties"][key]
    return node["default"]


@pytest.mark.parametrize("path", ["config.yaml", "trials/ebadi2012/config.yaml", "tests/data/shared1.yaml"])
def test_every_stage_gets_plain_values(path):
    config = _run(path)
    trial = read_trial(ROOT / config["trial"]["folder"]) if stages.has_trial(config) else None
    for stage in STAGES:
        arguments = stage_arguments(config, stage, trial)
        json.dumps(arguments)  # raises on anything but plain values (Snakemake stores params as text)
        assert arguments and "design" in arguments or stage == "report", stage


def test_an_unknown_stage_names_the_stages():
    with pytest.raises(KeyError, match=r"no stage 'anlysis'; the stages are reconstruct, replicates, ingest"):
        stage_arguments({}, "anlysis")


def test_defaults_come_from_the_schema_only():
    # a config that sets nothing optional: each value a rule gets is the schema's default
    config = validated(yaml.safe_load((DATA / "shared1.yaml").read_text()) | {"analysis": {}})
    analysis = stage_arguments(config, "analysis")
    assert analysis["ss_type"] == _schema_default("analysis", "ss_type") == 3
    assert analysis["ci_level"] == _schema_default("analysis", "ci_level") == 0.95
    assert stage_arguments(config, "sensitivity_figure")["alpha"] == _schema_default("analysis", "alpha") == 0.05
    correlations = _schema_default("sensitivity", "correlations")
    grid = stage_arguments(config, "sensitivity")["grid"]
    assert grid["correlations"][0] == correlations["from"] and grid["correlations"][-1] == correlations["to"]
    assert len(grid["correlations"]) == round((correlations["to"] - correlations["from"]) / correlations["step"]) + 1
    assert (
        stage_arguments(config, "clean")["exclude"] == []
        and stage_arguments(config, "clean")["drop_incomplete"] is False
    )
    assert stage_arguments(config, "report")["title"] == _schema_default("report", "title")
    # the data's own factor names label the tables where the design does not name them
    assert stage_arguments(config, "models")["design"]["design"]["factor_names"] == {
        "stratum": "lumbar",
        "arm": "exercise",
        "time": "visit",
    }


def test_a_changed_setting_reaches_exactly_the_rules_that_read_it():
    base = validated(yaml.safe_load((DATA / "shared1.yaml").read_text()))
    edited = yaml.safe_load((DATA / "shared1.yaml").read_text())
    edited["analysis"]["ss_type"] = 2
    changed = validated(edited)
    differ = {s for s in STAGES if stage_arguments(base, s) != stage_arguments(changed, s)}
    # the report also carries the config's hash
    assert differ == {"analysis", "sensitivity", "band", "report"}


def test_lee_reconstructs_each_continuous_characteristic_and_says_what_it_assumed(lee):
    config, trial = lee
    design = stage_arguments(config, "analysis", trial)["design"]["design"]
    continuous = trial.characteristics.loc[trial.characteristics["kind"] == "continuous", "variable"]
    assert design["covariates"] == list(dict.fromkeys(continuous)) and len(design["covariates"]) >= 3
    provenance = stage_arguments(config, "ingest", trial)["provenance"]
    assert provenance["synthetic"] is True and provenance["path"] == "results/lee2015/data/raw.csv"
    assert provenance["correlation"] == config["reconstruction"]["correlation"]
    # one sentence per configured assumption (the paper's two unprinted week-6 cells), none dropped
    assert provenance["assumptions"] == [
        "vas at week6 in CG II = week3 mean +0, SD x 1",
        "vas at week6 in EG II = week3 mean +0, SD x 1",
    ]
    with pytest.raises(ValueError, match="needs its trial's tables"):
        stages.design(config, None)


def test_assumptions_of_outcomes_the_run_does_not_analyse_are_not_reported(lee):
    config, trial = lee
    more = dict(config, reconstruction=dict(config["reconstruction"]))
    extra = {
        "outcome": "other",
        "time": "week6",
        "group": "CG II",
        "from_time": "week3",
        "mean_shift": 2.0,
        "sd_scale": 1.5,
    }
    more["reconstruction"]["assumptions"] = [*config["reconstruction"]["assumptions"], extra]
    assert len(stages.assumption_notes(more)) == 2
    more["outcomes"] = [*config["outcomes"], {"name": "other", "column": "other"}]
    assert stages.assumption_notes(more)[-1] == "other at week6 in CG II = week3 mean +2, SD x 1.5"


def test_own_data_are_not_synthetic_and_list_no_trial_files():
    config = _run("tests/data/shared1.yaml")
    provenance = stages.provenance(config)
    assert provenance == {
        "source": "file",
        "synthetic": False,
        "correlation": None,
        "assumptions": [],
        "path": "tests/data/shared1_long.csv",
        "citation": "",
    }
    assert all(v == [] for v in stages.trial_files(config).values())
    assert stages.replicates(config) == 1
    assert stage_arguments(config, "ingest")["options"]["columns"]["subject"] == "pid"


def test_trial_files_list_the_optional_tables_a_trial_has(lee):
    config, _ = lee
    files = stages.trial_files(config)
    assert files["groups"] == "trials/lee2015/groups.csv" and files["outcomes"] == ["trials/lee2015/outcomes.csv"]
    assert files["changes"] == []  # Lee & Kim print no change-score table
    assert files["tests"] == "trials/lee2015/tests.csv"


def test_band_bounds_are_each_outcome_s_scale(lee):
    config, trial = lee
    bounds = stage_arguments(config, "band", trial)["bounds"]
    assert bounds == {o["name"]: (float(o["min"]), float(o["max"])) for o in config["outcomes"]}


def test_a_baseline_column_is_carried_as_a_covariate():
    config = _run("tests/data/shared1.yaml")
    config["design"]["baseline"] = "pre"
    config["data"]["covariates"] = ["age"]
    assert stages.baseline_column(config) == "pre" and stages.covariates(config, None) == ["age", "pre"]
    assert stage_arguments(config, "models")["design"]["design"]["covariates"] == ["age", "pre"]
    config["design"]["baseline"] = "none"
    assert stages.baseline_column(config) is None and stages.covariates(config, None) == ["age"]
    assert not stages.baseline_adjusted(config)
