"""Reported tests recomputed from their own printed numbers (as statcheck does for psychology).

A paper prints a statistic (F, t or chi-square) with its df and a p value. The statistic is
rounded, and the denominator df is often not printed (or depends on which patients entered the
analysis), so the printed statistic implies a *range* of p: over the statistic's rounding interval
and over every df the design and the printed n allow (and, for repeated measures, over any
sphericity correction the authors may have applied). A printed p is inconsistent only if its own
rounding interval (or its inequality, ``<.001``) lies outside that whole range.

References
----------
Nuijten MB et al. (2016). The prevalence of statistical reporting errors in psychology
(1985-2013). Behav Res Methods 48:1205-1226 (statcheck).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..text import plain
from ..trial.published import decimals

_P = re.compile(r"^\s*(?:p\s*)?(<=|>=|≤|≥|<|>|=)?\s*(0?\.\d+|1(?:\.0+)?|0)\s*$", re.I)


@dataclass(frozen=True)
class PrintedP:
    """A printed p value as an interval: ``=`` gives its rounding interval, ``<``/``>`` a bound."""

    low: float
    high: float
    text: str

    def meets(self, p_low: float, p_high: float) -> bool:
        """Whether some p in ``[p_low, p_high]`` prints as this one.

        Examples
        --------
        >>> parse_p(".04").meets(0.044, 0.06), parse_p("<.001").meets(0.002, 0.01)
        (True, False)
        """
        return self.low <= p_high + 1e-12 and self.high >= p_low - 1e-12


def parse_p(text: str) -> PrintedP | None:
    """Read a p value as printed (``.04``, ``0.04``, ``<.001``, ``< 0.05``, ``=.31``, ``>.05``).

    Returns None for text that states no number (``ns``, ``*``, empty).

    Examples
    --------
    >>> parse_p(".04"), parse_p("<.001")
    (PrintedP(low=0.035, high=0.045, text='.04'), PrintedP(low=0.0, high=0.001, text='<.001'))
    >>> parse_p("ns") is None
    True
    """
    m = _P.match(str(text))
    if not m:
        return None
    rel, number = m.group(1) or "=", m.group(2)
    value = float(number)
    if rel in ("<", "<=", "≤"):
        return PrintedP(0.0, value, str(text))
    if rel in (">", ">=", "≥"):
        return PrintedP(value, 1.0, str(text))
    half = 0.5 * 10.0 ** -(decimals(number) or 0)
    return PrintedP(max(value - half, 0.0), min(value + half, 1.0), str(text))


@dataclass(frozen=True)
class RecomputedTest:
    """The p range a printed statistic implies, and whether the printed p fits in it."""

    consistent: bool | None
    p_low: float
    p_high: float
    explanation: str


def _p(kind: str, stat: float, df1: float, df2: float) -> float:
    if kind == "F":
        return float(stats.f.sf(stat, df1, df2))
    if kind == "t":
        return float(2 * stats.t.sf(abs(stat), df2))
    if kind == "chi2":
        return float(stats.chi2.sf(stat, df1))
    raise ValueError(f"unknown test statistic {kind!r}; expected F, t or chi2")


def recompute_p(
    kind: str,
    statistic: str,
    dfs: Sequence[tuple[float, float]],
    p: str,
    *,
    epsilon: tuple[float, float] = (1.0, 1.0),
) -> RecomputedTest:
    """Range of p implied by a printed statistic and every allowed df; is the printed p in it?

    Parameters
    ----------
    kind : {"F", "t", "chi2"}
        The statistic (``t`` two-sided; for ``t`` only ``df2`` is used, for ``chi2`` only ``df1``).
    statistic : str
        As printed (its decimals set its rounding interval).
    dfs : sequence of (df1, df2)
        Every df pair the design and the printed n allow (e.g. complete cases and all
        randomised, with and without the patients lost at the last visit).
    p : str
        The p value as printed.
    epsilon : (low, high)
        Range of a sphericity correction that scales both df (Greenhouse-Geisser: ``1 / (k - 1)``
        to 1); ``(1, 1)`` for none.

    Returns
    -------
    RecomputedTest
        ``consistent`` is None when the printed p states no number.

    Notes
    -----
    For fixed df, p decreases as the statistic grows, so the rounding interval's ends bound it; the
    df and the correction enter through a grid (both ends and 32 points between), since p is not
    monotone in them in general.

    Examples
    --------
    >>> r = recompute_p("F", "4.35", [(1, 20)], ".05")
    >>> r.consistent, round(r.p_low, 4), round(r.p_high, 4)
    (True, 0.0499, 0.0501)
    >>> recompute_p("F", "75.92", [(2, 92)], ".04").consistent
    False
    """
    printed = parse_p(p)
    value = float(statistic)
    half = 0.5 * 10.0 ** -(decimals(statistic) or 0)
    # a t is two-sided: only its size matters
    lo_stat, hi_stat = max(abs(value) - half, 0.0), abs(value) + half
    eps = np.unique(np.linspace(epsilon[0], epsilon[1], 34))
    ps = [_p(kind, s, df1 * e, df2 * e) for df1, df2 in dfs for e in eps for s in (lo_stat, hi_stat)]
    p_low, p_high = min(ps), max(ps)
    shown = f"{kind} = {statistic} gives p in [{plain(p_low, 4)}, {plain(p_high, 4)}]"
    if printed is None:
        return RecomputedTest(None, p_low, p_high, f"{shown}; the printed p '{p}' states no number to compare.")
    ok = printed.meets(p_low, p_high)
    verdict = "fits" if ok else "is outside that range"
    return RecomputedTest(ok, p_low, p_high, f"{shown} over the df allowed; the printed p {p} {verdict}.")
