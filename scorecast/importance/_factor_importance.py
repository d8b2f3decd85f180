"""`factor_importance`: Shapley values of the factors of a factor-aware network, over seeds."""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import delayed
from sklearn.base import clone

from .._parallel import parallel
from .._progress import progress as progress_report
from ..errors import ScorecastError
from ..evaluation.scoring import make_scoring
from ..evaluation.splits import random_cells
from ..predictors import make_predictor
from ..predictors._base import as_score_matrix
from ..predictors.neural import NeuralPredictor
from ._games import MASKINGS, FactorGame
from ._shapley import shapley_values

__all__ = ["FactorImportance", "factor_importance", "fitted_factor_importance",
           "SUPPORTED_METHODS"]

#: The methods whose games can be played: neural predictors with factor inputs.
SUPPORTED_METHODS = ("ncf-factors", "factors-only")
KINDS = ("model", "task")


@dataclass
class FactorImportance:
    """What :func:`factor_importance` found.

    Losses are mean squared errors of predicted scores on held-out cells,
    each task's errors divided by its score range; per-instance values are
    in score units.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per factor, most important first: ``factor``, ``kind``
        (``model`` or ``task``), ``importance`` (mean over seeds of the
        factor's Shapley value in the game "how much lower is the validation
        loss with these factors present than with none of its kind"; the
        importances of one kind sum to ``loss_none[kind] - loss_all``) and
        ``std`` (its standard deviation over seeds, NaN with one seed); with
        sampled permutations also ``se``, the sampling standard error of the
        mean.
    per_seed : pandas.DataFrame
        ``seed, kind, factor, importance, se`` (se is 0 for exact values).
    instances : pandas.DataFrame
        ``seed, kind, model, task, factor, value``: each held-out cell's
        Shapley values of its predicted score (the game: the score predicted
        with only these factors of its kind present). For a cell and kind,
        the values sum to ``prediction - baseline`` of `cells`.
    cells : pandas.DataFrame
        ``seed, kind, model, task, score, prediction, baseline``: the true
        score of each held-out cell, its prediction with every factor and
        with no factor of the kind.
    games : pandas.DataFrame
        ``seed, kind, loss_all, loss_none, evaluation, coalitions``: the
        validation loss with every factor and with none of the kind, whether
        the values are ``exact`` or ``sampled``, and the coalitions played.
    method, masking : str
    """

    table: pd.DataFrame
    per_seed: pd.DataFrame
    instances: pd.DataFrame
    cells: pd.DataFrame
    games: pd.DataFrame
    method: str
    masking: str

    @property
    def seeds(self):
        """The seeds played, in order."""
        return self.per_seed["seed"].unique().tolist()

    @property
    def loss_all(self):
        """Validation loss with every factor present, mean over seeds."""
        return float(self.games["loss_all"].mean())

    @property
    def loss_none(self):
        """Validation loss with no factor of a kind present, by kind, mean over seeds."""
        return self.games.groupby("kind", sort=False)["loss_none"].mean().to_dict()


