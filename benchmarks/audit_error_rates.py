"""Measured error rates of the audit's newer checks: false flags on honest trials, detection of made-up numbers.

Run from the repository root:  .venv/bin/python benchmarks/audit_error_rates.py [--trials 1000] [--seed 27]

Honest two-arm trials are simulated and printed as papers print them: t and F at 2 decimals, df
whole or to 1 decimal (or not printed), p at 2-3 decimals or "<.001". Each gives:

- a paired t (one arm's change), a Welch t (the arms at follow-up) and a repeated-measures F of the
  visits, of visits x group and of the groups, with and without their df (6-59 patients per arm;
  ``reported_statistic``);
- a continuous Table 1 row (5-119 patients per arm, integer or continuous values, means and SDs at
  0-2 decimals) with its Student or Welch p, and a 2 x 2 categorical one with its chi-square or
  Fisher p (``baseline_p``).

The tests (``tests/test_reported_tests.py``, ``tests/test_table1_p.py``) draw their trials from the
same generators.

Made-up numbers: the same tables with each printed p replaced by one drawn uniformly on (0, 1) and
printed the same way (what a fabricator who invents p values without computing them prints).
Printed: each check's false-flag rate on the honest trials with its 95 % Clopper-Pearson upper bound
(nominal 0: these checks only flag numbers no data set gives), and the share of made-up p values it
calls impossible. Nothing here is a pass/fail test; ``tests/test_reported_tests.py`` and
``tests/test_table1_p.py`` assert the zero false flags on smaller samples.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from hiplbp.audit.reported import reported_statistic_checks
from hiplbp.audit.table1 import baseline_p_checks
from hiplbp.stats.anova import mixed_anova
from hiplbp.trial.tables import Trial, read_trial


def p_text(p: float, rng: np.random.Generator) -> str:
    """A p printed as papers print it: "<.001", or 2 or 3 decimals without the leading zero."""
    return "<.001" if p < 0.001 else f"{p:.{int(rng.integers(2, 4))}f}".lstrip("0")


def trial_tables(
    rng: np.random.Generator, with_df: bool, visit_word: str = "Visit"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One honest trial's groups, outcomes and tests tables (text, as printed): a paired t, a Welch
    t and the repeated-measures F of the visits (called ``visit_word``), of visits x group and of
    the groups, with their df printed or not."""
    na, nb = (int(x) for x in rng.integers(6, 60, 2))
    effect = rng.normal(0, 0.6)
    a = rng.multivariate_normal([10, 9], [[4, 2.4], [2.4, 4]], na)
    b = rng.multivariate_normal([10, 9 + effect], [[4, 2.4], [2.4, 6 * rng.uniform(0.5, 2)]], nb)
    groups = pd.DataFrame(
        {"group": ["A", "B"], "n_randomised": [na, nb], "n_analysed": [na, nb], "arm": ["treatment", "control"]}
    )
    outcomes = pd.DataFrame(
        [
            dict(
                outcome="y",
                group=g,
                time=t,
                n=len(x),
                mean=f"{x[:, j].mean():.1f}",
                sd=f"{x[:, j].std(ddof=1):.1f}",
                status="printed",
            )
            for g, x in (("A", a), ("B", b))
            for j, t in enumerate(("t0", "t1"))
        ]
    )
    paired = stats.ttest_rel(a[:, 1], a[:, 0])
    welch = stats.ttest_ind(a[:, 1], b[:, 1], equal_var=False)
    long = pd.DataFrame(
        [
            dict(s=f"{g}{i}", arm=g, visit=t, y=x[i, j])
            for g, x in (("A", a), ("B", b))
            for i in range(len(x))
            for j, t in enumerate(("t0", "t1"))
        ]
    )
    rm = mixed_anova(long, "y", "visit", "s", ["arm"], ss_type=3).set_index("source")
    f_df = f"1, {na + nb - 2}"
    printed = [
        ("A: t0 to t1", "t", f"{na - 1}", paired.statistic, paired.pvalue),
        ("A vs B at t1", "t", f"{float(welch.df):.1f}", welch.statistic, welch.pvalue),
        (visit_word, "F", f_df, rm.loc["visit", "F"], rm.loc["visit", "p_unc"]),
        (f"{visit_word} x Group", "F", f_df, rm.loc["arm:visit", "F"], rm.loc["arm:visit", "p_unc"]),
        ("Group", "F", f_df, rm.loc["arm", "F"], rm.loc["arm", "p_unc"]),
    ]
    tests = pd.DataFrame(
        [
            dict(
                outcome="y",
                effect=e,
                test=k,
                df_as_printed=d if with_df else "",
                statistic=f"{v:.2f}",
                p_as_printed=p_text(p, rng),
                claim="",
                status="printed",
            )
            for e, k, d, v, p in printed
        ]
    )
    return groups, outcomes, tests


