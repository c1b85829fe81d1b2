"""Rule ingest: any CSV/TSV/XLSX, long or wide -> canonical long table.

The step is :mod:`hiplbp.steps.ingest`.
"""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.steps import ingest
from hiplbp.steps.job import Job

ingest.run(Job.from_snakemake(snakemake))
