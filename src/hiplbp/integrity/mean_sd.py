"""Exact consistency of a printed mean and SD: does any sample of ``n`` scale values produce them?

GRIM, GRIMMER and SD bounds are necessary conditions; a pair can pass all three and still be
impossible (e.g. ``"1.2"``, ``"0.3"``, ``n = 57`` on an integer scale passes GRIMMER). This test
decides exactly, for an integer-valued bounded measure: values ``lo + g y`` with ``0 <= y <= K``.

Method
------
For every total ``S`` the printed mean allows and every sum of squares ``Q`` in the printed SD's
window (:mod:`hiplbp.integrity.rounding`), a depth-first search chooses how many values sit at
each level, from ``K`` down to ``0``. A branch is pruned as soon as the values still to place
cannot reach the remaining total and sum of squares: with ``r`` values in ``[0, v]`` summing to
``s`` the sum of squares lies between the balanced minimum and the extreme maximum and has the
parity of ``s``. Those bounds ignore the gaps in between (three values summing to 3 give 3, 5 or
9, never 7), so the search, not the bounds, decides; failed states are memoised. The search stops
at the first sample found, which is returned as a certificate (its mean and SD can be checked by
hand). It is exact; its only limit is time, so it gives up after ``budget`` search nodes and says
``undecided`` rather than guess. Measured limits: ``benchmarks/integrity.py``.

References
----------
Heathers JAJ et al. (2018). Recovering data from summary statistics: Sample Parameter
Reconstruction via Iterative TEchniques (SPRITE). PeerJ Preprints 6:e26968v1 (a stochastic
search for the same question, which can find a sample but never prove there is none).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from .rounding import Step, levels, max_sumsq, min_sumsq, sumsq_window, totals

POSSIBLE, IMPOSSIBLE, UNDECIDED = "possible", "impossible", "undecided"


@dataclass(frozen=True)
class ExactResult:
    """Verdict of :func:`exact_consistency`.

    Attributes
    ----------
    verdict : str
        ``possible`` (a sample exists: ``witness``), ``impossible`` (none exists) or
        ``undecided`` (the search budget ran out).
    witness : tuple of int
        A sample on the step scale (``y``; the values are ``lo + g y``), sorted; empty unless
        possible.
    nodes : int
        Search nodes visited.
    """

    verdict: str
    witness: tuple[int, ...] = field(default=())
    nodes: int = 0


class _Budget(Exception):
    pass


def _window(r: int, s: int, top: int, q_lo: int, q_hi: int) -> tuple[int, int] | None:
    """The part of ``[q_lo, q_hi]`` that ``r`` values in ``[0, top]`` summing to ``s`` may reach."""
    if r == 0:
        return (0, 0) if s == 0 and q_lo <= 0 <= q_hi else None
    if s < 0 or s > r * top:
        return None
    lo_q = max(q_lo, min_sumsq(r, s))
    hi_q = min(q_hi, max_sumsq(r, s, top))
    lo_q += (lo_q - s) % 2  # a sum of squares has the parity of the sum
    hi_q -= (hi_q - s) % 2
    return (lo_q, hi_q) if lo_q <= hi_q else None


class _Search:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.nodes = 0
        self.failed: set[tuple[int, int, int, int, int]] = set()

    def solve(self, v: int, r: int, s: int, q_lo: int, q_hi: int) -> list[int] | None:
        """Counts at levels ``v, v-1, ..., 0`` of ``r`` values with sum ``s`` and Q in the window."""
        w = _window(r, s, v, q_lo, q_hi)
        if w is None:
            return None
        q_lo, q_hi = w
        if r == 0:
            return [0] * (v + 1)
        if v == 0:
            return [r]
        key = (v, r, s, q_lo, q_hi)
        if key in self.failed:
            return None
        self.nodes += 1
        if self.nodes > self.budget:
            raise _Budget
        sq = v * v
        options = [
            c
            for c in range(min(r, s // v) + 1)
            if _window(r - c, s - c * v, v - 1, q_lo - c * sq, q_hi - c * sq) is not None
        ]
        # middle of the feasible counts first: it leaves the most room below
        mid = (options[0] + options[-1]) / 2 if options else 0
        for c in sorted(options, key=lambda c: (abs(c - mid), c)):
            rest = self.solve(v - 1, r - c, s - c * v, q_lo - c * sq, q_hi - c * sq)
            if rest is not None:
                return [c, *rest]
        self.failed.add(key)
        return None


def exact_consistency(
    mean: str, sd: str, n: int, lo: float, hi: float, granularity: Step = 1, *, budget: int = 200_000
) -> ExactResult:
    """Whether ``n`` values ``lo + granularity * y`` in ``[lo, hi]`` can have this printed mean and SD.

    Parameters
    ----------
    mean, sd : str
        As printed; their decimals set the rounding intervals (rounded up or down at a 5).
    n : int
        Sample size (an SD needs ``n >= 2``).
    lo, hi : float
        The scale's bounds; ``hi - lo`` must be a whole number of steps.
    granularity : number, fraction or text
        Step of one value, exact (``"1/3"``: the mean of three whole-number items).
    budget : int
        Search nodes before giving up with ``undecided``.

    Returns
    -------
    ExactResult

    Examples
    --------
    >>> exact_consistency("1.2", "0.3", 57, 0, 10).verdict  # passes GRIMMER, yet impossible
    'impossible'
    >>> r = exact_consistency("5", "1.92", 8, 1, 7)
    >>> r.verdict, r.witness  # the values are 1 + y
    ('possible', (0, 2, 3, 4, 4, 5, 5, 6))
    >>> exact_consistency("1.0", "1.41", 3, 0, 3).verdict  # totals 3 with Q = 7: a gap
    'impossible'
    """
    if n < 2:
        return ExactResult(IMPOSSIBLE)
    top = levels(lo, hi, granularity)
    search = _Search(budget)
    # one stack frame per level of the scale (a 0-200 cm scale in mm has 2001)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, top + 200))
    try:
        for total in totals(mean, n, granularity, lo, hi):
            q_lo, q_hi = sumsq_window(sd, n, total, granularity)
            counts = search.solve(top, n, total, q_lo, q_hi)
            if counts is not None:
                # counts[i] is the number of values at level top - i
                witness = tuple(sorted(level for i, c in enumerate(counts) for level in [top - i] * c))
                return ExactResult(POSSIBLE, witness, search.nodes)
    except _Budget:
        return ExactResult(UNDECIDED, (), search.nodes)
    finally:
        sys.setrecursionlimit(limit)
    return ExactResult(IMPOSSIBLE, (), search.nodes)
