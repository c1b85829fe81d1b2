"""Rule sensitivity: within-subject tests over correlations and assumed cells
(see :mod:`hiplbp.summary.sensitivity`)."""

from __future__ import annotations

import sys

import pandas as pd

from ..data.ingest import read_canonical
from ..summary import sensitivity
from ..trial import published
from ..trial.cells import published_cells
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write the sensitivity table of one outcome.

    With reconstructed patients it is computed from the printed summaries alone (never from the
    synthetic patients, whose correlation is an assumption); with individual data, from the data.
    """
    i, p, outcome = job.input, job.params, job.wildcards.outcome
    design = Design.from_config(p.design)
    if design.within:
        # its closed forms take one within factor; the data's own tests need no assumed correlation
        note = (
            f"not computed: the sensitivity analysis takes one within factor, and {' × '.join(design.within)} are "
            "two; the data's own correlations enter the mixed ANOVA and the LMM"
        )
        pd.DataFrame([{"scenario": "not_computed", "note": note}], columns=sensitivity.SENSITIVITY_COLUMNS).to_csv(
            job.output.table, index=False
        )
        print(f"{outcome}: {note}", file=sys.stderr)
        return
    analysis = sensitivity.SensitivityDesign(design.between, design.time_levels, design.arm_roles, p.ss_type, p.alpha)
    if p.source == "reconstructed":
        cells, assumed = published_cells(
            published.read_groups(i.groups, **p.trial),
            published.read_summaries(i.outcomes),
            outcome,
            design.time_levels,
            design.two_arms,  # a reconstructed trial has two arms (check_config)
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
    table.to_csv(job.output.table, index=False)
    print(f"{outcome}: {len(table)} rows, scenarios {table['scenario'].value_counts().to_dict()}", file=sys.stderr)
