"""Mixed (split-plot) ANOVA with any number of between factors and one within factor.

pingouin's ``mixed_anova`` takes a single between factor; the trial has two (stratum x arm).
This module computes the univariate split-plot ANOVA the way R's ``afex::aov_ez`` / ``car::Anova``
do, for type II or type III sums of squares with sum-to-zero coding:

* the between-subject part is an OLS model of each subject's scaled total
  ``y0 = sum_t y_t / sqrt(k)`` on the sum-coded full-factorial design;
* the within-subject part is the same multivariate model of ``Z = Y C``, where ``C`` holds
  ``k - 1`` orthonormal contrasts of the visits; each effect's sum of squares is the trace of its
  hypothesis SSP matrix, and its error the trace of the residual SSP matrix ``E``.

Each sum of squares is a difference of residual SSP matrices of two nested models: type III drops
the term's columns from the full model; type II compares the models without and with the term,
both without the terms that contain it (its "relatives"). For the within-subject main effect
(the intercept of ``Z``) type II is therefore ``N zbar zbar'``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

ANOVA_COLUMNS = ["source", "df1", "df2", "F", "p_unc", "eps_gg", "p_gg", "np2"]


def sum_coding(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Sum-to-zero (deviation) coding of a factor, as R's ``contr.sum``.

    Parameters
    ----------
    codes : ndarray of int
        Level index of each observation, ``0 .. n_levels - 1``.
    n_levels : int
        Number of levels.

    Returns
    -------
    ndarray, shape (n, n_levels - 1)
        Column ``j`` is 1 for level ``j``, -1 for the last level, 0 otherwise.

    Examples
    --------
    >>> sum_coding(np.array([0, 1, 2]), 3)
    array([[ 1.,  0.],
           [ 0.,  1.],
           [-1., -1.]])
    """
    x = np.zeros((codes.size, n_levels - 1))
    for j in range(n_levels - 1):
        x[codes == j, j] = 1.0
    x[codes == n_levels - 1, :] = -1.0
    return x


def orthonormal_contrasts(k: int) -> np.ndarray:
    """``k - 1`` orthonormal contrasts of ``k`` repeated measures (columns orthogonal to 1).

    Any orthonormal basis gives the same univariate F tests and epsilons; this one comes from a
    QR decomposition, as the normalized Helmert contrasts.

    Examples
    --------
    >>> c = orthonormal_contrasts(3)
    >>> np.allclose(c.T @ c, np.eye(2)), np.allclose(c.sum(0), 0)
    (True, True)
    """
    if k < 2:
        raise ValueError(f"a within-subject factor needs at least 2 levels, got {k}")
    q = np.linalg.qr(np.column_stack([np.ones(k), np.eye(k)[:, : k - 1]]))[0]
    return q[:, 1:]


def design_matrix(between: pd.DataFrame) -> tuple[np.ndarray, dict[tuple[str, ...], list[int]]]:
    """Sum-coded full-factorial design matrix of the between-subject factors.

    Parameters
    ----------
    between : DataFrame
        One row per subject, one column per between factor (any labels).

    Returns
    -------
    X : ndarray
        Intercept, then main effects, then interactions by increasing order (R's term order).
    blocks : dict
        Term (tuple of factor names; ``()`` is the intercept) -> its column indices in ``X``.
    """
    n = len(between)
    factors = list(between.columns)
    coded = {}
    for f in factors:
        cat = pd.Categorical(between[f])
        coded[f] = sum_coding(np.asarray(cat.codes), len(cat.categories))
    blocks: dict[tuple[str, ...], list[int]] = {}
    parts, start = [], 0
    terms = [()] + [t for r in range(1, len(factors) + 1) for t in itertools.combinations(factors, r)]
    for t in terms:
        b = np.ones((n, 1))
        for f in t:
            b = (b[:, :, None] * coded[f][:, None, :]).reshape(n, -1)
        blocks[t] = list(range(start, start + b.shape[1]))
        start += b.shape[1]
        parts.append(b)
    return np.hstack(parts), blocks