def factor_importance(table, method="ncf-factors", seeds=5, masking="zero", validation=0.1,
                      params=None, n_references=10, exact_limit=14, n_permutations=256,
                      n_jobs=None, random_state=0, progress=False):
    """Shapley values of the model and task factors of a factor-aware network.

    The CPP paper's analysis (Zhang et al. 2024, section 5.3), done over
    seeds. For each seed, a share of the observed cells is held out, the
    method is fitted on the rest, and two games are played on the fitted
    networks, without refitting: the model factors' and the task factors'
    (the other kind stays present). A coalition's value is the validation
    loss with only its factors present; a factor's importance is its
    Shapley value in the loss *reduction*, so that bigger is more important.

    Parameters
    ----------
    table : ScoreMatrix
        Scores with model and/or task factors.
    method : {"ncf-factors", "factors-only"}, default="ncf-factors"
    seeds : int, default=5
        Splits and fits; the games of each seed run as one joblib job.
    masking : {"zero", "interventional"}, default="zero"
        What an absent factor becomes: ``zero`` (the paper's: its encoded
        inputs set to 0, the training mean of a numeric factor, the zero
        embedding of a categorical one) or ``interventional`` (the values of
        `n_references` models or tasks drawn from the table for each held-out
        cell, the prediction averaged over them: no input the network never
        saw, at `n_references` times the cost).
    validation : float, default=0.1
        Share of the observed cells held out in each seed
        (:func:`scorecast.evaluation.random_cells`).
    params : dict, optional
        Parameters of the method (e.g. ``{"n_networks": 1}``).
    n_references : int, default=10
        References per held-out cell for the interventional masking.
    exact_limit : int, default=14
        Games of at most this many factors enumerate every coalition; larger
        ones sample `n_permutations` orders of the factors.
    n_permutations : int, default=256
    n_jobs : int, optional
        joblib workers (default: one per core, or every worker of a cluster; 1
        runs in this process), on :mod:`scorecast._parallel`'s backend.
    random_state : int or None, default=0
        Seed of the seeds: of the splits, fits, references and permutations.
    progress : bool, default=False
        Show a progress bar over seeds.

    Returns
    -------
    FactorImportance

    Examples
    --------
    >>> from scorecast import datasets
    >>> from scorecast.importance import factor_importance
    >>> result = factor_importance(datasets.load("cpp-llm"), seeds=2)  # doctest: +SKIP
    >>> result.table.head(3)                                          # doctest: +SKIP
    """
    table = as_score_matrix(table)
    if masking not in MASKINGS:
        raise ScorecastError(f"unknown masking {masking!r}; use one of {', '.join(MASKINGS)}")
    predictor = _make(method, params)
    kinds = _kinds(table)
    if int(seeds) < 1:
        raise ScorecastError(f"seeds must be at least 1, not {seeds!r}")
    if not 0 < validation < 1:
        raise ScorecastError(f"validation must be between 0 and 1, not {validation!r}")
    if masking == "interventional" and int(n_references) < 1:
        raise ScorecastError(f"n_references must be at least 1, not {n_references!r}")
    seed_values = np.random.default_rng(random_state).integers(2 ** 31, size=int(seeds))
    spread = make_scoring(table).scale
    settings = dict(kinds=kinds, spread=spread, masking=masking, validation=validation,
                    n_references=n_references, exact_limit=exact_limit,
                    n_permutations=n_permutations)
    calls = (delayed(_play_seed)(table, predictor, int(seed), **settings)
             for seed in seed_values)
    parts, messages = [], {}
    with parallel(n_jobs, return_as="generator") as run, \
            progress_report(len(seed_values), "factor importance", "seed",
                            enabled=progress) as bar:
        for part, caught in run(calls):
            parts.append(part)
            messages.update(dict.fromkeys(caught))
            bar.update()
    for category, message in messages:
        warnings.warn(message, category, stacklevel=2)
    frames = {name: pd.concat([part[name] for part in parts], ignore_index=True)
              for name in parts[0]}
    return FactorImportance(_summary(frames["per_seed"], frames["games"]), method=method,
                            masking=masking, **frames)


def _kinds(table):
    """The kinds of factor the table has: the games to play."""
    kinds = [kind for kind, factors in zip(KINDS, (table.model_factor_kinds,
                                                   table.task_factor_kinds)) if factors]
    if not kinds:
        raise ScorecastError(f"{table.name} has no model or task factors: factor importance "
                             "needs factors to take away")
    return kinds


def _make(method, params):
    """The unfitted predictor, once it is known to be one whose factors can be taken away."""
    predictor = make_predictor(method)
    params = dict(params or {})
    unknown = [name for name in params if name not in predictor.get_params()]
    if unknown:
        raise ScorecastError(f"method {method!r} has no parameter {unknown[0]!r}; its "
                             f"parameters are {', '.join(sorted(predictor.get_params()))}")
    _check_method(predictor.set_params(**params), method)
    return predictor


def _check_method(predictor, method):
    if not predictor.uses_factors:
        raise ScorecastError(f"method {method!r} does not use factors; factor importance "
                             f"needs one of {', '.join(SUPPORTED_METHODS)}")
    if not isinstance(predictor, NeuralPredictor):
        raise ScorecastError(f"method {method!r} has no network to take factors away from; "
                             f"factor importance needs one of {', '.join(SUPPORTED_METHODS)}")


