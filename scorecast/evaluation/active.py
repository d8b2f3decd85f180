"""The active-evaluation loop, simulated: which evaluations of a new model teach most.

For each seed, some well-observed models (at least ``3 * steps`` scores) are
held out entirely and the method is fitted on the rest. Each held-out model's
observed tasks are split at random into a *pool* (evaluations one may run, at
least ``2 * steps``) and an *evaluation set* (what is predicted: a third of
the tasks, at least ``steps``). Starting from no known score, one evaluation at a time is
revealed from the pool, chosen by :func:`~scorecast.suggest.suggest_tasks`
(strategy ``active``), at random (``random``), or by simulated fold-ins
(``simulated``: the candidate that, revealed beside those already known, best
predicts the evaluation set's tasks of the *training* models folded in from the
same tasks, by ``simulation_method`` fitted in five folds over the training
models; see :mod:`scorecast.selection`); after each, the model is
folded in again from the revealed scores and its factors, without refitting,
and the mean absolute error on its evaluation set is recorded as
``mae_after_<k>``. Both strategies see the same models, pools and
evaluation sets.
"""

import warnings

import numpy as np
import pandas as pd
from joblib import delayed

from .._parallel import parallel
from ..errors import ScorecastError
from ..predictors._registry import make_predictor, parse_method, seeded
from ..selection import FoldInSimulation
from ..suggest import suggest_tasks, task_covariance
from .runner import RESULT_COLUMNS

__all__ = ["run_active", "active_advantage", "STRATEGIES", "ALL_STRATEGIES"]

#: The strategies run by default; ``simulated`` is run on request (see the module docs).
STRATEGIES = ("active", "random")
ALL_STRATEGIES = STRATEGIES + ("simulated",)
# Held-out models need 3 * steps scores: a pool of at least 2 * steps evaluations to choose
# from, and at least `steps` to predict. With smaller pools (say 5, picking 3) any two
# strategies end up choosing mostly the same tasks and cannot be told apart.
MIN_SCORES_FACTOR = 3


def _factors(table, model):
    row = table.model_factors.loc[model]
    return {name: value for name, value in row.items() if pd.notna(value)}


# Fewer training models run on a candidate than this, and its gain is not trusted.
_MIN_SUPPORT = 3


def _simulated_choice(simulation, known, pool, test):
    """The pool task whose reveal, beside `known`, most lowers the error on the `test` tasks
    of the training models run on it (each folded in from the same tasks; the gain is
    averaged over those models only, so a rarely run task is not diluted by the models
    it says nothing about). Ties and unsupported candidates: the first in table order."""
    before, _ = simulation.errors(known, test)
    observed = simulation.observed[simulation.rows]
    best, best_gain = None, -np.inf
    for j in pool:
        if known[j]:
            continue
        trial = known.copy()
        trial[j] = True
        after, _ = simulation.errors(trial, test)
        support = observed[:, j] & np.isfinite(before) & np.isfinite(after)
        gain = np.mean(before[support] - after[support]) if support.sum() >= _MIN_SUPPORT \
            else -np.inf
        if best is None or gain > best_gain:
            best, best_gain = j, gain
    return best


