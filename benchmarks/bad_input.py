"""Time ingestion and cleaning of a large, messy data file: what logging every change costs.

Run from the repository root:  .venv/bin/python benchmarks/bad_input.py [--subjects N] [--repeat R]

Writes a long file (N subjects x 3 visits, seeded) twice: clean, and messy (2 % ``NA`` markers,
1 % values with spaces around them, 1 % arm labels in capitals, 0.5 % out of range, 0.2 % exact
duplicate rows), then times ``ingest_logged`` and ``clean`` on each (median of R) and prints the
number of log entries. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from pipeline import timed  # benchmarks/ is on the path when a benchmark runs

from hiplbp.data.clean import clean
from hiplbp.data.ingest import Source, ingest_logged
from hiplbp.trial.design import Design

DESIGN = Design(
    ["t0", "t1", "t2"],
    {"treatment": "hip", "control": "control"},
    ["stable", "unstable"],
    [{"name": "score", "column": "score", "min": 0, "max": 100, "integer": True}],
    baseline="t0",
)
COLS = {"subject": "pid", "stratum": "lumbar", "arm": "exercise", "time": "visit"}


def make(n: int, messy: bool, seed: int = 14) -> pd.DataFrame:
    """A long table of ``n`` subjects x 3 visits, as text; ``messy`` plants the problems of the docstring."""
    rng = np.random.default_rng(seed)
    pid = np.repeat([f"P{i:06d}" for i in range(n)], 3)
    stratum = np.repeat(rng.choice(["stable", "unstable"], n), 3)
    arm = np.repeat(rng.choice(["hip", "control"], n), 3)
    visit = np.tile(["t0", "t1", "t2"], n)
    score = rng.integers(0, 101, 3 * n).astype(str).astype(object)
    df = pd.DataFrame({"pid": pid, "lumbar": stratum, "exercise": arm.astype(object), "visit": visit, "score": score})
    if messy:
        k = len(df)
        pick = rng.permutation(k)
        cut = np.cumsum([int(0.02 * k), int(0.01 * k), int(0.01 * k), int(0.005 * k)])
        df.loc[pick[: cut[0]], "score"] = "NA"
        df.loc[pick[cut[0] : cut[1]], "score"] = " " + df.loc[pick[cut[0] : cut[1]], "score"] + " "
        df.loc[pick[cut[1] : cut[2]], "exercise"] = df.loc[pick[cut[1] : cut[2]], "exercise"].str.upper()
        df.loc[pick[cut[2] : cut[3]], "score"] = "140"
        dup = df.iloc[pick[cut[3] : cut[3] + int(0.002 * k)]]
        df = pd.concat([df, dup], ignore_index=True)
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.subjects} subjects x 3 visits; median of {args.repeat}")
        print(f"{'file':<6} {'rows':>7} {'ingest s':>9} {'clean s':>8} {'log entries':>12}")
        for messy in (False, True):
            path = Path(tmp) / f"{'messy' if messy else 'clean'}.csv"
            make(args.subjects, messy).to_csv(path, index=False)
            t_in, (data, reading) = timed(
                lambda p=path: ingest_logged(p, DESIGN, layout="long", columns=COLS), args.repeat
            )
            t_cl, (_, log) = timed(lambda d=data: clean(d, DESIGN, source=Source("long", COLS)), args.repeat)
            name = "messy" if messy else "clean"
            print(f"{name:<6} {len(data):>7} {t_in:>9.2f} {t_cl:>8.2f} {len(reading) + len(log):>12}")


if __name__ == "__main__":
    main()
