"""The published tables are read with their printed precision, and unknown cells stay unknown."""

import numpy as np
import pandas as pd
import pytest
from conftest import LEE_MEANING, PUBLISHED

from hiplbp.trial import published


@pytest.mark.parametrize("text, expected", [("53.89", 2), ("50.0", 1), ("78", 0), ("", None), (None, None)])
def test_decimals(text, expected):
    assert published.decimals(text) == expected


def test_groups_arms_by_marker_and_label():
    g = published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING).set_index("group")
    assert g["n"].to_dict() == {"EG I": 23, "CG I": 16, "CG II": 21, "EG II": 9}
    assert g["n"].sum() == 69
    assert g.loc["CG II", "arm_by_marker"] == "treatment" and g.loc["CG II", "arm_by_label"] == "control"
    assert g.loc["EG II", "arm_by_marker"] == "control" and g.loc["EG II", "arm_by_label"] == "treatment"
    assert g.loc["EG I", "arm_by_marker"] == g.loc["EG I", "arm_by_label"] == "treatment"


def test_vas_table_keeps_text_and_unknown_cells():
    t = published.read_summary(PUBLISHED / "outcomes.csv")
    eg2 = t[(t.group == "EG II") & (t.time == "week3")].iloc[0]
    assert eg2["mean"] == "53.89" and eg2["mean_decimals"] == 2 and eg2["mean_value"] == 53.89
    assert t[(t.group == "CG I") & (t.time == "baseline")].iloc[0]["mean"] == "55.3"
    na = t[t.status == "not_available"]
    assert set(zip(na.group, na.time, strict=False)) == {("CG II", "week6"), ("EG II", "week6")}
    assert na["mean_value"].isna().all() and na["sd_value"].isna().all()
    assert pd.isna(na["mean_decimals"]).all()


def test_table1_precision():
    t = published.read_characteristics(PUBLISHED / "characteristics.csv")
    row = t[(t.variable == "age") & (t.group == "CG II")].iloc[0]
    assert row["mean"] == "59.38" and row["mean_decimals"] == 2
    assert (t.status == "printed").all()
    assert np.isclose(t[(t.variable == "bmi") & (t.group == "EG I")]["mean_value"].iloc[0], 23.8)


def test_bad_status_is_a_clear_error(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("outcome,time,group,mean,sd,status\nvas,baseline,A,1.0,1.0,printed\nvas,week3,A,,,missing\n")
    with pytest.raises(
        ValueError, match=r"t.csv: row 3, column 'status': expected 'printed' or 'not_available', got 'missing'"
    ):
        published.read_summary(f)


def test_printed_but_empty_is_an_error(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("outcome,time,group,mean,sd,status\nvas,baseline,A,,1.0,printed\n")
    with pytest.raises(ValueError, match=r"row 2, column 'mean': status is printed but the cell is empty"):
        published.read_summary(f)


def test_what_markers_labels_and_strata_mean_comes_from_the_trial(tmp_path):
    f = tmp_path / "groups.csv"
    f.write_text("group,stratum,label_as_printed,marker_as_printed,arm,n_analysed\nA,s1,Active,*,,10\nB,s1,Sham,,,12\n")
    g = published.read_groups(f, marker_arms={"*": "treatment"}, label_arms={"Act": "treatment", "Sh": "control"})
    assert g.set_index("group")["arm_by_label"].to_dict() == {"A": "treatment", "B": "control"}
    assert g.set_index("group")["arm_by_marker"].tolist()[0] == "treatment"
    assert g["stratum_label"].tolist() == ["s1", "s1"]
    # an arm the paper states overrides both readings
    f.write_text("group,arm,n_analysed\nA,control,10\n")
    g = published.read_groups(f, marker_arms={"*": "treatment"}, label_arms={"A": "treatment"})
    assert g.loc[0, "arm_by_marker"] == g.loc[0, "arm_by_label"] == "control"


def test_a_marker_the_trial_does_not_explain_is_one_line(tmp_path):
    f = tmp_path / "groups.csv"
    f.write_text("group,marker_as_printed,n_analysed\nA,§,10\n")
    with pytest.raises(
        ValueError,
        match=r"row 2, column 'marker_as_printed': expected one of \['\*'\] \(trial.marker_arms\), got '§'$",
    ):
        published.read_groups(f, marker_arms={"*": "treatment"})
