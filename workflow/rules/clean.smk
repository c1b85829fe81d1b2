rule clean:
    input:
        code=library_code("clean"),
        data=f"{RESULTS}/data/canonical.csv",
        changes=f"{RESULTS}/data/ingest_log.csv",
    output:
        data=report(
            f"{RESULTS}/data/clean.csv",
            caption="../report/clean.rst",
            category="1 Data",
            labels={"table": "clean data"},
        ),
        log=report(
            f"{RESULTS}/data/cleaning_log.csv",
            caption="../report/cleaning_log.rst",
            category="1 Data",
            labels={"table": "cleaning log"},
        ),
    log:
        f"{RESULTS}/logs/clean.log",
    benchmark:
        f"{RESULTS}/benchmarks/clean.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "clean", TRIAL_TABLES),
    script:
        "../../scripts/clean.py"
