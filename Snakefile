# hiplbp: reanalysis and audit of a clinical trial, from its individual data or its printed tables.
# ingestion -> cleaning -> randomization audit -> repeated-measures analysis -> figures -> report
import os
import sys
import time
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# Jobs and the helpers below import the library from this checkout's src/ (see common.smk).
sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from hiplbp.run.config import (  # noqa: E402
    ConfigError,
    check_config,
    load_schema,
    resolve_extends,
    run_name,
    trial_groups,
    validate_config,
    with_visits,
)
from hiplbp.errors import error_lines, one_line  # noqa: E402
from hiplbp.run.runner import DONE  # noqa: E402

_STARTED = time.time()

# The default run is config.yaml. A --configfile describes a run of its own and is not laid over
# config.yaml, so that another trial, or a user's own data, never inherits the default trial's
# words; `extends:` names a config to build on, and what no file sets takes the schema's defaults.
if not workflow.overwrite_configfiles:

    configfile: "config.yaml"


# Validated here rather than by snakemake.utils.validate, which prints the whole schema and config
# around a typo: a mistake in the config ends the run with one line naming the key.
_ORIGIN = " ".join(os.path.relpath(f) for f in workflow.overwrite_configfiles or ["config.yaml"])
# A config with a `screen` section screens many trial folders (workflow/rules/screen.smk) instead.
try:
    _resolved = resolve_extends(config, origin=_ORIGIN)
    SCREENING = "screen" in _resolved
    _schema = "screen.schema.yaml" if SCREENING else "config.schema.yaml"
    _resolved = validate_config(
        _resolved, load_schema(Path(workflow.basedir) / "workflow/schemas" / _schema), origin=_ORIGIN
    )
    if not SCREENING:
        _resolved = with_visits(_resolved, origin=_ORIGIN)
        check_config(_resolved, groups=trial_groups(_resolved), origin=_ORIGIN)
        # the run writes to results/<name>/ (config name, else the trial folder's or the config file's)
        _resolved["name"] = run_name(_resolved, workflow.overwrite_configfiles)
except ConfigError as err:
    print(one_line(err), file=sys.stderr)
    sys.exit(1)
config.clear()
config.update(_resolved)


report: "workflow/report/workflow.rst"


include: "workflow/rules/code.smk"


if SCREENING:

    include: "workflow/rules/screen_common.smk"
    include: "workflow/rules/screen.smk"

else:

    include: "workflow/rules/common.smk"
    include: "workflow/rules/reconstruct.smk"
    include: "workflow/rules/ingest.smk"
    include: "workflow/rules/clean.smk"
    include: "workflow/rules/audit.smk"
    include: "workflow/rules/analysis.smk"
    include: "workflow/rules/sensitivity.smk"
    include: "workflow/rules/figures.smk"
    include: "workflow/rules/report.smk"


# The run's last line says where its report is.
onsuccess:
    if not SCREENING:
        print(f"{DONE}{RESULTS}/report/report.html", file=sys.stderr)
    else:
        print("hiplbp: the screening page is results/screen/screen.html", file=sys.stderr)


# A failed job printed its one line when it failed; repeat it last, after Snakemake's own report
# (the logs of a screen's own runs are under results/screen/trials/<name>/logs/).
onerror:
    for line in error_lines([p for p in Path("results").rglob("*.log") if "logs" in p.parts], since=_STARTED):
        print(line, file=sys.stderr)


rule all:
    default_target: True
    input:
        screen_outputs() if SCREENING else all_outputs(),
