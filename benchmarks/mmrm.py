"""Time the MMRM as the number of subjects grows: its cost is linear (one block per subject).

Run from the repository root:  .venv/bin/python benchmarks/mmrm.py [--subjects 1000 10000 100000]

A seeded 3-arm trial of N subjects x 5 visits with monotone drop-out (about a third of the subjects
leave before the last visit) and one covariate, fitted with each covariance structure (unstructured
also per arm; unstructured and compound symmetry also with Kenward-Roger df); each arm against
control at every visit, Dunnett. Prints the wall time of one fit (REML, the df of every contrast and
type III test), its Newton iterations and the time per 1000 subjects. Nothing here is a pass/fail
test.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hiplbp.stats.covariance import STRUCTURES
from hiplbp.stats.mmrm import MmrmOptions, mmrm


def trial(n: int, seed: int = 26) -> pd.DataFrame:
    """``n`` subjects in 3 arms, 5 visits, an unstructured covariance, drop-out after each visit."""
    rng = np.random.default_rng(seed)
    t = 5
    arms = np.array(["control", "low", "high"])
    arm = arms[rng.integers(0, 3, n)]
    effect = (arm == "low") * 1.0 + (arm == "high") * 2.0
    lag = np.abs(np.subtract.outer(np.arange(t), np.arange(t)))
    sigma = 25.0 * 0.7**lag * np.outer(np.linspace(1, 1.5, t), np.linspace(1, 1.5, t))
    base = rng.normal(50, 8, n)
    y = 0.5 * base[:, None] - effect[:, None] * np.arange(1, t + 1) + rng.multivariate_normal(np.zeros(t), sigma, n)
    last = np.minimum(rng.geometric(0.1, n), t)  # visits attended: 1 .. t
    subject, visit = np.nonzero(np.arange(t)[None, :] < last[:, None])
    return pd.DataFrame(
        {
            "subject": subject,
            "arm": pd.Categorical(arm[subject], categories=list(arms)),
            "visit": pd.Categorical([f"v{j + 1}" for j in visit], categories=[f"v{j + 1}" for j in range(t)]),
            "base": base[subject],
            "y": y[subject, visit],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, nargs="+", default=[1000, 10000, 100000])
    args = ap.parse_args()
    pairs = [("low", "control"), ("high", "control")]
    head = ("subjects", 9), ("rows", 8), ("structure", 22), ("iterations", 10), ("converged", 9), ("fit (s)", 8)
    print(" ".join(f"{h:>{w}}" for h, w in head), "s / 1000 subj")
    for n in args.subjects:
        data = trial(n)
        runs = [*((s, False, "satterthwaite") for s in STRUCTURES), ("unstructured", True, "satterthwaite")]
        runs += [("unstructured", False, "kenward_roger"), ("compound_symmetry", False, "kenward_roger")]
        for structure, by_arm, df in runs:
            start = time.perf_counter()
            options = MmrmOptions(covariance=structure, by_arm=by_arm, df=df)
            res = mmrm(data, "y", pairs, visit="visit", covariates=["base"], options=options)
            took = time.perf_counter() - start
            label = structure + (" per arm" if by_arm else "") + (" KR" if df == "kenward_roger" else "")
            cells = n, len(data), label, res.fit.iterations, res.fit.converged, f"{took:.2f}"
            print(" ".join(f"{c!s:>{w}}" for c, (_, w) in zip(cells, head, strict=True)), f"{1000 * took / n:13.3f}")


if __name__ == "__main__":
    main()
