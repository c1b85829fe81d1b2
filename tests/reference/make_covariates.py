"""Write tests/data/shared{1,2}_covariates.csv: one subject-level covariate (``age``) per subject (seeded).

The age is loosely related to the baseline score (so that adjusting for it changes the ANCOVA)
and printed with one decimal. The R references tests/reference/afex/shared{1,2}_ref_ancova_cov_*
are computed from these files by ancova_covariates.R.

Run from the repository root: python tests/reference/make_covariates.py
"""

import numpy as np
import pandas as pd

for name, seed in (("shared1", 1), ("shared2", 2)):
    d = pd.read_csv(f"tests/data/{name}_long.csv")
    base = d[d.visit == "t0"].set_index("pid").score
    rng = np.random.default_rng(20261203 + seed)
    age = 45 + 0.3 * (base - base.mean()) + rng.normal(0, 8, len(base))
    out = pd.DataFrame({"pid": base.index, "age": np.round(age.to_numpy(), 1)})
    out.to_csv(f"tests/data/{name}_covariates.csv", index=False)
