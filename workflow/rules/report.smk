# The report is an explicit papermill rule (not the `notebook:` directive) so that the executed
# notebook and its HTML are real outputs.
rule report:
    input:
        code=library_code("report"),
        notebook="notebooks/report.ipynb",
        provenance=f"{RESULTS}/data/provenance.json",
        check=f"{RESULTS}/data/reconstruction_check.csv" if RECONSTRUCTED else [],
        cleaning_log=f"{RESULTS}/data/cleaning_log.csv",
        allocation=f"{RESULTS}/audit/allocation.csv",
        baseline=f"{RESULTS}/audit/baseline.csv",
        labels=f"{RESULTS}/audit/group_labels.csv",
        findings=f"{RESULTS}/audit/findings.csv",
        attrition=f"{RESULTS}/audit/attrition.csv",
        consort=f"{RESULTS}/figures/consort.png",
        replay=f"{RESULTS}/tables/published_vs_reproduced.csv" if TRIAL else [],
        anova=expand(f"{RESULTS}/tables/rm_anova_{{outcome}}.csv", outcome=OUTCOMES),
        detail=expand(f"{RESULTS}/tables/rm_anova_detail_{{outcome}}.csv", outcome=OUTCOMES),
        descriptives=expand(f"{RESULTS}/tables/descriptives_{{outcome}}.csv", outcome=OUTCOMES),
        ancova=expand(f"{RESULTS}/tables/ancova_{{outcome}}.csv", outcome=OUTCOMES) if ANCOVA else [],
        lmm=expand(f"{RESULTS}/tables/lmm_{{outcome}}.csv", outcome=OUTCOMES),
        mmrm=expand(f"{RESULTS}/tables/mmrm_{{outcome}}.csv", outcome=OUTCOMES),
        mmrm_terms=expand(f"{RESULTS}/tables/mmrm_terms_{{outcome}}.csv", outcome=OUTCOMES),
        contrasts=expand(f"{RESULTS}/tables/contrasts_{{outcome}}.csv", outcome=OUTCOMES),
        effects=expand(f"{RESULTS}/tables/effect_sizes_{{outcome}}.csv", outcome=OUTCOMES),
        sensitivity=expand(f"{RESULTS}/tables/sensitivity_{{outcome}}.csv", outcome=OUTCOMES),
        band=expand(f"{RESULTS}/tables/band_{{outcome}}.csv", outcome=OUTCOMES) if RECONSTRUCTED else [],
        replicates=replicate_tables(),
        figures=expand(f"{RESULTS}/figures/{{outcome}}.png", outcome=OUTCOMES),
        sensitivity_figures=expand(f"{RESULTS}/figures/sensitivity_{{outcome}}.png", outcome=OUTCOMES),
    output:
        notebook=report(
            f"{RESULTS}/report/report.ipynb",
            caption="../report/report_notebook.rst",
            category="5 Report",
            labels={"document": "executed notebook"},
        ),
        html=report(
            f"{RESULTS}/report/report.html",
            caption="../report/report.rst",
            category="5 Report",
            labels={"document": "report"},
        ),
    log:
        f"{RESULTS}/logs/report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "report", TRIAL_TABLES),
    script:
        "../../scripts/report.py"


# The tables rendered for `snakemake --report` (which shows HTML inline, but a CSV only as a download).
rule table_pages:
    input:
        code=library_code("table_pages"),
        tables=result_tables(),
    output:
        pages=report(
            directory(f"{RESULTS}/report/tables"),
            patterns=["{name}.html"],
            caption="../report/table_pages.rst",
            category="6 Tables (rendered)",
        ),
    log:
        f"{RESULTS}/logs/table_pages.log",
    benchmark:
        f"{RESULTS}/benchmarks/table_pages.tsv"
    conda:
        "../envs/hiplbp.yaml"
    script:
        "../../scripts/table_pages.py"
