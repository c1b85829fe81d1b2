"""hiplbp: reproducible reanalysis and audit of a clinical trial, from its individual data or from
its printed tables (a trial folder, :mod:`hiplbp.trial`). The library holds no trial's words:
labels, claims and descriptions come from the trial's tables and config.

One module per pipeline stage; every function is pure (data in, data out) so that it can be
tested without Snakemake:

- :mod:`hiplbp.config`      a run's config: ``extends`` chains
- :mod:`hiplbp.trial`       a trial folder's tables (format 1), validated
- :mod:`hiplbp.published`   the paper's printed numbers, precision kept
- :mod:`hiplbp.reconstruct` synthetic patients from the published summaries
- :mod:`hiplbp.ingest`      any CSV/TSV/XLSX, long or wide, to the canonical long table
- :mod:`hiplbp.clean`       range checks, duplicates, inconsistent subjects, with a log
- :mod:`hiplbp.audit`       the randomization audit and the audit of printed tables (findings)
- :mod:`hiplbp.anova`       mixed ANOVA with one or two between factors (type II/III, GG)
- :mod:`hiplbp.describe`    descriptive statistics with t-based confidence intervals
- :mod:`hiplbp.replay`      the paper's own claims and tests against their reproduction
- :mod:`hiplbp.consort`     the flow diagram, from printed counts or the data's own
- :mod:`hiplbp.figures`     deterministic figures
- :mod:`hiplbp.report`      papermill execution, journal tables and self-contained HTML
"""

__version__ = "0.1.0"

SYNTHETIC_NOTE = "synthetic: reconstructed from the trial's published summary statistics; not patient data"
