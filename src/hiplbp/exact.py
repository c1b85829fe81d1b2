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

from .published import decimals, half_unit, rounds_to


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

    @classmethod
    def from_text(cls, mean: str, sd: str, step: float = 1.0, lo: float = -np.inf, hi: float = np.inf) -> Target:
        """Build a target from the printed texts (their decimals set the precision)."""
        return cls(float(mean), float(sd), decimals(mean) or 0, decimals(sd) or 0, step, lo, hi)


def target_sum(t: Target, n: int) -> tuple[int, bool]:
    """Total (in steps) whose mean is closest to the printed mean; and whether it rounds to it."""
    centre = t.mean * n / t.step
    cands = np.arange(int(np.floor(centre)) - 2, int(np.ceil(centre)) + 3)
    ok = rounds_to(cands * t.step / n, t.mean, t.mean_decimals)
    pool = cands[ok] if ok.any() else cands
    best = int(pool[np.argmin(np.abs(pool - centre))])
    return best, bool(ok.any())


def target_squares(t: Target, n: int, total: int) -> tuple[int, int, bool]:
    """Interval of sums of squares (in steps^2, parity of ``total``) matching the printed SD.

    Returns ``(q_lo, q_hi, possible)``; when no integer of the right parity fits, the nearest
    one is returned as a one-point interval and ``possible`` is False.
    """
    half = half_unit(t.sd_decimals)
    lo_sd, hi_sd = max(t.sd - half, 0.0) / t.step, (t.sd + half) / t.step
    base = total**2 / n
    q_lo = int(np.ceil((n - 1) * lo_sd**2 + base - 1e-9))
    q_hi = int(np.floor((n - 1) * hi_sd**2 + base + 1e-9))
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
    return np.round(u * t.step, 10), dict(mean_possible=mean_ok, sd_possible=sd_ok)


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


def tune_ratio(h: np.ndarray, w: np.ndarray, mean: float, sd: float, n_iter: int = 300) -> np.ndarray:
    """Reorder ``w`` against ``h`` so that ``w / (h/100)^2`` (BMI) has mean and SD near the targets.

    Returns the permuted ``w``; heights and weights keep their own moments exactly.
    """
    w = w.astype(float).copy()
    n = w.size
    hm2 = (h / 100.0) ** 2

    def loss(b: np.ndarray) -> float:
        return float((b.mean() - mean) ** 2 + (b.std(ddof=1) - sd) ** 2)

    bmi = w / hm2
    cur = loss(bmi)
    for _ in range(n_iter):
        # BMI after swapping the weights of i and j, for every pair
        bi = w[None, :] / hm2[:, None]  # subject i gets w_j
        s1 = bmi.sum() - bmi[:, None] - bmi[None, :] + bi + bi.T
        s2 = (bmi**2).sum() - bmi[:, None] ** 2 - bmi[None, :] ** 2 + bi**2 + (bi**2).T
        m = s1 / n
        var = (s2 - n * m**2) / (n - 1)
        new = (m - mean) ** 2 + (np.sqrt(np.maximum(var, 0)) - sd) ** 2
        np.fill_diagonal(new, np.inf)
        i, j = np.unravel_index(np.argmin(new), new.shape)
        if new[i, j] >= cur - 1e-15:
            break
        w[[i, j]] = w[[j, i]]
        bmi = w / hm2
        cur = loss(bmi)
    return w
