"""Small helpers shared by several stages: seeds and dictionaries of design labels."""

from __future__ import annotations

import hashlib
import math


def derive_seed(seed: int, *names: object) -> int:
    """Derive an independent, reproducible seed for one random step.

    Every random step of the pipeline takes its seed from the single ``seed`` in config and its
    own name, so that adding a step (or a group) never shifts the random numbers of another.

    Parameters
    ----------
    seed : int
        The seed from config.
    *names : object
        The step's name and any further keys (group label, replicate number...).

    Returns
    -------
    int
        A 63-bit seed, the same for the same arguments on every platform.

    Examples
    --------
    >>> derive_seed(1, "reconstruct", "group A") == derive_seed(1, "reconstruct", "group A")
    True
    >>> derive_seed(1, "a") != derive_seed(1, "b")
    True
    """
    key = "\x1f".join([str(int(seed))] + [str(n) for n in names]).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") >> 1


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
