"""Rule replicates: statistics over K reconstructions.

The step is :mod:`hiplbp.steps.replicates`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import replicates
from hiplbp.steps.job import Job

replicates.run(Job.from_snakemake(snakemake))
