"""Rule sensitivity: within-subject tests over correlations and assumed cells (see hiplbp.summary.sensitivity)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])


from hiplbp.data.ingest import read_canonical
from hiplbp.summary import sensitivity
from hiplbp.trial import published
from hiplbp.trial.cells import published_cells
from hiplbp.trial.design import Design

i, p = snakemake.input, snakemake.params
outcome = snakemake.wildcards.outcome
design = Design.from_config(p.design)
analysis = sensitivity.SensitivityDesign(design.between, design.time_levels, design.arms, p.ss_type, p.alpha)
if p.source == "reconstructed":
    # from the published summaries alone, not from the reconstructed patients
    summaries = published.read_summaries(i.outcomes)
    cells, assumed = published_cells(
        published.read_groups(i.groups, **p.trial),
        summaries,
        outcome,
        design.time_levels,
        design.arms,
        p.reconstruction["arm_from"],
        p.reconstruction["assumptions"],
    )
    table = sensitivity.sensitivity_from_published(
        sensitivity.complete_cases(cells, design.time_levels),
        assumed,
        analysis,
        correlations=p.grid["correlations"],
        shifts=p.grid["mean_shifts"],
        configured_correlation=p.reconstruction["correlation"],
    )
else:
    data = read_canonical(i.data, design)
    table = sensitivity.sensitivity_from_data(data, outcome, analysis, correlations=p.grid["correlations"])
table.to_csv(snakemake.output.table, index=False)
print(f"{outcome}: {len(table)} rows, scenarios {table['scenario'].value_counts().to_dict()}", file=sys.stderr)
