"""Write tests/data/shared3_long.csv: a synthetic 2 x 2 x 5 trial with drop-out (seeded).

80 subjects, lumbar (stable/unstable) x exercise (hip/control) between subjects, visits t0..t4
within. Scores have a subject effect (so visits correlate), a decline over visits that is steeper
with hip exercise, unequal variances across visits (so sphericity fails, as in real trials), and
drop-out: after t1 each subject leaves with a probability that grows with the visit (monotone
missingness), so the LMM uses every observed value while the mixed ANOVA keeps complete cases.
The R references of tests/reference/afex/shared3_* are computed from it by reference.R.

Run from the repository root: python tests/reference/make_shared3.py
"""

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261124)
rows = []
visits = [f"t{i}" for i in range(5)]
for pid in range(1, 81):
    lumbar = "stable" if pid % 2 else "unstable"
    exercise = "hip" if (pid // 2) % 2 else "control"
    subject = rng.normal(0, 8)
    slope = -4.0 if exercise == "hip" else -2.0
    left = False
    for j, visit in enumerate(visits):
        if j >= 2 and not left and rng.random() < 0.05 * j:
            left = True
        mu = 55 + (5 if lumbar == "unstable" else 0) + slope * j + subject
        score = None if left else round(float(np.clip(mu + rng.normal(0, 5 + 2 * j), 0, 100)), 1)
        rows.append(dict(pid=f"P{pid:03d}", lumbar=lumbar, exercise=exercise, visit=visit, score=score))
pd.DataFrame(rows).to_csv("tests/data/shared3_long.csv", index=False)
