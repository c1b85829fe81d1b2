"""A large trial through the whole DAG: wall time and peak memory per rule, and how they scale.

Run from the repository root:
    .venv/bin/python benchmarks/large.py [--subjects 1000 10000 100000] [--cores 2] [--seed 16]

For each size it writes a seeded trial (two strata x two arms, 3 visits, a 0-100 outcome with a
random intercept, 2 % of values missing at random, long CSV) and its config into a copy of the
repository, runs ``snakemake --cores N`` from nothing, and reads Snakemake's benchmark file of every
job (``results/<name>/benchmarks/*.tsv``: wall seconds ``s`` and peak resident memory ``max_rss`` in MB).
It prints, per size, the whole run's wall time and the slowest and largest jobs, then the scaling
table (subjects, seconds, GB of the largest job). Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from pipeline import copy_repository, run_dag

ROOT = Path(__file__).resolve().parents[1]
VISITS = ["t0", "t1", "t2"]
CONFIG = """\
# A large synthetic trial (benchmarks/large.py): {subjects} subjects x 3 visits, 2 % missing.
data:
  source: file
  path: large.csv
  layout: long
  columns: {{subject: pid, stratum: stratum, arm: arm, time: visit}}
design:
  time_levels: [t0, t1, t2]
  baseline: t0
  arms: {{treatment: treatment, control: control}}
  strata: [s1, s2]
outcomes:
  - {{name: score, column: score, label: "Score (points)", min: 0, max: 100, integer: false}}
report:
  title: "A large synthetic trial"
  description: "Synthetic data drawn by benchmarks/large.py (seed {seed})."
"""


def trial(subjects: int, seed: int) -> pd.DataFrame:
    """The long table: pid, stratum, arm, visit, score (2 % of scores missing)."""
    rng = np.random.default_rng(seed)
    stratum = rng.choice(["s1", "s2"], subjects)
    arm = rng.choice(["treatment", "control"], subjects)
    intercept = rng.normal(50, 12, subjects)
    slope = np.where(arm == "treatment", -4.0, -2.0)
    y = intercept[:, None] + slope[:, None] * np.arange(3) + rng.normal(0, 8, (subjects, 3))
    y = np.clip(np.round(y, 1), 0, 100)
    y[rng.random(y.shape) < 0.02] = np.nan
    pid = np.char.add("P", np.arange(1, subjects + 1).astype(str))
    return pd.DataFrame(
        {
            "pid": np.repeat(pid, 3),
            "stratum": np.repeat(stratum, 3),
            "arm": np.repeat(arm, 3),
            "visit": np.tile(VISITS, subjects),
            "score": y.ravel(),
        }
    )


def run(subjects: int, seed: int, cores: int) -> tuple[float, pd.DataFrame]:
    """Wall time of the whole DAG and each job's benchmark (rule, s, max_rss MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repository(Path(tmp) / "repo")
        trial(subjects, seed).to_csv(repo / "large.csv", index=False)
        (repo / "large.yaml").write_text(CONFIG.format(subjects=subjects, seed=seed))
        return run_dag(repo, "large.yaml", cores)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    rows = []
    pd.set_option("display.width", 200)
    for n in args.subjects:
        wall, jobs = run(n, args.seed, args.cores)
        top = jobs.sort_values("s", ascending=False)
        print(f"{n:,} subjects x 3 visits: whole DAG {wall:.1f} s on {args.cores} cores; per job (s, peak MB):")
        print("  " + ", ".join(f"{r.rule} {r.s:.1f} s {r.max_rss_mb:.0f} MB" for r in top.itertuples()))
        big = jobs.loc[jobs.max_rss_mb.idxmax()]
        rows.append(
            dict(subjects=n, seconds=round(wall, 1), largest_job=big.rule, peak_gb=round(big.max_rss_mb / 1024, 2))
        )
    print("scaling (seconds: whole DAG; GB: peak resident memory of the largest job):")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
