"""Ingestion: any CSV, TSV or XLSX file, long or wide, to the canonical long table.

The canonical table has one row per subject x visit and the columns ``subject``, ``stratum``
(only when the design has strata), ``arm``, ``time``, then one column per outcome (named by the
outcome's ``name``) and the subject-level covariates. ``time`` is an ordered categorical in the
configured visit order. A private ``_row`` column keeps the row of the source file (header = row
1) so that every later message and log line can point at it.

Every problem is reported as one line naming the file, the row, the column and what was
expected: :class:`IngestError`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..errors import UserError
from ..trial.design import Design

ROW = "_row"
#: The subject column made for wide data without one (subjects numbered by row).
SUBJECT_BY_ROW = "_subject_by_row"


class IngestError(UserError):
    """A problem in an input file, with file, row, column and what was expected."""


#: Columns of the ingestion and cleaning logs: one row per change, pointing at the raw file.
LOG_COLUMNS = ["row", "subject", "time", "column", "original", "new", "action", "reason"]

#: Cell texts read as a missing value (R, SAS/Stata and spreadsheet exports). Every non-empty
#: marker read is logged.
MISSING_MARKERS = ("", "NA", "N/A", "n/a", "NaN", "nan", ".", "NULL", "null")

_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}


def _change(row: int, column: str, original: object, new: object, action: str, reason: str) -> dict:
    return dict(
        row=row, subject=None, time=None, column=column, original=original, new=new, action=action, reason=reason
    )


def _decode(path: Path, data: bytes) -> str:
    """The file's text; a file that is not UTF-8 text is refused, never guessed."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise IngestError(f"{path}: UTF-16 text (expected UTF-8; save it as 'CSV UTF-8')")
    if b"\x00" in data[:65536]:
        raise IngestError(
            f"{path}: binary content, not a text table (expected a CSV or TSV file saved as text, or an .xlsx workbook)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        row = data.count(b"\n", 0, err.start) + 1
        raise IngestError(
            f"{path}: row {row}: byte 0x{data[err.start]:02x} is not UTF-8 "
            "(expected UTF-8 text; re-save the file as UTF-8, e.g. 'CSV UTF-8' in a spreadsheet)"
        ) from None


def _separator(suffix: str, header: str) -> str:
    """The field separator: tab for .tsv; for .csv a comma unless the header has none but has ``;`` or tabs."""
    if suffix == ".tsv":
        return "\t"
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    if suffix == ".txt":
        return max(counts, key=lambda s: counts[s])
    if counts[","] == 0 and (counts[";"] or counts["\t"]):
        return ";" if counts[";"] >= counts["\t"] else "\t"
    return ","


def _read_text(path: Path, text: str, sep: str) -> pd.DataFrame:
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r")), delimiter=sep), [])
    names = [h.strip() for h in header]
    for j, name in enumerate(names):
        if name and names.index(name) != j:
            raise IngestError(
                f"{path}: row 1 (header), column {name!r}: appears twice (columns {names.index(name) + 1} and "
                f"{j + 1}; expected unique column names)"
            )
    try:
        return pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False, engine="c"
        )
    except pd.errors.ParserError as err:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if m:
            expected, line, saw = m.groups()
            raise IngestError(
                f"{path}: row {line}: {saw} fields, expected {expected} as in the header "
                f"(a {_SEPARATORS.get(sep, repr(sep))} inside a value needs quotes)"
            ) from None
        raise IngestError(f"{path}: not a readable table ({' '.join(str(err).split())})") from None


