"""Bands of within-group changes and ANCOVA effects, the correlation's narrowing, adjusted effects, the table.

References are independent: the individual-data ANCOVA (:func:`hiplbp.stats.ancova.fit`, itself checked
against R's emmeans) for the closed form; brute force over the open quantities for every band;
statsmodels' OLS with covariates for the adjusted effects.
"""

from __future__ import annotations

import itertools
import re
import sys

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import ROOT

from hiplbp.band import correlation as corr
from hiplbp.band.adjusted import adjustment_range, standardized_imbalance
from hiplbp.band.anova import printed_box
from hiplbp.band.box import Box
from hiplbp.band.effects import _variance_range, ancova_band, ancova_from_summaries, change_band
from hiplbp.band.published import BandSettings, PrintedTables, band_from_published
from hiplbp.band.table import OpenQuantities, PrintedStatistics, TableDesign, _contrasts, _region, band_table
from hiplbp.run.config import validated
from hiplbp.stats.ancova import Adjustment, fit
from hiplbp.summary.anova import pooled_correlation
from hiplbp.summary.ttest import paired_t

sys.path.insert(0, str(ROOT / "benchmarks"))
from coverage import printed_table, simulate  # noqa: E402

ARMS = {"treatment": "treatment", "control": "control"}


def _cells(data: pd.DataFrame, between: list[str], visits: list[str]) -> pd.DataFrame:
    """Unrounded complete-case summaries of baseline and one visit, one row per cell."""
    w = data.pivot_table(index=["subject", *between], columns="time", values="y").reset_index().dropna(subset=visits)
    g = w.groupby(between)
    out = g[visits].agg(["mean", "std"])
    out.columns = [f"{'mean' if s == 'mean' else 'sd'}_{v}" for v, s in out.columns]
    out["n"] = g.size()
    return out.reset_index()


@pytest.mark.parametrize("strata", [False, True])
def test_ancova_from_summaries_equals_the_individual_data_ancova(strata):
    """With the pooled baseline-visit correlation, the closed form is the individual data's ANCOVA to 1e-9."""
    rng = np.random.default_rng(5)
    data = simulate(rng, strata, 3, 40, 0.6, "baseline")
    between = ["stratum", "arm"] if strata else ["arm"]
    for v in ["t1", "t2"]:
        _, eff = fit(data, "y", between, [(ARMS["treatment"], ARMS["control"])], adjust=Adjustment("t0"), visit=v)
        cells = _cells(data, between, ["t0", v])
        r = pooled_correlation(data[data.time.isin(["t0", v])], "y", between, ["t0", v])
        for name, c in _contrasts(cells, between, ARMS).items():
            est, se, df, p = ancova_from_summaries(
                cells.n.to_numpy(float),
                cells["mean_t0"].to_numpy(),
                cells["sd_t0"].to_numpy(),
                cells[f"mean_{v}"].to_numpy(),
                cells[f"sd_{v}"].to_numpy(),
                r,
                c,
            )
            ref = eff.set_index("stratum").loc[name.replace("stratum ", "").replace("all strata", "all") or "all"]
            np.testing.assert_allclose([est, se, p], [ref.estimate, ref.se, ref.p], rtol=1e-9)
            assert df == ref.df


def test_variance_range_is_exact_against_brute_force():
    rng = np.random.default_rng(2)
    for _ in range(200):
        s0 = tuple(sorted(rng.uniform(0.5, 15, 2)))
        st = tuple(sorted(rng.uniform(0.5, 15, 2)))
        rho = tuple(sorted(rng.uniform(-0.3, 0.99, 2)))
        lo, hi = _variance_range(s0, st, rho)
        a, b, r = np.meshgrid(np.linspace(*s0, 61), np.linspace(*st, 61), np.linspace(*rho, 21), indexing="ij")
        v = a**2 + b**2 - 2 * r * a * b
        assert lo <= v.min() + 1e-9 and v.max() <= hi + 1e-9
        assert v.min() - lo < 1e-2 * max(v.min(), 1) and hi - v.max() < 1e-9  # and nearly reached


