"""End to end: Snakemake in a temporary copy of the repository, outputs checked for content.

Each test copies the work tree (without results, virtual environments or caches) to a temporary
folder and runs Snakemake there, never in the work tree itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from html import escape
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import LEE_MEANING, ROOT, afex_table

from hiplbp import SYNTHETIC_NOTE
from hiplbp.report.notebook import network_references
from hiplbp.stats.anova import ANOVA_COLUMNS

pytestmark = pytest.mark.e2e
IGNORE = shutil.ignore_patterns(
    ".venv", "results", ".snakemake", ".git", "__pycache__", "*.egg-info", ".pytest_cache", "benchmarks"
)


def _res(repo: Path, name: str | None = None) -> Path:
    """A run's results folder, ``results/<name>/``: the only run there, unless ``name`` says which."""
    root = repo / "results"
    if name:
        return root / name
    runs = [d for d in root.iterdir() if d.is_dir() and d.name != "screen"]
    assert len(runs) == 1, f"expected one run's results in {root}, found {sorted(d.name for d in runs)}"
    return runs[0]


def _copy(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def snakemake(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd / "src"))
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def _pending_jobs(proc: subprocess.CompletedProcess) -> dict[str, int]:
    text = proc.stdout + proc.stderr
    if "Nothing to be done" in text:
        return {}
    block = text.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m[0]: int(m[1]) for m in re.findall(r"^(\w+)\s+(\d+)\s*$", block, re.M)}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    repo = _copy(tmp_path_factory.mktemp("default") / "repo")
    snakemake(repo)
    return repo


def _deterministic_files(repo: Path) -> dict[str, bytes]:
    return _output_files(_res(repo))


def _output_files(res: Path) -> dict[str, bytes]:
    """Every output under a results directory but the logs and timings."""
    return {
        str(p.relative_to(res)): p.read_bytes()
        for p in sorted(res.rglob("*"))
        if p.is_file() and p.parts[len(res.parts)] not in ("logs", "benchmarks")
    }


def test_default_run_produces_every_output(default_run):
    files = set(_deterministic_files(default_run))
    pages = {f for f in files if f.startswith("report/tables/")}
    # every table also as a rendered page (Snakemake stamps the directory it made)
    intermediates = {"data/canonical.csv", "data/ingest_log.csv"}  # the cleaning log includes the ingest log
    csvs = {f for f in files - pages if f.endswith(".csv") and f not in intermediates}
    assert pages == {f"report/tables/{Path(f).stem}.html" for f in csvs} | {"report/tables/.snakemake_timestamp"}
    assert files - pages == {
        "data/raw.csv",
        "data/reconstruction_check.csv",
        "data/canonical.csv",
        "data/ingest_log.csv",
        "data/provenance.json",
        "data/clean.csv",
        "data/cleaning_log.csv",
        "audit/allocation.csv",
        "audit/baseline.csv",
        "audit/group_labels.csv",
        "audit/attrition.csv",
        "audit/findings.csv",
        "figures/consort.png",
        "figures/consort.svg",
        "tables/rm_anova_vas.csv",
        "tables/descriptives_vas.csv",
        "tables/rm_anova_detail_vas.csv",
        "tables/ancova_vas.csv",
        "tables/ancova_terms_vas.csv",
        "tables/lmm_vas.csv",
        "tables/mmrm_vas.csv",
        "tables/mmrm_terms_vas.csv",
        "tables/mmrm_means_vas.csv",
        "tables/mmrm_covariance_vas.csv",
        "tables/contrasts_vas.csv",
        "tables/effect_sizes_vas.csv",
        "tables/sensitivity_vas.csv",
        "tables/band_vas.csv",
        "tables/published_vs_reproduced.csv",
        "tables/replicates_vas.csv",
        "figures/vas.png",
        "figures/vas.svg",
        "figures/sensitivity_vas.png",
        "figures/sensitivity_vas.svg",
        "report/report.ipynb",
        "report/report.html",
    }
    for rule in (
        "reconstruct",
        "ingest",
        "clean",
        "audit",
        "analysis_vas",
        "models_vas",
        "followup_vas",
        "sensitivity_vas",
        "band_vas",
        "replay",
        "figures_vas",
        "sensitivity_figure_vas",
        "consort",
        "replicates_vas",
        "report",
        "table_pages",
    ):
        assert (_res(default_run) / "logs" / f"{rule}.log").exists()
        assert (_res(default_run) / "benchmarks" / f"{rule}.tsv").exists()


def test_default_data_are_marked_synthetic_and_match_published_sizes(default_run):
    res = _res(default_run)
    raw = pd.read_csv(res / "data" / "raw.csv")
    assert len(raw) == 69 and (raw["synthetic"] == SYNTHETIC_NOTE).all()
    assert raw.groupby("published_group").size().to_dict() == {"CG I": 16, "CG II": 21, "EG I": 23, "EG II": 9}
    assert raw.groupby(["stratum", "arm"]).size().to_dict() == {
        ("stable", "control"): 16,
        ("stable", "hip"): 23,
        ("unstable", "control"): 9,
        ("unstable", "hip"): 21,
    }
    check = pd.read_csv(res / "data" / "reconstruction_check.csv")
    assumed = check[check.basis == "assumed"]
    assert sorted(assumed.group) == ["CG II", "EG II"] and (assumed.time == "week6").all()
    prov = json.loads((res / "data" / "provenance.json").read_text())
    assert prov["synthetic"] is True and prov["correlation"] == 0.5 and len(prov["assumptions"]) == 2
    clean = pd.read_csv(res / "data" / "clean.csv")
    assert len(clean) == 207 and pd.read_csv(res / "data" / "cleaning_log.csv").empty
    # the clean table holds exactly the reconstructed VAS values
    wide = clean.pivot(index="subject", columns="time", values="vas")
    np.testing.assert_array_equal(wide.loc[raw.subject, "week3"].to_numpy(), raw["vas_week3"].to_numpy())


def test_default_audit_tables(default_run):
    res = _res(default_run) / "audit"
    alloc = pd.read_csv(res / "allocation.csv").set_index("stratum")
    assert alloc.loc["unstable", ["n_treatment", "n_control"]].tolist() == [21, 9]
    assert alloc.loc["unstable", "p_binomial"] == pytest.approx(0.042774, abs=1e-6)
    labels = pd.read_csv(res / "group_labels.csv").set_index("group")
    assert labels["consistent"].to_dict() == {"EG I": True, "CG I": True, "CG II": False, "EG II": False}
    base = pd.read_csv(res / "baseline.csv")
    assert set(base.variable) == {"vas", "age", "height", "weight", "bmi"}
    raw = pd.read_csv(_res(default_run) / "data" / "raw.csv")
    row = base[(base.stratum == "unstable") & (base.variable == "age")].iloc[0]
    assert row.mean_treatment == pytest.approx(raw[raw.published_group == "CG II"].age.mean(), rel=1e-9)


def test_default_analysis_table(default_run):
    res = _res(default_run) / "tables"
    a = pd.read_csv(res / "rm_anova_vas.csv")
    # the contract columns, and each effect in the trial's own factor names (design.factor_names)
    assert list(a.columns) == ANOVA_COLUMNS[:1] + ["effect"] + ANOVA_COLUMNS[1:]
    assert a.effect.iloc[-1] == "lumbar stability × exercise × visit"
    assert a.source.tolist() == [
        "stratum",
        "arm",
        "stratum:arm",
        "time",
        "stratum:time",
        "arm:time",
        "stratum:arm:time",
    ]
    assert (a.loc[a.source == "arm", "df2"] == 69 - 4).all()
    assert a.loc[a.source == "time", "df1"].item() == 2 and a.loc[a.source == "time", "df2"].item() == 130
    assert a.eps_gg.iloc[:3].isna().all() and a.eps_gg.iloc[3:].between(0.5, 1).all()
    d = pd.read_csv(res / "descriptives_vas.csv")
    assert len(d) == 12 and d.n.sum() == 207
    # the assumed cells say so: week 6 of the instability stratum, both arms
    assumed = d[d.basis == "assumed"]
    assert sorted(zip(assumed.stratum, assumed.time, strict=False)) == [("unstable", "week6")] * 2
    assert (d.loc[d.basis != "assumed", "basis"] == "published").all()
    raw = pd.read_csv(_res(default_run) / "data" / "raw.csv")
    cell = d[(d.stratum == "unstable") & (d.arm == "control") & (d.time == "week3")].iloc[0]
    assert cell["mean"] == pytest.approx(raw[raw.published_group == "EG II"].vas_week3.mean(), rel=1e-9)


def test_default_reconstruction_to_the_printed_digit_and_replicates(default_run):
    res = _res(default_run)
    check = pd.read_csv(res / "data" / "reconstruction_check.csv")
    for col in (
        "table",
        "variable",
        "group",
        "time",
        "n",
        "published_mean",
        "achieved_mean",
        "published_sd",
        "achieved_sd",
        "mean_decimals",
        "sd_decimals",
        "match",
        "note",
    ):
        assert col in check.columns
    assert check[check.basis != "derived"].match.all()
    vas = check[check.variable == "vas"]
    assert (vas.correlation_min >= 0.48).all() and (vas.correlation_max <= 0.52).all()
    rep = pd.read_csv(res / "tables" / "replicates_vas.csv")
    assert (rep.n_replicates == 20).all()
    normal = rep[(rep.family == "normal-theory") & (rep.statistic == "mixed ANOVA F")]
    rank = rep[rep.family == "rank-based"]
    # normal-theory F moves by well under 1 % across reconstructions; rank-based p values move more
    assert (normal.range / normal["median"] < 0.02).all()
    assert rank.range.max() > 10 * (normal.range / normal["median"]).max()


