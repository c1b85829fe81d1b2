"""How a run's configuration is assembled: a config file may build on another with ``extends``.

A run is described by one config file (the root ``config.yaml`` by default, or the user's
``--configfile``). So that a trial folder's ``config.yaml`` can be the single home of everything
about that trial, and many runs can share settings, a config may name another config file under
``extends``: that file is read first and this one is laid over it, key by key (nested mappings
merged, lists and scalars replaced, as Snakemake merges config files). Settings that no file
gives take the schema's defaults.
"""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserError
from ..stats.kenward_roger import LINEAR_STRUCTURES
from ..trial.design import arm_levels, baseline_kind, marginal_labels, within_cells

#: The config key naming the config file a config builds on.
EXTENDS = "extends"


class ConfigError(UserError):
    """A config file that cannot be assembled; the message is one line naming the file and key."""


def merge(base: Mapping, over: Mapping) -> dict:
    """``over`` laid over ``base``: nested mappings merged key by key, anything else replaced.

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": 2}, "b": [1, 2]}, {"a": {"y": 3}, "b": [9]})
    {'a': {'x': 1, 'y': 3}, 'b': [9]}
    """
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_config_file(path: str | Path) -> dict:
    """One config file as a mapping; a missing file or a YAML mistake is one line naming the line and column.

    Examples
    --------
    >>> import tempfile, os
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    >>> _ = f.write("analysis: {alpha: 0.05\\n  ss_type: 3\\n"); f.close()
    >>> read_config_file(f.name)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hiplbp.run.config.ConfigError: ...yaml: line 2, column 10: expected ',' or '}', but got ':' (not valid YAML)
    >>> os.unlink(f.name)
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ConfigError(f"{path}: {where}{err.problem or err} (not valid YAML)") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: {' '.join(str(err).split())} (not valid YAML in UTF-8)") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a config file must be a mapping of keys, found {type(data).__name__}")
    return data


def resolve_extends(
    config: Mapping, root: Path | str = ".", read: Callable[[Path], dict] = read_config_file, *, origin: str = "config"
) -> dict:
    """The config with every ``extends`` chain resolved (the key itself is removed).

    Parameters
    ----------
    config : mapping
        The run's config as given (may hold ``extends: <path>``).
    root : path
        Directory that ``extends`` paths are relative to (the working directory of the run, like
        every other path in config).
    read : callable
        Reads one config file into a dict (a parameter so that tests need no files).
    origin : str
        Where ``config`` came from, for error messages.

    Raises
    ------
    ConfigError
        A file that does not exist, is not a mapping, or a cycle of ``extends``.

    Examples
    --------
    >>> files = {Path("base.yaml"): {"a": 1, "b": {"x": 1}}}
    >>> resolve_extends({"extends": "base.yaml", "b": {"y": 2}}, read=files.__getitem__)
    {'a': 1, 'b': {'x': 1, 'y': 2}}
    """
    chain: list[str] = []
    layers = [dict(config)]
    current = config.get(EXTENDS)
    where = origin
    while current is not None:
        if not isinstance(current, str):
            raise ConfigError(f"{where}: key '{EXTENDS}': expected the path of a config file, found {current!r}")
        if current in chain:
            raise ConfigError(f"{where}: key '{EXTENDS}': {current} extends itself through {' -> '.join(chain)}")
        chain.append(current)
        layer = read(Path(root) / current)
        layers.append(layer)
        where, current = current, layer.get(EXTENDS)
    out: dict = {}
    for layer in reversed(layers):
        out = merge(out, {k: v for k, v in layer.items() if k != EXTENDS})
    return out


def load_schema(path: str | Path) -> dict:
    """The config schema (YAML) as a mapping."""
    with Path(path).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


#: The schemas of this checkout's workflow: the one place every default of a run is written.
SCHEMAS = Path(__file__).resolve().parents[3] / "workflow" / "schemas"


def validated(config: Mapping, *, origin: str = "config") -> dict:
    """A trial run's config as the workflow sees it: validated, every schema default filled in,
    the visits of two within factors written out (:func:`with_visits`).

    What the library needs to reproduce a run without Snakemake (``extends`` already resolved,
    :func:`resolve_extends`).
    """
    return with_visits(validate_config(config, load_schema(SCHEMAS / "config.schema.yaml"), origin=origin), origin)


def with_visits(config: Mapping, origin: str = "config") -> dict:
    """``config`` with ``design.time_levels`` written out from ``design.within`` where it is left out.

    Two within factors name the visits of the data as their crossed cells (:func:`within_cells`).
    ``time_levels`` given as well must be those cells, in that order.

    Raises
    ------
    ConfigError
        Neither key given, or ``time_levels`` that are not the cells of ``within``.

    Examples
    --------
    >>> cfg = {"design": {"within": {"phase": ["pre", "post"], "hour": [1, 2]}, "within_separator": "."}}
    >>> with_visits(cfg)["design"]["time_levels"]
    ['pre.1', 'pre.2', 'post.1', 'post.2']
    >>> with_visits({"design": {}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hiplbp.run.config.ConfigError: config: key 'design.time_levels' is missing (expected the visit labels ...)
    """
    out = copy.deepcopy(dict(config))
    design = out["design"]
    within = design.get("within")
    if not within:
        if "time_levels" not in design:
            raise ConfigError(
                f"{origin}: key 'design.time_levels' is missing (expected the visit labels as in the data, or "
                "design.within: two within factors and their levels)"
            )
        return out
    cells = list(within_cells(within, design.get("within_separator", ".")))
    given = [str(t) for t in design.get("time_levels") or cells]
    if given != cells:
        raise ConfigError(
            f"{origin}: key 'design.time_levels': found {', '.join(given)} (expected the cells of design.within, "
            f"in order: {', '.join(cells)}; or leave design.time_levels out)"
        )
    design["time_levels"] = cells
    return out


def _key(path: Iterable[str | int]) -> str:
    """A JSON path as the config key a user writes: ``outcomes[0].min``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _found(value: object) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping"}
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({kind.get(type(value), type(value).__name__)})" if value is not None else "nothing (null)"


def describe(error: Any, origin: str = "config") -> str:
    """One line for a schema violation (a ``jsonschema.ValidationError``): the key, what was found, what was expected.

    A misspelt key names the key and the keys allowed there; a boolean where text is expected
    explains YAML's reading of unquoted ``No``/``Yes``/``On``/``Off``.
    """
    key = _key(error.absolute_path)
    schema = error.schema
    where = f"{origin}: key '{key}'"
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in schema.get("properties", {}))
        prefix = "" if key == "(top level)" else key + "."
        names = ", ".join(f"'{prefix}{k}'" for k in extra)
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return f"{origin}: unknown key {names}{hint}"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        full = f"{key}.{missing}" if key != "(top level)" else missing
        why = " (needed when data.source is reconstructed)" if missing == "trial" else ""
        expected = schema.get("properties", {}).get(missing, {}).get("x-expected")
        why += f" (expected {expected})" if expected else ""
        return f"{origin}: key '{full}' is missing{why}"
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        hint = ""
        if isinstance(error.instance, bool) and "string" in str(expected):
            hint = (
                "; YAML reads unquoted yes/no/on/off/true/false as booleans: put the label in quotes, "
                f'e.g. "{"Yes" if error.instance else "No"}"'
            )
        return f"{where}: found {_found(error.instance)}, expected {expected}{hint}"
    if error.validator == "enum":
        return f"{where}: found {_found(error.instance)}, expected one of {', '.join(map(str, error.validator_value))}"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[error.validator]
        return f"{where}: found {_found(error.instance)}, expected a number {sign} {error.validator_value}"
    if error.validator == "minItems":
        return f"{where}: found {len(error.instance)} item(s), expected at least {error.validator_value}"
    if error.validator == "pattern":
        return f"{where}: found {_found(error.instance)}, expected text matching {error.validator_value}"
    return f"{where}: {' '.join(str(error.message).split())[:200]}"


def validate_config(config: Mapping, schema: Mapping, *, origin: str = "config") -> dict:
    """The config checked against the schema, with the schema's defaults filled in.

    Like ``snakemake.utils.validate`` (JSON Schema 2020-12, defaults set where a ``properties``
    entry has one), but a violation raises :class:`ConfigError` with one line
    (:func:`describe`) instead of the whole schema and config.

    Examples
    --------
    >>> schema = {"type": "object", "additionalProperties": False,
    ...           "properties": {"alpha": {"type": "number", "default": 0.05}}}
    >>> validate_config({}, schema)
    {'alpha': 0.05}
    >>> validate_config({"alhpa": 1}, schema)
    Traceback (most recent call last):
    ...
    hiplbp.run.config.ConfigError: config: unknown key 'alhpa'; allowed here: alpha
    """
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import best_match

    def set_defaults(validator: Any, properties: Mapping, instance: Any, schema: Mapping) -> Iterator[Any]:
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(name, copy.deepcopy(sub["default"]))
        yield from Draft202012Validator.VALIDATORS["properties"](validator, properties, instance, schema)

    validator = validators.extend(Draft202012Validator, {"properties": set_defaults})(dict(schema))
    out = copy.deepcopy(dict(config))
    errors = list(validator.iter_errors(out))
    error = best_match(errors)
    if error is not None:
        # of equally good matches (the same mistake in several list items), name the first
        twins = [
            e
            for e in errors
            if e.validator == error.validator and list(e.absolute_path)[:-1] == list(error.absolute_path)[:-1]
        ]
        error = min(twins, key=lambda e: [(str(type(p)), p) for p in e.absolute_path])
        raise ConfigError(describe(error, origin))
    return out


def _unique(values: Iterable[object], key: str, origin: str) -> None:
    """Raise if a value repeats; ``key`` is a template of the config key with ``{i}`` for the index."""
    seen: dict[str, int] = {}
    for i, v in enumerate(values):
        text = str(v)
        if text in seen:
            raise ConfigError(
                f"{origin}: key '{key.format(i=i)}': {text!r} repeats {key.format(i=seen[text])} "
                "(expected unique values)"
            )
        seen[text] = i


def run_name(config: Mapping, configfiles: Sequence[str | Path] = ()) -> str:
    """The run's name, the folder ``results/<name>/`` its outputs go to: config ``name``; else the
    trial folder's name; else the first config file's name (its folder's when it is a
    ``config.yaml``, as in ``trials/<name>/config.yaml``), so that a file laid over it to change a
    setting (``--configfile mine.yaml tweak.yaml``) keeps the run's folder; else ``run``.

    Examples
    --------
    >>> run_name({"trial": {"folder": "trials/lee2015"}}), run_name({"name": "mine", "trial": {"folder": "x"}})
    ('lee2015', 'mine')
    >>> run_name({}, ["tests/data/shared1.yaml", "type2.yaml"]), run_name({}, ["trials/weightloss/config.yaml"])
    ('shared1', 'weightloss')
    """
    if config.get("name"):
        return str(config["name"])
    folder = (config.get("trial") or {}).get("folder")
    if folder:
        return Path(str(folder)).name
    if configfiles:
        first = Path(configfiles[0])
        name = first.parent.name if first.stem == "config" and first.parent.name else first.stem
        # a name that is not a valid folder name still gives one (the schema's pattern)
        return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip("._-") or "run"
    return "run"


def check_config(config: Mapping, *, groups: Iterable[str] | None = None, origin: str = "config") -> None:
    """Checks across keys that a schema cannot express; each failure is one line naming the key.

    - names are unique: visits, strata, outcome names and columns, the data's column names, and
      the two arm labels differ;
    - every outcome's ``min`` is below its ``max``;
    - sensitivity grids and the band's correlation range are non-empty (``from`` <= ``to``);
    - the data file (``data.path``) and the trial folder's required tables exist;
    - ``reconstruction.assumptions`` name configured outcomes and visits, and groups of the
      trial (``groups``: the ``group`` column of its ``groups.csv``, when known);
    - ``data.flow.randomised`` names groups of the design (``<arm>`` or ``<stratum> <arm>``);
    - ``cleaning.exclude`` names each subject once.

    Parameters
    ----------
    config : mapping
        The validated config (schema defaults filled in).
    groups : iterable of str, optional
        The trial's printed group labels.
    origin : str
        Where the config came from, for messages.

    Raises
    ------
    ConfigError

    Examples
    --------
    >>> cfg = {"design": {"time_levels": ["t0", "t1"], "baseline": "t0", "arms": {"treatment": "a", "control": "b"}},
    ...        "outcomes": [{"name": "y", "column": "y", "min": 10, "max": 0}]}
    >>> check_config(cfg)
    Traceback (most recent call last):
    ...
    hiplbp.run.config.ConfigError: config: key 'outcomes[0]': min 10 is not below max 0 (expected min < max)
    """
    for check in (_trial_folder, _design_type, _design, _outcomes, _data_file, _flow, _ranges, _exclusions):
        check(config, origin)
    _assumptions(config, origin, None if groups is None else [str(g) for g in groups])


def _levels(config: Mapping) -> tuple[list[str], list[str]]:
    design = config["design"]
    return [str(t) for t in design["time_levels"]], [str(s) for s in design.get("strata") or []]


def _trial_folder(config: Mapping, origin: str) -> None:
    folder = (config.get("trial") or {}).get("folder")
    if folder is not None:
        missing = [f for f in ("groups.csv", "outcomes.csv") if not (Path(folder) / f).is_file()]
        if missing:
            raise ConfigError(
                f"{origin}: key 'trial.folder': {folder!r} has no {' or '.join(missing)} "
                "(expected a trial folder: groups.csv, outcomes.csv and optional tables)"
            )


def _design(config: Mapping, origin: str) -> None:
    time_levels, strata = _levels(config)
    _unique(time_levels, "design.time_levels[{i}]", origin)
    _unique(strata, "design.strata[{i}]", origin)
    _within(config, origin)
    _mmrm(config, origin)
    _arms(config, origin)
    _baseline(config, time_levels, origin)
    _primary(config, time_levels, origin)
    _adjustment(config, origin)


def _mmrm(config: Mapping, origin: str) -> None:
    """Kenward-Roger df only for a covariance linear in its parameters."""
    mm = (config.get("analysis") or {}).get("mmrm") or {}
    if mm.get("df") == "kenward_roger" and mm.get("covariance", "unstructured") not in LINEAR_STRUCTURES:
        raise ConfigError(
            f"{origin}: key 'analysis.mmrm.df': kenward_roger, but analysis.mmrm.covariance {mm['covariance']} is not "
            f"linear in its parameters (expected satterthwaite, or covariance {' or '.join(LINEAR_STRUCTURES)})"
        )


def _within(config: Mapping, origin: str) -> None:
    """Two within factors: distinct levels, the user's own data, and no baseline visit (every cell
    is an outcome; a baseline is a column of the data or none)."""
    design = config["design"]
    within = design.get("within")
    joined = not isinstance(((config.get("data") or {}).get("columns") or {}).get("time", ""), str)
    if joined and not within:
        raise ConfigError(
            f"{origin}: key 'data.columns.time': two columns, but the design has one within factor (expected one "
            "visit column; or design.within naming the two factors)"
        )
    if not within:
        return
    for name, levels in within.items():
        _unique(levels, f"design.within.{name}[{{i}}]", origin)
    where = f"{origin}: key 'design.within'"
    if config["data"]["source"] != "file":
        raise ConfigError(
            f"{where}: two within factors are read from the trial's own data (expected data.source file; a trial "
            "reconstructed from its printed tables has one within factor, its visits)"
        )
    if baseline_kind(design["baseline"], design["time_levels"]) == "visit":
        raise ConfigError(
            f"{origin}: key 'design.baseline': found {str(design['baseline'])!r}, a cell of design.within (expected a "
            "column of the data measured before treatment, or none: with two within factors every cell is an outcome)"
        )


def _arms(config: Mapping, origin: str) -> None:
    """Distinct arm labels; more than two only for the user's own data, with comparisons their
    adjustment can take."""
    arms = config["design"]["arms"]
    treatment = arms["treatment"] if isinstance(arms["treatment"], list) else [arms["treatment"]]
    if str(arms["control"]) in [str(t) for t in treatment]:
        raise ConfigError(
            f"{origin}: key 'design.arms': treatment and control are both {str(arms['control'])!r} "
            "(expected different labels)"
        )
    _unique(treatment, "design.arms.treatment[{i}]", origin)
    k = len(treatment) + 1
    if k == 2:
        return
    if (config.get("data") or {}).get("source") != "file":
        raise ConfigError(
            f"{origin}: key 'design.arms.treatment': {k} arms, but patients reconstructed from printed tables are "
            "rebuilt and audited as two arms (expected one treatment arm; analyse two arms at a time, or the "
            "trial's own data with data.source file)"
        )
    analysis = config.get("analysis") or {}
    comparisons, adjust = analysis.get("comparisons", "control"), analysis.get("adjust", "dunnett")
    if comparisons == "pairwise" and adjust == "dunnett":
        raise ConfigError(
            f"{origin}: key 'analysis.adjust': dunnett compares each arm with control, but analysis.comparisons is "
            "pairwise (expected tukey, holm, bonferroni or none; or comparisons: control)"
        )
    if comparisons == "control" and adjust == "tukey":
        raise ConfigError(
            f"{origin}: key 'analysis.adjust': tukey compares every pair of arms, but analysis.comparisons is "
            "control (expected dunnett, holm, bonferroni or none; or comparisons: pairwise)"
        )


def _adjustment(config: Mapping, origin: str) -> None:
    """``analysis.covariates`` are carried columns of the user's own data (without a baseline they
    enter the LMM only)."""
    # check_config also takes a config before validation (its doctest): absent sections are empty
    analysis, data = config.get("analysis") or {}, config.get("data") or {}
    covariates = [str(c) for c in analysis.get("covariates", [])]
    _unique(covariates, "analysis.covariates[{i}]", origin)
    if covariates and data.get("source") != "file":
        raise ConfigError(
            f"{origin}: key 'analysis.covariates': found {covariates[0]!r}, but the patients are reconstructed "
            "from printed tables (their covariates are drawn independently of the outcome, so adjusting for them "
            "means nothing; expected [] or data.source file)"
        )
    carried = [str(c) for c in [*data.get("covariates", []), *data.get("factors", [])]]
    for i, c in enumerate(covariates):
        if c not in carried:
            raise ConfigError(
                f"{origin}: key 'analysis.covariates[{i}]': {c!r} is not in data.covariates or data.factors "
                f"(expected one of {', '.join(carried) or 'the carried columns; both are empty'})"
            )
    strata = config["design"].get("strata") or []
    if strata and data.get("source") != "file" and not analysis.get("stratum_by_arm", False):
        raise ConfigError(
            f"{origin}: key 'analysis.stratum_by_arm': false, but a trial reconstructed from its printed tables is "
            "analysed per printed cell (expected true)"
        )


def _primary(config: Mapping, time_levels: list[str], origin: str) -> None:
    """``analysis.primary`` names an outcome, a visit and a model that the design can give."""
    primary = (config.get("analysis") or {}).get("primary")
    if not primary:
        return
    key = f"{origin}: key 'analysis.primary"
    names = [str(o["name"]) for o in config["outcomes"]]
    if "outcome" in primary and str(primary["outcome"]) not in names:
        raise ConfigError(
            f"{key}.outcome': {primary['outcome']!r} is not an outcome (expected one of {', '.join(names)})"
        )
    visit, model, baseline = str(primary["visit"]), primary["model"], str(config["design"]["baseline"])
    kind = baseline_kind(baseline, time_levels)
    allowed = [t for t in time_levels if t != baseline] if model != "difference" else time_levels
    within = config["design"].get("within")
    if within and model == "mmrm":
        raise ConfigError(
            f"{key}.model': mmrm, but the MMRM takes one within factor (expected difference or, with a baseline "
            "column, ancova; the mixed ANOVA and the LMM take design.within)"
        )
    if within and model == "difference":
        # a level of one within factor, averaged over the other (emmeans' arm | phase), is a visit too
        allowed = allowed + marginal_labels(within)
    if visit not in allowed:
        raise ConfigError(
            f"{key}.visit': {visit!r} is not a visit {'after the baseline ' if model != 'difference' else ''}"
            f"(expected one of {', '.join(allowed)})"
        )
    if model == "ancova" and kind == "none":
        raise ConfigError(f"{key}.model': ancova, but design.baseline is none (expected difference)")
    if model == "change_difference" and kind != "visit":
        raise ConfigError(
            f"{key}.model': change_difference, but design.baseline {baseline!r} is not a visit "
            "(expected ancova or difference)"
        )


def _baseline(config: Mapping, time_levels: list[str], origin: str) -> None:
    """``design.baseline`` is the first visit or, for the user's own data, a column of the data or ``none``.

    A later visit, and a column or ``none`` for a trial reconstructed from its printed tables
    (which are analysed from their printed baseline), are refused with the nearest supported route,
    never silently replaced by the first visit.
    """
    baseline, first = str(config["design"]["baseline"]), time_levels[0]
    kind = baseline_kind(baseline, time_levels)
    where = f"{origin}: key 'design.baseline': found {baseline!r}"
    if baseline == first:
        return
    if kind == "visit":
        raise ConfigError(
            f"{where}, a later visit (expected the first visit of design.time_levels, {first!r}: the visits "
            "before a baseline cannot be its outcomes)"
        )
    if config["data"]["source"] != "file":
        what = "" if kind == "none" else f", which is not a visit of design.time_levels ({', '.join(time_levels)})"
        raise ConfigError(
            f"{where}{what}: a trial reconstructed from its printed tables is analysed from its printed baseline "
            f"(expected the first visit of design.time_levels, {first!r}; a column or none is for your own data, "
            "data.source file)"
        )
    data = config["data"]
    taken = [str(c) for c in (data.get("columns") or {}).values() if c is not None]
    taken += [str(o["column"]) for o in config["outcomes"]]
    if kind == "column" and baseline in taken:
        raise ConfigError(
            f"{where}, which is also a design or outcome column (expected the first visit, a subject-level column "
            "of its own, e.g. the measurement before treatment, or none)"
        )


#: Outcome kinds the models do not take, and the nearest route a user has.
UNSUPPORTED_OUTCOMES = {
    "count": "negative-binomial or Poisson models are not supported (expected continuous; a count with large "
    "means may be analysed as continuous, or its rate per patient, or fit glmmTMB / MASS::glm.nb in R)",
    "binary": "logistic models are not supported (expected continuous; compare proportions per visit outside "
    "hiplbp, e.g. with R's glm(family = binomial) or emmeans on it)",
    "ordinal": "proportional-odds models are not supported (expected continuous; a scale with many points may be "
    "analysed as continuous, or fit ordinal::clmm in R)",
    "time_to_event": "survival models are not supported (expected continuous; fit survival::coxph in R)",
}


#: Designs the models do not take, and the nearest route a user has.
UNSUPPORTED_DESIGNS = {
    "crossover": "crossover designs are not supported: the models have no period or carry-over effect and take "
    "each patient in one arm (expected parallel; analyse the first period alone as a parallel trial, or fit "
    "lme4::lmer(y ~ treatment + period + (1 | subject)) in R)",
    "cluster": "cluster-randomised designs are not supported: the arm is assigned to clusters, so the patients of a "
    "cluster are not independent and the df come from the clusters (expected parallel; analyse cluster means as a "
    "parallel trial, or fit lme4::lmer(y ~ arm * visit + (1 | cluster / subject)) in R)",
}


def _design_type(config: Mapping, origin: str) -> None:
    kind = (config.get("design") or {}).get("type", "parallel")
    if kind in UNSUPPORTED_DESIGNS:
        raise ConfigError(f"{origin}: key 'design.type': {kind} — {UNSUPPORTED_DESIGNS[kind]}")


def _outcomes(config: Mapping, origin: str) -> None:
    outcomes = config["outcomes"]
    _unique([o["name"] for o in outcomes], "outcomes[{i}].name", origin)
    _unique([o["column"] for o in outcomes], "outcomes[{i}].column", origin)
    for i, o in enumerate(outcomes):
        kind = o.get("distribution", "continuous")
        if kind in UNSUPPORTED_OUTCOMES:
            raise ConfigError(f"{origin}: key 'outcomes[{i}].distribution': {kind} — {UNSUPPORTED_OUTCOMES[kind]}")
        lo, hi = o.get("min"), o.get("max")
        if lo is not None and hi is not None and not lo < hi:
            raise ConfigError(f"{origin}: key 'outcomes[{i}]': min {lo:g} is not below max {hi:g} (expected min < max)")


def _data_file(config: Mapping, origin: str) -> None:
    data = config.get("data", {})
    if data.get("source") != "file":
        return
    if not data.get("path"):
        raise ConfigError(f"{origin}: key 'data.path' is missing (needed when data.source is file)")
    if not Path(data["path"]).is_file():
        raise ConfigError(f"{origin}: key 'data.path': {data['path']!r} not found (expected the data file)")
    _, strata = _levels(config)
    columns = dict(data.get("columns") or {})
    if not strata:
        columns.pop("stratum", None)
    long = data.get("layout", "long") == "long"
    for role in ["arm"] + (["subject", "time"] if long else []):
        if role not in columns:
            raise ConfigError(
                f"{origin}: key 'data.columns.{role}' is missing"
                + (" (needed when data.layout is long)" if role != "arm" else "")
            )
    if strata and "stratum" not in columns:
        raise ConfigError(f"{origin}: key 'data.columns.stratum' is missing (needed when design.strata is set)")
    named = {role: col for role, col in columns.items() if col is not None}
    outcome_columns = [o["column"] for o in config["outcomes"]]
    for key in ("covariates", "factors"):
        clash = [c for c in data.get(key, []) if c in named.values() or c in outcome_columns]
        if clash:
            raise ConfigError(
                f"{origin}: key 'data.{key}': {clash[0]!r} is also a design or outcome column (expected another)"
            )
    both = [c for c in data.get("factors", []) if c in data.get("covariates", [])]
    if both:
        raise ConfigError(
            f"{origin}: key 'data.factors': {both[0]!r} is also in data.covariates "
            "(expected one of them: numeric columns are covariates, categorical ones factors)"
        )
    roles, cols = list(named), list(named.values())
    for i, col in enumerate(cols):
        if cols.index(col) != i:
            raise ConfigError(
                f"{origin}: key 'data.columns.{roles[i]}': {col!r} is also data.columns.{roles[cols.index(col)]} "
                "(expected a column of its own)"
            )


def _flow(config: Mapping, origin: str) -> None:
    _, strata = _levels(config)
    groups_of_design = [f"{s} {a}" if s else a for s in (strata or [""]) for a in arm_levels(config["design"]["arms"])]
    for name in (config.get("data", {}).get("flow") or {}).get("randomised") or {}:
        if str(name) not in groups_of_design:
            raise ConfigError(
                f"{origin}: key 'data.flow.randomised.{name}': not a group of the design "
                f"(expected one of {', '.join(groups_of_design)})"
            )


def _ranges(config: Mapping, origin: str) -> None:
    for name, spec in (config.get("sensitivity") or {}).items():
        if spec and spec["from"] > spec["to"]:
            raise ConfigError(
                f"{origin}: key 'sensitivity.{name}': from {spec['from']:g} is above to {spec['to']:g} "
                "(expected from <= to: the grid would be empty)"
            )
    rho = (config.get("band") or {}).get("correlation")
    if rho and rho["from"] > rho["to"]:
        raise ConfigError(
            f"{origin}: key 'band.correlation': from {rho['from']:g} is above to {rho['to']:g} "
            "(expected from <= to: the range would be empty)"
        )


def _exclusions(config: Mapping, origin: str) -> None:
    cleaning = config.get("cleaning") or {}
    _unique([e["subject"] for e in cleaning.get("exclude", [])], "cleaning.exclude[{i}].subject", origin)
    visits, _ = _levels(config)
    for i, v in enumerate(cleaning.get("drop_visits", [])):
        if str(v) in visits:
            raise ConfigError(
                f"{origin}: key 'cleaning.drop_visits[{i}]': {str(v)!r} is a visit of design.time_levels "
                "(expected a visit of the data that is not analysed)"
            )
    arms = arm_levels(config["design"]["arms"])
    for i, a in enumerate(cleaning.get("drop_arms", [])):
        if str(a) in arms:
            raise ConfigError(
                f"{origin}: key 'cleaning.drop_arms[{i}]': {str(a)!r} is an arm of design.arms "
                "(expected an arm of the data that is not analysed)"
            )


def _assumptions(config: Mapping, origin: str, known_groups: list[str] | None) -> None:
    time_levels, _ = _levels(config)
    names = [o["name"] for o in config["outcomes"]]
    for i, a in enumerate((config.get("reconstruction") or {}).get("assumptions", [])):
        key = f"{origin}: key 'reconstruction.assumptions[{i}]"
        if a["outcome"] not in names:
            raise ConfigError(
                f"{key}.outcome': {a['outcome']!r} is not an outcome (expected one of {', '.join(names)})"
            )
        for field in ("time", "from_time"):
            if str(a[field]) not in time_levels:
                raise ConfigError(
                    f"{key}.{field}': {a[field]!r} is not a visit (expected one of {', '.join(time_levels)})"
                )
        if str(a["time"]) == str(a["from_time"]):
            raise ConfigError(f"{key}.from_time': {a['from_time']!r} is the assumed visit itself (expected another)")
        if known_groups is not None and str(a["group"]) not in known_groups:
            raise ConfigError(
                f"{key}.group': {a['group']!r} is not a group of the trial (expected one of {', '.join(known_groups)})"
            )


def trial_groups(config: Mapping) -> list[str] | None:
    """The printed group labels of the config's trial (``group`` column of its ``groups.csv``), if it has one."""
    folder = (config.get("trial") or {}).get("folder")
    path = Path(folder) / "groups.csv" if folder else None
    if path is None or not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [row["group"] for row in csv.DictReader(fh) if row.get("group")]
