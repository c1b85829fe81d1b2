"""Does the band from printed tables cover what the individual data give? Measured by simulation.

Run from the repository root:
    .venv/bin/python benchmarks/coverage.py [--trials N] [--seed S] [--z Z ...] [--range LO HI] [--jobs J]

108 scenarios: two arms, without or with two strata; 3, 4 or 5 visits on a 0-100 scale; n 20, 100
or 400 per arm and stratum; compound-symmetric correlation 0.2, 0.5 or 0.9; monotone drop-out after
baseline (about 4 % per visit) either at random or three times as likely for a high baseline value.
Each trial's "paper" prints, per cell and visit, the n measured and their mean and SD at one
decimal (as papers do: over whoever was measured then). The summary path gets only that table, and
for every source of the mixed ANOVA (complete cases, :func:`hiplbp.stats.anova.mixed_anova`) and the
ANCOVA effect of every later visit (averaged over strata, :func:`hiplbp.stats.ancova.ancova`) the table
reports whether the individual data's value falls inside the band:

- ``range``: the band over the configured correlation range (``--range``, the pipeline's default
  ``band.correlation``), the rounding and the overlap of patient sets;
- ``at_rho``: the same with the correlation fixed at the data's own pooled value (the ANOVA's, and
  for the ANCOVA of a visit that of baseline and the visit): what the rounding and overlap bounds
  alone must cover;

for each chance term ``--z`` of the overlap bound (``band.z``), with the median width (arm x visit:
band width / F; ANCOVA: band width / the individual data's SE of the effect). It then names the
smallest ``z`` with at least 95 % coverage in every scenario, and tabulates coverage and width by
scenario at it. Seeded per scenario (``numpy.random.SeedSequence``): two runs, with any number of
processes, print the same table. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import time

import numpy as np
import pandas as pd

from hiplbp.band.anova import f_band, printed_box
from hiplbp.band.box import Limits
from hiplbp.band.effects import Interval, ancova_band
from hiplbp.band.table import _contrasts
from hiplbp.stats.ancova import ancova
from hiplbp.stats.anova import mixed_anova
from hiplbp.summary.anova import pooled_correlation
from hiplbp.trial.design import Design

ARMS = {"treatment": "treatment", "control": "control"}
#: The configured correlation range of the bands (the pipeline's default).
RANGE = (-0.2, 0.95)


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


def truth_of(data: pd.DataFrame, between: list[str], visits: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The individual data's mixed ANOVA (complete cases) and ANCOVA effects (averaged over strata)."""
    anova = mixed_anova(data, "y", "time", "subject", between).set_index("source")
    _, eff = ancova(data, "y", Design(visits, ARMS, ["s1", "s2"] if "stratum" in between else [], baseline=visits[0]))
    return anova, eff[eff.stratum == "all"].set_index("visit")


def bands(
    printed: pd.DataFrame,
    between: list[str],
    visits: list[str],
    rho: tuple[float, float],
    z: float,
    kappa: float,
    anova: bool = True,
) -> tuple[pd.DataFrame | None, dict[str, Interval]]:
    """The F bands of the mixed ANOVA and the ANCOVA bands of each later visit, from the printed table."""
    n, mean, sd = (printed[[f"{w}_{v}" for v in visits]].to_numpy(float) for w in ("n", "mean", "sd"))
    kw = dict(rounding=0.05, overlap=True, limits=Limits(0.0, 100.0, kappa, z))
    nc = n.min(axis=1)
    f = (
        f_band(printed, between, visits, printed_box(n, mean, sd, nc, **kw), nc, rho).set_index("source")
        if anova
        else None
    )
    contrast = _contrasts(printed, between, ARMS)["all strata" if len(between) > 1 else ""]
    anc = {}
    for j, v in enumerate(visits[1:], start=1):
        pnc = np.minimum(n[:, 0], n[:, j])
        box = printed_box(n[:, [0, j]], mean[:, [0, j]], sd[:, [0, j]], pnc, **kw)
        anc[v] = ancova_band(box, 0, 1, pnc, rho, contrast)
    return f, anc


