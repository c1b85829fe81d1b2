"""Descriptive statistics per design cell, with t-based confidence intervals."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats


def t_interval(x: npt.ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval of a mean from the t distribution.

    Notes
    -----
    ``mean +/- t_{(1+level)/2, n-1} * sd / sqrt(n)``; NaN bounds for fewer than 2 values, and
    the mean itself for values that are all equal (SD 0: the formula's interval has no width).

    Examples
    --------
    >>> lo, hi = t_interval([1.0, 2.0, 3.0])
    >>> round(lo, 4), round(hi, 4)
    (-0.4841, 4.4841)
    >>> t_interval([4.0, 4.0])
    (4.0, 4.0)
    """
    a = np.asarray(x, float)
    a = a[~np.isnan(a)]
    if a.size < 2:
        return (np.nan, np.nan)
    half = float(stats.t.ppf(0.5 + level / 2, a.size - 1) * stats.sem(a))
    return (float(a.mean() - half), float(a.mean() + half))


def basis_label(labels: pd.Series) -> str:
    """One label for the values behind a statistic: ``data``, ``published``, ``assumed`` or a mix
    such as ``assumed+published`` (sorted, joined by ``+``)."""
    return "+".join(sorted(labels.astype(str).unique()))


def cell_summary(
    data: pd.DataFrame, dv: str, by: Sequence[str], level: float = 0.95, basis: pd.Series | str = "data"
) -> pd.DataFrame:
    """n, mean, SD, SE and t-based CI of ``dv`` in every cell of ``by`` (all observed values).

    Parameters
    ----------
    data : DataFrame
        Long table.
    dv : str
        Variable to summarize.
    by : sequence of str
        Grouping columns.
    level : float
        Confidence level.
    basis : Series or str
        What each value rests on (``data`` for real data; ``published``/``assumed`` for a
        reconstruction, see :func:`hiplbp.reconstruction.patients.value_basis`). A cell mixing several is
        labelled with all of them joined by ``+``.

    Returns
    -------
    DataFrame
        ``*by, n, mean, sd, se, ci_low, ci_high, basis`` in the order of the grouping columns.
    """
    data = data.assign(_basis=basis)
    rows = []
    for key, g in data.groupby(list(by), observed=True, sort=True):
        v = g[dv].dropna().to_numpy(float)
        lo, hi = t_interval(v, level)
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            dict(zip(by, key, strict=False))
            | dict(
                n=v.size,
                mean=v.mean() if v.size else np.nan,
                sd=v.std(ddof=1) if v.size > 1 else np.nan,
                se=v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else np.nan,
                ci_low=lo,
                ci_high=hi,
                basis=basis_label(g.loc[g[dv].notna(), "_basis"]),
            )
        )
    return pd.DataFrame(rows)


def strata_blocks(data: pd.DataFrame, strata: Sequence[str]) -> list[tuple[str, pd.DataFrame]]:
    """``(stratum, rows of that stratum)`` for each stratum, or ``[("all", data)]`` without strata."""
    return [(s, data[data["stratum"] == s]) for s in strata] if strata else [("all", data)]


def arm_samples(
    data: pd.DataFrame,
    dv: str,
    comparisons: Sequence[tuple[str, str]],
    strata: Sequence[str],
    time_levels: Sequence[str],
) -> Iterator[tuple[str, str, tuple[str, str], pd.Series, pd.Series]]:
    """Yield ``(stratum, visit, (a, b), values of arm a, values of arm b)`` for every stratum, visit
    and arm comparison (:meth:`~hiplbp.trial.design.Design.comparisons`).

    The stratum is ``"all"`` in a one-factor design; missing values are dropped.
    """
    for s, d in strata_blocks(data, strata):
        for v in time_levels:
            at = d[d["time"].astype(str) == str(v)]
            for a, b in comparisons:
                yield s, str(v), (a, b), at.loc[at["arm"] == a, dv].dropna(), at.loc[at["arm"] == b, dv].dropna()
