"""Rule consort: the flow diagram from the published counts (see hiplbp.consort)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from hiplbp import published  # noqa: E402
from hiplbp.consort import consort_figure, flow_counts  # noqa: E402
from hiplbp.figures import save  # noqa: E402

counts = flow_counts(published.read_groups(snakemake.input.groups), pd.read_csv(snakemake.input.enrollment))  # noqa: F821
for path in (snakemake.output.png, snakemake.output.svg):  # noqa: F821
    save(consort_figure(counts), path)
