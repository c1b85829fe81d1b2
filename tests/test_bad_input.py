"""The bad-input corpus (tests/data/bad, made by make_corpus.py): each file fails with its one line or
is accepted with every change in the log, and no raw file is ever modified.

The design is that of tests/data/shared1.yaml: strata stable/unstable, arms hip/control, visits
t0-t2, score on a 0-100 integer scale; 8 subjects x 3 visits (file rows 2-25).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from hiplbp.data.clean import LOG_COLUMNS, clean, cleaning_log
from hiplbp.data.ingest import ROW, Source, ingest_logged
from hiplbp.errors import UserError
from hiplbp.trial.design import Design

BAD = ROOT / "tests" / "data" / "bad"
DESIGN = Design(
    ["t0", "t1", "t2"],
    {"treatment": "hip", "control": "control"},
    ["stable", "unstable"],
    [{"name": "score", "column": "score", "min": 0, "max": 100, "integer": True}],
    baseline="t0",
)
LONG = {"subject": "pid", "stratum": "lumbar", "arm": "exercise", "time": "visit"}
WIDE = {"stratum": "lumbar", "arm": "exercise"}  # no subject column: numbered by row

# file -> the one line it fails with (after "<path>: ")
ERRORS = {
    "empty.csv": "the file is empty (expected a header row, then one row per observation)",
    "blank_lines_only.csv": "the file is empty (expected a header row, then one row per observation)",
    "binary.csv": "binary content, not a text table (expected a CSV or TSV file saved as text, or an .xlsx workbook)",
    "header_only.csv": "no data rows below the header (expected one row per observation)",
    "latin1.csv": "row 5: byte 0xe9 is not UTF-8 (expected UTF-8 text; re-save the file as UTF-8, e.g. 'CSV UTF-8' "
    "in a spreadsheet)",
    "utf16.csv": "UTF-16 text (expected UTF-8; save it as 'CSV UTF-8')",
    "unknown_arm.csv": "row 9, column 'exercise': expected one of [hip, control] (design.arms; an arm not "
    "analysed goes in cleaning.drop_arms), got 'placebo'",
    "unknown_stratum.csv": "row 9, column 'lumbar': expected one of [stable, unstable] (design.strata), got 'severe'",
    "unknown_visit.csv": "row 4, column 'visit': expected one of [t0, t1, t2] (design.time_levels; a visit not "
    "analysed goes in cleaning.drop_visits), got 't3'",
    "non_numeric.csv": "row 12, column 'score': expected a number (outcome 'score'), got 'twelve'",
    "decimal_comma.csv": "row 12, column 'score': expected a number (outcome 'score'), got '12,5' "
    "(a decimal comma? write 12.5)",
    "huge_infinite.csv": "row 7, column 'score': expected a finite number, got '1e400'",
    "infinity.csv": "row 8, column 'score': expected a finite number, got 'inf'",
    "missing_column.csv": "row 1 (header), column 'visit': not found (expected the time column, named by config key "
    "data.columns.time); columns present: 'pid', 'lumbar', 'exercise', 'score'",
    "ragged.csv": "row 10: 6 fields, expected 5 as in the header (a comma inside a value needs quotes)",
    "duplicate_header.csv": "row 1 (header), column 'pid': appears twice (columns 1 and 5; expected unique column "
    "names)",
    "empty_subject.csv": "row 11, column 'pid': expected a subject identifier, got an empty cell",
    "absent_visit.csv": "design.time_levels: 't2' never occurs in column 'visit' (found: t0, t1; expected every "
    "configured level)",
    "empty_design_cell.csv": "no subject in stratum 'unstable' with arm 'hip' (expected subjects in every stratum x "
    "arm cell of the design)",
    "not_really.xlsx": "not an Excel workbook (expected an .xlsx file, found other content)",
    "wrong_type.json": "unsupported file type '.json' (expected .csv, .tsv or .xlsx)",
}

# file -> (subjects kept, every log entry as (row, subject, time, column, original, action))
ACCEPTED = {
    "bom_crlf.csv": (8, [(1, None, None, "", "", "read")]),
    "semicolons.csv": (8, [(1, None, None, "", "", "read")]),
    "spaces_in_header.csv": (
        8,
        [(1, None, None, "lumbar", " lumbar ", "normalised"), (1, None, None, "score", "score ", "normalised")],
    ),
    "blank_rows.csv": (8, [(5, None, None, "", "", "dropped_row"), (6, None, None, "", "", "dropped_row")]),
    "case_and_spaces.csv": (
        8,
        [
            (2, "S01", "t0", "exercise", " HIP ", "normalised"),
            (2, "S01", "t0", "exercise", "HIP", "normalised"),
            (3, "S01", "t1", "lumbar", "Stable", "normalised"),
            (4, "S01", "t2", "visit", "T2", "normalised"),
            (5, "S02", "t0", "pid", " S02", "normalised"),
        ],
    ),
    "leading_zeros.csv": (8, []),
    "missing_markers.csv": (
        8,
        [
            (3, "S01", "t1", "score", "NA", "read_as_missing"),
            (6, "S02", "t1", "score", ".", "read_as_missing"),
            (12, "S04", "t1", "score", "N/A", "read_as_missing"),
            (3, "S01", "t1", "score", None, "incomplete"),
            (6, "S02", "t1", "score", None, "incomplete"),
            (9, "S03", "t1", "score", None, "incomplete"),
            (12, "S04", "t1", "score", None, "incomplete"),
        ],
    ),
    "duplicate_exact.csv": (
        8,
        [(26, "S02", "t1", "", "pid=S02; lumbar=stable; exercise=hip; visit=t1; score=51", "dropped_row")],
    ),
    "duplicate_conflict.csv": (
        8,
        [
            (6, "S02", "t1", "", "pid=S02; lumbar=stable; exercise=hip; visit=t1; score=51", "dropped_row"),
            (26, "S02", "t1", "", "pid=S02; lumbar=stable; exercise=hip; visit=t1; score=1", "dropped_row"),
            (None, "S02", "t1", "score", None, "incomplete"),
        ],
    ),
    "two_arms.csv": (
        7,
        [
            (2, "S01", "t0", "exercise", "hip", "dropped_row"),
            (3, "S01", "t1", "exercise", "control", "dropped_row"),
            (4, "S01", "t2", "exercise", "hip", "dropped_row"),
        ],
    ),
    "out_of_range.csv": (
        8,
        [
            (2, "S01", "t0", "score", "140", "set_missing"),
            (13, "S04", "t2", "score", "-3", "set_missing"),
            (2, "S01", "t0", "score", None, "incomplete"),
            (13, "S04", "t2", "score", None, "incomplete"),
        ],
    ),
    "non_integer.csv": (
        8,
        [(6, "S02", "t1", "score", "41.5", "set_missing"), (6, "S02", "t1", "score", None, "incomplete")],
    ),
    "huge_finite.csv": (
        8,
        [(7, "S02", "t2", "score", "99999999999", "set_missing"), (7, "S02", "t2", "score", None, "incomplete")],
    ),
    "missing_visit_row.csv": (8, [(None, "S08", "t2", "score", None, "incomplete")]),
    "wide_without_id.csv": (8, []),
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    layout, columns = ("wide", WIDE) if path.name.startswith("wide") else ("long", LONG)
    data, reading = ingest_logged(path, DESIGN, layout=layout, columns=columns)
    out, log = clean(data, DESIGN, source=Source(layout, columns))
    return out, cleaning_log(reading, log)  # as the clean rule writes it


def _none(v: object) -> object:
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def test_the_corpus_is_what_make_corpus_writes_and_every_file_is_covered():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("make_corpus", BAD / "make_corpus.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    assert len(module.FILES) >= 25
    for name, data in module.FILES.items():
        assert (BAD / name).read_bytes() == data, name
    files = {p.name for p in BAD.iterdir() if p.suffix != ".py"}
    assert files == set(ERRORS) | set(ACCEPTED)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_file_fails_with_its_one_line(name):
    path = BAD / name
    before = _sha(path)
    with pytest.raises(UserError) as err:
        _run(path)
    assert str(err.value) == f"{path}: {ERRORS[name]}"
    assert "\n" not in str(err.value)
    assert _sha(path) == before


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_bad_file_is_accepted_with_every_change_logged(name):
    path = BAD / name
    before = _sha(path)
    out, log = _run(path)
    subjects, expected = ACCEPTED[name]
    assert list(log.columns) == LOG_COLUMNS
    got = [
        (_none(r.row), _none(r.subject), _none(r.time), r.column, _none(r.original), r.action) for r in log.itertuples()
    ]
    assert got == expected
    assert out["subject"].nunique() == subjects
    assert _sha(path) == before


def test_rows_after_blank_rows_keep_their_file_row():
    out, _ = _run(BAD / "blank_rows.csv")
    assert out.loc[(out.subject == "S02") & (out.time == "t0"), ROW].tolist() == [7]
    assert out.loc[(out.subject == "S08") & (out.time == "t2"), ROW].tolist() == [27]


def test_identifiers_keep_their_leading_zeros():
    out, _ = _run(BAD / "leading_zeros.csv")
    assert {"007", "7"} <= set(out.subject) and out.subject.nunique() == 8


def test_wide_file_without_identifiers_numbers_its_subjects_by_row():
    out, _ = _run(BAD / "wide_without_id.csv")
    assert sorted(out.subject.unique(), key=int) == [str(i) for i in range(1, 9)]
    first = out[out.subject == "1"].sort_values("time")
    assert first.score.tolist() == [60.0, 50.0, 40.0] and first[ROW].unique().tolist() == [2]


def test_readme_table_lists_every_corpus_file():
    """The README's table of bad inputs names each corpus file, and says whether it is refused or accepted."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### What bad input gets", 1)[1].split("\n#", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    named = set(re.findall(r"`([\w.]+\.(?:csv|xlsx|json))`", table))
    assert named == set(ERRORS) | set(ACCEPTED)
    for line in table.splitlines()[2:]:
        files = set(re.findall(r"`([\w.]+\.(?:csv|xlsx|json))`", line))
        verdict = "refused" if files <= set(ERRORS) else "accepted"
        assert verdict in line, line
