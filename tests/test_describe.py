"""Descriptives: t intervals against scipy's closed form."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hiplbp.stats.describe import cell_summary, t_interval


def test_t_interval_equals_scipy():
    x = np.array([55.0, 61.0, 47.0, 52.0, 70.0, 44.0])
    lo, hi = t_interval(x, 0.95)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    assert np.isnan(t_interval([1.0])[0])


def test_cell_summary_ignores_missing_values():
    d = pd.DataFrame({"arm": ["a"] * 4 + ["b"] * 3, "y": [1.0, 2.0, 3.0, np.nan, 4.0, 6.0, 8.0]})
    s = cell_summary(d, "y", ["arm"]).set_index("arm")
    assert s.loc["a", "n"] == 3 and s.loc["a", "mean"] == 2.0 and s.loc["b", "sd"] == 2.0
    assert s.loc["b", "se"] == pytest.approx(2.0 / np.sqrt(3), rel=1e-9)
    assert s.loc["b", "ci_high"] == pytest.approx(6.0 + stats.t.ppf(0.975, 2) * 2.0 / np.sqrt(3), rel=1e-9)


def test_cell_basis_is_reported_and_mixed_cells_say_so():
    d = pd.DataFrame({"arm": ["a", "a", "b", "b"], "y": [1.0, 2.0, 3.0, 4.0]})
    s = cell_summary(d, "y", ["arm"], basis=pd.Series(["published", "published", "published", "assumed"]))
    assert s.set_index("arm")["basis"].to_dict() == {"a": "published", "b": "assumed+published"}
    assert (cell_summary(d, "y", ["arm"])["basis"] == "data").all()
