"""A run's config: `extends` chains resolved under the file that names them, errors in one line."""

import copy
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from hiplbp.run.config import (
    ConfigError,
    check_config,
    load_schema,
    merge,
    resolve_extends,
    trial_groups,
    validate_config,
    with_visits,
)
from hiplbp.trial.design import Design


def test_a_config_is_laid_over_the_one_it_extends(tmp_path):
    (tmp_path / "base.yaml").write_text("a: 1\nb: {x: 1, y: 2}\nlist: [1, 2]\n")
    (tmp_path / "mid.yaml").write_text("extends: base.yaml\nb: {y: 3}\nlist: [9]\n")
    out = resolve_extends({"extends": "mid.yaml", "b": {"z": 4}}, tmp_path)
    assert out == {"a": 1, "b": {"x": 1, "y": 3, "z": 4}, "list": [9]}


def test_merge_replaces_lists_and_scalars_and_merges_mappings():
    assert merge({"a": {"x": [1]}, "b": 1}, {"a": {"x": [2]}, "b": {"c": 1}}) == {"a": {"x": [2]}, "b": {"c": 1}}


def test_extends_errors_name_the_file_and_key(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match=r"^b.yaml: key 'extends': a.yaml extends itself through a.yaml -> b.yaml$"):
        resolve_extends({"extends": "a.yaml"}, tmp_path)
    with pytest.raises(ConfigError, match=r"missing.yaml: config file not found$"):
        resolve_extends({"extends": "missing.yaml"}, tmp_path, origin="mine.yaml")
    with pytest.raises(ConfigError, match=r"^mine.yaml: key 'extends': expected the path of a config file, found 3$"):
        resolve_extends({"extends": 3}, tmp_path, origin="mine.yaml")


def test_the_default_run_is_the_lee2015_folder_config():
    root = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert resolve_extends(root, ROOT) == yaml.safe_load((ROOT / "trials" / "lee2015" / "config.yaml").read_text())


def test_every_trial_folder_config_names_its_own_folder():
    configs = sorted((ROOT / "trials").glob("*/config.yaml"))
    assert {c.parent.name for c in configs} >= {"lee2015", "ebadi2012"}
    for config in configs:
        c = yaml.safe_load(config.read_text())
        here = config.parent.relative_to(ROOT)
        if "trial" in c:  # printed tables in the folder
            assert Path(c["trial"]["folder"]) == here
        else:  # a worked example on a public data set, kept in the folder
            assert c["data"]["source"] == "file" and Path(c["data"]["path"]).parent == here


SCHEMA = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    """Paths in config (data.path, trial.folder) are relative to the run's directory, the repository."""
    monkeypatch.chdir(ROOT)


def _lee() -> dict:
    return validate_config(resolve_extends(yaml.safe_load((ROOT / "config.yaml").read_text()), ROOT), SCHEMA)


def _shared1() -> dict:
    return validate_config(yaml.safe_load((ROOT / "tests" / "data" / "shared1.yaml").read_text()), SCHEMA)


