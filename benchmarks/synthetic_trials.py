"""Seeded synthetic trial folders, in the documented format, with planted anomalies of known kind.

Run from the repository root:
    .venv/bin/python benchmarks/synthetic_trials.py OUT [--trials N] [--seed S] [--anomalous SHARE]

Each trial: 40-160 patients randomised 1:1 to two arms (``A`` treatment, ``B`` control), each
patient's arm drawn at random; six continuous baseline characteristics (age in whole years, the others at one
decimal); a pain score (0-100, whole points) at baseline and week 8 with some drop-out; a printed
t-test of week 8 between the arms; a flow table that accounts for every loss; and a ``config.yaml``
with the measures' steps and scale. Printing rounds as papers do (means and SDs at one decimal, t at
two, p at three).

A share of the trials (``--anomalous``) carries one planted anomaly each, recorded in
``OUT/planted.csv`` (trial, kind, target):

- ``grim``: the treatment arm's age mean printed at two decimals, at a value no n whole years give;
- ``sd``: a week-8 pain SD above what any sample on 0-100 with that mean and n can have;
- ``test``: the t-test's printed p far from what its t and df give;
- ``losses``: patients lost by week 8 and no flow table to account for them;
- ``similar``: the control arm's baseline means copied from the treatment arm's, nudged by at most
  ``--similar`` SDs (default 0.1: too alike for random allocation; statistical, detected with
  some power);
- ``different``: the control arm's baseline means shifted by ``--shift`` SDs (too different).

The first four are deterministic (a check must find every one); the last two are statistical.
``benchmarks/screen.py`` screens them (``snakemake --configfile`` with a ``screen`` section) and
measures what is found.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from hiplbp.integrity import grim

BASELINE = {  # name: (mean, sd, decimals)
    "age": (45.0, 12.0, 0),
    "height": (168.0, 9.0, 1),
    "weight": (74.0, 13.0, 1),
    "waist": (92.0, 11.0, 1),
    "grip": (31.0, 8.0, 1),
    "sleep": (6.8, 1.1, 1),
}
KINDS = ["grim", "sd", "test", "losses", "similar", "different"]
DETERMINISTIC = ["grim", "sd", "test", "losses"]


def _fmt(x: float, decimals: int = 1) -> str:
    return f"{x:.{decimals}f}"


def _impossible_mean(rng: np.random.Generator, n: int, near: float) -> str:
    """A two-decimal mean near ``near`` that no ``n`` whole numbers give."""
    for _ in range(10_000):
        candidate = round(near + rng.uniform(-1, 1), 2)
        if not grim(f"{candidate:.2f}", n, 1.0).consistent:
            return f"{candidate:.2f}"
    raise RuntimeError(f"no GRIM-inconsistent mean near {near} for n = {n} (n too large for two decimals)")


def trial(
    rng: np.random.Generator, name: str, kind: str | None, out: Path, shift: float, similar: float = 0.1
) -> dict | None:
    """Write one trial folder; return the planted anomaly's record (or None for a clean trial)."""
    folder = out / name
    folder.mkdir(parents=True)
    # true 1:1 randomization: each of N patients to either arm with probability 1/2
    total = int(rng.integers(40, 161)) if kind != "grim" else int(rng.integers(40, 100))
    treated = int(rng.binomial(total, 0.5))
    n = {"A": treated, "B": total - treated}
    lost = {g: int(rng.binomial(n[g], 0.1)) for g in n}
    groups = pd.DataFrame(
        {
            "group": ["A", "B"],
            "stratum": ["", ""],
            "arm": ["treatment", "control"],
            "n_randomised": [n["A"], n["B"]],
            "n_analysed": [n["A"], n["B"]],
        }
    )
    groups.to_csv(folder / "groups.csv", index=False)
    planted = None
    rows = []
    base = {}
    for var, (mu, sd, dec) in BASELINE.items():
        for g in ("A", "B"):
            x = rng.normal(mu, sd, n[g])
            x = np.round(x, dec) if dec else np.round(x)
            base[(var, g)] = (float(x.mean()), float(x.std(ddof=1)))
    if kind == "similar":
        for var, (_, sd, _) in BASELINE.items():
            m, s = base[(var, "A")]
            base[(var, "B")] = (m + rng.uniform(-similar, similar) * sd, s)
        planted = dict(trial=name, kind=kind, target="baseline of B")
    if kind == "different":
        for var, (_, sd, _) in BASELINE.items():
            m, s = base[(var, "B")]
            base[(var, "B")] = (m + shift * sd, s)
        planted = dict(trial=name, kind=kind, target="baseline of B")
    for (var, g), (m, s) in base.items():
        mean = _fmt(m)
        if kind == "grim" and (var, g) == ("age", "A"):
            mean = _impossible_mean(rng, n["A"], m)
            planted = dict(trial=name, kind=kind, target="age of A")
        rows.append(dict(variable=var, group=g, kind="continuous", n=n[g], mean=mean, sd=_fmt(s), status="printed"))
    pd.DataFrame(rows).to_csv(folder / "characteristics.csv", index=False)
    # the outcome: pain at baseline and week 8, whole points on 0-100
    out_rows, week8 = [], {}
    for g in ("A", "B"):
        y0 = np.clip(np.round(rng.normal(60, 15, n[g])), 0, 100)
        y1 = np.clip(np.round(0.6 * y0 + rng.normal(20 if g == "A" else 25, 12, n[g])), 0, 100)
        keep = n[g] - lost[g]
        y1 = y1[:keep]
        week8[g] = y1
        out_rows.append(
            dict(outcome="pain", group=g, time="baseline", n=n[g], mean=_fmt(y0.mean()), sd=_fmt(y0.std(ddof=1)))
        )
        sd8 = _fmt(y1.std(ddof=1))
        if kind == "sd" and g == "B":
            m = y1.mean()
            most = np.sqrt(m * (100 - m) * keep / (keep - 1))  # the largest SD any sample on 0-100 can have
            sd8 = _fmt(1.3 * most)
            planted = dict(trial=name, kind=kind, target="pain of B at week8")
        out_rows.append(dict(outcome="pain", group=g, time="week8", n=keep, mean=_fmt(y1.mean()), sd=sd8))
    pd.DataFrame(out_rows).assign(status="printed").to_csv(folder / "outcomes.csv", index=False)
    res = stats.ttest_ind(week8["A"], week8["B"])
    t, df = float(res.statistic), len(week8["A"]) + len(week8["B"]) - 2
    p = float(res.pvalue)
    if kind == "test":
        p = 0.9 if p < 0.5 else 0.001
        planted = dict(trial=name, kind=kind, target="pain week8 t-test")
    p_text = "<.001" if p < 0.001 else f"{p:.3f}".lstrip("0")
    pd.DataFrame(
        [
            dict(
                outcome="pain",
                effect="Group at week8",
                test="t",
                df_as_printed=df,
                statistic=f"{t:.2f}",
                p_as_printed=p_text,
                status="printed",
            )
        ]
    ).to_csv(folder / "tests.csv", index=False)
    if kind == "losses" and sum(lost.values()) == 0:
        lost["B"] = 1  # a loss to leave unexplained (and the printed n says so)
        o = pd.read_csv(folder / "outcomes.csv", dtype=str)
        o.loc[(o.group == "B") & (o.time == "week8"), "n"] = str(n["B"] - 1)
        o.to_csv(folder / "outcomes.csv", index=False)
    if kind == "losses":
        planted = dict(trial=name, kind=kind, target=f"{sum(lost.values())} lost without a flow table")
    else:
        flow = [dict(stage="randomised", group=g, n=n[g]) for g in ("A", "B")]
        flow += [dict(stage="analysed", group=g, time="week8", n=n[g] - lost[g]) for g in ("A", "B")]
        pd.DataFrame(flow).to_csv(folder / "flow.csv", index=False)
    (folder / "config.yaml").write_text(
        "# A synthetic trial (benchmarks/synthetic_trials.py).\n"
        "audit:\n  granularity: {pain: 1, age: 1}\n"
        "outcomes:\n  - {name: pain, column: pain, label: Pain, min: 0, max: 100, integer: true}\n"
    )
    return planted


