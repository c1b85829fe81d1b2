"""Rule models: ANCOVA per follow-up visit and the linear mixed model.

The step is :mod:`hiplbp.steps.models`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import models
from hiplbp.steps.job import Job

models.run(Job.from_snakemake(snakemake))
