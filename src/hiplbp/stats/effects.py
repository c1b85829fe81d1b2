"""Standardized effect sizes with confidence intervals.

* Hedges' g between the arms at each visit within each stratum (all observed values);
* d_z of the within-group change from baseline to each visit, per stratum x arm.

Intervals use the large-sample standard errors of Hedges & Olkin (1985) with a t critical value,
as pingouin's ``compute_esci``: ``se(g) = sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2)))`` on
``n1 + n2 - 2`` df and ``se(d_z) = sqrt(1 / n + d_z^2 / (2 n))`` on ``n - 1`` df.

References
----------
Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis. Academic Press.
Lakens D (2013). Calculating and reporting effect sizes to facilitate cumulative science.
Front Psychol 4:863.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from ..trial.design import Design
from .describe import arm_samples, basis_label, strata_blocks

EFFECT_SIZE_COLUMNS = [
    "measure",
    "visit",
    "stratum",
    "arm",
    "comparison",
    "n1",
    "n2",
    "estimate",
    "ci_low",
    "ci_high",
    "basis",
]


def hedges_g(x: npt.ArrayLike, y: npt.ArrayLike, level: float = 0.95) -> tuple[float, float, float]:
    """Hedges' g of ``x`` minus ``y`` (pooled SD, small-sample correction) and its interval.

    Notes
    -----
    ``d = (mean_x - mean_y) / s_pooled``; ``g = d (1 - 3 / (4 (n_x + n_y) - 9))``.

    Examples
    --------
    >>> round(hedges_g([1, 2, 3, 4], [2, 3, 4, 5])[0], 4)
    -0.6736
    """
    a, b = (v[~np.isnan(v)] for v in (np.asarray(x, float), np.asarray(y, float)))
    nx, ny = a.size, b.size
    sp = np.sqrt(((nx - 1) * a.var(ddof=1) + (ny - 1) * b.var(ddof=1)) / (nx + ny - 2))
    g = (a.mean() - b.mean()) / sp * (1 - 3 / (4 * (nx + ny) - 9))
    se = np.sqrt((nx + ny) / (nx * ny) + g**2 / (2 * (nx + ny)))
    crit = stats.t.ppf(0.5 + level / 2, nx + ny - 2)
    return float(g), float(g - crit * se), float(g + crit * se)


def d_z(before: Sequence[float], after: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Standardized mean change ``d_z = mean(after - before) / sd(after - before)`` and interval."""
    diff = np.asarray(after, float) - np.asarray(before, float)
    diff = diff[~np.isnan(diff)]
    n = diff.size
    dz = diff.mean() / diff.std(ddof=1)
    se = np.sqrt(1 / n + dz**2 / (2 * n))
    crit = stats.t.ppf(0.5 + level / 2, n - 1)
    return float(dz), float(dz - crit * se), float(dz + crit * se)


def effect_sizes(
    data: pd.DataFrame,
    dv: str,
    design: Design,
    level: float = 0.95,
    basis: pd.Series | str = "data",
    pairwise: bool = False,
) -> pd.DataFrame:
    """Hedges' g of each arm comparison per visit and stratum, and d_z of change per group.

    ``pairwise`` compares every pair of arms, not only each arm with control
    (:meth:`~hiplbp.trial.design.Design.comparisons`).

    ``basis`` labels what each value of ``data`` rests on (see :func:`hiplbp.stats.describe.cell_summary`);
    each row reports the labels of the values it uses.

    Returns
    -------
    DataFrame
        :data:`EFFECT_SIZE_COLUMNS`; ``measure`` is ``hedges_g`` (``comparison`` ``"a - b"``;
        ``arm`` empty, ``n1``/``n2`` the two arms' sizes) or, where the design has a baseline visit, ``d_z``
        (change from baseline to ``visit`` within ``arm``; ``n1`` subjects with both visits).
        Negative values mean lower scores in arm ``a`` of ``a - b`` or after the change.
    """
    strata, time_levels = design.strata, design.time_levels
    data = data.assign(_basis=basis)
    rows = []
    for s, v, (a, b), x, y in arm_samples(data, dv, design.comparisons(pairwise), strata, time_levels):
        g, lo, hi = hedges_g(x, y, level)
        rows.append(
            dict(
                measure="hedges_g",
                visit=v,
                stratum=s,
                arm="",
                comparison=f"{a} - {b}",
                n1=x.size,
                n2=y.size,
                estimate=g,
                ci_low=lo,
                ci_high=hi,
                basis=basis_label(data.loc[x.index.union(y.index), "_basis"]),
            )
        )
    base = design.changes_from
    for s, d in strata_blocks(data, strata) if base is not None else ():
        w = d.pivot_table(index=["subject", "arm"], columns="time", values=dv, aggfunc="first", observed=True)
        w.columns = [str(c) for c in w.columns]
        w = w.reset_index()
        for a in design.arm_levels:
            wa = w[w["arm"] == a]
            for v in design.follow_up:
                pair = wa[[base, str(v)]].dropna()
                dz, lo, hi = d_z(pair.iloc[:, 0], pair.iloc[:, 1], level)
                used = d[(d["arm"] == a) & d["time"].astype(str).isin([base, str(v)])]
                rows.append(
                    dict(
                        measure="d_z",
                        visit=str(v),
                        stratum=s,
                        arm=a,
                        comparison="",
                        n1=len(pair),
                        n2=np.nan,
                        estimate=dz,
                        ci_low=lo,
                        ci_high=hi,
                        basis=basis_label(used["_basis"]),
                    )
                )
    return pd.DataFrame(rows, columns=EFFECT_SIZE_COLUMNS)
