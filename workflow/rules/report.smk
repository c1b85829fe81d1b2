# The report is an explicit papermill rule (not the `notebook:` directive) so that the executed
# notebook and its HTML are real outputs.
rule report:
    input:
        code=library_code("report"),
        notebook="notebooks/report.ipynb",
        provenance="results/data/provenance.json",
        check="results/data/reconstruction_check.csv" if RECONSTRUCTED else [],
        cleaning_log="results/data/cleaning_log.csv",
        allocation="results/audit/allocation.csv",
        baseline="results/audit/baseline.csv",
        labels="results/audit/group_labels.csv",
        findings="results/audit/findings.csv",
        attrition="results/audit/attrition.csv",
        consort="results/figures/consort.png",
        replay="results/tables/published_vs_reproduced.csv" if TRIAL else [],
        anova=expand("results/tables/rm_anova_{outcome}.csv", outcome=OUTCOMES),
        detail=expand("results/tables/rm_anova_detail_{outcome}.csv", outcome=OUTCOMES),
        descriptives=expand("results/tables/descriptives_{outcome}.csv", outcome=OUTCOMES),
        ancova=expand("results/tables/ancova_{outcome}.csv", outcome=OUTCOMES) if ANCOVA else [],
        lmm=expand("results/tables/lmm_{outcome}.csv", outcome=OUTCOMES),
        mmrm=expand("results/tables/mmrm_{outcome}.csv", outcome=OUTCOMES),
        mmrm_terms=expand("results/tables/mmrm_terms_{outcome}.csv", outcome=OUTCOMES),
        contrasts=expand("results/tables/contrasts_{outcome}.csv", outcome=OUTCOMES),
        effects=expand("results/tables/effect_sizes_{outcome}.csv", outcome=OUTCOMES),
        sensitivity=expand("results/tables/sensitivity_{outcome}.csv", outcome=OUTCOMES),
        band=expand("results/tables/band_{outcome}.csv", outcome=OUTCOMES) if RECONSTRUCTED else [],
        replicates=replicate_tables(),
        figures=expand("results/figures/{outcome}.png", outcome=OUTCOMES),
        sensitivity_figures=expand("results/figures/sensitivity_{outcome}.png", outcome=OUTCOMES),
    output:
        notebook=report(
            "results/report/report.ipynb",
            caption="../report/report_notebook.rst",
            category="5 Report",
            labels={"document": "executed notebook"},
        ),
        html=report(
            "results/report/report.html",
            caption="../report/report.rst",
            category="5 Report",
            labels={"document": "report"},
        ),
    log:
        "results/logs/report.log",
    benchmark:
        "results/benchmarks/report.tsv"
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
            directory("results/report/tables"),
            patterns=["{name}.html"],
            caption="../report/table_pages.rst",
            category="6 Tables (rendered)",
        ),
    log:
        "results/logs/table_pages.log",
    benchmark:
        "results/benchmarks/table_pages.tsv"
    conda:
        "../envs/hiplbp.yaml"
    script:
        "../../scripts/table_pages.py"
