"""Rule sensitivity_figure: p against the correlation and the assumed cells (see hiplbp.figures)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import json  # noqa: E402

import pandas as pd  # noqa: E402

from hiplbp.figures import save, sensitivity_figure  # noqa: E402

table = pd.read_csv(snakemake.input.table)  # noqa: F821
with open(snakemake.input.provenance) as fh:  # noqa: F821
    synthetic = json.load(fh)["synthetic"]
sources = [s for s in ("arm:time", "stratum:arm:time") if s in set(table["source"])]
for path in (snakemake.output.png, snakemake.output.svg):  # noqa: F821
    save(sensitivity_figure(table, alpha=snakemake.params.alpha, sources=sources, synthetic=synthetic), path)  # noqa: F821
