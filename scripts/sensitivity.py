"""Rule sensitivity: within-subject tests over correlations and assumed cells.

The step is :mod:`hiplbp.steps.sensitivity`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import sensitivity
from hiplbp.steps.job import Job

sensitivity.run(Job.from_snakemake(snakemake))
