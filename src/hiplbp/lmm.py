"""Linear mixed model on all observed values: random intercept per subject, REML, type III F.

Model: ``y ~ between * time + (1 | subject)`` with sum-to-zero coding, so that subjects with
missing visits still contribute (no listwise deletion, valid under missing at random). Each fixed
term is tested with the Wald F statistic of its coefficients, and its denominator degrees of
freedom come from Satterthwaite's approximation as in R's lmerTest.

For the random-intercept model the covariance of subject ``i``'s ``m_i`` observations is
``sigma^2 (I + lambda J)``; ``sigma^2`` is profiled out of the restricted likelihood and
``lambda = tau^2 / sigma^2`` is found by a bounded one-dimensional search, which reaches the REML
optimum to near machine precision.

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

from .anova import design_matrix

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
    if s.profiled(0.0)[0] <= res.fun:
        lam = 0.0
    _, s2 = s.profiled(lam)
    xwx, xwy, _, _ = s.gls(lam)
    beta = np.linalg.solve(xwx, xwy)
    return dict(beta=beta, cov_beta=s2 * np.linalg.inv(xwx), sigma2=s2, tau2=lam * s2, blocks=s)


def _variance_derivatives(fit: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    """Observed Hessian of the REML deviance and derivatives of cov(beta), in (sigma2, tau2).

    The covariance ``V = sigma2 I + tau2 ZZ'`` is linear in its parameters, so with
    ``P = V^{-1} - V^{-1} X C X' V^{-1}`` and ``V_i = dV/dtheta_i``:

    * ``d2 dev / dtheta_i dtheta_j = -tr(P V_i P V_j) + 2 y' P V_i P V_j P y``;
    * ``dC / dtheta_i = C X' V^{-1} V_i V^{-1} X C``.
    """
    s = fit["blocks"]
    z = np.zeros((s.n, s.size.size))
    z[np.arange(s.n), np.repeat(np.arange(s.size.size), s.size)] = 1.0
    dv = [np.eye(s.n), z @ z.T]
    v = fit["sigma2"] * dv[0] + fit["tau2"] * dv[1]
    vinv = np.linalg.inv(v)
    c = fit["cov_beta"]
    vx = vinv @ s.x
    pm = vinv - vx @ c @ vx.T
    py = pm @ s.y
    pv = [pm @ d for d in dv]
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            hess[i, j] = -np.trace(pv[i] @ pv[j]) + 2.0 * float(py @ dv[i] @ pm @ dv[j] @ py)
    dc = [c @ vx.T @ d @ vx @ c for d in dv]
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
    if q == 1:
        return f, 1, float(nus[0])
    e = float(np.sum(nus[nus > 2] / (nus[nus > 2] - 2)))
    df2 = 2 * e / (e - q) if e > q else np.nan
    return f, q, float(df2)


def lmm_anova(data: pd.DataFrame, dv: str, within: str, subject: str, between: Sequence[str]) -> pd.DataFrame:
    """Type III F tests of a random-intercept LMM on all observed values.

    Parameters
    ----------
    data : DataFrame
        Long table; rows with a missing ``dv`` are ignored (the subject's other visits count).
    dv, within, subject : str
        Outcome, within factor and subject columns.
    between : sequence of str
        Between factors.

    Returns
    -------
    DataFrame
        ``source, F, df1, df2, p, df_method`` for every term of ``between * within`` (R's term
        order: main effects, then interactions by order). ``attrs`` holds ``sigma2``, ``tau2``,
        ``n_obs`` and ``n_subjects``.
    """
    d = data.dropna(subset=[dv])
    factors = list(between) + [within]
    fac = d[factors].astype(str).copy()
    if isinstance(d[within].dtype, pd.CategoricalDtype):
        fac[within] = pd.Categorical(d[within].astype(str), categories=[str(c) for c in d[within].cat.categories])
    x, blocks = design_matrix(fac)
    fit = fit_reml(x, d[dv].to_numpy(float), d[subject].astype(str).to_numpy())
    rows = []
    terms = sorted([t for t in blocks if t], key=lambda t: (len(t), [factors.index(f) for f in t]))
    for t in terms:
        L = np.eye(x.shape[1])[blocks[t]]
        f, df1, df2 = satterthwaite_f(fit, L)
        rows.append(
            dict(source=":".join(t), F=f, df1=df1, df2=df2, p=float(stats.f.sf(f, df1, df2)), df_method=DF_METHOD)
        )
    out = pd.DataFrame(rows, columns=LMM_COLUMNS)
    out.attrs.update(sigma2=fit["sigma2"], tau2=fit["tau2"], n_obs=len(d), n_subjects=d[subject].nunique())
    return out
