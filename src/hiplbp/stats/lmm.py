"""Linear mixed model on all observed values: random intercept per subject, REML, type III F.

Model: ``y ~ covariates + between * time + (1 | subject)`` with sum-to-zero coding, so that subjects with
missing visits still contribute (no listwise deletion, valid under missing at random). Each fixed
term is tested with the Wald F statistic of its coefficients, and its denominator degrees of
freedom come from Satterthwaite's approximation as in R's lmerTest.

For the random-intercept model the covariance of subject ``i``'s ``m_i`` observations is
``sigma^2 (I + lambda J)``; ``sigma^2`` is profiled out of the restricted likelihood and
``lambda = tau^2 / sigma^2`` is found by a bounded one-dimensional search polished by the root of
the deviance's derivative, which reaches the REML optimum to machine precision.

Written here rather than taken from a library because none gives what R users compare with:
statsmodels' ``MixedLM`` fits the same model but has no type III F tests and no Satterthwaite df,
and no Python package reproduces lmerTest's (tested against lmerTest in ``tests/test_lmm.py``).

References
----------
Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest package: tests in linear mixed
effects models. J Stat Softw 82(13). doi:10.18637/jss.v082.i13
Satterthwaite FE (1946). An approximate distribution of estimates of variance components.
Biometrics Bulletin 2:110-114.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .anova import design_matrix, split_covariates

LMM_COLUMNS = ["source", "F", "df1", "df2", "p", "df_method"]
DF_METHOD = "Satterthwaite"


class _Subjects:
    """Per-subject blocks of the data, for closed-form inverses of ``I + lambda J``."""

    def __init__(self, x: np.ndarray, y: np.ndarray, groups: np.ndarray):
        order = np.argsort(groups, kind="stable")
        self.x, self.y, g = x[order], y[order], groups[order]
        _, self.start, self.size = np.unique(g, return_index=True, return_counts=True)
        self.n, self.p = x.shape
        # per-subject sums, so that W^{-1} products cost O(n p^2)
        self.sx = np.add.reduceat(self.x, self.start, axis=0)
        self.sy = np.add.reduceat(self.y, self.start)
        self.xtx = self.x.T @ self.x
        self.xty = self.x.T @ self.y
        self.yty = float(self.y @ self.y)

    def gls(self, lam: float) -> tuple[np.ndarray, np.ndarray, float, float]:
        """``X'W^{-1}X``, ``X'W^{-1}y``, ``y'W^{-1}y`` and ``log|W|`` for ``W = I + lambda J``."""
        c = lam / (1.0 + lam * self.size)  # W_i^{-1} = I - c_i J
        xwx = self.xtx - (self.sx * c[:, None]).T @ self.sx
        xwy = self.xty - (self.sx * c[:, None]).T @ self.sy
        ywy = self.yty - float(np.sum(c * self.sy**2))
        logdet = float(np.sum(np.log1p(lam * self.size)))
        return xwx, xwy, ywy, logdet

    def profiled(self, lam: float) -> tuple[float, float]:
        """Profiled REML deviance at ``lambda`` and the optimal ``sigma^2``."""
        xwx, xwy, ywy, logdet = self.gls(lam)
        beta = np.linalg.solve(xwx, xwy)
        rss = ywy - float(xwy @ beta)
        s2 = rss / (self.n - self.p)
        sign, ld = np.linalg.slogdet(xwx)
        return (self.n - self.p) * np.log(s2) + logdet + ld, s2

    def gradient(self, lam: float) -> float:
        """Derivative of the profiled REML deviance in ``lambda`` (closed form per subject).

        With ``W_i^{-1} 1 = 1 / (1 + lambda m_i)``: ``d log|W| = sum m_i / (1 + lambda m_i)``,
        ``d log|X'W^{-1}X| = -tr((X'W^{-1}X)^{-1} sum s_i s_i' / (1 + lambda m_i)^2)`` with ``s_i``
        the column sums of ``X`` in subject ``i``, and ``d rss = -sum e_i^2 / (1 + lambda m_i)^2``
        with ``e_i`` the sum of the subject's GLS residuals.
        """
        xwx, xwy, ywy, _ = self.gls(lam)
        beta = np.linalg.solve(xwx, xwy)
        rss = ywy - float(xwy @ beta)
        w = 1.0 / (1.0 + lam * self.size)
        e = self.sy - self.sx @ beta
        d_rss = -float(np.sum((e * w) ** 2))
        d_logdet = float(np.sum(self.size * w))
        sw = self.sx * w[:, None]
        d_ld = -float(np.trace(np.linalg.solve(xwx, sw.T @ sw)))
        return (self.n - self.p) * d_rss / rss + d_logdet + d_ld