def _one_seed(table, method, seed, steps, n_models, strategies, simulation_method):
    rng = np.random.default_rng(seed)
    observed = table.observed
    eligible = np.flatnonzero(observed.sum(axis=1) >= MIN_SCORES_FACTOR * steps)
    rows = np.sort(rng.choice(eligible, min(n_models, len(eligible)), replace=False))
    raw = table.scores.to_numpy(dtype=float)
    hidden = raw.copy()
    hidden[rows] = np.nan
    name, params = parse_method(method)
    predictor = seeded(make_predictor(name, **params), seed, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predictor.fit(table.with_scores(hidden))
        covariance = task_covariance(predictor)
        if "simulated" in strategies:
            training = table.subset(models=table.models.delete(rows))
            simulation = FoldInSimulation(training, simulation_method, random_state=seed)
        errors = {strategy: np.zeros((len(rows), steps + 1)) for strategy in strategies}
        for r, i in enumerate(rows):
            model = table.models[i]
            tasks = rng.permutation(np.flatnonzero(observed[i]))
            cut = len(tasks) - max(steps, len(tasks) // 3)
            pool, test = tasks[:cut], tasks[cut:]
            factors = _factors(table, model)
            targets = list(table.tasks[test])
            order = rng.permutation(pool)           # the random strategy's order
            for strategy in strategies:
                known = {}
                for k in range(steps + 1):
                    predicted = predictor.predict_new_model(known=known, factors=factors,
                                                            check_scale=False)
                    scores = predicted["score"].to_numpy()
                    errors[strategy][r, k] = np.mean(np.abs(scores[test] - raw[i, test]))
                    if k == steps:
                        break
                    left = [table.tasks[j] for j in pool if table.tasks[j] not in known]
                    if strategy == "simulated":
                        test_mask = np.zeros(len(table.tasks), bool)
                        test_mask[test] = True
                        choice = table.tasks[_simulated_choice(
                            simulation, np.asarray(table.tasks.isin(list(known))), sorted(pool),
                            test_mask)]
                    elif strategy == "active":
                        choice = suggest_tasks(predictor, known=list(known), budget=1,
                                               candidates=left, targets=targets,
                                               covariance=covariance)["task"].iloc[0]
                    else:
                        choice = table.tasks[next(j for j in order
                                                  if table.tasks[j] not in known)]
                    known[choice] = raw[i, table.tasks.get_loc(choice)]
    return [("active", strategy, seed, f"mae_after_{k}", float(errors[strategy][:, k].mean()))
            for strategy in strategies for k in range(steps + 1)]


def run_active(table, method="auto", seeds=10, steps=5, n_models=10, n_jobs=None,
               strategies=STRATEGIES, simulation_method="mf"):
    """Simulate the active-evaluation loop (see the module documentation).

    Parameters
    ----------
    table : ScoreMatrix
    method : str, default="auto"
        The method predicting the new models (a spec such as ``mf:rank=2``).
    seeds : int, default=10
    steps : int, default=5
        Evaluations revealed one at a time; models need ``3 * steps`` scores.
    n_models : int, default=10
        Models held out per seed.
    n_jobs : int, optional
        joblib workers over seeds (default: one per core).
    strategies : tuple of str, default=STRATEGIES
        Any of :data:`ALL_STRATEGIES`.
    simulation_method : str, default="mf"
        The method of the ``simulated`` strategy's fold-ins (cheap: thousands per seed).

    Returns
    -------
    pandas.DataFrame
        Columns ``protocol, method, seed, metric, value``: protocol
        ``active``, method the strategy, metrics ``mae_after_0`` to
        ``mae_after_<steps>`` (mean over the held-out models, score points).
    """
    if seeds < 1:
        raise ScorecastError(f"seeds must be at least 1, not {seeds}")
    if not (table.observed.sum(axis=1) >= MIN_SCORES_FACTOR * steps).any():
        raise ScorecastError(f"the active protocol needs models with at least "
                             f"{MIN_SCORES_FACTOR * steps} scores (a pool of evaluations and "
                             "a set to predict)")
    unknown = [s for s in strategies if s not in ALL_STRATEGIES]
    if unknown or "random" not in strategies:
        raise ScorecastError(f"strategies must include 'random' and be among "
                             f"{', '.join(ALL_STRATEGIES)}, not {', '.join(strategies)}")
    with parallel(n_jobs) as run:
        records = run(delayed(_one_seed)(table, method, seed, steps, n_models,
                                         tuple(strategies), simulation_method)
                      for seed in range(seeds))
    return pd.DataFrame([r for seed_records in records for r in seed_records],
                        columns=RESULT_COLUMNS)


def active_advantage(results, after=3, level=0.9, n_boot=2000, random_state=0,
                     strategy="active"):
    """How much lower the active strategy's error is than random's, with a seed bootstrap.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`run_active`.
    after : int, default=3
        Compare ``mae_after_<after>``.
    level : float, default=0.9
        Level of the interval.
    n_boot : int, default=2000
        Bootstrap resamples of the seeds (paired: a seed's two strategies go together).
    random_state : int, default=0
    strategy : str, default="active"
        The strategy compared with random.

    Returns
    -------
    tuple of float
        ``(drop, lower, upper)``: ``1 - active / random`` of the mean errors over
        seeds, and the percentile interval of that ratio over resampled seeds
        (equal to ``drop`` with a single seed).
    """
    metric = f"mae_after_{after}"
    rows = results[results["metric"] == metric]
    if rows.empty:
        raise ScorecastError(f"no {metric} in the results")
    table = rows.pivot_table(index="seed", columns="method", values="value")
    active, random = table[strategy].to_numpy(), table["random"].to_numpy()
    drop = 1 - active.mean() / random.mean()
    picks = np.random.default_rng(random_state).integers(0, len(table), (n_boot, len(table)))
    drops = 1 - active[picks].mean(axis=1) / random[picks].mean(axis=1)
    tail = 100 * (1 - level) / 2
    lower, upper = np.percentile(drops, [tail, 100 - tail])
    return float(drop), float(lower), float(upper)
