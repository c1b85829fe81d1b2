# Robustness of the conclusions to what the paper did not report, and the paper's own analysis.


rule sensitivity:
    input:
        code=library_code("sensitivity"),
        # published summaries for the reconstructed default; the data's own summaries otherwise
        groups=published_tables()["groups"] if RECONSTRUCTED else [],
        outcomes=published_tables()["outcomes"] if RECONSTRUCTED else [],
        data=[] if RECONSTRUCTED else f"{RESULTS}/data/clean.csv",
    output:
        table=report(
            f"{RESULTS}/tables/sensitivity_{{outcome}}.csv",
            caption="../report/sensitivity.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "sensitivity"},
        ),
    log:
        f"{RESULTS}/logs/sensitivity_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/sensitivity_{{outcome}}.tsv"
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
        raw=f"{RESULTS}/data/raw.csv" if RECONSTRUCTED else [],
    output:
        table=report(
            f"{RESULTS}/tables/published_vs_reproduced.csv",
            caption="../report/published_vs_reproduced.rst",
            category="2 Audit",
            labels={"table": "published vs reproduced"},
        ),
    log:
        f"{RESULTS}/logs/replay.log",
    benchmark:
        f"{RESULTS}/benchmarks/replay.tsv"
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
            f"{RESULTS}/tables/band_{{outcome}}.csv",
            caption="../report/band.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "band"},
        ),
    log:
        f"{RESULTS}/logs/band_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/band_{{outcome}}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "band", TRIAL_TABLES),
    script:
        "../../scripts/band.py"