def _residual_ssp(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    if x.shape[1] == 0:
        return z.T @ z
    beta = np.linalg.lstsq(x, z, rcond=None)[0]
    r = z - x @ beta
    return r.T @ r


def _hypothesis_ssp(x, blocks, term, z, ss_type) -> np.ndarray:
    allcols = range(x.shape[1])
    if ss_type == 3:
        reduced = [c for c in allcols if c not in blocks[term]]
        return _residual_ssp(x[:, reduced], z) - _residual_ssp(x, z)
    relatives = [u for u in blocks if set(term) < set(u)]
    drop_b = {c for u in relatives for c in blocks[u]}
    drop_a = drop_b | set(blocks[term])
    xa = x[:, [c for c in allcols if c not in drop_a]]
    xb = x[:, [c for c in allcols if c not in drop_b]]
    return _residual_ssp(xa, z) - _residual_ssp(xb, z)


def gg_epsilon(error_ssp: np.ndarray) -> float:
    """Greenhouse-Geisser epsilon from the residual SSP matrix of orthonormal contrasts.

    Notes
    -----
    ``eps = tr(E)^2 / (p tr(E^2))`` with ``p = k - 1`` (Greenhouse & Geisser 1959); 1 when
    ``p == 1``. The estimate is the same with the covariance matrix instead of the SSP matrix.
    """
    p = error_ssp.shape[0]
    return float(np.trace(error_ssp) ** 2 / (p * np.trace(error_ssp @ error_ssp)))


def wide_complete(data: pd.DataFrame, dv: str, within: str, subject: str,
                  between: Sequence[str]) -> tuple[pd.DataFrame, list]:
    """Pivot long data to one row per subject and keep subjects observed at every visit.

    Returns
    -------
    wide : DataFrame
        Index ``subject``; the between factors, then one column per visit (in the order of the
        categorical ``within`` column if it is one, else sorted).
    excluded : list
        Subjects dropped because at least one visit is missing.
    """
    levels = (list(data[within].cat.categories) if isinstance(data[within].dtype, pd.CategoricalDtype)
              else sorted(data[within].unique()))
    factors = data.groupby(subject, sort=True, observed=True)[list(between)].first()
    y = data.pivot_table(index=subject, columns=within, values=dv, aggfunc="first", observed=False,
                         dropna=False).reindex(index=factors.index, columns=levels)
    y.columns = [str(c) for c in y.columns]
    wide = pd.concat([factors, y], axis=1)
    complete = y.notna().all(axis=1)
    return wide[complete], list(wide.index[~complete])


def mixed_anova(data: pd.DataFrame, dv: str, within: str, subject: str,
                between: Sequence[str], ss_type: int = 3) -> pd.DataFrame:
    """Split-plot ANOVA: between factors x one within factor, on complete cases.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per subject x level of ``within``.
    dv : str
        Dependent variable.
    within : str
        Within-subject factor (e.g. ``time``).
    subject : str
        Subject identifier.
    between : sequence of str
        Between-subject factors (one or more), crossed in a full factorial.
    ss_type : {2, 3}
        Type of sums of squares; type III uses sum-to-zero contrasts.

    Returns
    -------
    DataFrame
        Columns ``source, df1, df2, F, p_unc, eps_gg, p_gg, np2``: every between term (main
        effects then interactions), then ``within`` and its interaction with each between term.
        ``eps_gg`` is NaN for between-subject sources (no correction applies), and
        ``p_gg == p_unc`` there. ``np2`` is partial eta squared ``SS / (SS + SS_error)``.
        ``attrs`` holds ``n`` (subjects analysed) and ``excluded`` (incomplete subjects).

    Notes
    -----
    With ``k`` visits and a between term of ``q`` degrees of freedom, the within-subject
    interaction has ``df1 = q (k - 1)`` and ``df2 = (N - g)(k - 1)`` where ``g`` is the number of
    between cells. ``p_gg`` uses both df multiplied by the Greenhouse-Geisser epsilon.

    References
    ----------
    Greenhouse SW, Geisser S (1959). On methods in the analysis of profile data.
    Psychometrika 24:95-112.
    Fox J, Weisberg S (2019). An R Companion to Applied Regression, 3rd ed. (car::Anova).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"s": np.repeat(np.arange(8), 3), "g": np.repeat(list("aabbaabb"), 3),
    ...                   "t": np.tile(["t0", "t1", "t2"], 8), "y": rng.normal(size=24)})
    >>> mixed_anova(d, "y", "t", "s", ["g"]).source.tolist()
    ['g', 't', 'g:t']
    """
    if ss_type not in (2, 3):
        raise ValueError(f"ss_type must be 2 or 3, got {ss_type!r}")
    between = list(between)
    if not between:
        raise ValueError("mixed_anova needs at least one between-subject factor")
    wide, excluded = wide_complete(data, dv, within, subject, between)
    y = wide.drop(columns=between).to_numpy(float)
    n, k = y.shape
    x, blocks = design_matrix(wide[between])
    cells = wide[between].drop_duplicates().shape[0]
    expected_cells = int(np.prod([wide[f].nunique() for f in between]))
    if cells < expected_cells or np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError(f"every combination of {between} needs at least one complete subject "
                         f"({cells} of {expected_cells} cells observed)")
    df_err = n - x.shape[1]
    if df_err < 1:
        raise ValueError(f"too few complete subjects ({n}) for {x.shape[1]} between-subject cells")
    rows = []
    parts = [(y.sum(axis=1, keepdims=True) / np.sqrt(k), False)]
    parts.append((y @ orthonormal_contrasts(k), True))
    for z, is_within in parts:
        err = _residual_ssp(x, z)
        p = z.shape[1]
        eps = gg_epsilon(err) if is_within else np.nan
        sse = float(np.trace(err))
        for term in blocks:
            if term == () and not is_within:
                continue  # the grand mean of the subject totals is not a hypothesis of interest
            ss = float(np.trace(_hypothesis_ssp(x, blocks, term, z, ss_type)))
            q = len(blocks[term])
            df1, df2 = q * p, df_err * p
            f = (ss / df1) / (sse / df2)
            p_unc = float(stats.f.sf(f, df1, df2))
            p_gg = float(stats.f.sf(f, df1 * eps, df2 * eps)) if is_within else p_unc
            source = ":".join(list(term) + ([within] if is_within else []))
            rows.append((source, df1, df2, f, p_unc, eps, p_gg, ss / (ss + sse)))
    out = pd.DataFrame(rows, columns=ANOVA_COLUMNS)
    out[["df1", "df2"]] = out[["df1", "df2"]].astype(int)
    out.attrs.update(n=n, excluded=excluded)
    return out
