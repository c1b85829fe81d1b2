"""A rule's files, parameters and wildcards as plain values (what a step is given)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Named(dict):
    """A mapping whose keys are also attributes (``job.input.groups``), like Snakemake's named lists.

    Examples
    --------
    >>> files = Named({"groups": "trials/x/groups.csv", "tests": []})
    >>> files.groups, files.tests
    ('trials/x/groups.csv', [])
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"the job has no {name!r}; it has {', '.join(self) or 'nothing'}") from None


def _files(items: Iterable[tuple[str, Any]]) -> Named:
    """Named file entries as ``str`` (one file) or ``list[str]`` (several, possibly none)."""
    return Named((name, str(value) if isinstance(value, str) else [str(v) for v in value]) for name, value in items)


@dataclass(frozen=True)
class Job:
    """What a rule gives its step: named input and output files, parameters and wildcards.

    An optional input the rule leaves out is ``[]`` (Snakemake's empty input), so that a step tests
    it with ``if job.input.tests``.
    """

    input: Named
    output: Named
    params: Named = field(default_factory=Named)
    wildcards: Named = field(default_factory=Named)

    @classmethod
    def of(
        cls,
        input: Mapping[str, Any],  # noqa: A002  (Snakemake's word)
        output: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        wildcards: Mapping[str, str] | None = None,
    ) -> Job:
        """A job from plain mappings (a test's, or a run's without Snakemake)."""
        return cls(_files(input.items()), _files(output.items()), Named(params or {}), Named(wildcards or {}))

    @classmethod
    def from_snakemake(cls, smk: Any) -> Job:
        """The job of the running rule, from the ``snakemake`` object of its script."""
        return cls(
            _files(smk.input.items()),
            _files(smk.output.items()),
            Named(smk.params.items()),
            Named((k, str(v)) for k, v in smk.wildcards.items()),
        )
