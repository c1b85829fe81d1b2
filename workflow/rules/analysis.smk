rule analysis:
    input:
        code=library_code("analysis"),
        data="results/data/clean.csv",
        # reconstructed data: which cells rest on assumptions, for the descriptives' basis column
        raw="results/data/raw.csv" if RECONSTRUCTED else [],
        check="results/data/reconstruction_check.csv" if RECONSTRUCTED else [],
    output:
        anova=report(
            "results/tables/rm_anova_{outcome}.csv",
            caption="../report/rm_anova.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "mixed ANOVA"},
        ),
        detail=report(
            "results/tables/rm_anova_detail_{outcome}.csv",
            caption="../report/rm_anova_detail.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "mixed ANOVA, full"},
        ),
        descriptives=report(
            "results/tables/descriptives_{outcome}.csv",
            caption="../report/descriptives.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "descriptives"},
        ),
    log:
        "results/logs/analysis_{outcome}.log",
    benchmark:
        "results/benchmarks/analysis_{outcome}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "analysis", TRIAL_TABLES),
    script:
        "../../scripts/analysis.py"


rule models:
    input:
        code=library_code("models"),
        data="results/data/clean.csv",
    output:
        # the ANCOVA only where the design names a baseline visit (design.baseline not none)
        **(
            dict(
                ancova=report(
                    "results/tables/ancova_{outcome}.csv",
                    caption="../report/ancova.rst",
                    category="3 Analysis",
                    labels={"outcome": "{outcome}", "table": "ANCOVA treatment effects"},
                ),
                terms=report(
                    "results/tables/ancova_terms_{outcome}.csv",
                    caption="../report/ancova_terms.rst",
                    category="3 Analysis",
                    labels={"outcome": "{outcome}", "table": "ANCOVA type III"},
                ),
            )
            if ANCOVA
            else {}
        ),
        lmm=report(
            "results/tables/lmm_{outcome}.csv",
            caption="../report/lmm.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "linear mixed model"},
        ),
        mmrm=report(
            "results/tables/mmrm_{outcome}.csv",
            caption="../report/mmrm.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM arm comparisons"},
        ),
        mmrm_terms=report(
            "results/tables/mmrm_terms_{outcome}.csv",
            caption="../report/mmrm_terms.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM type III"},
        ),
        mmrm_means=report(
            "results/tables/mmrm_means_{outcome}.csv",
            caption="../report/mmrm_means.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM means"},
        ),
        mmrm_covariance=report(
            "results/tables/mmrm_covariance_{outcome}.csv",
            caption="../report/mmrm_covariance.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM covariance"},
        ),
    log:
        "results/logs/models_{outcome}.log",
    benchmark:
        "results/benchmarks/models_{outcome}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "models", TRIAL_TABLES),
    script:
        "../../scripts/models.py"


rule followup:
    input:
        code=library_code("followup"),
        data="results/data/clean.csv",
        raw="results/data/raw.csv" if RECONSTRUCTED else [],
        check="results/data/reconstruction_check.csv" if RECONSTRUCTED else [],
    output:
        contrasts=report(
            "results/tables/contrasts_{outcome}.csv",
            caption="../report/contrasts.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "contrasts"},
        ),
        effects=report(
            "results/tables/effect_sizes_{outcome}.csv",
            caption="../report/effect_sizes.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "effect sizes"},
        ),
    log:
        "results/logs/followup_{outcome}.log",
    benchmark:
        "results/benchmarks/followup_{outcome}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "followup", TRIAL_TABLES),
    script:
        "../../scripts/followup.py"