def read_table(path: str | Path) -> tuple[pd.DataFrame, list[dict]]:
    """Read a CSV, TSV or XLSX file with every cell as text, and the changes made while reading.

    Reading as text keeps identifiers such as ``007`` intact and lets the numeric checks name
    the exact cell that is not a number. The file must be UTF-8 (a byte order mark is allowed)
    with a comma, semicolon or tab between fields (a ``.csv`` whose header has no comma but
    semicolons or tabs is read with those; the log says so). While reading, spaces around cells
    and column names are removed, the markers of :data:`MISSING_MARKERS` become missing and
    blank rows are dropped: each such change is one entry of the returned list (``LOG_COLUMNS``,
    ``subject`` and ``time`` still unknown). A private ``_row`` column keeps each row's number in
    the file (header = row 1).

    Raises
    ------
    IngestError
        One line for a missing, empty, binary, non-UTF-8, ragged or header-only file, or a header
        that names a column twice.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: file not found (expected the data file named by data.path)")
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(f"{path}: the file is empty (expected a header row, then one row per observation)")
    changes: list[dict] = []
    if suffix in (".csv", ".txt", ".tsv"):
        text = _decode(path, data)
        if data.startswith(b"\xef\xbb\xbf"):
            changes.append(
                _change(1, "", "", "", "read", "byte order mark (UTF-8 BOM) at the start of the file skipped")
            )
        sep = _separator(suffix, text.split("\n", 1)[0])
        if sep != ("\t" if suffix == ".tsv" else ","):
            changes.append(_change(1, "", "", "", "read", f"fields separated by {_SEPARATORS[sep]}s"))
        df = _read_text(path, text, sep)
    elif suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise IngestError(f"{path}: not an Excel workbook (expected an .xlsx file, found other content)")
        try:
            df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as err:  # openpyxl raises many kinds for a damaged workbook
            raise IngestError(f"{path}: not a readable .xlsx workbook ({type(err).__name__}: {err})") from None
    else:
        raise IngestError(f"{path}: unsupported file type {suffix!r} (expected .csv, .tsv or .xlsx)")
    df[ROW] = np.arange(2, len(df) + 2)
    columns = []
    for c in df.columns[:-1]:
        name = str(c).strip()
        if name != str(c):
            changes.append(_change(1, name, str(c), name, "normalised", "spaces around the column name removed"))
        columns.append(name)
    df.columns = [*columns, ROW]
    cells = df.drop(columns=ROW)
    blank = cells.apply(lambda s: s.str.strip() == "").all(axis=1)
    for row in df.loc[blank, ROW]:
        changes.append(_change(int(row), "", "", "", "dropped_row", "blank row"))
    df = df[~blank]
    if df.empty:
        raise IngestError(f"{path}: no data rows below the header (expected one row per observation)")
    for c in columns:
        s = df[c]
        stripped = s.str.strip()
        spaced = s != stripped
        for row, old, new in zip(df.loc[spaced, ROW], s[spaced], stripped[spaced], strict=True):
            changes.append(_change(int(row), c, old, new, "normalised", "spaces around the value removed"))
        marker = stripped.isin(MISSING_MARKERS[1:])
        for row, old in zip(df.loc[marker, ROW], stripped[marker], strict=True):
            changes.append(_change(int(row), c, old, None, "read_as_missing", f"missing-value marker {old!r}"))
        df[c] = stripped.where(~stripped.isin(MISSING_MARKERS), np.nan)
    return df.reset_index(drop=True), changes


def _require_columns(df: pd.DataFrame, wanted: Mapping[str, str], path: str, keys: Mapping[str, str]) -> None:
    for role, col in wanted.items():
        if col not in df.columns:
            present = ", ".join(repr(c) for c in df.columns if c != ROW)
            key = keys.get(role)
            named = f", named by config key {key}" if key else ""
            raise IngestError(
                f"{path}: row 1 (header), column {col!r}: not found (expected the {role} column{named}); "
                f"columns present: {present}"
            )


@dataclass(frozen=True)
class Source:
    """Where the canonical table's values sit in the raw file, for messages and the cleaning log.

    Attributes
    ----------
    layout : {"long", "wide"}
        ``long``: one row per subject x visit, with a visit column and one column per outcome.
        ``wide``: one row per subject, one column per outcome and visit named
        ``<outcome column><wide_separator><visit>``.
    columns : dict
        Data column names of ``subject``, ``stratum``, ``arm`` and (long) ``time``. Wide data
        without a ``subject`` column number their subjects by row (the first data row is ``1``).
    wide_separator : str
        Separator of wide outcome columns.
    """

    layout: str = "long"
    columns: Mapping[str, str] = field(default_factory=dict)
    wide_separator: str = "_"

    def column(self, name: str, time: str, design: Design) -> str:
        """The raw column holding canonical column ``name`` (factor, outcome or covariate) at ``time``.

        Examples
        --------
        >>> d = Design(["t0", "t1"], {"treatment": "a", "control": "b"},
        ...            outcomes=[{"name": "pain", "column": "score"}])
        >>> Source("wide", {"subject": "id", "arm": "group"}).column("pain", "t1", d)
        'score_t1'
        >>> Source("long", {"subject": "id", "arm": "group", "time": "visit"}).column("time", "t1", d)
        'visit'
        """
        outcome = next((o["column"] for o in design.outcomes if o["name"] == name), None)
        if outcome is not None:
            return f"{outcome}{self.wide_separator}{time}" if self.layout == "wide" else outcome
        if name == "time" and self.layout == "wide":
            return ""
        return str(self.columns.get(name, name))

    def key(self, role: str, design: Design) -> str:
        """The config key that names the raw column of ``role`` (for messages)."""
        for i, o in enumerate(design.outcomes):
            if role == f"outcome {o['name']}" or role.startswith(f"outcome {o['name']} at "):
                return f"outcomes[{i}].column" + (" + data.wide_separator + visit" if self.layout == "wide" else "")
        if design.baseline is not None and design.baseline_kind == "column" and role == f"covariate {design.baseline}":
            return "design.baseline"  # the baseline column, carried as a covariate
        if role.startswith("covariate ") and role.removeprefix("covariate ") in design.factors:
            return "data.factors"
        if role.startswith("covariate "):
            return "data.covariates"
        return f"data.columns.{role}"


def to_long(
    df: pd.DataFrame,
    design: Design,
    *,
    layout: str,
    columns: Mapping[str, str],
    path: str = "<data>",
    wide_separator: str = "_",
) -> pd.DataFrame:
    """Map a raw table to canonical column names, in long layout.

    Parameters
    ----------
    df : DataFrame
        As returned by :func:`read_table` (text cells and ``_row``).
    design : Design
        The configured design.
    layout, columns, wide_separator
        Where the values are: see :class:`Source`.
    path : str
        File name used in messages.

    Returns
    -------
    DataFrame
        Canonical column names, still text.
    """
    source = Source(layout, dict(columns), wide_separator)
    df = df.copy()
    if layout == "wide" and not columns.get("subject"):
        # one row per subject and no identifier (as R's write.csv and many exports give): number them
        columns = dict(columns, subject=SUBJECT_BY_ROW)
        df[SUBJECT_BY_ROW] = (df[ROW] - 1).astype(str)
    roles = {"subject": columns["subject"], "arm": columns["arm"]}
    if design.strata:
        roles["stratum"] = columns["stratum"]
    carried = [*design.covariates, *design.factors]
    subject_cols = {columns[r]: r for r in roles} | {c: c for c in carried}
    if layout == "long":
        wanted = roles | {"time": columns["time"]} | {f"outcome {o['name']}": o["column"] for o in design.outcomes}
        wanted |= {f"covariate {c}": c for c in carried}
        _require_columns(df, wanted, path, {r: source.key(r, design) for r in wanted})
        out = df[[*subject_cols, columns["time"], *[o["column"] for o in design.outcomes], ROW]].rename(
            columns=subject_cols | {columns["time"]: "time"} | {o["column"]: o["name"] for o in design.outcomes}
        )
    elif layout == "wide":
        wanted = dict(roles) | {f"covariate {c}": c for c in carried}
        wanted |= {
            f"outcome {o['name']} at {t}": f"{o['column']}{wide_separator}{t}"
            for o in design.outcomes
            for t in design.time_levels
        }
        _require_columns(df, wanted, path, {r: source.key(r, design) for r in wanted})
        parts = []
        for t in design.time_levels:
            part = df[[*subject_cols, ROW]].rename(columns=subject_cols)
            part["time"] = t
            for o in design.outcomes:
                part[o["name"]] = df[f"{o['column']}{wide_separator}{t}"]
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
    else:
        raise IngestError(f"data.layout must be 'long' or 'wide', got {layout!r}")
    order = ["subject"] + (["stratum"] if design.strata else []) + ["arm", "time"]
    return out[order + design.outcome_names + carried + [ROW]]


def _levels(design: Design) -> dict[str, list[str]]:
    return {"stratum": design.strata, "arm": list(design.arm_levels), "time": design.time_levels}


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def normalise_labels(long: pd.DataFrame, design: Design, source: Source) -> tuple[pd.DataFrame, list[dict]]:
    """Factor labels that differ from the design's only in case or inner spaces, set to the design's.

    ``HIP`` or ``Week  3`` for the design's ``hip`` and ``week 3`` are the same label written
    differently (a label matching two levels this way is left alone and refused by validation).
    Each change is one log entry.
    """
    out = long.copy()
    changes: list[dict] = []
    for factor, levels in _levels(design).items():
        if factor not in out.columns or not levels:
            continue
        folded: dict[str, list[str]] = {}
        for level in levels:
            folded.setdefault(_fold(level), []).append(level)
        values = out[factor]
        unknown = values.notna() & ~values.isin(levels)
        target = values[unknown].map(lambda v, folded=folded: folded.get(_fold(v), [None, None]))
        fixable = target.map(len) == 1
        for i in target.index[fixable]:
            new = target[i][0]
            changes.append(
                _change(
                    int(out.at[i, ROW]),
                    source.column(factor, str(out.at[i, "time"]), design),
                    out.at[i, factor],
                    new,
                    "normalised",
                    f"label {out.at[i, factor]!r} read as the design's {new!r} (case or spaces differ)",
                )
                | {"subject": out.at[i, "subject"], "time": str(out.at[i, "time"]) if factor != "time" else new}
            )
            out.at[i, factor] = new
    return out, changes


def canonical_schema(design: Design) -> pa.DataFrameSchema:
    """The pandera schema of the canonical long table for a design.

    Identifiers and factor levels must be present and known; outcomes and covariates must be
    numbers (missing allowed). Ranges are *not* checked here: out-of-range values are a cleaning
    matter, logged and set missing by :mod:`hiplbp.data.clean`, never a reason to refuse the file.
    """
    cols = {
        "subject": pa.Column(str, nullable=False, coerce=True, description="subject identifier"),
        "arm": pa.Column(
            str, pa.Check.isin(list(design.arm_levels)), nullable=False, description="arm label, one of design.arms"
        ),
        "time": pa.Column(
            str, pa.Check.isin(design.time_levels), nullable=False, description="visit label, one of design.time_levels"
        ),
    }
    if design.strata:
        cols["stratum"] = pa.Column(
            str, pa.Check.isin(design.strata), nullable=False, description="stratum label, one of design.strata"
        )
    for name in design.outcome_names + design.covariates:
        cols[name] = pa.Column(float, nullable=True, coerce=True, description="numeric value")
    for name in design.factors:
        # any dtype: the file's text (or numbers, as codes) is made text after validation
        cols[name] = pa.Column(None, nullable=True, description="a categorical value (text)")
    return pa.DataFrameSchema(cols, strict=False, ordered=False)


_EXPECT = {
    "subject": "a subject identifier",
    "stratum": "one of {levels} (design.strata)",
    "arm": "one of {levels} (design.arms; an arm not analysed goes in cleaning.drop_arms)",
    "time": "one of {levels} (design.time_levels; a visit not analysed goes in cleaning.drop_visits)",
}


def validate(
    long: pd.DataFrame,
    design: Design,
    *,
    columns: Mapping[str, str],
    path: str = "<data>",
    layout: str = "long",
    wide_separator: str = "_",
) -> pd.DataFrame:
    """Validate and type a canonical table with pandera; raise one clear line on failure.

    Returns the table with numeric outcome/covariate columns, string factors and ``time`` as an
    ordered categorical.
    """
    schema = canonical_schema(design)
    try:
        out = schema.validate(long, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise IngestError(
            _describe_failure(err.failure_cases, long, design, columns, path, layout, wide_separator)
        ) from None
    out = out.copy()
    for name in design.outcome_names + design.covariates:
        infinite = np.isinf(out[name].to_numpy(dtype=float))
        if infinite.any():
            i = out.index[infinite][0]
            col = Source(layout, dict(columns), wide_separator).column(name, str(long.at[i, "time"]), design)
            row, got = int(long.at[i, ROW]), long.at[i, name]
            raise IngestError(f"{path}: row {row}, column {col!r}: expected a finite number, got {got!r}")
    out["time"] = pd.Categorical(out["time"], categories=design.time_levels, ordered=True)
    for name in design.factors:
        # text whatever the file held (a site coded 1, 2, 3 is a factor, never a slope)
        out[name] = out[name].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    return out


def _describe_failure(
    fc: pd.DataFrame,
    long: pd.DataFrame,
    design: Design,
    columns: Mapping[str, str],
    path: str,
    layout: str,
    sep: str,
) -> str:
    whole = fc[fc["column"].notna() & fc["index"].isna()]
    fc = fc[fc["column"].notna() & fc["index"].notna()].copy()
    if fc.empty:
        # a failure of a whole column (its type), not of a cell
        first = whole.iloc[0] if len(whole) else None
        what = (
            f"column {first['column']!r}: {first['check']} failed"
            if first is not None
            else "the table failed its schema"
        )
        return f"{path}: {what}"
    fc["row"] = [int(long[ROW].iloc[long.index.get_loc(i)]) for i in fc["index"]]
    # pandera can report one cell twice (failed coercion, then the dtype check): count cells once.
    fc = fc.drop_duplicates(["row", "column"]).sort_values(["row"], kind="stable")
    first = fc.iloc[0]
    col = first["column"]
    if col in _EXPECT:
        levels = {"stratum": design.strata, "arm": list(design.arm_levels), "time": design.time_levels}.get(col, [])
        expected = _EXPECT[col].format(levels="[" + ", ".join(levels) + "]")
        data_col = columns.get(col, col)
    else:
        expected = "a number" + (f" (outcome {col!r})" if col in design.outcome_names else " (covariate)")
        data_col = next((o["column"] for o in design.outcomes if o["name"] == col), col)
        if layout == "wide" and col in design.outcome_names:
            t = long.loc[first["index"], "time"]
            data_col = f"{data_col}{sep}{t}"
    value = first["failure_case"]
    got = "an empty cell" if value is None or (isinstance(value, float) and np.isnan(value)) else repr(value)
    if isinstance(value, str) and re.fullmatch(r"[-+]?\d+,\d+", value):
        got += f" (a decimal comma? write {value.replace(',', '.')})"
    more = len(fc) - 1
    tail = f" ({more} more problem cell{'s' if more != 1 else ''} after this one)" if more else ""
    return f"{path}: row {first['row']}, column {data_col!r}: expected {expected}, got {got}{tail}"


def check_levels(data: pd.DataFrame, design: Design, source: Source, path: str) -> None:
    """Every level of the design occurs in the data, and every stratum x arm cell has subjects.

    A level the config names but the data lack would otherwise surface later as a singular
    matrix or a division by zero; here it is one line naming the config key.
    """
    keys = {"stratum": "design.strata", "arm": "design.arms", "time": "design.time_levels"}
    for factor, levels in _levels(design).items():
        if factor not in data.columns:
            continue
        found = set(map(str, data[factor].dropna()))
        absent = [level for level in levels if level not in found]
        if absent:
            where = (
                f"column {source.columns.get(factor, factor)!r}" if factor != "time" or source.layout == "long" else ""
            )
            raise IngestError(
                f"{path}: {keys[factor]}: {', '.join(map(repr, absent))} never occur{'s' if len(absent) == 1 else ''} "
                f"in {where or 'the data'} (found: {', '.join(sorted(found))}; expected every configured level)"
            )
    if design.strata:
        subjects = data.drop_duplicates("subject")
        counts = subjects.groupby(["stratum", "arm"]).size()
        for stratum in design.strata:
            for arm in design.arm_levels:
                if counts.get((stratum, arm), 0) == 0:
                    raise IngestError(
                        f"{path}: no subject in stratum {stratum!r} with arm {arm!r} "
                        "(expected subjects in every stratum x arm cell of the design)"
                    )


def ingest_logged(
    path: str | Path,
    design: Design,
    *,
    layout: str,
    columns: Mapping[str, Any],
    wide_separator: str = "_",
    drop_visits: Sequence[str] = (),
    drop_arms: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read, map and validate a data file: the whole ingestion stage, with the log of its changes.

    Parameters
    ----------
    path : str or Path
        CSV, TSV or XLSX file.
    design : Design
        The configured design.
    layout, columns, wide_separator
        Where the values are: see :class:`Source`.
    drop_visits : sequence of str
        Visits of the data that are not analysed (config ``cleaning.drop_visits``): their rows
        (long data) or columns (wide data) are dropped, each with a line in the log. Any other visit
        not in ``design.time_levels`` is still an error, so that a mistyped label is never dropped.
    drop_arms : sequence of str
        Arms of the data that are not analysed (config ``cleaning.drop_arms``: two arms of a
        trial with more): their subjects' rows are dropped, each with a line in the log.

    Returns
    -------
    data : DataFrame
        The canonical long table, sorted by subject and visit, with ``_row``.
    log : DataFrame
        Every change made while reading (``LOG_COLUMNS``): spaces removed, missing-value markers,
        blank rows, labels whose case differed, the separator and byte order mark.

    Raises
    ------
    IngestError
        One line naming the file, row and column (or config key), what was found and expected.
    """
    raw, changes = read_table(path)
    raw, columns = joined_visits(raw, design, columns, str(path))
    source = Source(layout, dict(columns), wide_separator)
    if layout == "wide":
        changes += _dropped_columns(raw, design, source, [str(v) for v in drop_visits])
    else:
        raw, dropped = _drop_rows(raw, source, "time", [str(v) for v in drop_visits], DROPPED_VISIT)
        changes += dropped
    raw, dropped = _drop_rows(raw, source, "arm", [str(a) for a in drop_arms], "arm not analysed (cleaning.drop_arms)")
    changes += dropped
    long = to_long(raw, design, layout=layout, columns=columns, path=str(path), wide_separator=wide_separator)
    long, relabelled = normalise_labels(long, design, source)
    out = validate(long, design, columns=columns, path=str(path), layout=layout, wide_separator=wide_separator)
    check_levels(out, design, source, str(path))
    out = out.sort_values(["subject", "time", ROW], kind="stable").reset_index(drop=True)
    # the reading changes know their row and column; the subject and visit come from the table
    subject_of = dict(zip(long[ROW], long["subject"], strict=True))
    time_of = dict(zip(long[ROW], long["time"], strict=True)) if layout == "long" else {}
    wide_time = {source.column(o["name"], t, design): t for o in design.outcomes for t in design.time_levels}
    for c in changes:
        if c["row"] > 1 and c["subject"] is None:
            c["subject"] = subject_of.get(c["row"])
            c["time"] = time_of.get(c["row"]) if layout == "long" else wide_time.get(c["column"])
    log = pd.DataFrame(changes + relabelled, columns=LOG_COLUMNS)
    return out, log.sort_values("row", kind="stable").reset_index(drop=True)


