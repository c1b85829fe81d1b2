"""Rule replay: every printed number and claim of the trial against its reproduction.

The step is :mod:`hiplbp.steps.replay`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import replay
from hiplbp.steps.job import Job

replay.run(Job.from_snakemake(snakemake))
