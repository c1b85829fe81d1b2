# Helpers of the screen (workflow/rules/screen.smk): the trial folders, their chunks, and the trials
# whose own run is made too.
import os
from pathlib import Path

from hiplbp.run import stages  # noqa: E402
from hiplbp.run.config import load_schema, run_name  # noqa: E402
from hiplbp.screen import chunked, own_runs, trial_folders  # noqa: E402

SCREEN = config["screen"]
# the repository root, read while the Snakefile is parsed (an input function runs later, when
# workflow.basedir may name the directory of the last included file)
SCREEN_ROOT = Path(workflow.basedir)
FOLDERS = trial_folders(SCREEN["trials"], root=SCREEN_ROOT)
CHUNKS = chunked(FOLDERS, SCREEN["chunk"])
RUN_SCHEMA = "workflow/schemas/config.schema.yaml"
# screen.reports: each folder's own run, as `--configfile <folder>/config.yaml` would make it, in
# results/screen/trials/<name>/ (workflow/rules/screen.smk); a folder that cannot run says why.
# (relative to the working directory, as the jobs read the folders: no absolute path in an output)
OWN_RUNS, NOT_RUN = own_runs(
    SCREEN["reports"], load_schema(SCREEN_ROOT / RUN_SCHEMA), root=os.path.relpath(SCREEN_ROOT)
)


def results_dir(own_config):
    """Where a trial's own run would write on its own (results/<name>/), which the screen moves."""
    return stages.results_dir({"name": run_name(own_config)})


def own_run_dir(name):
    """Where a trial's own run writes, under the screen's results."""
    return f"results/screen/trials/{name}"


def own_reports():
    """Each own run's report, by trial."""
    return {name: f"{own_run_dir(name)}/report/report.html" for name in OWN_RUNS}


def screen_outputs():
    """What a screen makes: its tables, figure and page, and every output of each own run."""
    out = list(rules.screen.output)
    for name in OWN_RUNS:
        out += list(getattr(rules, own_run_rules(name) + "all").input)
    return out


def own_run_rules(name):
    """The prefix of the rules of a trial's own run (a valid rule name)."""
    return "trial_" + "".join(c if c.isalnum() else "_" for c in name) + "_"


def chunk_files(wildcards):
    """Every file of the chunk's trial folders: a changed table reruns its chunk only."""
    files = []
    for folder in CHUNKS[int(wildcards.chunk)]:
        path = SCREEN_ROOT / folder
        files += sorted(str(Path(folder) / f.name) for f in path.glob("*") if f.is_file()) if path.is_dir() else []
    return files
