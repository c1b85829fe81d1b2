"""GRIM, GRIMMER, SD bounds and Carlisle against worked examples and brute-force enumeration.

Worked examples: the GRIM paper's 5.19 with n = 28 (Brown & Heathers 2017) and the sequences
scrutiny's test suite checks against it; GRIMMER's (5.21, 1.6, 28) and (3.44, 2.47, 18) and
the SD bounds (n = 5, mean 4.2, 1-7 scale) from rsprite2/scrutiny. Brute force: for small n,
every multiset of integers is enumerated, so what is attainable is known exactly (Anaya built
GRIMMER's patterns the same way). Carlisle & Loadsman's Monte Carlo against its closed forms:
the z and chi-square laws without rounding, and quadrature of the tie probability with it.
"""

import itertools

import numpy as np
import pytest
from scipy import stats

from hiplbp.integrity import carlisle_p, grim, grimmer, sd_bounds, stouffer


def test_grim_worked_example_and_sequences():
    assert not grim("5.19", 28).consistent
    seq = [f"{x:.2f}" for x in np.arange(5.19, 5.305, 0.01)]
    assert [grim(m, 28).consistent for m in seq] == [
        False,
        False,
        True,
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        True,
        False,
    ]
    seq = [f"{x:.2f}" for x in np.arange(0.80, 0.895, 0.01)]
    assert [grim(m, 28, items=2).consistent for m in seq] == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        True,
        True,
    ]


def test_grim_dice_example_and_informativeness():
    # 20 die rolls cannot average 3.48: a total over 20 gives x.x0 or x.x5
    assert not grim("3.48", 20).consistent and grim("3.45", 20).consistent
    # with n >= 10^decimals every mean is possible: the test cannot detect anything
    assert not grim("55.7", 23).informative and grim("53.89", 9).informative


def test_grim_granularity_two_for_even_percentages():
    # KODI-like: each value an even percentage; 9 patients
    assert grim("33.2", 9, granularity=1).consistent
    assert not grim("33.2", 9, granularity=2).consistent
    assert grim("33.3", 9, granularity=2).consistent


def _attainable(n, lo, hi, dm, ds):
    out = set()
    for vals in itertools.combinations_with_replacement(range(lo, hi + 1), n):
        a = np.array(vals, float)
        out.add((f"{a.mean():.{dm}f}", f"{a.std(ddof=1):.{ds}f}"))
    return out


def test_grimmer_worked_examples():
    assert grimmer("5.21", "1.6", 28).consistent
    assert not grimmer("3.44", "2.47", 18).consistent


def test_grimmer_never_flags_real_integer_data_and_catches_impossible_sds():
    n, lo, hi = 6, 1, 7
    real = _attainable(n, lo, hi, 2, 2)
    assert all(grimmer(m, s, n).consistent for m, s in real)
    means = sorted({m for m, _ in real})
    sds = [f"{x:.2f}" for x in np.arange(0.0, 3.3, 0.01)]
    impossible = [(m, s) for m in means[::7] for s in sds if (m, s) not in real]
    flagged = [p for p in impossible if not grimmer(p[0], p[1], n).consistent]
    assert len(flagged) > 0.5 * len(impossible)


def test_grimmer_parity_only_is_reported_separately():
    # search the smallest case failing only on parity, and confirm by enumeration that it is impossible
    found = None
    for n in range(3, 8):
        for total in range(n, 5 * n):
            mean = f"{total / n:.2f}"
            for sd in (f"{x:.2f}" for x in np.arange(0.3, 2.5, 0.01)):
                r = grimmer(mean, sd, n)
                if not r.consistent and r.failed == "parity":
                    found = (mean, sd, n)
                    break
            if found:
                break
        if found:
            break
    assert found is not None
    mean, sd, n = found
    assert (mean, sd) not in _attainable(n, 0, 8, 2, 2)


def test_sd_bounds_worked_example_and_enumeration():
    # rsprite2 .sd_limits: n = 5, mean 4.2 on 1-7 -> (0.45, 3.03)
    r = sd_bounds("4.2", None, 5, 1, 7)
    assert (round(r.low, 2), round(r.high, 2)) == (0.45, 3.03)
    for total in (7, 13, 21, 29):
        sds = [np.std(v, ddof=1) for v in itertools.combinations_with_replacement(range(1, 8), 5) if sum(v) == total]
        # printed with enough decimals that only this total is possible
        r = sd_bounds(f"{total / 5:.4f}", None, 5, 1, 7)
        assert (r.low, r.high) == pytest.approx((min(sds), max(sds)), rel=1e-12)


def test_stouffer_closed_form_and_tails():
    z, p_diff, p_sim = stouffer([0.5, 0.5, 0.5, 0.5])
    assert (
        z == pytest.approx(0.0, abs=1e-12)
        and p_diff == pytest.approx(0.5, rel=1e-9)
        and p_sim == pytest.approx(0.5, rel=1e-9)
    )
    z, p_diff, p_sim = stouffer([0.9, 0.95, 0.8])
    assert z == pytest.approx(sum(stats.norm.isf(p) for p in (0.9, 0.95, 0.8)) / np.sqrt(3), rel=1e-9)
    assert p_sim < 0.05 < p_diff and p_sim == pytest.approx(stats.norm.cdf(z), rel=1e-9)


def _mc_tolerance(p, draws):
    return 4 * np.sqrt(p * (1 - p) / draws) + 1e-12


