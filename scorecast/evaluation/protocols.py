"""Benchmark protocols: which cells are held out, for which methods, seed by seed.

=============  =============================================================
``paper``      the CPP paper's Table 1: 5% of the observed cells held out at
               random (on cpp-llm, in the paper's normalisation)
``new-model``  models with k = 0 and 2 known scores (on cpp-llm: the paper's
               Table 4 models, held out four at a time, no two of a family
               together; elsewhere: 10% of the models drawn per seed)
``new-task``   tasks with k = 0 and 2 known models (on cpp-llm: the paper's
               Table 5 tasks; elsewhere: 10% of the tasks drawn per seed)
``pilot``      the paper's HELM pilot: 10%/90% and 50%/50% train/validation
``sparsity``   10% validation fixed, 0-80% of the training cells masked
``random``     a fraction of the observed cells (``fraction``, default 10%)
``frontier``   the 5 largest models by parameter count, k = 0 and 2 known
``family``     whole families held out (k = 0 known), in at most 10 groups
``calibration``  80% and 90% intervals on random 5% cells and on new models
               with k = 0, 1 and 2 known: coverage and mean width (points)
``active``     the evaluate-then-predict loop on new models: see
               :mod:`~scorecast.evaluation.active`
``subset``     the minimum evaluation set on held-out models: see
               :mod:`~scorecast.evaluation.subset`
=============  =============================================================

``known`` replaces the list of k of ``new-model``, ``new-task``,
``frontier`` and ``family``. Every seed gives its own split; several folds of
one seed (held-out groups) are pooled before scoring, so each (protocol,
method, seed) has one value per metric.
"""

from dataclasses import dataclass, field

import numpy as np

from ..errors import ScorecastError
from ..factors import parameter_factor
from ..predictors._registry import parse_method
from . import splits
from .paper import TABLE1, TABLE4, TABLE4_MODELS, TABLE5, TABLE5_TASKS
from .scoring import make_scoring

__all__ = ["PROTOCOLS", "BASELINES", "Run", "Plan", "plan_benchmark"]

PROTOCOLS = ("paper", "new-model", "new-task", "pilot", "sparsity", "random", "frontier",
             "family", "calibration", "active", "subset")
#: The interval levels the calibration protocol checks.
CALIBRATION_LEVELS = (0.8, 0.9)
#: Always run, for the rank metrics' sake: what chance and the task mean achieve.
BASELINES = ("random", "mean")
#: The dataset each paper protocol was run on, when none is given.
DEFAULT_DATASET = {"paper": "cpp-llm", "new-model": "cpp-llm", "new-task": "cpp-llm",
                   "pilot": "helm-core", "sparsity": "cpp-llm", "random": "cpp-llm",
                   "frontier": "cpp-llm", "family": "cpp-llm", "calibration": "cpp-llm",
                   "active": "cpp-llm", "subset": "cpp-llm"}
_GENERIC = ["additive", "mf", "soft-impute", "factors-ridge", "auto"]
DEFAULT_METHODS = {
    "paper": ["additive", "mf", "soft-impute", "ncf", "ncf-factors", "factors-only", "auto"],
    "new-model": ["mf", "ncf-factors", "factors-only", "factors-ridge", "scaling-law", "auto"],
    "new-task": ["mf", "ncf-factors", "factors-only", "auto"],
    # The paper's pilot: MF of dimension 7 and 10, and NCF.
    "pilot": ["additive", "mf", "mf:rank=7", "mf:rank=10", "soft-impute", "ncf", "auto"],
    "sparsity": ["additive", "mf", "soft-impute", "auto"],
    "random": _GENERIC,
    "frontier": _GENERIC + ["scaling-law"],
    "family": _GENERIC + ["scaling-law"],
    "calibration": ["mf", "auto"],
}
_MAX_FAMILY_FOLDS = 10


@dataclass
class Run:
    """One protocol variant on one seed: the folds whose held-out cells are pooled."""

    label: str
    seed: int
    folds: list
    by: str = None


@dataclass
class Plan:
    """Everything a benchmark will run.

    Attributes
    ----------
    protocol : str
    scoring : Scoring
    runs : list of Run
    methods : list of str
        Baselines first.
    reference : dict
        The paper's numbers for this protocol, if any: ``{"table": DataFrame,
        "by": "method" | "model" | "task"}``.
    levels : tuple of float
        Interval levels to score (the calibration protocol).
    notes : list of str
        Methods left out, and why.
    """

    protocol: str
    scoring: object
    runs: list
    methods: list
    reference: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    levels: tuple = ()


def _usable(method, table):
    """Why `method` cannot run on `table`, or None."""
    if method in BASELINES:
        return None
    if method == "scaling-law" and parameter_factor(table.model_factor_kinds) is None:
        return "it needs a parameter-count model factor"
    if method in ("ncf-factors", "factors-only", "factors-ridge") and \
            not (table.model_factor_kinds or table.task_factor_kinds):
        return "it needs model or task factors"
    return None


def _choose_methods(protocol, table, methods):
    notes = []
    if methods is None:
        chosen = []
        for method in DEFAULT_METHODS[protocol]:
            why = _usable(method, table)
            if why:
                notes.append(f"{method} left out: {why}")
            else:
                chosen.append(method)
    else:
        for method in methods:
            if method in BASELINES:
                continue
            why = _usable(parse_method(method)[0], table)
            if why:
                raise ScorecastError(f"method {method!r} cannot run on {table.name}: {why}")
        chosen = list(methods)
    return list(BASELINES) + [m for m in dict.fromkeys(chosen) if m not in BASELINES], notes


