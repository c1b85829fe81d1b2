"""A trial's published numbers, kept exactly as printed (read from a trial folder, :mod:`hiplbp.trial.tables`).

Each number stays text so that the printed precision survives (``53.89`` has two decimals,
``50.0`` one): GRIM-type checks and the reconstruction both need it. Cells a paper does not print
have ``status == "not_available"`` and an empty value; they are unknown, never zero. What a
footnote marker, a label or a stratum name means is the trial's own (its config), never assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd

from .tables import NOT_AVAILABLE, TrialError, read_text_table, validate_table

PRINTED = "printed"


def decimals(text: str | float | None) -> int | None:
    """Number of printed decimals of a number kept as text.

    Parameters
    ----------
    text : str or None
        The number as printed, e.g. ``"53.89"``.

    Returns
    -------
    int or None
        Digits after the decimal point, or None for a missing cell.

    Examples
    --------
    >>> decimals("53.89"), decimals("50.0"), decimals("78"), decimals("")
    (2, 1, 0, None)
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    s = str(text).strip()
    if not s or s.lower() == "nan":
        return None
    return len(s.split(".", 1)[1]) if "." in s else 0


def read_summaries(paths: Sequence[str | Path]) -> pd.DataFrame:
    """:func:`read_summary` of several outcome tables, stacked (one per outcome, same columns)."""
    return pd.concat([read_summary(p) for p in paths], ignore_index=True)


def half_unit(ndec: int) -> float:
    """Half a unit of the last printed digit: how far a value printed with ``ndec`` decimals may be
    from the true one.

    Examples
    --------
    >>> half_unit(2), half_unit(0)
    (0.005, 0.5)
    """
    return 0.5 * 10.0**-ndec


@overload
def rounds_to(value: float, printed: float, ndec: int) -> bool: ...
@overload
def rounds_to(value: np.ndarray, printed: float, ndec: int) -> np.ndarray: ...
def rounds_to(value: float | np.ndarray, printed: float, ndec: int) -> bool | np.ndarray:
    """Whether ``value`` rounds (half up or half down) to ``printed`` at ``ndec`` decimals.

    A tolerance of 1e-9 absorbs binary representation (``53.885`` is not exactly representable).
    ``value`` may be an array; the answer is then an array of bool.

    Examples
    --------
    >>> rounds_to(485 / 9, 53.89, 2), rounds_to(53.884, 53.89, 2), rounds_to(0.125, 0.12, 2)
    (True, False, True)
    """
    ok = np.abs(np.asarray(value, dtype=float) - printed) <= half_unit(ndec) + 1e-9
    return bool(ok) if ok.ndim == 0 else ok


def trial_meaning(trial: Mapping) -> dict[str, dict[str, str]]:
    """The config's ``trial`` section as :func:`read_groups`' arguments (markers, labels, strata).

    Examples
    --------
    >>> trial_meaning({"folder": "t", "marker_arms": {"*": "treatment"}})
    {'marker_arms': {'*': 'treatment'}, 'label_arms': {}, 'strata': {}}
    """
    return {
        k: {str(a): str(b) for a, b in dict(trial.get(k) or {}).items()}
        for k in ("marker_arms", "label_arms", "strata")
    }


