"""Rule followup: contrasts per visit and effect sizes.

The step is :mod:`hiplbp.steps.followup`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import followup
from hiplbp.steps.job import Job

followup.run(Job.from_snakemake(snakemake))
