"""Rule audit: randomization audit of the data and, with a trial folder, the audit of its printed tables
(see hiplbp.audit)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import json
from pathlib import Path

import pandas as pd

from hiplbp import audit
from hiplbp.audit.printed import PrintedAudit, printed_findings
from hiplbp.data.ingest import read_canonical
from hiplbp.trial import published
from hiplbp.trial.design import Design
from hiplbp.trial.tables import read_trial

i, o, p = snakemake.input, snakemake.output, snakemake.params
design = Design.from_config(p.design)
data = read_canonical(i.data, design)
subjects = data[data["time"] == design.time_levels[0]].drop_duplicates("subject")
variables = design.outcome_names + design.covariates
with open(i.provenance) as fh:
    synthetic = json.load(fh)["synthetic"]

audit.allocation(data.drop_duplicates("subject"), design.arms, design.strata).to_csv(o.allocation, index=False)
audit.baseline_table(subjects, variables, design.arms, design.strata).to_csv(o.baseline, index=False)
audit.attrition(data, design.outcome_names, design.time_levels, design.strata).to_csv(o.attrition, index=False)
parts = []
if i.groups:  # a trial folder: the audit of its printed tables (the same function the screen calls)
    printed = PrintedAudit(**p.printed)
    groups = published.read_groups(i.groups, **printed.meaning)
    audit.label_consistency(groups, printed.arm_from).to_csv(o.labels, index=False)
    parts.append(printed_findings(read_trial(Path(i.groups).parent), printed))
else:
    audit.label_consistency(None, p.arm_from).to_csv(o.labels, index=False)
parts.append(audit.data_findings(subjects, variables, design.arms, design.strata, synthetic=synthetic))
table = pd.concat([t for t in parts if len(t)], ignore_index=True).drop_duplicates(["check", "target"])
table.to_csv(o.findings, index=False)
print(f"findings: {table['verdict'].value_counts().to_dict()}", file=sys.stderr)
