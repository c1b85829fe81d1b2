"""Carlisle's method on many clean trials: its false-flag rate per tail, with the SD drawn or fixed.

Run from the repository root:
    .venv/bin/python benchmarks/carlisle_null.py [--trials 10000] [--seed 23] [--draws 10000] [--jobs 2]

Each trial is drawn as :mod:`synthetic_trials` draws its clean trials (40-160 patients randomised 1:1
at random; the six baseline characteristics, printed to one decimal), its baseline table audited by
:func:`hiplbp.integrity.carlisle_p` per variable and combined by Stouffer's method, as the screen
does. Printed: the share of trials with ``p_different < .05``, ``p_similar < .05``, either (nominal
0.05, 0.05, 0.10) and the audit's flag, twice the smaller tail below .05 (nominal 0.05), with 95 %
Clopper-Pearson intervals, for the method as
hiplbp runs it (the SD drawn from its sampling distribution) and as Carlisle & Loadsman's appendix
(the SD fixed). ``benchmarks/screen.py`` measures the same on the screen's own 522 clean trials; this
measures it to a tenth of the error. Seeded; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats
from synthetic_trials import BASELINE

from hiplbp.integrity import carlisle_p, stouffer


def _trial(args: tuple[int, int, int]) -> tuple[float, float, float, float]:
    """One clean trial's combined p (different, similar) with the SD drawn and with it fixed."""
    seed, draws, index = args
    rng = np.random.default_rng([seed, index])
    total = int(rng.integers(40, 161))
    n = [int(rng.binomial(total, 0.5))]
    n.append(total - n[0])
    out = []
    for draw_sd in (True, False):
        ps = []
        for k, (mu, sd, dec) in enumerate(BASELINE.values()):
            cells = []
            for g in range(2):
                x = np.random.default_rng([seed, index, k, g]).normal(mu, sd, n[g])
                x = np.round(x, dec)
                cells.append((f"{x.mean():.1f}", f"{x.std(ddof=1):.1f}"))
            means, sds = [c[0] for c in cells], [c[1] for c in cells]
            ps.append(carlisle_p(n, means, sds, draws=draws, seed=index * 7 + k, draw_sd=draw_sd))
        _, p_diff, p_sim = stouffer(ps)
        out += [p_diff, p_sim]
    return out[0], out[1], out[2], out[3]


def _rate(hits: np.ndarray) -> str:
    k, m = int(hits.sum()), len(hits)
    ci = stats.binomtest(k, m).proportion_ci(0.95)
    return f"{k / m:.4f} ({ci.low:.4f}-{ci.high:.4f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    start = time.perf_counter()
    with ProcessPoolExecutor(a.jobs) as pool:
        rows = list(pool.map(_trial, [(a.seed, a.draws, i) for i in range(a.trials)], chunksize=50))
    p = pd.DataFrame(rows, columns=["diff_drawn", "sim_drawn", "diff_fixed", "sim_fixed"])
    table = pd.DataFrame(
        {
            "SD drawn (hiplbp)": [
                _rate(p.diff_drawn < 0.05),
                _rate(p.sim_drawn < 0.05),
                _rate((p.diff_drawn < 0.05) | (p.sim_drawn < 0.05)),
                _rate(2 * np.minimum(p.diff_drawn, p.sim_drawn) < 0.05),
            ],
            "SD fixed (appendix)": [
                _rate(p.diff_fixed < 0.05),
                _rate(p.sim_fixed < 0.05),
                _rate((p.diff_fixed < 0.05) | (p.sim_fixed < 0.05)),
                _rate(2 * np.minimum(p.diff_fixed, p.sim_fixed) < 0.05),
            ],
            "nominal": ["0.05", "0.05", "0.10", "0.05"],
        },
        index=["p_different < .05", "p_similar < .05", "either tail < .05", "flag (two-sided p < .05)"],
    )
    took = time.perf_counter() - start
    print(f"{a.trials} clean trials, {a.draws} draws per variable, {took:.1f} s on {a.jobs} jobs")
    print(table.to_string())


if __name__ == "__main__":
    main()
