"""Rule audit: randomization audit of the data and, with a trial folder, the audit of its printed tables.

The step is :mod:`hiplbp.steps.audit`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import audit
from hiplbp.steps.job import Job

audit.run(Job.from_snakemake(snakemake))