def fit_reml(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    """REML fit of ``y = X beta + u_subject + e``.

    Returns
    -------
    dict
        ``beta``, ``cov_beta`` (``(X'V^{-1}X)^{-1}``), ``sigma2`` (residual variance), ``tau2``
        (random-intercept variance) and the fitted ``_Subjects`` blocks.
    """
    s = _Subjects(np.asarray(x, float), np.asarray(y, float), np.asarray(groups))
    # Search log(lambda) on a wide bracket, then polish; lambda = 0 is the boundary.
    res = optimize.minimize_scalar(
        lambda t: s.profiled(np.exp(t))[0],
        bounds=(-20.0, 12.0),
        method="bounded",
        options={"xatol": 1e-12, "maxiter": 500},
    )
    lam = float(np.exp(res.x))
    # The deviance is flat at its minimum, so its values fix lambda only to ~1e-7; the root of its
    # derivative fixes it to machine precision (lme4 with tight tolerances agrees).
    lo_t, hi_t = res.x - 1e-3, res.x + 1e-3
    if s.gradient(np.exp(lo_t)) < 0 < s.gradient(np.exp(hi_t)):
        lam = float(np.exp(optimize.brentq(lambda t: s.gradient(np.exp(t)), lo_t, hi_t, xtol=1e-15, rtol=1e-15)))
    if s.profiled(0.0)[0] <= s.profiled(lam)[0]:
        lam = 0.0
    _, s2 = s.profiled(lam)
    xwx, xwy, _, _ = s.gls(lam)
    beta = np.linalg.solve(xwx, xwy)
    return dict(beta=beta, cov_beta=s2 * np.linalg.inv(xwx), sigma2=s2, tau2=lam * s2, blocks=s)


def _variance_derivatives(fit: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    """Observed Hessian of the REML deviance and derivatives of cov(beta), in (sigma2, tau2).

    The covariance ``V = sigma2 I + tau2 ZZ'`` is linear in its parameters, so with
    ``P = V^{-1} - V^{-1} X C X' V^{-1}`` and ``V_i = dV/dtheta_i`` (``I`` and ``ZZ'``):

    * ``d2 dev / dtheta_i dtheta_j = -tr(P V_i P V_j) + 2 y' P V_i P V_j P y``;
    * ``dC / dtheta_i = C X' V^{-1} V_i V^{-1} X C``.

    Never an ``n x n`` matrix: every matrix involved is block diagonal with one block per subject
    of the form ``alpha I + beta J`` (``V_i^{-1} = (I - c_i J) / sigma2``,
    ``c_i = tau2 / (sigma2 + m_i tau2)``), a family closed under products whose trace is
    ``m (alpha + beta)``. With ``Q = V^{-1} X`` (row by row) and ``r = P y = V^{-1} (y - X beta)``,

    * ``tr(P A P B) = tr(V^{-1} A V^{-1} B) - 2 tr(C Q' B V^{-1} A Q) + tr(C Q'AQ C Q'BQ)``,
    * ``y' P A P B P y = (A r)' V^{-1} (B r) - (Q' A r)' C (Q' B r)``,
    * ``Q' (alpha I + beta J) Q = sum_i alpha_i Q_i'Q_i + beta_i q_i q_i'`` (``q_i`` the column
      sums of ``Q_i``),

    so the cost is ``O(n p^2)`` in time and ``O(n p)`` in memory.
    """
    s = fit["blocks"]
    s2, t2 = fit["sigma2"], fit["tau2"]
    m = s.size.astype(float)
    subject = np.repeat(np.arange(m.size), s.size)
    c = t2 / (s2 + m * t2)
    a = 1.0 / s2
    cov = fit["cov_beta"]
    q = a * (s.x - c[subject, None] * s.sx[subject])  # V^{-1} X, row by row
    qs = np.add.reduceat(q, s.start, axis=0)  # column sums of Q_i
    beta = fit["beta"]
    e = s.y - s.x @ beta
    es = np.add.reduceat(e, s.start)
    r = a * (e - c[subject] * es[subject])  # P y = V^{-1} (y - X beta)
    # each block matrix as (alpha, beta) per subject: I, J and V^{-1}
    eye, jay = (np.ones_like(m), np.zeros_like(m)), (np.zeros_like(m), np.ones_like(m))
    vinv = (np.full_like(m, a), -a * c)
    mats = [eye, jay]

    def mul(u: tuple[np.ndarray, np.ndarray], v: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return u[0] * v[0], u[0] * v[1] + u[1] * v[0] + m * u[1] * v[1]

    def trace(u: tuple[np.ndarray, np.ndarray]) -> float:
        return float(np.sum(m * (u[0] + u[1])))

    def sandwich(u: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """``Q' U Q`` for a block matrix ``U``."""
        return (q * u[0][subject, None]).T @ q + (qs * u[1][:, None]).T @ qs

    def apply(u: tuple[np.ndarray, np.ndarray], v: np.ndarray) -> np.ndarray:
        """``U v`` for a block matrix ``U`` and a vector ``v``."""
        return u[0][subject] * v + u[1][subject] * np.add.reduceat(v, s.start)[subject]

    qaq = [sandwich(k) for k in mats]
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            first = trace(mul(mul(vinv, mats[i]), mul(vinv, mats[j])))
            cross = float(np.sum(cov * sandwich(mul(mul(mats[j], vinv), mats[i]))))
            last = float(np.sum((cov @ qaq[i]) * (cov @ qaq[j]).T))
            ar, br = apply(mats[i], r), apply(mats[j], r)
            quad = float(ar @ apply(vinv, br)) - float((q.T @ ar) @ cov @ (q.T @ br))
            hess[i, j] = -(first - 2 * cross + last) + 2.0 * quad
    dc = [cov @ k @ cov for k in qaq]
    return hess, dc


def satterthwaite_f(fit: dict, L: np.ndarray) -> tuple[float, float, float]:
    """Wald F of ``L beta = 0`` with Satterthwaite denominator df (lmerTest's method).

    Notes
    -----
    With ``C(theta) = cov(beta)`` and ``A`` the asymptotic covariance of the variance
    parameters (twice the inverse Hessian of the REML deviance), ``L C L' = P D P'`` is
    diagonalised; each direction has ``nu_m = 2 d_m^2 / (g_m' A g_m)``, ``g_m`` the gradient of
    ``p_m' L C(theta) L' p_m``; then ``E = sum nu_m / (nu_m - 2)`` (over ``nu_m > 2``) and
    ``df2 = 2 E / (E - q)`` (Fai & Cornelius 1996). For ``q = 1`` this is the t-test df.
    Derivatives are analytic (:func:`_variance_derivatives`).

    Returns
    -------
    (F, df1, df2)
    """
    s = fit["blocks"]
    beta, cov = fit["beta"], fit["cov_beta"]
    q = L.shape[0]
    lcl = L @ cov @ L.T
    lb = L @ beta
    f = float(lb @ np.linalg.solve(lcl, lb)) / q
    if fit["tau2"] <= 0:
        # boundary: tau2 = 0, the model is an ordinary linear model
        return f, q, float(s.n - s.p)
    hess, dc = _variance_derivatives(fit)
    a = 2.0 * np.linalg.inv(hess)
    d, vec = np.linalg.eigh(lcl)
    nu = []
    for m in range(q):
        lm = vec[:, m] @ L
        g = np.array([float(lm @ dci @ lm) for dci in dc])
        nu.append(2 * d[m] ** 2 / float(g @ a @ g))
    nus = np.array(nu)
    return f, q, satterthwaite_df(nus)


def satterthwaite_df(nu: np.ndarray, tol: float = 1e-8) -> float:
    """Denominator df of a multi-df F from the df of its ``q`` independent t-statistics.

    As lmerTest's ``get_Fstat_ddf``: ``nu`` itself for ``q = 1``; their mean when they are all
    equal (within ``tol``); 2 when any ``nu_m <= 2``; otherwise ``2 E / (E - q)`` with ``E = sum
    nu_m / (nu_m - 2)`` (Fai & Cornelius 1996).

    Examples
    --------
    >>> [satterthwaite_df(np.array(nu)) for nu in ([10.0], [10.0, 10.0], [1.5, 9.0])]
    [10.0, 10.0, 2.0]
    """
    if nu.size == 1:
        return float(nu[0])
    if np.all(np.abs(np.diff(nu)) < tol):
        return float(nu.mean())
    if np.any(nu <= 2):
        return 2.0
    e = float(np.sum(nu / (nu - 2)))
    return 2 * e / (e - nu.size)


def _zapsmall(a: np.ndarray, digits: int = 7) -> np.ndarray:
    """R's ``zapsmall``: round to ``digits`` significant digits of the largest absolute value."""
    mx = float(np.max(np.abs(a))) if a.size else 0.0
    if mx <= 0:
        return a
    return np.round(a, max(0, digits - int(np.ceil(np.log10(mx)))))


def lmertest_type3_contrasts(
    cells: pd.DataFrame, x_cells: np.ndarray, terms: Sequence[tuple[str, ...]]
) -> dict[tuple[str, ...], np.ndarray]:
    """The contrast rows lmerTest's ``anova(type = 3)`` tests, in the parameterisation ``x_cells``.

    The F statistic of a term does not depend on which rows span its hypothesis, but the
    Satterthwaite df of a multi-df term does. To give the df R users see, the rows are built as
    lmerTest 3.1 builds them (``extract_contrasts_type3``): with ``X`` the treatment-coded design
    (first level of each factor as reference) and ``R`` the over-parameterised one (an indicator
    for every level combination of every term), ``L = (X^+ R)'``; then, from the highest-order term
    down, each term's columns are replaced by their residuals on the columns of the terms that
    contain it; the term's rows are the transposed columns, at the rows of ``L`` that are also
    columns of ``X``. Each step is rounded with R's ``zapsmall`` as lmerTest does. The rows are
    mapped to the model's own coding by ``X^+ x_cells`` (the same fitted cell means).

    Parameters
    ----------
    cells : DataFrame
        One row per observed cell, one column per factor, as ordered categoricals or strings (the
        first category is R's reference level; for labels read from a file R orders them
        alphabetically, as ``pd.Categorical`` does).
    x_cells : ndarray
        The model's design matrix at those cells.
    terms : sequence of tuple of str
        The model's terms (no intercept).

    Returns
    -------
    dict
        Term -> rows ``L`` such that the term's hypothesis is ``L beta = 0``.
    """
    factors = list(cells.columns)
    codes = {f: pd.Categorical(cells[f]) for f in factors}
    n = len(cells)

    def columns(term: tuple[str, ...], full: bool) -> np.ndarray:
        out = np.ones((n, 1))
        for f in term:
            cat = codes[f]
            ind = np.eye(len(cat.categories))[cat.codes]
            ind = ind if full else ind[:, 1:]
            # R varies the first factor of a term fastest
            out = (ind[:, :, None] * out[:, None, :]).reshape(n, -1)
        return out

    x_parts, r_parts = [np.ones((n, 1))], [np.ones((n, 1))]
    xmap: dict[tuple[str, ...], list[int]] = {(): [0]}
    rmap: dict[tuple[str, ...], list[int]] = {(): [0]}
    for t in terms:
        xt, rt = columns(t, False), columns(t, True)
        xmap[t] = list(range(sum(p.shape[1] for p in x_parts), sum(p.shape[1] for p in x_parts) + xt.shape[1]))
        rmap[t] = list(range(sum(p.shape[1] for p in r_parts), sum(p.shape[1] for p in r_parts) + rt.shape[1]))
        x_parts.append(xt)
        r_parts.append(rt)
    x, r = np.hstack(x_parts), np.hstack(r_parts)
    ell = _zapsmall((np.linalg.pinv(x) @ r).T)
    for t in sorted(terms, key=len, reverse=True):
        contains = [c for u in terms if set(t) < set(u) for c in xmap[u]]
        if contains:
            cols = np.asarray(xmap[t])
            a, b = ell[:, np.asarray(contains)], ell[:, cols]
            ell[:, cols] = _zapsmall(b - a @ np.linalg.lstsq(a, b, rcond=None)[0])
    # the rows of L at the columns of X: the intercept, then each treatment column of each term,
    # which is the over-parameterised column of the same level combination (all non-reference)
    keep = [0]
    for t in terms:
        sizes = [len(codes[f].categories) for f in t]
        full = np.arange(int(np.prod(sizes))).reshape(sizes[::-1])
        keep += [rmap[t][i] for i in full[tuple(slice(1, None) for _ in sizes)].ravel()]
    ell = ell[keep]
    to_model = np.linalg.pinv(x) @ x_cells
    out = {}
    for t in terms:
        rows = ell[:, np.asarray(xmap[t])].T
        out[t] = rows[np.abs(rows).sum(axis=1) > 1e-8] @ to_model
    return out


def lmm_anova(
    data: pd.DataFrame,
    dv: str,
    within: str | Sequence[str],
    subject: str,
    between: Sequence[str],
    covariates: Sequence[str] = (),
) -> pd.DataFrame:
    """Type III F tests of a random-intercept LMM on all observed values.

    Parameters
    ----------
    data : DataFrame
        Long table; rows with a missing ``dv`` are ignored (the subject's other visits count).
    dv, subject : str
        Outcome and subject columns.
    within : str or sequence of str
        The within factor (the visits), or several crossed (e.g. ``["phase", "hour"]``), as
        ``lmer(y ~ between * phase * hour + (1 | subject))``.
    between : sequence of str
        Between factors.
    covariates : sequence of str
        Subject-level columns entering as fixed effects, before the factors, as
        ``lmer(y ~ age + site + between * within + (1 | subject))``: a numeric one as a slope, a
        categorical one (strings) as a main effect; rows missing one are ignored.

    Returns
    -------
    DataFrame
        ``source, F, df1, df2, p, df_method`` for each covariate, then every term of
        ``between * within`` (R's term order: main effects, then interactions by order). ``attrs``
        holds ``sigma2``, ``tau2``, ``n_obs`` and ``n_subjects``.

    Notes
    -----
    A covariate that does not interact with the factors leaves their type III hypotheses as they
    are (their rows are zero on its slope), and its own hypothesis is its slope, as lmerTest
    tests them.
    """
    covariates = list(covariates)
    d = data.dropna(subset=[dv, *covariates])
    numeric, categorical = split_covariates(d, covariates)
    within = [within] if isinstance(within, str) else list(within)
    factors = list(between) + within
    fac = d[factors].astype(str).copy()
    for w in within:
        if isinstance(d[w].dtype, pd.CategoricalDtype):
            fac[w] = pd.Categorical(d[w].astype(str), categories=[str(c) for c in d[w].cat.categories])
    full = pd.MultiIndex.from_product([pd.Categorical(fac[f]).categories for f in factors], names=factors)
    seen = set(pd.MultiIndex.from_frame(fac.astype(str)).unique())
    empty = [c for c in full if tuple(str(v) for v in c) not in seen]
    if empty:
        cell = ", ".join(f"{f} = {v}" for f, v in zip(factors, empty[0], strict=True))
        raise ValueError(
            f"the mixed model needs an observed {dv} in every cell of {' x '.join(factors)}; "
            f"none in {cell}" + (f" (and {len(empty) - 1} more empty cells)" if len(empty) > 1 else "")
        )
    x_fac, blocks = design_matrix(fac)
    # categorical covariates: main effects before the factors' terms, sum-coded, as R's formula order
    cat = d[categorical].astype(str)
    x_cat, cat_blocks = design_matrix(cat, max_order=1)
    shift = x_cat.shape[1] - 1
    x_fac = np.column_stack([x_fac[:, :1], x_cat[:, 1:], x_fac[:, 1:]])
    blocks = {t: cols for t, cols in cat_blocks.items() if t} | {
        t: [c + shift if c else 0 for c in cols] for t, cols in blocks.items()
    }
    fac = pd.concat([cat, fac], axis=1)
    factors = categorical + factors
    k = len(numeric)
    # the intercept, the slopes, then the factors' columns
    x = np.column_stack([x_fac[:, :1], d[numeric].to_numpy(float), x_fac[:, 1:]])
    fit = fit_reml(x, d[dv].to_numpy(float), d[subject].astype(str).to_numpy())
    # R's term order: by order, then as R numbers a term, the factors' bits (a:b, a:c, b:c, a:d ...)
    terms = sorted([t for t in blocks if t], key=lambda t: (len(t), sum(2 ** factors.index(f) for f in t)))
    cells = fac.drop_duplicates()
    factor_rows = lmertest_type3_contrasts(cells, x_fac[cells.index.map(fac.index.get_loc)], terms)
    contrasts: dict[tuple[str, ...], np.ndarray] = {(c,): np.eye(x.shape[1])[[1 + i]] for i, c in enumerate(numeric)}
    for t in terms:
        rows_ = factor_rows[t]
        contrasts[t] = np.column_stack([rows_[:, :1], np.zeros((len(rows_), k)), rows_[:, 1:]])
    rows = []
    for t, L in contrasts.items():
        f, df1, df2 = satterthwaite_f(fit, L)
        rows.append(
            dict(source=":".join(t), F=f, df1=df1, df2=df2, p=float(stats.f.sf(f, df1, df2)), df_method=DF_METHOD)
        )
    out = pd.DataFrame(rows, columns=LMM_COLUMNS)
    out.attrs.update(sigma2=fit["sigma2"], tau2=fit["tau2"], n_obs=len(d), n_subjects=d[subject].nunique())
    return out
