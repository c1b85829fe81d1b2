"""Carlisle & Loadsman's Monte Carlo test of baseline means, and Stouffer's combination.

No published p value of the method is reachable to test against (Carlisle 2017 Appendix S1;
Carlisle & Loadsman 2017 Table 1), so it is tested by its properties: Student's t-test as its limit
without rounding, the F test for three arms, uniformity under randomization, the exact tie
probability of identical printed means, and Stouffer's closed form (``tests/test_integrity.py``).

References
----------
Carlisle JB, Loadsman JA (2017). Evidence for non-random sampling in randomised, controlled trials
by Yuhji Saitoh. Anaesthesia 72:17-27.
Stouffer SA et al. (1949). The American Soldier, vol. 1. Princeton University Press.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import stats

from ..trial.published import decimals


def carlisle_p(
    n: Sequence[int],
    means: Sequence[str],
    sds: Sequence[str],
    *,
    draws: int = 10_000,
    seed: int = 0,
    draw_sd: bool = True,
) -> float:
    """p of the spread of baseline means across groups, from rounded summaries (Carlisle & Loadsman).

    The Monte Carlo of Carlisle & Loadsman (2017, Appendix S1): the groups are taken as samples of
    one population, with the n-weighted mean and the pooled within-group SD ``s`` of the printed
    summaries (``df = N - k``). Each draw takes an SD ``sigma = s sqrt(df / chi2_df)``, a population
    mean from its sampling distribution, then each group's mean from ``N(population mean,
    sigma^2 / n_i)`` rounded to the decimals printed for that group. The statistic is the sum of
    squared differences between the group means and their n-weighted mean.

    Drawing the SD is the one departure from the appendix, which fixes it at the printed value: that
    makes the test a z-test of a statistic that is t-distributed, so every trial's p is too small
    in the "different" tail and Stouffer's combination of a trial's variables too extreme in both
    (about 5.2 % flagged per tail at the 5 % level in ``benchmarks/screen.py``'s trials of 40-160
    patients). With the SD drawn, the test without rounding is exactly Student's pooled t-test for
    two groups and the one-way ANOVA F test for more.

    Parameters
    ----------
    n : sequence of int
        Group sizes (two or more groups).
    means, sds : sequence of str
        Means and SDs as printed; the decimals of each mean set the rounding of its simulations.
    draws : int
        Monte Carlo draws.
    seed : int
        Seed of the draws.
    draw_sd : bool
        Draw the SD from its sampling distribution (default). False is the appendix's procedure,
        the SD fixed at ``sqrt(sum n_i s_i^2 / N)`` (a z-test without rounding), kept for
        comparison (``benchmarks/carlisle_null.py``).

    Returns
    -------
    float
        ``1 - F``, with ``F = (P(T < t) + P(T <= t)) / 2`` the mid-p of Carlisle & Loadsman: small
        when the means are further apart than random sampling gives, near 1 when they are closer
        (printed means that are equal give ties, which the mid-p splits). Without rounding it is the
        p of the pooled two-sample t-test (two groups) or the one-way ANOVA F test (more).

    Notes
    -----
    Rounded means are compared in integer units of the finest printed decimal, scaled by the total
    n, so that ties are exact rather than at the mercy of floating point.

    Examples
    --------
    Two arms whose printed means are identical are as alike as rounding allows:

    >>> carlisle_p([20, 20], ["170", "170"], ["6", "6"], draws=20_000, seed=1) > 0.8
    True
    """
    nn = np.asarray(n, dtype=np.int64)
    dec = np.array([decimals(m) or 0 for m in means])
    m = np.array([float(x) for x in means])
    s = np.array([float(x) for x in sds])
    total = int(nn.sum())
    pooled_mean = float(np.sum(nn * m) / total)
    df = total - len(nn)
    # the appendix pools sum(n s^2) / N; the t and F limits need sum((n - 1) s^2) / (N - k)
    pooled_sd = float(np.sqrt(np.sum((nn - 1) * s**2) / df if draw_sd else np.sum(nn * s**2) / total))
    rng = np.random.default_rng(seed)
    # the SD is itself an estimate: each draw takes one from its sampling distribution (s^2 df / chi2),
    # so that without rounding the test is Student's t (or the F test), not a z-test that flags
    # small trials more often than its level
    sigma = pooled_sd * (np.sqrt(df / rng.chisquare(df, draws)) if draw_sd else np.ones(draws))
    population = rng.normal(pooled_mean, sigma / np.sqrt(nn.mean()))
    simulated = rng.normal(population[:, None], sigma[:, None] / np.sqrt(nn)[None, :])
    finest = int(dec.max())
    # a common offset keeps the integers small; deviations do not depend on it
    offset = round(pooled_mean * 10**finest)
    units = np.rint(simulated * 10.0**dec).astype(np.int64) * 10 ** (finest - dec) - offset
    observed = np.rint(m * 10.0**finest).astype(np.int64) - offset

    def spread(u: np.ndarray) -> np.ndarray:
        # total^2 times the sum of squared deviations from the n-weighted mean, exact in integers
        dev = total * u - (u * nn).sum(axis=-1, keepdims=True)
        return (dev**2).sum(axis=-1)

    t_sim, t_obs = spread(units), spread(observed)
    above = int(np.sum(t_sim > t_obs))
    at_least = int(np.sum(t_sim >= t_obs))
    return (above + at_least) / (2 * draws)


def stouffer(p: npt.ArrayLike) -> tuple[float, float, float]:
    """Stouffer's combination of baseline p values, in both tails.

    Returns
    -------
    (z, p_different, p_similar)
        ``z = sum Phi^{-1}(1 - p_i) / sqrt(k)``: large when the groups differ more than chance
        allows (``p_different = 1 - Phi(z)``), very negative when they are more alike than chance
        allows (``p_similar = Phi(z)``).
    """
    # p = 0 or 1 would give an infinite z; the clip keeps one extreme variable from deciding alone
    res = stats.combine_pvalues(np.clip(np.asarray(p, float), 1e-300, 1 - 1e-16), method="stouffer")
    z = float(res.statistic)
    return z, float(res.pvalue), float(stats.norm.cdf(z))
