"""DEBIT and percentage checks: binary variables printed as mean and SD, or as a percentage.

Trial tables print proportions (sex, smokers) as a percentage, a count with a percentage, or a
mean and SD of a 0/1 variable. For ``k`` ones among ``n`` values the mean is ``k / n`` and the
sample SD is ``sqrt(k (n - k) / (n (n - 1)))``; a printed pair is consistent when some ``k``
gives both after rounding (up or down at a 5).

References
----------
Heathers JAJ, Brown NJL (2019). DEBIT: A simple consistency test for binary data. OSF preprint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .rounding import printed_interval


@dataclass(frozen=True)
class BinaryResult:
    """Whether some count of ones ``k`` out of ``n`` gives the printed numbers, and which."""

    consistent: bool
    counts: tuple[int, ...]


def _counts_for_share(low: Fraction, high: Fraction, n: int) -> range:
    return range(max(math.ceil(low * n), 0), min(math.floor(high * n), n) + 1)


def debit(mean: str, sd: str, n: int) -> BinaryResult:
    """DEBIT: can ``n`` zeros and ones have this printed mean (a proportion) and sample SD?

    Examples
    --------
    >>> debit("0.35", "0.52", 20).consistent, debit("0.35", "0.49", 20).consistent
    (False, True)
    """
    if n < 2:
        return BinaryResult(False, ())
    m_low, m_high = printed_interval(mean)
    s_low, s_high = printed_interval(sd)
    s_low = max(s_low, Fraction(0))
    ok = tuple(
        k
        for k in _counts_for_share(m_low, m_high, n)
        if s_low * s_low <= Fraction(k * (n - k), n * (n - 1)) <= s_high * s_high
    )
    return BinaryResult(bool(ok), ok)


def percent_check(percent: str, n: int, count: str | None = None) -> BinaryResult:
    """Can ``count`` (if printed) of ``n`` give this printed percentage? (GRIM for a share.)

    Examples
    --------
    >>> percent_check("45.8", 24).counts, percent_check("45.0", 24).consistent
    ((11,), False)
    >>> percent_check("46", 24, count="11").consistent, percent_check("46", 24, count="12").consistent
    (True, False)
    """
    low, high = printed_interval(percent)
    ks = tuple(_counts_for_share(low / 100, high / 100, n))
    if count is not None:
        ks = tuple(k for k in ks if k == int(count))
    return BinaryResult(bool(ks), ks)
