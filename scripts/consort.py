"""Rule consort: the flow diagram, from the trial's printed counts or the data's own (see hiplbp.figures.consort)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import pandas as pd

from hiplbp.data.ingest import read_canonical
from hiplbp.figures.consort import consort_figure, consort_note, flow_from_data, flow_from_trial
from hiplbp.figures.style import save
from hiplbp.trial import published
from hiplbp.trial.design import Design
from hiplbp.trial.tables import read_text_table, validate_table

i, p = snakemake.input, snakemake.params
if i.groups:
    groups = published.read_groups(i.groups, **p.trial)
    # flow.csv is optional in the format: without it, the groups table's counts are the flow
    counts = validate_table(read_text_table(i.flow), "flow", i.flow) if i.flow else pd.DataFrame(columns=["stage"])
    flow = flow_from_trial(groups, counts, p.arm_from)
    note = consort_note(groups, p.arm_from)
else:
    design = Design.from_config(p.design)
    flow = flow_from_data(
        read_canonical(i.data, design),
        design.outcome_names,
        design.time_levels,
        design.arms,
        design.strata,
        declared=p.declared,
        allocated=read_canonical(i.allocated, design),
    )
    note = ""
print(flow.groups.to_string(), file=sys.stderr)
fig = consort_figure(
    flow,
    p.text["arms"],
    population=p.text["population"],
    strata_randomized=p.strata_randomized,
    visits=p.visits,
    note=note,
)
save(fig, snakemake.output.png, snakemake.output.svg)