def test_default_audit_findings(default_run):
    from hiplbp.audit import CHECKS, FINDING_COLUMNS, VERDICTS

    res = _res(default_run)
    f = pd.read_csv(res / "audit" / "findings.csv")
    assert list(f.columns) == FINDING_COLUMNS
    assert set(f.check) <= set(CHECKS) and set(f.verdict) <= set(VERDICTS)
    # Lee & Kim print no test statistic and no percentage: every other check runs on them
    # Lee & Kim print no test statistic, no percentage and no Table 1 p
    assert set(CHECKS) - set(f.check) == {"reported_statistic", "percent_consistency", "baseline_p"}
    assert not f.duplicated(["check", "target"]).any()
    row = f[(f.check == "allocation_ratio") & (f.target == "published: lumbar instability")].iloc[0]
    assert row.verdict == "flag" and row.p == pytest.approx(0.042774, abs=1e-6)
    data_rows = f[f.target.str.startswith("reconstructed data:")]
    assert (
        set(data_rows.check) == {"allocation_ratio", "carlisle"}
        and data_rows.explanation.str.contains("synthetic").all()
    )
    base = pd.read_csv(res / "audit" / "baseline.csv")
    assert "p" in base.columns and base.p.between(0, 1).all()
    att = pd.read_csv(res / "audit" / "attrition.csv")
    assert (att.n_missing == 0).all() and att.n_subjects.sum() == 69 * 3
    assert "not analysed: 6" in (res / "figures" / "consort.svg").read_text()  # 45 enrolled, 39 analysed
    html = (res / "report" / "report.html").read_text()
    assert "Audit: questions for the authors" in html and "not evidence of misconduct" in html


def test_default_issue3_tables(default_run):
    from hiplbp.summary.anova import summary_anova
    from hiplbp.trial import published
    from hiplbp.trial.cells import published_cells

    res = _res(default_run) / "tables"
    detail = pd.read_csv(res / "rm_anova_detail_vas.csv").set_index("source")
    anova = pd.read_csv(res / "rm_anova_vas.csv").set_index("source")
    np.testing.assert_allclose(detail.F, anova.F, rtol=1e-12)
    assert detail.loc["time", "eps_hf"] >= detail.loc["time", "eps_gg"] and 0 < detail.loc["time", "mauchly_p"] <= 1
    assert (detail.ges <= detail.np2 + 1e-12).all()  # stratum observed: ges never exceeds partial eta^2
    anc = pd.read_csv(res / "ancova_vas.csv")
    assert sorted(zip(anc.visit, anc.stratum, strict=False)) == sorted(
        (v, s) for v in ("week3", "week6") for s in ("stable", "unstable", "all")
    )
    lmm = pd.read_csv(res / "lmm_vas.csv").set_index("source")
    # complete data: the random-intercept LMM reproduces the univariate ANOVA F
    np.testing.assert_allclose(lmm.loc[anova.index, "F"], anova.F, rtol=1e-6)
    assert (lmm.df_method == "Satterthwaite").all()
    con = pd.read_csv(res / "contrasts_vas.csv")
    assert set(con.contrast) == {"difference", "change_difference"} and (con.p_holm >= con.p_unc).all()
    # rows that use the unprinted 6-week cells of the instability stratum say so
    uses_assumed = (con.visit == "week6") & con.stratum.isin(["unstable", "all"])
    assert con.loc[uses_assumed, "basis"].str.contains("assumed").all()
    assert (con.loc[~uses_assumed, "basis"] == "published").all()
    eff = pd.read_csv(res / "effect_sizes_vas.csv")
    assert set(eff.measure) == {"hedges_g", "d_z"}
    eff_assumed = (eff.visit == "week6") & (eff.stratum == "unstable")
    assert eff.loc[eff_assumed, "basis"].str.contains("assumed").all()
    assert (eff.loc[~eff_assumed, "basis"] == "published").all()
    sens = pd.read_csv(res / "sensitivity_vas.csv")
    assert {"grid", "threshold_unc", "threshold_gg", "configured", "paper_claim"} <= set(sens.scenario)
    assert sens[sens.scenario == "grid"].correlation.nunique() == 20
    # the sensitivity comes from the published summaries alone, in closed form
    pub = ROOT / "trials" / "lee2015"
    cells, _ = published_cells(
        published.read_groups(pub / "groups.csv", **LEE_MEANING),
        published.read_summary(pub / "outcomes.csv"),
        "vas",
        ["baseline", "week3", "week6"],
        {"treatment": "hip", "control": "control"},
        "marker",
        [dict(outcome="vas", time="week6", group=g, from_time="week3") for g in ("CG II", "EG II")],
    )
    closed = summary_anova(cells, ["stratum", "arm"], ["baseline", "week3", "week6"], 0.5).set_index("source")
    cfg = sens[sens.scenario == "configured"].set_index("source")
    np.testing.assert_allclose(cfg.loc[closed.index, "F"], closed.F, rtol=1e-12)
    rep = pd.read_csv(res / "published_vs_reproduced.csv")
    claim = rep[rep.item == "claim: vas of EG II decreased significantly, baseline to week3"].iloc[0]
    assert not claim.match and "0.749" in claim.note


def test_default_figures_and_report(default_run):
    res = _res(default_run)
    svg = (res / "figures" / "vas.svg").read_text()
    assert "RECONSTRUCTED DATA" in svg and "Assumed, not published: vas at week6 in CG II" in svg
    html = (res / "report" / "report.html").read_text()
    assert network_references(html) == []
    assert "RECONSTRUCTED DATA" in html and "not patient data" in html
    assert "vas at week6 in EG II = week3 mean +0, SD x 1" in html
    assert html.count("data:image/png;base64,") >= 1
    a = pd.read_csv(res / "tables" / "rm_anova_vas.csv").set_index("source")
    assert f">{a.loc['arm:time', 'F']:.2f}<" in html  # the ANOVA table is in the report, at journal precision
    # the label conflict and the unusual allocation are questions for the authors
    assert "CG II label vs marker</strong> (label consistency): CG II is labelled as" in html
    assert "21 of 30 analysed patients received" in html and ">.043<" in html
    for section in (
        "The question (estimand)",
        "The paper's own analysis, replayed",
        "ANCOVA",
        "linear mixed model",
        "Follow-up contrasts",
        "Effect sizes",
        "How robust is this to what the paper did not report?",
    ):
        assert section in html, section
    assert "summary measure" in html and html.count("data:image/png;base64,") >= 2
    # beside the ANOVA, ANCOVA, LMM and MMRM tables
    assert html.count("rest on the assumptions listed under") == 4
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", html)
    nb = nbformat.read(res / "report" / "report.ipynb", as_version=4)
    assert "start_time" not in nb.metadata.get("papermill", {})
    assert not any("execution" in c.metadata for c in nb.cells)


def _read_in_a_browser(repo: Path, max_pages: int):
    """The report as a reader gets it: headless Chromium at 1280 px and printed to A4."""
    from browser import inspect
    from test_browser import require_browser

    require_browser()
    page = inspect(_res(repo) / "report" / "report.html", width=1280)
    assert page.requests == []  # nothing leaves the page
    assert page.scroll_width <= page.window_width == 1280  # no horizontal scrolling
    assert page.images >= 3 and page.images_without_alt == 0
    assert 1 <= page.pdf_pages <= max_pages
    assert page.print_scroll_width <= page.print_width  # printed on A4, no column is clipped
    return page


def test_default_report_in_a_browser(default_run):
    page = _read_in_a_browser(default_run, max_pages=15)
    assert page.title == yaml.safe_load((ROOT / "trials" / "lee2015" / "config.yaml").read_text())["report"]["title"]
    html = (_res(default_run) / "report" / "report.html").read_text()
    first = html[: html.index('id="trial"')]
    # the first screen: title, the question, the summary generated from the results, the contents
    assert first.index('id="estimand"') < first.index("What this shows") < first.index("<nav")
    assert "95 % CI" in first
    text = re.sub(r"<style.*?</style>", "", re.sub(r"base64,[A-Za-z0-9+/=]+", "", html), flags=re.S)
    assert re.findall(r"\d(?:\.\d+)?e[-+]\d+", text) == []  # no e-notation anywhere
    assert "Provenance" in html and "config (sha256 of the effective config)" in html


def test_default_run_carries_what_the_tables_leave_open_into_the_report(default_run):
    """Lee & Kim: the band table has every statistic (7 ANOVA terms, 8 changes, 6 ANCOVA effects), equal n leaves
    no overlap term, the two assumed week-6 cells widen the week-6 rows, and the report prints every sentence."""
    band = pd.read_csv(_res(default_run) / "tables" / "band_vas.csv")
    assert band.kind.value_counts().to_dict() == {"anova": 7, "change": 8, "ancova": 6}
    assert (band.width_overlap == 0).all()
    week6 = band[band.test.str.contains("week6") & band.test.str.contains("II|unstable|all strata")]
    assert (week6.width_assumptions > 0).all()
    html = (_res(default_run) / "report" / "report.html").read_text()
    assert "What the printed tables leave open" in html
    for sentence in band.sentence:
        assert escape(sentence.split(":")[0]) in html


