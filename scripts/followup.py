"""Rule followup: contrasts per visit and effect sizes (see hiplbp.contrasts, hiplbp.effects)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from hiplbp.contrasts import visit_contrasts  # noqa: E402
from hiplbp.effects import effect_sizes  # noqa: E402
from hiplbp.ingest import Design, read_canonical  # noqa: E402

p = snakemake.params  # noqa: F821
outcome = snakemake.wildcards.outcome  # noqa: F821
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)  # noqa: F821
basis = "data"
if snakemake.input.get("check"):  # noqa: F821 (reconstructed data: say which rows rest on assumptions)
    import pandas as pd

    from hiplbp.reconstruct import value_basis

    basis = value_basis(data, pd.read_csv(snakemake.input.raw), pd.read_csv(snakemake.input.check), outcome)  # noqa: F821
visit_contrasts(data, outcome, design.between, design.arms, design.time_levels, level=p.ci_level,
                basis=basis).to_csv(snakemake.output.contrasts, index=False)  # noqa: F821
effect_sizes(data, outcome, design.strata, design.arms, design.time_levels, level=p.ci_level,
             basis=basis).to_csv(snakemake.output.effects, index=False)  # noqa: F821
