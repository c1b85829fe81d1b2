"""The pins of requirements*.txt, environment.yml, the rules' conda env and the lock file agree."""

import re
from pathlib import Path

import yaml
from conftest import ROOT


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            package, version = line.split("==")
            pins[package.lower()] = version
    return pins


def _conda(path: Path) -> dict[str, str]:
    """Conda pins (name=version) and pip pins (name==version) of a conda environment file."""
    env = yaml.safe_load(path.read_text())
    pins = {}
    for dep in env["dependencies"]:
        deps = dep["pip"] if isinstance(dep, dict) else [dep]
        for d in deps:
            d = d.split("#", 1)[0].strip()
            if "=" in d and not d.startswith("python="):
                name, version = d.split("=", 1)
                pins[name.lower()] = version.lstrip("=")
    assert "python=3.11" in env["dependencies"], path
    return pins


def test_every_requirement_is_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-slurm.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.]*", line), (name, line)


def test_run_and_dev_pins_do_not_overlap():
    assert not set(_pins("requirements.txt")) & set(_pins("requirements-dev.txt"))


def test_environment_yml_pins_the_same_versions():
    pins = _pins("requirements.txt") | _pins("requirements-dev.txt") | _pins("requirements-slurm.txt")
    assert _conda(ROOT / "environment.yml") == pins


def test_every_rule_env_pins_the_run_versions():
    envs = sorted((ROOT / "workflow" / "envs").glob("*.yaml"))
    assert [e.name for e in envs] == ["hiplbp.yaml"]
    assert _conda(envs[0]) == _pins("requirements.txt")


def test_every_rule_declares_that_env():
    counted = 0
    for smk in (ROOT / "workflow" / "rules").glob("*.smk"):
        text = smk.read_text()
        rules = re.findall(r"^rule (\w+):", text, re.M)
        assert text.count('conda:\n        "../envs/hiplbp.yaml"') == len(rules), smk.name
        counted += len(rules)
    assert counted >= 18  # every rule of the trial run and the screen


def test_lock_file_agrees_with_the_pins():
    lock = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.strip().split("==")
            lock[name.lower().replace("_", "-")] = version
    pins = _pins("requirements.txt") | _pins("requirements-dev.txt") | _pins("requirements-slurm.txt")
    for name, version in pins.items():
        assert lock.get(name.replace("_", "-")) == version, name


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in (_pins("requirements.txt") | _pins("requirements-dev.txt")).items():
        assert version(name) == pinned, name