def joined_visits(
    raw: pd.DataFrame, design: Design, columns: Mapping[str, Any], path: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Long data whose two within factors are columns of their own (``data.columns.time: [phase,
    hour]``): ``raw`` with a visit column joining them as the visits are named (``pre.1``), and
    ``columns`` naming it (``phase+hour``, which messages then name). Otherwise both unchanged.

    Examples
    --------
    >>> d = Design(["a.1", "a.2"], {"treatment": "t", "control": "c"}, within={"ab": ["a"], "n": ["1", "2"]})
    >>> raw = pd.DataFrame({"ab": ["a ", "a"], "n": ["1", "2"], ROW: [2, 3]})
    >>> out, cols = joined_visits(raw, d, {"time": ["ab", "n"]}, "f.csv")
    >>> out["ab+n"].tolist(), cols["time"]
    (['a.1', 'a.2'], 'ab+n')
    """
    parts = columns.get("time")
    if parts is None or isinstance(parts, str):
        return raw, dict(columns)
    parts = [str(c) for c in parts]
    _require_columns(
        raw, {f"visit ({c})": c for c in parts}, path, {f"visit ({c})": "data.columns.time" for c in parts}
    )
    name = "+".join(parts)
    out = raw.copy()
    out[name] = raw[parts].astype(str).apply(lambda col: col.str.strip()).agg(design.within_separator.join, axis=1)
    return out, dict(columns, time=name)


#: Why the rows or columns of a visit that is not analysed are dropped.
DROPPED_VISIT = "visit not analysed (cleaning.drop_visits)"


def _dropped_columns(raw: pd.DataFrame, design: Design, source: Source, visits: list[str]) -> list[dict]:
    """The log of the visits of wide data not analysed: each outcome column at one (they are not read)."""
    names = {f"{o['column']}{source.wide_separator}{v}" for o in design.outcomes for v in visits}
    return [_change(1, c, "", "", "dropped_column", DROPPED_VISIT) for c in raw.columns if c in names]


def _drop_rows(
    raw: pd.DataFrame, source: Source, role: str, labels: list[str], reason: str
) -> tuple[pd.DataFrame, list[dict]]:
    """``raw`` without its rows whose ``role`` column (``time`` or ``arm``) is one of ``labels``,
    and a log line for each row dropped, giving ``reason``."""
    column = source.columns.get(role)
    if not labels or column not in raw.columns:
        return raw, []  # a missing column is reported with the others
    hit = raw[column].astype(str).str.strip().isin(labels)
    at = raw[hit]
    subjects = at[source.columns["subject"]] if source.columns.get("subject") in at else [None] * len(at)
    times = at[source.columns["time"]] if source.columns.get("time") in at else [None] * len(at)
    changes = [
        _change(int(row), "", "", "", "dropped_row", reason)
        | {"subject": subject, "time": None if t is None else str(t).strip()}
        for row, subject, t in zip(at[ROW], subjects, times, strict=True)
    ]
    return raw[~hit], changes


def ingest(
    path: str | Path, design: Design, *, layout: str, columns: Mapping[str, Any], wide_separator: str = "_"
) -> pd.DataFrame:
    """The canonical table of a data file (:func:`ingest_logged` without its log).

    Examples
    --------
    >>> import io, tempfile, os
    >>> d = Design(time_levels=["t0", "t1"], arms={"treatment": "hip", "control": "ctl"},
    ...            outcomes=[{"name": "score", "column": "score"}])
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
    >>> _ = f.write("pid,exercise,visit,score\\nA,hip,t0,3\\nA,hip,t1,2\\nB,ctl,t0,1\\nB,ctl,t1,.\\n"); f.close()
    >>> ingest(f.name, d, layout="long", columns={"subject": "pid", "arm": "exercise",
    ...        "time": "visit"})[["subject", "arm", "time", "score"]].values.tolist()
    [['A', 'hip', 't0', 3.0], ['A', 'hip', 't1', 2.0], ['B', 'ctl', 't0', 1.0], ['B', 'ctl', 't1', nan]]
    >>> os.unlink(f.name)
    """
    return ingest_logged(path, design, layout=layout, columns=columns, wide_separator=wide_separator)[0]


def read_canonical(path: str | Path, design: Design) -> pd.DataFrame:
    """Read a canonical table written by an earlier stage and validate it again.

    The contract between stages is the pandera schema of :func:`canonical_schema`; checking it on
    every read means a hand-edited intermediate file fails loudly instead of silently. ``_row``
    keeps pointing at the row of the original raw file.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": np.nan})
    if ROW not in df.columns:
        raise IngestError(f"{path}: row 1 (header), column {ROW!r}: not found (expected a canonical table)")
    df[ROW] = df[ROW].astype(int)
    identity = {"subject": "subject", "stratum": "stratum", "arm": "arm", "time": "time"}
    return validate(df, design, columns=identity, path=str(path))
