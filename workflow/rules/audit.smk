rule audit:
    input:
        code=library_code("audit"),
        data="results/data/clean.csv",
        groups=published_tables()["groups"],
    output:
        allocation=report("results/audit/allocation.csv", caption="../report/allocation.rst", category="2 Audit", labels={"table": "allocation"}),
        baseline=report("results/audit/baseline.csv", caption="../report/baseline.rst", category="2 Audit", labels={"table": "baseline balance"}),
        labels=report("results/audit/group_labels.csv", caption="../report/group_labels.rst", category="2 Audit", labels={"table": "published group labels"}),
    params:
        design=design(),
        arm_from=config["reconstruction"].get("arm_from", "marker"),
    log:
        "results/logs/audit.log",
    benchmark:
        "results/benchmarks/audit.tsv"
    script:
        "../../scripts/audit.py"
