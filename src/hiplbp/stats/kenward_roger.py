"""Kenward-Roger inference for the MMRM: the small-sample adjusted covariance of the fixed effects
and the df of each contrast and F test (Kenward & Roger 1997).

The covariance ``Sigma(theta)`` of a covariance group is written in parameters it is linear in,
``Sigma = sum_a theta_a G_a``: for ``unstructured`` the ``t (t + 1) / 2`` elements (``G_a`` the
symmetric unit matrices), for ``compound_symmetry`` the within- and between-subject variances
(``G = I, J``, the random-intercept LMM's parameters, as pbkrtest takes them). The second-derivative
term of Kenward & Roger's adjustment then vanishes, as in SAS PROC MIXED ``DDFM=KR`` and pbkrtest;
the other structures are not linear in any parameters and are refused. With ``C = (X' V^{-1} X)^{-1}``,
``M_a = X' V^{-1} G_a V^{-1} X``, ``Q_ab = X' V^{-1} G_a V^{-1} G_b V^{-1} X`` (sums over subjects,
one pattern of visits at a time) and ``W`` the inverse of the expected REML information
``I_ab = (tr(V^{-1} G_a V^{-1} G_b) - 2 tr(C Q_ab) + tr(C M_a C M_b)) / 2``:

* adjusted covariance ``C_A = C + 2 C (sum_ab W_ab (Q_ab - M_a C M_b)) C``;
* for ``L`` (``k`` rows), with ``S = (L C L')^{-1}`` and ``B_a = L C M_a C L'``:
  ``A_1 = sum W_ab tr(S B_a) tr(S B_b)``, ``A_2 = sum W_ab tr(S B_a S B_b)``, and the df ``m`` and
  scale ``lambda`` of the F statistic ``lambda (L beta)' (L C_A L')^{-1} (L beta) / k`` follow
  from them in closed form (Kenward & Roger 1997, section 4; pbkrtest's ``KRmodcomp``). For one
  row, ``lambda = 1`` and ``m = 2 / A_2``.

With complete data and an unstructured covariance the adjustment vanishes and the F tests are
exact (Hotelling's T²), as Kenward & Roger designed them to be.

References
----------
Kenward MG, Roger JH (1997). Small sample inference for fixed effects from restricted maximum
likelihood. Biometrics 53:983-997.
Halekoh U, Højsgaard S (2014). A Kenward-Roger approximation and parametric bootstrap methods for
tests in linear mixed models: the R package pbkrtest. J Stat Softw 59(9):1-32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg

#: The df method's name in the tables.
KR_METHOD = "Kenward-Roger"
#: Structures whose covariance is linear in some parameters: the ones Kenward-Roger takes here.
LINEAR_STRUCTURES = ("unstructured", "compound_symmetry")


def linear_basis(structure: str, t: int) -> np.ndarray:
    """The matrices ``G_a`` (shape ``(r, t, t)``) of a structure linear in its parameters.

    Examples
    --------
    >>> linear_basis("compound_symmetry", 2).tolist()
    [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]]
    >>> linear_basis("unstructured", 3).shape
    (6, 3, 3)
    """
    if structure == "compound_symmetry":
        return np.stack([np.eye(t), np.ones((t, t))])
    if structure == "unstructured":
        out = []
        for i in range(t):
            for j in range(i, t):
                g = np.zeros((t, t))
                g[i, j] = g[j, i] = 1.0
                out.append(g)
        return np.stack(out)
    raise ValueError(
        f"Kenward-Roger df take a covariance linear in its parameters ({', '.join(LINEAR_STRUCTURES)}), "
        f"not {structure} (expected analysis.mmrm.df satterthwaite, or one of those structures)"
    )


@dataclass
class KenwardRoger:
    """Kenward-Roger inference at an MMRM's REML fit (:func:`kenward_roger`).

    Attributes
    ----------
    beta : ndarray
        The fixed effects (the fit's).
    cov_beta : ndarray
        The adjusted covariance ``C_A``.
    phi : ndarray
        The unadjusted ``C = (X' V^{-1} X)^{-1}``.
    m : ndarray
        ``M_a``, shape ``(q, p, p)``.
    w : ndarray
        The inverse expected information of the linear parameters, ``(q, q)``.
    """

    beta: np.ndarray
    cov_beta: np.ndarray
    phi: np.ndarray
    m: np.ndarray
    w: np.ndarray
    method: str = KR_METHOD

    def _a(self, L: np.ndarray) -> tuple[float, float]:
        """``A_1`` and ``A_2`` of the hypothesis rows ``L``."""
        lc = L @ self.phi
        s = np.linalg.inv(lc @ L.T)
        sb = np.einsum("kl,lp,apq,mq->akm", s, lc, self.m, lc)  # S B_a
        tr = np.einsum("akk->a", sb)
        a1 = float(tr @ self.w @ tr)
        a2 = float(np.einsum("ab,akm,bmk->", self.w, sb, sb))
        return a1, a2

    def t_df(self, c: np.ndarray) -> float:
        """Kenward-Roger df of the estimate ``c' beta`` (its SE from :attr:`cov_beta`)."""
        _, a2 = self._a(np.atleast_2d(np.asarray(c, float)))
        return float(2.0 / a2) if a2 > 0 else float("inf")

    def f_test(self, L: np.ndarray) -> tuple[float, int, float]:
        """Kenward-Roger F of ``L beta = 0``, scaled by ``lambda``: ``(F, df1, df2)``."""
        L = np.atleast_2d(np.asarray(L, float))
        k = L.shape[0]
        lb = L @ self.beta
        wald = float(lb @ np.linalg.solve(L @ self.cov_beta @ L.T, lb)) / k
        a1, a2 = self._a(L)
        if a2 <= 0:
            return wald, k, float("inf")
        b = (a1 + 6.0 * a2) / (2.0 * k)
        g = ((k + 1) * a1 - (k + 4) * a2) / ((k + 2) * a2)
        den = 3.0 * k + 2.0 * (1.0 - g)
        c1, c2, c3 = g / den, (k - g) / den, (k + 2 - g) / den
        rho = (1.0 / k) * ((1.0 - a2 / k) / (1.0 - c2 * b)) ** 2 * (1.0 + c1 * b) / (1.0 - c3 * b)
        df2 = 4.0 + (k + 2.0) / (k * rho - 1.0)
        scale = 1.0 if abs(df2 - 4.0) < 1e-6 else df2 * (1.0 - a2 / k) / (df2 - 2.0)
        return scale * wald, k, float(df2)


def _sums(fit: Any, basis: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """``M_a`` for every parameter, each group's block of ``Q_ab`` and ``sum tr(W G_a W G_b)``."""
    model = fit.extra["model"]
    r, p, ng = len(basis), model.p, len(fit.sigma)
    m = np.zeros((r * ng, p, p))
    q = [np.zeros((r, r, p, p)) for _ in range(ng)]
    k = np.zeros((r * ng, r * ng))
    for pat in model.patterns:
        v = pat.visits
        w = linalg.cho_solve(linalg.cho_factor(fit.sigma[pat.group][np.ix_(v, v)], lower=True), np.eye(len(v)))
        qx = np.einsum("ij,njp->nip", w, pat.x)
        tt = np.einsum("nip,njq->ijpq", qx, qx)
        g = basis[:, v][:, :, v]
        gwg = np.einsum("aij,jk,bkl->abil", g, w, g)
        sl = slice(pat.group * r, (pat.group + 1) * r)
        m[sl] += np.einsum("aij,ijpq->apq", g, tt)
        q[pat.group] += np.einsum("abil,ilpq->abpq", gwg, tt)
        k[sl, sl] += len(pat.y) * np.einsum("abij,ji->ab", gwg, w)
    return m, q, k


def kenward_roger(fit: Any, structure: str) -> KenwardRoger:
    """Kenward-Roger inference at an MMRM's REML fit (an :class:`~hiplbp.stats.mmrm.RemlFit`).

    Raises
    ------
    ValueError
        A structure that is not linear in any parameters (:data:`LINEAR_STRUCTURES`).
    """
    model = fit.extra["model"]
    basis = linear_basis(structure, model.t)
    r, c = len(basis), fit.cov_beta
    m, q, k = _sums(fit, basis)
    cm = np.einsum("pq,aqr->apr", c, m)  # C M_a
    info = np.einsum("apq,bqp->ab", cm, cm)
    for g, block in enumerate(q):
        sl = slice(g * r, (g + 1) * r)
        info[sl, sl] += k[sl, sl] - 2.0 * np.einsum("pq,abqp->ab", c, block)
    info = (info + info.T) / 4.0
    w = np.linalg.inv(info)
    lam = -np.einsum("ab,apq,bqr->pr", w, m, cm)
    for g, block in enumerate(q):
        sl = slice(g * r, (g + 1) * r)
        lam += np.einsum("ab,abpq->pq", w[sl, sl], block)
    adjusted = c + 2.0 * c @ lam @ c
    return KenwardRoger(beta=fit.beta, cov_beta=(adjusted + adjusted.T) / 2, phi=c, m=m, w=w)
