"""Rule clean: range checks, duplicates, inconsistent and incomplete subjects.

The step is :mod:`hiplbp.steps.clean`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import clean
from hiplbp.steps.job import Job

clean.run(Job.from_snakemake(snakemake))