def _random_box(rng: np.random.Generator, g: int, k: int) -> Box:
    m = rng.uniform(30, 60, (g, k))
    s = rng.uniform(5, 15, (g, k))
    dm, ds = rng.uniform(0, 2, (g, k)), rng.uniform(0, 1.5, (g, k))
    return Box(m - dm, m + dm, s - ds, s + ds)


def test_change_and_ancova_bands_contain_every_point():
    """Random points and corners of the box and the correlation range: the closed forms stay in the bands."""
    rng = np.random.default_rng(8)
    for _ in range(20):
        box = _random_box(rng, 4, 2)
        n = rng.integers(8, 40, 4).astype(float)
        rho = tuple(sorted(rng.uniform(0.0, 0.95, 2)))
        contrast = np.array([0.5, -0.5, 0.5, -0.5])
        ch = change_band(box, 1, 0, 1, n[1], rho)
        an = ancova_band(box, 0, 1, n, rho, contrast)
        for i in range(300):
            pick = (
                (lambda lo, hi: lo + rng.integers(0, 2, lo.shape) * (hi - lo))
                if i % 2
                else (lambda lo, hi: lo + rng.random(lo.shape) * (hi - lo))
            )
            m, s, r = pick(box.mean_lo, box.mean_hi), pick(box.sd_lo, box.sd_hi), rng.uniform(*rho)
            t, _, p = paired_t(n[1], m[1, 0], s[1, 0], m[1, 1], s[1, 1], r)
            assert ch.lo - 1e-9 <= t <= ch.hi + 1e-9 and ch.p_lo - 1e-12 <= p <= ch.p_hi + 1e-12
            est, _, _, p = ancova_from_summaries(n, m[:, 0], s[:, 0], m[:, 1], s[:, 1], r, contrast)
            assert an.lo - 1e-9 <= est <= an.hi + 1e-9 and an.p_lo - 1e-12 <= p <= an.p_hi + 1e-12


def test_change_band_is_exact_for_the_statistic():
    """The paired t's band is reached at the corners of the box and the correlation range."""
    box = Box(np.array([[50.0, 40.0]]), np.array([[51.0, 42.0]]), np.array([[9.0, 8.0]]), np.array([[10.0, 9.0]]))
    band = change_band(box, 0, 0, 1, 20, (0.2, 0.8))
    ts = []
    for m0, mt, s0, st in itertools.product((50, 51), (40, 42), np.linspace(9, 10, 41), np.linspace(8, 9, 41)):
        for r in (0.2, 0.8):
            ts.append(paired_t(20, m0, s0, mt, st, r)[0])
    np.testing.assert_allclose([band.lo, band.hi], [min(ts), max(ts)], rtol=1e-6)


def test_printed_change_sd_and_paired_t_narrow_to_the_true_correlation():
    """Rounded printed summaries of real samples: the implied interval always holds the sample's correlation."""
    rng = np.random.default_rng(4)
    for _ in range(300):
        n = int(rng.integers(8, 60))
        r = rng.uniform(0.0, 0.95)
        x = rng.multivariate_normal([50, 45], [[100, 100 * r], [100 * r, 100]], size=n)
        s0, st = x.std(axis=0, ddof=1)
        d = x[:, 1] - x[:, 0]
        true = np.corrcoef(x.T)[0, 1]
        got = corr.from_change_sd(round(s0, 1), round(st, 1), round(d.std(ddof=1), 1), 0.05)
        assert got is not None and got[0] - 1e-9 <= true <= got[1] + 1e-9
        t = d.mean() / (d.std(ddof=1) / np.sqrt(n))
        m0, mt = x.mean(axis=0)
        got = corr.from_paired_t(
            n, round(m0, 1), round(mt, 1), round(s0, 1), round(st, 1), round(t, 2), half=0.05, t_half=0.005
        )
        assert got is not None and got[0] - 1e-9 <= true <= got[1] + 1e-9
    # exact summaries pin the correlation down
    assert corr.from_change_sd(10, 10, np.sqrt(200 - 200 * 0.3), 0.0) == pytest.approx((0.3, 0.3), rel=1e-9)


