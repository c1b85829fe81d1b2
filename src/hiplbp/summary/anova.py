"""The mixed ANOVA from summary statistics alone: cell sizes, means and SDs, at any correlation.

A split-plot ANOVA depends on the data only through each between cell's size, mean vector and
covariance matrix. Papers print sizes, means and SDs but not the correlation between visits, on
which every within-subject test depends. With the correlation ``rho`` assumed equal for every
pair of visits (so cell covariance ``S_g(rho) = D_g ((1 - rho) I + rho J) D_g``):

* each hypothesis SSP is a quadratic form in the cell means, ``H_t = (M C)' A_t (M C)``, where
  ``A_t`` depends only on the cell sizes and the design (weighted least squares on cell means);
* the residual SSP is ``E(rho) = sum_g (n_g - 1) C' S_g(rho) C = (1 - rho) E_0 + rho E_1``;

so ``F(rho) = (tr H_t / df1) / (tr E(rho) / df2)``, and the Greenhouse-Geisser epsilon needs only
``tr E(rho)^2``, a quadratic in ``rho``. Thousands of scenarios (correlations x assumed means)
are a few array operations, and the result is exact: data with these moments give the same F.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from ..stats.anova import design_matrix, orthonormal_contrasts, wide_complete


class SummaryDesign:
    """Everything of a split-plot ANOVA that does not depend on the means or the correlation.

    Parameters
    ----------
    cells : DataFrame
        One row per between cell: the factor columns, ``n``, and ``sd_<visit>`` per visit.
    between : sequence of str
        Between factors (cell columns), model order.
    time_levels : sequence of str
        Visits, in order.
    ss_type : {2, 3}
        Type of sums of squares.
    within : str
        Name of the within factor in source labels.
    """

    def __init__(
        self,
        cells: pd.DataFrame,
        between: Sequence[str],
        time_levels: Sequence[str],
        ss_type: int = 3,
        within: str = "time",
    ):
        self.between, self.time_levels, self.within = list(between), [str(t) for t in time_levels], within
        self.k = len(self.time_levels)
        self.n = cells["n"].to_numpy(float)
        self.sds = cells[[f"sd_{t}" for t in self.time_levels]].to_numpy(float)
        x, blocks = (
            design_matrix(cells[self.between].astype(str)) if self.between else (np.ones((len(cells), 1)), {(): [0]})
        )
        self.g = len(cells)
        if np.linalg.matrix_rank(x) < self.g:
            raise ValueError("summary ANOVA needs one row per cell of the full factorial design")
        self.df_err = int(self.n.sum()) - self.g
        w = np.sqrt(self.n)[:, None]
        xw = x * w
        self.terms: list[tuple[tuple[str, ...], int]] = []
        blocks_a: list[np.ndarray] = []
        for term, cols in blocks.items():
            if ss_type == 3:
                drop_b, drop_a = set(), set(cols)
            else:
                rel = {c for u, uc in blocks.items() if set(term) < set(u) for c in uc}
                drop_b, drop_a = rel, rel | set(cols)
            pa = self._proj(xw[:, [c for c in range(x.shape[1]) if c not in drop_a]])
            pb = self._proj(xw[:, [c for c in range(x.shape[1]) if c not in drop_b]])
            self.terms.append((term, len(cols)))
            blocks_a.append(w * (pb - pa) * w.T)
        self.a = np.array(blocks_a)  # (terms, g, g)
        c = orthonormal_contrasts(self.k)
        self.c = c
        self.q = c @ c.T
        one = np.full((self.k, 1), 1 / np.sqrt(self.k))
        nm1 = self.n - 1
        # E(rho) = (1 - rho) E0 + rho E1, for the within part (contrasts) and between part (total)
        self.e0_w = np.einsum("g,gk,kp,kq->pq", nm1, self.sds**2, c, c)
        self.e1_w = np.einsum("g,gk,gl,kp,lq->pq", nm1, self.sds, self.sds, c, c)
        self.e0_b = float(np.sum(nm1 * np.sum(self.sds**2, axis=1)) / self.k)
        self.e1_b = float(np.sum(nm1 * np.sum(self.sds, axis=1) ** 2) / self.k)
        self._tr_a0, self._tr_a1 = np.trace(self.e0_w @ self.e0_w), np.trace(self.e0_w @ self.e1_w)
        self._tr_b1 = np.trace(self.e1_w @ self.e1_w)
        self.one = one

    @staticmethod
    def _proj(x: np.ndarray) -> np.ndarray:
        if x.shape[1] == 0:
            return np.zeros((x.shape[0], x.shape[0]))
        return x @ np.linalg.pinv(x)

    def sources(self) -> list[str]:
        """Source labels in :func:`hiplbp.stats.anova.mixed_anova` order."""
        between = [":".join(t) for t, _ in self.terms if t]
        within = [":".join(list(t) + [self.within]) for t, _ in self.terms]
        return between + within

    def evaluate(self, means: np.ndarray, rho: npt.ArrayLike) -> dict[str, Any]:
        """F, df, p and GG epsilon of every source for each scenario.

        Parameters
        ----------
        means : ndarray, shape (S, g, k) or (g, k)
            Cell means per scenario.
        rho : ndarray, shape (S,) or scalar
            Correlation per scenario.

        Returns
        -------
        dict
            ``F``, ``p_unc``, ``p_gg``, ``eps_gg`` of shape (S, sources) and ``df1``, ``df2``
            of shape (sources,).
        """
        m = np.asarray(means, float)
        m = m[None] if m.ndim == 2 else m
        rho = np.broadcast_to(np.asarray(rho, float), (m.shape[0],))
        # hypothesis SS: between part on the scaled totals, within part on the contrasts
        tot = m @ self.one[:, 0]  # (S, g)
        ss_b = np.einsum("tgh,sg,sh->st", self.a, tot, tot)
        mc = m @ self.c  # (S, g, p)
        ss_w = np.einsum("tgh,sgp,shp->st", self.a, mc, mc)
        p = self.k - 1
        sse_b = (1 - rho) * self.e0_b + rho * self.e1_b
        tr_e = (1 - rho) * np.trace(self.e0_w) + rho * np.trace(self.e1_w)
        tr_e2 = (1 - rho) ** 2 * self._tr_a0 + 2 * rho * (1 - rho) * self._tr_a1 + rho**2 * self._tr_b1
        eps = tr_e**2 / (p * tr_e2)
        qs = np.array([q for _, q in self.terms], float)
        between_idx = [i for i, (t, _) in enumerate(self.terms) if t]
        f_b = (ss_b[:, between_idx] / qs[between_idx]) / (sse_b[:, None] / self.df_err)
        f_w = (ss_w / (qs * p)) / (tr_e[:, None] / (self.df_err * p))
        df1 = np.concatenate([qs[between_idx], qs * p])
        df2 = np.concatenate([np.full(len(between_idx), self.df_err), np.full(len(qs), self.df_err * p)])
        f = np.concatenate([f_b, f_w], axis=1)
        eps_all = np.concatenate(
            [np.full((len(rho), len(between_idx)), np.nan), np.repeat(eps[:, None], len(qs), axis=1)], axis=1
        )
        e = np.where(np.isnan(eps_all), 1.0, eps_all)
        return dict(
            F=f, df1=df1, df2=df2, p_unc=stats.f.sf(f, df1, df2), eps_gg=eps_all, p_gg=stats.f.sf(f, df1 * e, df2 * e)
        )


def cell_means(cells: pd.DataFrame, time_levels: Sequence[str]) -> np.ndarray:
    """The (g, k) matrix of cell means from ``mean_<visit>`` columns."""
    return cells[[f"mean_{t}" for t in time_levels]].to_numpy(float)


def summary_anova(
    cells: pd.DataFrame,
    between: Sequence[str],
    time_levels: Sequence[str],
    rho: float,
    ss_type: int = 3,
    within: str = "time",
) -> pd.DataFrame:
    """Mixed ANOVA computed from cell sizes, means and SDs with an assumed correlation.

    Parameters
    ----------
    cells : DataFrame
        One row per between cell: factor columns, ``n``, ``mean_<visit>`` and ``sd_<visit>``.
    between, time_levels, ss_type, within
        As :class:`SummaryDesign`.
    rho : float
        Correlation between any two visits within a subject.

    Returns
    -------
    DataFrame
        ``source, df1, df2, F, p_unc, eps_gg, p_gg`` as :func:`hiplbp.stats.anova.mixed_anova`.

    Examples
    --------
    >>> cells = pd.DataFrame({"arm": ["a", "b"], "n": [10, 12], "mean_t0": [50.0, 51.0],
    ...                       "mean_t1": [40.0, 48.0], "sd_t0": [9.0, 10.0], "sd_t1": [8.0, 9.5]})
    >>> summary_anova(cells, ["arm"], ["t0", "t1"], 0.5).source.tolist()
    ['arm', 'time', 'arm:time']
    """
    d = SummaryDesign(cells, between, time_levels, ss_type, within)
    r = d.evaluate(cell_means(cells, time_levels), rho)
    return pd.DataFrame(
        {
            "source": d.sources(),
            "df1": r["df1"].astype(int),
            "df2": r["df2"].astype(int),
            "F": r["F"][0],
            "p_unc": r["p_unc"][0],
            "eps_gg": r["eps_gg"][0],
            "p_gg": r["p_gg"][0],
        }
    )


def _complete_cells(
    data: pd.DataFrame, dv: str, between: Sequence[str], time_levels: Sequence[str]
) -> Iterator[tuple[tuple, pd.DataFrame]]:
    """Yield ``(cell key, complete subjects x visits)`` for every between cell of the canonical table."""
    wide, _ = wide_complete(data, dv, "time", "subject", between)
    keys = [wide[b] for b in between] if between else np.zeros(len(wide))
    for key, g in wide.groupby(keys, sort=True):
        yield (key if isinstance(key, tuple) else (key,)), g[[str(t) for t in time_levels]]


def cells_from_data(data: pd.DataFrame, dv: str, between: Sequence[str], time_levels: Sequence[str]) -> pd.DataFrame:
    """Cell sizes, means and SDs of complete cases: what a paper would print."""
    rows = []
    for key, g in _complete_cells(data, dv, between, time_levels):
        row = dict(zip(between, key, strict=False)) | {"n": len(g)}
        row |= {f"mean_{t}": g[t].mean() for t in g.columns} | {f"sd_{t}": g[t].std(ddof=1) for t in g.columns}
        rows.append(row)
    return pd.DataFrame(rows)


def pooled_correlation(data: pd.DataFrame, dv: str, between: Sequence[str], time_levels: Sequence[str]) -> float:
    """The one correlation with which the printed cells give the individual data's ANOVA.

    The summary ANOVA gives each cell the covariance ``S_g(rho) = D_g ((1 - rho) I + rho J) D_g``
    from its own SDs. Every F of the mixed ANOVA depends on the residual SSP only through the
    sum of its diagonal (fixed by the SDs) and the sum of its off-diagonal elements, pooled over
    cells (the between-subject error is ``1' E 1 / k``, the within-subject error
    ``tr E - 1' E 1 / k``). The ``rho`` that keeps the pooled within-cell covariances,

    ``rho* = sum_g (n_g - 1) sum_{k != l} s_gkl / sum_g (n_g - 1) sum_{k != l} s_gk s_gl``

    (complete cases), therefore reproduces every unadjusted F of the individual data exactly;
    Greenhouse-Geisser's epsilon, which depends on the whole matrix, is approximated. This is the
    correlation to mark as "observed" on individual data; the mean of the pairwise correlations
    is not it when SDs or correlations differ between visits.

    Examples
    --------
    >>> d = pd.DataFrame({"subject": [1, 1, 2, 2, 3, 3], "time": ["a", "b"] * 3, "y": [1., 2., 2., 4., 3., 3.]})
    >>> round(pooled_correlation(d, "y", [], ["a", "b"]), 6)
    0.5
    """
    off_cov, off_sd = 0.0, 0.0
    for _, g in _complete_cells(data, dv, between, time_levels):
        if len(g) < 2:
            continue
        cov = np.cov(g.to_numpy(float).T, ddof=1)
        sd = np.sqrt(np.diag(cov))
        off = ~np.eye(len(sd), dtype=bool)
        off_cov += (len(g) - 1) * cov[off].sum()
        off_sd += (len(g) - 1) * np.outer(sd, sd)[off].sum()
    return float(off_cov / off_sd)


def crossings(fn: Callable[[float], float], lo: float = 0.0, hi: float = 0.99, n: int = 199) -> list[float]:
    """Every ``x`` in ``[lo, hi]`` where ``fn(x)`` changes sign (grid bracketing, then Brent)."""
    xs = np.linspace(lo, hi, n)
    ys = np.array([fn(x) for x in xs])
    out = []
    for i in np.flatnonzero(np.sign(ys[:-1]) * np.sign(ys[1:]) < 0):
        out.append(float(optimize.brentq(fn, xs[i], xs[i + 1], xtol=1e-12)))
    return out
