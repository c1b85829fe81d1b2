"""Rule clean: range checks, duplicates, inconsistent and incomplete subjects (see hiplbp.data.clean).

The cleaning log is the ingestion's changes (spaces, missing-value markers, labels) followed by
the cleaning's, all in the raw file's rows and columns.
"""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import pandas as pd

from hiplbp.data.clean import check_analysable, clean, cleaning_log
from hiplbp.data.ingest import Source, read_canonical
from hiplbp.trial.design import Design

p = snakemake.params
design = Design.from_config(p.design)
source = Source(p.source["layout"], dict(p.source["columns"]), p.source["wide_separator"])
data, log = clean(
    read_canonical(snakemake.input.data, design),
    design,
    exclude=p.exclude,
    drop_incomplete=p.drop_incomplete,
    source=source,
)
reading = pd.read_csv(snakemake.input.changes, dtype=str, keep_default_na=False).replace({"": None})
log = cleaning_log(reading, log)
data.to_csv(snakemake.output.data, index=False)
log.to_csv(snakemake.output.log, index=False)
print(f"clean: {len(data)} rows kept; log: {log['action'].value_counts().to_dict()}", file=sys.stderr)
check_analysable(data, design)