def test_printed_f_narrows_the_pooled_correlation_and_keeps_it():
    """A trial's own F (as printed, 2 decimals) narrows the correlation range, always around the data's rho*."""
    from hiplbp.stats.anova import mixed_anova

    rng = np.random.default_rng(21)
    for strata, rho in [(False, 0.3), (True, 0.7), (False, 0.85)]:
        between = ["stratum", "arm"] if strata else ["arm"]
        visits = ["t0", "t1", "t2", "t3"]
        data = simulate(rng, strata, 4, 60, rho, "random")
        printed = printed_table(data, between, visits)
        truth = mixed_anova(data, "y", "time", "subject", between).set_index("source")
        star = pooled_correlation(data, "y", between, visits)
        fs = {s: (round(truth.at[s, "F"], 2), 0.005) for s in ["time", "arm:time"]}
        open_ = OpenQuantities(rho_range=(0.0, 0.95), reference=0.5, half=0.05, low=0, high=100)
        design = TableDesign(between, visits, ARMS)
        table = band_table(printed, pd.DataFrame(columns=["cell", "time"]), design, open_, PrintedStatistics(f=fs))
        a = table[table.kind == "anova"].iloc[0]
        assert a.rho_basis.startswith("narrowed")
        assert a.rho_lo <= star <= a.rho_hi
        assert a.rho_hi - a.rho_lo < 0.8  # it does narrow, though the open overlap of patient sets keeps it wide
        inside = table[table.kind == "anova"].set_index("test")
        assert ((inside.lo <= truth.F) & (truth.F <= inside.hi)).all()
        # printed over the complete cases only (equal n at every visit), the F pins the correlation down
        complete = data.groupby("subject").filter(lambda g: g.y.notna().all())
        printed = printed_table(complete, between, visits)
        table = band_table(printed, pd.DataFrame(columns=["cell", "time"]), design, open_, PrintedStatistics(f=fs))
        a = table[table.kind == "anova"].iloc[0]
        assert a.rho_lo <= star <= a.rho_hi and a.rho_hi - a.rho_lo < 0.1, (a.rho_lo, star, a.rho_hi)


def test_flip_region_matches_brute_force():
    def p_at(r):
        return paired_t(12, 50, 10, 46, 10, r)[2]

    text = _region(p_at, (0.0, 0.95), 0.05)
    grid = np.linspace(0, 0.95, 2001)
    sig = np.array([p_at(r) < 0.05 for r in grid])
    first = grid[np.argmax(sig)]
    assert sig[-1] and not sig[0]
    assert (
        text == f"significant for correlations {first:.2f}-0.95"
        or abs(float(text.split()[-1].split("-")[0]) - first) < 1e-3
    )