def test_second_run_has_nothing_to_do(default_run):
    assert _pending_jobs(snakemake(default_run, "-n")) == {}


def test_library_change_reruns_only_the_rules_that_use_it(default_run):
    module = default_run / "src" / "hiplbp" / "figures" / "style.py"
    original = module.read_text()
    try:
        module.write_text(original + "\n# a change\n")
        assert _pending_jobs(snakemake(default_run, "-n")) == {
            "figures": 1,
            "sensitivity_figure": 1,
            "consort": 1,
            "report": 1,
            "all": 1,
        }
    finally:
        module.write_text(original)
    assert _pending_jobs(snakemake(default_run, "-n")) == {}


def test_snakemake_report_collects_flagged_outputs(default_run, tmp_path):
    import zipfile

    snakemake(default_run, "--report", str(tmp_path / "report.zip"))
    names = zipfile.ZipFile(tmp_path / "report.zip").namelist()
    # every final output is report()-flagged; only the three intermediates of ingestion are not
    skip = ("data/canonical.csv", "data/ingest_log.csv", "data/provenance.json", "report/tables/.snakemake_timestamp")
    finals = [f for f in _deterministic_files(default_run) if f not in skip]
    pages = [f for f in finals if f.startswith("report/tables/")]
    assert len(finals) - len(pages) == 33
    for f in finals:
        assert any(n.endswith("/" + Path(f).name) for n in names), f  # the zip keeps basenames
    # every table is also there as a rendered page (a CSV is only a download in the report)
    csvs = [f for f in finals if f.endswith(".csv")]
    assert sorted(Path(f).stem for f in pages) == sorted(Path(f).stem for f in csvs)
    page = (_res(default_run) / "report" / "tables" / "rm_anova_vas.html").read_text()
    assert "<title>tables/rm_anova_vas.csv</title>" in page and "&lt; .001" in page


def test_a_report_without_a_primary_endpoint_says_so(default_run):
    text = (_res(default_run) / "report" / "report.html").read_text()
    assert "The config names no primary endpoint (<code>analysis.primary</code>)" in text


def test_two_runs_give_identical_outputs(default_run, tmp_path):
    again = _copy(tmp_path / "again")
    snakemake(again)
    a, b = _deterministic_files(default_run), _deterministic_files(again)
    assert a.keys() == b.keys()
    differ = [k for k in a if a[k] != b[k]]
    assert differ == []


def _reference_run(repo: Path, name: str, ss_type: int, afex_dir: Path) -> None:
    a = pd.read_csv(_res(repo) / "tables" / "rm_anova_score.csv").set_index("source")
    ref = afex_table(afex_dir, f"{name}_ref_anova_type{ss_type}.csv")
    ref["source"] = (
        ref["source"].str.replace("lumbar", "stratum").str.replace("exercise", "arm").str.replace("visit", "time")
    )
    ref = ref.set_index("source")
    assert a.index.tolist() == ref.index.tolist()
    for mine, theirs in [("F", "F"), ("p_unc", "p"), ("p_gg", "p_gg"), ("np2", "pes"), ("eps_gg", "eps_gg")]:
        m, r = a[mine], ref[theirs]
        assert m.isna().equals(r.isna()), mine
        np.testing.assert_allclose(m[r.notna()], r[r.notna()], rtol=1e-6, err_msg=f"{name} type {ss_type} {mine}")


def _reference_models(repo: Path, name: str, last: str, afex_dir: Path) -> None:
    """ANCOVA and LMM tables of a reanalysis against car/emmeans and lmerTest."""
    res = _res(repo) / "tables"
    terms = pd.read_csv(res / "ancova_terms_score.csv")
    terms = terms[terms.visit == last].reset_index(drop=True)
    ref = afex_table(afex_dir, f"{name}_ref_ancova_type3.csv")
    np.testing.assert_allclose(terms.F.iloc[:-1], ref.F.iloc[:-1], rtol=1e-6)
    np.testing.assert_allclose(terms.p.iloc[:-1], ref.p.iloc[:-1], rtol=1e-6)
    anc = pd.read_csv(res / "ancova_score.csv")
    anc = anc[anc.visit == last].set_index("stratum")
    con = afex_table(afex_dir, f"{name}_ref_ancova_contrasts.csv").set_index("lumbar")
    for s in ("stable", "unstable"):
        assert anc.loc[s, "estimate"] == pytest.approx(con.loc[s, "estimate"], rel=1e-6)
        assert anc.loc[s, "ci_low"] == pytest.approx(con.loc[s, "lower.CL"], rel=1e-6)
        assert anc.loc[s, "ci_high"] == pytest.approx(con.loc[s, "upper.CL"], rel=1e-6)
    lmm = pd.read_csv(res / "lmm_score.csv")
    lmm["source"] = (
        lmm.source.str.replace("stratum", "lumbar").str.replace("arm", "exercise").str.replace("time", "visit")
    )
    lref = afex_table(afex_dir, f"{name}_ref_lmm_type3.csv").set_index("source")
    lmm = lmm.set_index("source").loc[lref.index]
    np.testing.assert_allclose(lmm.F, lref.F, rtol=1e-4)
    np.testing.assert_allclose(lmm.df2, lref.df2, rtol=1e-5)
    sens = pd.read_csv(res / "sensitivity_score.csv")
    assert set(sens.scenario) == {"grid", "threshold_unc", "threshold_gg", "observed"}


def test_reanalysis_shared1_type3_then_type2(tmp_path, afex_dir):
    repo = _copy(tmp_path / "s1")
    snakemake(repo, "--configfile", "tests/data/shared1.yaml")
    _reference_run(repo, "shared1", 3, afex_dir)
    _reference_models(repo, "shared1", "t2", afex_dir)
    prov = json.loads((_res(repo) / "data" / "provenance.json").read_text())
    assert prov["synthetic"] is False and prov["path"] == "tests/data/shared1_long.csv"
    html = (_res(repo) / "report" / "report.html").read_text()
    assert "RECONSTRUCTED" not in html and "tests/data/shared1_long.csv" in html
    assert not (_res(repo) / "data" / "raw.csv").exists()
    # the user's data set alone: no output speaks of the default trial or of any other trial folder
    assert _mentions(repo, _trial_words("lee2015") | _trial_words("ebadi2012")) == []
    assert not (_res(repo) / "tables" / "published_vs_reproduced.csv").exists()
    assert pd.read_csv(_res(repo) / "audit" / "group_labels.csv").empty
    assert "No paper is configured" in html
    # the CONSORT flow counts the data set's own subjects (70, everyone observed at every visit)
    svg = (_res(repo) / "figures" / "consort.svg").read_text()
    assert "the data set" in svg and "Analysed 70 at the last visit" in svg
    assert _read_in_a_browser(repo, max_pages=15).title == "hiplbp report"
    # Changing the type of sums of squares reruns only the analysis and what depends on it.
    (repo / "type2.yaml").write_text("analysis: {alpha: 0.05, ss_type: 2}\n")
    args = ("--configfile", "tests/data/shared1.yaml", "type2.yaml")
    assert _pending_jobs(snakemake(repo, "-n", *args)) == {
        "analysis": 1,
        "sensitivity": 1,
        "sensitivity_figure": 1,
        "report": 1,
        "table_pages": 1,
        "all": 1,
    }
    snakemake(repo, *args)
    _reference_run(repo, "shared1", 2, afex_dir)


def _trial_words(name: str) -> set[str]:
    """What only a trial folder says: its group labels, authors, title, citation, arms, population."""
    folder = ROOT / "trials" / name
    config = yaml.safe_load((folder / "config.yaml").read_text())
    groups = pd.read_csv(folder / "groups.csv", dtype=str, keep_default_na=False)
    trial = config["trial"]
    words = set(groups["group"]) | set(groups["label_as_printed"]) | set(groups["description"])
    words |= {trial["citation"], trial["population"], config["report"]["title"], *trial["arms"].values()}
    words |= {trial["citation"].split()[0]}  # the first author
    return {w for w in words if len(w) >= 2} | ({"KODI", "Kim"} if name == "lee2015" else set())


