"""Rule analysis: mixed ANOVA and descriptives of one outcome (see hiplbp.stats.anova, hiplbp.stats.describe)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.data.ingest import read_canonical
from hiplbp.stats.anova import ANOVA_COLUMNS, mixed_anova
from hiplbp.stats.describe import cell_summary
from hiplbp.trial.design import Design

p = snakemake.params
outcome = snakemake.wildcards.outcome
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)
table = mixed_anova(data, outcome, "time", "subject", design.between, ss_type=p.ss_type, observed=p.observed)
# the effects also in the trial's own factor names (config design.factor_names)
design.label_effects(table[ANOVA_COLUMNS]).to_csv(snakemake.output.anova, index=False)
design.label_effects(table).to_csv(snakemake.output.detail, index=False)
basis = "data"
if snakemake.input.get("check"):
    import pandas as pd

    from hiplbp.reconstruction.patients import value_basis

    basis = value_basis(data, pd.read_csv(snakemake.input.raw), pd.read_csv(snakemake.input.check), outcome)
cell_summary(data, outcome, design.between + ["time"], level=p.ci_level, basis=basis).to_csv(
    snakemake.output.descriptives, index=False
)
print(
    f"{outcome}: {table.attrs['n']} complete subjects; excluded (incomplete): {table.attrs['excluded']}",
    file=sys.stderr,
)
