"""Multiplicity: adjusted p values and simultaneous intervals for a family of arm comparisons.

A family is the set of arm comparisons at one visit (in one stratum, of one kind), as emmeans'
``by`` groups: each treatment arm against control, or every pair of arms. With two arms the family
has one member and every method leaves it unadjusted.

* ``dunnett``: the exact single-step method over the family's joint distribution, a multivariate
  t with the contrasts' own correlation and the model's df (Dunnett 1955; Hothorn, Bretz & Westfall
  2008), as emmeans' ``adjust = "mvt"``. emmeans' ``adjust = "dunnett"`` is its alias for
  ``dunnettx``, an approximation that ignores the correlation the sample sizes imply; it can
  differ in the second digit. The probability is computed exactly for two comparisons (bivariate
  normal by Owen's T, integrated over the t's scale) and for one-factor correlations (every
  comparison with control of independent arm means, and any three comparisons with positively
  related correlations: Dunnett's own integral); otherwise by scipy's randomized quasi-Monte Carlo
  integration of the multivariate t, seeded.
* ``tukey``: Tukey-Kramer, the studentized range of the arms' means (pairwise comparisons).
* ``holm``: Holm's step-down p; intervals Bonferroni's (as emmeans: Holm has no intervals).
* ``bonferroni``; ``none``.

References
----------
Dunnett CW (1955). A multiple comparison procedure for comparing several treatments with a
control. J Am Stat Assoc 50:1096-1121.
Hothorn T, Bretz F, Westfall P (2008). Simultaneous inference in general parametric models.
Biometrical Journal 50:346-363.
Owen DB (1956). Tables for computing bivariate normal probabilities. Ann Math Stat 27:1075-1090.
Lenth RV (2023). emmeans: Estimated Marginal Means. R package (``summary.emmGrid``, ``adjust``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

#: The choices of config ``analysis.adjust``.
ADJUSTMENTS = ("dunnett", "tukey", "holm", "bonferroni", "none")
#: Quasi-Monte Carlo points per dimension of the multivariate t (three or more comparisons whose
#: correlations are not one-factor); the integration error is then about 1e-6.
QMC_POINTS = 50_000


def step_down(p: npt.ArrayLike, method: str) -> np.ndarray:
    """Holm's step-down or Bonferroni's adjusted p values, as R's ``p.adjust`` (no missing values).

    Holm: the ``i``-th smallest p times ``m - i + 1``, made non-decreasing, at most 1. Written out
    because statsmodels' ``multipletests`` runs the garbage collector on every call (90 ms).

    Examples
    --------
    >>> step_down([0.01, 0.04, 0.03], "holm").tolist(), step_down([0.01, 0.4], "bonferroni").tolist()
    ([0.03, 0.06, 0.06], [0.02, 0.8])
    """
    values = np.asarray(p, float)
    m = values.size
    if method == "bonferroni":
        return np.minimum(1.0, m * values)
    order = np.argsort(values, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate(values[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = adjusted
    return out


def _bvn_square(h: np.ndarray, rho: float) -> np.ndarray:
    """``P(|Z1| < h, |Z2| < h)`` for a standard bivariate normal with correlation ``rho`` (``h > 0``).

    By symmetry the square is ``1 - 2 P(Z1 > h) - 2 P(Z2 > h) + 2 P(Z1 > h, Z2 > h) + 2 P(Z1 > h,
    Z2 < -h)``; each orthant comes from Owen's T: ``P(Z1 > h, Z2 > h) = Phi(-h) - 2 T(h, a)`` with
    ``a = sqrt((1 - rho) / (1 + rho))`` (Owen 1956, equal limits).
    """
    a_pos = np.sqrt((1 - rho) / (1 + rho))
    a_neg = np.sqrt((1 + rho) / (1 - rho))
    tail = special.ndtr(-h)
    upper_upper = tail - 2 * special.owens_t(h, a_pos)  # P(Z1 > h, Z2 > h)
    upper_lower = tail - 2 * special.owens_t(h, a_neg)  # P(Z1 > h, Z2 < -h): correlation -rho
    return 1 - 4 * tail + 2 * upper_upper + 2 * upper_lower


def _one_factor(corr: np.ndarray) -> np.ndarray | None:
    """``lambda`` with ``corr[i, j] = lambda_i lambda_j`` (``i != j``) and ``|lambda_i| < 1``, if there is one.

    Comparisons of several arms with one control have this structure exactly when the arms' means
    are independent (the shared control mean is the one factor); any three comparisons whose
    correlations have a positive product do too.
    """
    m = corr.shape[0]
    off = corr - np.diag(np.diag(corr))
    lam = np.zeros(m)
    for i in range(m):
        j, k = [x for x in range(m) if x != i][:2]
        if corr[j, k] == 0:
            return None
        sq = corr[i, j] * corr[i, k] / corr[j, k]
        if not 0 <= sq < 1:
            return None
        lam[i] = np.sqrt(sq) * (1.0 if i == 0 or corr[0, i] >= 0 else -1.0)
    if lam[0] == 0:
        return None
    model = np.outer(lam, lam)
    np.fill_diagonal(model, 0.0)
    return lam if np.max(np.abs(model - off)) < 1e-10 else None


#: Gauss-Legendre nodes and weights on [-9, 9] for the one-factor integral (the normal density
#: beyond 9 is below 1e-17).
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(300)
_NODES, _WEIGHTS = 9.0 * _NODES, 9.0 * _WEIGHTS


def _one_factor_square(h: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``P(max |Z_i| < h)`` for ``Z_i = lambda_i Z_0 + sqrt(1 - lambda_i^2) E_i`` (independent standard
    normals), at each ``h``."""
    r = np.sqrt(1 - lam**2)[:, None, None]
    z = lam[:, None, None] * _NODES[None, :, None]
    hh = np.asarray(h, float)[None, None, :]
    inside = np.prod(special.ndtr((hh - z) / r) - special.ndtr((-hh - z) / r), axis=0)
    return (_WEIGHTS * stats.norm.pdf(_NODES)) @ inside


