# Robustness of the conclusions to what the paper did not report, and the paper's own analysis.


rule sensitivity:
    input:
        code=library_code("sensitivity"),
        # published summaries for the reconstructed default; the data's own summaries otherwise
        groups=published_tables()["groups"] if RECONSTRUCTED else [],
        outcomes=published_tables()["outcomes"] if RECONSTRUCTED else [],
        data=[] if RECONSTRUCTED else "results/data/clean.csv",
    output:
        table=report(
            "results/tables/sensitivity_{outcome}.csv",
            caption="../report/sensitivity.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "sensitivity"},
        ),
    log:
        "results/logs/sensitivity_{outcome}.log",
    benchmark:
        "results/benchmarks/sensitivity_{outcome}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "sensitivity", TRIAL_TABLES),
    script:
        "../../scripts/sensitivity.py"


rule replay:
    input:
        code=library_code("replay"),
        groups=published_tables()["groups"],
        characteristics=published_tables()["characteristics"],
        outcomes=published_tables()["outcomes"],
        tests=published_tables()["tests"],
        raw="results/data/raw.csv" if RECONSTRUCTED else [],
    output:
        table=report(
            "results/tables/published_vs_reproduced.csv",
            caption="../report/published_vs_reproduced.rst",
            category="2 Audit",
            labels={"table": "published vs reproduced"},
        ),
    log:
        "results/logs/replay.log",
    benchmark:
        "results/benchmarks/replay.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "replay", TRIAL_TABLES),
    script:
        "../../scripts/replay.py"


# What the printed tables leave open (correlation, rounding, overlap of patient sets, assumed
# cells), carried through every statistic recomputed from them; only for a trial read from its
# printed tables (with individual data nothing is open).
rule band:
    input:
        code=library_code("band"),
        groups=published_tables()["groups"],
        outcomes=published_tables()["outcomes"],
        tests=published_tables()["tests"],
        characteristics=published_tables()["characteristics"],
        changes=published_tables()["changes"],
    output:
        table=report(
            "results/tables/band_{outcome}.csv",
            caption="../report/band.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "band"},
        ),
    log:
        "results/logs/band_{outcome}.log",
    benchmark:
        "results/benchmarks/band_{outcome}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "band", TRIAL_TABLES),
    script:
        "../../scripts/band.py"
