"""Sensitivity: the closed form equals data with the same moments; thresholds are crossings."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from conftest import DATA
from scipy import stats

from hiplbp.reconstruction.patients import compound_symmetry, exact_moment_sample
from hiplbp.stats.anova import mixed_anova
from hiplbp.summary.anova import (
    SummaryDesign,
    _complete_cells,
    cell_means,
    cells_from_data,
    pooled_correlation,
    summary_anova,
)
from hiplbp.summary.sensitivity import (
    SENSITIVITY_COLUMNS,
    SensitivityDesign,
    scenario_grid,
    sensitivity_from_data,
    thresholds,
)
from hiplbp.summary.ttest import paired_t, paired_t_threshold

TIMES = ["baseline", "week3", "week6"]
CELLS = pd.DataFrame(
    {
        "stratum": ["stable", "stable", "unstable", "unstable"],
        "arm": ["hip", "control", "hip", "control"],
        "n": [23, 16, 21, 9],
        "mean_baseline": [55.7, 55.3, 61.0, 58.9],
        "mean_week3": [46.1, 47.5, 39.1, 53.89],
        "mean_week6": [39.6, 45.6, 39.1, 53.89],
        "sd_baseline": [8.9, 10.7, 10.0, 8.6],
        "sd_week3": [6.9, 10.8, 10.7, 9.6],
        "sd_week6": [7.5, 10.3, 10.7, 9.6],
    }
)
ARMS = {"treatment": "hip", "control": "control"}


def _exact_data(rho, seed=0, cells=CELLS, between=("stratum", "arm")):
    rng = np.random.default_rng(seed)
    rows, sid = [], 0
    for c in cells.itertuples(index=False):
        c = c._asdict()
        x = exact_moment_sample(
            rng, c["n"], [c[f"mean_{t}"] for t in TIMES], [c[f"sd_{t}"] for t in TIMES], compound_symmetry(3, rho)
        )
        for i in range(c["n"]):
            sid += 1
            rows += [
                dict({b: c[b] for b in between}, subject=f"s{sid}", time=t, y=x[i, j]) for j, t in enumerate(TIMES)
            ]
    d = pd.DataFrame(rows)
    d["time"] = pd.Categorical(d["time"], TIMES, ordered=True)
    return d


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.6, 0.9])
@pytest.mark.parametrize("ss_type", [2, 3])
def test_closed_form_equals_reconstructions_at_several_correlations(rho, ss_type):
    closed = summary_anova(CELLS, ["stratum", "arm"], TIMES, rho, ss_type)
    for seed in (1, 2):
        data = mixed_anova(_exact_data(rho, seed), "y", "time", "subject", ["stratum", "arm"], ss_type)
        assert data.source.tolist() == closed.source.tolist()
        np.testing.assert_allclose(closed.F, data.F, rtol=1e-8)
        np.testing.assert_allclose(closed.p_gg, data.p_gg, rtol=1e-8)
        np.testing.assert_allclose(closed.eps_gg.iloc[3:], data.eps_gg.iloc[3:], rtol=1e-8)


def test_closed_form_equals_pingouin_with_one_between_factor():
    cells = CELLS.assign(cell=CELLS.stratum + "_" + CELLS.arm)
    d = _exact_data(0.4).assign(cell=lambda x: x.stratum + "_" + x.arm)
    ref = pg.mixed_anova(d, dv="y", within="time", between="cell", subject="subject", correction=True)
    closed = summary_anova(cells, ["cell"], TIMES, 0.4, ss_type=2)
    np.testing.assert_allclose(closed.F, ref.F, rtol=1e-9)
    np.testing.assert_allclose(closed.eps_gg.iloc[1:], ref.eps.iloc[1:], rtol=1e-9)


def average_correlation(data, dv, between, time_levels):
    """The naive estimate the pooled correlation is compared with: per between cell the mean of the
    pairwise correlations of the visits (complete cases), averaged over cells weighted by ``n - 1``."""
    total, weight = 0.0, 0.0
    for _, g in _complete_cells(data, dv, between, time_levels):
        if len(g) < 3:
            continue
        r = np.corrcoef(g.to_numpy(float).T)
        total += (len(g) - 1) * r[np.triu_indices_from(r, 1)].mean()
        weight += len(g) - 1
    return float(total / weight)


def test_cells_from_data_round_trip():
    d = _exact_data(0.5, 3)
    cells = cells_from_data(d, "y", ["stratum", "arm"], TIMES)
    back = cells.set_index(["stratum", "arm"]).loc[CELLS.set_index(["stratum", "arm"]).index].reset_index()
    np.testing.assert_allclose(
        back[["n", *[f"mean_{t}" for t in TIMES]]], CELLS[["n", *[f"mean_{t}" for t in TIMES]]], rtol=1e-12
    )
    assert average_correlation(d, "y", ["stratum", "arm"], TIMES) == pytest.approx(0.5, abs=1e-10)


def test_grid_rows_equal_single_evaluations():
    assumed = pd.DataFrame({"cell": [2, 3], "time": ["week6", "week6"]})
    design = SensitivityDesign(["stratum", "arm"], TIMES, ARMS)
    g = scenario_grid(CELLS, assumed, design, correlations=[0.2, 0.7], shifts=[-10.0, 0.0, 5.0])
    assert list(g.columns) == SENSITIVITY_COLUMNS and len(g) == 2 * 3 * 3 * 7
    row = g[
        (g.correlation == 0.7) & (g.shift_treatment == -10) & (g.shift_control == 5) & (g.source == "arm:time")
    ].iloc[0]
    moved = CELLS.copy()
    moved.loc[2, "mean_week6"] -= 10
    moved.loc[3, "mean_week6"] += 5
    one = summary_anova(moved, ["stratum", "arm"], TIMES, 0.7).set_index("source").loc["arm:time"]
    assert row.F == pytest.approx(one.F, rel=1e-12) and row.p_gg == pytest.approx(one.p_gg, rel=1e-12)
    assert row.significant_gg == (one.p_gg < 0.05)


def test_thresholds_are_where_p_crosses_alpha():
    th = thresholds(CELLS, ["stratum", "arm"], TIMES)
    row = th[(th.scenario == "threshold_unc") & (th.source == "stratum:arm:time")].iloc[0]
    assert row.p_unc == pytest.approx(0.05, abs=1e-9)
    below = summary_anova(CELLS, ["stratum", "arm"], TIMES, row.correlation - 0.01).set_index("source")
    above = summary_anova(CELLS, ["stratum", "arm"], TIMES, row.correlation + 0.01).set_index("source")
    assert below.loc["stratum:arm:time", "p_unc"] > 0.05 > above.loc["stratum:arm:time", "p_unc"]
    assert "above" in row.note
    # the uncorrected threshold has a closed form: F is (a / (b - rho c)) for within effects
    design = SummaryDesign(CELLS, ["stratum", "arm"], TIMES)
    f0 = design.evaluate(cell_means(CELLS, TIMES), 0.0)["F"][0, 6]
    f1 = design.evaluate(cell_means(CELLS, TIMES), 1 - 1e-9)["F"][0, 6]
    fstar = stats.f.ppf(0.95, 2, 130)
    # 1/F is linear in rho
    rho_star = (1 / f0 - 1 / fstar) / (1 / f0 - 1 / f1)
    assert row.correlation == pytest.approx(rho_star, rel=1e-6)


def test_paired_t_threshold_closed_form():
    n, m1, s1, m2, s2 = 9, 58.9, 8.6, 53.89, 9.6
    r = paired_t_threshold(n, m1, s1, m2, s2, 0.05)
    assert paired_t(n, m1, s1, m2, s2, r)[2] == pytest.approx(0.05, rel=1e-10)
    assert paired_t(n, m1, s1, m2, s2, r + 0.01)[2] < 0.05 < paired_t(n, m1, s1, m2, s2, r - 0.01)[2]
    x = exact_moment_sample(np.random.default_rng(0), n, [m1, m2], [s1, s2], compound_symmetry(2, 0.3))
    # the t of the change, second visit minus first
    ref = stats.ttest_rel(x[:, 1], x[:, 0])
    assert paired_t(n, m1, s1, m2, s2, 0.3) == pytest.approx((ref.statistic, n - 1, ref.pvalue), rel=1e-10)


@pytest.mark.parametrize("ss_type", [2, 3])
def test_pooled_correlation_reproduces_the_individual_data_anova(ss_type):
    """shared3 (2 x 2 x 5, drop-out, SDs and correlations that differ by visit): the closed form at the
    pooled within-cell correlation gives every F of the individual-data ANOVA (the mean of the pairwise
    correlations does not)."""
    d = pd.read_csv(DATA / "shared3_long.csv").rename(
        columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"}
    )
    times = ["t0", "t1", "t2", "t3", "t4"]
    between = ["stratum", "arm"]
    truth = mixed_anova(d, "score", "time", "subject", between, ss_type)
    cells = cells_from_data(d, "score", between, times)
    pooled = pooled_correlation(d, "score", between, times)
    closed = summary_anova(cells, between, times, pooled, ss_type)
    assert closed.source.tolist() == truth.source.tolist()
    np.testing.assert_allclose(closed.F, truth.F, rtol=1e-9)
    np.testing.assert_allclose(closed.p_unc, truth.p_unc, rtol=1e-9)
    average = average_correlation(d, "score", between, times)
    assert abs(pooled - average) > 0.05  # 0.564 and 0.461
    off = summary_anova(cells, between, times, average, ss_type)
    assert np.max(np.abs(off.F / truth.F - 1)) > 0.05


def test_observed_row_of_the_sensitivity_uses_the_pooled_correlation():
    d = pd.read_csv(DATA / "shared3_long.csv").rename(
        columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"}
    )
    times = ["t0", "t1", "t2", "t3", "t4"]
    design = SensitivityDesign(["stratum", "arm"], times, {"treatment": "hip", "control": "control"})
    table = sensitivity_from_data(d, "score", design, correlations=[0.5])
    observed = table[table.scenario == "observed"]
    truth = mixed_anova(d, "score", "time", "subject", ["stratum", "arm"], 3).set_index("source")
    assert observed.correlation.unique() == pytest.approx(
        [pooled_correlation(d, "score", ["stratum", "arm"], times)], rel=1e-9
    )
    np.testing.assert_allclose(observed.set_index("source").loc[truth.index, "F"], truth.F, rtol=1e-9)
