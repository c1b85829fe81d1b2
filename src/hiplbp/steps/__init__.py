"""The rules' steps: one module per rule of the workflow, each with one function ``run(job)``.

A step reads the rule's input files, calls the stage's library functions and writes the rule's
outputs; it is the only place where files are read and written, so that everything else in the
library stays pure. The rule's script only hands it the job (:meth:`.job.Job.from_snakemake`), so a
step runs, and is tested, without Snakemake (:class:`.job.Job` built from plain mappings).

Each rule's step is its own module because the workflow reruns a rule when a library module its
script imports changes (``library_code`` in ``workflow/rules/code.smk``): a module per rule keeps
that set to what the rule uses.

- :mod:`.job`: a rule's files, parameters and wildcards as plain values;
- the trial's run, in the order of the DAG: :mod:`.reconstruct`, :mod:`.replicates`, :mod:`.ingest`,
  :mod:`.clean`, :mod:`.audit`, :mod:`.replay`, :mod:`.analysis`, :mod:`.models`, :mod:`.followup`,
  :mod:`.sensitivity`, :mod:`.band`, :mod:`.figures`, :mod:`.sensitivity_figure`, :mod:`.consort`,
  :mod:`.report`, :mod:`.table_pages`;
- the screen: :mod:`.screen_chunk`, :mod:`.screen`.
"""
