"""Does the band from printed tables cover what the individual data give? Measured by simulation.

Run from the repository root:  .venv/bin/python benchmarks/coverage.py [--trials N] [--seed S]

Each simulated trial has individual data: arms (and, in half the designs, two strata) with
``n`` patients per arm, ``k`` visits on a 0-100 scale, compound-symmetric correlation ``rho``,
an arm x visit effect, and monotone drop-out after baseline, either at random or more often for
patients with a high baseline value. Its "paper" prints, per cell and visit, the n measured and
their mean and SD at one decimal (as papers do: over whoever was measured then). The summary path
(:func:`hiplbp.band.printed_band`) gets only that table. For every source of the mixed ANOVA the
table reports whether the individual-data F (complete cases, :func:`hiplbp.anova.mixed_anova`)
falls inside the band:

- ``cover``: the band over a configured correlation range [0, 0.95], the rounding and the overlap;
- ``cover_at_rho*``: the same with the correlation fixed at the data's pooled value (what the
  rounding and overlap bounds alone must cover: 100 % if they are right);
- ``cover_kappa``: the band over [0, 0.95] when the patients missing from some visit differ from
  the complete cases by at most ``--kappa`` SDs (instead of whatever the scale allows);

and the median relative width ``(F_hi - F_lo) / F`` of each arm x visit band. Seeded: two runs
print the same table. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

from hiplbp.anova import mixed_anova
from hiplbp.band import printed_band
from hiplbp.sensitivity import pooled_correlation


def simulate(rng: np.random.Generator, strata: bool, k: int, n: int, rho: float, dropout: str) -> pd.DataFrame:
    """One trial's individual data, long: subject, (stratum), arm, time, y; NaN after drop-out."""
    rows = []
    cells = [(s, a) for s in (["s1", "s2"] if strata else [""]) for a in ("treatment", "control")]
    cov = 15.0**2 * ((1 - rho) * np.eye(k) + rho)
    for s, a in cells:
        m = 60 - np.arange(k) * (4.0 if a == "treatment" else 2.0) + (3.0 if s == "s2" else 0.0)
        y = np.clip(rng.multivariate_normal(m, cov, size=n), 0, 100)
        # monotone drop-out after baseline: ~4 % per visit, twice as likely for a high baseline
        hazard = np.full(n, 0.04) if dropout == "random" else np.where(y[:, 0] > np.median(y[:, 0]), 0.06, 0.02)
        last = np.full(n, k - 1)
        for j in range(1, k):
            leaving = (last == k - 1) & (rng.random(n) < hazard)
            last[leaving] = j - 1
        y[np.arange(k)[None, :] > last[:, None]] = np.nan
        for i in range(n):
            for j in range(k):
                rows.append((f"{s}{a}{i}", s, a, f"t{j}", y[i, j]))
    out = pd.DataFrame(rows, columns=["subject", "stratum", "arm", "time", "y"])
    return out if strata else out.drop(columns="stratum")


def printed_table(data: pd.DataFrame, between: list[str], visits: list[str]) -> pd.DataFrame:
    """What the paper prints: per cell and visit, n measured, mean and SD at one decimal."""
    seen = data.dropna(subset=["y"])
    g = seen.groupby([*between, "time"])["y"]
    stats = pd.DataFrame({"n": g.size(), "mean": g.mean().round(1), "sd": g.std(ddof=1).round(1)}).reset_index()
    wide = stats.pivot(index=between, columns="time", values=["n", "mean", "sd"])
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    return wide.reset_index()[[*between, *[f"{a}_{v}" for v in visits for a in ("n", "mean", "sd")]]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trials", type=int, default=20, help="trials per scenario")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--kappa", type=float, default=1.0, help="largest completer/left-out difference, in SDs")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    results = []
    t0 = time.perf_counter()
    grid = itertools.product([False, True], [3, 5], [20, 100, 400], [0.2, 0.5, 0.9], ["random", "baseline"])
    for strata, k, n, rho, dropout in grid:
        between = ["stratum", "arm"] if strata else ["arm"]
        visits = [f"t{j}" for j in range(k)]
        for _ in range(args.trials):
            data = simulate(rng, strata, k, n, rho, dropout)
            truth = mixed_anova(data, "y", "time", "subject", between).set_index("source")
            printed = printed_table(data, between, visits)
            star = pooled_correlation(data, "y", between, visits)
            kw = dict(low=0.0, high=100.0, decimals=1)
            wide = printed_band(printed, between, visits, rho_range=(0.0, 0.95), reference=0.5, **kw).set_index(
                "source"
            )
            exact = printed_band(printed, between, visits, rho_range=(star, star), reference=star, **kw).set_index(
                "source"
            )
            kappa = printed_band(
                printed, between, visits, rho_range=(0.0, 0.95), reference=0.5, difference=args.kappa, **kw
            ).set_index("source")
            for source in truth.index:
                f = truth.at[source, "F"]
                results.append(
                    dict(
                        design="2x2" if strata else "2",
                        k=k,
                        n=n,
                        rho=rho,
                        dropout=dropout,
                        source=source,
                        cover=wide.at[source, "F_lo"] <= f <= wide.at[source, "F_hi"],
                        cover_at_rho=exact.at[source, "F_lo"] <= f <= exact.at[source, "F_hi"],
                        width=(wide.at[source, "F_hi"] - wide.at[source, "F_lo"]) / f,
                        width_at_rho=(exact.at[source, "F_hi"] - exact.at[source, "F_lo"]) / f,
                        cover_kappa=kappa.at[source, "F_lo"] <= f <= kappa.at[source, "F_hi"],
                        width_kappa=(kappa.at[source, "F_hi"] - kappa.at[source, "F_lo"]) / f,
                    )
                )
    res = pd.DataFrame(results)
    elapsed = time.perf_counter() - t0
    keys = ["design", "k", "n", "dropout"]
    inter = res[res.source == "arm:time"]
    table = res.groupby(keys).agg(
        cover=("cover", "mean"), cover_at_rho=("cover_at_rho", "mean"), cover_kappa=("cover_kappa", "mean")
    )
    table = table.join(
        inter.groupby(keys).agg(
            width=("width", "median"), width_at_rho=("width_at_rho", "median"), width_kappa=("width_kappa", "median")
        )
    )
    pd.set_option("display.width", 200)
    print(
        f"{len(res.groupby(keys + ['rho']).size())} scenarios x {args.trials} trials (seed {args.seed}); "
        f"{len(res)} F values; {elapsed:.0f} s"
    )
    print("coverage over every source and rho 0.2/0.5/0.9; median relative width of the arm x visit band")
    print(table.to_string(float_format=lambda x: f"{x:.3f}"))
    print(
        f"overall: cover {res.cover.mean():.4f}, cover_at_rho* {res.cover_at_rho.mean():.4f}, "
        f"cover with kappa {args.kappa} {res.cover_kappa.mean():.4f}"
    )


if __name__ == "__main__":
    main()
