"""Table 1's printed p values (#27 point 8): recomputed over every rounding of the printed means
and SDs by Student's and Welch's t, and from counts by chi-square and Fisher; an honest table,
printed as papers print it, is never flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hiplbp.audit.table1 import baseline_p_checks, t_p_range


def _p_text(p: float, d: int) -> str:
    return "<.001" if p < 0.001 else f"{p:.{d}f}".lstrip("0")


def _honest(rng: np.random.Generator, k: int) -> tuple[pd.DataFrame, float]:
    """One continuous characteristic of two arms, printed as papers print it, and its true p."""
    n1, n2 = (int(x) for x in rng.integers(5, 120, 2))
    integer = rng.random() < 0.5
    spread = rng.uniform(0.5, 15)
    a = rng.normal(50, spread, n1)
    b = rng.normal(50 + rng.normal(0, spread / 3), spread * rng.uniform(0.6, 1.6), n2)
    if integer:
        a, b = np.rint(a), np.rint(b)
    dm, ds = (int(x) for x in rng.integers(0, 3, 2))
    test = ["", "t", "Welch"][k % 3]
    welch = test == "Welch" or (test == "" and rng.random() < 0.5)
    p = float(stats.ttest_ind(a, b, equal_var=not welch).pvalue)
    rows = [
        dict(
            variable=f"v{k}",
            group=g,
            kind="continuous",
            n=str(len(x)),
            mean=f"{x.mean():.{dm}f}",
            sd=f"{x.std(ddof=1):.{ds}f}",
            category="",
            count="",
            percent="",
            status="printed",
            p_as_printed=_p_text(p, int(rng.integers(2, 4))) if g == "A" else "",
            test_as_printed=test,
        )
        for g, x in (("A", a), ("B", b))
    ]
    return pd.DataFrame(rows), p


def test_no_honest_table_1_p_is_flagged():
    rng = np.random.default_rng(8)
    tables = [_honest(rng, k)[0] for k in range(2000)]
    rows = baseline_p_checks(pd.concat(tables, ignore_index=True), {})
    assert len(rows) == 2000
    verdicts = pd.Series([r["verdict"] for r in rows]).value_counts().to_dict()
    assert verdicts == {"pass": 2000}, [r for r in rows if r["verdict"] != "pass"][:2]


def test_the_range_holds_the_p_of_the_printed_values_and_a_wrong_p_is_impossible():
    rng = np.random.default_rng(9)
    flagged = 0
    for k in range(300):
        t, p = _honest(rng, k)
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
    t, _ = _honest(np.random.default_rng(1), 0)
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