def continuous_row(rng: np.random.Generator, k: int) -> tuple[pd.DataFrame, float]:
    """One continuous Table 1 characteristic of two arms (``v<k>``), printed as papers print it
    (integer or continuous values, means and SDs at 0-2 decimals, the test named or not), and its
    true p."""
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
            p_as_printed=p_text(p, rng) if g == "A" else "",
            test_as_printed=test,
        )
        for g, x in (("A", a), ("B", b))
    ]
    return pd.DataFrame(rows), p


def categorical_rows(rng: np.random.Generator, na: int, nb: int) -> pd.DataFrame:
    """A 2 x 2 categorical Table 1 characteristic with its chi-square or Fisher p as printed."""
    ca, cb = int(rng.binomial(na, 0.4)), int(rng.binomial(nb, 0.4))
    table = np.array([[ca, cb], [na - ca, nb - cb]])
    chi2 = rng.random() < 0.5
    p = stats.chi2_contingency(table, correction=False)[1] if chi2 else stats.fisher_exact(table)[1]
    rows = [
        dict(
            variable="sex",
            group=g,
            kind="categorical",
            n="",
            mean="",
            sd="",
            category=c,
            count=str(table[i, j]),
            percent="",
            status="printed",
            p_as_printed=p_text(p, rng) if (g, c) == ("A", "female") else "",
            test_as_printed="chi2" if chi2 else "Fisher",
        )
        for i, c in enumerate(("female", "male"))
        for j, g in enumerate(("A", "B"))
    ]
    return pd.DataFrame(rows)


def made_up(tests: pd.DataFrame, chars: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same tables with every printed p replaced by one drawn uniformly, printed the same way."""
    tests = tests.assign(p_as_printed=[p_text(float(rng.random()), rng) for _ in range(len(tests))])
    chars = chars.copy()
    has = chars["p_as_printed"] != ""
    chars.loc[has, "p_as_printed"] = [p_text(float(rng.random()), rng) for _ in range(int(has.sum()))]
    return tests, chars


def write_trial(folder: Path, tables: dict[str, pd.DataFrame]) -> Trial:
    """Tables (name -> table) written as a trial folder and read back as the audit reads one."""
    folder.mkdir()
    for name, t in tables.items():
        t.to_csv(folder / f"{name}.csv", index=False)
    return read_trial(folder)


def audit(trial: Trial) -> list[dict]:
    """The reported tests and Table 1 p of one trial."""
    n = trial.groups.set_index("group")["n_analysed"].astype(int).to_dict()
    # the design declares the visits' factor by the name the tables print
    return reported_statistic_checks(trial, ["Visit"]) + baseline_p_checks(trial.characteristics, n)


def upper(k: int, n: int) -> float:
    """Upper end of the two-sided 95 % Clopper-Pearson interval of k of n."""
    return 1.0 if k == n else float(stats.beta.ppf(0.975, k + 1, n - k))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=27)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    start = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.trials):
            groups, outcomes, tests = trial_tables(rng, with_df=rng.random() < 0.5)
            na, nb = (int(x) for x in groups["n_analysed"])
            chars = pd.concat([continuous_row(rng, k)[0].assign(variable="age"), categorical_rows(rng, na, nb)])
            for kind, (t, c) in (("honest", (tests, chars)), ("made up", made_up(tests, chars, rng))):
                tables = dict(groups=groups, outcomes=outcomes, tests=t, characteristics=c)
                for r in audit(write_trial(Path(tmp) / f"{kind.replace(' ', '_')}{k}", tables)):
                    rows.append(
                        dict(
                            kind=kind,
                            check=r["check"],
                            # a reported test by its effect, a Table 1 p by its variable
                            target=r["target"].split(": ", 1)[0 if r["check"] == "baseline_p" else -1],
                            flag=r["verdict"] == "flag",
                        )
                    )
    took = time.perf_counter() - start
    f = pd.DataFrame(rows)
    f["what"] = f["check"] + ": " + f["target"]
    out = []
    for what, g in f.groupby("what", sort=False):
        honest, fake = g[g.kind == "honest"], g[g.kind == "made up"]
        k = int(honest.flag.sum())
        out.append(
            dict(
                statistic=what,
                honest=len(honest),
                false_flags=k,
                rate=f"{k / len(honest):.4f}",
                upper_95=f"{upper(k, len(honest)):.4f}",
                made_up_caught=f"{fake.flag.mean():.3f}",
            )
        )
    print(f"{a.trials} trials (honest and made up), {len(f)} checks in {took:.1f} s")
    print(pd.DataFrame(out).to_string(index=False))


if __name__ == "__main__":
    main()
