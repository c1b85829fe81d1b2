"""Where the complete cases' means and SDs can lie, given the cells a paper printed.

A printed cell describes the ``n`` patients measured at a visit; an analysis over visits uses the
``n_c`` measured at every visit. :func:`complete_case_box` bounds the complete cases' mean and SD
from the printed ones, the printed precision, the scale and how many patients differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Box:
    """Bounds on the complete-case cell means and SDs, shape (cells, visits) each."""

    mean_lo: np.ndarray
    mean_hi: np.ndarray
    sd_lo: np.ndarray
    sd_hi: np.ndarray


@dataclass(frozen=True)
class Limits:
    """What bounds the complete cases of a printed cell (:func:`complete_case_box`).

    Attributes
    ----------
    low, high : float
        The scale's bounds.
    difference : float, optional
        ``kappa``: the largest difference, in SDs, between the mean of the patients left out and
        the complete cases' mean (None: whatever the scale allows).
    z : float, optional
        Also allow chance differences between the ``d`` left out and the complete cases, up to
        ``z`` standard errors; needs ``difference`` (use 0 for drop-out at random).
    """

    low: float = -np.inf
    high: float = np.inf
    difference: float | None = None
    z: float | None = None


#: No bound but an unbounded scale: the complete cases may lie wherever the values allow.
SCALE_ONLY = Limits()


@dataclass(frozen=True)
class OpenQuantities:
    """What the printed tables leave open, as configured.

    Attributes
    ----------
    rho_range : (float, float)
        Range of the correlation between visits (config ``band.correlation``).
    reference : float
        The correlation of the point values (the reconstruction's).
    half : float
        Half a unit of the printed precision of means and SDs (the coarsest of the outcome's).
    low, high : float
        The scale's bounds.
    difference, z : float or None
        How unlike the patients missing from some visit may be (:func:`complete_case_box`).
    assumed_shift : float
        How far an assumed cell's mean may lie from its assumed value (the sensitivity grid's
        largest shift).
    """

    rho_range: tuple[float, float]
    reference: float
    half: float = 0.05
    low: float = -np.inf
    high: float = np.inf
    difference: float | None = 0.0
    z: float | None = 1.96
    assumed_shift: float = 0.0

    @property
    def limits(self) -> Limits:
        """The bounds of the complete cases these quantities allow."""
        return Limits(self.low, self.high, self.difference, self.z)


def complete_case_box(
    n: np.ndarray,
    mean: np.ndarray,
    sd: np.ndarray,
    n_complete: np.ndarray,
    *,
    mean_half: np.ndarray | float = 0.0,
    sd_half: np.ndarray | float = 0.0,
    limits: Limits = SCALE_ONLY,
) -> Box:
    """Where the complete cases' mean and SD can lie, given a printed cell of ``n`` patients.

    The complete cases are ``n_c`` of the ``n`` patients measured at a visit; ``d = n - n_c`` are
    left out. With ``SS = (n - 1) s^2`` and every value within ``R`` of the mean (``R`` from the
    scale's bounds):

    * ``mean_c - m <= min(s sqrt((n - 1) d / (n_c n)), d (m - low) / n_c)`` and
      ``m - mean_c <= min(s sqrt((n - 1) d / (n_c n)), d (high - m) / n_c)``, since
      ``n_c (mean_c - m) = -d (mean_d - m)``, the left-out values' spread is part of ``SS`` and
      their mean lies within the scale;
    * ``(n_c - 1) s_c^2 <= SS`` (a subset's spread about its own mean is part of the whole's), and
      ``(n_c - 1) s_c^2 >= SS - (1 + d / n_c) d R^2``.

    These hold for any values the scale allows, and are wide: ``d`` patients at the scale's end
    move a mean far. ``difference`` (``kappa``) bounds instead how unlike the complete cases the
    left-out patients are: their mean within ``kappa`` SDs of the complete cases' and their SD at
    most the printed one. Then ``|mean_c - m| <= d kappa s / n`` and
    ``(n_c - 1) s_c^2 >= SS - d (1 + kappa^2) s^2`` (the left-out values' own spread and their
    distance from the complete cases are what ``SS`` loses), each also within the bounds above.

    ``kappa`` is how unlike the two groups are *in the population* (drop-out related to the
    outcome); even at ``kappa = 0`` (drop-out at random) ``d`` patients' mean differs from the
    others' by chance, with SD ``s sqrt(1/d + 1/n_c)``. With ``z`` the bound on the standardized
    difference is ``delta = kappa + z sqrt(1/d + 1/n_c)`` (``z = 1.96``: 97.5 % of chance
    differences one way), and the left-out patients' own spread is bounded by the matching
    chi-square quantile (``s_d^2 <= s^2 chi2_{1 - q}(d - 1) / (d - 1)``, ``q = Phi(-z)``):
    ``|mean_c - m| <= d delta s / n`` and
    ``(n_c - 1) s_c^2 >= SS - (d - 1) u^2 s^2 - (n_c d / n) delta^2 s^2``, from the exact split
    ``SS = (n_c - 1) s_c^2 + (d - 1) s_d^2 + (n_c d / n) (mean_d - mean_c)^2``. These are
    probabilistic, not worst-case, bounds: ``benchmarks/coverage.py`` measures how often they hold.

    The printed mean and SD are themselves only known within ``mean_half`` and ``sd_half``; the
    bounds take the worst case of both.

    Parameters
    ----------
    n, mean, sd : ndarray
        Printed n, mean and SD per cell and visit.
    n_complete : ndarray
        Complete cases per cell (broadcast over visits).
    mean_half, sd_half : float or ndarray
        Half a unit of the printed precision.
    limits : Limits
        The scale's bounds and how unlike the left-out patients may be (default: the scale alone,
        unbounded).

    Examples
    --------
    >>> b = complete_case_box(np.array([[10.0]]), np.array([[5.0]]), np.array([[2.0]]), np.array([[10]]),
    ...                       mean_half=0.05, sd_half=0.05)
    >>> b.mean_lo.item(), b.mean_hi.item(), b.sd_lo.item(), b.sd_hi.item()
    (4.95, 5.05, 1.95, 2.05)
    """
    low, high, difference, z = limits.low, limits.high, limits.difference, limits.z
    n = np.asarray(n, float)
    nc = np.broadcast_to(np.asarray(n_complete, float), n.shape)
    d = n - nc
    m_lo, m_hi = mean - mean_half, mean + mean_half
    s_lo, s_hi = np.maximum(sd - sd_half, 0.0), sd + sd_half
    reach = np.maximum(high - m_lo, m_hi - low)  # the farthest a value can lie from the mean
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = s_hi * np.sqrt((n - 1) * d / (nc * n))
        # the complete cases' mean rises only as far as the left-out values can fall, and back
        up = np.where(d > 0, np.minimum(spread, d * (m_hi - low) / nc), 0.0)
        down = np.where(d > 0, np.minimum(spread, d * (high - m_lo) / nc), 0.0)
        delta = _standardized_difference(d, nc, difference, z)
        if difference is not None:
            up = np.minimum(up, d * delta * s_hi / n)
            down = np.minimum(down, d * delta * s_hi / n)
        ss_hi, ss_lo = (n - 1) * s_hi**2, (n - 1) * s_lo**2
        sd_up = np.where(d > 0, np.sqrt(ss_hi / (nc - 1)), s_hi)
        lost = (1 + d / nc) * d * reach**2
        if difference is not None:
            spread_d = (d - 1) * _spread_factor(d, z) * s_hi**2
            lost = np.minimum(lost, spread_d + nc * d / n * delta**2 * s_hi**2)
        lowest = np.maximum(ss_lo - lost, 0.0)
        sd_down = np.where(d > 0, np.sqrt(lowest / (nc - 1)), s_lo)
    return Box(
        mean_lo=np.clip(m_lo - down, low, high),
        mean_hi=np.clip(m_hi + up, low, high),
        sd_lo=np.minimum(sd_down, s_lo),
        sd_hi=np.maximum(sd_up, s_hi),
    )


def _standardized_difference(d: np.ndarray, nc: np.ndarray, difference: float | None, z: float | None) -> np.ndarray:
    """``kappa + z sqrt(1/d + 1/n_c)``: how many SDs the left-out patients' mean may lie from the others'."""
    kappa = 0.0 if difference is None else difference
    if z is None:
        return np.full(np.shape(d), kappa)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, kappa + z * np.sqrt(1 / np.maximum(d, 1) + 1 / nc), kappa)


def _spread_factor(d: np.ndarray, z: float | None) -> np.ndarray:
    """Upper bound of ``s_d^2 / s^2`` for ``d`` patients: 1 without ``z``, a chi-square quantile with it."""
    if z is None:
        return np.ones(np.shape(d))
    dof = np.maximum(d - 1, 1)
    return np.maximum(stats.chi2.isf(stats.norm.sf(z), dof) / dof, 1.0)
