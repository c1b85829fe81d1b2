"""Rule models: ANCOVA per follow-up visit and the linear mixed model (see hiplbp.ancova, hiplbp.lmm)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from hiplbp.ancova import ancova  # noqa: E402
from hiplbp.ingest import Design, read_canonical  # noqa: E402
from hiplbp.lmm import lmm_anova  # noqa: E402

p = snakemake.params  # noqa: F821
outcome = snakemake.wildcards.outcome  # noqa: F821
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)  # noqa: F821
terms, effects = ancova(data, outcome, design.between, design.arms, design.time_levels, level=p.ci_level)
effects.to_csv(snakemake.output.ancova, index=False)  # noqa: F821
terms.to_csv(snakemake.output.terms, index=False)  # noqa: F821
lmm = lmm_anova(data, outcome, "time", "subject", design.between)
lmm.to_csv(snakemake.output.lmm, index=False)  # noqa: F821
print(f"{outcome}: LMM on {lmm.attrs['n_obs']} observations of {lmm.attrs['n_subjects']} subjects; "
      f"sigma2 = {lmm.attrs['sigma2']:.6g}, tau2 = {lmm.attrs['tau2']:.6g}", file=sys.stderr)
