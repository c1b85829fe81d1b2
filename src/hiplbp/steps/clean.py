"""Rule clean: range checks, duplicates, inconsistent and incomplete subjects (see :mod:`hiplbp.data.clean`).

The cleaning log is the ingestion's changes (spaces, missing-value markers, labels) followed by
the cleaning's, all in the raw file's rows and columns.
"""

from __future__ import annotations

import sys

import pandas as pd

from ..data.clean import check_analysable, clean, cleaning_log
from ..data.ingest import Source, read_canonical
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write the clean data and the cleaning log, then refuse data that no model can analyse.

    The outputs are written before the refusal so that the log shows what the cleaning left.
    """
    p = job.params
    design = Design.from_config(p.design)
    source = Source(p.source["layout"], dict(p.source["columns"]), p.source["wide_separator"])
    data, log = clean(
        read_canonical(job.input.data, design),
        design,
        exclude=p.exclude,
        drop_incomplete=p.drop_incomplete,
        source=source,
    )
    reading = pd.read_csv(job.input.changes, dtype=str, keep_default_na=False).replace({"": None})
    log = cleaning_log(reading, log)
    data.to_csv(job.output.data, index=False)
    log.to_csv(job.output.log, index=False)
    print(f"clean: {len(data)} rows kept; log: {log['action'].value_counts().to_dict()}", file=sys.stderr)
    check_analysable(data, design)
