"""Rule figures: mean and CI over visits per stratum x arm (see hiplbp.figures.style)."""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import json

from hiplbp.data.ingest import read_canonical
from hiplbp.figures.outcome import outcome_figure
from hiplbp.figures.style import save
from hiplbp.trial.design import Design

p = snakemake.params
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)
with open(snakemake.input.provenance) as fh:
    prov = json.load(fh)
assumed = [a for a in prov["assumptions"] if a.startswith(p.outcome["name"] + " ")]
fig = outcome_figure(
    data,
    p.outcome,
    design,
    synthetic=prov["synthetic"],
    assumed=assumed,
    level=p.ci_level,
)
save(fig, snakemake.output.png, snakemake.output.svg)