def _adjusted_trial(rng: np.random.Generator, n: int, shift: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A two-arm trial with baseline y0, age and sex; per-arm printed characteristics; OLS estimates."""
    arm = np.repeat(["treatment", "control"], n)
    age = rng.normal(50, 10, 2 * n) + shift * (arm == "treatment")
    sex = (rng.random(2 * n) < 0.5 + 0.1 * shift / 10 * (arm == "treatment")).astype(float)
    y0 = rng.normal(50, 10, 2 * n)
    y1 = 0.6 * y0 + 0.4 * (age - 50) + 4 * sex - 5 * (arm == "treatment") + rng.normal(20, 6, 2 * n)
    d = pd.DataFrame(dict(arm=arm, age=age, sex=sex, y0=y0, y1=y1))
    rows = []
    for a, g in d.groupby("arm"):
        common = dict(group=a, n=str(len(g)), percent="", status="printed")
        rows.append(
            common
            | dict(variable="age", kind="continuous", mean=f"{g.age.mean():.1f}", sd=f"{g.age.std(ddof=1):.1f}")
            | dict(category="", count="")
        )
        for category, count in (("female", g.sex.sum()), ("male", len(g) - g.sex.sum())):
            rows.append(
                common
                | dict(variable="sex", kind="categorical", mean="", sd="", category=category, count=str(int(count)))
            )
    return d, pd.DataFrame(rows)


def test_adjusted_effects_are_never_flagged_when_they_are_real():
    """200 trials: the OLS effect adjusted for baseline, age and sex always lies in the range; far values do not."""
    rng = np.random.default_rng(9)
    arm_of = {"treatment": "treatment", "control": "control"}
    flagged_far = 0
    for i in range(200):
        d, chars = _adjusted_trial(rng, int(rng.integers(15, 80)), shift=float(rng.uniform(0, 8)))
        x = sm.add_constant(pd.DataFrame(dict(t=(d.arm == "treatment").astype(float), y0=d.y0, age=d.age, sex=d.sex)))
        adjusted = sm.OLS(d.y1, x).fit().params["t"]
        cells = _cells(
            d.assign(subject=range(len(d))).melt(
                id_vars=["subject", "arm"], value_vars=["y0", "y1"], var_name="time", value_name="y"
            ),
            ["arm"],
            ["y0", "y1"],
        )
        n = cells.n.to_numpy(float)
        box = printed_box(
            n[:, None].repeat(2, 1),
            cells[["mean_y0", "mean_y1"]].to_numpy(),
            cells[["sd_y0", "sd_y1"]].to_numpy(),
            n,
            rounding=0.05,
            overlap=False,
        )
        c = _contrasts(cells, ["arm"], ARMS)[""]
        base = ancova_band(box, 0, 1, n, (0.0, 0.95), c)
        sd_y = float(np.sqrt(np.sum((n - 1) * box.sd_hi[:, 1] ** 2) / np.sum(n - 1)))
        lo, hi, reach = adjustment_range(base.lo, base.hi, sd_y, standardized_imbalance(chars, ["age", "sex"], arm_of))
        assert lo <= adjusted <= hi, i
        flagged_far += not (lo <= hi + 3 * sd_y <= hi)
    assert flagged_far == 200  # a value three SDs beyond the range is always outside it


def _settings(outcome: str, **design) -> BandSettings:
    """Band settings with the schema's default ``band`` section, a 0-100 scale and correlation 0.5."""
    band = validated(
        {
            "data": {"source": "file"},
            "design": {"time_levels": [0, 1], "baseline": 0, "arms": {"treatment": 1, "control": 2}},
        }
        | {"outcomes": [{"name": "y", "column": "y"}]}
    )["band"]
    fixed = dict(band=band, reference=0.5, shifts=[0.0], bounds={outcome: (0.0, 100.0)}, ss_type=3, alpha=0.05)
    return BandSettings(**fixed, **design)


def _ebadi_fri(tests: pd.DataFrame, characteristics: pd.DataFrame | None = None) -> pd.DataFrame:
    """The band table of Ebadi et al.'s FRI (two arms, n 24/24/21 and 24/24/18) with these printed tests."""
    from hiplbp.trial.published import read_groups, read_summaries, trial_meaning

    eb = ROOT / "trials" / "ebadi2012"
    tables = PrintedTables(
        read_groups(eb / "groups.csv", **trial_meaning({})),
        read_summaries([eb / "outcomes.csv"]),
        tests=tests,
        characteristics=characteristics,
    )
    settings = _settings(
        "FRI",
        time_levels=["baseline", "after_10_sessions", "after_1_month"],
        arms={"treatment": "US", "control": "PL"},
        between=["arm"],
        names={"arm": "Group", "time": "Time"},
        arm_from="label",
        assumptions=[],
    )
    return band_from_published(tables, "FRI", settings)


def test_equal_n_leaves_no_overlap_term_lee2015_and_drop_out_opens_it_ebadi2012():
    """Lee & Kim print equal n at every visit: the overlap width is 0 for every statistic; Ebadi's 24/24/21 and
    24/24/18 make it positive for every statistic that uses the last visit."""
    from hiplbp.trial.published import read_groups, read_summaries, trial_meaning
    from hiplbp.trial.tables import read_text_table

    lee = ROOT / "trials" / "lee2015"
    meaning = trial_meaning(
        {
            "marker_arms": {"†": "treatment", "‡": "control"},
            "label_arms": {"EG": "treatment", "CG": "control"},
            "strata": {"lumbar stability": "stable", "lumbar instability": "unstable"},
        }
    )
    tables = PrintedTables(
        read_groups(lee / "groups.csv", **meaning),
        read_summaries([lee / "outcomes.csv"]),
        tests=read_text_table(lee / "tests.csv"),
    )
    settings = _settings(
        "vas",
        time_levels=["baseline", "week3", "week6"],
        arms={"treatment": "hip", "control": "control"},
        between=["stratum", "arm"],
        names={},
        arm_from="marker",
        assumptions=[
            {"outcome": "vas", "time": "week6", "group": g, "from_time": "week3", "mean_shift": 0.0, "sd_scale": 1.0}
            for g in ("CG II", "EG II")
        ],
    )
    table = band_from_published(tables, "vas", settings)
    assert len(table) == 7 + 8 + 6 and (table.width_overlap == 0).all()
    assert (table.lo <= table.value + 1e-9).all() and (table.value <= table.hi + 1e-9).all()
    eb = ROOT / "trials" / "ebadi2012"
    table = _ebadi_fri(read_text_table(eb / "tests.csv"))
    last = table[table.test.str.contains("after_1_month") | (table.kind == "anova")]
    assert (last.width_overlap > 0).all()
    assert table.sentence.str.len().min() > 100


def test_printed_change_sds_narrow_each_change_and_the_ancova():
    """A paper that prints every group's change SD (1 decimal): each change's range holds that group's correlation
    of baseline and visit, and the ANCOVA's holds the pooled one; the bands cover the individual data's values."""
    rng = np.random.default_rng(31)
    for strata in (False, True):
        between = ["stratum", "arm"] if strata else ["arm"]
        visits = ["t0", "t1", "t2"]
        data = simulate(rng, strata, 3, 50, 0.6, "baseline")
        printed = printed_table(data, between, visits)
        w = data.pivot_table(index=["subject", *between], columns="time", values="y").reset_index()
        sds, truth = {}, {}
        for i, cell in enumerate(printed[between].to_dict("records")):
            g = w[np.logical_and.reduce([w[b].to_numpy() == cell[b] for b in between])]
            for v in visits[1:]:
                pair = g.dropna(subset=["t0", v])
                sds[(i, v)] = (round((pair[v] - pair["t0"]).std(ddof=1), 1), 0.05)
                truth[(i, v)] = np.corrcoef(pair["t0"], pair[v])[0, 1]
        open_ = OpenQuantities(rho_range=(0.0, 0.95), reference=0.5, half=0.05, low=0, high=100)
        table = band_table(
            printed,
            pd.DataFrame(columns=["cell", "time"]),
            TableDesign(between, visits, ARMS),
            open_,
            PrintedStatistics(change_sd=sds),
        )
        changes = table[table.kind == "change"].reset_index(drop=True)
        assert changes.rho_basis.eq("narrowed by the printed change SD").all()
        for (i, v), r in truth.items():
            row = changes.iloc[i * 2 + visits[1:].index(v)]
            assert row.rho_lo <= r <= row.rho_hi, (i, v, row.rho_lo, r, row.rho_hi)
        assert (changes.rho_hi - changes.rho_lo).max() < 0.5
        for v in visits[1:]:
            row = table[(table.kind == "ancova") & table.test.isin([v, f"{v}, all strata"])].iloc[0]
            pooled = pooled_correlation(data[data.time.isin(["t0", v])], "y", between, ["t0", v])
            assert row.rho_basis == "narrowed by every group's printed change" and row.rho_lo <= pooled <= row.rho_hi
            _, eff = fit(data, "y", between, [(ARMS["treatment"], ARMS["control"])], adjust=Adjustment("t0"), visit=v)
            assert row.lo <= eff.set_index("stratum").at["all", "estimate"] <= row.hi


def test_printed_adjusted_effect_is_judged_against_its_range_ebadi2012():
    """Ebadi's FRI with a printed effect at one month adjusted for baseline and age (US 31.4 vs PL 37.4 years):
    the baseline-adjusted estimate itself is consistent; a value far beyond the range is flagged."""
    from hiplbp.trial.tables import read_text_table

    eb = ROOT / "trials" / "ebadi2012"
    tests = read_text_table(eb / "tests.csv")
    extra = pd.DataFrame(
        {
            "outcome": ["FRI", "FRI"],
            "effect": ["after_1_month"] * 2,
            "test": ["difference"] * 2,
            "statistic": ["-6.7", "-60.0"],
            "adjusted_for": ["baseline; age"] * 2,
            "status": ["printed"] * 2,
        }
    )
    table = _ebadi_fri(
        pd.concat([tests, extra], ignore_index=True).fillna(""),
        characteristics=read_text_table(eb / "characteristics.csv"),
    )
    adjusted = table[table.kind == "adjusted"]
    assert adjusted.verdict.tolist() == ["consistent", "flag"]
    base = table[(table.kind == "ancova") & (table.test == "after_1_month")].iloc[0]
    # the reach: the pooled one-month SD bound times age's standardized imbalance (6.0 years + rounding over 12.1)
    reach = base.lo - adjusted.iloc[0].lo
    age_z = (37.4 - 31.4 + 0.1) / np.sqrt((24 * 12.3**2 + 24 * 11.9**2) / 48)
    sd_y = np.sqrt((20 * 7.85**2 + 17 * 11.95**2) / 37)  # one month: US n 21 SD 7.8, PL n 18 SD 11.9, + rounding
    assert reach == pytest.approx(sd_y * age_z, rel=1e-12)
    assert adjusted.iloc[0].hi - base.hi == pytest.approx(reach, rel=1e-9)
    assert "lies within" in adjusted.iloc[0].sentence and "flagged" in adjusted.iloc[1].sentence


@pytest.mark.parametrize(
    ("effect", "adjusted_for", "message"),
    [
        (
            "baseline",
            "baseline",
            "names effect 'baseline'; expected a later visit of the design (after_10_sessions, after_1_month)",
        ),
        ("after_1_month", "baseline; smoking", "covariate 'smoking' is not in the trial's characteristics.csv"),
    ],
)
def test_a_printed_difference_that_cannot_be_judged_is_one_line(effect, adjusted_for, message):
    from hiplbp.trial.tables import TrialError, read_text_table

    eb = ROOT / "trials" / "ebadi2012"
    row = pd.DataFrame(
        {
            "outcome": ["FRI"],
            "effect": [effect],
            "test": ["difference"],
            "statistic": ["-6.7"],
            "adjusted_for": [adjusted_for],
            "status": ["printed"],
        }
    )
    with pytest.raises(TrialError, match=re.escape(message)) as err:
        _ebadi_fri(row.fillna(""), characteristics=read_text_table(eb / "characteristics.csv"))
    assert "\n" not in str(err.value)
