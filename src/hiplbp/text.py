"""Numbers in words and tables: p values as journals print them, and plain significant digits."""

from __future__ import annotations

import math


def format_p(p: float) -> str:
    """A p value as journals print it: ``< .001`` or three decimals without the leading zero.

    Examples
    --------
    >>> format_p(1.375e-20), format_p(0.04321), format_p(0.5), format_p(float("nan"))
    ('< .001', '.043', '.500', '')
    """
    if p is None or not math.isfinite(p):
        return ""
    return "< .001" if p < 0.001 else f"{p:.3f}".lstrip("0")


def p_in_sentence(p: float) -> str:
    """A p value as a sentence prints it after "p": ``= .012`` or ``< .001``.

    Examples
    --------
    >>> "p " + p_in_sentence(0.0123), "p " + p_in_sentence(1e-5)
    ('p = .012', 'p < .001')
    """
    text = format_p(p)
    return text if text.startswith("<") else f"= {text}"


def plain(x: float, sig: int = 3) -> str:
    """A number with ``sig`` significant digits and never in e-notation (for sentences and tables).

    Examples
    --------
    >>> plain(0.054321), plain(12345.6), plain(3.2e-7), plain(0.0)
    ('0.0543', '12346', '< 0.0001', '0')
    """
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    if abs(x) < 1e-4:
        return "< 0.0001" if x > 0 else "> -0.0001"
    digits = max(sig - 1 - math.floor(math.log10(abs(x))), 0)
    return f"{x:.{digits}f}"
