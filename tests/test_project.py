"""Project hygiene: self-contained, licensed, citable, with a changelog."""

import ast
import json
import re
import subprocess
import tomllib

import jsonschema
import yaml
from conftest import REFERENCE, ROOT


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_nothing_reads_outside_the_repository():
    # A user's clone has nothing beside it: no path may climb out to a sibling folder.
    sibling = "shared"  # spelt apart so that this file does not match its own pattern
    pattern = re.compile(rf"\.\./{sibling}|HIPLBP_{sibling.upper()}|parents?\[\d\]\s*/\s*[\"']{sibling}")
    offenders = []
    for name in _tracked_files():
        path = ROOT / name
        if path.suffix in {".md", ".png", ".xlsx"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        offenders += [f"{name}:{i}" for i, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_every_reference_the_tests_use_is_in_the_repository():
    afex = REFERENCE / "afex"
    for name in ("shared1", "shared2"):
        for table in ("anova_type3", "anova_type2", "lmm_type3", "ancova_type3", "ancova_contrasts"):
            assert (afex / f"{name}_ref_{table}.csv").is_file()
        assert (ROOT / "tests" / "data" / f"{name}_long.csv").is_file()
    readme = (REFERENCE / "README.md").read_text()
    for fact in ("R 4.2.2", "afex 1.2-1", "lmerTest 3.1-3", "emmeans 1.8.4", "car 3.1-1", "reference.R"):
        assert fact in readme
    assert "tests/data" in (REFERENCE / "reference.R").read_text()
    assert (REFERENCE / "integrity" / "README.md").is_file()


def test_citation_cff_is_valid_cff_1_2_0():
    schema = json.loads((REFERENCE / "citation-cff-1.2.0.schema.json").read_text())
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    jsonschema.Draft7Validator(schema).validate(citation)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert citation["version"] == project["version"] and citation["license"] == project["license"]
    assert any(r.get("doi") == "10.1589/jpts.27.345" for r in citation["references"])


def test_an_invalid_citation_is_caught_by_the_schema():
    schema = json.loads((REFERENCE / "citation-cff-1.2.0.schema.json").read_text())
    bad = yaml.safe_load((ROOT / "CITATION.cff").read_text()) | {"cff-version": "1.2.0", "authors": []}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(bad))


def test_license_is_spdx_metadata_and_a_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog") and "keepachangelog.com" in text
    versions = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert versions[0] == "Unreleased"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] in versions
    for heading in re.findall(r"^### (.+)$", text, re.M):
        assert heading in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_ci_runs_the_readme_test_command_in_a_fresh_clone():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "git clone" in ci and "mktemp -d" in ci and "\nmake test\n" in ci
    # after the tests, the SLURM profile on a real cluster where the machine allows it (else it says why)
    assert ci.index("\nmake test\n") < ci.index(".ci/local-slurm.sh all") and "skipping the SLURM test" in ci
    assert "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: lint$", makefile, re.M)
    for tool in ("snakefmt --check", "ruff check", "ruff format --check", "mypy", "snakemake --lint"):
        assert tool in makefile


def _trial_words() -> set[str]:
    """Every word a trial brings: its group ids and labels, strata, arm descriptions, authors."""
    import pandas as pd

    words: set[str] = set()
    for folder in (ROOT / "trials").iterdir():
        if not (folder / "groups.csv").is_file():
            continue
        g = pd.read_csv(folder / "groups.csv", dtype=str, keep_default_na=False)
        for col in ("group", "label_as_printed", "stratum", "description", "marker_as_printed"):
            words |= set(g.get(col, pd.Series(dtype=str)))
        words |= set(pd.read_csv(folder / "outcomes.csv", dtype=str, keep_default_na=False)["outcome"])
        if (folder / "tests.csv").is_file():
            words |= set(pd.read_csv(folder / "tests.csv", dtype=str, keep_default_na=False)["claim"])
        if (folder / "config.yaml").is_file():
            config = yaml.safe_load((folder / "config.yaml").read_text())
            trial = config.get("trial", {})
            words |= set(trial.get("arms", {}).values()) | {trial.get("population", ""), trial.get("citation", "")}
            words |= {config.get("report", {}).get("title", "")}
    words |= {"Lee & Kim", "Ebadi", "KODI", "lumbar stabilization", "hip exercise"}
    return {w for w in words if len(w.strip()) >= 2}


