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
This is the df of R's ``mmrm`` and SAS; emmeans' Satterthwaite for ``nlme::gls`` differentiates
``C`` with the residual variance re-profiled at each ``theta``, which changes the df in the third
or fourth digit (tested against both in ``tests/test_mmrm.py``).

References
----------
Mallinckrodt CH, Lane PW, Schnell D, Peng Y, Mancuso JP (2008). Recommendations for the primary
analysis of continuous endpoints in longitudinal clinical trials. Drug Inf J 42:303-319.
Fai AH-T, Cornelius PL (1996). Approximate F-tests of multiple degree of freedom hypotheses in
generalized least squares analyses of unbalanced split-plot experiments. J Stat Comput Simul
54:363-378.
Sabanes Bove D et al. (2024). mmrm: Mixed Models for Repeated Measures. R package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from .covariance import Structure
from .multiplicity import Family


@dataclass
class _Pattern:
    """The subjects of one pattern of observed visits in one covariance group."""

    group: int
    visits: np.ndarray  # indices of the observed visits, ascending
    x: np.ndarray  # (n, m, p)
    y: np.ndarray  # (n, m)
    subjects: np.ndarray


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

    def t_df(self, c: np.ndarray) -> float:
        """Satterthwaite df of the estimate ``c' beta``."""
        c = np.asarray(c, float)
        var = float(c @ self.cov_beta @ c)
        g = np.einsum("p,apq,q->a", c, self.dcov, c)
        a = 2.0 * np.linalg.inv(self.hessian)
        return float(2.0 * var**2 / (g @ a @ g))

    def f_test(self, L: np.ndarray) -> tuple[float, int, float]:
        """Wald F of ``L beta = 0`` and its Fai-Cornelius denominator df: ``(F, df1, df2)``."""
        from .lmm import satterthwaite_df

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
                    subjects=subj[rows][::m],
                )
            )

    def sigmas(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Each group's ``Sigma`` with its derivatives."""
        return [s.matrices(theta[self.offsets[g] : self.offsets[g + 1]]) for g, s in enumerate(self.structures)]

    def evaluate(self, theta: np.ndarray, order: int) -> dict:
        """REML deviance at ``theta`` and, for ``order`` 1 or 2, its gradient and Hessian."""
        mats = self.sigmas(theta)
        xwx = np.zeros((self.p, self.p))
        xwy = np.zeros(self.p)
        ywy = 0.0
        logdet = 0.0
        cache = []
        for pat in self.patterns:
            sig = mats[pat.group][0][np.ix_(pat.visits, pat.visits)]
            try:
                cho = linalg.cho_factor(sig, lower=True)
            except linalg.LinAlgError:
                return dict(deviance=np.inf)
            w = linalg.cho_solve(cho, np.eye(len(pat.visits)))
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
            return dict(deviance=np.inf)
        beta = linalg.cho_solve(cxx, xwy)
        cov = linalg.cho_solve(cxx, np.eye(self.p))
        cov = (cov + cov.T) / 2
        dev = logdet + 2.0 * float(np.sum(np.log(np.diag(cxx[0])))) + ywy - float(xwy @ beta)
        out = dict(deviance=dev, beta=beta, cov=cov)
        if order == 0:
            return out
        t, p = self.t, self.p
        ng = len(self.structures)
        gsum = np.zeros((ng, t, t))  # sum of n W - U - R, embedded
        tsum = np.zeros((ng, t, t, p, p))  # sum of Q_i (x) Q_i, embedded
        zsum = np.zeros((ng, t, t, p))  # sum of Q_i (x) r_i, embedded
        local = []
        for pat, (w, qx) in zip(self.patterns, cache, strict=True):
            ix = np.ix_(pat.visits, pat.visits)
            r = np.einsum("ij,nj->ni", w, pat.y - pat.x @ beta)  # V^{-1} (y - X beta) per subject
            u = np.einsum("nip,pq,njq->ij", qx, cov, qx)
            rr = r.T @ r
            gsum[pat.group][ix] += len(pat.y) * w - u - rr
            if order == 2:
                tsum[pat.group][ix] += np.einsum("nip,njq->ijpq", qx, qx)
                zsum[pat.group][ix] += np.einsum("nip,nj->ijp", qx, r)
                local.append((w, u, rr))
        grad = np.zeros(self.q)
        dcov = np.zeros((self.q, p, p))
        hess = np.zeros((self.q, self.q))
        m_all = np.zeros((self.q, p, p))
        u_all = np.zeros((self.q, p))
        for g in range(ng):
            sl = slice(self.offsets[g], self.offsets[g + 1])
            _, d1, d2 = mats[g]
            grad[sl] = np.einsum("aij,ij->a", d1, gsum[g])
            if order == 2:
                hess[sl, sl] += np.einsum("abij,ij->ab", d2, gsum[g])
                m_all[sl] = np.einsum("aij,ijpq->apq", d1, tsum[g])
                u_all[sl] = np.einsum("aij,ijp->ap", d1, zsum[g])
        out["gradient"] = grad
        if order == 1:
            return out
        for pat, (w, u, rr) in zip(self.patterns, local, strict=True):
            g = pat.group
            sl = slice(self.offsets[g], self.offsets[g + 1])
            va = mats[g][1][:, pat.visits][:, :, pat.visits]
            aw = va @ w  # V_a W
            wa = w @ va  # W V_a
            n = len(pat.y)
            block = -n * np.einsum("aij,bji->ab", aw, aw)
            cross = np.einsum("bik,akj,ij->ab", va, wa, u)  # sum((V_b W V_a) o U)
            block += cross + cross.T
            quad = np.einsum("aik,bkj,ij->ab", va, wa, rr)  # sum((V_a W V_b) o R)
            block += quad + quad.T
            hess[sl, sl] += block
        cm = np.einsum("pq,aqr->apr", cov, m_all)  # C M_a
        hess -= np.einsum("apq,bqp->ab", cm, cm)
        cu = u_all @ cov
        hess -= 2.0 * cu @ u_all.T
        out["hessian"] = (hess + hess.T) / 2
        dcov = np.einsum("apq,qr->apr", cm, cov)  # C M_a C
        out["dcov"] = dcov
        return out


def fit_mmrm(
    x: np.ndarray,
    y: np.ndarray,
    subject: np.ndarray,
    visit: np.ndarray,
    structure: str = "unstructured",
    *,
    n_visits: int | None = None,
    group: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
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
    tol : float
        Convergence: largest absolute gradient of the deviance.

    Returns
    -------
    RemlFit
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    visit = np.asarray(visit, np.int64)
    t = int(n_visits if n_visits is not None else visit.max() + 1)
    grp = np.zeros(len(y), np.int64) if group is None else np.asarray(group, np.int64)
    ng = int(grp.max()) + 1
    structures = [Structure(structure, t)] * ng
    model = _Model(x, y, np.asarray(subject), visit, grp, structures)
    # start: the covariance of OLS residuals over pairs of visits observed together
    beta0 = np.linalg.lstsq(x, y, rcond=None)[0]
    res = y - x @ beta0
    theta0 = []
    for g in range(ng):
        s = np.zeros((t, t))
        cnt = np.zeros((t, t))
        for pat in model.patterns:
            if pat.group != g:
                continue
            e = pat.y - pat.x @ beta0
            ix = np.ix_(pat.visits, pat.visits)
            s[ix] += e.T @ e
            cnt[ix] += len(e)
        var = float(np.mean(res**2))
        s = np.where(cnt > 0, s / np.maximum(cnt, 1), 0.0)
        s[np.diag_indices(t)] = np.where(np.diag(cnt) > 0, np.diag(s), var)
        theta0.append(structures[g].start(s))
    theta = np.concatenate(theta0)

    def fun(th: np.ndarray) -> float:
        return float(model.evaluate(th, 0)["deviance"])

    def jac(th: np.ndarray) -> np.ndarray:
        return model.evaluate(th, 1)["gradient"]

    def hess(th: np.ndarray) -> np.ndarray:
        return model.evaluate(th, 2)["hessian"]

    result = optimize.minimize(
        fun, theta, jac=jac, hess=hess, method="trust-exact", options=dict(gtol=tol, maxiter=max_iter)
    )
    theta = result.x
    ev = model.evaluate(theta, 2)
    converged = bool(np.max(np.abs(ev["gradient"])) < max(tol, 1e-7) * max(1.0, abs(ev["deviance"])))
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
        converged=converged,
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
DF_METHOD = "Satterthwaite"


@dataclass
class MmrmResult:
    """The tables of an MMRM (:func:`mmrm`).

    Attributes
    ----------
    terms : DataFrame
        Type III F tests (:data:`MMRM_TERMS_COLUMNS`): each covariate, then every factor term.
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


def mmrm(
    data: pd.DataFrame,
    dv: str,
    comparisons: Sequence[tuple[str, str]],
    *,
    visit: str = "time",
    subject: str = "subject",
    arm: str = "arm",
    strata: Sequence[str] = (),
    covariates: Sequence[str] = (),
    stratum_by_arm: bool = False,
    structure: str = "unstructured",
    by_arm: bool = False,
    level: float = 0.95,
    family: Family | None = None,
) -> MmrmResult:
    """Fit the MMRM ``dv ~ covariates + strata + arm * visit`` and test and compare its arms.

    Parameters
    ----------
    data : DataFrame
        Long table, one row per subject and visit; rows with a missing ``dv`` are the visits the
        subject missed (the others count). Subjects missing a covariate are left out.
    dv : str
        Outcome.
    comparisons : sequence of (str, str)
        Arm comparisons ``a - b`` made at each visit.
    visit, subject, arm : str
        Columns. ``visit`` as an ordered categorical keeps its order (AR(1) needs it); otherwise
        visits are sorted.
    strata : sequence of str
        Stratification factors: main effects, or (``stratum_by_arm``) crossed with arm and visit.
    covariates : sequence of str
        Numeric subject-level columns (the baseline among them), one slope each.
    structure : str
        Covariance structure (:data:`hiplbp.stats.covariance.STRUCTURES`).
    by_arm : bool
        A separate covariance for each arm.
    level : float
        Confidence level.
    family : Family, optional
        Adjustment of each visit's comparisons (default Dunnett); each contrast keeps its own df.

    Returns
    -------
    MmrmResult

    Raises
    ------
    ValueError
        A cell of arm x visit without an observation, or a design that is not of full rank.
    """
    from .anova import design_matrix
    from .lmm import lmertest_type3_contrasts

    family = family or Family()
    covariates, strata = list(covariates), list(strata)
    d = data.dropna(subset=[dv, *covariates]).copy()
    if isinstance(data[visit].dtype, pd.CategoricalDtype):
        visits = [str(v) for v in data[visit].cat.categories if (d[visit] == v).any()]
    else:
        visits = sorted(d[visit].astype(str).unique())
    named = list(dict.fromkeys(str(a) for pair in comparisons for a in pair))
    if isinstance(data[arm].dtype, pd.CategoricalDtype):
        # the data's order of the arms (the control first, as the config names them)
        named = [str(a) for a in data[arm].cat.categories if str(a) in named]
    arms = named
    levels = {f: sorted(d[f].astype(str).unique()) for f in strata}
    levels[arm] = arms
    levels[visit] = visits
    d = d[d[arm].astype(str).isin(arms) & d[visit].astype(str).isin(visits)]
    seen = set(zip(d[arm].astype(str), d[visit].astype(str), strict=True))
    empty = [(a, v) for a in arms for v in visits if (a, v) not in seen]
    if empty:
        raise ValueError(
            f"the MMRM needs an observed {dv} in every cell of arm x visit; "
            f"none in arm = {empty[0][0]}, visit = {empty[0][1]}"
        )
    fac_cols = [*strata, arm, visit]

    def factor_frame(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({f: pd.Categorical(frame[f].astype(str), categories=levels[f]) for f in fac_cols})

    grid = pd.MultiIndex.from_product([levels[f] for f in fac_cols], names=fac_cols).to_frame(index=False)
    both = pd.concat([factor_frame(d), factor_frame(grid)], ignore_index=True)
    if stratum_by_arm or not strata:
        x_all, blocks = design_matrix(both)
    else:
        x_av, b_av = design_matrix(both[[arm, visit]])
        x_st, b_st = design_matrix(both[strata], max_order=1)
        x_all = np.column_stack([x_av, x_st[:, 1:]])
        off = x_av.shape[1] - 1
        blocks = b_av | {t: [c + off for c in cols] for t, cols in b_st.items() if t}
    n = len(d)
    x_fac, x_grid = x_all[:n], x_all[n:]
    k = len(covariates)
    cov_values = d[covariates].to_numpy(float)
    x = np.column_stack([x_fac[:, :1], cov_values, x_fac[:, 1:]])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError(f"the MMRM of {dv}: the design is not of full rank (a covariate constant or collinear?)")
    vindex = pd.Categorical(d[visit].astype(str), categories=visits).codes
    groups = pd.Categorical(d[arm].astype(str), categories=arms).codes if by_arm else None
    fit = fit_mmrm(
        x,
        d[dv].to_numpy(float),
        d[subject].astype(str).to_numpy(),
        vindex,
        structure,
        n_visits=len(visits),
        group=groups,
    )

    # type III: covariate slopes, then each factor term (lmerTest's rows, in this coding)
    order = {f: i for i, f in enumerate(fac_cols)}
    terms = sorted([t for t in blocks if t], key=lambda t: (len(t), [order[f] for f in t]))
    cells = factor_frame(d).drop_duplicates()
    rows_by_term = lmertest_type3_contrasts(cells, x_fac[cells.index.to_numpy()], terms)
    tests: dict[str, np.ndarray] = {c: np.eye(x.shape[1])[[1 + i]] for i, c in enumerate(covariates)}
    for t in terms:
        r = rows_by_term[t]
        tests[":".join(t)] = np.column_stack([r[:, :1], np.zeros((len(r), k)), r[:, 1:]])
    trows = []
    for name, L in tests.items():
        f, df1, df2 = fit.f_test(L)
        trows.append(dict(source=name, F=f, df1=df1, df2=df2, p=float(stats.f.sf(f, df1, df2)), df_method=DF_METHOD))

    # cell rows: covariates at their mean over the analysed rows, strata averaged equally
    xg = np.column_stack([x_grid[:, :1], np.tile(cov_values.mean(axis=0), (len(grid), 1)), x_grid[:, 1:]])
    g_arm, g_visit = grid[arm].to_numpy(), grid[visit].to_numpy()

    def cell(a: str, v: str) -> np.ndarray:
        return xg[(g_arm == a) & (g_visit == v)].mean(axis=0)

    mrows, erows = [], []
    for v in visits:
        for a in arms:
            c = cell(a, v)
            est, se, df_ = float(c @ fit.beta), float(np.sqrt(c @ fit.cov_beta @ c)), fit.t_df(c)
            half = stats.t.ppf(0.5 + level / 2, df_) * se
            mrows.append(dict(visit=v, arm=a, emmean=est, se=se, df=df_, ci_low=est - half, ci_high=est + half))
        L = np.array([cell(a, v) - cell(b, v) for a, b in comparisons])
        dfs = np.array([fit.t_df(r) for r in L])
        for row in family.rows(comparisons, L @ fit.beta, L @ fit.cov_beta @ L.T, dfs, level):
            erows.append({"visit": v} | row)
    contrasts = pd.DataFrame(erows).rename(columns={"p_unc": "p"})[MMRM_EFFECT_COLUMNS]
    names = arms if by_arm else ["all"]
    crow = [
        dict(group=names[g], visit=visits[i], visit2=visits[j], value=float(s[i, j]))
        for g, s in enumerate(fit.sigma)
        for i in range(len(visits))
        for j in range(len(visits))
    ]
    out_terms = pd.DataFrame(trows, columns=MMRM_TERMS_COLUMNS)
    out_terms.attrs.update(
        n_obs=fit.n_obs, n_subjects=fit.n_subjects, structure=structure, by_arm=by_arm, converged=fit.converged
    )
    return MmrmResult(
        terms=out_terms,
        contrasts=contrasts,
        means=pd.DataFrame(mrows, columns=MMRM_MEANS_COLUMNS),
        covariance=pd.DataFrame(crow),
        fit=fit,
    )
