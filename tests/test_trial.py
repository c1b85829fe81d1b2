"""Trials as data: both trial folders follow format 1; a bad cell is one line naming it."""

import shutil

import pandas as pd
import pytest
from conftest import ROOT

from hiplbp.trial import published
from hiplbp.trial.tables import FORMAT_VERSION, SCHEMAS, TrialError, check_outcome_cells, read_trial

TRIALS = ROOT / "trials"


def test_format_version_and_tables():
    assert FORMAT_VERSION == 1
    assert set(SCHEMAS) == {"groups", "characteristics", "outcomes", "tests", "changes", "flow"}


def test_lee2015_folder():
    t = read_trial(TRIALS / "lee2015")
    assert t.groups["group"].tolist() == ["EG I", "CG I", "CG II", "EG II"]
    assert t.groups["n_analysed"].astype(int).sum() == 69
    na = t.outcomes[t.outcomes.status == "not_available"]
    assert sorted(zip(na.group, na.time, strict=True)) == [("CG II", "week6"), ("EG II", "week6")]
    assert t.outcomes.loc[(t.outcomes.group == "EG II") & (t.outcomes.time == "week3"), "mean"].item() == "53.89"
    enrolled = t.flow[(t.flow.stage == "enrolled") & (t.flow.stratum != "")]
    assert enrolled["n"].astype(int).sum() == 78
    assert set(t.tests["test"]) == {"claim"}


def test_ebadi2012_folder():
    t = read_trial(TRIALS / "ebadi2012")
    assert t.groups[["group", "arm", "n_randomised"]].values.tolist() == [
        ["US", "treatment", "25"],
        ["PL", "control", "25"],
    ]
    assert (t.groups["stratum"] == "").all()
    assert t.outcomes["outcome"].nunique() == 12 and len(t.outcomes) == 12 * 2 * 3
    n = t.outcomes[t.outcomes.outcome == "FRI"].pivot(index="time", columns="group", values="n")
    assert n.loc[["baseline", "after_10_sessions", "after_1_month"], "US"].tolist() == ["24", "24", "21"]
    assert n.loc[["baseline", "after_10_sessions", "after_1_month"], "PL"].tolist() == ["24", "24", "18"]
    sex = t.characteristics[t.characteristics.variable == "sex"]
    assert set(zip(sex.group, sex.category, sex.percent, strict=True)) == {
        ("US", "female", "25"),
        ("US", "male", "75"),
        ("PL", "female", "50"),
        ("PL", "male", "50"),
    }
    # values stay as printed: ".24" and "19.60" keep their text
    assert "-.24" in set(t.outcomes["mean"]) and "19.60" in set(t.outcomes["sd"])
    assert len(t.tests) == 36 and set(t.tests["test"]) == {"F"}
    g = published.read_groups(TRIALS / "ebadi2012" / "groups.csv")
    assert g.set_index("group")["arm_by_marker"].to_dict() == {"US": "treatment", "PL": "control"}


