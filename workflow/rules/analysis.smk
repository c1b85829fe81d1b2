rule analysis:
    input:
        code=library_code("analysis"),
        data="results/data/clean.csv",
        # reconstructed data: which cells rest on assumptions, for the descriptives' basis column
        raw="results/data/raw.csv" if RECONSTRUCTED else [],
        check="results/data/reconstruction_check.csv" if RECONSTRUCTED else [],
    output:
        anova=report("results/tables/rm_anova_{outcome}.csv", caption="../report/rm_anova.rst", category="3 Analysis", labels={"outcome": "{outcome}", "table": "mixed ANOVA"}),
        descriptives=report("results/tables/descriptives_{outcome}.csv", caption="../report/descriptives.rst", category="3 Analysis", labels={"outcome": "{outcome}", "table": "descriptives"}),
    params:
        design=design(),
        ss_type=config["analysis"].get("ss_type", 3),
        ci_level=config["analysis"].get("ci_level", 0.95),
    log:
        "results/logs/analysis_{outcome}.log",
    benchmark:
        "results/benchmarks/analysis_{outcome}.tsv"
    script:
        "../../scripts/analysis.py"
