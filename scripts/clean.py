"""Rule clean: range checks, duplicates, inconsistent and incomplete subjects (see hiplbp.clean)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from hiplbp.clean import clean
from hiplbp.ingest import Design, read_canonical

p = snakemake.params
design = Design.from_config(p.design)
data, log = clean(
    read_canonical(snakemake.input.data, design),
    design,
    exclude=p.exclude,
    drop_incomplete=p.drop_incomplete,
)
data.to_csv(snakemake.output.data, index=False)
log.to_csv(snakemake.output.log, index=False)
print(f"clean: {len(data)} rows kept; log: {log['action'].value_counts().to_dict()}", file=sys.stderr)
