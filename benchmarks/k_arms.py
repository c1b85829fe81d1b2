"""Time the arm comparisons of k arms: the visit contrasts and the ANCOVA, with each adjustment.

Run from the repository root:  .venv/bin/python benchmarks/k_arms.py [--subjects N] [--repeat R]

A seeded trial of N subjects x 3 visits (baseline t0) with 2, 3 and 5 arms. For each, the median of
R runs of ``visit_contrasts`` (every visit, and the change from t0) and ``ancova`` (t1 and t2),
each arm against control, with Dunnett's method (exact with two comparisons, quasi-Monte Carlo with
four), Holm and none. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from pipeline import timed  # benchmarks/ is on the path when a benchmark runs

from hiplbp.stats.ancova import ancova
from hiplbp.stats.contrasts import visit_contrasts
from hiplbp.stats.multiplicity import Family
from hiplbp.trial.design import Design


def trial(n: int, k: int, seed: int = 26) -> tuple[pd.DataFrame, Design]:
    """``n`` subjects in ``k`` arms (the last is control), 3 visits; arm ``j`` lowers the follow-up by ``j``."""
    rng = np.random.default_rng(seed)
    arms = [f"arm{j}" for j in range(1, k)] + ["control"]
    arm = rng.choice(arms, n)
    effect = np.array([arms.index(a) for a in arm], float)
    y0 = rng.normal(50, 10, n)
    rows = {"t0": y0, "t1": y0 - effect + rng.normal(0, 5, n), "t2": y0 - 2 * effect + rng.normal(0, 5, n)}
    long = pd.concat(
        [pd.DataFrame({"subject": np.arange(n), "arm": arm, "time": t, "y": v}) for t, v in rows.items()],
        ignore_index=True,
    )
    long["time"] = pd.Categorical(long["time"], categories=list(rows))
    design = Design(list(rows), {"treatment": arms[:-1], "control": "control"}, baseline="t0")
    return long, design


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{args.subjects} subjects x 3 visits, median of {args.repeat} runs")
    print(f"{'arms':>4} {'adjust':>8} {'contrasts (s)':>14} {'ancova (s)':>11}")
    for k in (2, 3, 5):
        data, design = trial(args.subjects, k)
        for method in ("dunnett", "holm", "none"):
            family = Family(method=method, seed=1)
            t_con, _ = timed(lambda d=data, g=design, f=family: visit_contrasts(d, "y", g, family=f), args.repeat)
            t_anc, _ = timed(lambda d=data, g=design, f=family: ancova(d, "y", g, family=f), args.repeat)
            print(f"{k:>4} {method:>8} {t_con:>14.3f} {t_anc:>11.3f}")


if __name__ == "__main__":
    main()
