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

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

ROW = "_row"


class IngestError(ValueError):
    """A problem in an input file, with file, row, column and what was expected."""


@dataclass(frozen=True)
class Design:
    """The study design as the config describes it.

    Attributes
    ----------
    time_levels : list of str
        Visit labels as written in the data, in time order; the first is baseline.
    arms : dict
        ``{"treatment": label, "control": label}``.
    strata : list of str
        Stratum labels; empty for a one-factor (arm only) design.
    outcomes : list of dict
        Outcome definitions: ``name, column, label, min, max, integer``.
    covariates : list of str
        Subject-level numeric columns carried along (e.g. age), named as in the data.
    factor_names : dict
        What the trial calls each canonical factor (``stratum``, ``arm``, ``time`` -> its own
        name), for labels; canonical names where not given.
    """

    time_levels: list[str]
    arms: dict[str, str]
    strata: list[str] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    factor_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping) -> Design:
        """Build a Design from the pipeline config (keys ``design`` and ``outcomes``)."""
        d = config["design"]
        return cls(
            time_levels=[str(t) for t in d["time_levels"]],
            arms={k: str(v) for k, v in d["arms"].items()},
            strata=[str(s) for s in (d.get("strata") or [])],
            outcomes=[dict(o) for o in config["outcomes"]],
            covariates=[str(c) for c in (d.get("covariates") or [])],
            factor_names={str(k): str(v) for k, v in (d.get("factor_names") or {}).items()},
        )

    def name(self, factor: str) -> str:
        """The trial's own name of a canonical factor (``stratum``, ``arm``, ``time``)."""
        return self.factor_names.get(factor, factor)

    def effect_label(self, source: str) -> str:
        """An effect of the canonical tables (``arm:time``) in the trial's own factor names.

        Examples
        --------
        >>> d = Design(["t0", "t1"], {"treatment": "a", "control": "b"}, factor_names={"arm": "drug"})
        >>> d.effect_label("arm:time"), d.effect_label("(Intercept)")
        ('drug × time', '(Intercept)')
        """
        return " × ".join(self.name(f) for f in source.split(":"))

    def label_effects(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with an ``effect`` column after ``source``: each effect in the trial's own names."""
        out = table.copy()
        out.insert(out.columns.get_loc("source") + 1, "effect", out["source"].astype(str).map(self.effect_label))
        return out

    @property
    def between(self) -> list[str]:
        """Between-subject factors of the canonical table, in model order."""
        return (["stratum"] if self.strata else []) + ["arm"]

    @property
    def outcome_names(self) -> list[str]:
        """Canonical outcome column names."""
        return [o["name"] for o in self.outcomes]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV or XLSX file with every cell as text (empty cells as missing).

    Reading as text keeps identifiers such as ``007`` intact and lets the numeric checks name
    the exact cell that is not a number.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: file not found (expected the data file named by data.path)")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        df = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            sep=None if suffix == ".txt" else ",",
            engine="python" if suffix == ".txt" else "c",
        )
    elif suffix == ".tsv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, sep="\t")
    elif suffix in (".xlsx", ".xlsm"):
        df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    else:
        raise IngestError(f"{path}: unsupported file type {suffix!r} (expected .csv, .tsv or .xlsx)")
    df.columns = [str(c).strip() for c in df.columns]
    df = df.apply(lambda s: s.str.strip()).replace({"": np.nan, "NA": np.nan, "NaN": np.nan, "nan": np.nan})
    df[ROW] = np.arange(2, len(df) + 2)
    return df


