"""Rule analysis: mixed ANOVA and descriptives of one outcome (see hiplbp.anova, hiplbp.describe)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from hiplbp.anova import ANOVA_COLUMNS, mixed_anova  # noqa: E402
from hiplbp.describe import cell_summary  # noqa: E402
from hiplbp.ingest import Design, read_canonical  # noqa: E402

p = snakemake.params  # noqa: F821
outcome = snakemake.wildcards.outcome  # noqa: F821
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)  # noqa: F821
table = mixed_anova(data, outcome, "time", "subject", design.between, ss_type=p.ss_type, observed=p.observed)
table[ANOVA_COLUMNS].to_csv(snakemake.output.anova, index=False)  # noqa: F821
table.to_csv(snakemake.output.detail, index=False)  # noqa: F821
basis = "data"
if snakemake.input.get("check"):  # noqa: F821 (reconstructed data: say which cells are assumed)
    import pandas as pd

    from hiplbp.reconstruct import value_basis

    basis = value_basis(data, pd.read_csv(snakemake.input.raw), pd.read_csv(snakemake.input.check), outcome)  # noqa: F821
cell_summary(data, outcome, design.between + ["time"], level=p.ci_level, basis=basis).to_csv(
    snakemake.output.descriptives, index=False)  # noqa: F821
print(f"{outcome}: {table.attrs['n']} complete subjects; excluded (incomplete): {table.attrs['excluded']}",
      file=sys.stderr)
