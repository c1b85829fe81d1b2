"""Two within factors (phase x hour) against afex on O'Brien & Kaiser (tests/reference/two_within.R):
every within term in its own stratum, with its GG/HF epsilon and Mauchly's test, to 1e-6."""

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, ROOT

from hiplbp.stats.anova import mixed_anova


def _obk() -> pd.DataFrame:
    w = pd.read_csv(ROOT / "trials" / "obrienkaiser" / "obrienkaiser.csv")
    cols = [c for c in w.columns if c.split(".")[0] in ("pre", "post", "fup")]
    long = w.melt(id_vars=["rownames", "treatment", "gender"], value_vars=cols, value_name="value")
    long["phase"] = pd.Categorical(long["variable"].str.split(".").str[0], categories=["pre", "post", "fup"])
    long["hour"] = pd.Categorical(long["variable"].str.split(".").str[1], categories=["1", "2", "3", "4", "5"])
    return long


@pytest.mark.parametrize("ss_type", [2, 3])
def test_two_within_factors_equal_afex(ss_type):
    mine = mixed_anova(_obk(), "value", ["phase", "hour"], "rownames", ["treatment", "gender"], ss_type, ["gender"])
    ref = pd.read_csv(REFERENCE / "two_within" / f"obrienkaiser_anova_type{ss_type}.csv")
    assert mine.source.tolist() == ref.source.tolist()  # afex's order: between, then each within term
    for col, theirs in [("df1", "df1"), ("df2", "df2"), ("F", "F"), ("ges", "ges"), ("p_unc", "p")]:
        np.testing.assert_allclose(mine[col], ref[theirs], rtol=1e-6, err_msg=col)
    within = ref.eps_gg.notna().to_numpy()
    for col, theirs in [("p_gg", "p_gg"), ("p_hf", "p_hf"), ("eps_gg", "eps_gg"), ("eps_hf", "eps_hf")]:
        np.testing.assert_allclose(mine[col][within], ref[theirs][within], rtol=1e-6, err_msg=col)
    for col, theirs in [("mauchly_w", "mauchly_w"), ("mauchly_p", "mauchly_p")]:
        np.testing.assert_allclose(mine[col][within], ref[theirs][within], rtol=1e-6, err_msg=col)
    # every within term has its own epsilon: phase (2 df), hour (4), phase x hour (8)
    eps = mine.set_index("source").eps_gg
    assert len({round(eps[s], 12) for s in ("phase", "hour", "phase:hour")}) == 3
