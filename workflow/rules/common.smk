# Helpers shared by the rules: every value a script needs comes from the library's
# stage_arguments (params), every file it reads from trial_files and raw_data (inputs).
import sys
from pathlib import Path

if _SRC not in sys.path:
    sys.path.insert(0, _SRC)

from hiplbp.errors import UserError, one_line  # noqa: E402  (the checkout's library)
from hiplbp.run import stages  # noqa: E402
from hiplbp.run.stages import stage_arguments  # noqa: E402
from hiplbp.trial.tables import check_outcome_cells, read_trial  # noqa: E402

RECONSTRUCTED = stages.reconstructed(config)
# The ANCOVA adjusts for the baseline visit; a design without one (design.baseline: none) has none.
ANCOVA = stages.baseline_adjusted(config)
# A trial's printed tables (trial.folder): audited, replayed and, with data.source reconstructed,
# reconstructed. Without one, every output speaks only of the data set.
TRIAL = stages.has_trial(config)
OUTCOMES = [o["name"] for o in config["outcomes"]]
# every output of the run is under results/<name>/, so runs of different trials never mix
RESULTS = stages.results_dir(config)


# The trial's tables are read and validated once, while the DAG is built, so that a mistake in one
# ends the run with its one line (file, row, column) before any job starts.
try:
    TRIAL_TABLES = read_trial(config["trial"]["folder"]) if TRIAL else None
    if TRIAL_TABLES is not None:
        check_outcome_cells(TRIAL_TABLES, OUTCOMES, config["design"]["time_levels"])
except UserError as err:
    print(one_line(err), file=sys.stderr)
    sys.exit(1)


wildcard_constraints:
    outcome="|".join(OUTCOMES),


def raw_data():
    """The file ingestion reads: the reconstruction, or the user's data file."""
    return stages.raw_data(config)


def published_tables():
    """The trial's printed tables (format 1) as inputs; empty inputs without a trial."""
    return stages.trial_files(config)


def outcome_def(wildcards):
    return next(o for o in config["outcomes"] if o["name"] == wildcards.outcome)


def all_outputs(pages=True):
    """Every final output of the pipeline (``pages``: with the rendered table pages)."""
    out = [
        f"{RESULTS}/data/clean.csv",
        f"{RESULTS}/data/cleaning_log.csv",
        f"{RESULTS}/audit/allocation.csv",
        f"{RESULTS}/audit/baseline.csv",
        f"{RESULTS}/audit/group_labels.csv",
        f"{RESULTS}/audit/attrition.csv",
        f"{RESULTS}/audit/findings.csv",
        f"{RESULTS}/figures/consort.png",
        f"{RESULTS}/figures/consort.svg",
        f"{RESULTS}/report/report.ipynb",
        f"{RESULTS}/report/report.html",
    ]
    if TRIAL:
        out += [f"{RESULTS}/tables/published_vs_reproduced.csv"]
    out += expand(
        f"{RESULTS}/tables/{{table}}_{{outcome}}.csv",
        outcome=OUTCOMES,
        table=[
            "rm_anova",
            "rm_anova_detail",
            "lmm",
            "mmrm",
            "mmrm_terms",
            "mmrm_means",
            "mmrm_covariance",
            "contrasts",
            "effect_sizes",
            "sensitivity",
        ],
    )
    if ANCOVA:
        out += expand(f"{RESULTS}/tables/{{table}}_{{outcome}}.csv", outcome=OUTCOMES, table=["ancova", "ancova_terms"])
    if RECONSTRUCTED:
        out += expand(f"{RESULTS}/tables/band_{{outcome}}.csv", outcome=OUTCOMES)
    out += expand(f"{RESULTS}/tables/descriptives_{{outcome}}.csv", outcome=OUTCOMES)
    out += expand(
        f"{RESULTS}/figures/{{prefix}}{{outcome}}.{{ext}}",
        outcome=OUTCOMES,
        ext=["png", "svg"],
        prefix=["", "sensitivity_"],
    )
    if RECONSTRUCTED:
        out += [f"{RESULTS}/data/raw.csv", f"{RESULTS}/data/reconstruction_check.csv"]
        out += replicate_tables()
    if pages:
        out += [f"{RESULTS}/report/tables"]
    return out


def result_tables():
    """Every CSV the run reports (the rendered table pages are made from them)."""
    return [f for f in all_outputs(pages=False) if f.endswith(".csv")]


def replicate_tables():
    """Spread of the statistics over several reconstructions (reconstructed data, replicates > 1)."""
    if stages.replicates(config) > 1:
        return expand(f"{RESULTS}/tables/replicates_{{outcome}}.csv", outcome=OUTCOMES)
    return []
