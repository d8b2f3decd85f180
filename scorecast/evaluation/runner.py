"""Run a benchmark plan: every method on every fold of every seed, in parallel.

Each (fold, method) pair is one job for joblib; the folds of one run are pooled
before scoring. Workers run with warnings recorded, and the main process
reports each distinct warning once with the number of fits that raised it.
"""

import re
import time
import warnings
from collections import Counter

import numpy as np
import pandas as pd
from joblib import delayed

from .._parallel import parallel
from .._progress import progress as progress_report
from ..predictors._registry import make_predictor, parse_method, seeded

__all__ = ["run_benchmark", "summarize", "RESULT_COLUMNS"]

RESULT_COLUMNS = ["protocol", "method", "seed", "metric", "value"]
# A quoted list of names as scorecast's messages write it: 'a', 'b' and 3 more.
_NAME_LIST = re.compile(r"'[^']*'(?:, '[^']*')*(?: and \d+ more)?")


def _random_guess(split, seed):
    """Uniform draws between each task's lowest and highest training value."""
    values = split.train.scores.to_numpy()
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
    low = np.where(np.isnan(low), np.nanmin(values), low)
    high = np.where(np.isnan(high), np.nanmax(values), high)
    cols = split.test[:, 1]
    return np.random.default_rng(seed).uniform(low[cols], high[cols])


def _fit_predict(split, method, seed, levels=()):
    """Predictions of `method` for the held-out cells of `split`.

    Returns
    -------
    values : ndarray
    bounds : dict of level to (lower, upper)
        The interval bounds at each of `levels` (none for the random baseline).
    seconds : float
    messages : list of str
        The distinct warnings raised.
    """
    rows, cols = split.test.T
    bounds = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        if method == "random":
            values = _random_guess(split, seed)
        else:
            name, params = parse_method(method)
            predictor = seeded(make_predictor(name, **params), seed, verbose=False)
            full = predictor.fit(split.train).complete(keep_observed=False).to_numpy()
            values = full[rows, cols]
            if levels:       # the run's seed, also for methods that take none of their own
                predictor.calibrate(random_state=seed)
            for level in levels:
                cells = predictor.complete(keep_observed=False, interval=level)
                bounds[level] = tuple(cells[side].to_numpy().reshape(full.shape)[rows, cols]
                                      for side in ("lower", "upper"))
        seconds = time.perf_counter() - start
    return values, bounds, seconds, sorted({f"{method}: {w.message}" for w in caught})


def run_benchmark(plan, n_jobs=None, progress=True):
    """Run every method of `plan` on every fold and score the pooled predictions.

    Parameters
    ----------
    plan : Plan
        From :func:`~scorecast.evaluation.protocols.plan_benchmark`.
    n_jobs : int, optional
        joblib workers (default: one per core, or every worker of a cluster; 1
        runs in this process). The backend is :mod:`scorecast._parallel`'s.
    progress : bool, default=True
        Show a progress bar (a line every 30 s when stderr is not a terminal).

    Returns
    -------
    results : DataFrame
        Columns ``protocol, method, seed, metric, value`` (see
        :mod:`~scorecast.evaluation.scoring` for the metrics; ``seconds`` is
        the time to fit and predict, summed over folds).
    warnings : list of str
        Each distinct warning of the fits, with how many fits raised it.
    """
    jobs = [(r, f, method) for r, run in enumerate(plan.runs)
            for method in plan.methods for f in range(len(run.folds))]
    calls = (delayed(_job)(r, f, method, plan.runs[r].folds[f], plan.runs[r].seed, plan.levels)
             for r, f, method in jobs)
    done, notes = {}, Counter()
    # Results arrive in any order (and from any backend); each is filed under its job.
    with parallel(n_jobs, return_as="generator_unordered") as run, \
            progress_report(len(jobs), plan.protocol, "fit", enabled=progress) as bar:
        for key, values, bounds, seconds, messages in run(calls):
            done[key] = (values, bounds, seconds)
            notes.update(messages)
            bar.update()
    records = []
    for r, run in enumerate(plan.runs):
        cells = np.concatenate([fold.test for fold in run.folds])
        for method in plan.methods:
            values, bounds, seconds = zip(*(done[(r, f, method)] for f in range(len(run.folds))))
            metrics = plan.scoring.score(cells, np.concatenate(values), by=run.by)
            for level in plan.levels:
                if all(level in fold for fold in bounds):
                    lower, upper = (np.concatenate([fold[level][k] for fold in bounds])
                                    for k in range(2))
                    metrics.update(plan.scoring.interval_metrics(cells, lower, upper, level))
            metrics["seconds"] = sum(seconds)
            records += [(run.label, method, run.seed, name, value)
                        for name, value in metrics.items()]
    return pd.DataFrame(records, columns=RESULT_COLUMNS), _collapse(notes)


def _collapse(notes):
    """One line per kind of warning: messages differing only in names and counts are one."""
    kinds = {}
    for message, count in notes.items():
        kind = re.sub(r"\d+", "#", _NAME_LIST.sub("'...'", message))
        first, fits, variants = kinds.get(kind, (message, 0, 0))
        kinds[kind] = (first, fits + count, variants + 1)
    lines = []
    for first, fits, variants in kinds.values():
        similar = f"and {variants - 1} similar, " if variants > 1 else ""
        lines.append(f"{first} ({similar}{fits} fit{'s' * (fits > 1)})")
    return lines


def _job(r, f, method, split, seed, levels):
    return ((r, f, method),) + _fit_predict(split, method, seed, levels)


def summarize(results):
    """Mean and standard deviation over seeds of every (protocol, method, metric).

    Returns
    -------
    DataFrame
        Index (protocol, method, metric), columns ``mean``, ``std``, ``n``, in
        the order of first appearance.
    """
    grouped = results.groupby(["protocol", "method", "metric"], sort=False)["value"]
    return grouped.agg(["mean", "std", "count"]).rename(columns={"count": "n"})
