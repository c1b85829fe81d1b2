"""Rule reconstruct: synthetic patients from the published summaries (see hiplbp.reconstruction.patients)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])


from hiplbp.reconstruction import patients
from hiplbp.trial import published

p = snakemake.params
d = p.design["design"]
outcome_tables = published.read_summaries(snakemake.input.outcomes)
raw, check = patients.reconstruct(
    published.read_groups(snakemake.input.groups, **snakemake.params.trial),
    outcome_tables,
    published.read_characteristics(snakemake.input.characteristics),
    patients.ReconstructionDesign(p.design["outcomes"], d["time_levels"], d["arms"], d["strata"]),
    patients.ReconstructionSettings.from_config(p.reconstruction),
)
raw.to_csv(snakemake.output.raw, index=False)
check.to_csv(snakemake.output.check, index=False)
print(
    f"reconstructed {len(raw)} synthetic patients; {int(check['match'].sum())} of {len(check)} cells match at "
    "the printed precision (BMI is derived per patient, not fitted)",
    file=sys.stderr,
)
