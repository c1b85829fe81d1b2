"""Paired t from printed summaries: the test of a change at an assumed correlation, and its threshold.

A paired t of a change from ``m1`` (SD ``s1``) to ``m2`` (SD ``s2``) in ``n`` subjects depends on
the unprinted correlation between the visits through the SD of the change,
``sqrt(s1^2 + s2^2 - 2 rho s1 s2)``; :func:`paired_t_threshold` is the correlation at which it
becomes significant.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def paired_t_threshold(n: int, m1: float, s1: float, m2: float, s2: float, alpha: float) -> float:
    """Smallest correlation at which a paired t-test of two visits' means is significant.

    Notes
    -----
    ``t = (m1 - m2) / sqrt((s1^2 + s2^2 - 2 rho s1 s2) / n)`` with ``n - 1`` df; solving
    ``|t| = t_crit`` for ``rho`` gives ``rho* = (s1^2 + s2^2 - n (m1 - m2)^2 / t_crit^2) / (2 s1 s2)``.
    Below ``rho*`` the change is not significant. Returns -inf when it is significant for every
    correlation, +inf when for none.
    """
    tc = stats.t.ppf(1 - alpha / 2, n - 1)
    r = (s1**2 + s2**2 - n * (m1 - m2) ** 2 / tc**2) / (2 * s1 * s2)
    return float(-np.inf if r < -1 else (np.inf if r > 1 else r))


def paired_t(n: float, m0: float, s0: float, mt: float, st: float, rho: float) -> tuple[float, float, float]:
    """Paired t of the change ``m_t - m_0`` from summaries at correlation ``rho``: ``(t, df, p)``.

    The sign is the change's (negative for a decrease); two-sided p on ``n - 1`` df.

    Examples
    --------
    >>> t, df, p = paired_t(10, 50.0, 10.0, 45.0, 10.0, 0.5)
    >>> round(t, 6), df
    (-1.581139, 9.0)
    """
    var = s0**2 + st**2 - 2 * rho * s0 * st
    t = (mt - m0) / np.sqrt(var / n)
    return float(t), float(n - 1), float(2 * stats.t.sf(abs(t), n - 1))
