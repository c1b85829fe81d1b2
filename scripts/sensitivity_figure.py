"""Rule sensitivity_figure: p against the correlation and the assumed cells.

The step is :mod:`hiplbp.steps.sensitivity_figure`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import sensitivity_figure
from hiplbp.steps.job import Job

sensitivity_figure.run(Job.from_snakemake(snakemake))
