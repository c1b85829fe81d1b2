"""Rule consort: the flow diagram, from the trial's printed counts or the data's own
(see :mod:`hiplbp.figures.consort`)."""

from __future__ import annotations

import sys

import pandas as pd

from ..data.ingest import read_canonical
from ..figures.consort import Flow, consort_figure, consort_note, flow_from_data, flow_from_trial
from ..figures.style import save
from ..trial import published
from ..trial.design import Design
from ..trial.tables import read_text_table, validate_table
from .job import Job


def flow(job: Job) -> tuple[Flow, str]:
    """The counts of each box, and the diagram's note on which arm is which (a trial's only).

    A trial's ``flow.csv`` is optional in the format: without it, the groups table's counts are the flow.
    """
    i, p = job.input, job.params
    if i.groups:
        groups = published.read_groups(i.groups, **p.trial)
        counts = validate_table(read_text_table(i.flow), "flow", i.flow) if i.flow else pd.DataFrame(columns=["stage"])
        return flow_from_trial(groups, counts, p.arm_from), consort_note(groups, p.arm_from)
    design = Design.from_config(p.design)
    counted = flow_from_data(
        read_canonical(i.data, design),
        design.outcome_names,
        design.time_levels,
        design.arm_roles,
        design.strata,
        declared=p.declared,
        allocated=read_canonical(i.allocated, design),
    )
    return counted, ""


def run(job: Job) -> None:
    """Write the CONSORT diagram (PNG and SVG)."""
    p = job.params
    counted, note = flow(job)
    print(counted.groups.to_string(), file=sys.stderr)
    fig = consort_figure(
        counted,
        p.text["arms"],
        population=p.text["population"],
        strata_randomized=p.strata_randomized,
        visits=p.visits,
        note=note,
    )
    save(fig, job.output.png, job.output.svg)
