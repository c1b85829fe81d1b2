rule audit:
    input:
        code=library_code("audit"),
        data="results/data/clean.csv",
        provenance="results/data/provenance.json",
        groups=published_tables()["groups"],
        characteristics=published_tables()["characteristics"],
        outcomes=published_tables()["outcomes"],
        enrollment=published_tables()["enrollment"],
        tests=published_tables()["tests"],
    output:
        allocation=report(
            "results/audit/allocation.csv",
            caption="../report/allocation.rst",
            category="2 Audit",
            labels={"table": "allocation"},
        ),
        baseline=report(
            "results/audit/baseline.csv",
            caption="../report/baseline.rst",
            category="2 Audit",
            labels={"table": "baseline balance"},
        ),
        labels=report(
            "results/audit/group_labels.csv",
            caption="../report/group_labels.rst",
            category="2 Audit",
            labels={"table": "published group labels"},
        ),
        attrition=report(
            "results/audit/attrition.csv",
            caption="../report/attrition.rst",
            category="2 Audit",
            labels={"table": "attrition"},
        ),
        findings=report(
            "results/audit/findings.csv",
            caption="../report/findings.rst",
            category="2 Audit",
            labels={"table": "findings"},
        ),
    log:
        "results/logs/audit.log",
    benchmark:
        "results/benchmarks/audit.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "audit", TRIAL_TABLES),
    script:
        "../../scripts/audit.py"
