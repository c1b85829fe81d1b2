rule clean:
    input:
        code=library_code("clean"),
        data="results/data/canonical.csv",
        changes="results/data/ingest_log.csv",
    output:
        data=report(
            "results/data/clean.csv",
            caption="../report/clean.rst",
            category="1 Data",
            labels={"table": "clean data"},
        ),
        log=report(
            "results/data/cleaning_log.csv",
            caption="../report/cleaning_log.rst",
            category="1 Data",
            labels={"table": "cleaning log"},
        ),
    log:
        "results/logs/clean.log",
    benchmark:
        "results/benchmarks/clean.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "clean", TRIAL_TABLES),
    script:
        "../../scripts/clean.py"