#: Gauss-Legendre nodes on [-1, 1] for the integral over the t's scale.
_SCALE_NODES, _SCALE_WEIGHTS = np.polynomial.legendre.leggauss(256)


def _over_scale(square: Callable[[np.ndarray], np.ndarray], c: float, df: float) -> float:
    """``integral of square(c s) f(s) ds`` over the t's scale ``s = sqrt(chi2_df / df)``.

    Gauss-Legendre over the scale's central ``1 - 2e-17`` (the integrand is analytic there): the
    error is below 1e-12 for df from 1 to 5,000 (against adaptive quadrature to 1e-13).
    """
    chi = stats.chi(df)
    lo, hi = chi.ppf(1e-17) / np.sqrt(df), chi.isf(1e-17) / np.sqrt(df)
    s = lo + (hi - lo) * (_SCALE_NODES + 1) / 2
    density = chi.pdf(s * np.sqrt(df)) * np.sqrt(df)
    return float(np.sum(_SCALE_WEIGHTS * (hi - lo) / 2 * density * square(c * s)))


def max_t_probability(c: float, corr: npt.ArrayLike, df: float, seed: int = 0) -> float:
    """``P(max_i |T_i| < c)`` for ``T`` multivariate t with correlation ``corr`` and ``df`` degrees of freedom.

    One comparison: the t distribution. Two: exact, the bivariate normal square by Owen's T
    integrated over the t's scale ``s = sqrt(chi2_df / df)``. More, with one-factor correlations
    (``corr[i, j] = lambda_i lambda_j``, as comparisons with one control of independent arm means
    have): exact, Dunnett's (1955) integral over the control's share and the scale. Otherwise:
    scipy's multivariate t (randomized quasi-Monte Carlo, :data:`QMC_POINTS` per dimension,
    ``seed``).

    Examples
    --------
    >>> bool(round(max_t_probability(2.0, [[1.0]], 10), 10) == round(1 - 2 * stats.t.sf(2.0, 10), 10))
    True
    >>> round(max_t_probability(2.3, [[1, 0.5], [0.5, 1]], 30), 7)
    0.9476928
    """
    r = np.atleast_2d(np.asarray(corr, float))
    m = r.shape[0]
    if c <= 0:
        return 0.0
    if m == 1 or (m == 2 and abs(r[0, 1]) > 1 - 1e-12):
        return float(1 - 2 * stats.t.sf(c, df))
    if m == 2:
        rho = float(r[0, 1])
        return _over_scale(lambda h: _bvn_square(h, rho), c, df)
    lam = _one_factor(r)
    if lam is not None:
        return _over_scale(lambda h: _one_factor_square(h, lam), c, df)
    x = np.full(m, c)
    return float(
        stats.multivariate_t.cdf(
            x,
            shape=r,
            df=df,  # type: ignore[arg-type]  # scipy takes any positive df; its stubs say int
            lower_limit=-x,
            maxpts=QMC_POINTS * m,
            random_state=np.random.default_rng(seed),
        )
    )


