rule reconstruct:
    input:
        code=library_code("reconstruct"),
        groups=published_tables()["groups"],
        characteristics=published_tables()["characteristics"],
        outcomes=published_tables()["outcomes"],
    output:
        raw=report(
            f"{RESULTS}/data/raw.csv",
            caption="../report/raw.rst",
            category="1 Data",
            labels={"table": "reconstructed raw data"},
        ),
        check=report(
            f"{RESULTS}/data/reconstruction_check.csv",
            caption="../report/reconstruction_check.rst",
            category="1 Data",
            labels={"table": "reconstruction check"},
        ),
    log:
        f"{RESULTS}/logs/reconstruct.log",
    benchmark:
        f"{RESULTS}/benchmarks/reconstruct.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "reconstruct", TRIAL_TABLES),
    script:
        "../../scripts/reconstruct.py"


rule replicates:
    input:
        code=library_code("replicates"),
        groups=published_tables()["groups"],
        characteristics=published_tables()["characteristics"],
        outcomes=published_tables()["outcomes"],
    output:
        spread=report(
            f"{RESULTS}/tables/replicates_{{outcome}}.csv",
            caption="../report/replicates.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "spread over reconstructions"},
        ),
    log:
        f"{RESULTS}/logs/replicates_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/replicates_{{outcome}}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "replicates", TRIAL_TABLES),
        outcome=outcome_def,
    script:
        "../../scripts/replicates.py"
