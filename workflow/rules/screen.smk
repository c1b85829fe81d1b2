# Screening: the audit of many trial folders in one DAG, in chunks (one job each), and one table.


rule screen_chunk:
    input:
        code=library_code("screen_chunk"),
        schema=RUN_SCHEMA,
        tables=chunk_files,
    output:
        findings="results/screen/chunks/{chunk}/findings.csv",
        trials="results/screen/chunks/{chunk}/trials.csv",
    log:
        "results/screen/logs/screen_chunk_{chunk}.log",
    benchmark:
        "results/screen/benchmarks/screen_chunk_{chunk}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        folders=lambda wildcards: CHUNKS[int(wildcards.chunk)],
        seed=SCREEN["seed"],
        draws=SCREEN["draws"],
    script:
        "../../scripts/screen_chunk.py"


rule screen:
    input:
        code=library_code("screen"),
        findings=expand("results/screen/chunks/{chunk}/findings.csv", chunk=range(len(CHUNKS))),
        trials=expand("results/screen/chunks/{chunk}/trials.csv", chunk=range(len(CHUNKS))),
        reports=list(own_reports().values()),
    output:
        findings="results/screen/findings.csv",
        trials="results/screen/trials.csv",
        png="results/screen/carlisle.png",
        svg="results/screen/carlisle.svg",
        page="results/screen/screen.html",
    log:
        "results/screen/logs/screen.log",
    benchmark:
        "results/screen/benchmarks/screen.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        title=SCREEN["title"],
        # each own report as the screening page links it (relative to results/screen/)
        reports={name: str(Path(path).relative_to("results/screen")) for name, path in own_reports().items()},
        not_run=NOT_RUN,
    script:
        "../../scripts/screen.py"


# screen.reports: each trial's own run is the trial workflow itself (this repository's Snakefile as a
# module, with the trial's config), its outputs moved under results/screen/trials/<name>/: the same
# jobs and the same files as `snakemake --configfile <folder>/config.yaml`, in the screen's DAG.
for OWN_RUN_NAME, OWN_RUN_CONFIG in OWN_RUNS.items():
    OWN_RUN_MODULE = own_run_rules(OWN_RUN_NAME) + "module"
    OWN_RUN_RULES = own_run_rules(OWN_RUN_NAME)

    module:
        name: OWN_RUN_MODULE
        snakefile:
            "../../Snakefile"
        config:
            OWN_RUN_CONFIG
        replace_prefix:
            {results_dir(OWN_RUN_CONFIG) + "/": own_run_dir(OWN_RUN_NAME) + "/"}

    use rule * from OWN_RUN_MODULE as OWN_RUN_RULES*
