# hiplbp: reanalysis and audit of Lee & Kim 2015 (J Phys Ther Sci 27:345).
# ingestion -> cleaning -> randomization audit -> repeated-measures analysis -> figures -> report
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/reconstruct.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/audit.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/sensitivity.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        all_outputs(),
