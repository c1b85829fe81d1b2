"""The rules' steps (hiplbp.steps) run without Snakemake: a job from plain mappings, and what each
step decides beyond the library call it wraps."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest
from conftest import ROOT
from snakemake.iocontainers import Namedlist

from hiplbp.data.clean import LOG_COLUMNS, CleaningError
from hiplbp.run.config import read_config_file, resolve_extends, validated
from hiplbp.run.stages import stage_arguments, trial_files
from hiplbp.steps import clean, consort, ingest, report, screen
from hiplbp.steps.job import Job, Named
from hiplbp.trial.tables import read_trial


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch):
    # paths in a config are relative to the repository root, where the workflow runs
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def lee():
    config = validated(resolve_extends(read_config_file(ROOT / "config.yaml"), root=ROOT))
    return config, read_trial(ROOT / config["trial"]["folder"])


COLUMNS = {"subject": "subject", "stratum": "stratum", "arm": "arm", "time": "time"}


class _Snakemake:
    """The parts of a script's ``snakemake`` object a job reads, built with Snakemake's own containers."""

    def __init__(self, **parts):
        for name, values in parts.items():
            setattr(self, name, Namedlist(fromdict=values))


def test_a_job_from_snakemake_has_plain_files_params_and_wildcards():
    smk = _Snakemake(
        input={"groups": "trials/x/groups.csv", "anova": ["a.csv", "b.csv"], "tests": []},
        output={"table": "results/t.csv"},
        params={"design": {"arms": ["a", "b"]}, "alpha": 0.05},
        wildcards={"outcome": "vas"},
    )
    job = Job.from_snakemake(smk)
    assert job.input == {"groups": "trials/x/groups.csv", "anova": ["a.csv", "b.csv"], "tests": []}
    assert type(job.input.groups) is str and type(job.input.anova) is list  # not Snakemake's classes
    assert job.output.table == "results/t.csv"
    assert job.params.design == {"arms": ["a", "b"]} and job.params.alpha == 0.05
    assert job.wildcards.outcome == "vas"
    assert not job.input.tests  # an optional input left out is empty, so a step tests it with `if`


def test_a_missing_name_says_what_the_job_has():
    with pytest.raises(AttributeError, match=r"the job has no 'flow'; it has groups, outcomes"):
        _ = Named({"groups": "g.csv", "outcomes": "o.csv"}).flow


def test_clean_writes_its_outputs_before_refusing_data_it_cannot_analyse(tmp_path):
    # one subject per arm: every output is written (so the log shows what was left), then the refusal
    raw = tmp_path / "trial.csv"
    raw.write_text("subject,stratum,arm,time,y\n1,s,a,pre,1\n1,s,a,post,2\n2,s,b,pre,3\n2,s,b,post,5\n")
    config = validated(
        {
            "data": {"source": "file", "path": str(raw), "layout": "long", "columns": COLUMNS},
            "design": {
                "arms": {"treatment": "a", "control": "b"},
                "time_levels": ["pre", "post"],
                "baseline": "pre",
                "strata": ["s"],
            },
            "outcomes": [{"name": "y", "column": "y", "label": "Y"}],
        }
    )
    read = {"data": "canonical.csv", "changes": "ingest_log.csv", "provenance": "provenance.json"}
    ingest.run(
        Job.of({"raw": str(raw)}, {k: str(tmp_path / v) for k, v in read.items()}, stage_arguments(config, "ingest"))
    )
    job = Job.of(
        {"data": str(tmp_path / "canonical.csv"), "changes": str(tmp_path / "ingest_log.csv")},
        {"data": str(tmp_path / "clean.csv"), "log": str(tmp_path / "cleaning_log.csv")},
        stage_arguments(config, "clean"),
    )
    with pytest.raises(CleaningError, match=r"arm .a. has 1 subject\(s\) with y at every visit"):
        clean.run(job)
    assert pd.read_csv(tmp_path / "clean.csv")["y"].tolist() == [1, 2, 3, 5]
    assert list(pd.read_csv(tmp_path / "cleaning_log.csv").columns) == LOG_COLUMNS
    assert json.loads((tmp_path / "provenance.json").read_text())["n_subjects"] == 2


def test_consort_without_a_flow_table_counts_the_printed_groups(lee, tmp_path):
    config, trial = lee
    files = trial_files(config)
    params = stage_arguments(config, "consort", trial)
    counted, note = consort.flow(Job.of({"groups": files["groups"], "flow": []}, {}, params))
    printed = pd.read_csv(files["groups"])
    # the analysed counts as printed; the randomised ones, not printed, stay unknown (never invented)
    assert counted.groups["n_analysed"].tolist() == printed["n_analysed"].tolist() == [23, 16, 21, 9]
    assert counted.groups["n_randomised"].isna().all()
    assert note  # which arm is which, from the markers the config names


def test_screen_stacks_chunks_and_keeps_the_columns_when_none_found_anything(tmp_path):
    columns = ["trial", "check", "target", "verdict"]
    empty = tmp_path / "empty.csv"
    pd.DataFrame(columns=columns).to_csv(empty, index=False)
    found = tmp_path / "found.csv"
    pd.DataFrame([["b", "grim", "x", "impossible"], ["a", "grim", "y", "impossible"]], columns=columns).to_csv(
        found, index=False
    )
    assert list(screen.stacked_findings([str(empty), str(empty)]).columns) == columns
    stacked = screen.stacked_findings([str(empty), str(found), str(empty)])
    assert stacked["trial"].tolist() == ["a", "b"] and stacked["target"].tolist() == ["y", "x"]


def test_the_report_step_passes_every_parameter_the_notebook_declares(lee):
    import papermill as pm

    config, trial = lee
    files = {"notebook", "provenance", "check", "cleaning_log", "allocation", "baseline", "labels", "findings"}
    files |= {"attrition", "consort", "replay"}
    inputs = {name: f"{name}.csv" for name in files} | {role: [f"{role}.csv"] for role in report.TABLES.values()}
    passed = report.parameters(Job.of(inputs, {}, stage_arguments(config, "report", trial)), commit="c0ffee")
    assert set(passed) == set(pm.inspect_notebook(str(ROOT / "notebooks" / "report.ipynb")))
    assert passed["anova_tables"] == ["anova.csv"] and passed["run"]["commit"] == "c0ffee"
    json.dumps(passed)  # papermill writes the parameters into the notebook as code


def _git(cwd, *args):
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


def test_the_commit_says_when_tracked_files_differ_from_it(tmp_path):
    assert report.git_commit(tmp_path) == ""  # not a checkout
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("a")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "a")
    head = report.git_commit(tmp_path)
    assert len(head) == 40 and int(head, 16) >= 0
    (tmp_path / "b.txt").write_text("untracked files do not count")
    assert report.git_commit(tmp_path) == head
    (tmp_path / "a.txt").write_text("changed")
    assert report.git_commit(tmp_path) == head + " with uncommitted changes"
