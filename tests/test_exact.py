"""Exact integer samples: moments to the printed digit, correlations by swaps, BMI pairing."""

import numpy as np
import pytest

from hiplbp.integrity import grim, grimmer
from hiplbp.reconstruction.patients import compound_symmetry, exact_moment_sample
from hiplbp.reconstruction.sampler import Target, fit_moments, target_squares, target_sum, tune_correlations, tune_ratio


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


def test_tune_ratio_pairs_weights_towards_the_printed_bmi_box():
    from hiplbp.reconstruction.sampler import _box_violation

    rng = np.random.default_rng(4)
    h = np.round(rng.normal(161, 7, 23), 1)
    w = np.round(rng.normal(62, 10, 23), 1)
    target = Target.from_text("23.8", "2.8")

    def gap(weights):
        bmi = weights / (h / 100) ** 2
        return float(_box_violation(bmi.mean(), bmi.std(ddof=1), target))

    w2 = tune_ratio(h, w, target)
    np.testing.assert_array_equal(np.sort(w2), np.sort(w))  # weights keep their own moments
    assert gap(w2) < gap(w)
    # steepest descent ends where no single swap improves it
    for i in range(23):
        for j in range(i + 1, 23):
            w3 = w2.copy()
            w3[[i, j]] = w3[[j, i]]
            assert gap(w3) >= gap(w2) - 1e-12


def test_ratio_sample_reaches_a_bmi_cell_that_normal_shapes_miss():
    # Lee & Kim's EG II: n = 9, height 159.7 (6.0), weight 59.4 (8.9), BMI 23.3 (2.6). With
    # normal-shaped samples the pairing that gives mean 23.3 gives too large an SD (the issue's
    # reconstruction stopped at 23.22); drawing the shapes jointly reaches both.
    from hiplbp.reconstruction.patients import compound_symmetry, exact_moment_sample
    from hiplbp.reconstruction.sampler import ratio_sample

    rng = np.random.default_rng(20150217)
    start = exact_moment_sample(rng, 9, [159.7, 59.4], [6.0, 8.9], compound_symmetry(2, 0.5))
    th, tw = Target.from_text("159.7", "6.0", 0.1, 130, 210), Target.from_text("59.4", "8.9", 0.1, 30, 150)
    h, w, info = ratio_sample(rng, start, th, tw, Target.from_text("23.3", "2.6"))
    bmi = np.round(w / (h / 100) ** 2, 2)
    assert info["reached"] and f"{bmi.mean():.1f}" == "23.3" and f"{bmi.std(ddof=1):.1f}" == "2.6"
    assert f"{h.mean():.1f}" == "159.7" and f"{h.std(ddof=1):.1f}" == "6.0"
    assert f"{w.mean():.1f}" == "59.4" and f"{w.std(ddof=1):.1f}" == "8.9"


def test_fit_moments_never_stops_short_of_a_possible_sd():
    # the stall: mean 18.60, SD 12.75, n = 10 on 0-100 missed the SD with some seeds
    from hiplbp.reconstruction.patients import exact_moment_sample

    t = Target.from_text("18.60", "12.75", 1, 0, 100)
    for seed in range(120):
        x = exact_moment_sample(np.random.default_rng(seed), 10, [18.6], [12.75], np.eye(1))[:, 0]
        v, info = fit_moments(x, t)
        assert info["sd_possible"] and f"{v.mean():.2f}" == "18.60" and abs(v.std(ddof=1) - 12.75) <= 0.005 + 1e-12


def test_a_search_that_runs_out_is_an_error_naming_the_cell(monkeypatch):
    from hiplbp.integrity import ExactResult
    from hiplbp.reconstruction import patients
    from hiplbp.reconstruction.sampler import ReconstructionError, _exact_sample

    monkeypatch.setattr("hiplbp.integrity.exact_consistency", lambda *a, **k: ExactResult("undecided", (), 200_000))
    t = Target.from_text("18.60", "12.75", 1, 0, 100)
    with pytest.raises(
        ReconstructionError, match=r"^no sample of 10 values on \[0, 100\] .* \(undecided after 200000 search nodes\)$"
    ):
        _exact_sample(t, 10, np.arange(10.0))

    def stuck(x, target):
        raise ReconstructionError("no sample of 10 values was found")

    monkeypatch.setattr(patients, "fit_moments", stuck)
    with pytest.raises(ReconstructionError, match=r"^vas of EG II at week6: no sample of 10 values was found$"):
        patients._fit(np.zeros(10), t, "vas of EG II at week6")
