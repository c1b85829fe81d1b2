rule audit:
    input:
        code=library_code("audit"),
        data=f"{RESULTS}/data/clean.csv",
        provenance=f"{RESULTS}/data/provenance.json",
        groups=published_tables()["groups"],
        characteristics=published_tables()["characteristics"],
        outcomes=published_tables()["outcomes"],
        enrollment=published_tables()["enrollment"],
        tests=published_tables()["tests"],
    output:
        allocation=report(
            f"{RESULTS}/audit/allocation.csv",
            caption="../report/allocation.rst",
            category="2 Audit",
            labels={"table": "allocation"},
        ),
        baseline=report(
            f"{RESULTS}/audit/baseline.csv",
            caption="../report/baseline.rst",
            category="2 Audit",
            labels={"table": "baseline balance"},
        ),
        labels=report(
            f"{RESULTS}/audit/group_labels.csv",
            caption="../report/group_labels.rst",
            category="2 Audit",
            labels={"table": "published group labels"},
        ),
        attrition=report(
            f"{RESULTS}/audit/attrition.csv",
            caption="../report/attrition.rst",
            category="2 Audit",
            labels={"table": "attrition"},
        ),
        findings=report(
            f"{RESULTS}/audit/findings.csv",
            caption="../report/findings.rst",
            category="2 Audit",
            labels={"table": "findings"},
        ),
    log:
        f"{RESULTS}/logs/audit.log",
    benchmark:
        f"{RESULTS}/benchmarks/audit.tsv"
    conda:
        "../envs/hiplbp.yaml"
    params:
        **stage_arguments(config, "audit", TRIAL_TABLES),
    script:
        "../../scripts/audit.py"
