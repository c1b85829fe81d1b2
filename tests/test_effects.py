"""Effect sizes against pingouin (compute_effsize, compute_esci) and closed forms."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from hiplbp.stats.effects import EFFECT_SIZE_COLUMNS, d_z, effect_sizes, hedges_g
from hiplbp.trial.design import Design

ARMS = {"treatment": "hip", "control": "control"}


def test_hedges_g_equals_pingouin():
    rng = np.random.default_rng(2)
    x, y = rng.normal(50, 10, 21), rng.normal(55, 9, 9)
    g, lo, hi = hedges_g(x, y)
    assert g == pytest.approx(pg.compute_effsize(x, y, eftype="hedges"), rel=1e-12)
    ci = pg.compute_esci(stat=g, nx=21, ny=9, eftype="cohen", confidence=0.95, decimals=12)
    assert (lo, hi) == pytest.approx(tuple(ci), rel=1e-9)


def test_d_z_closed_form_and_interval():
    before = np.array([60.0, 55, 70, 62, 58, 66])
    after = np.array([50.0, 49, 61, 60, 50, 55])
    dz, lo, hi = d_z(before, after)
    diff = after - before
    assert dz == pytest.approx(diff.mean() / diff.std(ddof=1), rel=1e-12)
    ci = pg.compute_esci(stat=dz, nx=6, ny=6, paired=True, eftype="cohen", confidence=0.95, decimals=12)
    assert (lo, hi) == pytest.approx(tuple(ci), rel=1e-9)


def test_effect_size_table(shared_long):
    d = shared_long["shared1"].rename(
        columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"}
    )
    out = effect_sizes(d, "score", Design(["t0", "t1", "t2"], ARMS, ["stable", "unstable"], baseline="t0"))
    assert list(out.columns) == EFFECT_SIZE_COLUMNS
    assert (out.measure == "hedges_g").sum() == 6 and (out.measure == "d_z").sum() == 8
    row = out[(out.measure == "hedges_g") & (out.visit == "t2") & (out.stratum == "unstable")].iloc[0]
    at = d[(d.time == "t2") & (d.stratum == "unstable")]
    assert row.estimate == pytest.approx(
        pg.compute_effsize(at[at.arm == "hip"].score, at[at.arm == "control"].score, eftype="hedges"), rel=1e-12
    )
    assert (out.ci_low < out.estimate).all() and (out.estimate < out.ci_high).all()


def test_effect_size_rows_report_their_basis(shared_long):
    import pandas as pd

    d = shared_long["shared1"].rename(
        columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"}
    )
    assumed = (d.time == "t2") & (d.stratum == "unstable") & (d.arm == "control")
    basis = pd.Series("published", index=d.index).where(~assumed, "assumed")
    out = effect_sizes(d, "score", Design(["t0", "t1", "t2"], ARMS, ["stable", "unstable"], baseline="t0"), basis=basis)
    key = out.set_index(["measure", "visit", "stratum", "arm"])["basis"]
    assert key[("hedges_g", "t2", "unstable", "")] == "assumed+published"
    assert key[("d_z", "t2", "unstable", "control")] == "assumed+published"
    assert key[("d_z", "t2", "unstable", "hip")] == "published"
    assert key[("hedges_g", "t2", "stable", "")] == "published"


def test_without_a_baseline_only_the_between_arm_effects_remain(shared_long):
    d = shared_long["shared1"].rename(
        columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"}
    )
    visits, strata = ["t0", "t1", "t2"], ["stable", "unstable"]
    with_baseline = effect_sizes(d, "score", Design(visits, ARMS, strata, baseline="t0"))
    none = effect_sizes(d, "score", Design(visits, ARMS, strata, baseline="none"))
    g = with_baseline[with_baseline.measure == "hedges_g"].reset_index(drop=True)
    assert set(none.measure) == {"hedges_g"}
    pd.testing.assert_frame_equal(none, g, check_exact=False, rtol=1e-12, check_dtype=False)  # d_z has no n2
