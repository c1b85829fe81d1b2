"""Cleaning: range checks, duplicates, inconsistent and incomplete subjects, all logged.

Nothing is lost silently: every value set missing and every row dropped is one row of the
cleaning log, naming the raw file's row (header = row 1), the subject, the visit, the raw file's
column, the original and the new value, the action and the reason. The raw file is never
touched; cleaning works on the canonical table in memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import UserError
from ..trial.design import Design
from .ingest import LOG_COLUMNS, ROW, Source

__all__ = ["LOG_COLUMNS", "CleaningError", "check_analysable", "clean", "cleaning_log", "value_text"]


class CleaningError(UserError):
    """Cleaning cannot go on: a config entry that names nothing in the data, or too little left to analyse."""


def value_text(value: object) -> str | None:
    """A value as the log shows it: whole numbers without ``.0``, missing as nothing.

    Examples
    --------
    >>> value_text(140.0), value_text(41.5), value_text(float("nan")), value_text("hip")
    ('140', '41.5', None, 'hip')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return str(value)


class _Log:
    """The cleaning log being written: one entry per change, in raw-file terms."""

    def __init__(self, design: Design, source: Source):
        self.design, self.source = design, source
        self.rows: list[dict] = []

    def column(self, name: str, time: object) -> str:
        return self.source.column(name, str(time), self.design)

    def row_values(self, r: pd.Series) -> str:
        names = [c for c in r.index if c not in (ROW, "time") or (c == "time" and self.source.layout == "long")]
        parts = [f"{self.column(c, r['time'])}={value_text(r[c])}" for c in names if value_text(r[c]) is not None]
        return "; ".join(parts)

    def add(self, frame: pd.DataFrame, column: str, action: str, reason: str | Mapping[str, str]) -> None:
        """One entry per row of ``frame``; ``column`` "" logs the whole row (a dropped row)."""
        for _, r in frame.iterrows():
            self.rows.append(
                dict(
                    row=int(r[ROW]),
                    subject=r["subject"],
                    time=str(r["time"]),
                    column=self.column(column, r["time"]) if column else "",
                    original=value_text(r[column]) if column else self.row_values(r),
                    new=None,
                    action=action,
                    reason=reason if isinstance(reason, str) else reason[r["subject"]],
                )
            )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=LOG_COLUMNS)


