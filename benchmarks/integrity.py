"""Limits of the exact consistency test (hiplbp.integrity.exact_consistency): time and verdicts.

Two kinds of printed pairs per sample size, on a 0-100 scale in whole units and a 1-7 item:
- real samples (normal, floor-heavy, bimodal-extreme shapes), mean and SD printed at 0-2 decimals:
  the test must answer "possible" (it returns a sample as certificate);
- the hard region: SDs at 0.01 steps just below the largest SD the mean allows, where the sums of
  squares have gaps and most pairs are impossible.

Run: python benchmarks/integrity.py   (seeded; prints one row per scale, n and kind)
"""

from __future__ import annotations

import time

import numpy as np

from hiplbp.integrity import exact_consistency, sd_bounds


def _real(rng: np.random.Generator, n: int, lo: int, hi: int, kind: int) -> np.ndarray:
    k = hi - lo
    if kind == 0:
        y = rng.normal(k / 2, k / 6, n)
    elif kind == 1:
        y = rng.normal(k / 5, k / 4, n)
    else:
        y = rng.choice([0, k], n).astype(float)
        y[: max(1, n // 10)] = rng.integers(0, k + 1, max(1, n // 10))
    return lo + np.clip(np.rint(y), 0, k)


def main() -> None:
    rng = np.random.default_rng(20261124)
    print(f"{'scale':>6} {'n':>5} {'kind':>6} {'cases':>6} {'median s':>9} {'max s':>7} {'max nodes':>9}  verdicts")
    for lo, hi in ((0, 100), (1, 7)):
        for n in (10, 30, 100, 200, 300, 500):
            for kind in ("real", "hard"):
                times, nodes, verdicts = [], [], {}
                if kind == "real":
                    cases = []
                    for i in range(60):
                        x = _real(rng, n, lo, hi, i % 3)
                        dm, ds = i % 3, (i // 3) % 3
                        cases.append((f"{x.mean():.{dm}f}", f"{x.std(ddof=1):.{ds}f}"))
                else:
                    cases = []
                    for mean in (f"{(lo + hi) / 2:.2f}", f"{lo + (hi - lo) / 3:.2f}", f"{lo + (hi - lo) / 8:.2f}"):
                        top = sd_bounds(mean, None, n, lo, hi).high
                        cases += [(mean, f"{top - 0.005 - 0.01 * k:.2f}") for k in range(20)]
                for mean, sd in cases:
                    t0 = time.perf_counter()
                    r = exact_consistency(mean, sd, n, lo, hi)
                    times.append(time.perf_counter() - t0)
                    nodes.append(r.nodes)
                    verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
                print(
                    f"{lo}-{hi:<4} {n:>5} {kind:>6} {len(cases):>6} {np.median(times):>9.4f} {max(times):>7.3f} "
                    f"{max(nodes):>9}  {dict(sorted(verdicts.items()))}"
                )


if __name__ == "__main__":
    main()
