"""Rule screen: stack the chunks, rank the trials, Carlisle's figure and the screening page.

The step is :mod:`hiplbp.steps.screen`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import screen
from hiplbp.steps.job import Job

screen.run(Job.from_snakemake(snakemake))
