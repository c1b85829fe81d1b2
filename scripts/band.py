"""Rule band: every statistic recomputed from the printed tables, with its band (see hiplbp.band)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])


from hiplbp.band.published import band_from_published
from hiplbp.trial import published
from hiplbp.trial.design import Design
from hiplbp.trial.tables import read_text_table

i, p = snakemake.input, snakemake.params
outcome = snakemake.wildcards.outcome
design = Design.from_config(p.design)
table = band_from_published(
    published.read_groups(i.groups, **p.trial),
    published.read_summaries(i.outcomes),
    read_text_table(i.tests) if i.tests else None,
    outcome,
    time_levels=design.time_levels,
    arms=design.arms,
    between=p.between,
    names=design.factor_names,
    arm_from=p.reconstruction["arm_from"],
    assumptions=p.reconstruction["assumptions"],
    settings=p.band,
    reference=p.reconstruction["correlation"],
    shifts=p.shifts,
    low=p.bounds[outcome][0],
    high=p.bounds[outcome][1],
    characteristics=read_text_table(i.characteristics) if i.characteristics else None,
    changes=read_text_table(i.changes) if i.changes else None,
    ss_type=p.ss_type,
    alpha=p.alpha,
)
table.to_csv(snakemake.output.table, index=False)
print(f"{outcome}: {len(table)} statistics, {int(table['flips'].sum())} whose significance can flip", file=sys.stderr)
