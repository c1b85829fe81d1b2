"""Rule clean: range checks, duplicates, inconsistent and incomplete subjects (see hiplbp.clean)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from hiplbp.clean import clean  # noqa: E402
from hiplbp.ingest import Design, read_canonical  # noqa: E402

p = snakemake.params  # noqa: F821
design = Design.from_config(p.design)
data, log = clean(read_canonical(snakemake.input.data, design), design,  # noqa: F821
                  exclude=p.exclude, drop_incomplete=p.drop_incomplete)
data.to_csv(snakemake.output.data, index=False)  # noqa: F821
log.to_csv(snakemake.output.log, index=False)  # noqa: F821
print(f"clean: {len(data)} rows kept; log: {log['action'].value_counts().to_dict()}", file=sys.stderr)
