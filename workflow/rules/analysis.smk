rule analysis:
    input:
        code=library_code("analysis"),
        data=f"{RESULTS}/data/clean.csv",
        # reconstructed data: which cells rest on assumptions, for the descriptives' basis column
        raw=f"{RESULTS}/data/raw.csv" if RECONSTRUCTED else [],
        check=f"{RESULTS}/data/reconstruction_check.csv" if RECONSTRUCTED else [],
    output:
        anova=report(
            f"{RESULTS}/tables/rm_anova_{{outcome}}.csv",
            caption="../report/rm_anova.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "mixed ANOVA"},
        ),
        detail=report(
            f"{RESULTS}/tables/rm_anova_detail_{{outcome}}.csv",
            caption="../report/rm_anova_detail.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "mixed ANOVA, full"},
        ),
        descriptives=report(
            f"{RESULTS}/tables/descriptives_{{outcome}}.csv",
            caption="../report/descriptives.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "descriptives"},
        ),
    log:
        f"{RESULTS}/logs/analysis_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/analysis_{{outcome}}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "analysis", TRIAL_TABLES),
    script:
        "../../scripts/analysis.py"


rule models:
    input:
        code=library_code("models"),
        data=f"{RESULTS}/data/clean.csv",
    output:
        # the ANCOVA only where the design names a baseline visit (design.baseline not none)
        **(
            dict(
                ancova=report(
                    f"{RESULTS}/tables/ancova_{{outcome}}.csv",
                    caption="../report/ancova.rst",
                    category="3 Analysis",
                    labels={"outcome": "{outcome}", "table": "ANCOVA treatment effects"},
                ),
                terms=report(
                    f"{RESULTS}/tables/ancova_terms_{{outcome}}.csv",
                    caption="../report/ancova_terms.rst",
                    category="3 Analysis",
                    labels={"outcome": "{outcome}", "table": "ANCOVA type III"},
                ),
            )
            if ANCOVA
            else {}
        ),
        lmm=report(
            f"{RESULTS}/tables/lmm_{{outcome}}.csv",
            caption="../report/lmm.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "linear mixed model"},
        ),
        mmrm=report(
            f"{RESULTS}/tables/mmrm_{{outcome}}.csv",
            caption="../report/mmrm.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM arm comparisons"},
        ),
        mmrm_terms=report(
            f"{RESULTS}/tables/mmrm_terms_{{outcome}}.csv",
            caption="../report/mmrm_terms.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM type III"},
        ),
        mmrm_means=report(
            f"{RESULTS}/tables/mmrm_means_{{outcome}}.csv",
            caption="../report/mmrm_means.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM means"},
        ),
        mmrm_covariance=report(
            f"{RESULTS}/tables/mmrm_covariance_{{outcome}}.csv",
            caption="../report/mmrm_covariance.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "MMRM covariance"},
        ),
    log:
        f"{RESULTS}/logs/models_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/models_{{outcome}}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "models", TRIAL_TABLES),
    script:
        "../../scripts/models.py"


rule followup:
    input:
        code=library_code("followup"),
        data=f"{RESULTS}/data/clean.csv",
        raw=f"{RESULTS}/data/raw.csv" if RECONSTRUCTED else [],
        check=f"{RESULTS}/data/reconstruction_check.csv" if RECONSTRUCTED else [],
    output:
        contrasts=report(
            f"{RESULTS}/tables/contrasts_{{outcome}}.csv",
            caption="../report/contrasts.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "contrasts"},
        ),
        effects=report(
            f"{RESULTS}/tables/effect_sizes_{{outcome}}.csv",
            caption="../report/effect_sizes.rst",
            category="3 Analysis",
            labels={"outcome": "{outcome}", "table": "effect sizes"},
        ),
    log:
        f"{RESULTS}/logs/followup_{{outcome}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/followup_{{outcome}}.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "followup", TRIAL_TABLES),
    script:
        "../../scripts/followup.py"
