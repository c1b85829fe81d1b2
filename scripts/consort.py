"""Rule consort: the flow diagram from the published counts (see hiplbp.consort)."""

import sys

sys.stderr = open(snakemake.log[0], "w")


from hiplbp import published
from hiplbp.consort import consort_figure, flow_counts
from hiplbp.figures import save

counts = flow_counts(
    published.read_groups(snakemake.input.groups, **snakemake.params.trial),
    published.read_enrollment(snakemake.input.enrollment),
)
for path in (snakemake.output.png, snakemake.output.svg):
    save(consort_figure(counts), path)
