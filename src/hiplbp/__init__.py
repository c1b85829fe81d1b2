"""hiplbp: reproducible reanalysis and audit of a clinical trial, from its individual data or from
its printed tables. The library holds no trial's words: labels, claims and descriptions come from
the trial's tables and config.

One subpackage per box of the pipeline's DAG, in its order; every function is pure (data in, data
out), so that it can be tested without Snakemake:

- :mod:`hiplbp.run`            the validated config of a run, and the runner behind ``make run``
- :mod:`hiplbp.trial`          a trial as data: its printed tables, cells and design
- :mod:`hiplbp.reconstruction` synthetic patients from the printed summaries
- :mod:`hiplbp.data`           ingestion of any file to the canonical table, and cleaning
- :mod:`hiplbp.integrity`      one scalar consistency check per module (GRIM, GRIMMER, ...)
- :mod:`hiplbp.audit`          checks mapped over a trial's tables and data: the findings
- :mod:`hiplbp.stats`          models on individual data (mixed ANOVA, ANCOVA, LMM, contrasts)
- :mod:`hiplbp.summary`        statistics from printed summaries, and their sensitivity
- :mod:`hiplbp.band`           what the printed tables leave open, through every statistic
- :mod:`hiplbp.figures`        deterministic figures and the CONSORT diagram
- :mod:`hiplbp.report`         the papermill report and self-contained HTML
- :mod:`hiplbp.screen`         screening many trial folders at once
- :mod:`hiplbp.steps`          one module per rule: its input files in, its outputs written

and three small modules every stage may use: :mod:`hiplbp.errors` (one-line errors),
:mod:`hiplbp.seeds` (seeds derived from config) and :mod:`hiplbp.text` (numbers in words).
"""

__version__ = "0.1.0"

SYNTHETIC_NOTE = "synthetic: reconstructed from the trial's published summary statistics; not patient data"
