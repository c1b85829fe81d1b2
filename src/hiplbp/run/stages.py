"""What each rule of a trial's run is given: its arguments, computed from the validated config.

The workflow layer only wires: every value a rule's script needs comes from
:func:`stage_arguments` (``params``) and every file it reads from :func:`trial_files` (``input``).
The config they take is the *validated* one (:func:`hiplbp.run.config.validate_config`), with every
default of the schema filled in, so that no default is written anywhere but in the schema; a key
read here that the schema does not fill is optional by design (``trial``, ``data.path``).

The trial's tables, read and validated once while the DAG is built (:func:`~hiplbp.trial.tables.read_trial`),
are passed as ``trial``: the reconstructed data carry each continuous baseline characteristic as a
covariate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..audit.printed import PrintedAudit
from ..audit.verdicts import arm_text
from ..report.provenance import config_sha256
from ..seeds import derive_seed
from ..trial import published
from ..trial.design import Design, arm_mapping, baseline_kind
from ..trial.tables import Trial
from .config import run_name

#: The canonical column names of the reconstructed raw table (the rule ``reconstruct`` writes it wide).
RECONSTRUCTED_SOURCE = {
    "layout": "wide",
    "wide_separator": "_",
    "columns": {"subject": "subject", "stratum": "stratum", "arm": "arm", "time": "time"},
}
#: The tables of the trial format, as (argument name, file name); ``groups`` and ``outcomes`` are required.
TRIAL_FILES = (
    ("groups", "groups.csv"),
    ("characteristics", "characteristics.csv"),
    ("enrollment", "flow.csv"),
    ("outcomes", "outcomes.csv"),
    ("tests", "tests.csv"),
    ("changes", "changes.csv"),
)


def results_dir(config: Mapping) -> str:
    """Where a run writes: ``results/<name>/``, the name as :func:`hiplbp.run.config.run_name` gives
    it (the Snakefile fills in config ``name`` from the config files too).

    Examples
    --------
    >>> results_dir({"name": "mine"}), results_dir({"trial": {"folder": "trials/lee2015"}})
    ('results/mine', 'results/lee2015')
    """
    return f"results/{run_name(config)}"


def reconstructed(config: Mapping) -> bool:
    """Whether the run's patients are reconstructed from the trial's printed tables."""
    return bool(config["data"]["source"] == "reconstructed")


def baseline_adjusted(config: Mapping) -> bool:
    """Whether the design names a baseline visit, so that the ANCOVA is offered (``design.baseline`` not ``none``)."""
    return _baseline_kind(config) != "none"


def baseline_column(config: Mapping) -> str | None:
    """The column of the data that is the baseline (``design.baseline`` neither a visit nor ``none``)."""
    return str(config["design"]["baseline"]) if _baseline_kind(config) == "column" else None


def _baseline_kind(config: Mapping) -> str:
    return baseline_kind(config["design"]["baseline"], config["design"]["time_levels"])


def has_trial(config: Mapping) -> bool:
    """Whether the run has a trial folder (printed tables to audit, replay and reconstruct from)."""
    return bool(config.get("trial"))


def covariates(config: Mapping, trial: Trial | None) -> list[str]:
    """The subject-level covariates of the data: the trial's continuous baseline characteristics
    when the patients are reconstructed (each is reconstructed), else ``data.covariates`` and the
    baseline column, if ``design.baseline`` names one."""
    if reconstructed(config):
        if trial is None:
            raise ValueError("a reconstructed run needs its trial's tables (trial.folder)")
        table = trial.characteristics
        return list(dict.fromkeys(table.loc[table["kind"] == "continuous", "variable"]))
    given, column = [str(c) for c in config["data"]["covariates"]], baseline_column(config)
    # carried like a covariate (one value per subject) for the ANCOVA to adjust for
    return given + ([column] if column and column not in given else [])


def factor_names(config: Mapping) -> dict[str, str]:
    """What the trial calls its factors, for labels: ``design.factor_names`` over the data's columns.

    Examples
    --------
    >>> factor_names({"data": {"source": "file", "layout": "long", "columns": {"arm": "group", "time": "visit"}},
    ...               "design": {"factor_names": {"arm": "exercise"}}})
    {'arm': 'exercise', 'time': 'visit'}
    """
    given = dict(config["design"].get("factor_names") or {})
    if not reconstructed(config):
        columns = dict(config["data"]["columns"])
        if config["data"]["layout"] != "long":
            columns.pop("time", None)
        given = {
            k: str(v) for k, v in columns.items() if k in ("stratum", "arm", "time") and isinstance(v, str)
        } | given
    within = config["design"].get("within")
    if within and "time" not in given:
        # the visits of two within factors are their cells
        given["time"] = " × ".join(str(f) for f in within)
    return {k: str(v) for k, v in given.items()}


def design(config: Mapping, trial: Trial | None) -> dict[str, Any]:
    """The design as :meth:`hiplbp.trial.design.Design.from_config` reads it (plain, JSON-able values)."""
    d = config["design"]
    return {
        "design": {
            "time_levels": [str(t) for t in d["time_levels"]],
            "baseline": str(d["baseline"]),
            "arms": arm_mapping(d["arms"]),
            "strata": [str(s) for s in (d["strata"] or [])],
            "covariates": covariates(config, trial),
            "factors": [] if reconstructed(config) else [str(c) for c in config["data"]["factors"]],
            "factor_names": factor_names(config),
            "within": {str(k): [str(v) for v in vs] for k, vs in (d.get("within") or {}).items()},
            "within_separator": str(d.get("within_separator", ".")),
        },
        "outcomes": config["outcomes"],
    }


def raw_data(config: Mapping) -> str:
    """The file ingestion reads: the reconstruction, or the user's data file."""
    return f"{results_dir(config)}/data/raw.csv" if reconstructed(config) else str(config["data"]["path"])