def scenario(args: tuple[tuple, int, int, list[float], float]) -> list[dict[str, object]]:
    """Every trial of one scenario (its own seed: the table does not depend on the process that ran it)."""
    (strata, k, n, rho, dropout), seed, trials, zs, kappa, rho_range = args
    rng = np.random.default_rng(seed)
    between = ["stratum", "arm"] if strata else ["arm"]
    visits = [f"t{j}" for j in range(k)]
    results = []
    for _ in range(trials):
        data = simulate(rng, strata, k, n, rho, dropout)
        anova, effects = truth_of(data, between, visits)
        printed = printed_table(data, between, visits)
        star = pooled_correlation(data, "y", between, visits)
        # the ANCOVA of a visit rests on the pooled correlation of baseline and that visit
        pair = {
            v: pooled_correlation(data[data.time.isin([visits[0], v])], "y", between, [visits[0], v])
            for v in visits[1:]
        }
        row = dict(design="2x2" if strata else "2", k=k, n=n, rho=rho, dropout=dropout)
        for z in zs:
            for label in ("range", "at_rho"):
                if label == "at_rho":
                    f, _ = bands(printed, between, visits, (star, star), z, kappa)
                    anc = {
                        v: bands(printed, between, [visits[0], v], (r, r), z, kappa, anova=False)[1][v]
                        for v, r in pair.items()
                    }
                else:
                    f, anc = bands(printed, between, visits, rho_range, z, kappa)
                assert f is not None
                inter = anova.loc["arm:time", "F"]
                for source in anova.index:
                    value = anova.at[source, "F"]
                    results.append(
                        row
                        | dict(
                            z=z,
                            band=label,
                            stat="F " + source,
                            cover=f.at[source, "F_lo"] <= value <= f.at[source, "F_hi"],
                            width=(f.at[source, "F_hi"] - f.at[source, "F_lo"]) / inter
                            if source == "arm:time"
                            else np.nan,
                        )
                    )
                for v, b in anc.items():
                    value = effects.at[v, "estimate"]
                    results.append(
                        row
                        | dict(
                            z=z,
                            band=label,
                            stat="ANCOVA",
                            cover=b.lo - 1e-9 <= value <= b.hi + 1e-9,
                            width=(b.hi - b.lo) / effects.at[v, "se"],
                        )
                    )
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trials", type=int, default=20, help="trials per scenario")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--z", type=float, nargs="+", default=[0.0, 1.0, 1.96], help="chance terms to compare")
    ap.add_argument("--kappa", type=float, default=0.0, help="systematic completer/left-out difference, in SDs")
    ap.add_argument("--range", type=float, nargs=2, default=list(RANGE), help="configured correlation range")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    grid = list(itertools.product([False, True], [3, 4, 5], [20, 100, 400], [0.2, 0.5, 0.9], ["random", "baseline"]))
    seeds = np.random.SeedSequence(args.seed).generate_state(len(grid))
    rho_range = (args.range[0], args.range[1])
    work = [(g, int(s), args.trials, args.z, args.kappa, rho_range) for g, s in zip(grid, seeds, strict=True)]
    with multiprocessing.Pool(args.jobs) as pool:
        results = [r for part in pool.map(scenario, work) for r in part]
    res = pd.DataFrame(results)
    elapsed = time.perf_counter() - t0
    pd.set_option("display.width", 250)
    keys = ["design", "k", "n", "rho", "dropout"]
    n_scen = len(res.groupby(keys).size())
    print(f"{n_scen} scenarios x {args.trials} trials (seed {args.seed}, kappa {args.kappa}); {elapsed:.0f} s")
    res["family"] = np.where(res.stat == "ANCOVA", "ANCOVA", "F")
    by = res.groupby(["band", "z", "family"])
    summary = by.agg(cover=("cover", "mean")).join(
        res.groupby(["band", "z", "family", *keys])["cover"]
        .mean()
        .groupby(["band", "z", "family"])
        .min()
        .rename("worst scenario")
    )
    summary = summary.join(res.groupby(["band", "z", "family"])["width"].median().rename("median width"))
    print("coverage (share of statistics inside the band) over all scenarios, the worst scenario's, and the")
    print("median width (arm x visit F band / its F; ANCOVA band / the data's SE of the effect):")
    print(summary.to_string(float_format=lambda x: f"{x:.3f}"))
    z_best = min((z for z in args.z if summary.loc[("at_rho", z), "worst scenario"].min() >= 0.95), default=None)
    fails = res[(res.band == "at_rho") & ~res.cover].groupby(["z", "family", "dropout", "n"]).size()
    print("misses with the correlation known, by z, family, drop-out and n:")
    print(fails.to_string())
    print(f"smallest z with >= 95 % coverage in every scenario (correlation known): {z_best}")
    if z_best is not None:
        pick = res[(res.z == z_best)]
        table = pick.groupby([*keys[:3], "dropout", "band", "family"])["cover"].mean().unstack(["band", "family"])
        table.columns = [f"cover {b} {f}" for b, f in table.columns]
        widths = (
            pick[pick.band == "at_rho"].groupby([*keys[:3], "dropout", "family"])["width"].median().unstack("family")
        )
        widths.columns = [f"width {c}" for c in widths.columns]
        print(f"by scenario at z = {z_best} (coverage over rho 0.2/0.5/0.9; widths with the correlation known):")
        print(table.join(widths).to_string(float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