def generate(
    out: Path,
    trials: int,
    seed: int,
    anomalous: float = 0.5,
    shift: float = 1.0,
    similar: float = 0.1,
    kinds: list[str] | None = None,
) -> pd.DataFrame:
    """Write ``trials`` folders under ``out`` (``trial0001``, ...) and ``planted.csv``; return the latter.

    ``kinds`` limits the anomalies planted (default all of :data:`KINDS`, in turn).
    """
    kinds = kinds or KINDS
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    planted = []
    for i in range(trials):
        kind = kinds[i % len(kinds)] if rng.random() < anomalous else None
        record = trial(rng, f"trial{i + 1:04d}", kind, out, shift, similar)
        if record:
            planted.append(record)
    table = pd.DataFrame(planted, columns=["trial", "kind", "target"])
    table.to_csv(out / "planted.csv", index=False)
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--anomalous", type=float, default=0.5)
    ap.add_argument("--shift", type=float, default=1.0, help="SDs between the arms of a 'different' trial")
    ap.add_argument("--similar", type=float, default=0.1, help="largest nudge (SDs) of a 'similar' trial's means")
    args = ap.parse_args()
    table = generate(args.out, args.trials, args.seed, args.anomalous, args.shift, args.similar)
    print(f"{args.trials} trials in {args.out}; planted: {table.kind.value_counts().to_dict()}")


if __name__ == "__main__":
    main()
