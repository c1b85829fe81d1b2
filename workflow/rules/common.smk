# Helpers shared by the rules: every value a script needs is computed here and passed as params.
import sys
from pathlib import Path

if _SRC not in sys.path:
    sys.path.insert(0, _SRC)

from hiplbp.trial import published  # noqa: E402
from hiplbp.audit import arm_text  # noqa: E402  (the checkout's library, for the helpers below)
from hiplbp.audit.printed import PrintedAudit  # noqa: E402
from hiplbp.errors import UserError, one_line  # noqa: E402
from hiplbp.report.provenance import config_sha256  # noqa: E402
from hiplbp.trial.tables import read_trial  # noqa: E402

RECONSTRUCTED = config["data"]["source"] == "reconstructed"
# A trial's printed tables (trial.folder): audited, replayed and, with data.source reconstructed,
# reconstructed. Without one, every output speaks only of the data set.
TRIAL = bool(config.get("trial"))
OUTCOMES = [o["name"] for o in config["outcomes"]]


# The trial's tables are read and validated once, while the DAG is built, so that a mistake in one
# ends the run with its one line (file, row, column) before any job starts.
try:
    TRIAL_TABLES = read_trial(config["trial"]["folder"]) if TRIAL else None
except UserError as err:
    print(one_line(err), file=sys.stderr)
    sys.exit(1)


def reconstructed_covariates():
    """The trial's continuous baseline characteristics: the reconstructed data carry each of them."""
    table = TRIAL_TABLES.characteristics
    return list(dict.fromkeys(table.loc[table["kind"] == "continuous", "variable"]))


# read once: design() is called by every rule
COVARIATES = reconstructed_covariates() if RECONSTRUCTED else config["data"].get("covariates", [])


wildcard_constraints:
    outcome="|".join(OUTCOMES),


def design():
    """The design as the library's Design.from_config expects it (plain, JSON-able values)."""
    d = config["design"]
    return {
        "design": {
            "time_levels": [str(t) for t in d["time_levels"]],
            "arms": {k: str(v) for k, v in d["arms"].items()},
            "strata": [str(s) for s in (d.get("strata") or [])],
            "covariates": list(COVARIATES),
            "factor_names": factor_names(),
        },
        "outcomes": config["outcomes"],
    }


def factor_names():
    """What the trial calls its factors, for labels: design.factor_names, else the data's columns."""
    given = config["design"].get("factor_names") or {}
    if not RECONSTRUCTED:
        columns = dict(config["data"]["columns"])
        if config["data"].get("layout", "long") != "long":
            columns.pop("time", None)
        given = {k: str(v) for k, v in columns.items() if k in ("stratum", "arm", "time")} | dict(given)
    return {k: str(v) for k, v in given.items()}


def raw_data():
    """The file ingestion reads: the reconstruction, or the user's data file."""
    return "results/data/raw.csv" if RECONSTRUCTED else config["data"]["path"]


def ingest_options():
    """How to read the raw file: layout and column names."""
    if RECONSTRUCTED:
        return {
            "layout": "wide",
            "wide_separator": "_",
            "columns": {
                "subject": "subject",
                "stratum": "stratum",
                "arm": "arm",
                "time": "time",
            },
        }
    data = config["data"]
    return {
        "layout": data.get("layout", "long"),
        "wide_separator": data.get("wide_separator", "_"),
        "columns": data["columns"],
    }


def assumptions():
    """Plain-language list of the assumptions the data rest on (empty for real data)."""
    if not RECONSTRUCTED:
        return []
    notes = [f"within-subject correlation {config['reconstruction']['correlation']} between visits"]
    for a in config["reconstruction"].get("assumptions", []):
        if a["outcome"] in OUTCOMES:
            notes.append(
                f"{a['outcome']} at {a['time']} in {a['group']} = {a['from_time']} mean "
                f"{float(a.get('mean_shift', 0)):+g}, SD x {float(a.get('sd_scale', 1)):g}"
            )
    return notes


def provenance():
    """What the report and figures must say about the data's origin."""
    return {
        "source": config["data"]["source"],
        "synthetic": RECONSTRUCTED,
        "correlation": (config["reconstruction"]["correlation"] if RECONSTRUCTED else None),
        "assumptions": assumptions()[1:] if RECONSTRUCTED else [],
        "path": raw_data(),
        "citation": config["trial"].get("citation", "") if RECONSTRUCTED else "",
    }


