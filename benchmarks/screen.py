"""Screen many synthetic trials: time, what is found, false flags on clean trials, Carlisle's power.

Run from the repository root:
    .venv/bin/python benchmarks/screen.py [--trials 1000] [--cores 2] [--seed 17] [--power-trials 200]

1. Writes ``--trials`` folders with :mod:`synthetic_trials` (half with one planted anomaly each) into
   a fresh copy of the repository and runs the screen there (``snakemake --cores N --configfile
   screen.yaml``), timing the whole DAG and reading each job's benchmark file (where the time goes).
2. Tabulates, per planted kind, the share of trials in which the check for it flags, and, on the
   clean trials, each check's false-flag rate against its nominal level (0 for the exact checks;
   0.05 for the allocation ratio, each tail of Carlisle's method and its two-sided flag),
   with the upper end of a 95 % Clopper-Pearson interval.
3. Carlisle's power against baselines too alike: ``--power-trials`` trials for each nudge size (the
   control arm's means copied from the treatment arm's, moved by at most that many SDs), screened
   through :func:`hiplbp.screen.screen_trial`; the share with ``p_similar < 0.05``.

Seeded: two runs print the same tables (the timings aside). Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from pipeline import copy_repository, run_dag
from scipy import stats
from synthetic_trials import generate

from hiplbp.screen import screen_trial

#: The check that must find each planted kind (a column of trials.csv, > 0 when found).
FOUND_BY = {
    "grim": "flags_grim",
    "sd": "flags_mean_sd_consistency",
    "test": "flags_reported_statistic",
    "losses": "unexplained_losses",
    "similar": "flags_carlisle",
    "different": "flags_carlisle",
}
#: Each check's nominal false-flag rate on trials drawn under true randomization.
NOMINAL = {
    "flags_grim": 0.0,
    "flags_grimmer": 0.0,
    "flags_mean_sd_consistency": 0.0,
    "flags_percent_consistency": 0.0,
    "flags_reported_statistic": 0.0,
    "flags_n_reconciliation": 0.0,
    "unexplained_losses": 0.0,
    "flags_allocation_ratio": 0.05,
    "carlisle_p_different < .05": 0.05,
    "carlisle_p_similar < .05": 0.05,
    "flags_carlisle": 0.05,
}


def upper(k: int, n: int) -> float:
    """Upper end of the two-sided 95 % Clopper-Pearson interval of k of n."""
    return 1.0 if k == n else float(stats.beta.ppf(0.975, k + 1, n - k))


def screen_dag(trials: int, seed: int, cores: int) -> tuple[float, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Generate and screen: wall time, trials.csv, planted.csv and the jobs' benchmarks."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repository(Path(tmp) / "repo")
        planted = generate(repo / "synthetic", trials, seed)
        (repo / "screen.yaml").write_text('screen:\n  trials: ["synthetic/trial*"]\n  chunk: 50\n')
        wall, jobs = run_dag(repo, "screen.yaml", cores)
        table = pd.read_csv(repo / "results" / "screen" / "trials.csv")
    return wall, table, planted, jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--power-trials", type=int, default=200)
    args = ap.parse_args()
    pd.set_option("display.width", 200)
    wall, table, planted, jobs = screen_dag(args.trials, args.seed, args.cores)
    chunks = jobs[jobs.rule.str.startswith("screen_chunk")]
    print(f"screened {len(table)} trials on {args.cores} cores: {wall:.1f} s for the whole DAG")
    print(
        f"  {len(chunks)} chunk jobs of 50 trials: {chunks.s.sum():.1f} s in all (median {chunks.s.median():.1f} s a "
        f"job, {chunks.s.sum() / len(table) * 1000:.0f} ms a trial); the final job (stack, rank, figure, page) "
        f"{jobs.loc[jobs.rule == 'screen', 's'].iloc[0]:.1f} s; the rest is Snakemake's DAG and job start-up"
    )
    m = table.merge(planted, on="trial", how="left")
    m["kind"] = m["kind"].fillna("clean")
    rows = []
    for kind, column in FOUND_BY.items():
        t = m[m.kind == kind]
        rows.append(dict(planted=kind, trials=len(t), check=column, found=f"{(t[column] > 0).mean():.3f}"))
    print("planted anomalies found (share of the trials that carry one whose check flags):")
    print(pd.DataFrame(rows).to_string(index=False))
    clean = m[m.kind == "clean"]
    flags = {c: int((clean[c] > 0).sum()) for c in NOMINAL if c in clean}
    flags["carlisle_p_different < .05"] = int((clean.carlisle_p_different < 0.05).sum())
    flags["carlisle_p_similar < .05"] = int((clean.carlisle_p_similar < 0.05).sum())
    false = pd.DataFrame(
        [
            dict(
                check=c,
                flagged=k,
                rate=f"{k / len(clean):.3f}",
                upper_95=f"{upper(k, len(clean)):.3f}",
                nominal=NOMINAL[c],
            )
            for c, k in flags.items()
        ]
    )
    print(f"false flags on the {len(clean)} clean trials (drawn under true randomization):")
    print(false.to_string(index=False))
    power = []
    for nudge in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5):
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), args.power_trials, args.seed + 1, anomalous=1.0, similar=nudge, kinds=["similar"])
            rows = [screen_trial(f, seed=args.seed, draws=10_000)[1] for f in sorted(Path(tmp).glob("trial*"))]
        p = pd.DataFrame(rows)["carlisle_p_similar"]
        power.append(dict(largest_nudge_sd=nudge, trials=len(p), power=f"{(p < 0.05).mean():.3f}"))
    print("Carlisle's power against baselines too alike (p_similar < .05; six baseline variables, 40-160 patients):")
    print(pd.DataFrame(power).to_string(index=False))


if __name__ == "__main__":
    main()
