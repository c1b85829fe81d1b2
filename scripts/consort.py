"""Rule consort: the flow diagram from the published counts (see hiplbp.consort)."""

import sys

sys.stderr = open(snakemake.log[0], "w")


from hiplbp import published
from hiplbp.consort import consort_figure, consort_note, flow_counts
from hiplbp.figures import save

p = snakemake.params
groups = published.read_groups(snakemake.input.groups, **p.trial)
counts = flow_counts(groups, published.read_enrollment(snakemake.input.enrollment))
note = consort_note(groups, p.arm_from)
for path in (snakemake.output.png, snakemake.output.svg):
    fig = consort_figure(
        counts, p.text["arms"], population=p.text["population"], strata_randomized=p.strata_randomized, note=note
    )
    save(fig, path)
