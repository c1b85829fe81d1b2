"""Integer (or fixed-step) samples whose mean and SD round to printed values, with target correlations.

Three moves, each exact in integers:

1. the total is set to one whose mean rounds to the printed mean (GRIM), by +-1 steps on the
   values that rounding moved furthest;
2. the sum of squares is brought into the interval the printed SD allows (GRIMMER) by paired
   moves ``x_a + 1, x_b - 1``, which keep the total and change the sum of squares by
   ``2 (x_a - x_b) + 2``, choosing the pair that lands nearest the middle of the interval;
3. between visits, two subjects' values at one visit are swapped: a permutation, so every visit's
   mean and SD stay exactly as they are, while the correlations move; swaps are chosen greedily
   to bring every pairwise correlation to its target (SPRITE-like, but exact in the moments).

Where the printed value is impossible, the nearest possible one is used and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import UserError
from ..integrity.rounding import sumsq_window, totals
from ..trial.published import decimals, half_unit, rounds_to


@dataclass(frozen=True)
class Target:
    """A printed mean and SD with their precision, on a scale of ``step`` within bounds."""

    mean: float
    sd: float
    mean_decimals: int
    sd_decimals: int
    step: float = 1.0
    lo: float = -np.inf
    hi: float = np.inf

    @property
    def mean_text(self) -> str:
        """The mean as printed."""
        return f"{self.mean:.{self.mean_decimals}f}"

    @property
    def sd_text(self) -> str:
        """The SD as printed."""
        return f"{self.sd:.{self.sd_decimals}f}"

    @classmethod
    def from_text(cls, mean: str, sd: str, step: float = 1.0, lo: float = -np.inf, hi: float = np.inf) -> Target:
        """Build a target from the printed texts (their decimals set the precision)."""
        return cls(float(mean), float(sd), decimals(mean) or 0, decimals(sd) or 0, step, lo, hi)


def target_sum(t: Target, n: int) -> tuple[int, bool]:
    """Total (in steps) whose mean is closest to the printed mean; and whether it rounds to it.

    The possible totals are those of :func:`hiplbp.integrity.rounding.totals` (the audit's rule);
    when there is none, the total nearest the printed mean is used.
    """
    centre = t.mean * n / t.step
    possible = totals(t.mean_text, n, t.step)
    pool = possible if len(possible) else range(int(np.floor(centre)), int(np.ceil(centre)) + 1)
    return min(pool, key=lambda k: (abs(k - centre), k)), bool(len(possible))


def target_squares(t: Target, n: int, total: int) -> tuple[int, int, bool]:
    """Interval of sums of squares (in steps^2, parity of ``total``) matching the printed SD.

    Returns ``(q_lo, q_hi, possible)``; when no integer of the right parity fits, the nearest
    one is returned as a one-point interval and ``possible`` is False.
    """
    q_lo, q_hi = sumsq_window(t.sd_text, n, total, t.step)
    base = total**2 / n
    par = total % 2
    q_lo += (q_lo - par) % 2
    q_hi -= (q_hi - par) % 2
    if q_lo <= q_hi:
        return q_lo, q_hi, True
    mid = (n - 1) * (t.sd / t.step) ** 2 + base
    q = int(np.round(mid))
    q += (q - par) % 2
    return q, q, False


def fit_moments(x: np.ndarray, t: Target, n_iter: int | None = None) -> tuple[np.ndarray, dict]:
    """Round continuous values to the scale and move them until mean and SD round to the target.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Continuous starting values (e.g. an exact-moment normal sample).
    t : Target
        Printed mean and SD, precision, step and bounds.

    Returns
    -------
    values : ndarray
        Values on the scale (multiples of ``t.step`` within the bounds).
    info : dict
        ``mean_possible`` and ``sd_possible`` (False where the printed value cannot be reached
        and the nearest possible one was used).
    """
    n = x.size
    lo_u = np.ceil(t.lo / t.step - 1e-9) if np.isfinite(t.lo) else -np.inf
    hi_u = np.floor(t.hi / t.step + 1e-9) if np.isfinite(t.hi) else np.inf
    u = np.clip(np.round(x / t.step), lo_u, hi_u)
    resid = x / t.step - u
    total, mean_ok = target_sum(t, n)
    diff = total - int(u.sum())
    while diff:
        sign = 1 if diff > 0 else -1
        movable = (u < hi_u) if sign > 0 else (u > lo_u)
        order = np.argsort(-sign * resid, kind="stable")
        order = order[movable[order]][: abs(diff)]
        if order.size == 0:
            break
        u[order] += sign
        resid[order] -= sign
        diff -= sign * order.size
    q_lo, q_hi, sd_ok = target_squares(t, n, int(u.sum()))
    goal = (q_lo + q_hi) // 2
    goal -= (goal - int(u.sum())) % 2
    for _ in range(n_iter or 20 * n):
        q = int(np.sum(u * u))
        if q_lo <= q <= q_hi:
            break
        want = goal - q
        # dQ(a, b) = 2 (u_a - u_b) + 2 for u_a + 1, u_b - 1
        dq = 2 * (u[:, None] - u[None, :]) + 2
        ok = (u[:, None] < hi_u) & (u[None, :] > lo_u)
        np.fill_diagonal(ok, False)
        score = np.where(ok, np.abs(want - dq), np.inf)
        a, b = np.unravel_index(np.argmin(score), score.shape)
        if not np.isfinite(score[a, b]) or abs(want - dq[a, b]) >= abs(want):
            break
        u[a] += 1
        u[b] -= 1
    q = int(np.sum(u * u))
    if mean_ok and sd_ok and not q_lo <= q <= q_hi:
        exact = _exact_sample(t, n, u)
        if exact is None:
            sd_ok = False  # GRIMMER's window is open but no sample has it: the nearest is used
        else:
            u = exact
    return np.round(u * t.step, 10), dict(mean_possible=mean_ok, sd_possible=sd_ok)


class ReconstructionError(UserError):
    """A printed mean and SD that are possible could not be reproduced within the search budget."""


def _exact_sample(t: Target, n: int, start: np.ndarray) -> np.ndarray | None:
    """A sample (in steps) with the printed mean and SD, from the exact search, in ``start``'s rank order.

    The paired moves of :func:`fit_moments` can stop short of the SD's interval (they are greedy);
    the exact search of :func:`hiplbp.integrity.exact_consistency` then gives a sample, which takes
    the places of the values it replaces in sorted order (so the between-visit tuning starts from
    the same ranks). An unbounded scale is bounded without loss by the largest distance any value
    can have from the mean, ``sd sqrt(n)``. None when no such sample exists; an error when the
    search budget ran out (never a silent miss).
    """
    from ..integrity import exact_consistency

    lo = t.lo if np.isfinite(t.lo) else t.step * np.floor((t.mean - t.sd * np.sqrt(n)) / t.step - 1)
    hi = t.hi if np.isfinite(t.hi) else t.step * np.ceil((t.mean + t.sd * np.sqrt(n)) / t.step + 1)
    mean, sd = t.mean_text, t.sd_text
    r = exact_consistency(mean, sd, n, float(lo), float(hi), t.step)
    if r.verdict == "impossible":
        return None
    if r.verdict != "possible":
        raise ReconstructionError(
            f"no sample of {n} values on [{lo:g}, {hi:g}] in steps of {t.step:g} with mean {mean} and SD {sd} was "
            f"found ({r.verdict} after {r.nodes} search nodes)"
        )
    out = np.empty(n)
    out[np.argsort(start, kind="stable")] = lo / t.step + np.array(r.witness, float)
    return out


def tune_correlations(
    y: np.ndarray,
    target: np.ndarray,
    tol: float = 0.02,
    n_iter: int = 400,
    rng: np.random.Generator | None = None,
    restarts: int = 200,
) -> np.ndarray:
    """Swap values within columns so that every pairwise correlation approaches its target.

    Swaps are permutations of a column, so each column's mean and SD are unchanged; the swap
    that most reduces ``sum (r_tu - target_tu)^2`` is made until every ``|r_tu - target_tu|`` is at
    most ``tol / 2`` or no swap helps. In small groups this greedy search can stop in a local
    optimum outside ``tol``; with ``rng`` given, it is then restarted from random perturbations
    (two random swaps) of the best arrangement so far, up to ``restarts`` times.

    Parameters
    ----------
    y : ndarray, shape (n, k)
        Values (one column per visit).
    target : ndarray, shape (k, k)
        Target correlation matrix.
    tol : float
        Tolerance on every correlation.
    rng : numpy.random.Generator, optional
        Source of the restarts' perturbations (deterministic for a seeded generator).
    """
    if len(y) < 3:
        return y.copy()  # two rows have correlation +-1 whatever is swapped; fewer have none
    best = _greedy_swaps(y, target, tol, n_iter)
    if rng is None:
        return best

    def worst(a: np.ndarray) -> float:
        r = np.corrcoef(a.T)
        return float(np.max(np.abs((r - target)[np.triu_indices_from(r, 1)])))

    n, k = best.shape
    for _ in range(restarts):
        if worst(best) <= tol:
            break
        cand = best.copy()
        for _ in range(2):
            col = int(rng.integers(k))
            i, j = rng.choice(n, 2, replace=False)
            cand[[i, j], col] = cand[[j, i], col]
        cand = _greedy_swaps(cand, target, tol, n_iter)
        if worst(cand) < worst(best):
            best = cand
    return best


def _greedy_swaps(y: np.ndarray, target: np.ndarray, tol: float, n_iter: int) -> np.ndarray:
    y = y.astype(float).copy()
    n, k = y.shape
    if k < 2:
        return y
    sd = y.std(axis=0, ddof=1)
    if np.any(sd == 0):
        return y
    pairs = [(t, s) for t in range(k) for s in range(t + 1, k)]
    for _ in range(n_iter):
        r = np.corrcoef(y.T)
        err = np.array([r[t, s] - target[t, s] for t, s in pairs])
        if np.all(np.abs(err) <= tol / 2):
            break
        best, best_gain = None, 0.0
        cur = float(np.sum(err**2))
        for col in range(k):
            d_col = y[None, :, col] - y[:, None, col]  # y_j - y_i at the swapped column
            new = np.zeros((n, n))
            for idx, (t, s) in enumerate(pairs):
                if col not in (t, s):
                    new += err[idx] ** 2
                    continue
                other = s if col == t else t
                d_other = y[None, :, other] - y[:, None, other]
                delta = -d_col * d_other / ((n - 1) * sd[col] * sd[other])
                new += (err[idx] + delta) ** 2
            np.fill_diagonal(new, np.inf)
            i, j = np.unravel_index(np.argmin(new), new.shape)
            gain = cur - new[i, j]
            if gain > best_gain + 1e-15:
                best, best_gain = (col, i, j), gain
        if best is None:
            break
        col, i, j = best
        y[[i, j], col] = y[[j, i], col]
    return y


def _box_violation(m: npt.ArrayLike, s: npt.ArrayLike, t: Target) -> np.ndarray:
    """How far a mean and SD lie outside 90 % of the printed rounding box (0 inside)."""
    hm, hs = 0.9 * half_unit(t.mean_decimals), 0.9 * half_unit(t.sd_decimals)
    dm, ds = np.abs(np.asarray(m) - t.mean) - hm, np.abs(np.asarray(s) - t.sd) - hs
    return np.maximum(dm, 0) ** 2 + np.maximum(ds, 0) ** 2


def tune_ratio(h: np.ndarray, w: np.ndarray, ratio: Target, n_iter: int | None = None) -> np.ndarray:
    """Reorder ``w`` against ``h`` so that ``w / (h/100)^2`` (BMI) prints as the target's mean and SD.

    Steepest descent over swaps of two subjects' weights, on the distance outside the printed
    rounding box (so any mean and SD that print as published are equally good). At most ``n_iter``
    swaps (default ``3 n``): a descent that needs more is creeping, and a new draw of
    :func:`ratio_sample` does better. Returns the permuted ``w``; heights and weights keep their
    own moments exactly.
    """
    w = w.astype(float).copy()
    n = w.size
    hm2 = (h / 100.0) ** 2
    bmi = w / hm2
    cur = float(_box_violation(bmi.mean(), bmi.std(ddof=1), ratio))
    for _ in range(3 * n if n_iter is None else n_iter):
        if cur == 0:
            break
        # BMI after swapping the weights of i and j, for every pair
        bi = w[None, :] / hm2[:, None]  # subject i gets w_j
        s1 = bmi.sum() - bmi[:, None] - bmi[None, :] + bi + bi.T
        s2 = (bmi**2).sum() - bmi[:, None] ** 2 - bmi[None, :] ** 2 + bi**2 + (bi**2).T
        m = s1 / n
        new = _box_violation(m, np.sqrt(np.maximum((s2 - n * m**2) / (n - 1), 0)), ratio)
        np.fill_diagonal(new, np.inf)
        i, j = np.unravel_index(np.argmin(new), new.shape)
        if new[i, j] >= cur - 1e-18:
            break
        w[[i, j]] = w[[j, i]]
        bmi = w / hm2
        cur = float(_box_violation(bmi.mean(), bmi.std(ddof=1), ratio))
    return w


def _skewed_start(rng: np.random.Generator, n: int, mean: float, sd: float) -> np.ndarray:
    """A sample with exactly this mean and SD and a random skew (a shifted log-normal shape)."""
    a = rng.uniform(-1.0, 1.0)
    z = rng.standard_normal(n)
    z = np.sign(a) * np.expm1(abs(a) * z) if a else z
    return mean + sd * (z - z.mean()) / z.std(ddof=1)


def ratio_sample(
    rng: np.random.Generator,
    start: np.ndarray,
    height: Target,
    weight: Target,
    ratio: Target,
    *,
    attempts: int = 2000,
    decimals: int = 2,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Heights and weights whose means and SDs print as published, and whose per-subject BMI too.

    BMI = weight / (height / 100)^2 is derived per subject, so its mean and SD depend on how
    weights pair with heights and on the shape of both samples, not only on their moments (with
    normal shapes, the pairing that gives the printed mean BMI can give the wrong SD). Each attempt
    fits heights and weights to their printed moments (the first from ``start``, the later ones
    from samples of random skew) and pairs them by :func:`tune_ratio`; the first attempt whose
    BMI, rounded to ``decimals``, prints as published is kept, else the closest one.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the attempts (seeded by the caller).
    start : ndarray, shape (n, 2)
        Continuous heights and weights for the first attempt.
    height, weight, ratio : Target
        The printed height, weight and BMI cells.
    attempts : int
        Joint draws before giving up.
    decimals : int
        Decimals the per-subject BMI is stored with.

    Returns
    -------
    heights, weights : ndarray
    info : dict
        ``height`` and ``weight`` (the :func:`fit_moments` infos), ``attempts`` used and
        ``reached`` (whether the BMI cell prints as published).
    """
    n = start.shape[0]
    best: tuple[float, np.ndarray, np.ndarray, dict, dict] | None = None
    for k in range(attempts):
        if k == 0:
            xh, xw = start[:, 0], start[:, 1]
        else:
            xh = _skewed_start(rng, n, height.mean, height.sd)
            xw = _skewed_start(rng, n, weight.mean, weight.sd)
        h, ih = fit_moments(xh, height)
        w, iw = fit_moments(xw, weight)
        w = tune_ratio(h, w, ratio)
        b = np.round(w / (h / 100.0) ** 2, decimals)
        bm, bs = float(b.mean()), float(b.std(ddof=1))
        if rounds_to(bm, ratio.mean, ratio.mean_decimals) and rounds_to(bs, ratio.sd, ratio.sd_decimals):
            return h, w, dict(height=ih, weight=iw, attempts=k + 1, reached=True)
        v = float(_box_violation(bm, bs, ratio))
        if best is None or v < best[0]:
            best = (v, h, w, ih, iw)
    assert best is not None
    _, h, w, ih, iw = best
    return h, w, dict(height=ih, weight=iw, attempts=attempts, reached=False)
