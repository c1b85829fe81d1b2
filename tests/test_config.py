"""A run's config: `extends` chains resolved under the file that names them, errors in one line."""

from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from hiplbp.config import ConfigError, merge, resolve_extends


def test_a_config_is_laid_over_the_one_it_extends(tmp_path):
    (tmp_path / "base.yaml").write_text("a: 1\nb: {x: 1, y: 2}\nlist: [1, 2]\n")
    (tmp_path / "mid.yaml").write_text("extends: base.yaml\nb: {y: 3}\nlist: [9]\n")
    out = resolve_extends({"extends": "mid.yaml", "b": {"z": 4}}, tmp_path)
    assert out == {"a": 1, "b": {"x": 1, "y": 3, "z": 4}, "list": [9]}


def test_merge_replaces_lists_and_scalars_and_merges_mappings():
    assert merge({"a": {"x": [1]}, "b": 1}, {"a": {"x": [2]}, "b": {"c": 1}}) == {"a": {"x": [2]}, "b": {"c": 1}}


def test_extends_errors_name_the_file_and_key(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match=r"^b.yaml: key 'extends': a.yaml extends itself through a.yaml -> b.yaml$"):
        resolve_extends({"extends": "a.yaml"}, tmp_path)
    with pytest.raises(ConfigError, match=r"missing.yaml: config file not found$"):
        resolve_extends({"extends": "missing.yaml"}, tmp_path, origin="mine.yaml")
    with pytest.raises(ConfigError, match=r"^mine.yaml: key 'extends': expected the path of a config file, found 3$"):
        resolve_extends({"extends": 3}, tmp_path, origin="mine.yaml")


def test_the_default_run_is_the_lee2015_folder_config():
    root = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert resolve_extends(root, ROOT) == yaml.safe_load((ROOT / "trials" / "lee2015" / "config.yaml").read_text())


def test_every_trial_folder_config_names_its_own_folder():
    for config in sorted((ROOT / "trials").glob("*/config.yaml")):
        c = yaml.safe_load(config.read_text())
        assert Path(c["trial"]["folder"]) == config.parent.relative_to(ROOT)
