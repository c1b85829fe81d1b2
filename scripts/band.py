"""Rule band: every statistic recomputed from the printed tables, with its band (see hiplbp.band)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])


from hiplbp.band.published import BandSettings, PrintedTables, band_from_published
from hiplbp.trial import published
from hiplbp.trial.tables import read_text_table

i, p = snakemake.input, snakemake.params
outcome = snakemake.wildcards.outcome
tables = PrintedTables(
    published.read_groups(i.groups, **p.trial),
    published.read_summaries(i.outcomes),
    tests=read_text_table(i.tests) if i.tests else None,
    characteristics=read_text_table(i.characteristics) if i.characteristics else None,
    changes=read_text_table(i.changes) if i.changes else None,
)
table = band_from_published(tables, outcome, BandSettings.from_arguments(dict(p.items())))
table.to_csv(snakemake.output.table, index=False)
print(f"{outcome}: {len(table)} statistics, {int(table['flips'].sum())} whose significance can flip", file=sys.stderr)