def _round_robin(names, size=4):
    """Groups of at most `size`, taking the names in turn (neighbours end up apart)."""
    n_groups = -(-len(names) // size)
    return [names[g::n_groups] for g in range(n_groups)]


def _runs(protocol, train, seed, known, fraction, paper, factors):
    """The runs of one seed."""
    if protocol == "paper":
        return [Run("paper", seed, [splits.random_cells(train, 0.05, seed)])]
    if protocol == "random":
        fraction = 0.1 if fraction is None else fraction
        return [Run(f"random {100 * fraction:g}%", seed,
                    [splits.random_cells(train, fraction, seed)])]
    if protocol == "pilot":
        return [Run(f"pilot {100 - v}/{v}", seed, [splits.random_cells(train, v / 100, seed)])
                for v in (90, 50)]
    if protocol == "sparsity":
        return [Run(f"sparsity {m}%", seed, [splits.sparsity(train, m / 100, 0.1, seed)])
                for m in range(0, 81, 10)]
    if protocol == "calibration":
        ks = (0, 1, 2) if known is None else (known,)
        return [Run("calibration random 5%", seed, [splits.random_cells(train, 0.05, seed)])] + [
            Run(f"calibration new-model k={k}", seed,
                [splits.new_models(train, k, random_state=seed)]) for k in ks]
    ks = (0, 2) if known is None else (known,)
    if protocol == "new-model":
        if paper:
            groups = _round_robin(list(TABLE4_MODELS.values()))
            return [Run(f"new-model k={k}", seed,
                        [splits.new_models(train, k, models=g, random_state=seed) for g in groups],
                        by="model") for k in ks]
        return [Run(f"new-model k={k}", seed, [splits.new_models(train, k, random_state=seed)])
                for k in ks]
    if protocol == "new-task":
        tasks = TABLE5_TASKS if paper else None
        return [Run(f"new-task k={k}", seed,
                    [splits.new_tasks(train, k, tasks=tasks, random_state=seed)],
                    by="task" if paper else None) for k in ks]
    if protocol == "frontier":
        return [Run(f"frontier k={k}", seed, [splits.largest_models(train, k, factor=factors[0],
                                                        random_state=seed)],
                    by="model") for k in ks]
    if protocol == "family":
        families = list(splits.model_families(train, factors[1]))
        if len(families) < 2:
            raise ScorecastError("the family protocol needs at least two families of two "
                                 "or more models")
        order = np.random.default_rng(seed).permutation(len(families))
        n_folds = min(_MAX_FAMILY_FOLDS, len(families))
        k = 0 if known is None else known
        return [Run(f"family k={k}", seed, [
            splits.leave_family_out(train, [families[i] for i in order[f::n_folds]], k,
                                    factor=factors[1], random_state=seed)
            for f in range(n_folds)])]
    raise ScorecastError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")


def plan_benchmark(table, protocol, *, seeds=10, methods=None, target="normalized",
                   fraction=None, known=None, paper=None, size_factor=None,
                   family_factor=None):
    """Lay out a benchmark: the training space, the splits of every seed, the methods.

    Parameters
    ----------
    table : ScoreMatrix
    protocol : str
        One of :data:`PROTOCOLS` (see the module documentation).
    seeds : int, default=10
        Seeds 0 to `seeds` - 1.
    methods : list of str, optional
        Method names, or specs with parameters such as ``mf:rank=7`` (see
        :func:`~scorecast.predictors._registry.parse_method`). Default: the
        protocol's own list (methods the table cannot serve are left out, with
        a note). The baselines ``random`` and ``mean`` are always added.
    target : {"normalized", "score", "rank"}
        What the methods train on (see :func:`~scorecast.evaluation.scoring.make_scoring`).
    fraction : float, optional
        Held-out share of the ``random`` protocol.
    known : int, optional
        The one k of the new-model, new-task, frontier and family protocols.
    paper : bool, optional
        Run the paper's own variant (its normalisation, models and tasks, and
        its numbers beside ours). Default: when the table is cpp-llm.
    size_factor, family_factor : str, optional
        The model factors holding the parameter count (``frontier``) and the
        family (``family``); default: found by name (see
        :func:`~scorecast.factors.parameter_factor`, :func:`~scorecast.factors.family_factor`).

    Returns
    -------
    Plan
    """
    if protocol not in PROTOCOLS:
        raise ScorecastError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
    if seeds < 1:
        raise ScorecastError(f"seeds must be at least 1, not {seeds}")
    if known is not None and known < 0:
        raise ScorecastError(f"--known must be 0 or more, not {known}")
    if protocol in ("active", "subset"):
        raise ScorecastError(f"the {protocol} protocol is run by "
                             f"scorecast.evaluation.{protocol}.run_{protocol}")
    paper = table.name == "cpp-llm" if paper is None else paper
    if protocol == "calibration":
        # Intervals are in score points: the methods train on the scores themselves.
        target, paper = "score", False
    scoring = make_scoring(table, target, paper=paper)
    chosen, notes = _choose_methods(protocol, table, methods)
    runs = [run for seed in range(seeds)
            for run in _runs(protocol, scoring.train, seed, known, fraction, paper,
                             (size_factor, family_factor))]
    reference = {}
    if paper and target == "normalized":
        reference = {"paper": {"table": TABLE1, "by": "method"},
                     "new-model": {"table": TABLE4, "by": "model"},
                     "new-task": {"table": TABLE5, "by": "task"}}.get(protocol, {})
    levels = CALIBRATION_LEVELS if protocol == "calibration" else ()
    return Plan(protocol, scoring, runs, chosen, reference, notes, levels)