def test_carlisle_without_rounding_is_student_s_pooled_t_test():
    # Two groups, means printed to 6 decimals: rounding is immaterial, and with the SD drawn from its
    # sampling distribution the spread of the means against the pooled SD is Student's t (N - 2 df)
    n1, n2, draws = 21, 9, 400_000
    expected = stats.ttest_ind_from_stats(61.0, 10.0, n1, 58.9, 8.6, n2, equal_var=True).pvalue
    p = carlisle_p([n1, n2], ["61.000000", "58.900000"], ["10.000000", "8.600000"], draws=draws, seed=1)
    assert abs(p - expected) < _mc_tolerance(expected, draws)


def test_carlisle_appendix_variant_without_rounding_is_the_z_test_of_its_pooled_sd():
    # draw_sd=False, Carlisle & Loadsman's own procedure: the spread statistic is a scaled chi-square(1),
    # the two-sided z-test with their pooled SD, sqrt(sum n_i s_i^2 / N)
    n1, n2, draws = 21, 9, 400_000
    sd = np.sqrt((n1 * 10.0**2 + n2 * 8.6**2) / (n1 + n2))
    expected = 2 * stats.norm.sf(2.1 / (sd * np.sqrt(1 / n1 + 1 / n2)))
    means, sds = ["61.000000", "58.900000"], ["10.000000", "8.600000"]
    p = carlisle_p([n1, n2], means, sds, draws=draws, seed=1, draw_sd=False)
    assert abs(p - expected) < _mc_tolerance(expected, draws)


def test_carlisle_three_groups_is_the_one_way_anova_f_test():
    # equal n (the statistic is the unweighted spread of the means), unequal SDs: the one-way ANOVA F
    # test from the summaries, with the pooled SD on N - k df
    n, means, sds, draws = np.array([15, 15, 15]), np.array([50.0, 52.0, 49.0]), np.array([8.0, 7.1, 9.4]), 400_000
    grand = np.sum(n * means) / n.sum()
    between = np.sum(n * (means - grand) ** 2) / 2
    within = np.sum((n - 1) * sds**2) / (n.sum() - 3)
    expected = stats.f.sf(between / within, 2, n.sum() - 3)
    p = carlisle_p(list(n), [f"{m:.6f}" for m in means], [f"{s:.6f}" for s in sds], draws=draws, seed=2)
    assert abs(p - expected) < _mc_tolerance(expected, draws)


def test_carlisle_identical_printed_means_split_ties_as_the_quadrature_says():
    # Printed means 170 and 170 (whole numbers): the observed spread is 0, so p = 1 - P(tie) / 2,
    # P(tie) = integral over the SD (s^2 df / chi2_df) and the population mean of
    # sum_k prod_i P(group i rounds to k).
    from scipy import integrate

    n, sd, draws = 20, 6.0, 400_000
    df = 2 * n - 2
    ks = np.arange(140, 201)

    def tie(mu, x):
        sigma = sd * np.sqrt(df / x)
        se = sigma / np.sqrt(n)
        cell = stats.norm.cdf((ks + 0.5 - mu) / se) - stats.norm.cdf((ks - 0.5 - mu) / se)
        return stats.chi2.pdf(x, df) * stats.norm.pdf(mu, 170, se) * np.sum(cell**2)

    p_tie = integrate.dblquad(
        tie,
        stats.chi2.ppf(1e-9, df),
        stats.chi2.isf(1e-9, df),
        170 - 12 * sd / np.sqrt(n) * 2,
        170 + 12 * sd / np.sqrt(n) * 2,
        epsabs=1e-10,
    )[0]
    expected = 1 - p_tie / 2
    p = carlisle_p([n, n], ["170", "170"], ["6", "6"], draws=draws, seed=3)
    assert 0.7 < expected < 0.95
    assert abs(p - expected) < _mc_tolerance(p_tie / 2, draws)


def test_carlisle_mid_p_is_uniform_for_trials_printed_to_whole_numbers():
    # randomized trials whose means and SDs are printed to whole numbers, as Table 1 often does:
    # the mid-p keeps the p values centred on 0.5 despite the ties coarse rounding creates
    rng = np.random.default_rng(11)
    ps = []
    for i in range(300):
        a, b = rng.normal(60, 4, 21), rng.normal(60, 4, 9)
        ps.append(
            carlisle_p(
                [21, 9],
                [f"{a.mean():.0f}", f"{b.mean():.0f}"],
                [f"{a.std(ddof=1):.0f}", f"{b.std(ddof=1):.0f}"],
                draws=4000,
                seed=i,
            )
        )
    ps = np.array(ps)
    assert abs(ps.mean() - 0.5) < 0.05
    assert abs(np.mean(ps < 0.05) - 0.05) < 0.035


def test_carlisle_is_seeded():
    # the same seed gives the same p, and the seed is what decides it (another seed, other draws)
    args = ([21, 9], ["61.2", "58.9"], ["10.1", "8.6"])
    p4 = carlisle_p(*args, draws=5000, seed=4)
    assert p4 == carlisle_p(*args, draws=5000, seed=4)
    others = {carlisle_p(*args, draws=5000, seed=s) for s in (5, 6, 7)}
    assert p4 not in others and len(others) > 1
    # the draws only estimate one p: every seed lands within Monte Carlo error of the others
    assert max(others | {p4}) - min(others | {p4}) < 4 * np.sqrt(p4 * (1 - p4) / 5000) * 2


def test_carlisle_combined_p_is_uniform_under_randomization():
    rng = np.random.default_rng(5)
    combined = []
    for _ in range(400):
        ps = [stats.ttest_ind(rng.normal(0, 1, 21), rng.normal(0, 1, 9)).pvalue for _ in range(5)]
        combined.append(stouffer(ps)[1])
    assert abs(np.mean(np.array(combined) < 0.05) - 0.05) < 0.035
    assert abs(np.mean(combined) - 0.5) < 0.05
