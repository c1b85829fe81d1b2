"""Cleaning: range checks, duplicates, inconsistent and incomplete subjects, all logged.

Nothing is lost silently: every value set missing and every row dropped is one row of the
cleaning log, with the source row, the original and new values, the action and the reason. The
raw file is never touched; cleaning works on the canonical table in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .ingest import ROW, Design

LOG_COLUMNS = ["row", "subject", "time", "column", "original", "new", "action", "reason"]


def _log(
    rows: list[dict],
    frame: pd.DataFrame,
    column: str,
    action: str,
    reason: str | Mapping[str, str] | Callable[[pd.Series], str],
    new: object = None,
) -> None:
    # reason: one text for every row, one per subject, or a function of the row
    for _, r in frame.iterrows():
        rows.append(
            dict(
                row=int(r[ROW]),
                subject=r["subject"],
                time=str(r["time"]),
                column=column,
                original=(None if column == "" else r.get(column)),
                new=new,
                action=action,
                reason=(reason(r) if callable(reason) else reason if isinstance(reason, str) else reason[r["subject"]]),
            )
        )


def clean(
    data: pd.DataFrame, design: Design, *, exclude: Sequence[Mapping] = (), drop_incomplete: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean a canonical long table.

    Steps, in order:

    1. subjects listed in ``exclude`` (``{subject, reason}``) are dropped;
    2. subjects recorded in more than one arm or stratum are dropped (their allocation is
       unknowable);
    3. duplicate subject x visit rows: exact copies are reduced to one, conflicting copies are
       all dropped (which one is right is unknowable);
    4. outcome values outside ``[min, max]``, or not whole on an ``integer`` scale, are set
       missing;
    5. subjects with a missing visit for some outcome are logged as ``incomplete`` (they stay in
       the table for analyses that use all observed values, and complete-case analyses leave
       them out), or dropped when ``drop_incomplete``.

    Parameters
    ----------
    data : DataFrame
        Canonical long table from :func:`hiplbp.ingest.ingest` (with ``_row``).
    design : Design
        Configured design (outcome bounds and visits).
    exclude : sequence of mapping
        Subjects to exclude, each ``{"subject": id, "reason": text}``.
    drop_incomplete : bool
        Drop subjects who miss any visit of any outcome.

    Returns
    -------
    clean : DataFrame
        The cleaned table (``_row`` kept for traceability).
    log : DataFrame
        Columns ``row, subject, time, column, original, new, action, reason`` with ``action`` one
        of ``dropped_row``, ``set_missing``, ``incomplete``.
    """
    log: list[dict] = []
    d = data.copy()
    for e in exclude:
        hit = d["subject"] == str(e["subject"])
        _log(log, d[hit], "", "dropped_row", f"excluded by config: {e.get('reason', 'no reason given')}")
        d = d[~hit]

    for factor in [c for c in ("arm", "stratum") if c in d.columns]:
        nlev = d.groupby("subject")[factor].nunique()
        bad = d["subject"].isin(nlev.index[nlev > 1])
        if bad.any():
            seen = d[bad].groupby("subject")[factor].unique().map(lambda v: ", ".join(sorted(map(str, v))))
            why = {s: f"subject recorded in more than one {factor} ({v})" for s, v in seen.items()}
            _log(log, d[bad], factor, "dropped_row", why)
            d = d[~bad]

    values = ["subject", "time"] + [c for c in d.columns if c not in ("subject", "time", ROW)]
    key = d.duplicated(["subject", "time"], keep=False)
    if key.any():
        dup = d[key]
        exact = dup.duplicated(values, keep="first")
        conflicting_keys = dup.drop_duplicates(values).duplicated(["subject", "time"], keep=False)
        ck = set(map(tuple, dup.drop_duplicates(values)[conflicting_keys][["subject", "time"]].astype(str).values))
        in_conflict = dup.apply(lambda r: (r["subject"], str(r["time"])) in ck, axis=1)
        _log(log, dup[in_conflict], "", "dropped_row", "conflicting duplicate of this subject and visit")
        _log(log, dup[exact & ~in_conflict], "", "dropped_row", "exact duplicate of an earlier row")
        d = d.drop(index=dup.index[in_conflict | exact])

    for o in design.outcomes:
        col = o["name"]
        v = d[col]
        lo, hi = o.get("min"), o.get("max")
        out = pd.Series(False, index=d.index)
        if lo is not None:
            out |= v < lo
        if hi is not None:
            out |= v > hi
        _log(log, d[out], col, "set_missing", f"outside the scale [{lo}, {hi}] of {col}")
        d.loc[out, col] = np.nan
        if o.get("integer", False):
            frac = d[col].notna() & (d[col] != np.round(d[col]))
            _log(log, d[frac], col, "set_missing", f"not a whole number on the integer scale of {col}")
            d.loc[frac, col] = np.nan

    incomplete_subjects: set = set()
    for o in design.outcomes:
        col = o["name"]
        got = d[d[col].notna()].groupby("subject", observed=True)["time"].apply(lambda t: set(map(str, t)))
        for subject in sorted(d["subject"].unique()):
            missing = [t for t in design.time_levels if t not in got.get(subject, set())]
            if missing:
                incomplete_subjects.add(subject)
                first = d[d["subject"] == subject].iloc[[0]]
                _log(
                    log,
                    first.assign(time=",".join(missing)),
                    col,
                    "incomplete",
                    f"no {col} at {', '.join(missing)}: left out of complete-case analyses"
                    + ("; subject dropped (cleaning.drop_incomplete)" if drop_incomplete else ""),
                )
    if drop_incomplete and incomplete_subjects:
        d = d[~d["subject"].isin(incomplete_subjects)]

    logdf = pd.DataFrame(log, columns=LOG_COLUMNS)
    return d.reset_index(drop=True), logdf
