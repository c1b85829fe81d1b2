"""Consistency checks of published summary statistics.

Each works from what a paper prints: a mean or SD as text (its printed precision is part of the
evidence), a sample size, and the measurement's granularity (a 100 mm scale read in whole mm: 1; a 10-section
Oswestry index in percent: 2). Rounding is taken as "up or down" at a printed 5, so a check fails
only when no rounding convention could explain a value.

They are written here rather than taken from scrutipy (the Python port of R's scrutiny), because
it tests a single total in GRIMMER and takes a proportion as continuous in DEBIT, which can flag
consistent papers; it serves as an independent cross-check in the tests instead.

- :mod:`.rounding`: every total and sum of squares a printed mean and SD allow (exact fractions);
- :mod:`.grim`: GRIM, GRIMMER and SD bounds, necessary conditions;
- :mod:`.mean_sd`: the exact mean-SD test (does any sample exist?), with a sample as certificate;
- :mod:`.debit`: binary variables (DEBIT) and printed percentages;
- :mod:`.carlisle`: Carlisle & Loadsman's baseline test and Stouffer's combination;
- :mod:`.statcheck`: reported tests recomputed from their printed statistic, df and p.
"""

from .carlisle import carlisle_p, stouffer
from .debit import BinaryResult, debit, percent_check
from .grim import GrimmerResult, GrimResult, SdBoundsResult, grim, grimmer, sd_bounds
from .mean_sd import ExactResult, exact_consistency
from .statcheck import RecomputedTest, parse_p, recompute_p

__all__ = [
    "BinaryResult",
    "ExactResult",
    "GrimResult",
    "GrimmerResult",
    "RecomputedTest",
    "SdBoundsResult",
    "carlisle_p",
    "debit",
    "exact_consistency",
    "grim",
    "grimmer",
    "parse_p",
    "percent_check",
    "recompute_p",
    "sd_bounds",
    "stouffer",
]
