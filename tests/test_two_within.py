"""Two within factors (phase x hour) against afex on O'Brien & Kaiser (tests/reference/two_within.R):
every within term in its own stratum, with its GG/HF epsilon and Mauchly's test, to 1e-6."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, ROOT

from hiplbp.data.ingest import IngestError, ingest, ingest_logged
from hiplbp.run import stages
from hiplbp.run.config import read_config_file, validated
from hiplbp.stats.anova import mixed_anova
from hiplbp.stats.contrasts import visit_contrasts
from hiplbp.stats.lmm import lmm_anova
from hiplbp.stats.multiplicity import Family
from hiplbp.trial.design import Design


def _obk() -> pd.DataFrame:
    w = pd.read_csv(ROOT / "trials" / "obrienkaiser" / "obrienkaiser.csv")
    cols = [c for c in w.columns if c.split(".")[0] in ("pre", "post", "fup")]
    long = w.melt(id_vars=["rownames", "treatment", "gender"], value_vars=cols, value_name="value")
    long["phase"] = pd.Categorical(long["variable"].str.split(".").str[0], categories=["pre", "post", "fup"])
    long["hour"] = pd.Categorical(long["variable"].str.split(".").str[1], categories=["1", "2", "3", "4", "5"])
    return long


@pytest.mark.parametrize("ss_type", [2, 3])
def test_two_within_factors_equal_afex(ss_type):
    mine = mixed_anova(_obk(), "value", ["phase", "hour"], "rownames", ["treatment", "gender"], ss_type, ["gender"])
    ref = pd.read_csv(REFERENCE / "two_within" / f"obrienkaiser_anova_type{ss_type}.csv")
    assert mine.source.tolist() == ref.source.tolist()  # afex's order: between, then each within term
    for col, theirs in [("df1", "df1"), ("df2", "df2"), ("F", "F"), ("ges", "ges"), ("p_unc", "p")]:
        np.testing.assert_allclose(mine[col], ref[theirs], rtol=1e-6, err_msg=col)
    within = ref.eps_gg.notna().to_numpy()
    for col, theirs in [("p_gg", "p_gg"), ("p_hf", "p_hf"), ("eps_gg", "eps_gg"), ("eps_hf", "eps_hf")]:
        np.testing.assert_allclose(mine[col][within], ref[theirs][within], rtol=1e-6, err_msg=col)
    for col, theirs in [("mauchly_w", "mauchly_w"), ("mauchly_p", "mauchly_p")]:
        np.testing.assert_allclose(mine[col][within], ref[theirs][within], rtol=1e-6, err_msg=col)
    # every within term has its own epsilon: phase (2 df), hour (4), phase x hour (8)
    eps = mine.set_index("source").eps_gg
    assert len({round(eps[s], 12) for s in ("phase", "hour", "phase:hour")}) == 3


def _trial():
    """The worked example as the pipeline reads it: its config (design.within) and its wide file."""
    config = validated(read_config_file(ROOT / "trials" / "obrienkaiser" / "config.yaml"))
    design = Design.from_config(stages.design(config, None))
    d = config["data"]
    data = ingest(
        ROOT / d["path"], design, layout=d["layout"], columns=d["columns"], wide_separator=d["wide_separator"]
    )
    return config, design, design.with_within(data)


def test_config_writes_out_the_cells_and_names_the_factors():
    config, design, data = _trial()
    assert config["design"]["time_levels"][:6] == ["pre.1", "pre.2", "pre.3", "pre.4", "pre.5", "post.1"]
    assert len(design.time_levels) == 15 and design.within_factors == ["phase", "hour"]
    assert design.name("stratum") == "gender" and design.name("time") == "phase × hour"
    # every value of the wide file, at its cell
    wide = pd.read_csv(ROOT / "trials" / "obrienkaiser" / "obrienkaiser.csv")
    row = data[(data.subject == "3") & (data.phase == "post") & (data.hour == "4")]
    assert row["value"].tolist() == [wide.loc[2, "post.4"]]
    assert len(data) == 16 * 15 and data.value.notna().all()


@pytest.mark.parametrize("ss_type", [2, 3])
def test_the_pipeline_design_gives_afex(ss_type):
    _, design, data = _trial()
    mine = mixed_anova(data, "value", design.within_factors, "subject", design.between, ss_type, ["stratum"])
    ref = pd.read_csv(REFERENCE / "two_within" / f"obrienkaiser_anova_type{ss_type}.csv")
    names = {"stratum": "gender", "arm": "treatment"}
    # afex writes the between factors in its own order (treatment:gender)
    mine.index = [frozenset(names.get(f, f) for f in s.split(":")) for s in mine.source]
    mine = mine.loc[[frozenset(s.split(":")) for s in ref.source]]
    np.testing.assert_allclose(mine.F, ref.F, rtol=1e-6)
    np.testing.assert_allclose(mine.ges, ref.ges, rtol=1e-6)
    within = ref.eps_gg.notna().to_numpy()
    np.testing.assert_allclose(mine.p_gg[within], ref.p_gg[within], rtol=1e-6)


def test_arm_contrasts_at_each_phase_hour_and_cell_equal_emmeans():
    """A and B against control, Dunnett: each phase averaged over hour, each hour over phase and
    each cell, averaged over gender and within each (emmeans on afex's multivariate model)."""
    _, design, data = _trial()
    mine = visit_contrasts(data, "value", design, family=Family(pairwise=False, method="dunnett"))
    ref = pd.read_csv(REFERENCE / "two_within" / "obrienkaiser_contrasts_control.csv")
    ref[["visit", "stratum"]] = ref["by"].str.split("|", expand=True)
    key = ["visit", "stratum", "comparison"]
    ref = ref.rename(columns={"contrast": "comparison"}).set_index(key).add_prefix("r_").reset_index()
    both = ref.merge(mine, on=key, validate="one_to_one")
    assert len(both) == len(ref) == len(mine) == (15 + 3 + 5) * 3 * 2
    for col, theirs in [
        ("estimate", "estimate"),
        ("se", "SE"),
        ("df", "df"),
        ("p_unc", "p_none"),
        ("ci_low", "lower_none"),
        ("p_adj", "p_dunnett"),
        ("ci_adj_low", "lower_dunnett"),
        ("ci_adj_high", "upper_dunnett"),
    ]:
        np.testing.assert_allclose(both[col], both[f"r_{theirs}"], rtol=1e-6, atol=1e-12, err_msg=col)
    assert set(mine.visit) >= {"phase = fup", "hour = 5", "fup.5"}


def test_lmm_with_both_within_factors_equals_lmertest():
    _, design, data = _trial()
    mine = lmm_anova(data, "value", design.within_factors, "subject", design.between)
    ref = pd.read_csv(REFERENCE / "two_within" / "obrienkaiser_lmm.csv")
    names = {"stratum": "gender", "arm": "treatment"}
    mine["source"] = [":".join(names.get(f, f) for f in s.split(":")) for s in mine.source]
    assert mine.source.tolist() == ref.source.tolist()  # R's term order
    np.testing.assert_allclose(mine.F, ref.F, rtol=1e-4)
    np.testing.assert_allclose(mine.df2, ref.df2, rtol=1e-3)
    np.testing.assert_allclose(mine.p, ref.p, rtol=1e-3)


def test_long_data_with_a_column_per_within_factor_reads_as_the_wide(tmp_path):
    """obk.long's shape: one row per subject, phase and hour; data.columns.time names both columns."""
    _, design, wide = _trial()
    raw = pd.read_csv(ROOT / "trials" / "obrienkaiser" / "obrienkaiser.csv")
    long = raw.melt(id_vars=["rownames", "treatment", "gender"], var_name="cell", value_name="score")
    long[["phase", "hour"]] = long.pop("cell").str.split(".", expand=True)
    long.sample(frac=1, random_state=1).to_csv(tmp_path / "obk_long.csv", index=False)
    columns = {"subject": "rownames", "arm": "treatment", "stratum": "gender", "time": ["phase", "hour"]}
    design = dataclasses.replace(design, outcomes=[{"name": "value", "column": "score"}])
    data, _ = ingest_logged(tmp_path / "obk_long.csv", design, layout="long", columns=columns)
    data = design.with_within(data)
    key = ["subject", "time"]
    both = data.merge(wide, on=key, suffixes=("", "_wide"))
    assert len(both) == len(wide) == 240
    np.testing.assert_array_equal(both["value"], both["value_wide"])
    assert (both["phase"].astype(str) == both["phase_wide"].astype(str)).all()
    # a visit that is not a cell is one line naming the joined column
    long.loc[5, "hour"] = "9"
    long.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(IngestError, match=r"bad.csv: row 7, column 'phase\+hour': .*'pre.9'"):
        ingest_logged(tmp_path / "bad.csv", design, layout="long", columns=columns)
