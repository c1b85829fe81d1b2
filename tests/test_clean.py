"""Cleaning: every change is logged with its reason; nothing else changes."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from hiplbp.data.clean import LOG_COLUMNS, CleaningError, check_analysable, clean, cleaning_log
from hiplbp.data.ingest import Source, ingest, ingest_logged
from hiplbp.trial.design import Design

COLS = {"subject": "pid", "stratum": "lumbar", "arm": "exercise", "time": "visit"}
DESIGN = Design(
    time_levels=["t0", "t1", "t2"],
    arms={"treatment": "hip", "control": "control"},
    strata=["stable", "unstable"],
    outcomes=[{"name": "score", "column": "score", "min": 0, "max": 100, "integer": True}],
    baseline="t0",
)


def _load(tmp_path, edit=None):
    df = pd.read_csv(DATA / "shared1_long.csv", dtype=str)
    if edit:
        df = edit(df)
    f = tmp_path / "d.csv"
    df.to_csv(f, index=False)
    before = f.read_bytes()
    data = ingest(f, DESIGN, layout="long", columns=COLS)
    return data, f, before


def test_clean_data_passes_unchanged(tmp_path):
    data, _, _ = _load(tmp_path)
    out, log = clean(data, DESIGN)
    pd.testing.assert_frame_equal(out, data)
    assert list(log.columns) == LOG_COLUMNS and log.empty


def test_out_of_range_and_fractional_values_are_set_missing_and_logged(tmp_path):
    def edit(df):
        df.loc[0, "score"] = "140"
        df.loc[1, "score"] = "-3"
        df.loc[2, "score"] = "41.5"
        return df

    data, f, before = _load(tmp_path, edit)
    out, log = clean(data, DESIGN)
    assert f.read_bytes() == before  # the raw file is never modified
    changed = log[log.action == "set_missing"].sort_values("row")
    assert changed[["row", "subject", "time", "column", "original"]].values.tolist() == [
        [2, "S001", "t0", "score", "140"],
        [3, "S001", "t1", "score", "-3"],
        [4, "S001", "t2", "score", "41.5"],
    ]
    assert changed.reason.tolist()[:2] == ["outside the scale [0, 100] of score"] * 2
    assert changed.reason.tolist()[2] == "not a whole number on the integer scale of score"
    assert out.loc[out.subject == "S001", "score"].isna().all()
    assert len(out) == len(data)
    # S001 is now incomplete, and logged as such
    inc = log[log.action == "incomplete"]
    assert inc[["row", "subject", "time"]].values.tolist() == [[2, "S001", "t0"], [3, "S001", "t1"], [4, "S001", "t2"]]


def test_exact_duplicates_keep_one_conflicting_duplicates_drop_all(tmp_path):
    def edit(df):
        dup_exact = df.iloc[[3]]  # S002 t0, identical
        dup_conflict = df.iloc[[6]].assign(score="1")  # S003 t0, different score
        return pd.concat([df, dup_exact, dup_conflict], ignore_index=True)

    data, _, _ = _load(tmp_path, edit)
    out, log = clean(data, DESIGN)
    assert len(out) == len(data) - 1 - 2
    dropped = log[log.action == "dropped_row"].sort_values("row")
    assert dropped[["row", "subject", "reason"]].values.tolist() == [
        [8, "S003", "conflicting duplicate of this subject and visit"],
        [212, "S002", "exact duplicate of an earlier row"],
        [213, "S003", "conflicting duplicate of this subject and visit"],
    ]
    assert ((out.subject == "S002") & (out.time == "t0")).sum() == 1
    assert ((out.subject == "S003") & (out.time == "t0")).sum() == 0


def test_subject_in_two_arms_is_dropped(tmp_path):
    def edit(df):
        df.loc[1, "exercise"] = "control"  # S001 t1 recorded in the other arm
        return df

    data, _, _ = _load(tmp_path, edit)
    out, log = clean(data, DESIGN)
    assert "S001" not in set(out.subject)
    d = log[log.subject == "S001"]
    assert len(d) == 3 and (d.action == "dropped_row").all()
    assert d.reason.iloc[0] == "subject recorded in more than one arm (control, hip)"


def test_config_exclusion_and_drop_incomplete(tmp_path):
    def edit(df):
        return df[~((df.pid == "S010") & (df.visit == "t2"))]

    data, _, _ = _load(tmp_path, edit)
    out, log = clean(data, DESIGN, exclude=[{"subject": "S005", "reason": "withdrew consent"}], drop_incomplete=True)
    assert not {"S005", "S010"} & set(out.subject)
    assert out.subject.nunique() == 68
    ex = log[log.subject == "S005"]
    assert len(ex) == 3 and ex.reason.unique().tolist() == ["excluded by config: withdrew consent"]
    inc = log[log.subject == "S010"]
    assert inc.action.tolist() == ["incomplete"] and "subject dropped" in inc.reason.iloc[0]


def test_incomplete_subjects_stay_by_default(tmp_path):
    data = ingest(
        DATA / "shared2_long.csv",
        Design(
            **{
                **DESIGN.__dict__,
                "time_levels": ["t0", "t1", "t2", "t3"],
                "outcomes": [{"name": "score", "column": "score", "min": 0, "max": 100}],
            }
        ),
        layout="long",
        columns=COLS,
    )
    out, log = clean(
        data,
        Design(
            **{
                **DESIGN.__dict__,
                "time_levels": ["t0", "t1", "t2", "t3"],
                "outcomes": [{"name": "score", "column": "score", "min": 0, "max": 100}],
            }
        ),
    )
    assert len(out) == len(data)
    assert (log.action == "incomplete").sum() == 11  # 67 subjects, 56 complete
    assert np.isnan(out.score).sum() == data.score.isna().sum()


def test_cleaning_log_equals_the_hand_written_log(tmp_path):
    """tests/data/cleaning_example_log.csv was written by hand from cleaning_example.csv, row by row."""
    raw = DATA / "cleaning_example.csv"
    before = raw.read_bytes()
    data, reading = ingest_logged(raw, DESIGN, layout="long", columns=COLS)
    out, log = clean(
        data, DESIGN, exclude=[{"subject": "S08", "reason": "withdrew consent"}], source=Source("long", COLS)
    )
    written = tmp_path / "log.csv"
    cleaning_log(reading, log).to_csv(written, index=False)
    got = pd.read_csv(written, dtype=str, keep_default_na=False)
    expected = pd.read_csv(DATA / "cleaning_example_log.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, expected)
    assert raw.read_bytes() == before
    assert sorted(out.subject.unique()) == ["S01", "S02", "S03", "S04", "S06", "S07"]


def test_too_little_left_to_analyse_is_one_line(tmp_path):
    data, _, _ = _load(tmp_path)
    check_analysable(data, DESIGN)  # the reference data are fine
    narrow = Design(**{**DESIGN.__dict__, "outcomes": [{"name": "score", "column": "score", "min": 0, "max": 30}]})
    out, _ = clean(data, narrow)
    with pytest.raises(CleaningError) as err:
        check_analysable(out, narrow)
    assert str(err.value) == (
        "after cleaning, stratum 'stable' and arm 'control' has 0 subject(s) with score at every visit "
        "(expected at least 2; the cleaning log says which values were removed and why)"
    )
    # parallel trajectories within every group: nothing to divide by
    flat = data.assign(score=data["time"].cat.codes * -10.0 + 60 + data["stratum"].eq("stable") * 3)
    with pytest.raises(CleaningError, match=r"^after cleaning, the values of score at t0 are the same for every"):
        check_analysable(flat, DESIGN)
    flat = flat.assign(score=flat["score"] + flat["subject"].str[1:].astype(int))
    with pytest.raises(CleaningError, match=r"^after cleaning, the changes from t0 of score at t1 are the same"):
        check_analysable(flat, DESIGN)
    # without a baseline visit nothing is measured as a change, so parallel trajectories are analysable
    check_analysable(flat, Design(**{**DESIGN.__dict__, "baseline": "none"}))
