"""Rule table_pages: every result table as a readable HTML page for `snakemake --report`.

The step is :mod:`hiplbp.steps.table_pages`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import table_pages
from hiplbp.steps.job import Job

table_pages.run(Job.from_snakemake(snakemake))
