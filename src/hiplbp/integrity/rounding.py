"""What a printed number allows: every total and sum of squares compatible with its rounding.

A mean printed as ``"5.19"`` is any value in ``[5.185, 5.195]`` (rounded up or down at a printed 5,
as the GRIM and GRIMMER authors allow), so ``n`` values in steps of ``g`` may have any total ``S``
(in steps) with ``g S / n`` in that interval; an SD printed as ``"1.92"`` allows every integer sum of
squares ``Q`` (in steps) with ``g sqrt((Q - S^2/n) / (n - 1))`` in ``[1.915, 1.925]``. The bounds
are computed in exact rational arithmetic, so no float can make a boundary value fall out.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TypeAlias

from ..trial.published import decimals

#: A step of one value: a number, an exact fraction, or its text (``"1/3"``, ``"0.5"``).
Step: TypeAlias = int | float | str | Fraction


def printed_interval(text: str) -> tuple[Fraction, Fraction]:
    """The closed interval of true values that print as ``text``.

    Examples
    --------
    >>> [str(x) for x in printed_interval("5.19")]
    ['1037/200', '1039/200']
    >>> [float(x) for x in printed_interval("0.3")]
    [0.25, 0.35]
    """
    value = Fraction(str(text).strip())
    half = Fraction(1, 2 * 10 ** (decimals(text) or 0))
    return value - half, value + half


def step(granularity: Step) -> Fraction:
    """A granularity as an exact fraction (``0.1`` is one tenth, not its binary neighbour; a
    fraction such as ``"1/3"`` or ``Fraction(1, 7)``, the step of a mean of 3 or 7 items, exactly).

    Examples
    --------
    >>> step(0.1), step(2), step("1/3"), step(Fraction(1, 7))
    (Fraction(1, 10), Fraction(2, 1), Fraction(1, 3), Fraction(1, 7))
    """
    if isinstance(granularity, Fraction):
        return granularity
    value = Fraction(str(granularity).strip())
    if value <= 0:
        raise ValueError(f"a step of one value must be positive, got {granularity}")
    return value


def show_step(granularity: Step) -> str:
    """A step as text: a decimal where it has one (``0.5``, ``2``), else the fraction (``1/3``).

    Examples
    --------
    >>> show_step(0.5), show_step(2), show_step("1/3"), show_step(Fraction(1, 4))
    ('0.5', '2', '1/3', '0.25')
    """
    g = step(granularity)
    d = g.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return f"{float(g):g}" if d == 1 else f"{g.numerator}/{g.denominator}"


def totals(mean: str, n: int, granularity: Step = 1, lo: float | None = None, hi: float | None = None) -> range:
    """Every total ``S`` (in steps of ``granularity`` above ``lo``) whose mean prints as ``mean``.

    With ``lo``/``hi`` the values are ``lo + granularity * y`` with ``0 <= y <= (hi - lo) /
    granularity``, and the totals are limited to what ``n`` such values can sum to; without them
    the values are ``granularity * y`` for any integer ``y``.

    Examples
    --------
    >>> list(totals("5.19", 28)), list(totals("5.2", 20))
    ([], [103, 104, 105])
    >>> list(totals("3.0", 29, 1, 0, 4))
    [86, 87, 88]
    """
    g = step(granularity)
    low, high = printed_interval(mean)
    base = Fraction(str(lo)) if lo is not None else Fraction(0)
    first = math.ceil((low - base) * n / g)
    last = math.floor((high - base) * n / g)
    if lo is not None:
        first = max(first, 0)
    if hi is not None and lo is not None:
        last = min(last, n * levels(lo, hi, granularity))
    return range(first, last + 1)


def levels(lo: float, hi: float, granularity: Step = 1) -> int:
    """Number of steps ``K`` between the scale's bounds (values ``lo + granularity * y``, ``0 <= y <= K``).

    Examples
    --------
    >>> levels(0, 100), levels(0, 10, 0.5)
    (100, 20)
    """
    span = (Fraction(str(hi)) - Fraction(str(lo))) / step(granularity)
    if span.denominator != 1 or span < 0:
        raise ValueError(f"the scale [{lo}, {hi}] is not a whole number of steps of {granularity}")
    return int(span)


def sumsq_window(sd: str, n: int, total: int, granularity: Step = 1) -> tuple[int, int]:
    """Integer sums of squares ``Q`` (in steps) whose SD with this total prints as ``sd``.

    Returns ``(first, last)``; the window is empty when ``first > last``. Parity and the scale's
    limits are not applied here.

    Examples
    --------
    >>> sumsq_window("1.92", 8, 37)  # the sample 1,4,4,4,5,5,7,7: total 37, Q = 197
    (197, 197)
    """
    g = step(granularity)
    low, high = printed_interval(sd)
    low = max(low, Fraction(0))
    centre = Fraction(total * total, n)
    first = math.ceil(centre + (n - 1) * low * low / (g * g))
    last = math.floor(centre + (n - 1) * high * high / (g * g))
    return first, last


def min_sumsq(count: int, total: int) -> int:
    """Smallest sum of squares of ``count`` integers with this total (as equal as possible).

    Examples
    --------
    >>> min_sumsq(3, 4), min_sumsq(57, 66)
    (6, 84)
    """
    q, r = divmod(total, count)
    return count * q * q + r * (2 * q + 1)


def max_sumsq(count: int, total: int, top: int) -> int:
    """Largest sum of squares of ``count`` integers in ``[0, top]`` with this total (``total <= count * top``).

    Examples
    --------
    >>> max_sumsq(3, 4, 3), max_sumsq(29, 88, 4)
    (10, 352)
    """
    if top == 0:
        return 0
    a, b = divmod(total, top)
    return a * top * top + b * b
