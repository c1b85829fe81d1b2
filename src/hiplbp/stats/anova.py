"""Mixed (split-plot) ANOVA with any number of between factors and one or more within factors.

pingouin's ``mixed_anova`` takes a single between factor; the trial has two (stratum x arm), and no
Python library gives the type II/III mixed ANOVA with Greenhouse-Geisser and Huynh-Feldt
corrections and Mauchly's test for that design as R's car/afex do; so it is written here and
tested against afex (``tests/test_anova.py``), and against pingouin where pingouin applies.
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
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: The stable contract of ``rm_anova_<outcome>.csv``.
ANOVA_COLUMNS = ["source", "df1", "df2", "F", "p_unc", "eps_gg", "p_gg", "np2"]
#: Everything :func:`mixed_anova` returns (``rm_anova_detail_<outcome>.csv``).
DETAIL_COLUMNS = ANOVA_COLUMNS + [
    "ss",
    "ss_error",
    "eps_hf",
    "p_hf",
    "ges",
    "mauchly_w",
    "mauchly_chi2",
    "mauchly_df",
    "mauchly_p",
    "ss_type",
]


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


def design_matrix(
    between: pd.DataFrame, max_order: int | None = None
) -> tuple[np.ndarray, dict[tuple[str, ...], list[int]]]:
    """Sum-coded full-factorial design matrix of the between-subject factors.

    Parameters
    ----------
    between : DataFrame
        One row per subject, one column per between factor (any labels).
    max_order : int, optional
        The highest order of interaction kept (``1``: main effects only); all of them by default.

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
    top = len(factors) if max_order is None else min(max_order, len(factors))
    terms = [()] + [t for r in range(1, top + 1) for t in itertools.combinations(factors, r)]
    for t in terms:
        b = np.ones((n, 1))
        for f in t:
            b = (b[:, :, None] * coded[f][:, None, :]).reshape(n, -1)
        blocks[t] = list(range(start, start + b.shape[1]))
        start += b.shape[1]
        parts.append(b)
    return np.hstack(parts), blocks


def is_categorical(column: pd.Series) -> bool:
    """Whether a covariate enters a model as a factor (its levels sum-coded, one term of several df)
    rather than as a slope: any column that is not numeric (strings, categoricals, booleans), as
    R's model formulas decide."""
    return not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def split_covariates(data: pd.DataFrame, covariates: Sequence[str]) -> tuple[list[str], list[str]]:
    """The numeric covariates (slopes) and the categorical ones (factors), each in the given order."""
    numeric = [c for c in covariates if not is_categorical(data[c])]
    return numeric, [c for c in covariates if c not in numeric]


