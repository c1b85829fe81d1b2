"""Rule band: every statistic recomputed from the printed tables, with its band.

The step is :mod:`hiplbp.steps.band`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import band
from hiplbp.steps.job import Job

band.run(Job.from_snakemake(snakemake))
