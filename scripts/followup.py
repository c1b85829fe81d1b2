"""Rule followup: contrasts per visit and effect sizes (see hiplbp.stats.contrasts, hiplbp.stats.effects)."""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.data.ingest import read_canonical
from hiplbp.stats.contrasts import visit_contrasts
from hiplbp.stats.effects import effect_sizes
from hiplbp.trial.design import Design

p = snakemake.params
outcome = snakemake.wildcards.outcome
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)
basis = "data"
if snakemake.input.get("check"):
    import pandas as pd

    from hiplbp.reconstruction.patients import value_basis

    basis = value_basis(data, pd.read_csv(snakemake.input.raw), pd.read_csv(snakemake.input.check), outcome)
visit_contrasts(data, outcome, design.between, design.arms, design.time_levels, level=p.ci_level, basis=basis).to_csv(
    snakemake.output.contrasts, index=False
)
effect_sizes(data, outcome, design.strata, design.arms, design.time_levels, level=p.ci_level, basis=basis).to_csv(
    snakemake.output.effects, index=False
)