def ingest_options(config: Mapping) -> dict[str, Any]:
    """How to read the raw file: layout, separator of wide columns, the column of each role, and the
    visits and arms of the data that are not analysed (``cleaning.drop_visits``, ``drop_arms``)."""
    cleaning = config["cleaning"]
    dropped = {key: [str(v) for v in cleaning[key]] for key in ("drop_visits", "drop_arms")}
    if reconstructed(config):
        source = {k: (dict(v) if isinstance(v, dict) else v) for k, v in RECONSTRUCTED_SOURCE.items()}
        return source | dropped
    data = config["data"]
    return {
        "layout": data["layout"],
        "wide_separator": data["wide_separator"],
        "columns": data["columns"],
    } | dropped


def assumption_notes(config: Mapping) -> list[str]:
    """Each configured assumption for an unprinted cell of an analysed outcome, in words.

    Examples
    --------
    >>> assumption_notes({"outcomes": [{"name": "pain"}], "reconstruction": {"assumptions": [
    ...     {"outcome": "pain", "time": "w6", "group": "CG", "from_time": "w3", "mean_shift": 0, "sd_scale": 1}]}})
    ['pain at w6 in CG = w3 mean +0, SD x 1']
    """
    names = {o["name"] for o in config["outcomes"]}
    return [
        f"{a['outcome']} at {a['time']} in {a['group']} = {a['from_time']} mean "
        f"{float(a['mean_shift']):+g}, SD x {float(a['sd_scale']):g}"
        for a in config["reconstruction"]["assumptions"]
        if a["outcome"] in names
    ]


def provenance(config: Mapping) -> dict[str, Any]:
    """What the report and figures must say about the data's origin (synthetic or not, and on what)."""
    synthetic = reconstructed(config)
    return {
        "source": config["data"]["source"],
        "synthetic": synthetic,
        "correlation": config["reconstruction"]["correlation"] if synthetic else None,
        "assumptions": assumption_notes(config) if synthetic else [],
        "path": raw_data(config),
        "citation": config["trial"]["citation"] if synthetic else "",
    }


def reconstruction_settings(config: Mapping) -> dict[str, Any]:
    """The ``reconstruction`` section a script needs (the printed tables are inputs instead)."""
    return {k: v for k, v in config["reconstruction"].items() if k != "published"}


def trial_files(config: Mapping) -> dict[str, Any]:
    """The trial's printed tables as rule inputs, by argument name (``[]`` where absent).

    ``outcomes`` is a list (the readers stack outcome tables); the optional tables of the format
    are inputs only when the trial has them, and without a trial every input is empty.
    """
    if not has_trial(config):
        return {name: [] for name, _ in TRIAL_FILES}
    folder = Path(config["trial"]["folder"])
    tables: dict[str, Any] = {
        name: str(folder / f) if (folder / f).exists() or name == "groups" else [] for name, f in TRIAL_FILES
    }
    tables["outcomes"] = [str(folder / "outcomes.csv")]
    return tables


