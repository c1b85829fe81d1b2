"""GRIM, GRIMMER and SD bounds: necessary conditions on a printed mean and SD.

Each considers **every** total compatible with the printed mean and every sum of squares compatible
with the printed SD (:mod:`hiplbp.integrity.rounding`), so a sample that really exists is never
flagged, whatever the printed precision of its mean and SD. They remain necessary conditions only:
:func:`hiplbp.integrity.mean_sd.exact_consistency` decides exactly.

References
----------
Brown NJL, Heathers JAJ (2017). The GRIM test. Soc Psychol Personal Sci 8:363-369.
Anaya J (2016). The GRIMMER test. PeerJ Preprints 4:e2400v1; Allard A (2018), Analytic-GRIMMER.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..trial.published import decimals
from .rounding import Step, levels, max_sumsq, min_sumsq, printed_interval, step, sumsq_window, totals


@dataclass(frozen=True)
class GrimResult:
    """Outcome of a GRIM check: consistency, whether the test could detect anything, sums."""

    consistent: bool
    informative: bool
    sums: tuple[int, ...]
    nearest: float


def grim(mean: str, n: int, granularity: Step = 1, items: int = 1) -> GrimResult:
    """GRIM: can ``n`` values on a scale of step ``granularity`` have this printed mean?

    Parameters
    ----------
    mean : str
        The mean as printed (``"53.89"``); its decimals set the precision.
    n : int
        Sample size.
    granularity : number, fraction or text
        Step of each value (1 for whole numbers, 2 for even percentages, ``"1/3"`` for the mean of
        three whole-number items), exact (:func:`~hiplbp.integrity.rounding.step`).
    items : int
        Items averaged into each value (the step of a value is ``granularity / items``).

    Returns
    -------
    GrimResult
        ``consistent``; ``informative`` is False when the step of the mean, ``granularity /
        (items n)``, is at most the printed resolution (then every mean is possible);
        ``sums`` are **all** attainable totals (in steps) whose mean prints as ``mean``;
        ``nearest`` is the attainable mean closest to the printed one.

    Examples
    --------
    The example of Brown & Heathers: a mean of 5.19 from 28 whole numbers is impossible.

    >>> grim("5.19", 28).consistent, grim("5.21", 28).consistent
    (False, True)
    >>> grim("5.2", 20).sums  # rsprite2: totals 103, 104, 105
    (103, 104, 105)

    A mean of 3 items from 8 people moves in steps of 1/24: 3/24 = 0.125 prints as 0.13 (half up)
    or 0.12 (half to even), and both are possible.

    >>> grim("0.13", 8, items=3).consistent, grim("0.12", 8, "1/3").consistent, grim("0.14", 8, "1/3").consistent
    (True, True, False)
    """
    unit = step(granularity) / items
    sums = tuple(totals(mean, n, unit))
    m = Fraction(str(mean).strip())
    centre = m * n / unit
    nearest = min((math.floor(centre), math.ceil(centre)), key=lambda k: abs(k - centre))
    resolution = Fraction(1, 10 ** (decimals(mean) or 0))
    return GrimResult(bool(sums), unit / n > resolution, sums, float(nearest * unit / n))


@dataclass(frozen=True)
class GrimmerResult:
    """Outcome of GRIMMER: which of its tests fail (``n``, ``grim``, ``range``, ``parity``)."""

    consistent: bool
    failed: str


def grimmer(mean: str, sd: str, n: int, granularity: Step = 1) -> GrimmerResult:
    """GRIMMER: is the printed SD possible for ``n`` values of this granularity and this mean?

    For every total ``S`` GRIM allows, an integer sum of squares ``Q`` (in steps) must give an SD
    that prints as ``sd`` (tests 1-2: ``range``), and ``Q`` must have the parity of ``S`` (test 3:
    ``parity``), since ``x^2`` and ``x`` have the same parity.

    Returns
    -------
    GrimmerResult
        ``failed`` is ``""`` when consistent, else the first test no total passes: ``n`` (an SD
        needs two values), ``grim``, ``range`` or ``parity``.

    Examples
    --------
    >>> grimmer("5.21", "1.6", 28).consistent, grimmer("3.44", "2.47", 18)
    (True, GrimmerResult(consistent=False, failed='parity'))
    >>> grimmer("5", "1.92", 8).consistent  # the sample 1,4,4,4,5,5,7,7
    True
    """
    if n < 2:
        return GrimmerResult(False, "n")
    g = grim(mean, n, granularity)
    if not g.consistent:
        return GrimmerResult(False, "grim")
    worst = "range"
    for total in g.sums:
        first, last = sumsq_window(sd, n, total, granularity)
        if first > last:
            continue
        if first < last or first % 2 == total % 2:
            return GrimmerResult(True, "")
        worst = "parity"
    return GrimmerResult(False, worst)


@dataclass(frozen=True)
class SdBoundsResult:
    """Smallest and largest SD possible with the printed mean, and whether the printed SD fits."""

    consistent: bool
    low: float
    high: float


def sd_bounds(mean: str, sd: str | None, n: int, lo: float, hi: float, granularity: Step = 1) -> SdBoundsResult:
    """SD bounds of ``n`` values in ``[lo, hi]`` (step ``granularity``) whose mean prints as ``mean``.

    Notes
    -----
    For a total ``S`` the SD is smallest when the values are as equal as integers allow (each one
    of the two steps around the mean) and largest when as many as possible sit at the bounds (all
    but one at ``lo`` or ``hi``). The printed SD is consistent when its rounding interval meets
    ``[SD_min(S), SD_max(S)]`` for some total ``S`` the printed mean allows; ``low`` and ``high``
    are the extremes over those totals.

    Examples
    --------
    rsprite2's ``.sd_limits``: n = 5, mean 4.2 on 1-7.

    >>> r = sd_bounds("4.2", None, 5, 1, 7)
    >>> round(r.low, 2), round(r.high, 2)
    (0.45, 3.03)
    >>> sd_bounds("3.0", "1.74", 29, 0, 4).consistent  # total 88 allows it
    True
    >>> sd_bounds("1.2", "0.3", 57, 0, 10).consistent  # below any integer sample's SD
    False
    """
    top = levels(lo, hi, granularity)
    if n < 2:
        return SdBoundsResult(False, math.nan, math.nan)
    # var = g^2 D / (n (n - 1)) with D = n Q - S^2: compare integers, free of rounding
    g2 = step(granularity) ** 2
    sd_low, sd_high = printed_interval(sd) if sd is not None else (Fraction(0), None)
    denom = n * (n - 1)
    d_lo = max(sd_low, Fraction(0)) ** 2 * denom / g2  # D must be >= d_lo and <= d_hi
    d_hi = sd_high**2 * denom / g2 if sd_high is not None else None
    consistent, d_min, d_max = False, None, None
    for total in totals(mean, n, granularity, lo, hi):
        low_d = n * min_sumsq(n, total) - total * total
        high_d = n * max_sumsq(n, total, top) - total * total
        d_min = low_d if d_min is None else min(d_min, low_d)
        d_max = high_d if d_max is None else max(d_max, high_d)
        consistent = consistent or (high_d >= d_lo and (d_hi is None or low_d <= d_hi))
    if d_min is None or d_max is None:
        return SdBoundsResult(False, math.nan, math.nan)
    scale = float(g2) / denom
    return SdBoundsResult(consistent, math.sqrt(d_min * scale), math.sqrt(d_max * scale))
