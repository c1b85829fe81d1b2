"""A trial as data: the tables a paper prints, in a documented, versioned format.

A trial folder (``trials/<name>/``) holds the paper's tables as CSV, **every value as printed
text** (``.24`` stays ``.24``; the number of decimals is evidence), ``not_available`` where the
paper does not print a cell, plus a ``config.yaml`` for the pipeline. Format version 1 has five
tables; each is validated by a pandera schema here before anything runs, and a bad cell is one
line naming the file, row (header = row 1), column, what was found and what was expected.

``groups.csv``
    One row per analysed group: ``group`` (an id), ``stratum`` (empty when there are none),
    ``label_as_printed``, ``marker_as_printed`` (a footnote marker, or empty), ``arm``
    (``treatment``/``control`` where the paper says so unambiguously, else empty: the config's
    ``trial.marker_arms`` or ``trial.label_arms`` then decide), ``n_randomised`` and ``n_analysed``
    (as printed, or ``not_available``), ``description``.
``characteristics.csv``
    Baseline characteristics: ``variable, group, kind`` (``continuous`` or ``categorical``),
    ``unit_as_printed``; continuous rows ``mean, sd``; categorical rows ``category`` with ``count``
    and/or ``percent``; ``n`` when the column has its own n; ``status``.
``outcomes.csv``
    One row per outcome x group x visit: ``outcome, group, time, n`` (the cell's own n, for
    drop-out), ``mean`` and one of ``sd`` / ``se`` / ``ci_low, ci_high`` as printed, ``status``.
``tests.csv``
    Reported tests and claims: ``outcome, effect, test`` (``F``, ``t``, ``chi2`` or ``claim``),
    ``df_as_printed``, ``statistic``, ``p_as_printed``, ``claim`` (the paper's words), ``status``.
``flow.csv``
    Flow counts: ``stage`` (``enrolled``, ``randomised``, ``analysed``), ``stratum``, ``group``,
    ``time``, ``n``, ``source`` (where the paper says so).

Only ``groups.csv`` and ``outcomes.csv`` are required; a missing optional table is an empty one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..errors import UserError

FORMAT_VERSION = 1
NOT_AVAILABLE = "not_available"
STATUSES = ["printed", NOT_AVAILABLE]
ARMS = ["treatment", "control"]

_NUMBER = r"^-?(\d+\.?\d*|\.\d+)$"
_COUNT = r"^\d+$"


def _text(*checks: pa.Check, required: bool = True, description: str = "") -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=False, required=required, description=description)


def _printed(pattern: str, what: str) -> pa.Check:
    """A cell that is empty, ``not_available`` or matches ``pattern``."""
    return pa.Check(
        lambda s: s.eq("") | s.eq(NOT_AVAILABLE) | s.str.match(pattern),
        element_wise=False,
        error=what,
    )


def _named(what: str) -> pa.Column:
    """A name or label that must not be empty (``what`` says which, in the error)."""
    return _text(pa.Check.str_length(min_value=1, error=what))


def _status() -> pa.Column:
    """The ``status`` column of a table of printed values: ``printed`` or ``not_available``."""
    return _text(pa.Check.isin(STATUSES, error="printed or not_available"))


NUMBER = _printed(_NUMBER, "a number as printed (e.g. 53.89, .24, -1.5), empty or not_available")
COUNT = _printed(_COUNT, "a whole number, empty or not_available")

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "groups": pa.DataFrameSchema(
        {
            "group": _text(pa.Check.str_length(min_value=1, error="a non-empty id"), description="group id"),
            "stratum": _text(required=False, description="stratum, empty when none"),
            "label_as_printed": _text(required=False),
            "marker_as_printed": _text(required=False),
            "arm": _text(pa.Check(lambda s: s.isin(["", *ARMS]), error="treatment, control or empty"), required=False),
            "n_randomised": _text(COUNT, required=False),
            "n_analysed": _text(COUNT),
            "description": _text(required=False),
        },
        strict=False,
        unique=["group"],
    ),
    "characteristics": pa.DataFrameSchema(
        {
            "variable": _named("a variable name"),
            "group": _text(),
            "kind": _text(pa.Check.isin(["continuous", "categorical"], error="continuous or categorical")),
            "unit_as_printed": _text(required=False),
            "n": _text(COUNT, required=False),
            "mean": _text(NUMBER, required=False),
            "sd": _text(NUMBER, required=False),
            "category": _text(required=False),
            "count": _text(COUNT, required=False),
            "percent": _text(NUMBER, required=False),
            # the p the paper prints for the characteristic (on any of its rows) and its test, if named
            "p_as_printed": _text(required=False),
            "test_as_printed": _text(required=False),
            "status": _status(),
        },
        strict=False,
    ),
    "outcomes": pa.DataFrameSchema(
        {
            "outcome": _named("an outcome name"),
            "group": _text(),
            "time": _named("a visit label"),
            "n": _text(COUNT, required=False),
            "mean": _text(NUMBER),
            "sd": _text(NUMBER, required=False),
            "se": _text(NUMBER, required=False),
            "ci_low": _text(NUMBER, required=False),
            "ci_high": _text(NUMBER, required=False),
            "status": _status(),
        },
        strict=False,
        unique=["outcome", "group", "time"],
    ),
    "tests": pa.DataFrameSchema(
        {
            "outcome": _text(),
            "effect": _text(),
            "test": _text(
                pa.Check.isin(["F", "t", "chi2", "claim", "difference"], error="F, t, chi2, claim or difference")
            ),
            "df_as_printed": _text(required=False),
            "statistic": _text(NUMBER, required=False),
            "p_as_printed": _text(required=False),
            "claim": _text(required=False),
            "direction": _text(
                pa.Check.isin(["decrease", "increase", ""], error="decrease, increase or empty"), required=False
            ),
            "adjusted_for": _text(required=False, description="covariates of a printed difference, ';'-separated"),
            "status": _status(),
        },
        strict=False,
    ),
    "changes": pa.DataFrameSchema(
        {
            "outcome": _named("an outcome name"),
            "group": _text(),
            "start": _named("a visit label"),
            "end": _named("a visit label"),
            "n": _text(COUNT, required=False),
            "mean": _text(NUMBER, required=False),
            "sd": _text(NUMBER),
            "status": _status(),
        },
        strict=False,
        unique=["outcome", "group", "start", "end"],
    ),
    "flow": pa.DataFrameSchema(
        {
            "stage": _text(
                pa.Check.isin(["enrolled", "randomised", "analysed"], error="enrolled, randomised or analysed")
            ),
            "stratum": _text(required=False),
            "group": _text(required=False),
            "time": _text(required=False),
            "n": _text(COUNT),
            "source": _text(required=False),
        },
        strict=False,
    ),
}
REQUIRED = ("groups", "outcomes")


class TrialError(UserError):
    """A trial folder that does not follow the format: one line naming file, row and column."""


@dataclass(frozen=True)
class Trial:
    """The validated tables of one trial (every value text, as printed)."""

    folder: Path
    groups: pd.DataFrame
    characteristics: pd.DataFrame
    outcomes: pd.DataFrame
    tests: pd.DataFrame
    changes: pd.DataFrame
    flow: pd.DataFrame


def check_outcome_cells(trial: Trial, outcomes: Sequence[str], time_levels: Sequence[str]) -> None:
    """Every analysed outcome the trial prints has a row for each group at each visit of the design.

    A cell the paper did not print is a row with ``status`` ``not_available`` (which
    ``reconstruction.assumptions`` may fill); a row that is absent entirely (an outcome printed at
    fewer visits) is named here, before any stage needs it. Outcomes the tables do not print at
    all are left to the stages that read them.

    Raises
    ------
    TrialError
        One line naming the file, the outcome, the group and visit, and what is expected.
    """
    table = trial.outcomes
    path = trial.folder / "outcomes.csv"
    for name in outcomes:
        rows = table[table["outcome"] == name]
        if rows.empty:
            continue
        have = set(zip(rows["group"], rows["time"], strict=True))
        for group in trial.groups["group"]:
            missing = [str(v) for v in time_levels if (group, str(v)) not in have]
            if missing:
                visits = ", ".join(map(str, time_levels))
                raise TrialError(
                    f"{path}: outcome {name!r}, group {group!r}: no row at {', '.join(missing)} (expected a row at "
                    f"every visit of design.time_levels, {visits}; a cell the paper did not print is a row with "
                    "status not_available, or leave the outcome out of the config's outcomes)"
                )


def read_text_table(path: str | Path) -> pd.DataFrame:
    """A CSV with every cell as its text (an empty cell stays ``""``, ``53.80`` keeps its 0), stripped."""
    path = Path(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8").apply(lambda c: c.str.strip())
    except UnicodeDecodeError as err:
        raise TrialError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except pd.errors.EmptyDataError:
        raise TrialError(f"{path}: the file is empty; expected a header row and one row per record") from None


def validate_table(table: pd.DataFrame, name: str, path: str | Path) -> pd.DataFrame:
    """Validate one table against its schema; raise :class:`TrialError` with one line on failure.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["A"], "n_analysed": ["2O"]})
    >>> try:
    ...     validate_table(t, "groups", "groups.csv")
    ... except TrialError as err:
    ...     print(err)
    groups.csv: row 2, column 'n_analysed': expected a whole number, empty or not_available, got '2O'
    """
    schema = SCHEMAS[name]
    missing = [c for c, col in schema.columns.items() if col.required and c not in table.columns]
    if missing:
        raise TrialError(
            f"{path}: row 1 (header): missing column(s) {missing}; the {name} table needs "
            f"{[c for c, col in schema.columns.items() if col.required]}"
        )
    try:
        return schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise TrialError(_first_failure(err.failure_cases, table, path, list(schema.unique or []))) from None


def _first_failure(fc: pd.DataFrame, table: pd.DataFrame, path: str | Path, unique: list[str]) -> str:
    fc = fc.copy()
    fc["row"] = pd.to_numeric(fc["index"], errors="coerce")
    dup = fc[fc["check"].astype(str).str.contains("uniqueness")]
    if not dup.empty:
        # every copy is reported: name the second, which is the one to remove or fix
        i = int(sorted(dup["row"].dropna().astype(int).unique())[1 if dup["row"].nunique() > 1 else 0])
        key = tuple(table[c].iloc[i] for c in unique)
        return f"{path}: row {i + 2}: duplicate {' x '.join(unique)} {key}; each must appear once"
    fc = fc.sort_values(["row"], kind="stable", na_position="first")
    r = fc.iloc[0]
    row = f"row {int(r['row']) + 2}" if pd.notna(r["row"]) else "row ?"
    expected = re.sub(r"^<Check \w+: (.*)>$", r"\1", str(r["check"]))
    return f"{path}: {row}, column '{r['column']}': expected {expected}, got {r['failure_case']!r}"


def read_trial(folder: str | Path) -> Trial:
    """Read and validate a trial folder (format version 1).

    Raises
    ------
    TrialError
        One line naming the file, row and column, what was found and what was expected.
    """
    folder = Path(folder)
    tables: dict[str, pd.DataFrame] = {}
    for name, schema in SCHEMAS.items():
        path = folder / f"{name}.csv"
        if not path.exists():
            if name in REQUIRED:
                raise TrialError(f"{path}: not found; a trial folder needs {[f'{r}.csv' for r in REQUIRED]}")
            tables[name] = pd.DataFrame({c: pd.Series(dtype=str) for c, col in schema.columns.items() if col.required})
            continue
        tables[name] = validate_table(read_text_table(path), name, path)
    _cross_check(folder, tables)
    return Trial(folder, **tables)


def _cross_check(folder: Path, t: Mapping[str, pd.DataFrame]) -> None:
    """Every group a table names is a group of groups.csv; printed cells are not empty."""
    groups = set(t["groups"]["group"])
    for name in ("characteristics", "outcomes", "changes"):
        table = t[name]
        for i, g in enumerate(table.get("group", pd.Series(dtype=str))):
            if g not in groups:
                raise TrialError(
                    f"{folder / f'{name}.csv'}: row {i + 2}, column 'group': expected a group of groups.csv "
                    f"({', '.join(sorted(groups))}), got {g!r}"
                )
    o = t["outcomes"]
    for i, r in o.iterrows():
        if r["status"] == "printed":
            spread = [c for c in ("sd", "se", "ci_low") if r.get(c, "") not in ("", NOT_AVAILABLE)]
            if r["mean"] in ("", NOT_AVAILABLE) or not spread:
                raise TrialError(
                    f"{folder / 'outcomes.csv'}: row {i + 2}, column 'mean': status is printed, so a mean and an sd, "
                    f"se or ci_low/ci_high are expected, got mean {r['mean']!r}"
                )
