# Shared by the trial run and the screen: the jobs' library, and which of its files a rule uses.
import ast
import os
from pathlib import Path

# Every job imports the library from this checkout's src/, so a rule's conda env
# (workflow/envs/hiplbp.yaml) needs only the third-party pins and never a stale installed copy.
# (The workflow extends PYTHONPATH for its own jobs; it requires nothing from the user's environment,
# so there is nothing for an `envvars:` directive to assert.)
_SRC = str(Path(workflow.basedir) / "src")
os.environ.update(PYTHONPATH=os.pathsep.join(filter(None, (_SRC, os.environ.get("PYTHONPATH")))))


def library_code(script):
    """The library modules a rule script imports, directly or through other modules.

    Snakemake reruns a job when its script changes, but not when the library behind it does;
    listing these files as inputs closes that gap (a changed module reruns exactly the rules that
    use it). Subpackages count with every package on the way (their ``__init__.py``).
    """
    src = Path(workflow.basedir) / "src"

    def module_file(dotted):
        base = src.joinpath(*dotted.split("."))
        return next((f for f in (base.with_suffix(".py"), base / "__init__.py") if f.exists()), None)

    seen, todo = set(), [Path(workflow.basedir) / "scripts" / f"{script}.py"]
    while todo:
        path = todo.pop()
        # the package a relative import starts from
        package = list(path.relative_to(src).parent.parts) if src in path.parents else []
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                stem = package[: len(package) - node.level + 1] if node.level else []
                base = ".".join(stem + ([node.module] if node.module else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                parts = target.split(".")
                if parts[0] != "hiplbp":
                    continue
                for k in range(1, len(parts) + 1):
                    f = module_file(".".join(parts[:k]))
                    if f is not None and f not in seen:
                        seen.add(f)
                        todo.append(f)
    return sorted(str(f.relative_to(workflow.basedir)) for f in seen)
