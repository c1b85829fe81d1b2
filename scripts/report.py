"""Rule report: run notebooks/report.ipynb with papermill, write it and its HTML.

The step is :mod:`hiplbp.steps.report`.
"""

import os
import sys

from hiplbp.errors import log_to

# the Jupyter kernel is a child process writing to file descriptor 2: send that to the log too,
# keeping a copy of the console for the one-line error
log_to(snakemake.log[0], console=os.fdopen(os.dup(2), "w"))
os.dup2(sys.stderr.fileno(), 2)

from hiplbp.steps import report
from hiplbp.steps.job import Job

report.run(Job.from_snakemake(snakemake))