def _folder(tmp_path, **tables):
    base = {
        "groups": "group,n_analysed\nA,10\nB,12\n",
        "outcomes": "outcome,group,time,n,mean,sd,status\ny,A,t0,10,5.1,1.2,printed\ny,B,t0,12,5.3,1.1,printed\n",
    }
    for name, text in (base | tables).items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "tables, message",
    [
        ({"groups": "group,n_analysed\nA,1O\n"}, r"groups.csv: row 2, column 'n_analysed': expected a whole number"),
        (
            {"outcomes": "outcome,group,time,mean,sd,status\ny,A,t0,5.1,1.2,printed\ny,C,t0,5,1,printed\n"},
            r"outcomes.csv: row 3, column 'group': expected a group of groups.csv \(A, B\), got 'C'",
        ),
        (
            {"outcomes": "outcome,group,time,mean,sd,status\ny,A,t0,5,1,maybe\n"},
            r"outcomes.csv: row 2, column 'status': expected printed or not_available, got 'maybe'",
        ),
        (
            {"outcomes": "outcome,group,time,mean,sd,status\ny,A,t0,5.1,1.2,printed\ny,A,t0,5.2,1.3,printed\n"},
            r"outcomes.csv: row 3: duplicate outcome x group x time \('y', 'A', 't0'\); each must appear once$",
        ),
        (
            {"outcomes": "outcome,group,time,mean,status\ny,A,t0,5.1,printed\n"},
            r"outcomes.csv: row 2, column 'mean': status is printed, so a mean and an sd, se or ci_low/ci_high",
        ),
        (
            {"outcomes": "outcome,group,mean,sd,status\n"},
            r"outcomes.csv: row 1 \(header\): missing column\(s\) \['time'\]",
        ),
        (
            {"outcomes": "outcome,group,time,mean,sd,status\ny,A,t0,5.1.2,1,printed\n"},
            r"column 'mean': expected a number",
        ),
        ({"groups": ""}, r"groups.csv: the file is empty"),
        (
            {"changes": "outcome,group,start,end,sd,status\ny,A,t0,t1,1.2,printed\ny,Z,t0,t1,1.0,printed\n"},
            r"changes.csv: row 3, column 'group': expected a group of groups.csv \(A, B\), got 'Z'",
        ),
        (
            {"changes": "outcome,group,start,end,sd,status\ny,A,t0,t1,1..2,printed\n"},
            r"changes.csv: row 2, column 'sd': expected a number",
        ),
        (
            {"tests": "outcome,effect,test,statistic,status\ny,t1,diff,-3.2,printed\n"},
            r"tests.csv: row 2, column 'test': expected F, t, chi2, claim or difference, got 'diff'",
        ),
        (
            {"flow": "stage,n\nscreened,100\n"},
            r"flow.csv: row 2, column 'stage': expected enrolled, randomised or analysed",
        ),
    ],
)
def test_a_bad_trial_table_is_one_line(tmp_path, tables, message):
    with pytest.raises(TrialError, match=message) as err:
        read_trial(_folder(tmp_path, **tables))
    assert "\n" not in str(err.value)


def test_a_missing_required_table_is_named(tmp_path):
    _folder(tmp_path)
    (tmp_path / "outcomes.csv").unlink()
    with pytest.raises(TrialError, match=r"outcomes.csv: not found"):
        read_trial(tmp_path)


def test_optional_tables_may_be_absent(tmp_path):
    t = read_trial(_folder(tmp_path))
    assert t.tests.empty and t.flow.empty and t.characteristics.empty
    assert isinstance(t.outcomes, pd.DataFrame) and len(t.outcomes) == 2


def test_an_outcome_printed_at_fewer_visits_than_the_design_is_one_line(tmp_path):
    """An absent row (not a not_available one) is named before any stage needs it."""
    folder = tmp_path / "one_visit"
    shutil.copytree(ROOT / "trials" / "ebadi2012", folder)
    t = pd.read_csv(folder / "outcomes.csv", dtype=str, keep_default_na=False)
    t[~((t.outcome == "VAS") & (t.time != "baseline"))].to_csv(folder / "outcomes.csv", index=False)
    trial = read_trial(folder)
    visits = ["baseline", "after_10_sessions", "after_1_month"]
    check_outcome_cells(trial, ["FRI"], visits)  # FRI is printed at every visit
    with pytest.raises(TrialError) as err:
        check_outcome_cells(trial, ["FRI", "VAS"], visits)
    assert str(err.value) == (
        f"{folder / 'outcomes.csv'}: outcome 'VAS', group 'US': no row at after_10_sessions, after_1_month (expected a "
        "row at every visit of design.time_levels, baseline, after_10_sessions, after_1_month; a cell the paper did "
        "not print is a row with status not_available, or leave the outcome out of the config's outcomes)"
    )