def reconstruction_params():
    """The reconstruction settings a script needs (the published file paths are inputs instead)."""
    return {k: v for k, v in config["reconstruction"].items() if k != "published"}


def published_tables():
    """The trial's printed tables (format 1), from trial.folder; empty inputs without a trial."""
    names = ("groups", "characteristics", "enrollment", "outcomes", "tests", "changes")
    if not TRIAL:
        return {name: [] for name in names}
    folder = Path(config["trial"]["folder"])
    files = dict(
        zip(names, ("groups.csv", "characteristics.csv", "flow.csv", "outcomes.csv", "tests.csv", "changes.csv"))
    )
    # optional tables of the format are inputs only when the trial has them
    tables = {name: str(folder / f) if (folder / f).exists() or name == "groups" else [] for name, f in files.items()}
    tables["outcomes"] = [str(folder / files["outcomes"])]  # a list: the readers stack outcome tables
    return tables


def trial_text():
    """The trial's own words for its arms and population (findings, figures, report).

    Without a trial, the arms are named by the data's own labels.
    """
    if not TRIAL:
        arms = {k: str(v) for k, v in config["design"]["arms"].items()}
        return {"arms": arms, "population": config["report"].get("population", ""), "citation": ""}
    t = config["trial"]
    return {"arms": arm_text(t), "population": t.get("population", ""), "citation": t.get("citation", "")}


def trial_meaning():
    """What the trial's markers, labels and stratum names mean (arguments of published.read_groups)."""
    return published.trial_meaning(config["trial"] if TRIAL else {})


def observed_factors():
    """Observed (not randomized) between factors present in the design, canonical names."""
    present = (["stratum"] if config["design"].get("strata") else []) + ["arm"]
    return [f for f in config["analysis"].get("observed", ["stratum"]) if f in present]


def sensitivity_grid():
    """The correlation and mean-shift grids as explicit lists (so params change when they do)."""
    s = config.get("sensitivity", {})

    def seq(spec, default):
        spec = spec or default
        n = int(round((spec["to"] - spec["from"]) / spec["step"])) + 1
        return [round(spec["from"] + i * spec["step"], 10) for i in range(n)]

    return {
        "correlations": seq(s.get("correlations"), {"from": 0.0, "to": 0.95, "step": 0.05}),
        "mean_shifts": seq(s.get("mean_shifts"), {"from": -20.0, "to": 20.0, "step": 5.0}),
    }


def outcome_def(wildcards):
    return next(o for o in config["outcomes"] if o["name"] == wildcards.outcome)


def all_outputs(pages=True):
    """Every final output of the pipeline (``pages``: with the rendered table pages)."""
    out = [
        "results/data/clean.csv",
        "results/data/cleaning_log.csv",
        "results/audit/allocation.csv",
        "results/audit/baseline.csv",
        "results/audit/group_labels.csv",
        "results/audit/attrition.csv",
        "results/audit/findings.csv",
        "results/figures/consort.png",
        "results/figures/consort.svg",
        "results/report/report.ipynb",
        "results/report/report.html",
    ]
    if TRIAL:
        out += ["results/tables/published_vs_reproduced.csv"]
    out += expand(
        "results/tables/{table}_{outcome}.csv",
        outcome=OUTCOMES,
        table=[
            "rm_anova",
            "rm_anova_detail",
            "ancova",
            "ancova_terms",
            "lmm",
            "contrasts",
            "effect_sizes",
            "sensitivity",
        ],
    )
    if RECONSTRUCTED:
        out += expand("results/tables/band_{outcome}.csv", outcome=OUTCOMES)
    out += expand("results/tables/descriptives_{outcome}.csv", outcome=OUTCOMES)
    out += expand(
        "results/figures/{prefix}{outcome}.{ext}",
        outcome=OUTCOMES,
        ext=["png", "svg"],
        prefix=["", "sensitivity_"],
    )
    if RECONSTRUCTED:
        out += ["results/data/raw.csv", "results/data/reconstruction_check.csv"]
        out += replicate_tables()
    if pages:
        out += ["results/report/tables"]
    return out


def result_tables():
    """Every CSV the run reports (the rendered table pages are made from them)."""
    return [f for f in all_outputs(pages=False) if f.endswith(".csv")]


def replicate_tables():
    """Spread of the statistics over several reconstructions (reconstructed data, replicates > 1)."""
    if RECONSTRUCTED and config["reconstruction"].get("replicates", 20) > 1:
        return expand("results/tables/replicates_{outcome}.csv", outcome=OUTCOMES)
    return []