def trial_text(config: Mapping) -> dict[str, Any]:
    """The trial's own words for its arms and population; without a trial, the data's own labels."""
    if not has_trial(config):
        # the data's own labels, keyed as the flow table keys them
        arms = Design.from_config(config).arm_roles
        return {"arms": arms, "population": config["report"]["population"], "citation": ""}
    t = config["trial"]
    return {"arms": arm_text(t), "population": t["population"], "citation": t["citation"]}


def trial_meaning(config: Mapping) -> dict[str, dict[str, str]]:
    """What the trial's markers, labels and stratum names mean (arguments of ``read_groups``)."""
    return published.trial_meaning(config["trial"] if has_trial(config) else {})


def between(config: Mapping) -> list[str]:
    """The between-subject factors of the canonical table, in model order."""
    return (["stratum"] if config["design"]["strata"] else []) + ["arm"]


def observed_factors(config: Mapping) -> list[str]:
    """Observed (not randomized) between factors present in the design, canonical names."""
    return [f for f in config["analysis"]["observed"] if f in between(config)]


def grid(spec: Mapping) -> list[float]:
    """A ``{from, to, step}`` grid of the config as an explicit list (so params change when it does).

    Examples
    --------
    >>> grid({"from": 0.0, "to": 0.2, "step": 0.05})
    [0.0, 0.05, 0.1, 0.15, 0.2]
    """
    n = int(round((spec["to"] - spec["from"]) / spec["step"])) + 1
    return [round(spec["from"] + i * spec["step"], 10) for i in range(n)]


def sensitivity_grid(config: Mapping) -> dict[str, list[float]]:
    """The correlation and mean-shift grids of the sensitivity analysis."""
    s = config["sensitivity"]
    return {"correlations": grid(s["correlations"]), "mean_shifts": grid(s["mean_shifts"])}


def outcome_bounds(config: Mapping) -> dict[str, tuple[float, float]]:
    """Each outcome's scale as ``(min, max)``, unbounded (``-inf``, ``inf``) on a side the config leaves open.

    Examples
    --------
    >>> outcome_bounds({"outcomes": [{"name": "pain", "min": 0, "max": 100}, {"name": "rom", "min": 0}]})
    {'pain': (0.0, 100.0), 'rom': (0.0, inf)}
    """
    return {
        o["name"]: (float(o["min"]) if "min" in o else float("-inf"), float(o["max"]) if "max" in o else float("inf"))
        for o in config["outcomes"]
    }


def replicates(config: Mapping) -> int:
    """How many reconstructions are compared (1: none beyond the run's own; real data: none)."""
    return int(config["reconstruction"]["replicates"]) if reconstructed(config) else 1


def _report(config: Mapping, trial: Trial | None) -> dict[str, Any]:
    return {
        "trial": trial_text(config)
        | {"doi": config["trial"]["doi"] if has_trial(config) else "", "paper": has_trial(config)},
        "description": config["report"]["description"],
        "title": config["report"]["title"],
        "estimand": config["estimand"],
        "outcomes": config["outcomes"],
        "outcome_labels": {o["name"]: o["label"] if "label" in o else o["name"] for o in config["outcomes"]},
        "ss_type": config["analysis"]["ss_type"],
        "alpha": config["analysis"]["alpha"],
        # optional by design: without it the report says that no primary endpoint is named
        "primary": dict(config["analysis"]["primary"]) if "primary" in config["analysis"] else {},
        "run": {"seed": config["reconstruction"]["seed"], "config_sha256": config_sha256(config)},
    }


def _consort(config: Mapping, trial: Trial | None) -> dict[str, Any]:
    return {
        "trial": trial_meaning(config),
        "text": trial_text(config),
        "arm_from": config["reconstruction"]["arm_from"],
        "strata_randomized": "stratum" not in observed_factors(config),
        "design": design(config, trial),
        "declared": config["data"]["flow"],
        "visits": [str(t) for t in config["design"]["time_levels"]],
    }


def _band(config: Mapping, trial: Trial | None) -> dict[str, Any]:
    return {
        "trial": trial_meaning(config),
        "design": design(config, trial),
        "between": between(config),
        "ss_type": config["analysis"]["ss_type"],
        "alpha": config["analysis"]["alpha"],
        "band": config["band"],
        "shifts": sensitivity_grid(config)["mean_shifts"],
        "bounds": outcome_bounds(config),
        "reconstruction": reconstruction_settings(config),
    }


