"""Every analysis runs for any design of the data contract: one or two between factors, k >= 2 visits."""

import numpy as np
import pandas as pd
import pytest

from hiplbp.stats.ancova import ancova
from hiplbp.stats.anova import mixed_anova
from hiplbp.stats.contrasts import visit_contrasts
from hiplbp.stats.effects import effect_sizes
from hiplbp.stats.lmm import lmm_anova
from hiplbp.summary.sensitivity import SensitivityDesign, sensitivity_from_data
from hiplbp.trial.design import Design

ARMS = {"treatment": "hip", "control": "control"}


def _data(name, visits, shared_long):
    d = shared_long[name].rename(columns={"pid": "subject", "lumbar": "stratum", "exercise": "arm", "visit": "time"})
    d = d[d.time.isin(visits)].copy()
    d["time"] = pd.Categorical(d["time"], visits, ordered=True)
    return d


@pytest.mark.parametrize(
    "name, visits", [("shared1", ["t0", "t2"]), ("shared1", ["t0", "t1", "t2"]), ("shared2", ["t0", "t1", "t2", "t3"])]
)
@pytest.mark.parametrize("between", [["stratum", "arm"], ["arm"]])
def test_all_analyses_run(shared_long, name, visits, between):
    d = _data(name, visits, shared_long)
    strata = ["stable", "unstable"] if "stratum" in between else []
    a = mixed_anova(d, "score", "time", "subject", between)
    assert len(a) == (7 if len(between) == 2 else 3)
    within = a[a.source.str.endswith("time")]
    if len(visits) == 2:
        assert (within.eps_gg == 1).all() and (within.mauchly_p == 1).all()
    design = Design(visits, ARMS, strata, baseline=visits[0])
    terms, eff = ancova(d, "score", design)
    assert set(eff.visit) == set(visits[1:])
    lmm = lmm_anova(d, "score", "time", "subject", between).set_index("source")
    assert sorted(lmm.index) == sorted(a.source)
    if name == "shared1":  # complete data: the random-intercept LMM gives the univariate ANOVA F
        np.testing.assert_allclose(lmm.loc[a.source, "F"], a.F, rtol=1e-6)
    con = visit_contrasts(d, "score", design)
    assert len(con) == (len(visits) + len(visits) - 1) * (3 if strata else 1)
    es = effect_sizes(d, "score", design)
    assert np.isfinite(es.estimate).all()
    sens = sensitivity_from_data(d, "score", SensitivityDesign(between, visits, ARMS), correlations=[0.0, 0.5, 0.9])
    assert set(sens.scenario) == {"grid", "threshold_unc", "threshold_gg", "observed"}
    obs = sens[sens.scenario == "observed"].set_index("source")
    assert list(obs.index) == list(a.source)
