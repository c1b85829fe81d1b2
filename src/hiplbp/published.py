"""The published numbers of Lee & Kim (2015), kept exactly as printed.

The CSV files in ``data/published/`` hold each number as text so that the printed precision
survives (``53.89`` has two decimals, ``50.0`` one): GRIM-type checks and the reconstruction both
need it. Cells the stored copies of the article did not give have ``status == "not_available"``
and an empty value; they are unknown, never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd

PRINTED = "printed"
NOT_AVAILABLE = "not_available"

#: Footnote markers of the tables and the arm they denote (see groups.csv, marker_meaning).
MARKER_ARM = {"†": "treatment", "‡": "control"}
#: Printed group label prefixes and the arm the label suggests (EG = experimental group).
LABEL_ARM = {"EG": "treatment", "CG": "control"}
#: The paper's stratum names and the short labels the reconstructed data use.
STRATUM_LABELS = {"lumbar stability": "stable", "lumbar instability": "unstable"}


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


def _read_text_csv(path: Path) -> pd.DataFrame:
    # keep_default_na=False: an empty cell must stay an empty string, not a float NaN, so that
    # the printed text of every number is preserved.
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def read_groups(path: str | Path) -> pd.DataFrame:
    """Read ``groups.csv``: the analysed groups, their stratum, printed label, n and marker.

    Adds ``n`` (int), ``arm_by_marker`` and ``arm_by_label`` (``treatment``/``control``).
    """
    g = _read_text_csv(Path(path))
    missing = {"group", "stratum", "printed_label", "printed_n", "printed_marker"} - set(g.columns)
    if missing:
        raise ValueError(f"{path}: row 1 (header): missing column(s) {sorted(missing)}")
    g["n"] = g["printed_n"].astype(int)
    g["arm_by_marker"] = g["printed_marker"].map(MARKER_ARM)
    g["arm_by_label"] = g["printed_label"].str.extract(r"^(EG|CG)", expand=False).map(LABEL_ARM)
    for i, row in g.iterrows():
        if pd.isna(row["arm_by_marker"]):
            raise ValueError(
                f"{path}: row {i + 2}, column 'printed_marker': expected one of "
                f"{sorted(MARKER_ARM)}, got {row['printed_marker']!r}"
            )
    return g


def read_summary(path: str | Path) -> pd.DataFrame:
    """Read a table of published means and SDs (``table1_characteristics.csv``, ``table2_vas.csv``).

    The text columns ``mean`` and ``sd`` are kept; ``mean_value``/``sd_value`` (float, NaN when
    not available) and ``mean_decimals``/``sd_decimals`` are added. A table without a ``status``
    column is entirely ``printed``.
    """
    t = _read_text_csv(Path(path))
    if "status" not in t.columns:
        t["status"] = PRINTED
    bad = ~t["status"].isin([PRINTED, NOT_AVAILABLE])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{path}: row {i + 2}, column 'status': expected 'printed' or 'not_available', got {t['status'].iloc[i]!r}"
        )
    for col in ("mean", "sd"):
        t[f"{col}_value"] = pd.to_numeric(t[col].replace("", np.nan), errors="raise")
        t[f"{col}_decimals"] = t[col].map(decimals).astype("Int64")
        printed_but_empty = (t["status"] == PRINTED) & t[f"{col}_value"].isna()
        if printed_but_empty.any():
            i = int(np.flatnonzero(printed_but_empty)[0])
            raise ValueError(f"{path}: row {i + 2}, column '{col}': status is printed but the cell is empty")
    return t
