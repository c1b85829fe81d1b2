rule ingest:
    input:
        code=library_code("ingest"),
        raw=raw_data(),
    output:
        data=f"{RESULTS}/data/canonical.csv",
        changes=f"{RESULTS}/data/ingest_log.csv",
        provenance=f"{RESULTS}/data/provenance.json",
    log:
        f"{RESULTS}/logs/ingest.log",
    benchmark:
        f"{RESULTS}/benchmarks/ingest.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "ingest", TRIAL_TABLES),
    script:
        "../../scripts/ingest.py"
