rule figures:
    input:
        code=library_code("figures"),
        data="results/data/clean.csv",
        provenance="results/data/provenance.json",
    output:
        png=report(
            "results/figures/{outcome}.png",
            caption="../report/figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "means", "format": "png"},
        ),
        svg=report(
            "results/figures/{outcome}.svg",
            caption="../report/figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "means", "format": "svg"},
        ),
    log:
        "results/logs/figures_{outcome}.log",
    benchmark:
        "results/benchmarks/figures_{outcome}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "figures", TRIAL_TABLES),
        outcome=outcome_def,
    script:
        "../../scripts/figures.py"


rule sensitivity_figure:
    input:
        code=library_code("sensitivity_figure"),
        table="results/tables/sensitivity_{outcome}.csv",
        provenance="results/data/provenance.json",
    output:
        png=report(
            "results/figures/sensitivity_{outcome}.png",
            caption="../report/sensitivity_figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "sensitivity", "format": "png"},
        ),
        svg=report(
            "results/figures/sensitivity_{outcome}.svg",
            caption="../report/sensitivity_figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "sensitivity", "format": "svg"},
        ),
    log:
        "results/logs/sensitivity_figure_{outcome}.log",
    benchmark:
        "results/benchmarks/sensitivity_figure_{outcome}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "sensitivity_figure", TRIAL_TABLES),
    script:
        "../../scripts/sensitivity_figure.py"


rule consort:
    input:
        code=library_code("consort"),
        # the trial's printed counts; without a trial, the data's own
        groups=published_tables()["groups"],
        flow=published_tables()["enrollment"],
        data=[] if TRIAL else "results/data/clean.csv",
        allocated=[] if TRIAL else "results/data/canonical.csv",
    output:
        png=report(
            "results/figures/consort.png",
            caption="../report/consort.rst",
            category="4 Figures",
            labels={"figure": "CONSORT flow", "format": "png"},
        ),
        svg=report(
            "results/figures/consort.svg",
            caption="../report/consort.rst",
            category="4 Figures",
            labels={"figure": "CONSORT flow", "format": "svg"},
        ),
    log:
        "results/logs/consort.log",
    benchmark:
        "results/benchmarks/consort.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "consort", TRIAL_TABLES),
    script:
        "../../scripts/consort.py"
