"""Rule figures: mean and CI over visits per stratum x arm.

The step is :mod:`hiplbp.steps.figures`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import figures
from hiplbp.steps.job import Job

figures.run(Job.from_snakemake(snakemake))