def _require_columns(df: pd.DataFrame, wanted: Mapping[str, str], path: str) -> None:
    for role, col in wanted.items():
        if col not in df.columns:
            present = ", ".join(c for c in df.columns if c != ROW)
            raise IngestError(
                f"{path}: row 1 (header), column {col!r}: not found (expected it as {role}); columns present: {present}"
            )


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
    layout : {"long", "wide"}
        ``long``: one row per subject x visit, with a visit column (``columns["time"]``) and one
        column per outcome. ``wide``: one row per subject, with one column per outcome and visit
        named ``<outcome column><wide_separator><visit>``.
    columns : mapping
        Data column names of ``subject``, ``stratum``, ``arm`` (and ``time`` for long data).
    path : str
        File name used in messages.
    wide_separator : str
        Separator of wide outcome columns.

    Returns
    -------
    DataFrame
        Canonical column names, still text.
    """
    roles = {"subject": columns["subject"], "arm": columns["arm"]}
    if design.strata:
        roles["stratum"] = columns["stratum"]
    subject_cols = {columns[r]: r for r in roles} | {c: c for c in design.covariates}
    if layout == "long":
        wanted = roles | {"time": columns["time"]} | {f"outcome {o['name']}": o["column"] for o in design.outcomes}
        wanted |= {f"covariate {c}": c for c in design.covariates}
        _require_columns(df, wanted, path)
        out = df[[*subject_cols, columns["time"], *[o["column"] for o in design.outcomes], ROW]].rename(
            columns=subject_cols | {columns["time"]: "time"} | {o["column"]: o["name"] for o in design.outcomes}
        )
    elif layout == "wide":
        wanted = dict(roles) | {f"covariate {c}": c for c in design.covariates}
        wanted |= {
            f"outcome {o['name']} at {t}": f"{o['column']}{wide_separator}{t}"
            for o in design.outcomes
            for t in design.time_levels
        }
        _require_columns(df, wanted, path)
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
    return out[order + design.outcome_names + design.covariates + [ROW]]


def canonical_schema(design: Design) -> pa.DataFrameSchema:
    """The pandera schema of the canonical long table for a design.

    Identifiers and factor levels must be present and known; outcomes and covariates must be
    numbers (missing allowed). Ranges are *not* checked here: out-of-range values are a cleaning
    matter, logged and set missing by :mod:`hiplbp.clean`, never a reason to refuse the file.
    """
    cols = {
        "subject": pa.Column(str, nullable=False, coerce=True, description="subject identifier"),
        "arm": pa.Column(
            str, pa.Check.isin(list(design.arms.values())), nullable=False, description="arm label, one of design.arms"
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
    return pa.DataFrameSchema(cols, strict=False, ordered=False)


_EXPECT = {
    "subject": "a subject identifier",
    "stratum": "one of {levels} (design.strata)",
    "arm": "one of {levels} (design.arms)",
    "time": "one of {levels} (design.time_levels)",
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
    out["time"] = pd.Categorical(out["time"], categories=design.time_levels, ordered=True)
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
    fc = fc[fc["column"].notna() & fc["index"].notna()].copy()
    fc["row"] = [int(long[ROW].iloc[long.index.get_loc(i)]) for i in fc["index"]]
    # pandera can report one cell twice (failed coercion, then the dtype check): count cells once.
    fc = fc.drop_duplicates(["row", "column"]).sort_values(["row"], kind="stable")
    first = fc.iloc[0]
    col = first["column"]
    if col in _EXPECT:
        levels = {"stratum": design.strata, "arm": list(design.arms.values()), "time": design.time_levels}.get(col, [])
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
    more = len(fc) - 1
    tail = f" ({more} more problem cell{'s' if more != 1 else ''} after this one)" if more else ""
    return f"{path}: row {first['row']}, column {data_col!r}: expected {expected}, got {got}{tail}"


def ingest(
    path: str | Path, design: Design, *, layout: str, columns: Mapping[str, str], wide_separator: str = "_"
) -> pd.DataFrame:
    """Read, map and validate a data file: the whole ingestion stage.

    Parameters
    ----------
    path : str or Path
        CSV, TSV or XLSX file.
    design : Design
        The configured design.
    layout, columns, wide_separator
        See :func:`to_long`.

    Returns
    -------
    DataFrame
        The canonical long table, sorted by subject and visit, with ``_row``.

    Examples
    --------
    >>> import io, tempfile, os
    >>> d = Design(time_levels=["t0", "t1"], arms={"treatment": "hip", "control": "ctl"},
    ...            outcomes=[{"name": "score", "column": "score"}])
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
    >>> _ = f.write("pid,exercise,visit,score\\nA,hip,t0,3\\nA,hip,t1,2\\n"); f.close()
    >>> ingest(f.name, d, layout="long", columns={"subject": "pid", "arm": "exercise",
    ...        "time": "visit"})[["subject", "arm", "time", "score"]].to_dict("list")
    {'subject': ['A', 'A'], 'arm': ['hip', 'hip'], 'time': ['t0', 't1'], 'score': [3.0, 2.0]}
    >>> os.unlink(f.name)
    """
    raw = read_table(path)
    long = to_long(raw, design, layout=layout, columns=columns, path=str(path), wide_separator=wide_separator)
    out = validate(long, design, columns=columns, path=str(path), layout=layout, wide_separator=wide_separator)
    return out.sort_values(["subject", "time", ROW], kind="stable").reset_index(drop=True)


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