def _mentions(repo: Path, words: set[str]) -> list[str]:
    """Every (file, word) of the run's CSV, SVG, JSON and HTML outputs that mentions one of ``words``
    as a whole word (embedded images' base64 left out)."""
    found = []
    for path in sorted((_res(repo)).rglob("*")):
        if path.suffix not in (".csv", ".svg", ".html", ".json") or "benchmarks" in path.parts:
            continue
        text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", path.read_text(errors="replace"))
        found += [f"{path.name}: {w}" for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
    return found


def test_ebadi_runs_every_stage_by_config_alone(tmp_path):
    """A second paper (two arms, no strata, per-visit n, a printed ANOVA table), by its trial folder alone."""
    repo = _copy(tmp_path / "ebadi")
    snakemake(repo, "--configfile", "trials/ebadi2012/config.yaml")
    res = _res(repo)
    printed = pd.read_csv(repo / "trials" / "ebadi2012" / "outcomes.csv", dtype=str)
    # reconstruction to the printed digit, each cell with its own n (drop-out)
    check = pd.read_csv(res / "data" / "reconstruction_check.csv")
    assert check.match.all() and len(check) == 2 * 3 + 4 * 2 * 3
    outcomes = check[check.table == "outcome"].merge(
        printed, left_on=["variable", "group", "time"], right_on=["outcome", "group", "time"]
    )
    assert len(outcomes) == 24 and (outcomes.n_x == outcomes.n_y.astype(int)).all()
    raw = pd.read_csv(res / "data" / "raw.csv")
    assert raw.groupby("published_group").VAS_after_1_month.count().to_dict() == {"PL": 18, "US": 21}
    assert set(raw.columns) >= {"age", "onset_since_first_episode", "bmi"}
    # the analysis uses everyone observed: the mixed model sees 24 + 24 + 21 + 24 + 24 + 18 VAS values
    desc = pd.read_csv(res / "tables" / "descriptives_VAS.csv")
    assert desc.n.sum() == 135
    assert pd.read_csv(res / "tables" / "rm_anova_VAS.csv").source.tolist() == ["arm", "time", "arm:time"]
    # the audit of the printed tables: Table 3's p values against their own F, the sex percentages
    f = pd.read_csv(res / "audit" / "findings.csv").set_index(["check", "target"])
    fri = f.loc[("reported_statistic", "FRI: Group")]
    assert fri.verdict == "flag" and fri.expected.startswith("p in [0.05")
    assert f.loc[("percent_consistency", "sex female US")].verdict == "flag"  # 25 % of 25 is no whole patient
    assert f.loc[("mean_sd_consistency", "VAS PL after_1_month")].verdict == "pass"  # with its own n = 18
    assert ("label_consistency", "US label vs marker") not in f.index  # the paper states its arms
    rep = pd.read_csv(res / "tables" / "published_vs_reproduced.csv")
    assert rep.item.str.startswith("VAS: comparison among the 2 groups").sum() == 3
    # Table 3's F values against the reconstruction's mixed ANOVA, matched through the paper's factor names
    printed_f = rep[rep.kind == "test"]
    assert len(printed_f) == 4 * 3 and printed_f.reproduced.notna().all()
    anova = pd.read_csv(res / "tables" / "rm_anova_VAS.csv")
    assert anova.effect.tolist() == ["Group", "Time", "Group × Time"]
    svg = (res / "figures" / "consort.svg").read_text()
    assert "24 / 24 / 21" in svg and "24 / 24 / 18" in svg
    html = (res / "report" / "report.html").read_text()
    assert "Ebadi" in html and "RECONSTRUCTED DATA" in html
    assert _mentions(repo, _trial_words("lee2015")) == []
    _read_in_a_browser(repo, max_pages=40)  # four outcomes
    # screened with Lee & Kim (trials/screen.yaml), Ebadi's tables give the findings of this, its own run
    snakemake(repo, "--configfile", "trials/screen.yaml")
    screened = pd.read_csv(repo / "results" / "screen" / "findings.csv")
    own = pd.read_csv(res / "audit" / "findings.csv")
    assert len(_printed_part(own)) == 115
    pd.testing.assert_frame_equal(_printed_part(screened[screened.trial == "ebadi2012"]), _printed_part(own))


def test_reanalysis_shared2_four_visits_with_missing_values(tmp_path, afex_dir):
    repo = _copy(tmp_path / "s2")
    snakemake(repo, "--configfile", "tests/data/shared2.yaml")
    _reference_run(repo, "shared2", 3, afex_dir)
    _reference_models(repo, "shared2", "t3", afex_dir)
    log = pd.read_csv(_res(repo) / "data" / "cleaning_log.csv")
    assert (log.action == "incomplete").sum() == 11
    assert "56 complete subjects" in (_res(repo) / "logs" / "analysis_score.log").read_text()
    d = pd.read_csv(_res(repo) / "tables" / "descriptives_score.csv")
    assert (d.basis == "data").all() and d.n.sum() == 268 - 11
    (repo / "type2.yaml").write_text("analysis: {alpha: 0.05, ss_type: 2}\n")
    snakemake(repo, "--configfile", "tests/data/shared2.yaml", "type2.yaml")
    _reference_run(repo, "shared2", 2, afex_dir)


def test_one_factor_design_arm_by_time(tmp_path):
    import pingouin as pg

    repo = _copy(tmp_path / "one")
    (repo / "one.yaml").write_text(
        "design: {time_levels: [t0, t1, t2], arms: {treatment: hip, control: control}, strata: []}\n"
    )
    snakemake(repo, "--configfile", "tests/data/shared1.yaml", "one.yaml")
    res = _res(repo)
    a = pd.read_csv(res / "tables" / "rm_anova_score.csv")
    assert a.source.tolist() == ["arm", "time", "arm:time"]
    # type III with one between factor: arm and arm:time equal pingouin (type II = III there)
    raw = pd.read_csv(repo / "tests" / "data" / "shared1_long.csv")
    ref = pg.mixed_anova(raw, dv="score", within="visit", between="exercise", subject="pid")
    np.testing.assert_allclose(a.F.iloc[[0, 2]], ref.F.iloc[[0, 2]], rtol=1e-10)
    alloc = pd.read_csv(res / "audit" / "allocation.csv")
    assert alloc.stratum.tolist() == ["all"] and alloc.n.item() == 70
    assert "stratum" not in pd.read_csv(res / "data" / "clean.csv").columns
    assert pd.read_csv(res / "tables" / "ancova_score.csv").stratum.unique().tolist() == ["all"]
    assert pd.read_csv(res / "tables" / "lmm_score.csv").source.tolist() == ["arm", "time", "arm:time"]
    assert (res / "report" / "report.html").exists()


def runner(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`make run` without make: python -m hiplbp.run.runner (lock recovery, --rerun-incomplete, last line)."""
    env = dict(os.environ, PYTHONPATH=str(cwd / "src"))
    return subprocess.run(
        [sys.executable, "-m", "hiplbp.run.runner", "--cores", "2", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_config_mistakes_print_one_line_and_nothing_else(tmp_path):
    repo = _copy(tmp_path / "typo")
    cases = {
        "analysis: {sstype: 2}\n": "unknown key 'analysis.sstype'; allowed here: "
        "adjust, alpha, ci_level, comparisons, covariates, mmrm, observed, primary, ss_type, stratum_by_arm",
        "design: {strata: [No, Yes]}\n": "key 'design.strata[0]': found False (a boolean), expected string or number; "
        'YAML reads unquoted yes/no/on/off/true/false as booleans: put the label in quotes, e.g. "No"',
        "sensitivity: {correlations: {from: 0.9, to: 0.1, step: 0.1}}\n": "key 'sensitivity.correlations': from 0.9 "
        "is above to 0.1 (expected from <= to: the grid would be empty)",
    }
    for i, (text, message) in enumerate(cases.items()):
        (repo / f"t{i}.yaml").write_text(text)
        proc = snakemake(repo, "-n", "--configfile", "config.yaml", f"t{i}.yaml", check=False)
        assert proc.returncode != 0
        assert (proc.stdout + proc.stderr).splitlines() == [f"hiplbp: error: config.yaml t{i}.yaml: {message}"]
    # files Snakemake reads before the workflow: make run names the line of a YAML mistake, or the missing file
    (repo / "broken.yaml").write_text("analysis: {alpha: 0.05\n  ss_type: 3\n")
    broken = "hiplbp: error: broken.yaml: line 2, column 10: expected ',' or '}', but got ':' (not valid YAML)"
    proc = runner(repo, "-n", "--configfile", "broken.yaml")
    assert proc.returncode == 1 and (proc.stdout + proc.stderr).splitlines() == [broken]
    proc = runner(repo, "-n", "--configfile", "missing.yaml")
    assert (proc.stdout + proc.stderr).splitlines() == ["hiplbp: error: missing.yaml: config file not found"]
    (repo / "ext.yaml").write_text("extends: broken.yaml\n")  # read by the workflow, with plain Snakemake too
    proc = snakemake(repo, "-n", "--configfile", "ext.yaml", check=False)
    assert proc.returncode != 0 and (proc.stdout + proc.stderr).splitlines() == [broken]
    # a trial folder's table is validated before any job starts
    shutil.copytree(repo / "trials" / "lee2015", repo / "trials" / "broken")
    table = pd.read_csv(repo / "trials" / "broken" / "outcomes.csv", dtype=str, keep_default_na=False)
    table.loc[1, "mean"] = "6,1"
    table.to_csv(repo / "trials" / "broken" / "outcomes.csv", index=False)
    (repo / "b.yaml").write_text("extends: config.yaml\ntrial: {folder: trials/broken}\n")
    proc = runner(repo, "--configfile", "b.yaml")
    assert proc.returncode == 1 and (proc.stdout + proc.stderr).splitlines() == [
        "hiplbp: error: trials/broken/outcomes.csv: row 3, column 'mean': expected a number as printed "
        "(e.g. 53.89, .24, -1.5), empty or not_available, got '6,1'"
    ]


def test_bad_data_file_gives_one_clear_line(tmp_path):
    repo = _copy(tmp_path / "bad")
    d = pd.read_csv(repo / "tests" / "data" / "shared1_long.csv", dtype=str)
    d.loc[10, "score"] = "twelve"
    d.to_csv(repo / "bad.csv", index=False)
    before = (repo / "bad.csv").read_bytes()
    (repo / "bad.yaml").write_text("extends: tests/data/shared1.yaml\ndata: {path: bad.csv}\n")
    line = "hiplbp: error: bad.csv: row 12, column 'score': expected a number (outcome 'score'), got 'twelve'"
    proc = runner(repo, "--configfile", "bad.yaml")
    assert proc.returncode != 0
    assert proc.stderr.splitlines()[-1] == line  # the run ends with it
    plain = snakemake(repo, "--configfile", "bad.yaml", check=False)  # plain Snakemake shows it too
    assert plain.returncode != 0 and line in plain.stderr.splitlines()
    log = (_res(repo) / "logs" / "ingest.log").read_text()
    assert "Traceback (most recent call last)" in log and log.splitlines()[-1] == line  # the traceback stays here
    assert (repo / "bad.csv").read_bytes() == before  # input untouched


def test_a_design_without_a_baseline_runs_without_the_ancova_and_says_so(tmp_path):
    repo = _copy(tmp_path / "none")
    (repo / "none.yaml").write_text("extends: tests/data/shared1.yaml\ndesign: {baseline: none}\n")
    snakemake(repo, "--configfile", "none.yaml")
    res = _res(repo)
    assert not list(res.glob("tables/ancova*"))  # not offered, not an empty table
    contrasts = pd.read_csv(res / "tables" / "contrasts_score.csv")
    assert set(contrasts.contrast) == {"difference"} and len(contrasts) == 3 * 3
    assert set(pd.read_csv(res / "tables" / "effect_sizes_score.csv").measure) == {"hedges_g"}
    # no outcome is compared "at baseline", and the table keeps its columns
    baseline = pd.read_csv(res / "audit" / "baseline.csv")
    assert baseline.empty and "smd" in baseline.columns
    # the headline is the unadjusted difference at the last visit, and says it is unadjusted
    raw = pd.read_csv(repo / "tests" / "data" / "shared1_long.csv")
    last = raw[raw.visit == "t2"].groupby(["lumbar", "exercise"]).score.mean().unstack()
    difference = float((last["hip"] - last["control"]).mean())  # equally weighted over the strata
    text = " ".join((res / "report" / "report.html").read_text().split())
    assert (
        f"hip minus control, not adjusted for a baseline (the design names none): {difference:.1f}".replace("-", "−")
        in text
    )
    assert "not offered, because the design names no baseline visit" in text


def test_the_three_arm_worked_example_runs_and_equals_emmeans(tmp_path):
    # trials/weightloss: carData WeightLoss, Diet and DietEx against Control, no baseline
    repo = _copy(tmp_path / "weightloss")
    snakemake(repo, "--configfile", "trials/weightloss/config.yaml")
    res = _res(repo)
    assert not list(res.glob("tables/ancova*"))
    anova = pd.read_csv(res / "tables" / "rm_anova_detail_wl.csv").set_index("source")
    ref = pd.read_csv(repo / "tests" / "reference" / "k_arms" / "weightloss_anova_type3.csv").set_index("source")
    assert anova.loc["arm", "df1"] == 2 and anova.loc["arm:time", "df1"] == 4
    np.testing.assert_allclose(anova.loc[["arm", "time", "arm:time"], "F"], ref.F, rtol=1e-6)
    con = pd.read_csv(res / "tables" / "contrasts_wl.csv")
    mine = pd.read_csv(repo / "tests" / "reference" / "k_arms" / "weightloss_contrasts_control.csv")
    assert con.comparison.tolist() == mine.contrast.tolist() and set(con.adjust) == {"dunnett"}
    np.testing.assert_allclose(con.estimate, mine.estimate, rtol=1e-6)
    np.testing.assert_allclose(con.p_adj, mine.p_dunnett, rtol=1e-6)
    alloc = pd.read_csv(res / "audit" / "allocation.csv")
    assert alloc.comparison.tolist() == ["Diet - Control", "DietEx - Control"]
    assert alloc.n_treatment.tolist() == [12, 10] and alloc.n_control.tolist() == [12, 12]
    text = " ".join((res / "report" / "report.html").read_text().split())
    month3 = mine[mine["by"] == 3]
    sentence = (
        "at 3, not adjusted for a baseline (the design names none): "
        + "; ".join(
            f"{r.contrast.replace(' - ', ' minus ')}: {r.estimate:.1f} (95 % CI {r.lower_none:.1f} to "
            f"{r.upper_none:.1f}), p = {r.p_dunnett:.3f}".replace("-", "−").replace("= 0.", "= .")
            for r in month3.itertuples()
        )
        + "; p adjusted over the 2 comparisons (dunnett), CIs unadjusted."
    )
    assert sentence in text
    assert "Arms (3): <strong>Diet</strong>, <strong>DietEx</strong>, <strong>Control</strong>." in text


def test_the_two_within_worked_example_runs_and_equals_afex_emmeans_and_lmertest(tmp_path):
    # trials/obrienkaiser: treatment x gender between, phase x hour within, wide columns pre.1 ... fup.5
    repo = _copy(tmp_path / "obk")
    snakemake(repo, "--configfile", "trials/obrienkaiser/config.yaml")
    res, ref = _res(repo), repo / "tests" / "reference" / "two_within"
    assert res.name == "obrienkaiser" and not list(res.glob("tables/ancova*"))
    anova = pd.read_csv(res / "tables" / "rm_anova_detail_value.csv")
    theirs = pd.read_csv(ref / "obrienkaiser_anova_type3.csv")
    # the trial's own names; afex writes the between factors as treatment:gender
    anova.index = [frozenset(e.split(" × ")) for e in anova.effect]
    anova = anova.loc[[frozenset(s.split(":")) for s in theirs.source]]
    for col in ["F", "df1", "df2", "ges", "p_gg", "p_hf"]:
        np.testing.assert_allclose(anova[col], theirs[col], rtol=1e-6, err_msg=col)
    con = pd.read_csv(res / "tables" / "contrasts_value.csv")
    emm = pd.read_csv(ref / "obrienkaiser_contrasts_control.csv")
    emm = emm[emm["by"] == "phase = fup|all"]
    fup = con[(con.visit == "phase = fup") & (con.stratum == "all")]
    assert fup.comparison.tolist() == emm.contrast.tolist() == ["A - control", "B - control"]
    np.testing.assert_allclose(fup.estimate, emm.estimate, rtol=1e-6)
    np.testing.assert_allclose(fup.p_adj, emm.p_dunnett, rtol=1e-6)
    lmm = pd.read_csv(res / "tables" / "lmm_value.csv")
    np.testing.assert_allclose(lmm.F, pd.read_csv(ref / "obrienkaiser_lmm.csv").F, rtol=1e-4)
    desc = pd.read_csv(res / "tables" / "descriptives_value.csv")
    assert len(desc) == 6 * 15 and desc[["phase", "hour"]].drop_duplicates().shape[0] == 15
    assert pd.read_csv(res / "tables" / "mmrm_value.csv").empty
    text = " ".join((res / "report" / "report.html").read_text().split())
    sentence = (
        "at phase fup (averaged over the other within factor), not adjusted for a baseline (the design names none): "
        + "; ".join(
            f"{r.contrast.replace(' - ', ' minus ')}: {r.estimate:.1f} (95 % CI {r.lower_none:.1f} to "
            f"{r.upper_none:.1f}), p = {r.p_dunnett:.3f}".replace("-", "−").replace("= 0.", "= .")
            for r in emm.itertuples()
        )
    )
    assert sentence in text
    assert "the MMRM takes one within factor, the visits; phase × hour are two" in text
    assert "the sensitivity analysis takes one within factor" in text
    assert "treatment × phase</strong>: F(4, 20) = 4.85" in text


def test_a_stratified_three_arm_trial_with_a_covariate_equals_car_emmeans_and_lmertest(tmp_path):
    repo = _copy(tmp_path / "three")
    snakemake(repo, "--configfile", "tests/data/three_arms.yaml")
    res, ref = _res(repo), repo / "tests" / "reference" / "k_arms"
    eff = pd.read_csv(res / "tables" / "ancova_score.csv")
    r = pd.read_csv(ref / "three_arms_ancova_effects.csv")
    r = r[r.model == "main"]
    assert eff.comparison.tolist() == r.contrast.tolist() and eff.visit.tolist() == r["by"].tolist()
    for mine, theirs in [("estimate", "estimate"), ("se", "SE"), ("p", "p_none"), ("p_adj", "p_dunnett")]:
        np.testing.assert_allclose(eff[mine], r[theirs], rtol=1e-6, err_msg=mine)
    np.testing.assert_allclose(eff.ci_adj_low, r.lower_dunnett, rtol=1e-6)
    terms = pd.read_csv(res / "tables" / "ancova_terms_score.csv")
    assert terms[terms.visit == "t2"].source.tolist() == [
        "(Intercept)",
        "baseline",
        "age",
        "stratum",
        "arm",
        "Residuals",
    ]
    lmm = pd.read_csv(res / "tables" / "lmm_score.csv")
    np.testing.assert_allclose(lmm.F, pd.read_csv(ref / "three_arms_lmm_age.csv").F, rtol=1e-6)
    text = " ".join((res / "report" / "report.html").read_text().split())
    assert "Score (points) (primary endpoint)</strong> at t2, adjusted for baseline: A minus Control: −6.9" in text
    # the MMRM with the stratum as a main effect equals gls + emmeans (tests/reference/mmrm.R)
    mm, mref = (
        pd.read_csv(res / "tables" / "mmrm_score.csv"),
        pd.read_csv(repo / "tests" / "reference" / "mmrm" / "stratum_mmrm_contrasts.csv"),
    )
    assert (mm.comparison.str.replace(" ", "") + mm.visit).tolist() == (mref.comparison + mref.visit).tolist()
    for col in ["estimate", "se"]:
        np.testing.assert_allclose(mm[col], mref[col], rtol=1e-5, err_msg=col)
    np.testing.assert_allclose(mm.df, mref.df, rtol=1e-3)
    t3 = pd.read_csv(res / "tables" / "mmrm_terms_score.csv")
    tref = pd.read_csv(repo / "tests" / "reference" / "mmrm" / "stratum_mmrm_type3.csv")
    assert t3.source.tolist() == ["baseline", "age", "stratum", "arm", "time", "arm:time"]
    np.testing.assert_allclose(t3.F, tref.F, rtol=1e-4)
    np.testing.assert_allclose(t3.df2, tref.df2, rtol=1e-3)


def test_a_baseline_column_is_what_the_ancova_adjusts_for(tmp_path):
    repo = _copy(tmp_path / "column")
    raw = pd.read_csv(repo / "tests" / "data" / "shared1_long.csv")
    pre = raw[raw.visit == "t0"].set_index("pid").score.rename("pre")
    raw[raw.visit != "t0"].join(pre, on="pid").to_csv(repo / "column.csv", index=False)
    (repo / "column.yaml").write_text(
        "extends: tests/data/shared1.yaml\ndata: {path: column.csv}\ndesign: {time_levels: [t1, t2], baseline: pre}\n"
    )
    snakemake(repo, "--configfile", "column.yaml")
    res = _res(repo)
    # the same model as the baseline visit's: R's ANCOVA of shared1 at t2 (car::Anova type III, emmeans)
    eff = pd.read_csv(res / "tables" / "ancova_score.csv")
    assert eff.visit.unique().tolist() == ["t1", "t2"]
    con = afex_table(ROOT / "tests" / "reference" / "afex", "shared1_ref_ancova_contrasts.csv").set_index("lumbar")
    at = eff[eff.visit == "t2"].set_index("stratum")
    np.testing.assert_allclose(
        at.loc[["stable", "unstable"], "estimate"], con.loc[["stable", "unstable"], "estimate"], rtol=1e-6
    )
    # no change from a column (it need not be on the outcome's scale); the column is compared at baseline
    assert set(pd.read_csv(res / "tables" / "contrasts_score.csv").contrast) == {"difference"}
    assert pd.read_csv(res / "audit" / "baseline.csv").variable.unique().tolist() == ["pre"]
    text = " ".join((res / "report" / "report.html").read_text().split())
    assert "hip minus control, adjusted for baseline:" in text


def test_the_first_screen_leads_with_the_configured_primary_endpoint(tmp_path):
    repo = _copy(tmp_path / "primary")
    (repo / "primary.yaml").write_text(
        "extends: tests/data/shared1.yaml\nanalysis: {primary: {visit: t1, model: change_difference}}\n"
    )
    snakemake(repo, "--configfile", "primary.yaml")
    res = _res(repo)
    con = pd.read_csv(res / "tables" / "contrasts_score.csv")
    row = con[(con.contrast == "change_difference") & (con.visit == "t1") & (con.stratum == "all")].iloc[0]
    text = " ".join((res / "report" / "report.html").read_text().split())
    headline = (
        f"Score (points) (primary endpoint) at t1: hip minus control, difference in change from baseline: "
        f"{row.estimate:.1f} (95 % CI {row.ci_low:.1f} to {row.ci_high:.1f})"
    ).replace("-", "−")
    assert headline in text.replace("</strong>", "").replace("<strong>", "")
    assert "names no primary endpoint" not in text


def test_covariates_and_a_stratification_factor_enter_the_models_as_r_fits_them(tmp_path, afex_dir):
    repo = _copy(tmp_path / "covariates")
    raw = pd.read_csv(repo / "tests" / "data" / "shared1_long.csv")
    age = pd.read_csv(repo / "tests" / "data" / "shared1_covariates.csv").set_index("pid").age
    raw.join(age, on="pid").to_csv(repo / "aged.csv", index=False)
    (repo / "aged.yaml").write_text(
        "extends: tests/data/shared1.yaml\ndata: {path: aged.csv, covariates: [age]}\n"
        "analysis: {covariates: [age], stratum_by_arm: false}\n"
    )
    snakemake(repo, "--configfile", "aged.yaml")
    res = _res(repo)
    # R: car::Anova(lm(t2 ~ t0 + age + lumbar + exercise), type = 3) and emmeans(~ exercise)
    terms = pd.read_csv(res / "tables" / "ancova_terms_score.csv")
    ref = afex_table(afex_dir, "shared1_ref_ancova_cov_main_type3.csv")
    at = terms[terms.visit == "t2"]
    assert at.source.tolist() == ["(Intercept)", "baseline", "age", "stratum", "arm", "Residuals"]
    np.testing.assert_allclose(at.F.iloc[:-1], ref.F.iloc[:-1], rtol=1e-6)
    eff = pd.read_csv(res / "tables" / "ancova_score.csv")
    con = afex_table(afex_dir, "shared1_ref_ancova_cov_main_contrasts.csv").iloc[0]
    one = eff[eff.visit == "t2"]
    assert one.stratum.tolist() == ["all"]  # one arm effect when the stratum is a main effect
    mine, theirs = one[["estimate", "se", "p"]].iloc[0].astype(float), con[["estimate", "SE", "p"]].astype(float)
    np.testing.assert_allclose(mine.to_numpy(), theirs.to_numpy(), rtol=1e-6)
    # the LMM adjusts for the same covariate: lmer(score ~ age + lumbar * exercise * visit + (1 | pid))
    lmm = pd.read_csv(res / "tables" / "lmm_score.csv")
    ref = afex_table(afex_dir, "shared1_ref_lmm_cov_type3.csv")
    assert lmm.source.tolist() == ["age", "stratum", "arm", "time", "stratum:arm", "stratum:time", "arm:time"] + [
        "stratum:arm:time"
    ]
    np.testing.assert_allclose(lmm.F, ref.F, rtol=1e-6)


def test_design_levels_the_data_lack_give_one_line(tmp_path):
    repo = _copy(tmp_path / "levels")
    (repo / "extra.yaml").write_text("extends: tests/data/shared1.yaml\ndesign: {time_levels: [t0, t1, t2, t3]}\n")
    proc = runner(repo, "--configfile", "extra.yaml")
    assert proc.returncode != 0
    assert proc.stderr.splitlines()[-1] == (
        "hiplbp: error: tests/data/shared1_long.csv: design.time_levels: 't3' never occurs in column 'visit' "
        "(found: t0, t1, t2; expected every configured level)"
    )
    (repo / "narrow.yaml").write_text(
        "extends: tests/data/shared1.yaml\noutcomes: [{name: score, column: score, label: Score, min: 0, max: 20}]\n"
    )
    proc = runner(repo, "--configfile", "narrow.yaml")
    assert proc.returncode != 0
    assert proc.stderr.splitlines()[-1].startswith("hiplbp: error: after cleaning, stratum 'stable' and arm ")


HOSTILE = {
    "title": "<img src=x onerror=alert(2)> [t](javascript:alert(5))",
    "description": "<img src=//example.com/x.png> <img src=\\\\example.com\\y.png> <script>alert(4)</script>",
    "label": "Cost $x_{ and $",
    "arm": "<img src=x onerror=alert(1)>",
    "stratum": "[s](javascript:alert(3))",
}


def test_text_from_config_and_data_is_shown_as_written(tmp_path):
    """Hostile titles, labels and data values: nothing runs, nothing loads, every string is shown literally."""
    repo = _copy(tmp_path / "hostile")
    d = pd.read_csv(repo / "tests" / "data" / "shared1_long.csv", dtype=str)
    d["exercise"] = d["exercise"].replace({"hip": HOSTILE["arm"]})
    d["lumbar"] = d["lumbar"].replace({"unstable": HOSTILE["stratum"]})
    d.to_csv(repo / "hostile.csv", index=False)
    config = yaml.safe_load((repo / "tests" / "data" / "shared1.yaml").read_text())
    config["data"]["path"] = "hostile.csv"
    config["design"]["arms"]["treatment"] = HOSTILE["arm"]
    config["design"]["strata"] = ["stable", HOSTILE["stratum"]]
    config["outcomes"][0]["label"] = HOSTILE["label"]
    config["report"] = {"title": HOSTILE["title"], "description": HOSTILE["description"]}
    (repo / "hostile.yaml").write_text(yaml.safe_dump(config))
    snakemake(repo, "--configfile", "hostile.yaml")
    html = (_res(repo) / "report" / "report.html").read_text()
    assert network_references(html) == []
    for raw in ("<img src=x", "<img src=//", "<script>alert", 'href="javascript:'):
        assert raw not in html
    # matplotlib drew "$" as a dollar sign (no mathtext), and SVG text is escaped
    svg = (_res(repo) / "figures" / "score.svg").read_text()
    assert HOSTILE["label"] in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg and "<img" not in svg
    from browser import inspect
    from test_browser import require_browser

    require_browser()
    page = inspect(_res(repo) / "report" / "report.html")
    assert page.alerts == [] and page.event_handlers == 0 and page.requests == []
    assert page.title == HOSTILE["title"]
    for text in HOSTILE.values():
        assert text in page.text, text


def _kill_during(repo: Path, rule: str, args: tuple[str, ...] = ()) -> None:
    """Start `make run`'s runner and kill -9 its whole process group once ``rule`` has started."""
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    log = (repo / f"killed-{rule}.txt").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hiplbp.run.runner", "--cores", "2", *args],
        cwd=repo,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started = re.compile(rf"^(local)?rule {rule}:", re.M)
    deadline = time.monotonic() + 300
    while not started.search((repo / f"killed-{rule}.txt").read_text()):
        assert proc.poll() is None, f"the run ended before {rule} started"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1.0)  # into the job
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    log.close()


def test_a_run_killed_at_any_point_recovers_with_the_run_command(default_run, tmp_path):
    """kill -9 during the reconstruction, the analysis and the report; `make run` then finishes, identically."""
    repo = _copy(tmp_path / "killed")
    for rule in ("reconstruct", "analysis", "report"):
        _kill_during(repo, rule)
        assert list((repo / ".snakemake" / "locks").iterdir())  # the killed run left its lock behind
    assert not list((_res(repo) / "report").glob("*.running.ipynb"))
    proc = runner(repo)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "removing its stale lock" in proc.stderr
    a, b = _deterministic_files(default_run), _deterministic_files(repo)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert _pending_jobs(snakemake(repo, "-n")) == {}


def test_the_runner_leaves_a_live_run_s_lock_alone(tmp_path):
    from hiplbp.run.runner import live_snakemake, stale_lock

    repo = _copy(tmp_path / "live")
    locks = repo / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.output.lock").write_text("results/lee2015/data/clean.csv\nresults/lee2015/report/report.html\n")
    assert stale_lock(repo)  # nobody alive here
    # a process named snakemake working in this directory: a run that is alive
    fake = subprocess.Popen(["bash", "-c", "exec -a snakemake sleep 30"], cwd=repo)
    try:
        time.sleep(0.3)
        assert live_snakemake(repo) == [fake.pid]
        assert not stale_lock(repo)
        proc = runner(repo)
        assert proc.returncode != 0
        assert proc.stderr.splitlines()[-1] == (
            f"hiplbp: error: another Snakemake run (pid {fake.pid}) is working in {repo}; wait for it to finish"
        )
        assert (locks / "0.output.lock").exists()
    finally:
        fake.kill()


def test_readme_rule_graph_is_the_workflow_s(tmp_path):
    """The README's mermaid graph has exactly the edges of `snakemake --rulegraph mermaid-js`."""
    out = snakemake(_copy(tmp_path / "graph"), "--rulegraph", "mermaid-js").stdout
    names = dict(re.findall(r"(id\d+)\[(\w+)\]", out))
    actual = {(names[a], names[b]) for a, b in re.findall(r"(id\d+) --> (id\d+)", out)}
    block = re.search(r"```mermaid\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    assert set(re.findall(r"(\w+) --> (\w+)", block)) == actual


def _printed_part(findings: pd.DataFrame) -> pd.DataFrame:
    """A run's findings without those of its (reconstructed) individual data: the printed tables' audit."""
    data = findings.target.str.startswith(("reconstructed data:", "data:"))
    return findings[~data].drop(columns="trial", errors="ignore").reset_index(drop=True)


def test_screen_of_trial_folders_with_generated_and_broken_ones(tmp_path, default_run):
    """trials/screen.yaml screens trials/* in one DAG; with 12 generated trials, a broken folder and a missing
    one added, in chunks of 5: each real trial's findings are byte for byte those it gets screened alone, and
    Lee & Kim's are those of their own run (the default run); the broken folders are listed with their one-line
    reasons, and the rest still ran. Lee & Kim's own run asked for (screen.reports) is made in the same DAG:
    every output byte for byte the default run's, linked from the page; the folders that cannot run say why.
    A second run has nothing to do, and changing one trial's table reruns only its chunk and the stacking."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_trials import generate

    repo = _copy(tmp_path / "repo")
    snakemake(repo, "--configfile", "trials/screen.yaml")
    alone = pd.read_csv(repo / "results" / "screen" / "findings.csv")
    assert set(alone.trial) == {"lee2015", "ebadi2012"}
    trials = pd.read_csv(repo / "results" / "screen" / "trials.csv")
    assert trials.set_index("trial").loc["ebadi2012", "inconsistent_tests"] == 13
    own = pd.read_csv(_res(default_run) / "audit" / "findings.csv")
    pd.testing.assert_frame_equal(_printed_part(alone[alone.trial == "lee2015"]), _printed_part(own))
    generate(repo / "synthetic", 12, seed=3, anomalous=0.5)
    shutil.copytree(repo / "trials" / "lee2015", repo / "synthetic" / "broken")
    (repo / "synthetic" / "broken" / "outcomes.csv").write_text("outcome,group,mean,status\nvas,EG I,1.0,printed\n")
    (repo / "mixed.yaml").write_text(
        'screen:\n  trials: ["trials/*/", "synthetic/*/", "synthetic/missing"]\n  chunk: 5\n'
        '  reports: ["trials/lee2015", "synthetic/trial0001", "synthetic/broken"]\n'
    )
    shutil.rmtree(repo / "results" / "screen")
    snakemake(repo, "--configfile", "mixed.yaml")
    together = pd.read_csv(repo / "results" / "screen" / "findings.csv")
    for name in ("lee2015", "ebadi2012"):
        pd.testing.assert_frame_equal(
            together[together.trial == name].reset_index(drop=True), alone[alone.trial == name].reset_index(drop=True)
        )
    rows = pd.read_csv(repo / "results" / "screen" / "trials.csv", keep_default_na=False).set_index("trial")
    assert len(rows) == 2 + 12 + 2 and len(list((repo / "results" / "screen" / "chunks").iterdir())) == 4
    broken = "outcomes.csv: row 1 (header): missing column(s) ['time']; the outcomes table needs "
    broken += "['outcome', 'group', 'time', 'mean', 'status']"
    assert rows.loc["broken", "status"] == "invalid" and rows.loc["broken", "reason"].endswith(broken)
    assert rows.loc["missing", "reason"] == "synthetic/missing: not found; expected a trial folder"
    assert list(rows.index[:2]) == ["broken", "missing"]  # the ones that could not be screened come first
    # Lee & Kim's own run, made by the screen: the default run's outputs (the notebook differs only in the
    # paths papermill writes into it)
    made = repo / "results" / "screen" / "trials" / "lee2015"
    files, default = _output_files(made), _deterministic_files(default_run)
    assert set(files) == set(default)
    assert [f for f in files if files[f] != default[f]] == ["report/report.ipynb"]
    own_made = pd.read_csv(made / "audit" / "findings.csv")
    pd.testing.assert_frame_equal(_printed_part(together[together.trial == "lee2015"]), _printed_part(own_made))
    page = (repo / "results" / "screen" / "screen.html").read_text()
    assert "Worth a closer look first" in page and network_references(page) == []
    assert '<a href="trials/lee2015/report/report.html">lee2015</a>' in page
    assert "Not run: synthetic/trial0001/config.yaml: no run config" in page
    assert "Not run: synthetic/broken/outcomes.csv: row 1 (header)" in page
    assert _pending_jobs(snakemake(repo, "-n", "--configfile", "mixed.yaml")) == {}
    table = repo / "synthetic" / "trial0003" / "tests.csv"
    table.write_text(table.read_text() + "\n")  # a changed table (Snakemake compares contents, not only times)
    assert _pending_jobs(snakemake(repo, "-n", "--configfile", "mixed.yaml")) == {
        "screen_chunk": 1,
        "screen": 1,
        "all": 1,
    }


def test_the_steps_alone_reproduce_the_default_run(default_run, tmp_path, monkeypatch):
    # every rule's step, called in the DAG's order with the arguments hiplbp.run.stages computes from
    # the validated config and nothing of Snakemake, writes the run's outputs byte for byte
    from hiplbp.run.config import read_config_file, resolve_extends, validated
    from hiplbp.run.stages import stage_arguments, trial_files
    from hiplbp.steps import (
        analysis,
        audit,
        band,
        clean,
        consort,
        figures,
        followup,
        ingest,
        models,
        reconstruct,
        replay,
        replicates,
        sensitivity,
        sensitivity_figure,
    )
    from hiplbp.steps.job import Job
    from hiplbp.trial.tables import read_trial

    monkeypatch.chdir(default_run)
    config = validated(resolve_extends(read_config_file(Path("config.yaml")), root=default_run))
    trial = read_trial(config["trial"]["folder"])
    (outcome,) = config["outcomes"]
    v = outcome["name"]
    t = trial_files(config)
    out = tmp_path / "results"
    for sub in ("data", "audit", "tables", "figures"):
        (out / sub).mkdir(parents=True)
    data = {"data": "data/clean.csv"}
    reconstructed = {"raw": "data/raw.csv", "check": "data/reconstruction_check.csv"}
    printed = {k: t[k] for k in ("groups", "characteristics", "outcomes")}
    plan = [
        (reconstruct, {}, printed, reconstructed),
        (replicates, {"outcome": outcome}, printed, {"spread": f"tables/replicates_{v}.csv"}),
        (
            ingest,
            {},
            {"raw": "data/raw.csv"},
            {"data": "data/canonical.csv", "changes": "data/ingest_log.csv", "provenance": "data/provenance.json"},
        ),
        (
            clean,
            {},
            {"data": "data/canonical.csv", "changes": "data/ingest_log.csv"},
            data | {"log": "data/cleaning_log.csv"},
        ),
        (
            audit,
            {},
            data | {"provenance": "data/provenance.json"} | printed | {k: t[k] for k in ("enrollment", "tests")},
            {
                k: f"audit/{f}.csv"
                for k, f in [
                    ("allocation",) * 2,
                    ("baseline",) * 2,
                    ("labels", "group_labels"),
                    ("attrition",) * 2,
                    ("findings",) * 2,
                ]
            },
        ),
        (
            replay,
            {},
            printed | {"tests": t["tests"], "raw": "data/raw.csv"},
            {"table": "tables/published_vs_reproduced.csv"},
        ),
        (
            analysis,
            {},
            data | reconstructed,
            {
                k: f"tables/{f}_{v}.csv"
                for k, f in [("anova", "rm_anova"), ("detail", "rm_anova_detail"), ("descriptives",) * 2]
            },
        ),
        (
            models,
            {},
            data,
            {
                k: f"tables/{f}_{v}.csv"
                for k, f in [("ancova",) * 2, ("terms", "ancova_terms"), ("lmm",) * 2, ("mmrm",) * 2]
                + [("mmrm_terms",) * 2, ("mmrm_means",) * 2, ("mmrm_covariance",) * 2]
            },
        ),
        (
            followup,
            {},
            data | reconstructed,
            {"contrasts": f"tables/contrasts_{v}.csv", "effects": f"tables/effect_sizes_{v}.csv"},
        ),
        (
            sensitivity,
            {},
            {"groups": t["groups"], "outcomes": t["outcomes"], "data": []},
            {"table": f"tables/sensitivity_{v}.csv"},
        ),
        (
            band,
            {},
            {k: t[k] for k in ("groups", "outcomes", "tests", "characteristics", "changes")},
            {"table": f"tables/band_{v}.csv"},
        ),
        (
            figures,
            {"outcome": outcome},
            data | {"provenance": "data/provenance.json"},
            {"png": f"figures/{v}.png", "svg": f"figures/{v}.svg"},
        ),
        (
            sensitivity_figure,
            {},
            {"table": f"tables/sensitivity_{v}.csv", "provenance": "data/provenance.json"},
            {"png": f"figures/sensitivity_{v}.png", "svg": f"figures/sensitivity_{v}.svg"},
        ),
        (
            consort,
            {},
            {"groups": t["groups"], "flow": t["enrollment"], "data": [], "allocated": []},
            {"png": "figures/consort.png", "svg": "figures/consort.svg"},
        ),
    ]

    def here(files, base):
        # a run's own file is read from (and written to) the given results folder; the trial's tables stay as they are
        return {
            k: (str(base / f) if isinstance(f, str) and not f.startswith("trials/") else f) for k, f in files.items()
        }

    written = []
    for step, extra, inputs, outputs in plan:
        name = step.__name__.rsplit(".", 1)[1]
        params = stage_arguments(config, name, trial) | extra
        step.run(Job.of(here(inputs, out), here(outputs, out), params, {"outcome": v}))
        written += list(outputs.values())
    assert len(written) == 34  # every output of the trial rules but the report and its table pages
    differ = [f for f in written if (out / f).read_bytes() != (_res(default_run) / f).read_bytes()]
    assert differ == []


def test_the_mmrm_of_a_trial_with_drop_out_equals_gls_emmeans(tmp_path):
    """The pipeline on the drop-out trial of tests/reference/mmrm.R: the MMRM's contrasts and type III
    tests equal nlme::gls + emmeans, and the report leads with the config's primary endpoint."""
    repo = _copy(tmp_path / "mmrm")
    snakemake(repo, "--configfile", "tests/data/mmrm_dropout.yaml")
    res, ref = _res(repo) / "tables", repo / "tests" / "reference" / "mmrm"
    mine = pd.read_csv(res / "mmrm_y.csv")
    theirs = pd.read_csv(ref / "unstructured_contrasts.csv")
    assert (mine.comparison.str.replace(" ", "") + mine.visit).tolist() == (theirs.comparison + theirs.visit).tolist()
    for col in ["estimate", "se", "ci_low", "ci_high"]:
        np.testing.assert_allclose(mine[col], theirs[col], rtol=1e-5, err_msg=col)
    np.testing.assert_allclose(mine.df, theirs.df, rtol=1e-3)
    terms = pd.read_csv(res / "mmrm_terms_y.csv")
    t3 = pd.read_csv(ref / "unstructured_type3.csv")
    assert terms.source.tolist() == ["baseline", "age", "arm", "time", "arm:time"]
    np.testing.assert_allclose(terms.F, t3.F, rtol=1e-4)
    np.testing.assert_allclose(terms.df2, t3.df2, rtol=1e-6)  # the control is the reference level, as in R
    text = " ".join((_res(repo) / "report" / "report.html").read_text().split())
    w12 = mine[mine.visit == "w12"].iloc[0]
    assert (
        "Score (points) (primary endpoint)</strong> at w12, MMRM on all observed visits, adjusted for baseline: "
        f"Low minus Placebo: {w12.estimate:.1f} (95 % CI {w12.ci_low:.1f} to {w12.ci_high:.1f})".replace("-", "−")
    ) in text


def test_a_categorical_covariate_enters_every_model_of_the_pipeline(tmp_path):
    """data.factors: site, a text column, is adjusted for as a factor by the ANCOVA, the LMM and the
    MMRM, equal to car + emmeans, lmerTest and gls + emmeans (tests/reference/mmrm.R)."""
    repo = _copy(tmp_path / "site")
    (repo / "site.yaml").write_text(
        "extends: tests/data/mmrm_dropout.yaml\ndata: {factors: [site]}\nanalysis: {covariates: [age, site]}\n"
    )
    snakemake(repo, "--configfile", "site.yaml")
    res, ref = _res(repo) / "tables", repo / "tests" / "reference" / "mmrm"
    mm = pd.read_csv(res / "mmrm_y.csv")
    np.testing.assert_allclose(mm.estimate, pd.read_csv(ref / "site_mmrm_contrasts.csv").estimate, rtol=1e-5)
    terms = pd.read_csv(res / "mmrm_terms_y.csv")
    t3 = pd.read_csv(ref / "site_mmrm_type3.csv")
    assert terms.source.tolist() == ["baseline", "age", "site", "arm", "time", "arm:time"]
    np.testing.assert_allclose(terms.df1, t3.df1)
    np.testing.assert_allclose(terms.df2, t3.df2, rtol=1e-3)
    lmm = pd.read_csv(res / "lmm_y.csv")
    lref = pd.read_csv(ref / "site_lmm_type3.csv")
    assert lmm.source.tolist()[:3] == ["base", "age", "site"]
    np.testing.assert_allclose(lmm.F, lref.F, rtol=1e-5)
    anc = pd.read_csv(res / "ancova_terms_y.csv")
    aref = pd.read_csv(ref / "site_ancova_terms.csv")
    assert anc[anc.visit == "w12"].source.tolist() == ["(Intercept)", "baseline", "age", "site", "arm", "Residuals"]
    np.testing.assert_allclose(anc.SS, aref.SS, rtol=1e-6)
    base = pd.read_csv(_res(repo) / "audit" / "baseline.csv")
    sites = base[base.kind == "categorical"]
    assert sites.variable.unique().tolist() == ["site: north", "site: south", "site: west"]
    assert "the % of the arm at that level" in (_res(repo) / "report" / "report.html").read_text()


def test_kenward_roger_df_from_the_config_equal_pbkrtest(tmp_path):
    """analysis.mmrm.df: kenward_roger with compound symmetry: the pipeline's MMRM tables equal
    pbkrtest on the random-intercept LMM (tests/reference/kenward_roger.R)."""
    repo = _copy(tmp_path / "kr")
    (repo / "kr.yaml").write_text(
        "extends: tests/data/mmrm_dropout.yaml\n"
        "analysis: {covariates: [age], mmrm: {covariance: compound_symmetry, df: kenward_roger}}\n"
    )
    snakemake(repo, "--configfile", "kr.yaml")
    res, ref = _res(repo, "kr"), repo / "tests" / "reference" / "kenward_roger"
    mm, theirs = pd.read_csv(res / "tables" / "mmrm_y.csv"), pd.read_csv(ref / "contrasts.csv")
    assert (mm.visit + mm.comparison.str.replace(" ", "")).tolist() == (theirs.visit + theirs.comparison).tolist()
    for col in ["se", "df"]:
        np.testing.assert_allclose(mm[col], theirs[col], rtol=1e-6, err_msg=col)
    terms = pd.read_csv(res / "tables" / "mmrm_terms_y.csv")
    t3 = pd.read_csv(ref / "type3.csv")
    assert terms.source.tolist() == ["baseline", "age", "arm", "time", "arm:time"]
    assert set(terms.df_method) == {"Kenward-Roger"}
    np.testing.assert_allclose(terms.F, t3.F, rtol=1e-6)
    np.testing.assert_allclose(terms.df2, t3.df2, rtol=1e-6)
    text = " ".join((res / "report" / "report.html").read_text().split())
    assert "Kenward-Roger df and the adjusted covariance of the estimates" in text
