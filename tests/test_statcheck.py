"""Reported tests recomputed from their printed statistic, df and p: boundaries of rounding."""

import pytest
from scipy import optimize, stats

from hiplbp.integrity import parse_p, recompute_p


def test_parse_p_reads_what_papers_print():
    same = {(r.low, r.high) for r in map(parse_p, (".04", "0.04", "=.04", "p = .04"))}
    assert len(same) == 1
    r = parse_p(".04")
    assert (round(r.low, 10), round(r.high, 10)) == (0.035, 0.045)
    assert (parse_p("<.001").low, parse_p("<.001").high) == (0.0, 0.001)
    assert (parse_p("< 0.05").high, parse_p(">.05").low, parse_p(">.05").high) == (0.05, 0.05, 1.0)
    assert parse_p("ns") is None and parse_p("*") is None and parse_p("") is None


def _f_for_p(p, df1, df2):
    return optimize.brentq(lambda f: stats.f.sf(f, df1, df2) - p, 1e-9, 1e3, xtol=1e-14)


def test_a_p_at_the_edge_of_the_statistics_rounding_is_consistent_one_digit_further_is_not():
    # the true F gives p = 0.0455 exactly; printed at 2 decimals, F's interval contains it, so the
    # printed p ".045" and ".046" (whose intervals touch 0.0455) both fit, ".047" does not
    f_true = _f_for_p(0.0455, 1, 30)
    printed_f = f"{f_true:.2f}"
    assert recompute_p("F", printed_f, [(1, 30)], ".045").consistent
    assert recompute_p("F", printed_f, [(1, 30)], ".046").consistent
    r = recompute_p("F", printed_f, [(1, 30)], ".047")
    assert not r.consistent and r.p_high < 0.0465
    # a coarser statistic widens the range: "4.3" (4.25 to 4.35) reaches p = 0.048
    assert recompute_p("F", "4.3", [(1, 30)], ".047").consistent


def test_every_allowed_denominator_df_is_considered():
    # F(2, df2) = 3.30: p is 0.0447 with df2 = 60 but 0.0533 with df2 = 20
    assert not recompute_p("F", "3.30", [(2, 60)], ".053").consistent
    assert recompute_p("F", "3.30", [(2, 60), (2, 20)], ".053").consistent


def test_a_sphericity_correction_widens_the_range():
    # Greenhouse-Geisser can shrink both df down to 1/(k - 1) of their value
    plain = recompute_p("F", "3.50", [(2, 40)], ".07")
    corrected = recompute_p("F", "3.50", [(2, 40)], ".07", epsilon=(0.5, 1.0))
    assert not plain.consistent and corrected.consistent
    assert corrected.p_high == pytest.approx(stats.f.sf(3.495, 1, 20), rel=1e-9)


def test_inequalities_and_t_and_chi_square():
    assert recompute_p("F", "75.92", [(2, 92)], "<.001").consistent
    assert not recompute_p("F", "1.03", [(2, 92)], "<.001").consistent
    t = recompute_p("t", "-2.10", [(1, 28)], ".045")
    assert t.consistent and t.p_low == pytest.approx(2 * stats.t.sf(2.105, 28), rel=1e-12)
    assert recompute_p("chi2", "3.84", [(1, 0)], ".05").consistent
    assert recompute_p("F", "1.2", [(1, 20)], "ns").consistent is None


def test_ebadi_2012_table_3_examples():
    # Ebadi et al. 2012, Table 3 (as printed): the denominator df are not printed; 48 or 50
    # analysed (two groups) or 39 complete cases at the last visit allow df2 of 37-48 for Group
    dfs_group = [(1, n - 2) for n in (39, 48, 50)]
    fri = recompute_p("F", "3.90", dfs_group, ".004")
    assert not fri.consistent and fri.p_low > 0.05  # F = 3.90 on (1, 37-48) df cannot give p = .004
    vas = recompute_p("F", ".00", dfs_group, ".48")
    assert not vas.consistent and vas.p_low > 0.9  # F = 0.00 means p near 1
    assert recompute_p("F", "3.16", dfs_group, ".08").consistent
