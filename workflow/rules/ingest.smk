rule ingest:
    input:
        code=library_code("ingest"),
        raw=raw_data(),
    output:
        data="results/data/canonical.csv",
        provenance="results/data/provenance.json",
    params:
        design=design(),
        options=ingest_options(),
        provenance=provenance(),
    log:
        "results/logs/ingest.log",
    benchmark:
        "results/benchmarks/ingest.tsv"
    script:
        "../../scripts/ingest.py"
