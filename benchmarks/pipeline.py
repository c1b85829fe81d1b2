"""Time the pipeline: each library stage on the default data, and the whole DAG from nothing.

Run from the repository root:  .venv/bin/python benchmarks/pipeline.py [--repeat N] [--configfile F]
(``--configfile trials/ebadi2012/config.yaml`` times the whole DAG on another trial.)
Prints wall-clock times (median of N for the library stages); nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from hiplbp.data.clean import clean
from hiplbp.data.ingest import ingest
from hiplbp.reconstruction import patients
from hiplbp.run.config import read_config_file, resolve_extends, validated
from hiplbp.stats.anova import mixed_anova
from hiplbp.trial import published
from hiplbp.trial.design import Design

ROOT = Path(__file__).resolve().parents[1]
LEE_CONFIG = yaml.safe_load((ROOT / "trials" / "lee2015" / "config.yaml").read_text())
LEE_MEANING = published.trial_meaning(LEE_CONFIG["trial"])
VAS = {"name": "vas", "column": "vas", "label": "VAS", "min": 0, "max": 100, "integer": True}
ASSUME = [dict(outcome="vas", time="week6", group=g, from_time="week3") for g in ("CG II", "EG II")]
DESIGN = Design(
    time_levels=["baseline", "week3", "week6"],
    arms={"treatment": "hip", "control": "control"},
    strata=["stable", "unstable"],
    outcomes=[VAS],
    covariates=["age", "height", "weight", "bmi"],
    baseline="baseline",
)


def copy_repository(dest: Path) -> Path:
    """A copy of the repository without its environment, results and caches (a run from nothing)."""
    shutil.copytree(
        ROOT,
        dest,
        ignore=shutil.ignore_patterns(
            ".venv", "results", ".snakemake", ".git", "__pycache__", "*.egg-info", ".pytest_cache"
        ),
    )
    return dest


def run_dag(repo: Path, configfile: str, cores: int) -> tuple[float, pd.DataFrame]:
    """Run the DAG from nothing in ``repo``: wall seconds and each job's benchmark (rule, s, max_rss MB)."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", str(cores), "-q", "--configfile", configfile],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"snakemake --configfile {configfile} failed in {repo}")
    jobs = []
    # each run's benchmarks are under its results folder (results/<name>/benchmarks, results/screen/benchmarks)
    for p in sorted((repo / "results").glob("*/benchmarks/*.tsv")):
        b = pd.read_csv(p, sep="\t")
        jobs.append(dict(rule=p.stem, s=float(b["s"].iloc[0]), max_rss_mb=float(b["max_rss"].iloc[0])))
    return wall, pd.DataFrame(jobs)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-pipeline", action="store_true", help="skip the whole-DAG run")
    ap.add_argument("--configfile", default=None, help="run the whole DAG on this config (default: the default run)")
    args = ap.parse_args()
    pub = ROOT / "trials" / "lee2015"
    groups, vas, t1 = (
        published.read_groups(pub / "groups.csv", **LEE_MEANING),
        published.read_summary(pub / "outcomes.csv"),
        published.read_characteristics(pub / "characteristics.csv"),
    )

    # the trial's own reconstruction section, with the schema's defaults
    lee = validated(resolve_extends(read_config_file(pub / "config.yaml"), root=ROOT))
    settings = patients.ReconstructionSettings.from_config(lee["reconstruction"])

    def rec():
        return patients.reconstruct(groups, vas, t1, DESIGN, settings)

    t_rec, (raw, _) = timed(rec, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "raw.csv"
        raw.to_csv(f, index=False)
        cols = {"subject": "subject", "stratum": "stratum", "arm": "arm", "time": "time"}
        t_ing, data = timed(lambda: ingest(f, DESIGN, layout="wide", columns=cols), args.repeat)
    t_cln, (cl, _) = timed(lambda: clean(data, DESIGN), args.repeat)
    t_anova, _ = timed(lambda: mixed_anova(cl, "vas", "time", "subject", ["stratum", "arm"]), args.repeat)
    s2 = pd.read_csv(ROOT / "tests" / "data" / "shared2_long.csv")
    t_anova2, _ = timed(lambda: mixed_anova(s2, "score", "visit", "pid", ["lumbar", "exercise"]), args.repeat)
    print(f"library stages, median of {args.repeat} (default data, 69 patients x 3 visits):")
    print(f"  reconstruct          {t_rec * 1e3:8.2f} ms")
    print(f"  ingest (wide csv)    {t_ing * 1e3:8.2f} ms")
    print(f"  clean                {t_cln * 1e3:8.2f} ms")
    print(f"  mixed_anova          {t_anova * 1e3:8.2f} ms")
    print(f"  mixed_anova shared2  {t_anova2 * 1e3:8.2f} ms  (67 subjects x 4 visits, complete cases)")
    if args.no_pipeline:
        return
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repository(Path(tmp) / "repo")
        extra = ["--configfile", args.configfile] if args.configfile else []
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "snakemake", "--cores", "all", "-q", *extra],
            cwd=repo,
            check=True,
            capture_output=True,
        )
        t_all = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "snakemake", "--cores", "all", "-n", *extra],
            cwd=repo,
            check=True,
            capture_output=True,
        )
        t_noop = time.perf_counter() - t0
        jobs = {
            p.stem: float(p.read_text().splitlines()[1].split("\t")[0])
            for p in sorted((repo / "results").glob("*/benchmarks/*.tsv"))
        }
    print(f"whole pipeline from nothing (snakemake --cores all {' '.join(extra)}): {t_all:.1f} s")
    print(f"second dry run (nothing to do):                      {t_noop:.1f} s")
    print("per job (Snakemake benchmark files, s): " + ", ".join(f"{k} {v:.1f}" for k, v in jobs.items()))


if __name__ == "__main__":
    main()
