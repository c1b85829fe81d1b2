"""Rule analysis: the mixed ANOVA and descriptives of one outcome (see :mod:`hiplbp.stats.anova`,
:mod:`hiplbp.stats.describe`)."""

from __future__ import annotations

import sys

from ..data.ingest import read_canonical
from ..stats.anova import ANOVA_COLUMNS, mixed_anova
from ..stats.describe import cell_summary
from ..trial.design import Design
from .basis import basis
from .job import Job


def run(job: Job) -> None:
    """Write the ANOVA table (short and full, in the trial's factor names) and the cell descriptives."""
    p, outcome = job.params, job.wildcards.outcome
    design = Design.from_config(p.design)
    # two within factors (design.within): each row's visit is a cell of them
    data = design.with_within(read_canonical(job.input.data, design))
    table = mixed_anova(
        data, outcome, design.within_factors, "subject", design.between, ss_type=p.ss_type, observed=p.observed
    )
    design.label_effects(table[ANOVA_COLUMNS]).to_csv(job.output.anova, index=False)
    design.label_effects(table).to_csv(job.output.detail, index=False)
    cells = cell_summary(data, outcome, design.between + ["time"], level=p.ci_level, basis=basis(job, data, outcome))
    design.with_within(cells).to_csv(job.output.descriptives, index=False)
    print(
        f"{outcome}: {table.attrs['n']} complete subjects; excluded (incomplete): {table.attrs['excluded']}",
        file=sys.stderr,
    )
