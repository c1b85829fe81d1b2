"""Rule screen_chunk: the audit of one chunk of trial folders.

The step is :mod:`hiplbp.steps.screen_chunk`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import screen_chunk
from hiplbp.steps.job import Job

screen_chunk.run(Job.from_snakemake(snakemake))