def _play_seed(table, predictor, seed, kinds, spread, masking, validation, n_references,
               exact_limit, n_permutations):
    """Split, fit and play the games of one seed.

    Returns the seed's frames (see `FactorImportance`) and the warnings raised,
    as (category, message) pairs: a worker's warnings would otherwise be lost.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        split = random_cells(table, validation, random_state=seed)
        fitted = clone(predictor).set_params(random_state=seed).fit(split.train)
        # The games' own stream: not the split's nor the fit's, though from the same seed.
        frames = _play(fitted, table, split.test, kinds, spread, masking, n_references,
                       exact_limit, n_permutations, np.random.default_rng([seed, 1]))
    return frames, [(w.category, str(w.message)) for w in caught]


def fitted_factor_importance(predictor, table, cells, masking="zero", n_references=10,
                             exact_limit=14, n_permutations=256, random_state=0):
    """Shapley values of the factors of a fitted predictor on given held-out cells.

    The games of :func:`factor_importance` for one fit, played without
    refitting: for a predictor fitted elsewhere, on a split of one's own.

    Parameters
    ----------
    predictor : NCFFactors or FactorsOnly
        Fitted on a table with the models and tasks of `table` (in its order)
        and the cells `cells` missing.
    table : ScoreMatrix
        The table holding the true scores of `cells`.
    cells : ndarray of int of shape (n_cells, 2)
        Held-out cells: rows and columns of `table`, e.g. ``Split.test``.
    masking, n_references, exact_limit, n_permutations
        As for :func:`factor_importance`.
    random_state : int, numpy.random.Generator or None, default=0
        Seed of the references and permutations.

    Returns
    -------
    FactorImportance
        With one seed, the predictor's ``random_state``.
    """
    table = as_score_matrix(table)
    if masking not in MASKINGS:
        raise ScorecastError(f"unknown masking {masking!r}; use one of {', '.join(MASKINGS)}")
    _check_method(predictor, predictor.method_name)
    predictor._check_fitted()
    if not (predictor.models_.equals(table.models) and predictor.tasks_.equals(table.tasks)):
        raise ScorecastError(f"the predictor was not fitted on the models and tasks of "
                             f"{table.name}, in its order")
    kinds = _kinds(table)
    cells = np.asarray(cells, dtype=np.int64).reshape(-1, 2)
    frames = _play(predictor, table, cells, kinds, make_scoring(table).scale, masking,
                   n_references, exact_limit, n_permutations, np.random.default_rng(random_state))
    return FactorImportance(_summary(frames["per_seed"], frames["games"]),
                            method=predictor.method_name, masking=masking, **frames)


def _play(fitted, table, cells, kinds, spread, masking, n_references, exact_limit,
          n_permutations, rng):
    """Play the games of each kind of factor on one fitted predictor; the frames of one seed."""
    scores = table.scores.to_numpy(dtype=float)[cells[:, 0], cells[:, 1]]
    records = {"per_seed": [], "instances": [], "cells": [], "games": []}
    for kind in kinds:
        game = FactorGame(fitted, KINDS.index(kind), cells, scores, spread, masking,
                          n_references, rng)
        shapley = shapley_values(game, game.n_players, exact_limit, n_permutations, rng)
        _record(records, fitted.random_state, kind, table, cells, scores, game, shapley)
    return {name: pd.concat(rows, ignore_index=True) for name, rows in records.items()}


def _record(records, seed, kind, table, cells, scores, game, shapley):
    """Add one game's results to the seed's lists of frames."""
    factors = [player.name for player in game.players]
    models, tasks = table.models[cells[:, 0]], table.tasks[cells[:, 1]]
    head = {"seed": seed, "kind": kind}
    # Column 0 is the loss game, the others the cells' predicted scores.
    records["per_seed"].append(pd.DataFrame({**head, "factor": factors,
                                             "importance": -shapley.values[:, 0],
                                             "se": shapley.se[:, 0]}))
    n_factors, n_cells = len(factors), len(cells)
    records["instances"].append(pd.DataFrame({
        **head, "model": np.tile(models, n_factors), "task": np.tile(tasks, n_factors),
        "factor": np.repeat(factors, n_cells), "value": shapley.values[:, 1:].ravel()}))
    records["cells"].append(pd.DataFrame({**head, "model": models, "task": tasks,
                                          "score": scores, "prediction": shapley.full[1:],
                                          "baseline": shapley.empty[1:]}))
    records["games"].append(pd.DataFrame({
        **head, "loss_all": [shapley.full[0]], "loss_none": [shapley.empty[0]],
        "evaluation": ["exact" if shapley.exact else "sampled"],
        "coalitions": [shapley.n_coalitions]}))


def _summary(per_seed, games):
    """Mean and spread over seeds of each factor's importance, most important first."""
    grouped = per_seed.groupby(["kind", "factor"], sort=False)
    table = grouped["importance"].agg(importance="mean", std="std").reset_index()
    table = table[["factor", "kind", "importance", "std"]]
    if (games["evaluation"] == "sampled").any():
        # Independent estimates: the variance of their mean is the mean variance / n.
        table["se"] = grouped["se"].agg(lambda se: np.sqrt(np.sum(se ** 2)) / len(se)).to_numpy()
    return table.sort_values("importance", ascending=False, kind="stable") \
        .reset_index(drop=True)
