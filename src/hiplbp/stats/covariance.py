"""Covariance structures of a subject's repeated measures, with their first and second derivatives.

A structure maps an unconstrained parameter vector ``theta`` to a positive definite ``t x t``
covariance ``Sigma`` over the ``t`` visits; the MMRM (:mod:`hiplbp.stats.mmrm`) maximises the
restricted likelihood over ``theta`` with analytic derivatives, and its Satterthwaite df need the
first derivatives of ``Sigma`` (the df are the same in every parameterisation of a structure, so the
one that keeps the optimisation unconstrained is used).

* ``unstructured``: every variance and covariance free (``t (t + 1) / 2`` parameters), through the
  Cholesky factor with log diagonal, as R's ``mmrm::us`` and SAS ``TYPE=UN``; the model of
  ``nlme::gls(correlation = corSymm(), weights = varIdent())``.
* ``heterogeneous_cs``: one variance per visit, one common correlation (SAS ``CSH``;
  ``corCompSymm()`` + ``varIdent()``).
* ``compound_symmetry``: one variance, one common correlation (SAS ``CS``; ``corCompSymm()``).
* ``ar1``: one variance, correlation ``rho^|j - k|`` between the ``j``-th and ``k``-th visits,
  the visits taken as equally spaced (SAS ``AR(1)``; ``corAR1()``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The choices of config ``analysis.mmrm.covariance``.
STRUCTURES = ("unstructured", "heterogeneous_cs", "compound_symmetry", "ar1")


def _cs_rho(u: float, t: int) -> tuple[float, float, float]:
    """Common correlation ``rho(u) = (e^u - 1) / (e^u + t - 1)``, onto ``(-1/(t - 1), 1)``, and its
    first two derivatives (a ``t x t`` CS matrix is positive definite exactly on that interval)."""
    e = np.exp(u)
    s = e + t - 1
    return float((e - 1) / s), float(t * e / s**2), float(t * e * (t - 1 - e) / s**3)


@dataclass(frozen=True)
class Structure:
    """One covariance structure over ``t`` visits.

    Attributes
    ----------
    name : str
        One of :data:`STRUCTURES`.
    t : int
        Number of visits.
    """

    name: str
    t: int

    def __post_init__(self) -> None:
        if self.name not in STRUCTURES:
            raise ValueError(f"covariance structure {self.name!r}: expected one of {', '.join(STRUCTURES)}")

    @property
    def n_params(self) -> int:
        """Number of covariance parameters."""
        t = self.t
        return {"unstructured": t * (t + 1) // 2, "heterogeneous_cs": t + 1}.get(self.name, 2) if t > 1 else 1

    def start(self, s: np.ndarray) -> np.ndarray:
        """Starting values from a rough covariance estimate ``s`` (e.g. of OLS residuals)."""
        t = self.t
        s = np.asarray(s, float)
        sd = np.sqrt(np.maximum(np.diag(s), 1e-8 * max(float(np.mean(np.diag(s))), 1e-300)))
        corr = s / np.outer(sd, sd)
        off = corr[~np.eye(t, dtype=bool)]
        rho = float(np.clip(np.mean(off), -0.5 / max(t - 1, 1), 0.9)) if t > 1 else 0.0
        if t == 1:
            return np.array([np.log(sd[0] ** 2)])
        if self.name == "unstructured":
            # shrink towards the diagonal until positive definite
            for w in (1.0, 0.8, 0.5, 0.0):
                try:
                    chol = np.linalg.cholesky(w * s + (1 - w) * np.diag(np.diag(s)) + 1e-10 * np.eye(t))
                    break
                except np.linalg.LinAlgError:
                    continue
            idx = np.tril_indices(t)
            theta = chol[idx].copy()
            diag = idx[0] == idx[1]
            theta[diag] = np.log(theta[diag])
            return theta
        u_cs = float(np.log((1 + (t - 1) * rho) / (1 - rho)))  # inverse of _cs_rho
        if self.name == "heterogeneous_cs":
            return np.concatenate([np.log(sd), [u_cs]])
        if self.name == "compound_symmetry":
            return np.array([np.log(np.mean(sd**2)), u_cs])
        return np.array([np.log(np.mean(sd**2)), np.arctanh(np.clip(rho, -0.9, 0.9))])

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``Sigma``, its first derivatives ``(q, t, t)`` and second derivatives ``(q, q, t, t)``."""
        theta = np.asarray(theta, float)
        t, q = self.t, self.n_params
        d1 = np.zeros((q, t, t))
        d2 = np.zeros((q, q, t, t))
        if t == 1:
            v = float(np.exp(theta[0]))
            return np.array([[v]]), np.array([[[v]]]), np.array([[[[v]]]])
        if self.name == "unstructured":
            rows, cols = np.tril_indices(t)
            chol = np.zeros((t, t))
            chol[rows, cols] = theta
            diag = rows == cols
            chol[rows[diag], cols[diag]] = np.exp(theta[diag])
            dl = np.zeros((q, t, t))
            dl[np.arange(q), rows, cols] = np.where(diag, chol[rows, cols], 1.0)
            sigma = chol @ chol.T
            lt = np.einsum("aij,kj->aik", dl, chol)  # dL_a L'
            d1 = lt + lt.transpose(0, 2, 1)
            cross = np.einsum("aik,bjk->abij", dl, dl)  # dL_a dL_b'
            d2 = cross + cross.transpose(1, 0, 2, 3)
            for a in np.flatnonzero(diag):
                # d2 L / d theta_a^2 = dL_a for a log-diagonal entry
                d2[a, a] += d1[a]
            return sigma, d1, d2
        lag = np.abs(np.subtract.outer(np.arange(t), np.arange(t))).astype(float)
        off = 1.0 - np.eye(t)
        if self.name in ("compound_symmetry", "heterogeneous_cs"):
            rho, r1, r2 = _cs_rho(float(theta[-1]), t)
            corr = np.eye(t) + rho * off
            sd = np.sqrt(np.exp(theta[:-1])) if self.name == "compound_symmetry" else np.exp(theta[:-1])
            scale = np.outer(sd, sd) if self.name == "heterogeneous_cs" else np.full((t, t), sd[0] ** 2)
            sigma = scale * corr
            du, duu = scale * r1 * off, scale * r2 * off
            if self.name == "compound_symmetry":
                d1[0], d1[1] = sigma, du
                d2[0, 0], d2[0, 1], d2[1, 0], d2[1, 1] = sigma, du, du, duu
                return sigma, d1, d2
            # d / d log sd_a multiplies row a and column a by e^{...}: Sigma_jk (delta_ja + delta_ka)
            ind = np.eye(t)
            hit = ind[:, :, None] + ind[:, None, :]  # (a, j, k): delta_ja + delta_ka
            d1[:t] = hit * sigma
            d2[:t, :t] = hit[:, None] * hit[None, :] * sigma
            d1[t] = du
            d2[:t, t] = d2[t, :t] = hit * du
            d2[t, t] = duu
            return sigma, d1, d2
        # ar1
        v = float(np.exp(theta[0]))
        rho = float(np.tanh(theta[1]))
        r1 = 1.0 - rho**2
        power = rho**lag
        # rho^(lag - 1) and rho^(lag - 2) only where the lag makes them finite
        p1 = np.where(lag >= 1, rho ** np.maximum(lag - 1, 0), 0.0)
        p2 = np.where(lag >= 2, rho ** np.maximum(lag - 2, 0), 0.0)
        sigma = v * power
        du = v * lag * p1 * r1
        duu = v * (lag * (lag - 1) * p2 * r1**2 - 2 * rho * r1 * lag * p1)
        d1[0], d1[1] = sigma, du
        d2[0, 0], d2[0, 1], d2[1, 0], d2[1, 1] = sigma, du, du, duu
        return sigma, d1, d2
