"""Seeds: every random step derives its own reproducible seed from the one seed in config."""

from __future__ import annotations

import hashlib


def derive_seed(seed: int, *names: object) -> int:
    """Derive an independent, reproducible seed for one random step.

    Every random step of the pipeline takes its seed from the single ``seed`` in config and its
    own name, so that adding a step (or a group) never shifts the random numbers of another.

    Parameters
    ----------
    seed : int
        The seed from config.
    *names : object
        The step's name and any further keys (group label, replicate number...).

    Returns
    -------
    int
        A 63-bit seed, the same for the same arguments on every platform.

    Examples
    --------
    >>> derive_seed(1, "reconstruct", "group A") == derive_seed(1, "reconstruct", "group A")
    True
    >>> derive_seed(1, "a") != derive_seed(1, "b")
    True
    """
    key = "\x1f".join([str(int(seed))] + [str(n) for n in names]).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") >> 1