def _residual_ssp(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    if x.shape[1] == 0:
        return z.T @ z
    beta = np.linalg.lstsq(x, z, rcond=None)[0]
    r = z - x @ beta
    return r.T @ r


def _hypothesis_ssp(
    x: np.ndarray, blocks: Mapping[tuple[str, ...], list[int]], term: tuple[str, ...], z: np.ndarray, ss_type: int
) -> np.ndarray:
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


def hf_epsilon(eps_gg: float, p: int, df_error: int) -> float:
    """Huynh-Feldt epsilon with Lecoutre's correction, as R's car and afex report it.

    Notes
    -----
    ``eps_HF = ((df_e + 1) p eps_GG - 2) / (p (df_e - p eps_GG))`` with ``p = k - 1`` and
    ``df_e = N - g`` the between-subject error df (Huynh & Feldt 1976 with Lecoutre's 1991
    replacement of ``N`` by ``N - g + 1``). It can exceed 1; p values use ``min(1, eps_HF)``.

    References
    ----------
    Huynh H, Feldt LS (1976). J Educ Stat 1:69-82. Lecoutre B (1991). J Educ Stat 16:371-372.
    """
    return float(((df_error + 1) * p * eps_gg - 2) / (p * (df_error - p * eps_gg)))


def mauchly(error_ssp: np.ndarray, df_error: int, n_measures: int | None = None) -> tuple[float, float, int, float]:
    """Mauchly's test of sphericity on the residual SSP matrix of orthonormal contrasts.

    Notes
    -----
    As R's ``mauchly.test`` (and car's, which afex prints): ``W = det(S) / (tr(S) / p)^p``,
    ``rho = 1 - (2p^2 + p + 2) / (6 p n)`` with ``n`` the error df and ``p = k - 1`` contrasts,
    ``z = -n rho log W`` on ``f = p (p + 1) / 2 - 1`` df, and the second-order term of Anderson
    (1958): ``P = P1 + w2 (P2 - P1)`` with ``P1`` and ``P2`` the chi-square tails on ``f`` and
    ``f + 4`` df. R writes ``w2 = (p + 2)(p - 1)(p - 2)(2p^3 + 6p^2 + 3k + 2) / (288 (n p rho)^2)``
    with ``k`` the number of repeated measures (``n_measures``: the levels of one within factor,
    all level combinations of several; by default ``p + 1``) where the textbook has ``3p``; the
    two agree at three levels and differ slightly from four on. R's form is used, so that users
    see R's p value.

    Returns
    -------
    (W, chi2, df, p); NaN statistics and p = 1 when ``p == 1`` (sphericity holds trivially).
    """
    p = error_ssp.shape[0]
    if p == 1:
        return 1.0, np.nan, 0, 1.0
    n = df_error
    u = error_ssp / n
    logw = float(np.linalg.slogdet(u)[1] - p * np.log(np.trace(u) / p))
    rho = 1 - (2 * p**2 + p + 2) / (6 * p * n)
    k = p + 1 if n_measures is None else n_measures
    w2 = (p + 2) * (p - 1) * (p - 2) * (2 * p**3 + 6 * p**2 + 3 * k + 2) / (288 * (n * p * rho) ** 2)
    z = -n * rho * logw
    f = p * (p + 1) // 2 - 1
    p1, p2 = stats.chi2.sf(z, f), stats.chi2.sf(z, f + 4)
    return float(np.exp(logw)), float(z), int(f), float(p1 + w2 * (p2 - p1))


def gg_epsilon(error_ssp: np.ndarray) -> float:
    """Greenhouse-Geisser epsilon from the residual SSP matrix of orthonormal contrasts.

    Notes
    -----
    ``eps = tr(E)^2 / (p tr(E^2))`` with ``p = k - 1`` (Greenhouse & Geisser 1959); 1 when
    ``p == 1``. The estimate is the same with the covariance matrix instead of the SSP matrix.
    """
    p = error_ssp.shape[0]
    return float(np.trace(error_ssp) ** 2 / (p * np.trace(error_ssp @ error_ssp)))


def _levels(data: pd.DataFrame, within: str) -> list:
    """The levels of a within factor: its categories' order if categorical, else sorted."""
    if isinstance(data[within].dtype, pd.CategoricalDtype):
        return list(data[within].cat.categories)
    return sorted(data[within].unique())


def wide_complete(
    data: pd.DataFrame, dv: str, within: str | Sequence[str], subject: str, between: Sequence[str]
) -> tuple[pd.DataFrame, list]:
    """Pivot long data to one row per subject and keep subjects observed at every visit.

    Returns
    -------
    wide : DataFrame
        Index ``subject``; the between factors, then one column per visit (in the order of the
        categorical ``within`` column if it is one, else sorted). With several within factors,
        one column per combination, ``"a.b"``, the first factor varying slowest.
    excluded : list
        Subjects dropped because at least one visit is missing.
    """
    factors = [within] if isinstance(within, str) else list(within)
    columns = pd.MultiIndex.from_product([_levels(data, f) for f in factors], names=factors)
    subjects = data.groupby(subject, sort=True, observed=True)[list(between)].first()
    y = data.pivot_table(index=subject, columns=factors, values=dv, aggfunc="first", observed=False, dropna=False)
    y = y.reindex(index=subjects.index, columns=columns if len(factors) > 1 else columns.get_level_values(0))
    y.columns = [".".join(str(v) for v in c) if isinstance(c, tuple) else str(c) for c in y.columns]
    wide = pd.concat([subjects, y], axis=1)
    complete = y.notna().all(axis=1)
    return wide[complete], list(wide.index[~complete])


def _between_design(wide: pd.DataFrame, between: list[str], n: int) -> tuple[np.ndarray, dict]:
    """The between-subject design matrix and its term blocks; every cell needs a complete subject."""
    if not between:
        return np.ones((n, 1)), {(): [0]}
    x, blocks = design_matrix(wide[between])
    cells = wide[between].drop_duplicates().shape[0]
    expected_cells = int(np.prod([wide[f].nunique() for f in between]))
    if cells < expected_cells or np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError(
            f"every combination of {between} needs at least one complete subject "
            f"({cells} of {expected_cells} cells observed)"
        )
    return x, blocks


def _stratum(
    x: np.ndarray, blocks: dict, z: np.ndarray, is_within: bool, df_err: int, ss_type: int, n_measures: int
) -> tuple[list[dict], float]:
    """The rows of one error stratum (subject totals, or the within contrasts ``z``) and its error SS."""
    err = _residual_ssp(x, z)
    mdf: float  # Mauchly's df: an int, NaN for the between-subject stratum
    if is_within:
        eps = gg_epsilon(err)
        eps_hf = hf_epsilon(eps, z.shape[1], df_err)
        w, chi2, mdf, mp = mauchly(err, df_err, n_measures)
    else:
        eps = eps_hf = w = chi2 = mdf = mp = np.nan
    sse = float(np.trace(err))
    rows = []
    for term in blocks:
        if term == () and not is_within:
            continue  # the grand mean of the subject totals is not a hypothesis of interest
        ss = float(np.trace(_hypothesis_ssp(x, blocks, term, z, ss_type)))
        df1, df2 = len(blocks[term]) * z.shape[1], df_err * z.shape[1]
        f = (ss / df1) / (sse / df2)
        p_unc = float(stats.f.sf(f, df1, df2))
        if is_within:
            p_gg = float(stats.f.sf(f, df1 * eps, df2 * eps))
            e = min(1.0, eps_hf)
            p_hf = float(stats.f.sf(f, df1 * e, df2 * e))
        else:
            p_gg = p_hf = p_unc
        row = {"source": "", "df1": df1, "df2": df2, "F": f, "p_unc": p_unc, "eps_gg": eps, "p_gg": p_gg}
        row |= {"np2": ss / (ss + sse), "ss": ss, "ss_error": sse, "eps_hf": eps_hf, "p_hf": p_hf, "ges": np.nan}
        row |= {"mauchly_w": w, "mauchly_chi2": chi2, "mauchly_df": mdf, "mauchly_p": mp}
        rows.append(row | {"ss_type": ss_type, "_term": term})
    return rows, sse


def mixed_anova(
    data: pd.DataFrame,
    dv: str,
    within: str | Sequence[str],
    subject: str,
    between: Sequence[str] = (),
    ss_type: int = 3,
    observed: Sequence[str] = (),
) -> pd.DataFrame:
    """Split-plot ANOVA: between factors x one or more within factors, on complete cases.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per subject x level of ``within``.
    dv : str
        Dependent variable.
    within : str or sequence of str
        Within-subject factor (e.g. ``time``), or several, crossed (e.g. ``["phase", "hour"]``):
        each within term is then tested in its own error stratum, with its own Greenhouse-Geisser
        and Huynh-Feldt epsilon and Mauchly's test, as afex and car do.
    subject : str
        Subject identifier.
    between : sequence of str
        Between-subject factors (none, one or more), crossed in a full factorial.
    ss_type : {2, 3}
        Type of sums of squares; type III uses sum-to-zero contrasts.
    observed : sequence of str
        Factors that were measured rather than manipulated (e.g. a clinical classification
        used as a stratum); they change the denominator of generalized eta squared.

    Returns
    -------
    DataFrame
        One row per source: every between term (main effects then interactions), then each within
        term (main effects, then interactions) and its interaction with each between term.
        Columns :data:`DETAIL_COLUMNS`: the contract columns ``source, df1, df2, F, p_unc,
        eps_gg, p_gg, np2`` (``eps_gg`` NaN and ``p_gg == p_unc`` for between-subject sources;
        ``np2 = SS / (SS + SS_error)``), then ``ss, ss_error``, Huynh-Feldt ``eps_hf``
        (Lecoutre) and ``p_hf``, generalized eta squared ``ges``, Mauchly's test (the same for
        every source of one within term) and ``ss_type``.
        ``attrs`` holds ``n`` (subjects analysed) and ``excluded`` (incomplete subjects).

    Notes
    -----
    With ``k`` visits and a between term of ``q`` degrees of freedom, the within-subject
    interaction has ``df1 = q (k - 1)`` and ``df2 = (N - g)(k - 1)`` where ``g`` is the number of
    between cells. ``p_gg`` and ``p_hf`` multiply both df by the epsilon.

    ``ges = SS / (SS + sum of the error SS + SS of every effect involving an observed factor,
    the effect itself excepted)`` (Olejnik & Algina 2003; as ``afex``).

    References
    ----------
    Greenhouse SW, Geisser S (1959). On methods in the analysis of profile data.
    Psychometrika 24:95-112.
    Olejnik S, Algina J (2003). Generalized eta and omega squared statistics. Psychol Methods
    8:434-447.
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
    unknown = set(observed) - set(between)
    if unknown:
        raise ValueError(f"observed factors {sorted(unknown)} are not between factors {between}")
    factors = [within] if isinstance(within, str) else list(within)
    wide, excluded = wide_complete(data, dv, within, subject, between)
    y = wide.drop(columns=between).to_numpy(float)
    n = y.shape[0]
    sizes = [len(_levels(data, f)) for f in factors]
    x, blocks = _between_design(wide, between, n)
    df_err = n - x.shape[1]
    if df_err < 1:
        raise ValueError(f"too few complete subjects ({n}) for {x.shape[1]} between-subject cells")
    rows, error_ss = [], []
    # the subject totals (between-subject stratum), then each within term's orthonormal contrasts
    for term, c in _within_strata(sizes):
        stratum_rows, sse = _stratum(x, blocks, y @ c, bool(term), df_err, ss_type, y.shape[1])
        error_ss.append(sse)
        for row in stratum_rows:
            row["source"] = ":".join(list(row["_term"]) + [factors[i] for i in term])
        rows += stratum_rows
    out = pd.DataFrame(rows)
    is_obs = out["_term"].map(lambda t: any(f in t for f in observed))
    errors = sum(error_ss)  # every stratum's error, as afex's unique(SSE)
    obs_total = float(out.loc[is_obs, "ss"].sum())
    out["ges"] = out["ss"] / (out["ss"] + errors + obs_total - out["ss"].where(is_obs, 0.0))
    out = out.drop(columns="_term")[DETAIL_COLUMNS]
    out[["df1", "df2"]] = out[["df1", "df2"]].astype(int)
    out.attrs.update(n=n, excluded=excluded)
    return out


def _within_strata(sizes: Sequence[int]) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Each error stratum's contrasts of the ``prod(sizes)`` repeated measures (first factor slowest):
    ``()`` the scaled subject total, then every within term (by order, R's term order), the
    Kronecker product of its factors' orthonormal contrasts and the other factors' normalized means."""
    terms = [t for r in range(len(sizes) + 1) for t in itertools.combinations(range(len(sizes)), r)]
    out = []
    for term in terms:
        c = np.ones((1, 1))
        for i, k in enumerate(sizes):
            c = np.kron(c, orthonormal_contrasts(k) if i in term else np.ones((k, 1)) / np.sqrt(k))
        out.append((term, c))
    return out