def test_schema_defaults_are_filled_like_snakemake_validate():
    from snakemake.utils import validate

    for config in (_lee(), _shared1()):
        theirs = copy.deepcopy(config)
        validate(theirs, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"))
        assert theirs == config
    assert _shared1()["analysis"] == {
        "alpha": 0.05,
        "ss_type": 3,
        "stratum_by_arm": True,  # set by shared1.yaml; the rest are the schema's defaults
        "ci_level": 0.95,
        "observed": ["stratum"],
        "covariates": [],
        "comparisons": "control",
        "adjust": "dunnett",
        "mmrm": {"covariance": "unstructured", "by_arm": False, "df": "satterthwaite"},
    }


@pytest.mark.parametrize(
    ("tweak", "message"),
    [
        (
            {"outcome": []},
            "mine.yaml: unknown key 'outcome'; allowed here: analysis, audit, band, cleaning, data, design, "
            "estimand, extends, name, outcomes, reconstruction, report, sensitivity, trial",
        ),
        (
            {"analysis": {"sstype": 2}},
            "mine.yaml: unknown key 'analysis.sstype'; allowed here: adjust, alpha, ci_level, comparisons, "
            "covariates, mmrm, observed, primary, ss_type, stratum_by_arm",
        ),
        (
            {"design": {"strata": [False, True]}},
            "mine.yaml: key 'design.strata[0]': found False (a boolean), expected "
            "string or number; YAML reads unquoted yes/no/on/off/true/false as booleans: put the label in quotes, "
            'e.g. "No"',
        ),
        ({"analysis": {"ss_type": 1}}, "mine.yaml: key 'analysis.ss_type': found 1 (a number), expected one of 2, 3"),
        ({"analysis": {"alpha": 1.5}}, "mine.yaml: key 'analysis.alpha': found 1.5 (a number), expected a number < 1"),
        ({"data": {"layout": "tall"}}, "mine.yaml: key 'data.layout': found 'tall' (text), expected one of long, wide"),
        (
            {"design": {"time_levels": ["t0"]}},
            "mine.yaml: key 'design.time_levels': found 1 item(s), expected at least 2",
        ),
    ],
)
def test_schema_errors_are_one_line_naming_the_key(tweak, message):
    config = merge(yaml.safe_load((ROOT / "tests" / "data" / "shared1.yaml").read_text()), tweak)
    with pytest.raises(ConfigError) as err:
        validate_config(config, SCHEMA, origin="mine.yaml")
    assert str(err.value) == message


def test_reconstructed_data_need_a_trial():
    config = _shared1() | {"data": {"source": "reconstructed"}}
    with pytest.raises(ConfigError, match=r"^c: key 'trial' is missing \(needed when data.source is reconstructed\)$"):
        validate_config(config, SCHEMA, origin="c")


def _edit(config: dict, path: str, value) -> dict:
    out = copy.deepcopy(config)
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


@pytest.mark.parametrize(
    ("base", "path", "value", "message"),
    [
        (
            "shared1",
            "design.time_levels",
            ["t0", "t1", "t0"],
            "key 'design.time_levels[2]': 't0' repeats design.time_levels[0] (expected unique values)",
        ),
        (
            "shared1",
            "design.strata",
            ["stable", "stable"],
            "key 'design.strata[1]': 'stable' repeats design.strata[0] (expected unique values)",
        ),
        (
            "shared1",
            "design.arms",
            {"treatment": "hip", "control": "hip"},
            "key 'design.arms': treatment and control are both 'hip' (expected different labels)",
        ),
        (
            "shared1",
            "design.arms",
            {"treatment": ["hip", "knee", "hip"], "control": "control"},
            "key 'design.arms.treatment[2]': 'hip' repeats design.arms.treatment[0] (expected unique values)",
        ),
        (
            "lee",
            "design.arms",
            {"treatment": ["hip", "knee"], "control": "control"},
            "key 'design.arms.treatment': 3 arms, but patients reconstructed from printed tables are rebuilt and "
            "audited as two arms (expected one treatment arm; analyse two arms at a time, or the trial's own data "
            "with data.source file)",
        ),
        (
            "shared1",
            "outcomes",
            [{"name": "a", "column": "score"}, {"name": "a", "column": "x"}],
            "key 'outcomes[1].name': 'a' repeats outcomes[0].name (expected unique values)",
        ),
        (
            "shared1",
            "outcomes",
            [{"name": "a", "column": "score"}, {"name": "b", "column": "score"}],
            "key 'outcomes[1].column': 'score' repeats outcomes[0].column (expected unique values)",
        ),
        ("shared1", "outcomes.0.min", 100, "key 'outcomes[0]': min 100 is not below max 100 (expected min < max)"),
        (
            "shared1",
            "outcomes.0.distribution",
            "count",
            "key 'outcomes[0].distribution': count — negative-binomial or Poisson models are not supported "
            "(expected continuous; a count with large means may be analysed as continuous, or its rate per patient, "
            "or fit glmmTMB / MASS::glm.nb in R)",
        ),
        (
            "shared1",
            "outcomes.0.distribution",
            "binary",
            "key 'outcomes[0].distribution': binary — logistic models are not supported (expected continuous; "
            "compare proportions per visit outside hiplbp, e.g. with R's glm(family = binomial) or emmeans on it)",
        ),
        (
            "shared1",
            "design.type",
            "crossover",
            "key 'design.type': crossover — crossover designs are not supported: the models have no period or "
            "carry-over effect and take each patient in one arm (expected parallel; analyse the first period alone "
            "as a parallel trial, or fit lme4::lmer(y ~ treatment + period + (1 | subject)) in R)",
        ),
        (
            "shared1",
            "design.type",
            "cluster",
            "key 'design.type': cluster — cluster-randomised designs are not supported: the arm is assigned to "
            "clusters, so the patients of a cluster are not independent and the df come from the clusters "
            "(expected parallel; analyse cluster means as a parallel trial, or fit "
            "lme4::lmer(y ~ arm * visit + (1 | cluster / subject)) in R)",
        ),
        (
            "shared1",
            "data.columns",
            {"subject": "pid", "stratum": "lumbar", "arm": "pid", "time": "visit"},
            "key 'data.columns.arm': 'pid' is also data.columns.subject (expected a column of its own)",
        ),
        (
            "shared1",
            "data.columns",
            {"subject": "pid", "stratum": "lumbar", "arm": "exercise"},
            "key 'data.columns.time' is missing (needed when data.layout is long)",
        ),
        (
            "shared1",
            "data.covariates",
            ["score"],
            "key 'data.covariates': 'score' is also a design or outcome column (expected another)",
        ),
        (
            "shared1",
            "sensitivity",
            {"correlations": {"from": 0.9, "to": 0.1, "step": 0.1}},
            "key 'sensitivity.correlations': from 0.9 is above to 0.1 (expected from <= to: the grid would be empty)",
        ),
        (
            "shared1",
            "band",
            {"correlation": {"from": 0.8, "to": 0.2}},
            "key 'band.correlation': from 0.8 is above to 0.2 (expected from <= to: the range would be empty)",
        ),
        (
            "shared1",
            "cleaning",
            {"exclude": [{"subject": "S1", "reason": "a"}, {"subject": "S1", "reason": "b"}]},
            "key 'cleaning.exclude[1].subject': 'S1' repeats cleaning.exclude[0].subject (expected unique values)",
        ),
        (
            "shared1",
            "cleaning.drop_visits",
            ["t3", "t1"],
            "key 'cleaning.drop_visits[1]': 't1' is a visit of design.time_levels (expected a visit of the data "
            "that is not analysed)",
        ),
        (
            "shared1",
            "analysis.primary",
            {"outcome": "pain", "visit": "t2", "model": "ancova"},
            "key 'analysis.primary.outcome': 'pain' is not an outcome (expected one of score)",
        ),
        (
            "shared1",
            "analysis.primary",
            {"visit": "t0", "model": "ancova"},
            "key 'analysis.primary.visit': 't0' is not a visit after the baseline (expected one of t1, t2)",
        ),
        (
            "shared1",
            "analysis.primary",
            {"visit": "t3", "model": "difference"},
            "key 'analysis.primary.visit': 't3' is not a visit (expected one of t0, t1, t2)",
        ),
        (
            "shared1",
            "cleaning.drop_arms",
            ["hip"],
            "key 'cleaning.drop_arms[0]': 'hip' is an arm of design.arms (expected an arm of the data that is "
            "not analysed)",
        ),
        (
            "shared1",
            "data.flow",
            {"randomised": {"stable hip": 20, "unstable placebo": 3}},
            "key 'data.flow.randomised.unstable placebo': not a group of the design (expected one of stable hip, "
            "stable control, unstable hip, unstable control)",
        ),
        (
            "lee",
            "reconstruction.assumptions.0.group",
            "CG 3",
            "key 'reconstruction.assumptions[0].group': 'CG 3' is "
            "not a group of the trial (expected one of EG I, CG I, CG II, EG II)",
        ),
        (
            "lee",
            "reconstruction.assumptions.0.time",
            "week12",
            "key 'reconstruction.assumptions[0].time': 'week12' is "
            "not a visit (expected one of baseline, week3, week6)",
        ),
        (
            "lee",
            "reconstruction.assumptions.0.outcome",
            "kodi",
            "key 'reconstruction.assumptions[0].outcome': 'kodi' is not an outcome (expected one of vas)",
        ),
        (
            "lee",
            "reconstruction.assumptions.0.from_time",
            "week6",
            "key 'reconstruction.assumptions[0].from_time': 'week6' is the assumed visit itself (expected another)",
        ),
    ],
)
def test_cross_field_errors_are_one_line_naming_the_key(base, path, value, message):
    config = _edit(_lee() if base == "lee" else _shared1(), path, value)
    groups = ["EG I", "CG I", "CG II", "EG II"] if base == "lee" else None
    with pytest.raises(ConfigError) as err:
        check_config(config, groups=groups, origin="mine.yaml")
    assert str(err.value) == f"mine.yaml: {message}"


@pytest.mark.parametrize(
    "analysis, message",
    [
        ({"comparisons": "control", "adjust": "dunnett"}, None),
        ({"comparisons": "pairwise", "adjust": "tukey"}, None),
        ({"comparisons": "pairwise", "adjust": "holm"}, None),
        (
            {"comparisons": "pairwise", "adjust": "dunnett"},
            "key 'analysis.adjust': dunnett compares each arm with control, but analysis.comparisons is pairwise "
            "(expected tukey, holm, bonferroni or none; or comparisons: control)",
        ),
        (
            {"comparisons": "control", "adjust": "tukey"},
            "key 'analysis.adjust': tukey compares every pair of arms, but analysis.comparisons is control "
            "(expected dunnett, holm, bonferroni or none; or comparisons: pairwise)",
        ),
    ],
)
def test_three_arms_take_the_adjustments_their_comparisons_allow(analysis, message):
    config = _edit(_shared1(), "design.arms", {"treatment": ["hip", "knee"], "control": "control"})
    config["analysis"] |= analysis
    if message is None:
        check_config(config, origin="mine.yaml")
        assert Design.from_config(config).comparisons() == [("hip", "control"), ("knee", "control")]
    else:
        with pytest.raises(ConfigError) as err:
            check_config(config, origin="mine.yaml")
        assert str(err.value) == f"mine.yaml: {message}"


def test_a_config_that_does_not_name_its_baseline_is_refused_with_the_three_choices():
    config = yaml.safe_load((ROOT / "tests" / "data" / "shared1.yaml").read_text())
    del config["design"]["baseline"]
    with pytest.raises(ConfigError) as err:
        validate_config(config, SCHEMA, origin="mine.yaml")
    assert str(err.value) == (
        "mine.yaml: key 'design.baseline' is missing "
        "(expected a visit label of design.time_levels, a column of the data, or none)"
    )


@pytest.mark.parametrize(
    "base, baseline, message",
    [
        (
            "shared1",
            "t1",
            "found 't1', a later visit (expected the first visit of design.time_levels, 't0': the visits "
            "before a baseline cannot be its outcomes)",
        ),
        (
            "lee",
            "none",
            "found 'none': a trial reconstructed from its printed tables is analysed from its printed baseline "
            "(expected the first visit of design.time_levels, 'baseline'; a column or none is for your own data, "
            "data.source file)",
        ),
        (
            "lee",
            "age",
            "found 'age', which is not a visit of design.time_levels (baseline, week3, week6): a trial reconstructed "
            "from its printed tables is analysed from its printed baseline (expected the first visit of "
            "design.time_levels, 'baseline'; a column or none is for your own data, data.source file)",
        ),
        (
            "shared1",
            "score",
            "found 'score', which is also a design or outcome column (expected the first visit, a subject-level "
            "column of its own, e.g. the measurement before treatment, or none)",
        ),
    ],
)
def test_a_baseline_the_models_cannot_take_is_refused_never_replaced_by_the_first_visit(base, baseline, message):
    config = _edit(_lee() if base == "lee" else _shared1(), "design.baseline", baseline)
    with pytest.raises(ConfigError) as err:
        check_config(config, groups=trial_groups(config), origin="mine.yaml")
    assert str(err.value) == f"mine.yaml: key 'design.baseline': {message}"


def test_a_primary_endpoint_needs_the_model_the_baseline_allows():
    none = _edit(_edit(_shared1(), "design.baseline", "none"), "analysis.primary", {"visit": "t2", "model": "ancova"})
    with pytest.raises(ConfigError, match=r"^c: key 'analysis.primary.model': ancova, but design.baseline is none"):
        check_config(none, origin="c")
    column = _edit(_edit(_shared1(), "design.baseline", "pre"), "analysis.primary", {"visit": "t2", "model": "ancova"})
    check_config(column, origin="c")  # a column baseline: the ANCOVA at any visit
    column["analysis"]["primary"]["model"] = "change_difference"
    with pytest.raises(ConfigError, match=r"change_difference, but design.baseline 'pre' is not a visit"):
        check_config(column, origin="c")


def test_the_models_adjust_only_for_carried_covariates_of_your_own_data():
    config = _edit(_shared1(), "analysis.covariates", ["age"])
    with pytest.raises(ConfigError) as err:
        check_config(config, origin="c")
    assert str(err.value) == (
        "c: key 'analysis.covariates[0]': 'age' is not in data.covariates or data.factors "
        "(expected one of the carried columns; both are empty)"
    )
    sites = _edit(_edit(config, "data.factors", ["site"]), "analysis.covariates", ["site"])
    check_config(sites, origin="c")  # a categorical covariate
    with pytest.raises(ConfigError, match=r"^c: key 'data.factors': 'site' is also in data.covariates"):
        check_config(_edit(sites, "data.covariates", ["site"]), origin="c")
    config["data"]["covariates"] = ["age"]
    check_config(config, origin="c")
    check_config(_edit(config, "design.baseline", "none"), origin="c")  # no ANCOVA: they enter the LMM
    with pytest.raises(
        ConfigError, match=r"^c: key 'analysis.covariates': found 'age', but the patients are reconstructed"
    ):
        check_config(_edit(_lee(), "analysis.covariates", ["age"]), groups=trial_groups(_lee()), origin="c")
    with pytest.raises(ConfigError, match=r"^c: key 'analysis.stratum_by_arm': false, but a trial reconstructed"):
        check_config(_edit(_lee(), "analysis.stratum_by_arm", False), groups=trial_groups(_lee()), origin="c")


def test_your_own_data_may_have_no_baseline_or_a_baseline_column():
    check_config(_edit(_shared1(), "design.baseline", "none"), origin="mine.yaml")
    check_config(_edit(_shared1(), "design.baseline", "pre"), origin="mine.yaml")


def test_every_shipped_config_names_its_baseline():
    # the trials measured before treatment name that visit; WeightLoss's months are all losses
    names = {}
    for path in [*sorted((ROOT / "trials").glob("*/config.yaml")), *(ROOT / "tests" / "data").glob("*.yaml")]:
        design = yaml.safe_load(path.read_text())["design"]
        names[path.parent.name if path.parent.parent.name == "trials" else path.stem] = str(design["baseline"])
    assert names == {
        "ebadi2012": "baseline",
        "lee2015": "baseline",
        "weightloss": "none",
        "obrienkaiser": "none",
        "shared1": "t0",
        "shared2": "t0",
        "three_arms": "t0",
        "mmrm_dropout": "base",
    }


def test_every_shipped_config_passes_the_cross_field_checks():
    for path in [
        ROOT / "config.yaml",
        *sorted((ROOT / "trials").glob("*/config.yaml")),
        *(ROOT / "tests" / "data").glob("*.yaml"),
    ]:
        config = with_visits(validate_config(resolve_extends(yaml.safe_load(path.read_text()), ROOT), SCHEMA))
        check_config(config, groups=trial_groups(config))
    assert trial_groups(_lee()) == ["EG I", "CG I", "CG II", "EG II"]


def _obk() -> dict:
    return validate_config(yaml.safe_load((ROOT / "trials" / "obrienkaiser" / "config.yaml").read_text()), SCHEMA)


def test_two_within_factors_write_out_their_cells_and_a_primary_may_average_over_one():
    config = with_visits(_obk(), "obk.yaml")
    cells = config["design"]["time_levels"]
    assert cells[:2] == ["pre.1", "pre.2"] and cells[-1] == "fup.5" and len(cells) == 15
    check_config(config)
    # time_levels written out must be the cells, in their order
    given = _edit(_obk(), "design.time_levels", list(reversed(cells)))
    with pytest.raises(
        ConfigError, match=r"^o: key 'design.time_levels': found fup.5, .* \(expected the cells of design.within"
    ):
        with_visits(given, "o")
    assert with_visits(_edit(_obk(), "design.time_levels", cells))["design"]["time_levels"] == cells
    check_config(with_visits(_edit(_obk(), "analysis.primary.visit", "hour = 5")))
    with pytest.raises(
        ConfigError, match=r"key 'analysis.primary.visit': 'phase = later' is not a visit .*phase = fup"
    ):
        check_config(with_visits(_edit(_obk(), "analysis.primary.visit", "phase = later")))


@pytest.mark.parametrize(
    "key, value, message",
    [
        (
            "design.baseline",
            "pre.1",
            r"key 'design.baseline': found 'pre.1', a cell of design.within \(expected a column",
        ),
        ("data.source", "reconstructed", r"key 'design.within': two within factors are read from the trial's own data"),
        ("analysis.primary.model", "mmrm", r"key 'analysis.primary.model': mmrm, but the MMRM takes one within factor"),
        ("design.within.phase", ["pre", "pre", "fup"], r"key 'design.within.phase\[1\]': 'pre' repeats"),
    ],
)
def test_two_within_factors_refuse_what_they_cannot_take(key, value, message):
    config = with_visits(_edit(_obk(), key, value))
    with pytest.raises(ConfigError, match=message):
        check_config(config)


def test_three_within_factors_are_refused_by_the_schema():
    config = _edit(_obk(), "design.within", {"a": [1, 2], "b": [1, 2], "c": [1, 2]})
    with pytest.raises(ConfigError, match=r"design.within"):
        validate_config(config, SCHEMA)


def test_files_the_config_names_must_exist(tmp_path):
    config = _edit(_shared1(), "data.path", "nowhere.csv")
    with pytest.raises(ConfigError, match=r"^c: key 'data.path': 'nowhere.csv' not found \(expected the data file\)$"):
        check_config(config, origin="c")
    config = _edit(_lee(), "trial.folder", str(tmp_path))
    with pytest.raises(ConfigError, match=r"^c: key 'trial.folder': '.*' has no groups.csv or outcomes.csv"):
        check_config(config, origin="c")


def test_two_visit_columns_need_two_within_factors():
    config = _edit(_shared1(), "data.columns.time", ["phase", "hour"])
    with pytest.raises(ConfigError, match=r"^c: key 'data.columns.time': two columns, but the design has one within"):
        check_config(config, origin="c")


@pytest.mark.parametrize("structure", ["heterogeneous_cs", "ar1"])
def test_kenward_roger_takes_a_covariance_linear_in_its_parameters(structure):
    config = _edit(_shared1(), "analysis.mmrm", {"covariance": structure, "df": "kenward_roger"})
    with pytest.raises(
        ConfigError, match=rf"^c: key 'analysis.mmrm.df': kenward_roger, but .* {structure} is not linear"
    ):
        check_config(config, origin="c")
    check_config(_edit(_shared1(), "analysis.mmrm", {"covariance": "compound_symmetry", "df": "kenward_roger"}))
