"""Rule audit: the randomization audit of the data and, with a trial folder, of its printed tables
(see :mod:`hiplbp.audit`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from .. import audit
from ..audit.printed import PrintedAudit, printed_findings
from ..data.ingest import read_canonical
from ..trial import published
from ..trial.design import Design
from ..trial.tables import read_trial
from .job import Job


def run(job: Job) -> None:
    """Write allocation, baseline balance, attrition, the printed group labels' consistency and the findings.

    The findings are the printed tables' (the same function the screen calls) followed by the
    data's, one row per check and target.
    """
    i, o, p = job.input, job.output, job.params
    design = Design.from_config(p.design)
    data = read_canonical(i.data, design)
    # balance at baseline: the outcomes at the baseline visit and the covariates; without a baseline
    # visit (design.baseline a column, or none) the covariates alone, one row per subject
    if design.baseline_kind == "visit":
        subjects = data[data["time"] == design.baseline_visit].drop_duplicates("subject")
        variables = design.outcome_names + design.covariates
    else:
        subjects, variables = data.drop_duplicates("subject"), list(design.covariates)
    with open(i.provenance) as fh:
        synthetic = json.load(fh)["synthetic"]

    audit.allocation(data.drop_duplicates("subject"), design.comparisons(), design.strata).to_csv(
        o.allocation, index=False
    )
    base = audit.baseline_table(subjects, variables, design.comparisons(), design.strata, design.factors)
    base.to_csv(o.baseline, index=False)
    audit.attrition(data, design.outcome_names, design.time_levels, design.strata).to_csv(o.attrition, index=False)
    parts = []
    if i.groups:
        printed = PrintedAudit(**p.printed)
        groups = published.read_groups(i.groups, **printed.meaning)
        audit.label_consistency(groups, printed.arm_from).to_csv(o.labels, index=False)
        parts.append(printed_findings(read_trial(Path(i.groups).parent), printed))
    else:
        audit.label_consistency(None, p.arm_from).to_csv(o.labels, index=False)
    parts.append(audit.data_findings(subjects, variables, design.comparisons(), design.strata, synthetic=synthetic))
    table = pd.concat([t for t in parts if len(t)], ignore_index=True).drop_duplicates(["check", "target"])
    table.to_csv(o.findings, index=False)
    print(f"findings: {table['verdict'].value_counts().to_dict()}", file=sys.stderr)
