"""How a run's configuration is assembled: a config file may build on another with ``extends``.

A run is described by one config file (the root ``config.yaml`` by default, or the user's
``--configfile``). So that a trial folder's ``config.yaml`` can be the single home of everything
about that trial, and many runs can share settings, a config may name another config file under
``extends``: that file is read first and this one is laid over it, key by key (nested mappings
merged, lists and scalars replaced, as Snakemake merges config files). Settings that no file
gives take the schema's defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

#: The config key naming the config file a config builds on.
EXTENDS = "extends"


class ConfigError(ValueError):
    """A config file that cannot be assembled; the message is one line naming the file and key."""


def merge(base: Mapping, over: Mapping) -> dict:
    """``over`` laid over ``base``: nested mappings merged key by key, anything else replaced.

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": 2}, "b": [1, 2]}, {"a": {"y": 3}, "b": [9]})
    {'a': {'x': 1, 'y': 3}, 'b': [9]}
    """
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a config file must be a mapping of keys, found {type(data).__name__}")
    return data


def resolve_extends(
    config: Mapping, root: Path | str = ".", read: Callable[[Path], dict] = _read_yaml, *, origin: str = "config"
) -> dict:
    """The config with every ``extends`` chain resolved (the key itself is removed).

    Parameters
    ----------
    config : mapping
        The run's config as given (may hold ``extends: <path>``).
    root : path
        Directory that ``extends`` paths are relative to (the working directory of the run, like
        every other path in config).
    read : callable
        Reads one config file into a dict (a parameter so that tests need no files).
    origin : str
        Where ``config`` came from, for error messages.

    Raises
    ------
    ConfigError
        A file that does not exist, is not a mapping, or a cycle of ``extends``.

    Examples
    --------
    >>> files = {Path("base.yaml"): {"a": 1, "b": {"x": 1}}}
    >>> resolve_extends({"extends": "base.yaml", "b": {"y": 2}}, read=files.__getitem__)
    {'a': 1, 'b': {'x': 1, 'y': 2}}
    """
    chain: list[str] = []
    layers = [dict(config)]
    current = config.get(EXTENDS)
    where = origin
    while current is not None:
        if not isinstance(current, str):
            raise ConfigError(f"{where}: key '{EXTENDS}': expected the path of a config file, found {current!r}")
        if current in chain:
            raise ConfigError(f"{where}: key '{EXTENDS}': {current} extends itself through {' -> '.join(chain)}")
        chain.append(current)
        layer = read(Path(root) / current)
        layers.append(layer)
        where, current = current, layer.get(EXTENDS)
    out: dict = {}
    for layer in reversed(layers):
        out = merge(out, {k: v for k, v in layer.items() if k != EXTENDS})
    return out
