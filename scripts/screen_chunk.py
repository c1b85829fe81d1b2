"""Rule screen_chunk: the audit of one chunk of trial folders (see hiplbp.screen)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.run.config import load_schema
from hiplbp.screen import screen_chunk

i, p = snakemake.input, snakemake.params
# the run config's schema: a folder with its own run config is audited as that run audits it
findings, trials = screen_chunk(p.folders, seed=p.seed, draws=p.draws, schema=load_schema(i.schema))
findings.to_csv(snakemake.output.findings, index=False)
trials.to_csv(snakemake.output.trials, index=False)
print(f"{len(trials)} trials, {len(findings)} findings", file=sys.stderr)
