"""Consistency checks of published summary statistics: GRIM, GRIMMER, SD bounds, Carlisle.

Each works from what a paper prints: a mean or SD as text (its printed precision is part of the
evidence), a sample size, and the measurement's granularity (VAS in whole mm: 1; a 10-section
Oswestry index in percent: 2). Rounding is taken as "up or down" at a printed 5, as the GRIM and
GRIMMER authors do, so a check fails only when no rounding convention could explain a value.

References
----------
Brown NJL, Heathers JAJ (2017). The GRIM test. Soc Psychol Personal Sci 8:363-369.
Anaya J (2016). The GRIMMER test. PeerJ Preprints 4:e2400v1; Allard A (2018), Analytic-GRIMMER.
Carlisle JB, Loadsman JA (2017). Evidence for non-random sampling in randomised, controlled trials
by Yuhji Saitoh. Anaesthesia 72:17-27.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from .published import decimals, half_unit, rounds_to


def _half(text: str) -> float:
    return half_unit(decimals(text) or 0)


@dataclass(frozen=True)
class GrimResult:
    """Outcome of a GRIM check: consistency, whether the test could detect anything, sums."""

    consistent: bool
    informative: bool
    sums: tuple[int, ...]
    nearest: float


def grim(mean: str, n: int, granularity: float = 1.0, items: int = 1) -> GrimResult:
    """GRIM: can ``n`` values on a scale of step ``granularity`` have this printed mean?

    Parameters
    ----------
    mean : str
        The mean as printed (``"53.89"``); its decimals set the precision.
    n : int
        Sample size.
    granularity : float
        Step of each value (1 for whole numbers, 2 for even percentages).
    items : int
        Items averaged into each value (the step of a value is ``granularity / items``).

    Returns
    -------
    GrimResult
        ``consistent``; ``informative`` is False when the step of the mean, ``granularity /
        (items n)``, is at most the printed resolution (then every mean is possible);
        ``sums`` are the attainable totals (in steps) matching the mean; ``nearest`` is the
        attainable mean closest to the printed one.

    Examples
    --------
    The example of Brown & Heathers: a mean of 5.19 from 28 whole numbers is impossible.

    >>> grim("5.19", 28).consistent, grim("5.21", 28).consistent
    (False, True)
    """
    m, h = float(mean), _half(mean)
    unit = granularity / items
    centre = m * n / unit
    ks = np.arange(int(np.floor(centre)) - 2, int(np.ceil(centre)) + 3)
    means = ks * unit / n
    ok = rounds_to(means, m, decimals(mean) or 0)
    nearest = float(means[np.argmin(np.abs(means - m))])
    return GrimResult(bool(ok.any()), unit / n > 2 * h + 1e-12, tuple(int(k) for k in ks[ok]), nearest)


@dataclass(frozen=True)
class GrimmerResult:
    """Outcome of GRIMMER: which of its tests fail (``grim``, ``range``, ``sd``, ``parity``)."""

    consistent: bool
    failed: str


def grimmer(mean: str, sd: str, n: int, granularity: float = 1.0) -> GrimmerResult:
    """GRIMMER: is the printed SD possible for ``n`` values of this granularity and this mean?

    For each total ``S`` GRIM allows, the sum of squares ``Q`` (in steps) must be an integer
    with ``(Q - S^2 / n) / (n - 1)`` inside the SD's rounding interval (test 1: some integer
    ``Q`` in the interval; test 2: one whose SD rounds to the printed SD), and ``Q`` must have
    the parity of ``S`` (test 3), since ``x^2`` and ``x`` have the same parity.

    Returns
    -------
    GrimmerResult
        ``failed`` is ``""`` when consistent, else the first test no total passes: ``grim``,
        ``range`` (tests 1-2) or ``parity`` (test 3 only).

    Examples
    --------
    >>> grimmer("5.21", "1.6", 28).consistent, grimmer("3.44", "2.47", 18).consistent
    (True, False)
    """
    g = grim(mean, n, granularity)
    if not g.consistent:
        return GrimmerResult(False, "grim")
    s_val, h = float(sd) / granularity, _half(sd) / granularity
    lo_sd, hi_sd = max(s_val - h, 0.0), s_val + h
    worst = "range"
    for total in g.sums:
        mean_u = total / n
        q_lo = (n - 1) * lo_sd**2 + n * mean_u**2
        q_hi = (n - 1) * hi_sd**2 + n * mean_u**2
        qs = np.arange(int(np.ceil(q_lo - 1e-9)), int(np.floor(q_hi + 1e-9)) + 1)
        if qs.size == 0:
            continue
        pred = np.sqrt(np.maximum(qs - n * mean_u**2, 0) / (n - 1))
        in_range = np.abs(pred - s_val) <= h + 1e-9
        if not in_range.any():
            continue
        if np.any(in_range & (qs % 2 == total % 2)):
            return GrimmerResult(True, "")
        worst = "parity"
    return GrimmerResult(False, worst)


def sd_bounds(mean: float, n: int, lo: float, hi: float, granularity: float = 1.0) -> tuple[float, float]:
    """Smallest and largest SD of ``n`` values on ``[lo, hi]`` (step ``granularity``) with this mean.

    Notes
    -----
    With the total fixed, the SD is smallest when every value is one of the two steps around the
    mean, ``sqrt(n f (1 - f) / (n - 1))`` steps with ``f`` the fractional part of the mean, and
    largest when all values but one sit at the bounds.

    Examples
    --------
    >>> tuple(round(v, 2) for v in sd_bounds(4.2, 5, 1, 7))
    (0.45, 3.03)
    """
    total = round((mean - lo) * n / granularity)  # steps above lo, summed
    span = round((hi - lo) / granularity)
    f = total % n
    low = granularity * np.sqrt(n * (f / n) * (1 - f / n) / (n - 1))
    at_hi, rest = divmod(total, span) if span else (0, 0)
    at_hi = min(at_hi, n)
    vals = np.zeros(n)
    vals[:at_hi] = span
    if at_hi < n:
        vals[at_hi] = rest
    high = granularity * float(np.std(vals, ddof=1))
    return float(low), high


def carlisle_p(
    n: Sequence[int], means: Sequence[str], sds: Sequence[str], *, draws: int = 10_000, seed: int = 0
) -> float:
    """p of the spread of baseline means across groups, from rounded summaries (Carlisle & Loadsman).

    The Monte Carlo of Carlisle & Loadsman (2017, Appendix S1): the groups are taken as samples of
    one population, with the n-weighted mean and SD of the printed summaries. Each draw takes a
    population mean from its sampling distribution, then each group's mean from
    ``N(population mean, SD^2 / n_i)`` rounded to the decimals printed for that group. The
    statistic is the sum of squared differences between the group means and their n-weighted mean.

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

    Returns
    -------
    float
        ``1 - F``, with ``F = (P(T < t) + P(T <= t)) / 2`` the mid-p of Carlisle & Loadsman: small
        when the means are further apart than random sampling gives, near 1 when they are closer
        (printed means that are equal give ties, which the mid-p splits). Without rounding and with
        two groups it is the two-sided z-test of the difference with the pooled SD.

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
    pooled_sd = float(np.sqrt(np.sum(nn * s**2) / total))
    rng = np.random.default_rng(seed)
    population = rng.normal(pooled_mean, pooled_sd / np.sqrt(nn.mean()), draws)
    simulated = rng.normal(population[:, None], pooled_sd / np.sqrt(nn)[None, :])
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
