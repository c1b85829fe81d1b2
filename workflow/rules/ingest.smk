rule ingest:
    input:
        code=library_code("ingest"),
        raw=raw_data(),
    output:
        data="results/data/canonical.csv",
        changes="results/data/ingest_log.csv",
        provenance="results/data/provenance.json",
    log:
        "results/logs/ingest.log",
    benchmark:
        "results/benchmarks/ingest.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "ingest", TRIAL_TABLES),
    script:
        "../../scripts/ingest.py"
