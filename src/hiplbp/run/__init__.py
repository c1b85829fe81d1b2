"""Running the pipeline: a run's validated config, and Snakemake that recovers from a killed run.

- :mod:`.config`: ``extends`` chains, schema validation with one-line errors, cross-key checks;
- :mod:`.runner`: ``make run`` (``python -m hiplbp.run.runner``).
"""
