"""Mixed model for repeated measures (MMRM): the primary analysis of a trial with drop-out.

Model: ``y_ij = x_ij' beta + e_ij`` for subject ``i`` at visit ``j``, visit a factor, with the
arm x visit interaction, the baseline and covariates as fixed effects (sum-to-zero coding), and
``e_i ~ N(0, Sigma_i)``, ``Sigma_i`` the rows and columns of the visits subject ``i`` was observed at
of a ``t x t`` covariance (:mod:`hiplbp.stats.covariance`: unstructured by default; optionally one per
arm). Every observed value of every subject enters (no imputation, no listwise deletion: valid
under missing at random). Fitted by REML; each contrast's df by Satterthwaite's approximation,
F tests of several df by Fai & Cornelius's (as SAS PROC MIXED ``DDFM=SATTERTHWAITE``, R's
``mmrm`` and lmerTest).

Subjects are grouped by their pattern of observed visits (and covariance group), so every matrix
is ``t x t`` or ``p x p`` and the cost is ``O(subjects)``; no ``n x n`` matrix is ever formed. The
REML deviance, its gradient and its observed Hessian are analytic (``V_a = dV / dtheta_a``,
``P = V^{-1} - V^{-1} X C X' V^{-1}``, ``C = (X' V^{-1} X)^{-1}``):

* ``d dev / d theta_a = tr(P V_a) - y' P V_a P y``;
* ``d2 dev / d theta_a d theta_b = -tr(P V_a P V_b) + tr(P V_ab) + 2 y' P V_a P V_b P y
  - y' P V_ab P y``;
* ``d C / d theta_a = C X' V^{-1} V_a V^{-1} X C``,

and the Satterthwaite df of ``c' beta`` is ``2 (c' C c)^2 / (g' A g)``, ``g_a = c' dC/dtheta_a c``,
``A = 2 H^{-1}`` the asymptotic covariance of ``theta`` (``H`` the Hessian of the deviance).
This is the df of R's ``mmrm`` and SAS, and emmeans' for ``nlme::gls`` when the covariance of
``theta`` it uses is accurate: nlme's ``apVar`` comes from a finite-difference Hessian that can be
a few per cent off, which moves emmeans' df by up to about 1 % (``tests/reference/mmrm.R``).
Kenward-Roger df and the adjusted covariance of the estimates are an option
(:mod:`hiplbp.stats.kenward_roger`).

References
----------
Mallinckrodt CH, Lane PW, Schnell D, Peng Y, Mancuso JP (2008). Recommendations for the primary
analysis of continuous endpoints in longitudinal clinical trials. Drug Inf J 42:303-319.
Fai AH, Cornelius P (1996). Approximate F-tests of multiple degree of freedom hypotheses in
generalized least squares analyses of unbalanced split-plot experiments. J Stat Comput Simul
54:363-378.
Sabanes Bove D et al. (2024). mmrm: Mixed Models for Repeated Measures. R package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from ..trial.design import Design
from .anova import design_matrix, split_covariates
from .covariance import Structure
from .kenward_roger import KenwardRoger, kenward_roger, linear_basis
from .lmm import DF_METHOD, lmertest_type3_contrasts, satterthwaite_df
from .multiplicity import Family


@dataclass
class _Pattern:
    """The subjects of one pattern of observed visits in one covariance group."""

    group: int
    visits: np.ndarray  # indices of the observed visits, ascending
    x: np.ndarray  # (n, m, p)
    y: np.ndarray  # (n, m)


@dataclass
class RemlFit:
    """An MMRM fitted by REML.

    Attributes
    ----------
    beta, cov_beta : ndarray
        Fixed effects and their covariance ``(X' V^{-1} X)^{-1}``.
    theta : ndarray
        Covariance parameters (all groups, concatenated).
    sigma : list of ndarray
        The fitted ``t x t`` covariance of each group.
    deviance : float
        The REML deviance ``-2 log L_R`` without its constant.
    hessian : ndarray
        Its Hessian in ``theta`` at the optimum.
    dcov : ndarray
        ``d cov_beta / d theta_a``, shape ``(q, p, p)``.
    n_obs, n_subjects : int
    converged : bool
    """

    beta: np.ndarray
    cov_beta: np.ndarray
    theta: np.ndarray
    sigma: list[np.ndarray]
    deviance: float
    hessian: np.ndarray
    dcov: np.ndarray
    n_obs: int
    n_subjects: int
    converged: bool
    iterations: int
    extra: dict = field(default_factory=dict)
    #: The df method's name in the tables.
    method: str = DF_METHOD

    @cached_property
    def cov_theta(self) -> np.ndarray:
        """The asymptotic covariance of ``theta``, ``2 H^{-1}`` (once: every df uses it)."""
        return 2.0 * np.linalg.inv(self.hessian)

    def t_df(self, c: np.ndarray) -> float:
        """Satterthwaite df of the estimate ``c' beta``."""
        c = np.asarray(c, float)
        var = float(c @ self.cov_beta @ c)
        g = np.einsum("p,apq,q->a", c, self.dcov, c)
        return float(2.0 * var**2 / (g @ self.cov_theta @ g))

    def f_test(self, L: np.ndarray) -> tuple[float, int, float]:
        """Wald F of ``L beta = 0`` and its Fai-Cornelius denominator df: ``(F, df1, df2)``."""
        L = np.atleast_2d(np.asarray(L, float))
        lcl = L @ self.cov_beta @ L.T
        lb = L @ self.beta
        q = L.shape[0]
        f = float(lb @ np.linalg.solve(lcl, lb)) / q
        d, vec = np.linalg.eigh(lcl)
        nu = np.array([self.t_df(vec[:, m] @ L) for m in range(q)])
        return f, q, satterthwaite_df(nu)


class _Model:
    """The data grouped by pattern, and the REML deviance with its derivatives."""

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        subject: np.ndarray,
        visit: np.ndarray,
        group: np.ndarray,
        structures: Sequence[Structure],
    ):
        self.structures = list(structures)
        self.t = structures[0].t
        self.n, self.p = x.shape
        self.offsets = np.cumsum([0] + [s.n_params for s in structures])
        self.q = int(self.offsets[-1])
        codes, subj = np.unique(subject, return_inverse=True)
        self.n_subjects = len(codes)
        mask = np.zeros(len(codes), np.int64)
        np.bitwise_or.at(mask, subj, np.int64(1) << visit.astype(np.int64))
        sgroup = np.zeros(len(codes), np.int64)
        sgroup[subj] = group
        key = sgroup * (np.int64(1) << self.t) + mask
        order = np.lexsort((visit, subj, key[subj]))
        self.patterns: list[_Pattern] = []
        rkey = key[subj][order]
        bounds = np.flatnonzero(np.diff(rkey)) + 1
        for rows in np.split(order, bounds):
            k = int(key[subj[rows[0]]])
            vis = np.flatnonzero([(k & (1 << j)) for j in range(self.t)])
            m = len(vis)
            self.patterns.append(
                _Pattern(
                    group=k >> self.t,
                    visits=vis,
                    x=x[rows].reshape(-1, m, self.p),
                    y=y[rows].reshape(-1, m),
                )
            )

    def sigmas(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Each group's ``Sigma`` with its derivatives."""
        return [s.matrices(theta[self.offsets[g] : self.offsets[g + 1]]) for g, s in enumerate(self.structures)]

    def solve(self, theta: np.ndarray) -> dict | None:
        """GLS at ``theta``: ``beta``, its covariance ``cov``, the deviance and each pattern's
        ``W = Sigma^{-1}`` and ``W X``; ``None`` where a covariance is not positive definite."""
        mats = self.sigmas(theta)
        xwx = np.zeros((self.p, self.p))
        xwy = np.zeros(self.p)
        ywy, logdet, cache = 0.0, 0.0, []
        for pat in self.patterns:
            try:
                cho = linalg.cho_factor(mats[pat.group][0][np.ix_(pat.visits, pat.visits)], lower=True)
                w = linalg.cho_solve(cho, np.eye(len(pat.visits)))
            except linalg.LinAlgError:
                return None
            w = (w + w.T) / 2
            qx = np.einsum("ij,njp->nip", w, pat.x)  # W X_i per subject
            xwx += np.einsum("nip,niq->pq", pat.x, qx)
            xwy += np.einsum("nip,ni->p", qx, pat.y)
            ywy += float(np.einsum("ni,ij,nj->", pat.y, w, pat.y))
            logdet += len(pat.y) * 2.0 * float(np.sum(np.log(np.diag(cho[0]))))
            cache.append((w, qx))
        try:
            cxx = linalg.cho_factor(xwx, lower=True)
        except linalg.LinAlgError:
            return None
        beta = linalg.cho_solve(cxx, xwy)
        cov = linalg.cho_solve(cxx, np.eye(self.p))
        dev = logdet + 2.0 * float(np.sum(np.log(np.diag(cxx[0])))) + ywy - float(xwy @ beta)
        return dict(deviance=dev, beta=beta, cov=(cov + cov.T) / 2, mats=mats, cache=cache)

    def _sums(self, gls: dict, order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
        """Per covariance group, embedded in ``t x t``: ``sum n W - U - R`` (``U = sum_i Q_i C Q_i'``,
        ``R = sum_i r_i r_i'``, ``Q_i = W X_i``, ``r_i = W (y_i - X_i beta)``) and, for the Hessian,
        ``sum Q_i (x) Q_i`` and ``sum Q_i (x) r_i``; and each pattern's ``(W, U, R)``."""
        t, p, ng = self.t, self.p, len(self.structures)
        gsum = np.zeros((ng, t, t))
        tsum = np.zeros((ng, t, t, p, p)) if order == 2 else np.zeros(0)
        zsum = np.zeros((ng, t, t, p)) if order == 2 else np.zeros(0)
        local = []
        for pat, (w, qx) in zip(self.patterns, gls["cache"], strict=True):
            ix = np.ix_(pat.visits, pat.visits)
            r = np.einsum("ij,nj->ni", w, pat.y - pat.x @ gls["beta"])
            u = np.einsum("nip,pq,njq->ij", qx, gls["cov"], qx)
            rr = r.T @ r
            gsum[pat.group][ix] += len(pat.y) * w - u - rr
            if order == 2:
                tsum[pat.group][ix] += np.einsum("nip,njq->ijpq", qx, qx)
                zsum[pat.group][ix] += np.einsum("nip,nj->ijp", qx, r)
                local.append((w, u, rr))
        return gsum, tsum, zsum, local

    def evaluate(self, theta: np.ndarray, order: int) -> dict:
        """REML deviance at ``theta`` and, for ``order`` 1 or 2, its gradient and Hessian (and
        ``dcov``, the derivatives of ``cov(beta)``)."""
        gls = self.solve(theta)
        if gls is None:
            return dict(deviance=np.inf)
        out = dict(deviance=gls["deviance"], beta=gls["beta"], cov=gls["cov"])
        if order == 0:
            return out
        gsum, tsum, zsum, local = self._sums(gls, order)
        grad = np.zeros(self.q)
        for g, (_, d1, _) in enumerate(gls["mats"]):
            grad[self.offsets[g] : self.offsets[g + 1]] = np.einsum("aij,ij->a", d1, gsum[g])
        out["gradient"] = grad
        if order == 2:
            out["hessian"], out["dcov"] = self._hessian(gls, gsum, tsum, zsum, local)
        return out

    def _hessian(
        self, gls: dict, gsum: np.ndarray, tsum: np.ndarray, zsum: np.ndarray, local: list
    ) -> tuple[np.ndarray, np.ndarray]:
        """The deviance's Hessian and ``d cov(beta) / d theta_a = C M_a C`` (module docstring)."""
        p, cov, mats = self.p, gls["cov"], gls["mats"]
        hess = np.zeros((self.q, self.q))
        m_all = np.zeros((self.q, p, p))  # M_a = sum X_i' W V_a W X_i
        u_all = np.zeros((self.q, p))  # u_a = sum X_i' W V_a r_i
        for g, (_, d1, d2) in enumerate(mats):
            sl = slice(self.offsets[g], self.offsets[g + 1])
            hess[sl, sl] += np.einsum("abij,ij->ab", d2, gsum[g])
            m_all[sl] = np.einsum("aij,ijpq->apq", d1, tsum[g])
            u_all[sl] = np.einsum("aij,ijp->ap", d1, zsum[g])
        for pat, (w, u, rr) in zip(self.patterns, local, strict=True):
            sl = slice(self.offsets[pat.group], self.offsets[pat.group + 1])
            va = mats[pat.group][1][:, pat.visits][:, :, pat.visits]
            aw, wa = va @ w, w @ va
            block = -len(pat.y) * np.einsum("aij,bji->ab", aw, aw)  # tr(W V_a W V_b)
            cross = np.einsum("bik,akj,ij->ab", va, wa, u)  # sum((V_b W V_a) o U)
            quad = np.einsum("aik,bkj,ij->ab", va, wa, rr)  # sum((V_a W V_b) o R)
            hess[sl, sl] += block + cross + cross.T + quad + quad.T
        cm = np.einsum("pq,aqr->apr", cov, m_all)  # C M_a
        hess -= np.einsum("apq,bqp->ab", cm, cm)
        hess -= 2.0 * (u_all @ cov) @ u_all.T
        return (hess + hess.T) / 2, np.einsum("apq,qr->apr", cm, cov)

    def start(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Starting values: each group's covariance of OLS residuals over the pairs of visits
        observed together (the overall residual variance where a visit has no one)."""
        beta0 = np.linalg.lstsq(x, y, rcond=None)[0]
        var = float(np.mean((y - x @ beta0) ** 2))
        theta0 = []
        for g, structure in enumerate(self.structures):
            s, cnt = np.zeros((self.t, self.t)), np.zeros((self.t, self.t))
            for pat in (pat for pat in self.patterns if pat.group == g):
                e = pat.y - pat.x @ beta0
                ix = np.ix_(pat.visits, pat.visits)
                s[ix] += e.T @ e
                cnt[ix] += len(e)
            s = np.where(cnt > 0, s / np.maximum(cnt, 1), 0.0)
            s[np.diag_indices(self.t)] = np.where(np.diag(cnt) > 0, np.diag(s), var)
            theta0.append(structure.start(s))
        return np.concatenate(theta0)


#: The REML fit's optimiser: its gradient tolerance and most steps.
TOLERANCE, MAX_ITERATIONS = 1e-10, 200
#: Convergence: the Newton decrement ``g' H^{-1} g``, the deviance a further Newton step would gain
#: (1e-9: the parameters are within about 3e-5 of their standard errors of the optimum).
DECREMENT = 1e-9


def _decrement(ev: dict) -> float:
    """The Newton decrement at an evaluation; infinite where the Hessian is not positive definite."""
    try:
        cho = linalg.cho_factor(ev["hessian"], lower=True)
    except linalg.LinAlgError:
        return float("inf")
    return float(ev["gradient"] @ linalg.cho_solve(cho, ev["gradient"]))


def _polish(model: _Model, theta: np.ndarray, steps: int = 5) -> tuple[np.ndarray, dict]:
    """Newton steps from the optimiser's end while they lower the deviance: the optimiser's
    gradient test stops short of the optimum where the deviance is large (many subjects)."""
    ev = model.evaluate(theta, 2)
    for _ in range(steps):
        if not np.isfinite(_decrement(ev)) or _decrement(ev) < 1e-14:
            break
        trial = theta - np.linalg.solve(ev["hessian"], ev["gradient"])
        nxt = model.evaluate(trial, 2)
        if not nxt["deviance"] <= ev["deviance"] + 1e-12 * max(1.0, abs(ev["deviance"])):
            break
        theta, ev = trial, nxt
    return theta, ev


def fit_mmrm(
    x: np.ndarray,
    y: np.ndarray,
    subject: np.ndarray,
    visit: np.ndarray,
    structure: str = "unstructured",
    *,
    n_visits: int | None = None,
    group: np.ndarray | None = None,
) -> RemlFit:
    """Fit ``y = X beta + e`` with ``e`` correlated within subject across visits, by REML.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Fixed-effects design (full column rank).
    y : ndarray, shape (n,)
        Observed responses (no missing values: a missing visit is a missing row).
    subject : array, shape (n,)
        Subject of each row.
    visit : ndarray of int, shape (n,)
        Index ``0 .. t - 1`` of each row's visit; at most one row per subject and visit.
    structure : str
        Covariance structure (:data:`hiplbp.stats.covariance.STRUCTURES`).
    n_visits : int, optional
        ``t``; by default ``max(visit) + 1``.
    group : ndarray of int, optional
        Covariance group of each row's subject (``0 .. g - 1``): a separate covariance per group
        (e.g. per arm). One common covariance by default.

    Returns
    -------
    RemlFit
        ``converged`` when the Newton decrement at the end is below :data:`DECREMENT` (and the
        Hessian positive definite).

    Notes
    -----
    Newton's method in a trust region (scipy's ``trust-exact``) with the analytic gradient and
    observed Hessian; it converges quadratically, in 2 to 20 steps here; then up to 5 plain Newton
    steps polish the end.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    visit = np.asarray(visit, np.int64)
    t = int(n_visits if n_visits is not None else visit.max() + 1)
    grp = np.zeros(len(y), np.int64) if group is None else np.asarray(group, np.int64)
    structures = [Structure(structure, t)] * (int(grp.max()) + 1)
    model = _Model(x, y, np.asarray(subject), visit, grp, structures)
    degenerate = ValueError(
        "the REML fit found no positive definite covariance (does the outcome vary at every visit?)"
    )
    try:
        # scipy's stubs do not match callables to minimize's overloads
        result = optimize.minimize(  # type: ignore[call-overload]
            lambda th: float(model.evaluate(th, 0)["deviance"]),
            model.start(x, y),
            jac=lambda th: model.evaluate(th, 1)["gradient"],
            hess=lambda th: model.evaluate(th, 2)["hessian"],
            method="trust-exact",
            options={"gtol": TOLERANCE, "maxiter": MAX_ITERATIONS},
        )
        theta, ev = _polish(model, result.x)
    except (KeyError, np.linalg.LinAlgError):
        raise degenerate from None
    if "hessian" not in ev or not np.isfinite(ev["deviance"]):
        raise degenerate
    return RemlFit(
        beta=ev["beta"],
        cov_beta=ev["cov"],
        theta=theta,
        sigma=[m[0] for m in model.sigmas(theta)],
        deviance=float(ev["deviance"]),
        hessian=ev["hessian"],
        dcov=ev["dcov"],
        n_obs=len(y),
        n_subjects=model.n_subjects,
        converged=_decrement(ev) < DECREMENT,
        iterations=int(result.nit),
        extra=dict(model=model),
    )


MMRM_TERMS_COLUMNS = ["source", "F", "df1", "df2", "p", "df_method"]
MMRM_MEANS_COLUMNS = ["visit", "arm", "emmean", "se", "df", "ci_low", "ci_high"]
MMRM_EFFECT_COLUMNS = [
    "visit",
    "comparison",
    "estimate",
    "se",
    "df",
    "t",
    "ci_low",
    "ci_high",
    "p",
    "p_adj",
    "ci_adj_low",
    "ci_adj_high",
    "adjust",
]
#: The columns of :func:`trial_mmrm`'s comparisons (the strata averaged: ``stratum`` is ``all``).
TRIAL_EFFECT_COLUMNS = [*MMRM_EFFECT_COLUMNS[:2], "stratum", *MMRM_EFFECT_COLUMNS[2:]]
COVARIANCE_COLUMNS = ["group", "visit", "visit2", "value"]


@dataclass(frozen=True)
class MmrmOptions:
    """How an MMRM is specified beyond its data (config ``analysis.mmrm`` and ``analysis``).

    Attributes
    ----------
    covariance : str
        Covariance structure (:data:`hiplbp.stats.covariance.STRUCTURES`).
    by_arm : bool
        A separate covariance for each arm.
    stratum_by_arm : bool
        Strata crossed with arm and visit (``True``) or main effects (``False``).
    level : float
        Confidence level.
    family : Family
        Adjustment of each visit's comparisons; each contrast keeps its own df.
    df : str
        ``satterthwaite`` (each contrast's Satterthwaite df, Fai-Cornelius for F tests) or
        ``kenward_roger`` (the adjusted covariance and Kenward-Roger df,
        :mod:`hiplbp.stats.kenward_roger`; unstructured and compound symmetry).
    """

    covariance: str = "unstructured"
    by_arm: bool = False
    stratum_by_arm: bool = False
    level: float = 0.95
    family: Family = field(default_factory=Family)
    df: str = "satterthwaite"


@dataclass
class MmrmResult:
    """The tables of an MMRM (:func:`mmrm`).

    Attributes
    ----------
    terms : DataFrame
        Type III F tests (:data:`MMRM_TERMS_COLUMNS`): each covariate, then every factor term.
        ``attrs``: ``n_obs``, ``n_subjects``, ``structure``, ``by_arm``, ``converged``.
    contrasts : DataFrame
        Arm comparisons at each visit (:data:`MMRM_EFFECT_COLUMNS`), ``p_adj`` and the ``ci_adj``
        limits adjusted within each visit's family.
    means : DataFrame
        Estimated marginal means of each arm at each visit (:data:`MMRM_MEANS_COLUMNS`), the
        covariates at their mean over the analysed observations and strata weighted equally (as
        ``emmeans``).
    covariance : DataFrame
        The fitted covariance: ``group, visit, visit2, value`` (one group, ``all``, unless it is
        per arm).
    fit : RemlFit
    """

    terms: pd.DataFrame
    contrasts: pd.DataFrame
    means: pd.DataFrame
    covariance: pd.DataFrame
    fit: RemlFit


@dataclass
class _Design:
    """The fixed-effects design of an MMRM: the data's rows and the cells' (for means and contrasts)."""

    data: pd.DataFrame
    levels: dict[str, list[str]]
    factors: list[str]
    x: np.ndarray  # intercept, covariates, factor columns
    x_fac: np.ndarray  # intercept, factor columns
    grid: pd.DataFrame
    x_grid: np.ndarray  # as x, covariates at their mean
    blocks: dict[tuple[str, ...], list[int]]

    def categorical(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``'s factor columns as categoricals in the design's levels."""
        return pd.DataFrame({f: pd.Categorical(frame[f].astype(str), categories=self.levels[f]) for f in self.factors})

    def cell(self, arm: str, visit: str) -> np.ndarray:
        """Design row of arm x visit, averaged over the strata with equal weights."""
        g = self.grid
        return self.x_grid[((g["arm"] == arm) & (g[self.factors[-1]] == visit)).to_numpy()].mean(axis=0)


def _levels(data: pd.DataFrame, d: pd.DataFrame, column: str, keep: Sequence[str] | None = None) -> list[str]:
    """A factor's levels in the data's categorical order (else sorted, or ``keep``'s order): those
    observed, or (``keep``) exactly those of ``keep``, observed or not, so that an empty cell is named."""
    if isinstance(data[column].dtype, pd.CategoricalDtype):
        order = [str(v) for v in data[column].cat.categories]
        order += [v for v in (keep or []) if v not in order]
    else:
        order = list(keep) if keep is not None else sorted(set(d[column].astype(str)))
    if keep is not None:
        return [v for v in order if v in keep]
    present = set(d[column].astype(str))
    return [v for v in order if v in present]


def _design(
    data: pd.DataFrame, dv: str, arms: Sequence[str], visit: str, strata: Sequence[str], covariates: Sequence[str],
    stratum_by_arm: bool,
) -> _Design:  # fmt: skip
    """The rows with an outcome and every covariate, the model's design and the cells' design rows."""
    d = data.dropna(subset=[dv, *covariates])
    numeric, categorical = split_covariates(d, covariates)
    levels = {f: sorted(d[f].astype(str).unique()) for f in [*strata, *categorical]}
    levels["arm"] = _levels(data, d, "arm", keep=[str(a) for a in arms])
    levels[visit] = _levels(data, d, visit)
    d = d[d["arm"].astype(str).isin(levels["arm"])]
    seen = set(zip(d["arm"].astype(str), d[visit].astype(str), strict=True))
    empty = [(a, v) for a in levels["arm"] for v in levels[visit] if (a, v) not in seen]
    if empty:
        raise ValueError(
            f"the MMRM needs an observed {dv} in every cell of arm x visit; "
            f"none in arm = {empty[0][0]}, visit = {empty[0][1]}"
        )
    # categorical covariates (and strata unless crossed) are main effects; the rest crossed
    factors = [*strata, *categorical, "arm", visit]
    main = [*categorical, *([] if stratum_by_arm else strata)]
    crossed = [f for f in factors if f not in main]
    grid = pd.MultiIndex.from_product([levels[f] for f in factors], names=factors).to_frame(index=False)
    frame = _Design(d, levels, factors, np.zeros(0), np.zeros(0), grid, np.zeros(0), {})
    both = pd.concat([frame.categorical(d), frame.categorical(grid)], ignore_index=True)
    x_all, blocks = design_matrix(both[crossed])
    if main:
        x_main, b_main = design_matrix(both[main], max_order=1)
        x_all = np.column_stack([x_all, x_main[:, 1:]])
        blocks = blocks | {t: [c + x_all.shape[1] - x_main.shape[1] for c in cols] for t, cols in b_main.items() if t}
    n, values = len(d), d[numeric].to_numpy(float)
    # a factor with one level (a single visit) has no columns and no test
    frame.x_fac, frame.blocks = x_all[:n], {t: cols for t, cols in blocks.items() if cols}
    frame.x = np.column_stack([x_all[:n, :1], values, x_all[:n, 1:]])
    means = np.tile(values.mean(axis=0), (len(grid), 1))
    frame.x_grid = np.column_stack([x_all[n:, :1], means, x_all[n:, 1:]])
    if np.linalg.matrix_rank(frame.x) < frame.x.shape[1]:
        raise ValueError(f"the MMRM of {dv}: the design is not of full rank (a covariate constant or collinear?)")
    return frame


def _type3(fit: RemlFit | KenwardRoger, design: _Design, covariates: Sequence[str]) -> pd.DataFrame:
    """Type III F tests: each slope, then each factor term, categorical covariates first (lmerTest's
    rows, in this coding)."""
    covariates = split_covariates(design.data, covariates)[0]

    order = {f: i for i, f in enumerate(design.factors)}
    terms = sorted([t for t in design.blocks if t], key=lambda t: (len(t), [order[f] for f in t]))
    cells = design.categorical(design.data).reset_index(drop=True).drop_duplicates()
    by_term = lmertest_type3_contrasts(cells, design.x_fac[cells.index.to_numpy()], terms)
    k, p = len(covariates), design.x.shape[1]
    tests = {c: np.eye(p)[[1 + i]] for i, c in enumerate(covariates)}
    for t in terms:
        r = by_term[t]
        tests[":".join(t)] = np.column_stack([r[:, :1], np.zeros((len(r), k)), r[:, 1:]])
    rows = []
    for name, L in tests.items():
        f, df1, df2 = fit.f_test(L)
        rows.append(dict(source=name, F=f, df1=df1, df2=df2, p=float(stats.f.sf(f, df1, df2)), df_method=fit.method))
    return pd.DataFrame(rows, columns=MMRM_TERMS_COLUMNS)


def _estimates(
    fit: RemlFit | KenwardRoger, design: _Design, comparisons: Sequence[tuple[str, str]], options: MmrmOptions
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The means of each arm at each visit and the arm comparisons, each with its own df."""
    means, effects = [], []
    visit = design.factors[-1]
    for v in design.levels[visit]:
        for a in design.levels["arm"]:
            c = design.cell(a, v)
            est, se, df = float(c @ fit.beta), float(np.sqrt(c @ fit.cov_beta @ c)), fit.t_df(c)
            half = float(stats.t.ppf(0.5 + options.level / 2, df)) * se
            means.append(dict(visit=v, arm=a, emmean=est, se=se, df=df, ci_low=est - half, ci_high=est + half))
        L = np.array([design.cell(a, v) - design.cell(b, v) for a, b in comparisons])
        dfs = np.array([fit.t_df(row) for row in L])
        rows = options.family.rows(comparisons, L @ fit.beta, L @ fit.cov_beta @ L.T, dfs, options.level)
        effects += [{"visit": v} | row for row in rows]
    contrasts = pd.DataFrame(effects).rename(columns={"p_unc": "p"})[MMRM_EFFECT_COLUMNS]
    return pd.DataFrame(means, columns=MMRM_MEANS_COLUMNS), contrasts


def mmrm(
    data: pd.DataFrame,
    dv: str,
    comparisons: Sequence[tuple[str, str]],
    *,
    visit: str = "time",
    strata: Sequence[str] = (),
    covariates: Sequence[str] = (),
    options: MmrmOptions | None = None,
) -> MmrmResult:
    """Fit the MMRM ``dv ~ covariates + strata + arm * visit`` and test and compare its arms.

    Parameters
    ----------
    data : DataFrame
        Long table, one row per subject (column ``subject``) and visit, the arm in ``arm``; rows
        with a missing ``dv`` are the visits the subject missed (the others count). Subjects
        missing a covariate are left out.
    dv : str
        Outcome.
    comparisons : sequence of (str, str)
        Arm comparisons ``a - b`` made at each visit (the arms compared are the model's arms).
    visit : str
        Visit column; as an ordered categorical it keeps its order (AR(1) needs it), otherwise
        the visits are sorted. The arms keep the data's categorical order too.
    strata : sequence of str
        Stratification factors: main effects, or crossed with arm and visit
        (``options.stratum_by_arm``).
    covariates : sequence of str
        Subject-level columns (the baseline among them): a numeric one as a slope, a categorical
        one (strings) as a main effect, sum-coded (means average over its levels equally).
    options : MmrmOptions
        Covariance structure, per-arm covariance, strata, confidence level and multiplicity.

    Returns
    -------
    MmrmResult

    Raises
    ------
    ValueError
        A cell of arm x visit without an observation, or a design that is not of full rank.
    """
    options = options or MmrmOptions()
    if options.df == "kenward_roger":
        linear_basis(options.covariance, 2)  # a structure it cannot take fails before the fit
    arms = list(dict.fromkeys(str(a) for pair in comparisons for a in pair))
    design = _design(data, dv, arms, visit, strata, covariates, options.stratum_by_arm)
    d, levels = design.data, design.levels
    spread = d.groupby(d[visit].astype(str))[dv].agg(lambda v: float(np.ptp(v.to_numpy(float))))
    if (spread == 0).any():
        flat = spread.index[spread == 0][0]
        raise ValueError(
            f"the MMRM of {dv}: every observed value at visit {flat} is the same (SD 0): no covariance to fit"
        )
    fit = fit_mmrm(
        design.x,
        d[dv].to_numpy(float),
        d["subject"].astype(str).to_numpy(),
        pd.Categorical(d[visit].astype(str), categories=levels[visit]).codes,
        options.covariance,
        n_visits=len(levels[visit]),
        group=pd.Categorical(d["arm"].astype(str), categories=levels["arm"]).codes if options.by_arm else None,
    )
    inference = kenward_roger(fit, options.covariance) if options.df == "kenward_roger" else fit
    terms = _type3(inference, design, covariates)
    terms.attrs.update(
        n_obs=fit.n_obs,
        n_subjects=fit.n_subjects,
        structure=options.covariance,
        by_arm=options.by_arm,
        converged=fit.converged,
    )
    means, contrasts = _estimates(inference, design, comparisons, options)
    names = levels["arm"] if options.by_arm else ["all"]
    covariance = pd.DataFrame(
        [
            dict(group=names[g], visit=levels[visit][i], visit2=levels[visit][j], value=float(s[i, j]))
            for g, s in enumerate(fit.sigma)
            for i in range(len(s))
            for j in range(len(s))
        ],
        columns=COVARIANCE_COLUMNS,
    )
    return MmrmResult(terms=terms, contrasts=contrasts, means=means, covariance=covariance, fit=fit)


def trial_mmrm(
    data: pd.DataFrame, dv: str, design: Design, *, covariates: Sequence[str] = (), options: MmrmOptions | None = None
) -> MmrmResult:
    """:func:`mmrm` of a trial's canonical long table, as its design says.

    The baseline enters as the covariate ``baseline``: a baseline visit's value (that visit then
    leaves the responses, so every later visit is one), or a baseline column; with
    ``design.baseline: none`` there is none. The strata enter as main effects, or crossed with arm
    and visit (``options.stratum_by_arm``); each arm is compared with control, or every pair
    (``options.family``). Subjects without a baseline or a covariate value are left out
    (``terms.attrs['n_left_out']``); the contrasts' ``stratum`` is ``all``.
    """
    options = options or MmrmOptions()
    d = data.copy()
    extra: list[str] = []
    if design.baseline_kind == "visit":
        at_baseline = d["time"].astype(str) == design.baseline_visit
        base = d[at_baseline].groupby("subject", observed=True)[dv].first()
        d = d[~at_baseline]
        d["baseline"] = d["subject"].map(base)
        extra = ["baseline"]
    elif design.baseline_kind == "column":
        d["baseline"] = d[str(design.baseline)]
        extra = ["baseline"]
    d["time"] = pd.Categorical(d["time"].astype(str), categories=design.follow_up)
    # the control first, R's reference level (as relevel(arm, control)): the type III rows, and so
    # the Fai-Cornelius df of the arm terms, are those of that coding
    d["arm"] = pd.Categorical(d["arm"].astype(str), categories=[design.control, *design.treatments])
    columns = [*extra, *covariates]
    res = mmrm(
        d,
        dv,
        design.comparisons(options.family.pairwise),
        strata=[b for b in design.between if b != "arm"],
        covariates=columns,
        options=options,
    )
    res.terms.attrs["n_left_out"] = d["subject"].nunique() - d.dropna(subset=columns)["subject"].nunique()
    res.contrasts = res.contrasts.assign(stratum="all")[TRIAL_EFFECT_COLUMNS]
    return res
