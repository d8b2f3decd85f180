"""Which evaluation to run next: expected variance reduction per unit cost.

A model's scores on the tasks are treated as jointly Gaussian in per-task
standardised units, with the task-by-task covariance estimated (Ledoit-Wolf
shrinkage) from the fitted table completed by the predictor: observed scores
where known, predictions elsewhere. Given the tasks a model is known on,
evaluating task ``t`` as well would shrink the variance of each other missing
task ``u`` by ``Cov(u, t | known)^2 / (Var(t | known) + noise)``; in score
points that is multiplied by ``spread_u^2``. ``noise`` is the variance of a
score around what the method makes of it (the mean squared in-sample residual,
in standard units): a revealed score is a noisy reading, so conditioning on it
removes less than it would on an exact one, and the criterion stops counting
near-duplicate tasks as if they were perfectly informative. Summed over the other missing tasks, this is
the *expected gain* of evaluating ``t``: how much of the uncertainty about the
rest of the model's row it removes. Divided by the cost of ``t``, it ranks
the candidates; with a budget, tasks are picked greedily, each given the
ones picked before. Ranking models for one task works the same way with the
model-by-model covariance across tasks.

The Gaussian picture is a guide to *which* evaluation teaches most, not a
calibrated interval (for those, see :mod:`scorecast.intervals`).
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.covariance import LedoitWolf

from .errors import ScorecastError, quote_names
from .intervals import task_spread

__all__ = ["suggest_tasks", "suggest_models", "task_covariance"]


def _standardised_completion(predictor):
    """The completed table in per-task standard units, each task's spread, and the noise
    variance of a score in those units (see the module documentation)."""
    raw = predictor.train_scores_
    own = predictor.complete(keep_observed=False).to_numpy()
    observed = ~np.isnan(raw)
    completed = np.where(observed, raw, own)
    with warnings.catch_warnings():  # a task with no score takes its completed mean below
        warnings.simplefilter("ignore", RuntimeWarning)
        center = np.nanmean(raw, axis=0)
    center = np.where(np.isnan(center), completed.mean(axis=0), center)
    spread = task_spread(raw)
    # The mean squared in-sample residual of the observed scores.
    residual = ((raw - own) / spread)[observed]
    noise = float(np.mean(residual ** 2)) if residual.size else 0.0
    return (completed - center) / spread, spread, noise


def _costs(cost, names, what):
    out = np.ones(len(names))
    for name, value in (cost or {}).items():
        if name not in names:
            raise ScorecastError(f"cost given for unknown {what} {name!r}")
        value = float(value)
        if not value > 0:
            raise ScorecastError(f"the cost of {what} {name!r} must be positive, not {value:g}")
        out[names.get_loc(name)] = value
    return out


def _conditional(covariance, known, noise=0.0):
    """Covariance given noisy readings of the known coordinates (all coordinates kept)."""
    c = covariance.copy()
    for k in np.flatnonzero(known):
        if c[k, k] + noise > 1e-12:
            c = c - np.outer(c[:, k], c[k, :]) / (c[k, k] + noise)
    return c


def _rank(covariance, noise, known, candidates, weight, costs, budget, names, what,
          targets=None):
    """Candidates ordered by gain per cost: each on its own, or greedily up to `budget`."""
    if not candidates.any():
        raise ScorecastError(f"no {what} left to suggest: every one is already known")
    conditional = _conditional(covariance, known, noise)
    picked = np.zeros(len(known), bool)
    rows = []
    for _ in range(int(min(budget, candidates.sum())) if budget else 1):
        variance = np.clip(np.diag(conditional), 1e-12, None)
        rest = ~known & ~picked
        if targets is not None:
            rest &= targets
        # The variance each candidate t removes from every other missing coordinate u, in
        # score units; its own variance is not counted: it is the rest that is predicted.
        reduction = conditional ** 2 / (variance + noise)[None, :] * (weight * rest)[:, None]
        np.fill_diagonal(reduction, 0.0)
        gains = reduction.sum(axis=0)
        total = (variance * weight)[rest].sum()
        open_ = np.flatnonzero(candidates & ~picked)
        order = open_[np.lexsort((open_, -gains[open_] / costs[open_]))]
        if budget:
            order = order[:1]
        rows += [(names[t], costs[t], gains[t], gains[t] / costs[t],
                  float(np.sqrt(variance[t] * weight[t])),
                  total - gains[t] - rest[t] * variance[t] * weight[t]) for t in order]
        picked[order[0]] = True
        conditional = _conditional(conditional, np.eye(len(known), dtype=bool)[order[0]], noise)
    return pd.DataFrame(rows, columns=[what, "cost", "gain", "gain_per_cost", "sd",
                                       "remaining_variance"])


def task_covariance(predictor):
    """Task-by-task covariance (standard units) of the completed table, task spreads,
    and the noise variance of a score (see the module documentation)."""
    z, spread, noise = _standardised_completion(predictor)
    return LedoitWolf().fit(z).covariance_, spread, noise


def suggest_tasks(predictor, model=None, known=None, cost=None, budget=None, candidates=None,
                  targets=None, covariance=None):
    """Rank a model's missing tasks by the expected gain of evaluating them.

    Parameters
    ----------
    predictor : ScorePredictor
        Fitted.
    model : str, optional
        A fitted model (its observed tasks are known). Otherwise a new model
        known by `known`.
    known : dict or iterable of str, optional
        Tasks already evaluated for a new model (their scores do not matter
        to the variances).
    cost : dict of str to float, optional
        Cost of evaluating each task (e.g. GPU hours); 1 for tasks not given.
    budget : int, optional
        Pick this many tasks greedily, each given the ones picked before;
        default: rank every missing task by its own gain.
    candidates : iterable of str, optional
        Only these tasks may be proposed (default: every missing task).
    targets : iterable of str, optional
        The tasks whose predictions matter (default: every missing task): the
        gain counts the variance removed from these only.
    covariance : tuple, optional
        :func:`task_covariance` of the predictor, when it is already computed.

    Returns
    -------
    pandas.DataFrame
        Columns ``task, cost, gain, gain_per_cost, sd, remaining_variance``:
        ``gain`` is the expected reduction of the summed variance (score
        points squared) of the model's other missing tasks, ``sd`` the task's
        own standard deviation now, ``remaining_variance`` the summed variance
        of the others after evaluating it. Best first.
    """
    predictor._check_fitted()
    tasks = predictor.tasks_
    if model is not None:
        if model not in predictor.models_:
            raise ScorecastError(f"no model named {model!r}; use known= for a new model")
        is_known = ~np.isnan(predictor.train_scores_[predictor.models_.get_loc(model)])
    else:
        names = list(known or [])
        unknown = [t for t in names if t not in tasks]
        if unknown:
            raise ScorecastError(f"unknown task(s) {quote_names(unknown)}")
        is_known = tasks.isin(names)
    allowed = ~is_known
    if candidates is not None:
        allowed &= tasks.isin(list(candidates))
    covariance, spread, noise = covariance or task_covariance(predictor)
    wanted = None if targets is None else tasks.isin(list(targets))
    return _rank(covariance, noise, is_known, allowed, spread ** 2, _costs(cost, tasks, "task"),
                 budget, tasks, "task", wanted)


def suggest_models(predictor, task, cost=None, budget=None):
    """Rank the models without a score on `task` by the expected gain of evaluating them.

    Parameters are as for :func:`suggest_tasks`, with models and tasks swapped:
    the gain is the expected reduction of the summed variance of the other
    models' missing scores on `task`, through the model-by-model covariance
    across tasks.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, cost, gain, gain_per_cost, sd, remaining_variance``.
    """
    predictor._check_fitted()
    if task not in predictor.tasks_:
        raise ScorecastError(f"no task named {task!r}")
    j = predictor.tasks_.get_loc(task)
    is_known = ~np.isnan(predictor.train_scores_[:, j])
    z, spread, noise = _standardised_completion(predictor)
    covariance = LedoitWolf().fit(z.T).covariance_
    weight = np.full(len(predictor.models_), spread[j] ** 2)
    return _rank(covariance, noise, is_known, ~is_known, weight,
                 _costs(cost, predictor.models_, "model"), budget, predictor.models_, "model")
