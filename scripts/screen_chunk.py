"""Rule screen_chunk: the audit of one chunk of trial folders (see hiplbp.screen)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from hiplbp.screen import screen_chunk

findings, trials = screen_chunk(snakemake.params.folders, seed=snakemake.params.seed, draws=snakemake.params.draws)
findings.to_csv(snakemake.output.findings, index=False)
trials.to_csv(snakemake.output.trials, index=False)
print(f"{len(trials)} trials, {len(findings)} findings", file=sys.stderr)
