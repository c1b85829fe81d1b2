rule figures:
    input:
        code=library_code("figures"),
        data="results/data/clean.csv",
        provenance="results/data/provenance.json",
    output:
        png=report("results/figures/{outcome}.png", caption="../report/figure.rst", category="4 Figures", labels={"outcome": "{outcome}", "format": "png"}),
        svg=report("results/figures/{outcome}.svg", caption="../report/figure.rst", category="4 Figures", labels={"outcome": "{outcome}", "format": "svg"}),
    params:
        design=design(),
        outcome=outcome_def,
        ci_level=config["analysis"].get("ci_level", 0.95),
    log:
        "results/logs/figures_{outcome}.log",
    benchmark:
        "results/benchmarks/figures_{outcome}.tsv"
    script:
        "../../scripts/figures.py"
