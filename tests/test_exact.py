"""Exact integer samples: moments to the printed digit, correlations by swaps, BMI pairing."""

import numpy as np
import pytest

from hiplbp.exact import Target, fit_moments, target_squares, target_sum, tune_correlations, tune_ratio
from hiplbp.integrity import grim, grimmer
from hiplbp.reconstruct import compound_symmetry, exact_moment_sample


@pytest.mark.parametrize("seed", range(25))
def test_fit_moments_hits_every_possible_target(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 30))
    vals = rng.integers(10, 90, n)
    mean, sd = f"{vals.mean():.2f}", f"{vals.std(ddof=1):.1f}"  # a possible target, printed as a paper would
    x = exact_moment_sample(rng, n, [float(mean)], [float(sd)], np.eye(1))[:, 0]
    v, info = fit_moments(x, Target.from_text(mean, sd, 1, 0, 100))
    assert info == {"mean_possible": True, "sd_possible": True}
    assert np.all(v == np.round(v)) and v.min() >= 0 and v.max() <= 100
    assert abs(v.mean() - float(mean)) <= 0.005 + 1e-9 and abs(v.std(ddof=1) - float(sd)) <= 0.05 + 1e-9


def test_impossible_targets_use_the_nearest_possible_value():
    assert not grim("5.19", 28).consistent
    total, ok = target_sum(Target.from_text("5.19", "1.0"), 28)
    assert not ok and total in (145, 146)
    assert not grimmer("3.44", "2.47", 18).consistent
    total, ok = target_sum(Target.from_text("3.44", "2.47"), 18)
    q_lo, q_hi, possible = target_squares(Target.from_text("3.44", "2.47"), 18, total)
    assert ok and not possible and q_lo == q_hi and q_lo % 2 == total % 2


def test_tune_correlations_keeps_moments_and_reaches_target():
    rng = np.random.default_rng(3)
    y = np.round(exact_moment_sample(rng, 16, [50, 45, 40], [10, 10, 10], compound_symmetry(3, 0.2)))
    out = tune_correlations(y, compound_symmetry(3, 0.6), tol=0.02)
    np.testing.assert_array_equal(np.sort(out, axis=0), np.sort(y, axis=0))  # permutations only
    r = np.corrcoef(out.T)
    assert np.all(np.abs(r[np.triu_indices(3, 1)] - 0.6) <= 0.01 + 1e-12)


def test_tune_ratio_permutes_weights_towards_the_bmi_target():
    rng = np.random.default_rng(4)
    h = np.round(rng.normal(161, 7, 23), 1)
    w = np.round(rng.normal(62, 10, 23), 1)

    def gap(weights):
        bmi = weights / (h / 100) ** 2
        return (bmi.mean() - 23.8) ** 2 + (bmi.std(ddof=1) - 2.8) ** 2

    w2 = tune_ratio(h, w, 23.8, 2.8)
    np.testing.assert_array_equal(np.sort(w2), np.sort(w))  # weights keep their own moments
    assert gap(w2) < gap(w)
    # greedy optimum: no single swap improves it further
    for i in range(23):
        for j in range(i + 1, 23):
            w3 = w2.copy()
            w3[[i, j]] = w3[[j, i]]
            assert gap(w3) >= gap(w2) - 1e-12
