"""Table 1's printed p values recomputed from its printed means and SDs (or counts).

A continuous characteristic of two groups printed with a p (``characteristics.csv`` column
``p_as_printed``, its test in ``test_as_printed`` if the paper names it) is recomputed by
Student's and Welch's t over **every** rounding of the printed means and SDs: the difference of the
means anywhere in its rounding interval, each SD anywhere in its own. Student's p is monotone in
each of these, so its range comes from the interval's corners; Welch's df moves with the SDs, so
its range is taken over a 9 x 9 grid of the SDs' intervals (the corners among them), whose error is
far below the rounding of a printed p (2,000 honest tables, ``tests/test_table1_p.py``, are never
flagged). A printed p that no rounding and neither test reaches is flagged; the
explanation gives the reachable range. A test the paper names that cannot be recomputed from a
mean and an SD (Mann-Whitney, a median test) is ``not_applicable``.

A categorical characteristic printed with counts in two groups is recomputed by Pearson's
chi-square with and without Yates' correction and, for 2 x 2, Fisher's exact test.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import stats

from ..integrity.rounding import printed_interval
from ..integrity.statcheck import parse_p
from ..text import plain
from ..trial.published import NOT_AVAILABLE
from .verdicts import _row

#: Printed test names that the means and SDs cannot reproduce.
RANK_TESTS = ("mann", "wilcoxon", "kruskal", "median", "rank", "u test")
#: Points per SD interval of Welch's grid (its ends among them).
GRID = 9


def t_p_range(
    means: tuple[str, str], sds: tuple[str, str], ns: tuple[int, int], tests: tuple[str, ...] = ("student", "welch")
) -> tuple[float, float]:
    """The smallest and largest two-sided p of the t tests over every rounding of the printed values.

    Examples
    --------
    >>> lo, hi = t_p_range(("10.0", "12.0"), ("2.0", "2.0"), (20, 20), ("student",))
    >>> round(lo, 4), round(hi, 4)  # t from 1.9 / (2.05 sqrt(0.1)) = 2.93 to 2.1 / (1.95 sqrt(0.1)) = 3.41
    (0.0016, 0.0057)
    """
    (a_lo, a_hi), (b_lo, b_hi) = (printed_interval(m) for m in means)
    # the difference's size, smallest (0 where the intervals meet) and largest
    d_lo = float(max(a_lo - b_hi, b_lo - a_hi, Fraction(0)))
    d_hi = float(max(a_hi - b_lo, b_hi - a_lo))
    s1, s2 = ((max(float(lo), 1e-12), float(hi)) for lo, hi in (printed_interval(s) for s in sds))
    n1, n2 = ns
    d = np.array([d_lo, d_hi])
    ps: list[np.ndarray] = []
    if "student" in tests:
        x, y = (np.array(v) for v in zip(*itertools.product(s1, s2), strict=True))
        se = np.sqrt(((n1 - 1) * x * x + (n2 - 1) * y * y) / (n1 + n2 - 2) * (1 / n1 + 1 / n2))
        ps.append(2 * stats.t.sf(d[:, None] / se[None, :], n1 + n2 - 2))
    if "welch" in tests:
        x, y = np.meshgrid(np.linspace(s1[0], s1[1], GRID), np.linspace(s2[0], s2[1], GRID))
        v1, v2 = (x * x / n1).ravel(), (y * y / n2).ravel()
        df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        ps.append(2 * stats.t.sf(d[:, None] / np.sqrt(v1 + v2)[None, :], df[None, :]))
    every = np.concatenate([p.ravel() for p in ps])
    return float(every.min()), float(every.max())


def _tests(printed: str) -> tuple[str, ...] | None:
    """Which t tests a printed test name allows; ``None`` for one the summaries cannot reproduce."""
    name = printed.strip().lower()
    if any(r in name for r in RANK_TESTS):
        return None
    if "welch" in name:
        return ("welch",)
    if name in ("t", "student", "t test", "t-test", "student's t") or "student" in name:
        return ("student",)
    return ("student", "welch")


def baseline_p_checks(characteristics: pd.DataFrame, n_by_group: dict[str, int]) -> list[dict]:
    """Each printed p of a two-group baseline characteristic against what its summaries allow.

    Parameters
    ----------
    characteristics : DataFrame
        ``characteristics.csv`` as text, with ``p_as_printed`` (and optionally ``test_as_printed``).
    n_by_group : mapping
        Group -> n (a row's own ``n`` is used where printed).
    """
    if "p_as_printed" not in characteristics:
        return []
    rows = []
    c = characteristics[characteristics["status"] != NOT_AVAILABLE]
    for variable, t in c.groupby("variable", sort=False):
        printed = [p for p in t["p_as_printed"] if str(p).strip()]
        if not printed:
            continue
        test = next((x for x in t.get("test_as_printed", pd.Series(dtype=str)) if str(x).strip()), "")
        kind = str(t["kind"].iloc[0])
        row = (_continuous if kind == "continuous" else _categorical)(str(variable), t, printed[0], test, n_by_group)
        rows.append(row)
    return rows


def _n(r: pd.Series, n_by_group: dict[str, int]) -> int:
    return int(r["n"]) if str(r.get("n", "")).isdigit() else int(n_by_group[r["group"]])


def _continuous(variable: str, t: pd.DataFrame, p: str, test: str, n_by_group: dict[str, int]) -> dict:
    value = f"p {p}" + (f" ({test})" if test else "")
    target = f"{variable}: printed p"
    allowed = _tests(test)
    if len(t) != 2 or allowed is None or parse_p(p) is None or (t["sd"].astype(str).str.strip() == "").any():
        why = (
            "it compares more than two groups"
            if len(t) != 2
            else f"the printed test ({test}) cannot be recomputed from a mean and an SD"
            if allowed is None
            else "the printed p states no number, or an SD is not printed"
        )
        return _row("baseline_p", target, value, verdict="not_applicable", explanation=f"Not recomputed: {why}.")
    a, b = (t.iloc[i] for i in (0, 1))
    lo, hi = t_p_range((a["mean"], b["mean"]), (a["sd"], b["sd"]), (_n(a, n_by_group), _n(b, n_by_group)), allowed)
    which = " or ".join(x.capitalize() for x in allowed)
    how = f"{which} t over every rounding of the printed means and SDs gives"
    return _range_row(target, value, p, (lo, hi), how, "no rounding of these summaries gives it")


def _categorical(variable: str, t: pd.DataFrame, p: str, test: str, n_by_group: dict[str, int]) -> dict:
    value = f"p {p}" + (f" ({test})" if test else "")
    target = f"{variable}: printed p"
    groups = list(dict.fromkeys(t["group"]))
    counts = t.pivot_table(index="category", columns="group", values="count", aggfunc="first")
    if len(groups) != 2 or counts.isna().any().any() or (counts == "").any().any() or parse_p(p) is None:
        return _row(
            "baseline_p",
            target,
            value,
            verdict="not_applicable",
            explanation="Not recomputed: it needs the counts of every category in two groups and a numeric p.",
        )
    table = counts[groups].astype(int).to_numpy()
    ps = [float(stats.chi2_contingency(table, correction=False)[1])]
    if table.shape == (2, 2):
        ps += [float(stats.chi2_contingency(table, correction=True)[1]), float(stats.fisher_exact(table)[1])]
    names = "Pearson's chi-square" + (", with Yates' correction, and Fisher's exact test" if len(ps) > 1 else "")
    how = f"{names} on the printed counts give"
    return _range_row(target, value, p, (min(ps), max(ps)), how, "none of these tests gives it")


def _range_row(target: str, value: str, p: str, reach: tuple[float, float], how: str, missed: str) -> dict:
    """The finding of a printed p against the range ``reach`` its summaries give (``how``: which
    tests, in words; ``missed``: why a p outside it cannot be)."""
    lo, hi = reach
    printed = parse_p(p)
    ok = printed is not None and printed.meets(lo, hi)
    text = (
        f"{how} p in [{plain(lo, 4)}, {plain(hi, 4)}]; the printed p {p} "
        f"{'fits' if ok else 'is outside that range: ' + missed}."
    )
    return _row(
        "baseline_p",
        target,
        value,
        f"p in [{plain(lo)}, {plain(hi)}]",
        p=hi,
        verdict="pass" if ok else "flag",
        explanation=text,
    )
