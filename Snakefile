# hiplbp: reanalysis and audit of a clinical trial, from its individual data or its printed tables.
# ingestion -> cleaning -> randomization audit -> repeated-measures analysis -> figures -> report
import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

# Jobs and the helpers below import the library from this checkout's src/ (see common.smk).
sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from hiplbp.config import ConfigError, resolve_extends  # noqa: E402

# The default run is config.yaml. A --configfile describes a run of its own and is not laid over
# config.yaml, so that another trial, or a user's own data, never inherits the default trial's
# words; `extends:` names a config to build on, and what no file sets takes the schema's defaults.
if not workflow.overwrite_configfiles:

    configfile: "config.yaml"


try:
    _resolved = resolve_extends(config, origin=" ".join(map(str, workflow.overwrite_configfiles or ["config.yaml"])))
except ConfigError as err:
    raise WorkflowError(str(err)) from None
config.clear()
config.update(_resolved)


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
