"""Rule models: ANCOVA per follow-up visit and the linear mixed model (see hiplbp.ancova, hiplbp.lmm)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.ancova import ancova
from hiplbp.ingest import Design, read_canonical
from hiplbp.lmm import lmm_anova

p = snakemake.params
outcome = snakemake.wildcards.outcome
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)
terms, effects = ancova(data, outcome, design.between, design.arms, design.time_levels, level=p.ci_level)
effects.to_csv(snakemake.output.ancova, index=False)
design.label_effects(terms).to_csv(snakemake.output.terms, index=False)
lmm = lmm_anova(data, outcome, "time", "subject", design.between)
design.label_effects(lmm).to_csv(snakemake.output.lmm, index=False)
print(
    f"{outcome}: LMM on {lmm.attrs['n_obs']} observations of {lmm.attrs['n_subjects']} subjects; "
    f"sigma2 = {lmm.attrs['sigma2']:.6g}, tau2 = {lmm.attrs['tau2']:.6g}",
    file=sys.stderr,
)
