"""The band from printed tables: every bound holds against brute force, and it collapses to the closed form."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from hiplbp.band import complete_case_box, f_band, printed_band
from hiplbp.band.box import Limits, OpenQuantities
from hiplbp.stats.anova import mixed_anova
from hiplbp.summary.anova import pooled_correlation, summary_anova

CELLS = pd.DataFrame(
    {
        "stratum": ["s", "s", "u", "u"],
        "arm": ["a", "b", "a", "b"],
        "n": [10, 12, 9, 11],
        "mean_t0": [50, 51, 49, 52.0],
        "mean_t1": [40, 48, 42, 47.0],
        "mean_t2": [35, 46, 36, 45.0],
        "sd_t0": [9, 10, 8, 9.5],
        "sd_t1": [8, 9.5, 9, 10],
        "sd_t2": [7, 9, 8, 9.0],
    }
)
T = ["t0", "t1", "t2"]


def _arrays(cells):
    m = cells[[f"mean_{t}" for t in T]].to_numpy(float)
    s = cells[[f"sd_{t}" for t in T]].to_numpy(float)
    n = np.repeat(cells["n"].to_numpy(float)[:, None], len(T), axis=1)
    return n, m, s


def test_complete_case_box_holds_for_every_subset_brute_force():
    """Every subset of n_c of n values (0-10 scale): its mean and SD lie in the box of the rounded printed cell."""
    rng = np.random.default_rng(7)
    worst = 0.0
    for _ in range(300):
        n, d = 8, int(rng.integers(1, 4))
        x = rng.integers(0, 11, n).astype(float)
        m, s = round(x.mean(), 1), round(x.std(ddof=1), 1)
        box = complete_case_box(
            np.array([[n]]),
            np.array([[m]]),
            np.array([[s]]),
            np.array([[n - d]]),
            mean_half=0.05,
            sd_half=0.05,
            limits=Limits(0.0, 10.0),
        )
        for keep in itertools.combinations(range(n), n - d):
            sub = x[list(keep)]
            assert box.mean_lo.item() - 1e-12 <= sub.mean() <= box.mean_hi.item() + 1e-12
            assert box.sd_lo.item() - 1e-12 <= sub.std(ddof=1) <= box.sd_hi.item() + 1e-12
            worst = max(worst, (sub.mean() - m) / max(box.mean_hi.item() - m, 1e-12))
    assert worst > 0.8  # the mean bound is nearly reached by some subset: it is not loose


@pytest.mark.parametrize("ss_type", [2, 3])
@pytest.mark.parametrize("between", [["stratum", "arm"], ["arm"]])
def test_band_collapses_to_the_closed_form(ss_type, between):
    cells = CELLS if between == ["stratum", "arm"] else CELLS[CELLS.stratum == "s"].reset_index(drop=True)
    n, m, s = _arrays(cells)
    box = complete_case_box(n, m, s, cells["n"].to_numpy()[:, None])
    band = f_band(cells, between, T, box, cells["n"].to_numpy(), (0.4, 0.4), ss_type=ss_type)
    ref = summary_anova(cells, between, T, 0.4, ss_type)
    assert band.source.tolist() == ref.source.tolist()
    np.testing.assert_allclose(band.F_lo, ref.F, rtol=1e-9)
    np.testing.assert_allclose(band.F_hi, ref.F, rtol=1e-9)
    np.testing.assert_allclose(band.p_hi, ref.p_unc, rtol=1e-9)


def test_band_contains_every_point_of_the_open_quantities():
    """2,000 random points and every corner of the SD box: the closed-form F is always inside the band."""
    n, m, s = _arrays(CELLS)
    box = complete_case_box(n, m, s, CELLS["n"].to_numpy()[:, None], mean_half=0.5, sd_half=0.5)
    rho = (0.2, 0.8)
    band = f_band(CELLS, ["stratum", "arm"], T, box, CELLS["n"].to_numpy(), rho).set_index("source")
    rng = np.random.default_rng(3)
    lo_hits = hi_hits = 0
    for i in range(2000):
        u = rng.random(m.shape) if i % 2 else rng.integers(0, 2, m.shape)  # interior points and vertices
        cells = CELLS.copy()
        cells[[f"mean_{t}" for t in T]] = box.mean_lo + u * (box.mean_hi - box.mean_lo)
        cells[[f"sd_{t}" for t in T]] = box.sd_lo + rng.integers(0, 2, m.shape) * (box.sd_hi - box.sd_lo)
        r = summary_anova(cells, ["stratum", "arm"], T, rng.uniform(*rho)).set_index("source")
        # relative tolerance for rounding error, absolute near F = 0 (a minimum the QP finds at 1e-15)
        assert (r.F >= band.F_lo * (1 - 1e-9) - 1e-10).all() and (r.F <= band.F_hi * (1 + 1e-9)).all()
        lo_hits += int((r.F <= band.F_lo * 1.5).any())
        hi_hits += int((r.F >= band.F_hi / 1.5).any())
    assert lo_hits > 0 and hi_hits > 0  # points come near both ends: the band is not vacuous


def test_band_covers_the_individual_data_of_trials_with_drop_out():
    """Seeded trials as benchmarks/coverage.py draws them: the band at the data's pooled correlation covers
    the complete-case ANOVA's every F, and the band over [0, 0.95] does too."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from coverage import printed_table, simulate

    rng = np.random.default_rng(11)
    for strata, k, dropout in [(True, 3, "random"), (False, 4, "baseline"), (True, 5, "baseline")]:
        between = ["stratum", "arm"] if strata else ["arm"]
        visits = [f"t{j}" for j in range(k)]
        data = simulate(rng, strata, k, 60, 0.6, dropout)
        truth = mixed_anova(data, "y", "time", "subject", between).set_index("source")
        printed = printed_table(data, between, visits)
        assert (printed[f"n_{visits[0]}"] > printed[f"n_{visits[-1]}"]).any()  # there is drop-out
        star = pooled_correlation(data, "y", between, visits)
        for rho in [(star, star), (0.0, 0.95)]:
            open_ = OpenQuantities(rho, star, half=0.05, low=0.0, high=100.0, difference=None, z=None)
            band = printed_band(printed, between, visits, open_).set_index("source")
            inside = (band.loc[truth.index, "F_lo"] <= truth.F) & (truth.F <= band.loc[truth.index, "F_hi"])
            assert inside.all(), (strata, k, dropout, rho)
        assert set(band.dominant) <= {"correlation", "rounding", "overlap"}


