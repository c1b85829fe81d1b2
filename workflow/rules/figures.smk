rule figures:
    input:
        code=library_code("figures"),
        data=f"{RESULTS}/data/clean.csv",
        provenance=f"{RESULTS}/data/provenance.json",
    output:
        png=report(
            f"{RESULTS}/figures/{{outcome}}.png",
            caption="../report/figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "means", "format": "png"},
        ),
        svg=report(
            f"{RESULTS}/figures/{{outcome}}.svg",
            caption="../report/figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "means", "format": "svg"},
        ),
    log:
        f"{RESULTS}/logs/figures_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figures_{{outcome}}.tsv"
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
        table=f"{RESULTS}/tables/sensitivity_{{outcome}}.csv",
        provenance=f"{RESULTS}/data/provenance.json",
    output:
        png=report(
            f"{RESULTS}/figures/sensitivity_{{outcome}}.png",
            caption="../report/sensitivity_figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "sensitivity", "format": "png"},
        ),
        svg=report(
            f"{RESULTS}/figures/sensitivity_{{outcome}}.svg",
            caption="../report/sensitivity_figure.rst",
            category="4 Figures",
            labels={"outcome": "{outcome}", "figure": "sensitivity", "format": "svg"},
        ),
    log:
        f"{RESULTS}/logs/sensitivity_figure_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/sensitivity_figure_{{outcome}}.tsv"
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
        data=[] if TRIAL else f"{RESULTS}/data/clean.csv",
        allocated=[] if TRIAL else f"{RESULTS}/data/canonical.csv",
    output:
        png=report(
            f"{RESULTS}/figures/consort.png",
            caption="../report/consort.rst",
            category="4 Figures",
            labels={"figure": "CONSORT flow", "format": "png"},
        ),
        svg=report(
            f"{RESULTS}/figures/consort.svg",
            caption="../report/consort.rst",
            category="4 Figures",
            labels={"figure": "CONSORT flow", "format": "svg"},
        ),
    log:
        f"{RESULTS}/logs/consort.log",
    benchmark:
        f"{RESULTS}/benchmarks/consort.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "consort", TRIAL_TABLES),
    script:
        "../../scripts/consort.py"
