"""Rule audit: allocation ratio, baseline balance, published group labels (see hiplbp.audit)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from hiplbp import audit, published  # noqa: E402
from hiplbp.ingest import Design, read_canonical  # noqa: E402

p = snakemake.params  # noqa: F821
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)  # noqa: F821
baseline = data[data["time"] == design.time_levels[0]]
subjects = baseline.drop_duplicates("subject")
audit.allocation(data.drop_duplicates("subject"), design.arms, design.strata).to_csv(
    snakemake.output.allocation, index=False)  # noqa: F821
audit.baseline_table(subjects, design.outcome_names + design.covariates, design.arms, design.strata).to_csv(
    snakemake.output.baseline, index=False)  # noqa: F821
audit.label_consistency(published.read_groups(snakemake.input.groups), p.arm_from).to_csv(  # noqa: F821
    snakemake.output.labels, index=False)  # noqa: F821
