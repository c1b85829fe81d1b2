"""Rule analysis: mixed ANOVA and descriptives of one outcome.

The step is :mod:`hiplbp.steps.analysis`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import analysis
from hiplbp.steps.job import Job

analysis.run(Job.from_snakemake(snakemake))