def _printed(config: Mapping, trial: Trial | None) -> dict[str, Any]:
    return {
        "trial": trial_meaning(config),
        "design": design(config, trial),
        "reconstruction": reconstruction_settings(config),
    }


def _with(**more: Callable[[Mapping, Trial | None], Any]) -> Callable[[Mapping, Trial | None], dict[str, Any]]:
    """A stage's arguments: the design, plus each named value computed from the config."""

    def arguments(config: Mapping, trial: Trial | None) -> dict[str, Any]:
        return {"design": design(config, trial)} | {k: f(config, trial) for k, f in more.items()}

    return arguments


def _analysis(key: str) -> Callable[[Mapping, Trial | None], Any]:
    return lambda config, trial: config["analysis"][key]


def comparisons(config: Mapping) -> dict[str, Any]:
    """The arm comparisons of each visit and their adjustment, as :class:`hiplbp.stats.multiplicity.Family`
    takes them (the integration seed derived from the config's seed)."""
    return {
        "pairwise": config["analysis"]["comparisons"] == "pairwise",
        "method": config["analysis"]["adjust"],
        "seed": derive_seed(config["reconstruction"]["seed"], "multiplicity"),
    }


STAGES: dict[str, Callable[[Mapping, Trial | None], dict[str, Any]]] = {
    "reconstruct": _printed,
    # a reconstructed trial's ANCOVA is stratum x arm (check_config), as replicate_statistics fits it
    "replicates": _printed,
    "ingest": _with(options=lambda c, t: ingest_options(c), provenance=lambda c, t: provenance(c)),
    "clean": _with(
        source=lambda c, t: ingest_options(c),
        exclude=lambda c, t: c["cleaning"]["exclude"],
        drop_incomplete=lambda c, t: c["cleaning"]["drop_incomplete"],
    ),
    "audit": _with(
        arm_from=lambda c, t: c["reconstruction"]["arm_from"],
        # the printed tables' audit as the trial's config reads it (the screen calls the same)
        printed=lambda c, t: PrintedAudit.from_config(c).as_params() if has_trial(c) else {},
    ),
    "analysis": _with(
        ss_type=_analysis("ss_type"), ci_level=_analysis("ci_level"), observed=lambda c, t: observed_factors(c)
    ),
    "models": _with(
        ci_level=_analysis("ci_level"),
        covariates=_analysis("covariates"),
        stratum_by_arm=_analysis("stratum_by_arm"),
        comparisons=lambda c, t: comparisons(c),
        mmrm=_analysis("mmrm"),
    ),
    "followup": _with(ci_level=_analysis("ci_level"), comparisons=lambda c, t: comparisons(c)),
    "sensitivity": _with(
        trial=lambda c, t: trial_meaning(c),
        source=lambda c, t: c["data"]["source"],
        ss_type=_analysis("ss_type"),
        alpha=_analysis("alpha"),
        grid=lambda c, t: sensitivity_grid(c),
        reconstruction=lambda c, t: reconstruction_settings(c),
    ),
    "replay": _with(
        trial=lambda c, t: trial_meaning(c),
        arms=lambda c, t: design(c, t)["design"]["arms"],
        alpha=_analysis("alpha"),
        reconstruction=lambda c, t: reconstruction_settings(c),
    ),
    "band": _band,
    "figures": _with(ci_level=_analysis("ci_level")),
    "sensitivity_figure": _with(alpha=_analysis("alpha")),
    "consort": _consort,
    "report": _report,
}


def stage_arguments(config: Mapping, stage: str, trial: Trial | None = None) -> dict[str, Any]:
    """The ``params`` of one rule of a trial's run, from the validated config.

    Parameters
    ----------
    config : mapping
        The run's validated config (schema defaults filled in).
    stage : str
        The rule's name, one of :data:`STAGES`.
    trial : Trial, optional
        The trial's tables (:func:`~hiplbp.trial.tables.read_trial`); needed when the patients are
        reconstructed.

    Returns
    -------
    dict
        Plain, JSON-able values by parameter name; Snakemake reruns a rule when one changes.
    """
    if stage not in STAGES:
        raise KeyError(f"no stage {stage!r}; the stages are {', '.join(STAGES)}")
    return STAGES[stage](config, trial)
