"""Time the closed-form sensitivity grid against looping pingouin.mixed_anova over data sets.

Run from the repository root:  .venv/bin/python benchmarks/sensitivity.py [--scenarios N] [--loops M]

Scenarios are the default design (the four published groups, VAS at three visits) with the
correlation between visits and the means of the two unprinted 6-week cells varied. The closed form
evaluates every scenario at once; the reference loop reconstructs, for a sample of the same
scenarios, a data set with exactly those moments and runs pingouin.mixed_anova on it (pingouin
takes one between factor, so the four groups are one 4-level factor, and both sides use that
design: the printed maximum difference checks they agree). One core: BLAS threads are pinned to 1.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from hiplbp.reconstruction.patients import compound_symmetry, exact_moment_sample  # noqa: E402
from hiplbp.summary.anova import SummaryDesign, cell_means  # noqa: E402
from hiplbp.summary.sensitivity import SensitivityDesign, scenario_grid  # noqa: E402
from hiplbp.trial import published  # noqa: E402
from hiplbp.trial.cells import published_cells  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEE_MEANING = published.trial_meaning(
    yaml.safe_load((ROOT / "trials" / "lee2015" / "config.yaml").read_text())["trial"]
)
TIMES = ["baseline", "week3", "week6"]
ARMS = {"treatment": "hip", "control": "control"}


def scenarios(n: int, seed: int = 0):
    """``n`` scenarios: correlation in [0, 0.95], shifts of the two assumed cells in [-20, 20]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 0.95, n), rng.uniform(-20, 20, n), rng.uniform(-20, 20, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--loops", type=int, default=30, help="scenarios run through pingouin")
    args = ap.parse_args()
    import pingouin as pg

    pub = ROOT / "trials" / "lee2015"
    cells, assumed = published_cells(
        published.read_groups(pub / "groups.csv", **LEE_MEANING),
        published.read_summary(pub / "outcomes.csv"),
        "vas",
        TIMES,
        ARMS,
        "marker",
        [dict(outcome="vas", time="week6", group=g, from_time="week3") for g in ("CG II", "EG II")],
    )
    cells["cell"] = cells["group"]
    rho, st, sc = scenarios(args.scenarios)
    base = cell_means(cells, TIMES)
    tcol = TIMES.index("week6")

    def means_for(idx):
        m = np.repeat(base[None], len(idx), axis=0)
        for a in assumed.itertuples():
            m[:, a.cell, tcol] += np.where(cells.arm.iloc[a.cell] == "hip", st[idx], sc[idx])
        return m

    # closed form, the 2 x 2 design of the pipeline (type III), every scenario at once
    design = SummaryDesign(cells, ["stratum", "arm"], TIMES, ss_type=3)
    t0 = time.perf_counter()
    design.evaluate(means_for(np.arange(args.scenarios)), rho)
    t_closed = time.perf_counter() - t0
    # the same, assembled into the long result table the rule writes
    t0 = time.perf_counter()
    table = scenario_grid(
        cells,
        assumed,
        SensitivityDesign(["stratum", "arm"], TIMES, ARMS),
        correlations=np.linspace(0, 0.95, 100),
        shifts=np.linspace(-20, 20, 32),
    )
    t_table = time.perf_counter() - t0
    n_table = table.shape[0] // 7

    # reference: pingouin on reconstructed data, one 4-level between factor
    one = SummaryDesign(cells, ["cell"], TIMES, ss_type=2, within="time")
    idx = np.arange(args.loops)
    mine = one.evaluate(means_for(idx), rho[idx])
    rng = np.random.default_rng(1)
    t_pg, t_rec, max_rel = 0.0, 0.0, 0.0
    m_all = means_for(idx)
    for j in idx:
        t0 = time.perf_counter()
        rows = []
        for g, c in enumerate(cells.itertuples(index=False)):
            x = exact_moment_sample(
                rng, c.n, m_all[j, g], [getattr(c, f"sd_{t}") for t in TIMES], compound_symmetry(3, rho[j])
            )
            for i in range(c.n):
                rows += [(f"{c.group}-{i}", c.group, t, x[i, k]) for k, t in enumerate(TIMES)]
        d = pd.DataFrame(rows, columns=["subject", "cell", "time", "y"])
        t_rec += time.perf_counter() - t0
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = pg.mixed_anova(d, dv="y", within="time", between="cell", subject="subject", correction=True)
        t_pg += time.perf_counter() - t0
        max_rel = max(max_rel, float(np.max(np.abs(mine["F"][j] / ref["F"].to_numpy() - 1))))

    per_closed = t_closed / args.scenarios
    per_pg = t_pg / args.loops
    print(
        f"closed form, {args.scenarios:,} scenarios x {len(design.sources())} sources (2x2 design, type III): "
        f"{t_closed:.3f} s  ({per_closed * 1e6:.2f} us per scenario)"
    )
    print(f"  with the long table the rule writes ({n_table:,} scenarios, {table.shape[0]:,} rows): {t_table:.3f} s")
    print(
        f"pingouin.mixed_anova over reconstructed data, {args.loops} scenarios: {per_pg * 1e3:.2f} ms per scenario "
        f"(+ {t_rec / args.loops * 1e3:.2f} ms to reconstruct each data set)"
    )
    print(
        f"speed-up per scenario: {per_pg / per_closed:,.0f}x (pingouin alone), "
        f"{(per_pg + t_rec / args.loops) / per_closed:,.0f}x (with reconstruction)"
    )
    print(
        f"agreement on those scenarios (one 4-level factor, type II, as pingouin): max relative difference in F "
        f"{max_rel:.1e}"
    )
    print(
        f"target: >= 1000x per scenario and {args.scenarios:,} scenarios < 2 s on one core -> "
        f"{'met' if per_pg / per_closed >= 1000 and t_closed < 2 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
