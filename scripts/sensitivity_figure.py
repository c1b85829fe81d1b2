"""Rule sensitivity_figure: p against the correlation and the assumed cells (see hiplbp.figures.style)."""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import json

import pandas as pd

from hiplbp.figures.sensitivity import sensitivity_figure
from hiplbp.figures.style import save
from hiplbp.trial.design import Design

table = pd.read_csv(snakemake.input.table)
with open(snakemake.input.provenance) as fh:
    synthetic = json.load(fh)["synthetic"]
sources = [s for s in ("arm:time", "stratum:arm:time") if s in set(table["source"])]
design = Design.from_config(snakemake.params.design)
labels = {s: design.effect_label(s) for s in table["source"].unique()}
fig = sensitivity_figure(table, alpha=snakemake.params.alpha, sources=sources, synthetic=synthetic, labels=labels)
save(fig, snakemake.output.png, snakemake.output.svg)