def _printed(folder: str, outcome: str, groups: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """A trial folder's printed cells of one outcome as the band reads them (one row per group)."""
    t = pd.read_csv(ROOT / "trials" / folder / "outcomes.csv", dtype=str)
    t = t[(t.outcome == outcome) & t.group.isin(groups)]
    visits = list(dict.fromkeys(t.time))
    rows = []
    for g in groups:
        cell = t[t.group == g].set_index("time")
        row = {"group": g}
        for v in visits:
            row |= {f"n_{v}": float(cell.at[v, "n"]), f"mean_{v}": float(cell.at[v, "mean"])}
            row[f"sd_{v}"] = float(cell.at[v, "sd"])
        rows.append(row)
    return pd.DataFrame(rows), visits


def test_equal_n_per_visit_leaves_only_rounding_and_correlation_lee2015():
    """Lee & Kim's stable stratum (n 23 and 16 at every visit): the overlap term vanishes, so the band at one
    correlation is the rounding band, and its centre is the closed form at the printed values."""
    printed, visits = _printed("lee2015", "vas", ["EG I", "CG I"])
    open_ = OpenQuantities((0.5, 0.5), 0.5, half=0.05, low=0, high=100, difference=None, z=None)
    band = printed_band(printed, ["group"], visits, open_)
    assert (band.width_overlap == 0).all()
    np.testing.assert_allclose(band.F_hi - band.F_lo, band.width_rounding, rtol=1e-9)
    cells = printed.rename(columns={f"n_{visits[0]}": "n"})
    ref = summary_anova(cells, ["group"], visits, 0.5)
    np.testing.assert_allclose(band.F_reference, ref.F, rtol=1e-9)
    assert ((band.F_lo <= band.F_reference) & (band.F_reference <= band.F_hi)).all()


def test_drop_out_widens_the_band_ebadi2012():
    """Ebadi et al. (n 24/24/21 and 24/24/18): the overlap of patient sets is open and is part of the band."""
    printed, visits = _printed("ebadi2012", "FRI", ["US", "PL"])
    open_ = OpenQuantities((0.3, 0.8), 0.5, half=0.05, low=0, high=100, difference=1.0, z=None)
    band = printed_band(printed, ["group"], visits, open_).set_index("source")
    assert (band.width_overlap > 0).all()
    assert ((band.F_lo <= band.F_reference) & (band.F_reference <= band.F_hi)).all()
    # the complete cases are those seen at one month: 21 and 18
    assert band.loc["group:time", "df2"] == 2 * (21 + 18 - 2)


def test_an_ancova_band_without_baseline_spread_is_not_computed():
    """Cells of one patient (no complete pair with a baseline SD): no slope, so no band, not a crash."""
    from hiplbp.band.box import Box
    from hiplbp.band.effects import ancova_band

    m = np.array([[40.0, 30.0], [42.0, 35.0]])
    box = Box(m - 0.05, m + 0.05, np.zeros((2, 2)), np.zeros((2, 2)))
    out = ancova_band(box, 0, 1, np.array([1.0, 1.0]), (0.0, 0.9), np.array([1.0, -1.0]))
    assert np.isnan(out.lo) and np.isnan(out.hi)