def clean(
    data: pd.DataFrame,
    design: Design,
    *,
    exclude: Sequence[Mapping] = (),
    drop_incomplete: bool = False,
    source: Source | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean a canonical long table.

    Steps, in order:

    1. subjects listed in ``exclude`` (``{subject, reason}``) are dropped; a listed subject that
       is not in the data is an error (a typo would otherwise exclude nobody, silently);
    2. subjects recorded in more than one arm or stratum are dropped (their allocation is
       unknowable);
    3. duplicate subject x visit rows: exact copies are reduced to one, conflicting copies are
       all dropped (which one is right is unknowable);
    4. outcome values outside ``[min, max]``, or not whole on an ``integer`` scale, are set
       missing;
    5. each missing visit of each outcome of a subject is logged as ``incomplete`` (the subject
       stays in the table for analyses that use all observed values, and complete-case analyses
       leave them out), or the subject is dropped when ``drop_incomplete``.

    Parameters
    ----------
    data : DataFrame
        Canonical long table from :func:`hiplbp.data.ingest.ingest` (with ``_row``).
    design : Design
        Configured design (outcome bounds and visits).
    exclude : sequence of mapping
        Subjects to exclude, each ``{"subject": id, "reason": text}``.
    drop_incomplete : bool
        Drop subjects who miss any visit of any outcome.
    source : Source, optional
        The raw file's layout and column names, so that the log names the raw file's columns
        (default: the canonical names, as for a long file with canonical column names).

    Returns
    -------
    clean : DataFrame
        The cleaned table (``_row`` kept for traceability).
    log : DataFrame
        ``LOG_COLUMNS``: ``row`` of the raw file, ``subject``, ``time``, ``column`` of the raw
        file ("" for a whole row), ``original`` value (for a dropped row, every value of the row
        as ``column=value``), ``new`` (empty: set missing or dropped), ``action`` (one of
        ``dropped_row``, ``set_missing``, ``incomplete``) and ``reason``.

    Raises
    ------
    CleaningError
        ``exclude`` names a subject that is not in the data.
    """
    source = source or Source("long", {"subject": "subject", "stratum": "stratum", "arm": "arm", "time": "time"})
    log = _Log(design, source)
    d = _excluded(data.copy(), exclude, log)
    d = _duplicates(_inconsistent(d, log), log)
    d = _out_of_range(d, design, log)
    incomplete_subjects = _incomplete(d, design, log, drop_incomplete)
    if drop_incomplete and incomplete_subjects:
        d = d[~d["subject"].isin(incomplete_subjects)]

    logdf = log.frame()
    logdf["row"] = logdf["row"].astype("Int64")
    return d.reset_index(drop=True), logdf


def _excluded(d: pd.DataFrame, exclude: Sequence[Mapping], log: _Log) -> pd.DataFrame:
    """Step 1: the subjects the config excludes (each must be in the data)."""
    subjects = set(d["subject"])
    for i, e in enumerate(exclude):
        if str(e["subject"]) not in subjects:
            raise CleaningError(
                f"config key 'cleaning.exclude[{i}].subject': {str(e['subject'])!r} is not a subject of the data "
                f"(expected one of its {len(subjects)} identifiers, e.g. {', '.join(sorted(subjects)[:3])})"
            )
        hit = d["subject"] == str(e["subject"])
        log.add(d[hit], "", "dropped_row", f"excluded by config: {e.get('reason', 'no reason given')}")
        d = d[~hit]
    return d


def _inconsistent(d: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Step 2: subjects recorded in more than one arm or stratum."""
    for factor in [c for c in ("arm", "stratum") if c in d.columns]:
        nlev = d.groupby("subject")[factor].nunique()
        bad = d["subject"].isin(nlev.index[nlev > 1])
        if bad.any():
            seen = d[bad].groupby("subject")[factor].unique().map(lambda v: ", ".join(sorted(map(str, v))))
            why = {s: f"subject recorded in more than one {factor} ({v})" for s, v in seen.items()}
            log.add(d[bad], factor, "dropped_row", why)
            d = d[~bad]
    return d


def _duplicates(d: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Step 3: exact duplicate rows reduced to one, conflicting ones all dropped."""
    values = ["subject", "time"] + [c for c in d.columns if c not in ("subject", "time", ROW)]
    key = d.duplicated(["subject", "time"], keep=False)
    if not key.any():
        return d
    dup = d[key]
    distinct = dup.drop_duplicates(values)
    conflicting = distinct[distinct.duplicated(["subject", "time"], keep=False)]
    ck = set(zip(conflicting["subject"], conflicting["time"].astype(str), strict=True))
    in_conflict = pd.Series(
        [(s, str(t)) in ck for s, t in zip(dup["subject"], dup["time"], strict=True)], index=dup.index
    )
    exact = dup.duplicated(values, keep="first") & ~in_conflict
    log.add(dup[in_conflict], "", "dropped_row", "conflicting duplicate of this subject and visit")
    log.add(dup[exact], "", "dropped_row", "exact duplicate of an earlier row")
    return d.drop(index=dup.index[in_conflict | exact])


def _out_of_range(d: pd.DataFrame, design: Design, log: _Log) -> pd.DataFrame:
    """Step 4: values outside the scale, or not whole on an integer scale, set missing."""
    for o in design.outcomes:
        col = o["name"]
        v = d[col]
        lo, hi = o.get("min"), o.get("max")
        out = pd.Series(False, index=d.index)
        if lo is not None:
            out |= v < lo
        if hi is not None:
            out |= v > hi
        log.add(d[out], col, "set_missing", f"outside the scale [{lo}, {hi}] of {col}")
        d.loc[out, col] = np.nan
        if o.get("integer", False):
            frac = d[col].notna() & (d[col] != np.round(d[col]))
            log.add(d[frac], col, "set_missing", f"not a whole number on the integer scale of {col}")
            d.loc[frac, col] = np.nan
    return d


def _incomplete(d: pd.DataFrame, design: Design, log: _Log, drop_incomplete: bool) -> set:
    """Step 5: each missing visit of each outcome logged; the subjects who miss any."""
    incomplete_subjects: set = set()
    rows = {(s, str(t)): r for s, t, r in zip(d["subject"], d["time"], d[ROW], strict=True)}
    then = ": subject dropped (cleaning.drop_incomplete)" if drop_incomplete else ": left out of complete-case analyses"
    for o in design.outcomes:
        col = o["name"]
        observed = set(zip(d.loc[d[col].notna(), "subject"], d.loc[d[col].notna(), "time"].astype(str), strict=True))
        for subject in sorted(d["subject"].unique()):
            missing = [t for t in design.time_levels if (subject, t) not in observed]
            if missing:
                incomplete_subjects.add(subject)
            for t in missing:
                row = rows.get((subject, t))
                log.rows.append(
                    dict(
                        row=None if row is None else int(row),
                        subject=subject,
                        time=t,
                        column=log.column(col, t),
                        original=None,
                        new=None,
                        action="incomplete",
                        reason=f"no {col} at {t}" + ("" if row is not None else " (no row for this visit)") + then,
                    )
                )
    return incomplete_subjects


def check_analysable(data: pd.DataFrame, design: Design, *, minimum: int = 2) -> None:
    """Every between-subject cell keeps at least ``minimum`` subjects with every visit of each outcome.

    Run after cleaning: a scale bound that removes most values, or exclusions that empty a group,
    would otherwise end in a singular model far from the cause.

    It also needs spread: when the complete subjects' values at some visit, or their changes from
    baseline, are the same within every cell, every test statistic divides by zero.

    Raises
    ------
    CleaningError
        Naming the outcome, the cell and how many complete subjects are left, or the visit
        without spread.
    """
    subjects = data.drop_duplicates("subject").set_index("subject")
    for o in design.outcomes:
        col = o["name"]
        complete = data.groupby("subject")[col].count() == len(design.time_levels)
        for keys, group in subjects.groupby(design.between):
            n = int(complete.reindex(group.index, fill_value=False).sum())
            if n < minimum:
                cell = " and ".join(
                    f"{factor} {level!r}"
                    for factor, level in zip(design.between, keys if isinstance(keys, tuple) else (keys,), strict=True)
                )
                raise CleaningError(
                    f"after cleaning, {cell} has {n} subject(s) with {col} at every visit "
                    f"(expected at least {minimum}; the cleaning log says which values were removed and why)"
                )
        wide = data.pivot_table(index=["subject", *design.between], columns="time", values=col, observed=True)
        wide = wide.dropna().reset_index()
        base = design.changes_from
        for t in design.time_levels:
            changes = [(f"changes from {base}", wide[t] - wide[base])] if base not in (None, t) else []
            for kind, y in [("values", wide[t]), *changes]:
                spread = y - y.groupby([wide[f] for f in design.between]).transform("mean")
                if not (spread.abs() > 1e-12).any():
                    raise CleaningError(
                        f"after cleaning, the {kind} of {col} at {t} are the same for every subject of each "
                        "group (no spread between subjects to analyse; expected data that vary)"
                    )


def cleaning_log(reading: pd.DataFrame, cleaning: pd.DataFrame) -> pd.DataFrame:
    """The whole log of a run: the changes made while reading the file, then those of cleaning.

    Both are in ``LOG_COLUMNS`` and in the raw file's rows and columns; an empty cell means "none"
    (no row for a visit that has none, no new value for a value set missing or a row dropped).
    """
    parts = [t.astype(object).where(t.notna(), None) for t in (reading, cleaning) if len(t)]
    if not parts:
        return pd.DataFrame(columns=LOG_COLUMNS)
    return pd.concat(parts, ignore_index=True)[LOG_COLUMNS]
