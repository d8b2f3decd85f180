"""The minimum evaluation set, tested on models it was not chosen on.

For each seed, a fifth of the models (with at least two scores) is set aside as
*test* models. On the other models alone, :func:`~scorecast.selection.select_tasks`
chooses sets of 1 to ``max_size`` tasks (its own simulation, five folds). Then the
method is fitted on those other models, and each test model is folded in from its
scores on a set and judged on its other scores (mean absolute error per model,
averaged over the test models), for three kinds of set of each size:

``chosen``
    the selected set;
``most-observed``
    the tasks run on the most models (counted on the selection models);
``random``
    ``n_random`` sets drawn at random; the median of their errors.

``expected`` is the error the selection itself predicted for its set (on the
selection models, where it was chosen: optimistic).
"""

import numpy as np
import pandas as pd
from joblib import delayed

from .._parallel import parallel
from ..errors import ScorecastError
from ..selection import FoldInSimulation, select_tasks
from .runner import RESULT_COLUMNS

__all__ = ["run_subset", "STRATEGIES", "chosen_sets"]

STRATEGIES = ("chosen", "expected", "most-observed", "random")


def _one_seed(table, method, seed, max_size, test_share, n_random):
    rng = np.random.default_rng(seed)
    eligible = np.flatnonzero(table.observed.sum(axis=1) >= 2)
    test = np.sort(rng.choice(eligible, max(2, int(round(test_share * len(eligible)))),
                              replace=False))
    train = table.subset(models=table.models.delete(test))
    chosen = select_tasks(train, max_size, method, n_random=0, random_state=seed)
    evaluation = FoldInSimulation(table, method, folds=[test], random_state=seed)
    counts = train.observed.sum(axis=0)
    most = np.lexsort((np.arange(len(counts)), -counts))
    tasks = table.tasks

    def error(members):
        errors, _ = evaluation.errors(np.asarray(tasks.isin(members)))
        return float(np.nanmean(errors))

    records, sets = [], []
    for row in chosen.itertuples():
        k, members = row.k, row.tasks.split(";")
        sets.append(members)
        randoms = [error(list(tasks[rng.choice(len(tasks), k, replace=False)]))
                   for _ in range(n_random)]
        label = f"subset k={k}"
        records += [(label, "chosen", seed, "mae", error(members)),
                    (label, "expected", seed, "mae", float(row.mae)),
                    (label, "most-observed", seed, "mae", error(list(tasks[most[:k]]))),
                    (label, "random", seed, "mae", float(np.median(randoms)))]
    return records, sets


def run_subset(table, method="mf", seeds=10, max_size=8, test_share=0.2, n_random=20,
               n_jobs=None):
    """Test the chosen sets against most-observed and random ones (module documentation).

    Parameters
    ----------
    table : ScoreMatrix
    method : str or ScorePredictor, default="mf"
    seeds : int, default=10
    max_size : int, default=8
        Sets of 1 to `max_size` tasks.
    test_share : float, default=0.2
        Share of the models set aside per seed.
    n_random : int, default=20
        Random sets of each size per seed.
    n_jobs : int, optional
        joblib workers over seeds (default: one per core, or every worker of a
        cluster), on :mod:`scorecast._parallel`'s backend.

    Returns
    -------
    results : pandas.DataFrame
        Columns ``protocol, method, seed, metric, value``: protocol ``subset k=<k>``,
        method one of :data:`STRATEGIES`, metric ``mae`` (score units).
    sets : dict of int to list
        Per seed, the chosen set of each size (lists of task names).
    """
    if seeds < 1:
        raise ScorecastError(f"seeds must be at least 1, not {seeds}")
    if not 1 <= max_size < len(table.tasks):
        raise ScorecastError(f"the subset protocol needs sets of 1 to {max_size} tasks out of "
                             f"{len(table.tasks)}: too few tasks")
    if (table.observed.sum(axis=1) >= 2).sum() < 10:
        raise ScorecastError("the subset protocol needs at least 10 models with 2 or more "
                             "scores")
    with parallel(n_jobs) as run:
        out = run(delayed(_one_seed)(table, method, seed, max_size, test_share, n_random)
                  for seed in range(seeds))
    results = pd.DataFrame([r for records, _ in out for r in records], columns=RESULT_COLUMNS)
    return results, {seed: sets for seed, (_, sets) in enumerate(out)}


def chosen_sets(sets, size):
    """How often each task is in the chosen set of `size`, over seeds (most often first)."""
    return pd.Series([t for per_seed in sets.values() if len(per_seed) >= size
                      for t in per_seed[size - 1]], dtype=object).value_counts()
