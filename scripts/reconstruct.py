"""Rule reconstruct: synthetic patients from the published summaries.

The step is :mod:`hiplbp.steps.reconstruct`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import reconstruct
from hiplbp.steps.job import Job

reconstruct.run(Job.from_snakemake(snakemake))
