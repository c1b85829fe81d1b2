"""Table 1's printed p values (#27 point 8): recomputed over every rounding of the printed means
and SDs by Student's and Welch's t, and from counts by chi-square and Fisher; an honest table,
printed as papers print it, is never flagged."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from scipy import stats

from hiplbp.audit.table1 import baseline_p_checks, t_p_range

sys.path.insert(0, str(ROOT / "benchmarks"))
from audit_error_rates import continuous_row  # noqa: E402


def test_no_honest_table_1_p_is_flagged():
    rng = np.random.default_rng(8)
    tables = [continuous_row(rng, k)[0] for k in range(2000)]
    rows = baseline_p_checks(pd.concat(tables, ignore_index=True), {})
    assert len(rows) == 2000
    verdicts = pd.Series([r["verdict"] for r in rows]).value_counts().to_dict()
    assert verdicts == {"pass": 2000}, [r for r in rows if r["verdict"] != "pass"][:2]


def test_the_range_holds_the_p_of_the_printed_values_and_a_wrong_p_is_impossible():
    rng = np.random.default_rng(9)
    flagged = 0
    for k in range(300):
        t, p = continuous_row(rng, k)
        a, b = t.iloc[0], t.iloc[1]
        lo, hi = t_p_range((a["mean"], b["mean"]), (a["sd"], b["sd"]), (int(a["n"]), int(b["n"])))
        at_printed = stats.ttest_ind_from_stats(
            float(a["mean"]), float(a["sd"]), int(a["n"]), float(b["mean"]), float(b["sd"]), int(b["n"])
        ).pvalue
        if float(a["sd"]) > 0 and float(b["sd"]) > 0:
            assert lo - 1e-12 <= at_printed <= hi + 1e-12
        # the p of a very different table: impossible unless the ranges meet
        wrong = t.assign(p_as_printed=["<.001" if p > 0.2 else ".90", ""])
        row = baseline_p_checks(wrong, {})[0]
        assert (row["verdict"] == "flag") == (
            not (lo <= (0.001 if p > 0.2 else 0.905) and hi >= (0 if p > 0.2 else 0.895))
        )
        flagged += row["verdict"] == "flag"
    assert flagged > 200  # most wrong p values are caught


def test_a_rank_test_or_more_groups_is_not_recomputed():
    t, _ = continuous_row(np.random.default_rng(1), 0)
    row = baseline_p_checks(t.assign(test_as_printed="Mann-Whitney U"), {})[0]
    assert row["verdict"] == "not_applicable" and "Mann-Whitney U" in row["explanation"]
    three = pd.concat([t, t.iloc[[1]].assign(group="C")], ignore_index=True)
    assert baseline_p_checks(three, {})[0]["verdict"] == "not_applicable"


@pytest.mark.parametrize("table", [[[12, 18], [20, 10]], [[3, 9], [11, 5]], [[10, 12], [8, 9], [5, 4]]])
def test_categorical_p_from_counts_equals_scipy(table):
    table = np.array(table)
    rows = [
        dict(
            variable="sex",
            group=g,
            kind="categorical",
            n="",
            mean="",
            sd="",
            category=f"c{i}",
            count=str(table[i, j]),
            percent="",
            status="printed",
            p_as_printed="",
            test_as_printed="",
        )
        for i in range(len(table))
        for j, g in enumerate(("A", "B"))
    ]
    frame = pd.DataFrame(rows)
    exact = stats.chi2_contingency(table, correction=False)[1]
    frame.loc[0, "p_as_printed"] = f"{exact:.3f}".lstrip("0")
    assert baseline_p_checks(frame, {})[0]["verdict"] == "pass"
    candidates = [exact]
    if table.shape == (2, 2):
        candidates += [stats.chi2_contingency(table, correction=True)[1], stats.fisher_exact(table)[1]]
    far = 0.999 if max(candidates) < 0.5 else 0.0001
    frame.loc[0, "p_as_printed"] = f"{far}"
    row = baseline_p_checks(frame, {})[0]
    assert row["verdict"] == "flag" and f"{min(candidates):.4g}"[:4] in row["explanation"]