def test_no_trial_text_in_the_library():
    words = _trial_words()
    # the words come from every trial folder's tables and config (an empty list would find nothing)
    assert {"CG II", "lumbar instability", "Placebo US", "KODI"} <= words and len(words) > 40
    offenders = []
    for path in sorted((ROOT / "src" / "hiplbp").rglob("*.py")):
        text = path.read_text()
        for word in words:
            if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text):
                offenders.append(f"{path.relative_to(ROOT)}: {word!r}")
    assert offenders == []


# `x.get(key, default)` (also `.get(key) or default`): a default restated outside the schema
_DEFAULTED_GET = re.compile(r"\.get\(\s*[^()]*?,[^()]*\)|\.get\([^()]*\)\s+or\s")


def test_the_workflow_and_scripts_restate_no_default():
    # the validated config has every default of the schema; the workflow reads it as it is
    files = [ROOT / "Snakefile", *sorted((ROOT / "workflow").rglob("*.smk")), *sorted((ROOT / "scripts").glob("*.py"))]
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if _DEFAULTED_GET.search(line.split("#", 1)[0])
    ]
    assert offenders == []


def test_the_default_guard_catches_what_it_names():
    for line in ('config["analysis"].get("alpha", 0.05)', "d.get('x') or []", "SCREEN.get( 'chunk' , 50 )"):
        assert _DEFAULTED_GET.search(line), line
    for line in ('snakemake.input.get("check")', 'os.environ.get("PYTHONPATH")'):
        assert not _DEFAULTED_GET.search(line), line


def _script_shape(tree: ast.Module) -> list[str]:
    """What a rule script does beyond handing its job to one step: one entry per extra statement."""
    extra = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        call = node.value if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) else None
        name = ast.unparse(call.func) if call else ""
        # the log first; the report's kernel also writes to file descriptor 2, so it is sent there too
        if name in ("log_to", "os.dup2") or name.endswith(".run"):
            continue
        extra.append(ast.unparse(node).splitlines()[0])
    return extra


def test_each_rule_script_only_hands_its_job_to_its_step():
    scripts = sorted((ROOT / "scripts").glob("*.py"))
    shapes = {}
    for path in scripts:
        tree = ast.parse(path.read_text())
        runs = [
            ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).endswith(".run")
        ]
        shapes[path.stem] = (runs, _script_shape(tree))
    expected = {name: ([f"{name}.run(Job.from_snakemake(snakemake))"], []) for name in shapes}
    assert shapes == expected
    # and every rule's script has its step module
    steps = {p.stem for p in (ROOT / "src" / "hiplbp" / "steps").glob("*.py")} - {"__init__", "job", "basis"}
    assert steps == set(shapes)


def test_the_script_guard_catches_logic_in_a_script():
    tree = ast.parse("from hiplbp.steps import band\nx = 1\nif x:\n    band.run(job)\nprint(x)\n")
    assert _script_shape(tree) == ["x = 1", "if x:", "print(x)"]


def _oversized(source: str, limit: int = 60, most: int = 8) -> list[str]:
    """Functions of ``source`` with more than ``limit`` lines of code (docstring, blanks and comments
    not counted) or more than ``most`` parameters (``self``/``cls`` not counted)."""
    lines, out = source.splitlines(), []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = node.body[1:] if ast.get_docstring(node) is not None else node.body
        code = [
            line
            for line in (lines[body[0].lineno - 1 : node.end_lineno] if body else [])
            if line.strip() and not line.strip().startswith("#")
        ]
        a = node.args
        names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs] + [p.arg for p in (a.vararg, a.kwarg) if p]
        params = len([n for n in names if n not in ("self", "cls")])
        if len(code) > limit or params > most:
            out.append(f"{node.name}: {len(code)} lines, {params} parameters")
    return out


def test_no_library_function_is_too_big_to_hold_in_mind():
    offenders = [
        f"{path.relative_to(ROOT)}: {o}"
        for path in sorted((ROOT / "src" / "hiplbp").rglob("*.py"))
        for o in _oversized(path.read_text())
    ]
    assert offenders == []


def test_the_size_guard_counts_code_and_parameters():
    long = "def f(a, b):\n    '''doc'''\n" + "    x = 1\n    # why\n\n" * 61
    many = "class C:\n    def m(self, a, b, c, d, e, f, g, h, *, i=0):\n        return a\n"
    assert _oversized(long) == ["f: 61 lines, 2 parameters"]
    assert _oversized(many) == ["m: 1 lines, 9 parameters"]
    assert _oversized(long, limit=61) == [] and _oversized(many, most=9) == []
