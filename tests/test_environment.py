"""The pins of requirements.txt, environment.yml and the lock file agree."""

import re

import yaml

from conftest import ROOT


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_every_requirement_is_pinned_exactly():
    text = (ROOT / "requirements.txt").read_text()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.]*", line), line


def test_environment_yml_pins_the_same_versions():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            conda[name.lower()] = version.lstrip("=")
    assert conda == _requirements()
    assert "python=3.11" in env["dependencies"]


def test_lock_file_agrees_with_the_pins():
    lock = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.strip().split("==")
            lock[name.lower().replace("_", "-")] = version
    for name, version in _requirements().items():
        assert lock.get(name.replace("_", "-")) == version, name


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in _requirements().items():
        assert version(name) == pinned, name
