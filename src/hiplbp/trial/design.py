"""The study design as the config describes it: visits, arms, strata, outcomes and factor names.

:class:`Design` is the one description of a trial's design that every stage reads, whether the
data are the trial's own or reconstructed from its printed tables.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

#: ``design.baseline`` of a design without a baseline visit (no ANCOVA, no change from baseline).
NO_BASELINE = "none"


def baseline_kind(baseline: object, time_levels: Sequence[object]) -> str:
    """What a ``design.baseline`` names, given the visits: ``"visit"``, ``"column"`` or ``"none"``.

    Examples
    --------
    >>> [baseline_kind(b, ["pre", "post"]) for b in ("pre", "bdi_pre", "none")]
    ['visit', 'column', 'none']
    """
    if str(baseline) == NO_BASELINE:
        return "none"
    return "visit" if str(baseline) in [str(t) for t in time_levels] else "column"


def within_cells(within: Mapping[str, Sequence[object]], separator: str = ".") -> dict[str, tuple[str, ...]]:
    """The visits of crossed within factors: each cell's label in the data, to its levels.

    The first factor varies slowest, as the columns of a wide table usually run (``pre.1`` ...
    ``pre.5``, ``post.1`` ...).

    Examples
    --------
    >>> within_cells({"phase": ["pre", "post"], "hour": [1, 2]})
    {'pre.1': ('pre', '1'), 'pre.2': ('pre', '2'), 'post.1': ('post', '1'), 'post.2': ('post', '2')}
    """
    levels = [[str(v) for v in values] for values in within.values()]
    return {separator.join(c): c for c in itertools.product(*levels)}


def marginal_label(factor: str, level: object) -> str:
    """The visit label of one level of a within factor averaged over the others, as emmeans prints
    its ``by`` groups.

    Examples
    --------
    >>> marginal_label("phase", "fup")
    'phase = fup'
    """
    return f"{factor} = {level}"


def marginal_labels(within: Mapping[str, Sequence[object]]) -> list[str]:
    """Every level of every within factor as a marginal visit label (:func:`marginal_label`).

    Examples
    --------
    >>> marginal_labels({"phase": ["pre", "post"], "hour": [1, 2]})
    ['phase = pre', 'phase = post', 'hour = 1', 'hour = 2']
    """
    return [marginal_label(f, v) for f, values in within.items() for v in values]


def arm_levels(arms: Mapping[str, object]) -> list[str]:
    """Every arm label of a ``design.arms`` mapping, in its order (a list of treatment arms in place).

    Examples
    --------
    >>> arm_levels({"control": "Control", "treatment": ["Diet", "DietEx"]})
    ['Control', 'Diet', 'DietEx']
    """
    out: list[str] = []
    for v in arms.values():
        out += [str(a) for a in v] if isinstance(v, (list, tuple)) else [str(v)]
    return out


def arm_mapping(arms: Mapping[str, object]) -> dict[str, str | list[str]]:
    """A ``design.arms`` mapping as text: each role's label, or the list of two or more treatment
    arms (a one-element list is its label).

    Examples
    --------
    >>> arm_mapping({"treatment": ["Diet", "DietEx"], "control": 3}), arm_mapping({"treatment": [1], "control": 2})
    ({'treatment': ['Diet', 'DietEx'], 'control': '3'}, {'treatment': '1', 'control': '2'})
    """
    out: dict[str, str | list[str]] = {}
    for role, value in arms.items():
        labels = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        out[str(role)] = labels[0] if len(labels) == 1 else labels
    return out


@dataclass(frozen=True)
class Design:
    """The study design as the config describes it.

    Attributes
    ----------
    time_levels : list of str
        Visit labels as written in the data, in time order.
    arms : dict
        ``{"treatment": label, "control": label}``; with three or more arms, ``"treatment"`` holds
        the list of the arms compared with control, in the config's order (:attr:`arm_levels`).
    strata : list of str
        Stratum labels; empty for a one-factor (arm only) design.
    outcomes : list of dict
        Outcome definitions: ``name, column, label, min, max, integer``.
    covariates : list of str
        Subject-level numeric columns carried along (e.g. age), named as in the data.
    factors : list of str
        Subject-level categorical columns carried along as text (e.g. sex, site; config
        ``data.factors``); a model takes one as a factor.
    factor_names : dict
        What the trial calls each canonical factor (``stratum``, ``arm``, ``time`` -> its own
        name), for labels; canonical names where not given.
    baseline : str or None
        Config ``design.baseline``: the visit the models adjust for and changes are measured from
        (the first of ``time_levels``), a column of the data the ANCOVA adjusts for (every visit is
        then an outcome), or ``"none"``: no baseline adjustment and no change from baseline
        (:attr:`baseline_kind`). ``None`` where the design does not say, and then every analysis
        that needs a baseline refuses.
    within : dict
        Two crossed within factors (config ``design.within``), each to its levels; the visits are
        then their cells (:func:`within_cells`). Empty for one within factor, the visits.
    within_separator : str
        What joins the levels in a cell's label.
    """

    time_levels: list[str]
    arms: dict[str, str | list[str]]
    strata: list[str] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    factor_names: dict[str, str] = field(default_factory=dict)
    factors: list[str] = field(default_factory=list)
    baseline: str | None = None
    within: dict[str, list[str]] = field(default_factory=dict)
    within_separator: str = "."

    @classmethod
    def from_config(cls, config: Mapping) -> Design:
        """Build a Design from the pipeline config (keys ``design`` and ``outcomes``)."""
        d = config["design"]
        return cls(
            time_levels=[str(t) for t in d["time_levels"]],
            arms=arm_mapping(d["arms"]),
            strata=[str(s) for s in (d.get("strata") or [])],
            outcomes=[dict(o) for o in config["outcomes"]],
            covariates=[str(c) for c in (d.get("covariates") or [])],
            factors=[str(c) for c in (d.get("factors") or [])],
            factor_names={str(k): str(v) for k, v in (d.get("factor_names") or {}).items()},
            baseline=str(d["baseline"]) if d.get("baseline") is not None else None,
            within={str(k): [str(v) for v in vs] for k, vs in (d.get("within") or {}).items()},
            within_separator=str(d.get("within_separator", ".")),
        )

    @property
    def within_factors(self) -> list[str]:
        """The within factors the repeated-measures models take: the two of :attr:`within`, else
        the visits (``time``)."""
        return list(self.within) if self.within else ["time"]

    def with_within(self, data: pd.DataFrame) -> pd.DataFrame:
        """``data`` with one ordered categorical column per within factor, read from each row's
        visit (its cell of :attr:`within`); ``data`` itself for one within factor.

        Examples
        --------
        >>> d = Design(["a.1", "a.2", "b.1", "b.2"], {"treatment": "t", "control": "c"},
        ...            within={"ab": ["a", "b"], "n": ["1", "2"]})
        >>> d.with_within(pd.DataFrame({"time": ["b.1", "a.2"]}))[["ab", "n"]].astype(str).values.tolist()
        [['b', '1'], ['a', '2']]
        """
        if not self.within:
            return data
        cells = within_cells(self.within, self.within_separator)
        out = data.copy()
        for i, (name, levels) in enumerate(self.within.items()):
            values = out["time"].astype(str).map({c: lv[i] for c, lv in cells.items()})
            out[name] = pd.Categorical(values, categories=levels, ordered=True)
        return out

    def marginal_cells(self) -> dict[str, list[str]]:
        """Each level of each within factor (:func:`marginal_label`), to the cells it averages
        over; empty for one within factor.

        Examples
        --------
        >>> d = Design(["a.1", "a.2", "b.1", "b.2"], {"treatment": "t", "control": "c"},
        ...            within={"ab": ["a", "b"], "n": ["1", "2"]})
        >>> d.marginal_cells()["n = 2"]
        ['a.2', 'b.2']
        """
        cells = within_cells(self.within, self.within_separator)
        return {
            marginal_label(name, level): [c for c, lv in cells.items() if lv[i] == level]
            for i, (name, levels) in enumerate(self.within.items())
            for level in levels
        }

    @property
    def baseline_kind(self) -> str:
        """What ``design.baseline`` names: ``"visit"``, ``"column"`` (of the data) or ``"none"``.

        Examples
        --------
        >>> arms = {"treatment": "a", "control": "b"}
        >>> [Design(["pre", "post"], arms, baseline=b).baseline_kind for b in ("pre", "bdi_pre", "none")]
        ['visit', 'column', 'none']
        """
        if self.baseline is None:
            raise ValueError(
                "the design names no baseline (config design.baseline); expected one of "
                + ", ".join(self.time_levels)
                + ", a column of the data, or none"
            )
        return baseline_kind(self.baseline, self.time_levels)

    @property
    def has_baseline(self) -> bool:
        """Whether the models adjust for a baseline (a visit or a column; ``design.baseline`` not ``none``)."""
        return self.baseline_kind != "none"

    @property
    def changes_from(self) -> str | None:
        """The visit changes are measured from: the baseline visit; ``None`` for a baseline column
        (not on the outcome's scale, necessarily) or without a baseline."""
        return self.baseline if self.baseline_kind == "visit" else None

    @property
    def baseline_visit(self) -> str:
        """The baseline visit, which the config names (``design.baseline``); never assumed.

        Examples
        --------
        >>> Design(["pre", "post"], {"treatment": "a", "control": "b"}, baseline="pre").baseline_visit
        'pre'
        >>> Design(["pre", "post"], {"treatment": "a", "control": "b"}, baseline="none").baseline_visit
        Traceback (most recent call last):
        ...
        ValueError: design.baseline is none: no analysis adjusts for, or measures change from, a baseline visit
        """
        kind = self.baseline_kind
        if kind != "visit":
            raise ValueError(
                f"design.baseline is {'none' if kind == 'none' else f'the column {self.baseline!r}'}: no analysis "
                "adjusts for, or measures change from, a baseline visit"
            )
        return str(self.baseline)

    @property
    def follow_up(self) -> list[str]:
        """The outcome visits: every visit after the baseline visit; every visit without one."""
        if self.baseline_kind != "visit":
            return list(self.time_levels)
        return self.time_levels[self.time_levels.index(self.baseline_visit) + 1 :]

    @property
    def arm_levels(self) -> list[str]:
        """Every arm's label, in the config's order (``design.arms``: its keys' order, and the order
        of a list of treatment arms).

        Examples
        --------
        >>> Design(["t0", "t1"], {"treatment": ["Diet", "DietEx"], "control": "Control"}).arm_levels
        ['Diet', 'DietEx', 'Control']
        """
        return arm_levels(self.arms)

    @property
    def control(self) -> str:
        """The control arm's label (``design.arms.control``)."""
        return str(self.arms["control"])

    @property
    def treatments(self) -> list[str]:
        """The arms compared with control, in the config's order."""
        return [a for a in self.arm_levels if a != self.control]

    def comparisons(self, pairwise: bool = False) -> list[tuple[str, str]]:
        """The arm comparisons ``(a, b)``, each estimated as ``a - b``: every treatment arm against
        control, or every pair of arms (``a`` before ``b`` in :attr:`arm_levels`, as emmeans'
        ``pairwise``).

        Examples
        --------
        >>> d = Design(["t0", "t1"], {"treatment": ["Diet", "DietEx"], "control": "Control"})
        >>> d.comparisons()
        [('Diet', 'Control'), ('DietEx', 'Control')]
        >>> d.comparisons(pairwise=True)
        [('Diet', 'DietEx'), ('Diet', 'Control'), ('DietEx', 'Control')]
        """
        if pairwise:
            levels = self.arm_levels
            return [(a, b) for i, a in enumerate(levels) for b in levels[i + 1 :]]
        return [(t, self.control) for t in self.treatments]

    @property
    def arm_roles(self) -> dict[str, str]:
        """Each arm's key in tables of the flow and in the config's arm texts, to its label: the
        roles ``treatment`` and ``control`` of two arms; each label itself with more arms.

        Examples
        --------
        >>> Design(["t0", "t1"], {"treatment": ["Diet", "DietEx"], "control": "Control"}).arm_roles
        {'Diet': 'Diet', 'DietEx': 'DietEx', 'Control': 'Control'}
        """
        if len(self.arm_levels) == 2:
            return {"treatment": self.treatments[0], "control": self.control}
        return {a: a for a in self.arm_levels}

    @property
    def two_arms(self) -> dict[str, str]:
        """``{"treatment": label, "control": label}`` of a two-arm design, for the analyses of
        printed tables, which compare two arms.

        Raises
        ------
        ValueError
            With three or more arms.
        """
        if len(self.arm_levels) != 2:
            raise ValueError(
                f"design.arms: {len(self.arm_levels)} arms ({', '.join(self.arm_levels)}); this analysis compares "
                "two arms (a treatment and control)"
            )
        return {"treatment": self.treatments[0], "control": self.control}

    def name(self, factor: str) -> str:
        """The trial's own name of a canonical factor (``stratum``, ``arm``, ``time``)."""
        return self.factor_names.get(factor, factor)

    def effect_label(self, source: str) -> str:
        """An effect of the canonical tables (``arm:time``) in the trial's own factor names.

        Examples
        --------
        >>> d = Design(["t0", "t1"], {"treatment": "a", "control": "b"}, factor_names={"arm": "drug"})
        >>> d.effect_label("arm:time"), d.effect_label("(Intercept)")
        ('drug × time', '(Intercept)')
        """
        return " × ".join(self.name(f) for f in source.split(":"))

    def label_effects(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with an ``effect`` column after ``source``: each effect in the trial's own names."""
        out = table.copy()
        out.insert(out.columns.get_loc("source") + 1, "effect", out["source"].astype(str).map(self.effect_label))
        return out

    @property
    def between(self) -> list[str]:
        """Between-subject factors of the canonical table, in model order."""
        return (["stratum"] if self.strata else []) + ["arm"]

    @property
    def outcome_names(self) -> list[str]:
        """Canonical outcome column names."""
        return [o["name"] for o in self.outcomes]