def _max_t_quantile(level: float, corr: np.ndarray, df: float, seed: int) -> float:
    """The critical value ``c`` with ``P(max |T| < c) = level``, between the single t's and Bonferroni's."""
    m = corr.shape[0]
    lo = stats.t.ppf(0.5 + level / 2, df)
    hi = stats.t.ppf(1 - (1 - level) / (2 * m), df)
    if m == 1 or hi - lo < 1e-12:
        return float(lo)
    return float(
        optimize.brentq(
            lambda c: max_t_probability(c, corr, df, seed) - level, lo * (1 - 1e-9), hi * (1 + 1e-9), xtol=1e-12
        )
    )


def adjust_family(
    estimate: npt.ArrayLike,
    cov: npt.ArrayLike,
    df: float | npt.ArrayLike,
    method: str,
    level: float = 0.95,
    n_means: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adjusted p values and simultaneous confidence limits of one family of contrasts.

    Parameters
    ----------
    estimate : array, shape (m,)
        The contrasts' estimates.
    cov : array, shape (m, m)
        Their covariance matrix (its diagonal: the squared standard errors).
    df : float or array of shape (m,)
        The t statistics' degrees of freedom: one for all, or each contrast's own (Satterthwaite).
        With several, each contrast's adjusted p and limits use its own df in the family's joint
        distribution (as emmeans, which however truncates them to integers for ``mvt``).
    method : {"dunnett", "tukey", "holm", "bonferroni", "none"}
        The adjustment (:data:`ADJUSTMENTS`).
    level : float
        Confidence level of the simultaneous intervals.
    n_means : int, optional
        Tukey only: the number of means compared (the arms).
    seed : int
        Dunnett with three or more comparisons: the integration's seed.

    Returns
    -------
    (p_adj, ci_low, ci_high)
        Each of shape (m,). Holm's intervals are Bonferroni's; ``none`` gives the unadjusted ones.

    Examples
    --------
    >>> p, lo, hi = adjust_family([1.0, 2.0], np.diag([0.25, 0.25]), 20, "bonferroni")
    >>> [round(float(v), 6) for v in p] == [round(min(1, 2 * 2 * stats.t.sf(t, 20)), 6) for t in (2.0, 4.0)]
    True
    """
    est = np.atleast_1d(np.asarray(estimate, float))
    v = np.atleast_2d(np.asarray(cov, float))
    m = est.size
    if method not in ADJUSTMENTS:
        raise ValueError(f"adjust: expected one of {', '.join(ADJUSTMENTS)}, got {method!r}")
    dfs = np.broadcast_to(np.asarray(df, float), (m,))
    if m > 1 and np.ptp(dfs) > 0:
        if method in ("tukey", "dunnett"):
            # each contrast in the family's joint distribution at its own df
            parts = [adjust_family(est, v, float(d), method, level, n_means, seed) for d in dfs]
            p_adj, lo, hi = (np.array([part[i][j] for j, part in enumerate(parts)]) for i in range(3))
            return p_adj, lo, hi
    # one df (the scalar methods below), or one per contrast (elementwise t quantiles)
    df_t: float | np.ndarray = dfs if np.ptp(dfs) > 0 else float(dfs[0])
    se = np.sqrt(np.diag(v))
    t = np.abs(est / se)
    p_unc = 2 * stats.t.sf(t, df_t)
    if method == "none" or m == 1:
        crit = stats.t.ppf(0.5 + level / 2, df_t)
        p = p_unc
    elif method == "bonferroni" or method == "holm":
        crit = stats.t.ppf(1 - (1 - level) / (2 * m), df_t)
        p = step_down(p_unc, method)
    elif method == "tukey":
        if n_means is None:
            raise ValueError("adjust tukey needs the number of means compared (n_means)")
        dist = stats.studentized_range(n_means, float(dfs[0]))
        crit = float(dist.ppf(level)) / np.sqrt(2)
        p = np.array([float(dist.sf(x * np.sqrt(2))) for x in t])
    else:
        corr = v / np.outer(se, se)
        crit = _max_t_quantile(level, corr, float(dfs[0]), seed)
        p = np.array([1 - max_t_probability(float(x), corr, float(dfs[0]), seed) for x in t])
    p = np.clip(np.asarray(p, float), 0.0, 1.0)
    return p, est - crit * se, est + crit * se


@dataclass(frozen=True)
class Family:
    """Which arm comparisons form a visit's family, and how they are adjusted.

    Attributes
    ----------
    pairwise : bool
        ``False``: each treatment arm against control (config ``analysis.comparisons: control``);
        ``True``: every pair of arms (``pairwise``).
    method : str
        One of :data:`ADJUSTMENTS` (config ``analysis.adjust``).
    seed : int
        The integration seed of Dunnett's method with three or more comparisons.
    """

    pairwise: bool = False
    method: str = "dunnett"
    seed: int = 0

    def applied(self, m: int) -> str:
        """The method a family of ``m`` comparisons gets: ``none`` for a single comparison."""
        return self.method if m > 1 else "none"

    def adjusted(
        self, estimate: npt.ArrayLike, cov: npt.ArrayLike, df: float | npt.ArrayLike, level: float, n_means: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`adjust_family` with this family's method and seed."""
        return adjust_family(estimate, cov, df, self.method, level, n_means=n_means, seed=self.seed)

    def rows(
        self,
        comparisons: Sequence[tuple[str, str]],
        estimate: npt.ArrayLike,
        cov: npt.ArrayLike,
        df: float | npt.ArrayLike,
        level: float,
    ) -> list[dict]:
        """One row per comparison ``a - b`` of a family: ``comparison, estimate, se, df, t, p_unc,
        ci_low, ci_high`` (unadjusted), then ``p_adj, ci_adj_low, ci_adj_high, adjust``."""
        est = np.atleast_1d(np.asarray(estimate, float))
        v = np.atleast_2d(np.asarray(cov, float))
        n_means = len({arm for pair in comparisons for arm in pair})
        p_adj, lo_adj, hi_adj = self.adjusted(est, v, df, level, n_means)
        dfs = np.broadcast_to(np.asarray(df, float), est.shape)
        out = []
        for j, (a, b) in enumerate(comparisons):
            e, se, df_j = float(est[j]), float(np.sqrt(v[j, j])), float(dfs[j])
            t_crit = stats.t.ppf(0.5 + level / 2, df_j)
            out.append(
                dict(
                    comparison=f"{a} - {b}",
                    estimate=e,
                    se=se,
                    df=df_j,
                    t=e / se,
                    p_unc=float(2 * stats.t.sf(abs(e / se), df_j)),
                )
                | dict(ci_low=e - t_crit * se, ci_high=e + t_crit * se, p_adj=float(p_adj[j]))
                | dict(ci_adj_low=float(lo_adj[j]), ci_adj_high=float(hi_adj[j]), adjust=self.applied(len(comparisons)))
            )
        return out
