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
        design=design(),
        outcome=outcome_def,
        ci_level=config["analysis"].get("ci_level", 0.95),
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
        alpha=config["analysis"].get("alpha", 0.05),
        design=design(),
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
        trial=trial_meaning(),
        text=trial_text(),
        arm_from=config["reconstruction"].get("arm_from", "marker"),
        strata_randomized="stratum" not in observed_factors(),
        design=design(),
        declared=config["data"].get("flow", {}),
        visits=[str(t) for t in config["design"]["time_levels"]],
    script:
        "../../scripts/consort.py"
