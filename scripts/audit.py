"""Rule audit: randomization audit of the data and, with a trial folder, the audit of its printed tables
(see hiplbp.audit)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import json
from pathlib import Path

import pandas as pd

from hiplbp import audit, published
from hiplbp.ingest import Design, read_canonical
from hiplbp.replay import change_claims, published_cells, unchecked_claims
from hiplbp.trial import read_trial

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
if i.groups:  # a trial folder: the audit of its printed tables
    trial = read_trial(Path(i.groups).parent)
    groups = published.read_groups(i.groups, **p.trial)
    audit.label_consistency(groups, p.arm_from).to_csv(o.labels, index=False)
    summaries = published.read_summaries(i.outcomes)
    characteristics = published.read_characteristics(i.characteristics or None)
    enrollment = published.read_enrollment(i.enrollment or None)
    claims = change_claims(trial.tests)
    unchecked = unchecked_claims(trial.tests, list(summaries["outcome"].unique()))
    # scale bounds for the exact mean-SD test: the configured outcome definitions (min, max)
    scales = {o["name"]: (float(o["min"]), float(o["max"])) for o in design.outcomes if "min" in o and "max" in o}
    for outcome, s in summaries.groupby("outcome", sort=False):
        times = list(dict.fromkeys(s["time"]))  # the paper's visits, in printed order
        # the characteristics and the study-level checks belong to the paper, not to an outcome: run them
        # once (duplicates across outcomes are dropped below)
        first = not parts
        cells, assumed = published_cells(groups, summaries, outcome, times, design.arms, p.arm_from, p.assumptions)
        parts.append(
            audit.publication_findings(
                groups,
                s,
                characteristics if first else characteristics.iloc[:0],
                enrollment,
                cells,
                assumed,
                claims,
                unchecked=unchecked if first else None,
                granularity=p.granularity,
                bounds=scales,
                outcome=outcome,
                time_levels=times,
                configured_correlation=p.correlation,
                arm_text=p.text["arms"],
                alpha=p.alpha,
                seed=p.seed,
                draws=p.draws,
            )
        )
    parts.append(
        pd.DataFrame(
            audit.percent_checks(trial) + audit.reported_statistic_checks(trial) + audit.flow_checks(trial),
            columns=audit.FINDING_COLUMNS,
        )
    )
else:
    audit.label_consistency(None, p.arm_from).to_csv(o.labels, index=False)
parts.append(audit.data_findings(subjects, variables, design.arms, design.strata, synthetic=synthetic))
table = pd.concat([t for t in parts if len(t)], ignore_index=True).drop_duplicates(["check", "target"])
table.to_csv(o.findings, index=False)
print(f"findings: {table['verdict'].value_counts().to_dict()}", file=sys.stderr)