def read_groups(
    path: str | Path,
    marker_arms: Mapping[str, str] | None = None,
    label_arms: Mapping[str, str] | None = None,
    strata: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a trial's ``groups.csv`` (format 1) and say which arm each group is, by each reading.

    Parameters
    ----------
    path : path
        The trial's ``groups.csv``.
    marker_arms : mapping, optional
        Footnote marker as printed -> ``treatment``/``control`` (the trial's own legend).
    label_arms : mapping, optional
        Printed label prefix -> arm (e.g. a label starting with "EG" says experimental group).
    strata : mapping, optional
        Stratum as printed -> the label the design uses (identity when absent).

    Returns
    -------
    DataFrame
        ``group, stratum, printed_label, printed_marker, printed_n, marker_meaning, n`` and
        ``arm_by_marker``, ``arm_by_label`` (each the group's arm by that reading; the ``arm``
        column where the paper states it overrides both) and ``stratum_label``.
    """
    path = Path(path)
    g = validate_table(read_text_table(path), "groups", path)
    out = pd.DataFrame(
        {
            "group": g["group"],
            "stratum": g.get("stratum", ""),
            "printed_label": g.get("label_as_printed", g["group"]),
            "printed_marker": g.get("marker_as_printed", ""),
            "printed_n": g["n_analysed"],
            "printed_n_randomised": g.get("n_randomised", ""),
            "marker_meaning": g.get("description", ""),
        }
    )
    out["n"] = out["printed_n"].astype(int)
    stated = g["arm"] if "arm" in g else pd.Series("", index=g.index)
    by_marker = out["printed_marker"].map(dict(marker_arms or {}))
    prefixes = sorted(label_arms or {}, key=len, reverse=True)
    by_label = out["printed_label"].map(
        lambda text: next((label_arms[p] for p in prefixes if str(text).startswith(p)), None) if label_arms else None
    )
    out["arm_by_marker"] = stated.where(stated != "", by_marker)
    out["arm_by_label"] = stated.where(stated != "", by_label)
    for reading, meaning, column in (
        ("marker", marker_arms, "marker_as_printed"),
        ("label", label_arms, "label_as_printed"),
    ):
        bad = out[f"arm_by_{reading}"].isna() & (out[f"printed_{reading}"] != "")
        if meaning and bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise TrialError(
                f"{path}: row {i + 2}, column '{column}': expected one of {sorted(meaning)} (trial.{reading}_arms), "
                f"got {out[f'printed_{reading}'].iloc[i]!r}"
            )
    out["stratum_label"] = out["stratum"].map(lambda x: dict(strata or {}).get(x, x))
    return out


def read_enrollment(path: str | Path | None) -> pd.DataFrame:
    """Enrolment per stratum (``stratum, n_enrolled``) from a trial's ``flow.csv`` (format 1); empty without one."""
    if not path:
        return pd.DataFrame(columns=["stratum", "n_enrolled"])
    f = validate_table(read_text_table(path), "flow", path)
    e = f[(f["stage"] == "enrolled") & (f.get("stratum", "") != "")]
    return pd.DataFrame({"stratum": e["stratum"].to_numpy(), "n_enrolled": e["n"].astype(int).to_numpy()})


#: Columns of :func:`read_characteristics` (also of its empty table, for a trial without one).
CHARACTERISTIC_COLUMNS = [
    "variable",
    "group",
    "kind",
    "unit_as_printed",
    "n",
    "mean",
    "sd",
    "status",
    "mean_value",
    "sd_value",
    "mean_decimals",
    "sd_decimals",
]


def read_characteristics(path: str | Path | None) -> pd.DataFrame:
    """The continuous baseline characteristics of a trial's ``characteristics.csv``, as :func:`read_summary`.

    ``path`` None (a trial that prints none) gives an empty table with :data:`CHARACTERISTIC_COLUMNS`.
    """
    if not path:
        return pd.DataFrame(columns=CHARACTERISTIC_COLUMNS)
    c = validate_table(read_text_table(path), "characteristics", path)
    return _summary_values(c[c["kind"] == "continuous"].reset_index(drop=True), path)


def read_summary(path: str | Path) -> pd.DataFrame:
    """Read a table of published means and SDs (``table1_characteristics.csv``, ``table2_vas.csv``).

    The text columns ``mean`` and ``sd`` are kept; ``mean_value``/``sd_value`` (float, NaN when
    not available) and ``mean_decimals``/``sd_decimals`` are added. A table without a ``status``
    column is entirely ``printed``.
    """
    return _summary_values(read_text_table(path), path)


def _summary_values(t: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    t = t.copy()
    if "status" not in t.columns:
        t["status"] = PRINTED
    bad = ~t["status"].isin([PRINTED, NOT_AVAILABLE])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{path}: row {i + 2}, column 'status': expected 'printed' or 'not_available', got {t['status'].iloc[i]!r}"
        )
    for col in ("sd", "se", "ci_low", "ci_high"):
        if col not in t.columns:
            t[col] = ""
    t["sd_source"] = np.where(t["sd"].fillna("") != "", "sd", "")
    for col in ("mean", "sd"):
        t[f"{col}_value"] = pd.to_numeric(t[col].replace("", np.nan), errors="raise")
        t[f"{col}_decimals"] = t[col].map(decimals).astype("Int64")
    _sd_from_se_or_ci(t, path)
    for col in ("mean", "sd"):
        printed_but_empty = (t["status"] == PRINTED) & t[f"{col}_value"].isna()
        if printed_but_empty.any():
            i = int(np.flatnonzero(printed_but_empty)[0])
            what = "status is printed but the cell is empty" + (
                " (and no se or ci_low, ci_high)" if col == "sd" else ""
            )
            raise ValueError(f"{path}: row {i + 2}, column '{col}': {what}")
    return t


def _sd_from_se_or_ci(t: pd.DataFrame, path: str | Path) -> None:
    """Fill ``sd_value`` of rows that print an SE or a 95 % CI instead of an SD (in place).

    SD = SE * sqrt(n); from a t-based 95 % CI, SD = (high - low) / 2 / t(0.975, n - 1) * sqrt(n).
    ``sd_decimals`` is the printed SE's (or CI's): an SD that rounds to the derived value at that
    precision is within one unit of it, so its SE (SD / sqrt(n)) is within half a unit of the
    printed SE for n >= 4, and its CI half-width within 2 t / sqrt(n) half units of the printed
    one (within half a unit from n = 18). ``sd_source`` says which (``se``, ``ci``); the
    ``sd`` text stays empty, so no check treats the derived SD as printed.
    """
    from scipy import stats

    missing = (t["status"] == PRINTED) & t["sd_value"].isna()
    for i in np.flatnonzero(missing):
        row = t.iloc[i]
        se, lo, hi = (str(row[c]).strip() for c in ("se", "ci_low", "ci_high"))
        if not (se or (lo and hi)):
            continue
        n_text = str(row.get("n", "")).strip()
        if not n_text.isdigit():
            raise ValueError(
                f"{path}: row {i + 2}, column 'n': an SE or CI is printed but not the cell's n (needed to get the SD)"
            )
        n = int(n_text)
        if se:
            sd, source, ndec = float(se) * np.sqrt(n), "se", decimals(se)
        else:
            half = (float(hi) - float(lo)) / 2
            sd, source = half / stats.t.ppf(0.975, n - 1) * np.sqrt(n), "ci"
            ndec = max(decimals(lo) or 0, decimals(hi) or 0)
        index = t.index[i]
        t.loc[index, "sd_value"] = sd
        t.loc[index, "sd_decimals"] = ndec or 0
        t.loc[index, "sd_source"] = source
