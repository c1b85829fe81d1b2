"""Rule models: ANCOVA per follow-up visit and the linear mixed model (see hiplbp.stats.ancova, hiplbp.stats.lmm)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.data.ingest import read_canonical
from hiplbp.stats.ancova import ancova
from hiplbp.stats.lmm import lmm_anova
from hiplbp.trial.design import Design

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
