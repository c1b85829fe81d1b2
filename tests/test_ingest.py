"""Ingestion: formats, layouts, mapping, and one-line errors naming file, row, column, expectation."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from hiplbp.data.ingest import IngestError, ingest, read_canonical
from hiplbp.trial.design import Design

COLS = {"subject": "pid", "stratum": "lumbar", "arm": "exercise", "time": "visit"}
DESIGN = Design(
    time_levels=["t0", "t1", "t2"],
    arms={"treatment": "hip", "control": "control"},
    strata=["stable", "unstable"],
    outcomes=[{"name": "score", "column": "score"}],
)


@pytest.fixture
def shared1():
    return pd.read_csv(DATA / "shared1_long.csv", dtype=str)


def _write(df, path):
    if path.suffix == ".xlsx":
        df.to_excel(path, index=False)
    else:
        df.to_csv(path, index=False, sep="\t" if path.suffix == ".tsv" else ",")
    return path


def test_long_csv_to_canonical(shared1):
    out = ingest(DATA / "shared1_long.csv", DESIGN, layout="long", columns=COLS)
    assert list(out.columns) == ["subject", "stratum", "arm", "time", "score", "_row"]
    assert len(out) == 210 and out["subject"].nunique() == 70
    assert list(out["time"].cat.categories) == ["t0", "t1", "t2"] and out["time"].cat.ordered
    first = out[(out.subject == "S001") & (out.time == "t2")].iloc[0]
    assert first.score == 37.0 and first.stratum == "stable" and first.arm == "hip" and first._row == 4
    assert out["score"].sum() == pytest.approx(shared1["score"].astype(float).sum(), rel=1e-9)


@pytest.mark.parametrize("suffix", [".tsv", ".xlsx"])
def test_tsv_and_xlsx_give_the_same_table(shared1, tmp_path, suffix):
    ref = ingest(DATA / "shared1_long.csv", DESIGN, layout="long", columns=COLS)
    out = ingest(_write(shared1, tmp_path / f"d{suffix}"), DESIGN, layout="long", columns=COLS)
    pd.testing.assert_frame_equal(out, ref)


def test_wide_layout_equals_long(shared1, tmp_path):
    wide = shared1.pivot(index=["pid", "lumbar", "exercise"], columns="visit", values="score")
    wide.columns = [f"score_{c}" for c in wide.columns]
    wide = wide.reset_index()
    out = ingest(_write(wide, tmp_path / "w.csv"), DESIGN, layout="wide", columns=COLS)
    ref = ingest(DATA / "shared1_long.csv", DESIGN, layout="long", columns=COLS)
    cols = ["subject", "stratum", "arm", "time", "score"]
    pd.testing.assert_frame_equal(out[cols], ref[cols])
    # _row points at the wide file's row of that subject
    assert out.loc[out.subject == "S001", "_row"].unique().tolist() == [2]


def test_one_factor_design_has_no_stratum(shared1, tmp_path):
    d = Design(
        time_levels=["t0", "t1", "t2"],
        arms={"treatment": "hip", "control": "control"},
        outcomes=[{"name": "score", "column": "score"}],
    )
    out = ingest(DATA / "shared1_long.csv", d, layout="long", columns=COLS)
    assert "stratum" not in out.columns and d.between == ["arm"]


def test_covariates_are_carried_as_numbers(shared1, tmp_path):
    shared1["age"] = "50"
    d = Design(**{**DESIGN.__dict__, "covariates": ["age"]})
    out = ingest(_write(shared1, tmp_path / "c.csv"), d, layout="long", columns=COLS)
    assert out["age"].dtype == float and (out["age"] == 50).all()


def test_factors_are_carried_as_text_even_when_coded_as_numbers(shared1, tmp_path):
    from hiplbp.stats.anova import is_categorical

    shared1["site"] = (shared1["pid"].str[-1:].astype(int) % 3 + 1).astype(str)  # sites 1, 2, 3
    shared1.loc[shared1.index[0], "site"] = ""  # one missing value stays missing
    d = Design(**{**DESIGN.__dict__, "factors": ["site"]})
    out = ingest(_write(shared1, tmp_path / "f.csv"), d, layout="long", columns=COLS)
    assert set(out["site"].dropna()) == {"1", "2", "3"} and out["site"].isna().sum() == 1
    assert is_categorical(out["site"])  # a model takes it as a factor, never as a slope
    out.to_csv(tmp_path / "c.csv", index=False)
    back = read_canonical(tmp_path / "c.csv", d)
    assert back["site"].tolist()[1:] == out["site"].tolist()[1:] and is_categorical(back["site"])


def _error(df, tmp_path, **kw):
    f = _write(df, tmp_path / "bad.csv")
    with pytest.raises(IngestError) as e:
        ingest(f, kw.pop("design", DESIGN), layout=kw.pop("layout", "long"), columns=COLS, **kw)
    return str(e.value).replace(str(f), "bad.csv")


def test_error_non_numeric(shared1, tmp_path):
    shared1.loc[5, "score"] = "abc"
    assert _error(shared1, tmp_path) == "bad.csv: row 7, column 'score': expected a number (outcome 'score'), got 'abc'"


def test_error_counts_further_problems(shared1, tmp_path):
    shared1.loc[[5, 9], "score"] = "n/a?"
    assert _error(shared1, tmp_path).endswith("got 'n/a?' (1 more problem cell after this one)")


def test_error_unknown_level(shared1, tmp_path):
    shared1.loc[7, "lumbar"] = "stabel"
    assert _error(shared1, tmp_path) == (
        "bad.csv: row 9, column 'lumbar': expected one of [stable, unstable] (design.strata), got 'stabel'"
    )


def test_error_unknown_visit(shared1, tmp_path):
    shared1.loc[3, "visit"] = "t9"
    assert _error(shared1, tmp_path) == (
        "bad.csv: row 5, column 'visit': expected one of [t0, t1, t2] (design.time_levels; a visit not analysed "
        "goes in cleaning.drop_visits), got 't9'"
    )


def test_error_unknown_arm(shared1, tmp_path):
    shared1.loc[0, "exercise"] = "yoga"
    assert _error(shared1, tmp_path) == (
        "bad.csv: row 2, column 'exercise': expected one of [hip, control] (design.arms; an arm not analysed "
        "goes in cleaning.drop_arms), got 'yoga'"
    )


def test_error_missing_column(shared1, tmp_path):
    msg = _error(shared1.drop(columns="visit"), tmp_path)
    assert msg == (
        "bad.csv: row 1 (header), column 'visit': not found (expected the time column, named by config key "
        "data.columns.time); columns present: 'pid', 'lumbar', 'exercise', 'score'"
    )


def test_error_empty_subject(shared1, tmp_path):
    shared1.loc[2, "pid"] = ""
    assert _error(shared1, tmp_path) == "bad.csv: row 4, column 'pid': expected a subject identifier, got an empty cell"


def test_error_in_wide_file_names_the_wide_column(shared1, tmp_path):
    wide = shared1.pivot(index=["pid", "lumbar", "exercise"], columns="visit", values="score")
    wide.columns = [f"score_{c}" for c in wide.columns]
    wide = wide.reset_index()
    wide.loc[4, "score_t1"] = "x"
    assert _error(wide, tmp_path, layout="wide") == (
        "bad.csv: row 6, column 'score_t1': expected a number (outcome 'score'), got 'x'"
    )


def test_missing_values_are_allowed(shared1, tmp_path):
    shared1.loc[4, "score"] = ""
    out = ingest(_write(shared1, tmp_path / "m.csv"), DESIGN, layout="long", columns=COLS)
    assert out["score"].isna().sum() == 1


def test_missing_file_and_bad_suffix(tmp_path):
    with pytest.raises(IngestError, match="file not found"):
        ingest(tmp_path / "nope.csv", DESIGN, layout="long", columns=COLS)
    (tmp_path / "d.json").write_text("{}")
    with pytest.raises(IngestError, match=r"unsupported file type '.json' \(expected .csv, .tsv or .xlsx\)"):
        ingest(tmp_path / "d.json", DESIGN, layout="long", columns=COLS)


def test_read_canonical_round_trip(tmp_path):
    out = ingest(
        DATA / "shared2_long.csv",
        Design(**{**DESIGN.__dict__, "time_levels": ["t0", "t1", "t2", "t3"]}),
        layout="long",
        columns=COLS,
    )
    out.to_csv(tmp_path / "c.csv", index=False)
    back = read_canonical(tmp_path / "c.csv", Design(**{**DESIGN.__dict__, "time_levels": ["t0", "t1", "t2", "t3"]}))
    pd.testing.assert_frame_equal(back, out)
    assert np.isnan(back["score"]).sum() == out["score"].isna().sum() > 0


def test_visits_not_analysed_are_dropped_each_with_a_line_and_others_still_refused(tmp_path):
    from hiplbp.data.ingest import ingest_logged

    raw = pd.read_csv(DATA / "shared2_long.csv")  # visits t0-t3; the design analyses t0-t2
    at_t3 = raw.index[raw.visit == "t3"]
    data, log = ingest_logged(DATA / "shared2_long.csv", DESIGN, layout="long", columns=COLS, drop_visits=["t3"])
    assert set(data.time) == {"t0", "t1", "t2"} and len(data) == len(raw) - len(at_t3)
    dropped = log[log.action == "dropped_row"]
    assert dropped.row.tolist() == (at_t3 + 2).tolist()  # file rows: the header is row 1
    assert dropped.subject.tolist() == raw.loc[at_t3, "pid"].astype(str).tolist()
    assert set(dropped.time) == {"t3"} and set(dropped.reason) == {"visit not analysed (cleaning.drop_visits)"}
    # the rows kept are the file's, value for value
    kept = raw[raw.visit != "t3"]
    np.testing.assert_array_equal(data.sort_values("_row").score.to_numpy(), kept.score.to_numpy())
    # a visit neither analysed nor dropped is still a mistake, not silently dropped
    with pytest.raises(IngestError, match=r"got 't3'"):
        ingest_logged(DATA / "shared2_long.csv", DESIGN, layout="long", columns=COLS)
    # wide data: the dropped visit's columns are not read, and the log says so
    wide = pd.DataFrame(
        {"pid": list("abcd"), "lumbar": ["stable"] * 2 + ["unstable"] * 2, "exercise": ["hip", "control"] * 2}
    )
    for t in ("t0", "t1", "t2", "t3"):
        wide[f"score_{t}"] = [1, 2, 3, 4]
    wide.to_csv(tmp_path / "w.csv", index=False)
    cols = {"subject": "pid", "stratum": "lumbar", "arm": "exercise"}
    data, log = ingest_logged(tmp_path / "w.csv", DESIGN, layout="wide", columns=cols, drop_visits=["t3"])
    assert set(data.time) == {"t0", "t1", "t2"}
    assert log.loc[log.action == "dropped_column", "column"].tolist() == ["score_t3"]


def test_two_arms_of_a_trial_with_more_are_analysed_and_the_third_is_dropped_with_a_line(tmp_path):
    from hiplbp.data.ingest import ingest_logged

    raw = pd.read_csv(DATA / "shared1_long.csv")
    third = raw[raw.exercise == "hip"].head(6).assign(pid=lambda d: "Y" + d.pid, exercise="yoga")
    pd.concat([raw, third]).to_csv(tmp_path / "three.csv", index=False)
    data, log = ingest_logged(tmp_path / "three.csv", DESIGN, layout="long", columns=COLS, drop_arms=["yoga"])
    alone = ingest_logged(DATA / "shared1_long.csv", DESIGN, layout="long", columns=COLS)[0]
    cols = ["subject", "stratum", "arm", "time", "score"]
    pd.testing.assert_frame_equal(data[cols], alone[cols])  # the two arms exactly as in the file
    dropped = log[log.action == "dropped_row"]
    assert dropped.row.tolist() == list(range(len(raw) + 2, len(raw) + 2 + len(third)))
    assert set(dropped.subject) == set(third.pid) and set(dropped.reason) == {"arm not analysed (cleaning.drop_arms)"}
    with pytest.raises(IngestError, match=r"an arm not analysed goes in cleaning.drop_arms\), got 'yoga'"):
        ingest_logged(tmp_path / "three.csv", DESIGN, layout="long", columns=COLS)
