# Screening: the audit of many trial folders in one DAG, in chunks (one job each), and one table.


rule screen_chunk:
    input:
        code=library_code("screen_chunk"),
        tables=chunk_files,
    output:
        findings="results/screen/chunks/{chunk}/findings.csv",
        trials="results/screen/chunks/{chunk}/trials.csv",
    log:
        "results/logs/screen_chunk_{chunk}.log",
    benchmark:
        "results/benchmarks/screen_chunk_{chunk}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        folders=lambda wildcards: CHUNKS[int(wildcards.chunk)],
        seed=SCREEN.get("seed", 1),
        draws=SCREEN.get("draws", 10000),
    script:
        "../../scripts/screen_chunk.py"


rule screen:
    input:
        code=library_code("screen"),
        findings=expand("results/screen/chunks/{chunk}/findings.csv", chunk=range(len(CHUNKS))),
        trials=expand("results/screen/chunks/{chunk}/trials.csv", chunk=range(len(CHUNKS))),
    output:
        findings="results/screen/findings.csv",
        trials="results/screen/trials.csv",
        png="results/screen/carlisle.png",
        svg="results/screen/carlisle.svg",
        page="results/screen/screen.html",
    log:
        "results/logs/screen.log",
    benchmark:
        "results/benchmarks/screen.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        title=SCREEN.get("title", "Screen of trials from their printed tables"),
    script:
        "../../scripts/screen.py"
