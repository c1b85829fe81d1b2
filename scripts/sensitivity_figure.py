"""Rule sensitivity_figure: p against the correlation and the assumed cells (see hiplbp.figures)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

import json

import pandas as pd

from hiplbp.figures import save, sensitivity_figure

table = pd.read_csv(snakemake.input.table)
with open(snakemake.input.provenance) as fh:
    synthetic = json.load(fh)["synthetic"]
sources = [s for s in ("arm:time", "stratum:arm:time") if s in set(table["source"])]
for path in (snakemake.output.png, snakemake.output.svg):
    save(sensitivity_figure(table, alpha=snakemake.params.alpha, sources=sources, synthetic=synthetic), path)
