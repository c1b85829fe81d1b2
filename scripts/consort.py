"""Rule consort: the flow diagram, from the trial's printed counts or the data's own.

The step is :mod:`hiplbp.steps.consort`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import consort
from hiplbp.steps.job import Job

consort.run(Job.from_snakemake(snakemake))
