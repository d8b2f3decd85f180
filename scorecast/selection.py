"""Which tasks to run on every new model: a minimum evaluation set, and how predictable each
task is from the others.

Both answers come from simulating new models on the table itself. The models are
split into folds; for each fold the method is fitted on the other models only, and
each model of the fold is folded in again (without refitting, from a chosen part of
its own scores and its factors), like a new model. A candidate set of tasks is
judged by the error of those predictions on the model's *other* scores: keep a
held-out model's scores on the set, fold it in, compare with what it really scored
elsewhere. Scores a model does not have cannot be simulated: a held-out model known
on only part of the set is folded in from that part, and the table's holes count
against a set of rarely run tasks (``coverage`` says how much of the set the
held-out models had).

:func:`select_tasks` grows the set greedily (the task that lowers the error most,
per unit of cost when tasks have costs), with a swap pass after each step
(exchange a chosen task for another while that lowers the error), beside random
sets of the same size. :func:`task_predictability` predicts each observed score of
a held-out model from its other scores.

Fold-ins are cached per model and known tasks, so a candidate that a model was
never run on costs nothing for that model.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from tqdm.auto import tqdm

from .errors import ScorecastError, quote_names
from .predictors._base import ScorePredictor
from .predictors._registry import make_predictor, parse_method, seeded
from .intervals import task_spread  # after the predictors, which it imports

__all__ = ["select_tasks", "task_predictability", "FoldInSimulation", "SELECTION_COLUMNS",
           "PREDICTABILITY_COLUMNS"]

#: Columns of :func:`select_tasks`' result (also the ``-o`` file of ``suggest --subset``).
SELECTION_COLUMNS = ["k", "added", "tasks", "mae", "median_ae", "mae_sd", "random_mae", "gain",
                     "cost", "n_models", "coverage"]
#: Columns of :func:`task_predictability`'s result.
PREDICTABILITY_COLUMNS = ["task", "mae", "relative_error", "correlation", "corr_rest",
                          "n_models", "n_predicted"]
# A swap must lower the mean error by more than this to count (float noise is not a gain).
_TOLERANCE = 1e-9


def _estimator(method, random_state):
    """An unfitted predictor from a spec (``mf:rank=2``) or an estimator (cloned)."""
    if isinstance(method, ScorePredictor):
        # One fit per fold: the method's own progress bars would only clutter.
        return seeded(clone(method), method.get_params().get("random_state"), verbose=False)
    name, params = parse_method(method)
    return seeded(make_predictor(name, **params), random_state, verbose=False)


class FoldInSimulation:
    """Held-out models folded in from chosen tasks, by predictors fitted without them.

    Parameters
    ----------
    table : ScoreMatrix
    method : str or ScorePredictor, default="mf"
        A method spec (``mf:rank=2``) or an unfitted predictor (cloned per fold).
    n_folds : int, default=5
        Folds of the models with at least two scores; each is held out once.
    random_state : int, optional
        Seed of the folds and of the predictors.
    folds : list of array of int, optional
        Rows of the held-out models, fold by fold (instead of drawing them).
    progress : tqdm, optional
        Advanced by one per fitted fold.

    Attributes
    ----------
    rows : ndarray of int
        The held-out models (rows of the table), in the order of the results.
    """

    def __init__(self, table, method="mf", n_folds=5, random_state=None, folds=None,
                 progress=None):
        self.table = table
        self.raw = table.scores.to_numpy(dtype=float)
        self.observed = ~np.isnan(self.raw)
        if folds is None:
            eligible = np.flatnonzero(self.observed.sum(axis=1) >= 2)
            if len(eligible) < 2:
                raise ScorecastError(f"{table.name}: fewer than 2 models with 2 or more scores; "
                                     "nothing to simulate new models on")
            order = np.random.default_rng(random_state).permutation(eligible)
            folds = [np.sort(f) for f in np.array_split(order, min(n_folds, len(order)))]
        self.rows = np.concatenate(folds)
        self._predictors, self._fold, self._inputs = [], {}, {}
        for f, rows in enumerate(folds):
            keep = np.setdiff1d(np.arange(len(table.models)), rows)
            predictor = _estimator(method, random_state)
            with warnings.catch_warnings():  # a fold may empty a task: its fallback is the point
                warnings.simplefilter("ignore")
                predictor.fit(table.subset(models=table.models[keep]))
                for i in rows:
                    factors = {k: v for k, v in table.model_factors.iloc[i].items()
                               if pd.notna(v)}
                    self._inputs[i] = (factors, predictor._encode_new(factors, "model"))
                    self._fold[i] = f
            self._predictors.append(predictor)
            if progress is not None:
                progress.update(1)
        self._cache = {}

    def predict(self, known):
        """Every held-out model's scores, each folded in from its scores on the `known` tasks.

        Parameters
        ----------
        known : ndarray of bool, over the tasks (one mask for all) or one row per
            held-out model.

        Returns
        -------
        ndarray of shape (n_held_out, n_tasks)
            Known scores kept.
        """
        known = np.broadcast_to(known, (len(self.rows), self.raw.shape[1])) & \
            self.observed[self.rows]
        out = np.empty(known.shape)
        missing = {}
        for r, i in enumerate(self.rows):
            key = (i, known[r].tobytes())
            scores = self._cache.get(key)
            if scores is None:
                missing.setdefault(self._fold[i], []).append((r, key))
            else:
                out[r] = scores
        for f, todo in missing.items():
            rows = [r for r, _ in todo]
            models = self.rows[rows]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scores = self._predictors[f]._new_models_scores(
                    np.where(known[rows], self.raw[models], np.nan),
                    [self._inputs[i][0] for i in models], [self._inputs[i][1] for i in models])
            for (r, key), row in zip(todo, scores):
                self._cache[key] = out[r] = row
        return out

    def errors(self, known, targets=None):
        """Each held-out model's mean absolute error on its observed tasks outside `known`.

        Parameters
        ----------
        known : ndarray of bool over the tasks
        targets : ndarray of bool, optional
            Count only these tasks.

        Returns
        -------
        errors : ndarray
            One per held-out model (NaN: nothing left to predict).
        coverage : ndarray
            The share of `known` each held-out model was run on.
        """
        observed = self.observed[self.rows]
        cells = observed & ~known
        if targets is not None:
            cells &= targets
        counts = cells.sum(axis=1)
        scores = self.predict(known)
        gaps = np.where(cells, np.abs(scores - self.raw[self.rows]), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            errors = np.where(counts > 0, gaps.sum(axis=1) / counts, np.nan)
        coverage = (observed & known).sum(axis=1) / max(int(known.sum()), 1)
        return errors, coverage


@dataclass
class _Judged:
    """A set's errors over the held-out models."""

    errors: np.ndarray
    coverage: np.ndarray

    @property
    def mean(self):
        scored = ~np.isnan(self.errors)
        return float(self.errors[scored].mean()) if scored.any() else np.inf


def _mask(names, tasks):
    return np.asarray(tasks.isin(list(names)))


def _check_names(names, tasks, option):
    unknown = [n for n in names if n not in tasks]
    if unknown:
        raise ScorecastError(f"{option}: unknown task(s) {quote_names(unknown)}")


def _task_costs(cost, tasks):
    costs = np.ones(len(tasks))
    for name, value in (cost or {}).items():
        _check_names([name], tasks, "cost")
        value = float(value)
        if not value > 0:
            raise ScorecastError(f"the cost of task {name!r} must be positive, not {value:g}")
        costs[tasks.get_loc(name)] = value
    return costs


def _checked(table, size, must, targets, candidates, budget):
    tasks = table.tasks
    must, targets = list(dict.fromkeys(must or [])), targets
    _check_names(must, tasks, "must")
    if targets is not None:
        _check_names(targets, tasks, "targets")
    if candidates is not None:
        _check_names(candidates, tasks, "candidates")
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ScorecastError(f"the set size must be a whole number of 1 or more, not {size!r}")
    if size <= len(must):
        raise ScorecastError(f"a set of {size} task(s) cannot add anything to the {len(must)} "
                             "already run (must): ask for more")
    if budget is not None and not budget > 0:
        raise ScorecastError(f"the budget must be positive, not {budget:g}")
    allowed = np.ones(len(tasks), bool) if candidates is None else _mask(candidates, tasks)
    allowed &= ~_mask(must, tasks)
    if targets is not None:
        # A task that must be predicted is not worth running in its stead.
        allowed &= ~_mask(targets, tasks)
    if not allowed.any():
        raise ScorecastError("no task left to choose from (every candidate is already run or "
                             "a target)")
    return must, None if targets is None else _mask(targets, tasks), allowed


def _swap(chosen, fixed, allowed, costs, budget, judge):
    """Exchange chosen tasks for others while that lowers the mean error (best swap first)."""
    current = judge(chosen).mean
    limit = budget if budget is not None else costs[chosen & ~fixed].sum()
    improved = True
    while improved:
        improved = False
        best = None
        for out in np.flatnonzero(chosen & ~fixed):
            for into in np.flatnonzero(allowed & ~chosen):
                trial = chosen.copy()
                trial[out], trial[into] = False, True
                if costs[trial & ~fixed].sum() > limit + 1e-9:
                    continue
                judged = judge(trial)
                if judged.mean < (current if best is None else best[1].mean) - _TOLERANCE:
                    best = (trial, judged)
        if best is not None:
            chosen, current, improved = best[0], best[1].mean, True
    return chosen


def select_tasks(table, size, method="mf", *, cost=None, budget=None, must=None, targets=None,
                 candidates=None, n_random=20, n_folds=5, swap=True, random_state=0,
                 simulation=None, progress=False):
    """The tasks to run on every new model so that it is predicted best on the others.

    Greedy forward selection with a swap pass after each step, judged by simulated
    new models (see the module documentation).

    Parameters
    ----------
    table : ScoreMatrix
    size : int
        The largest set (``must`` included); one row per size from ``len(must) + 1``.
    method : str or ScorePredictor, default="mf"
        How held-out models are folded in.
    cost : dict of str to float, optional
        Cost of running each task (1 when not given): each step then adds the task
        with the largest drop of error per unit of cost.
    budget : float, optional
        Stop before the summed cost of the added tasks would exceed this.
    must : list of str, optional
        Tasks already run: always in the set, never counted in the cost.
    targets : list of str, optional
        Only these tasks need to be predicted (the error counts them only; they are
        not candidates).
    candidates : list of str, optional
        Only these tasks may be added (default: all).
    n_random : int, default=20
        Random sets of each size (``must`` plus random candidates), for ``random_mae``.
    n_folds : int, default=5
    swap : bool, default=True
        Run the swap pass.
    random_state : int, default=0
        Seed of the folds, the predictors and the random sets: same seed, same answer.
    simulation : FoldInSimulation, optional
        Reuse one (its folds and cache) instead of building it.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per size ``k``: ``added`` (the task(s) in this set and not the
        previous one), ``tasks`` (the set, ``;``-separated, in the order added),
        ``mae``, ``median_ae`` and ``mae_sd`` (mean, median and standard deviation
        over held-out models of each one's mean absolute error on its other
        scores, in score units), ``random_mae`` (median over the random sets of
        their ``mae``), ``gain`` (``1 - mae / random_mae``), ``cost`` (of the added
        tasks), ``n_models`` (held-out models with a score to predict) and
        ``coverage`` (the mean share of the set they were run on). With ``must``, a
        first row ``k = len(must)`` gives the error of those alone.

    Examples
    --------
    >>> from scorecast import synthetic
    >>> from scorecast.selection import select_tasks
    >>> table, planted = synthetic.make_planted(random_state=0)
    >>> select_tasks(table, 2)["k"].tolist()
    [1, 2]
    """
    tasks = table.tasks
    must, target_mask, allowed = _checked(table, size, must, targets, candidates, budget)
    costs = _task_costs(cost, tasks)
    steps = size - len(must)
    bar = tqdm(total=(0 if simulation else n_folds) + steps, disable=not progress or None,
               desc="selecting tasks", unit="step", leave=False)
    with bar:
        sim = simulation or FoldInSimulation(table, method, n_folds, random_state,
                                             progress=bar)
        fixed = _mask(must, tasks)
        cache = {}

        def judge(mask):
            key = mask.tobytes()
            if key not in cache:
                cache[key] = _Judged(*sim.errors(mask, target_mask))
            return cache[key]

        rng = np.random.default_rng(random_state)
        chosen, order, rows = fixed.copy(), list(must), []
        if must:
            rows.append(_row(len(must), "", order, judge(chosen), np.nan, 0.0))
        for k in range(len(must) + 1, size + 1):
            spent = costs[chosen & ~fixed].sum()
            open_ = np.flatnonzero(allowed & ~chosen)
            if budget is not None:
                open_ = open_[spent + costs[open_] <= budget + 1e-9]
            if not len(open_):
                break
            before = judge(chosen).mean
            trials = []
            for t in open_:
                trial = chosen.copy()
                trial[t] = True
                trials.append(judge(trial).mean)
            trials = np.array(trials)
            drop = (before - trials) / costs[open_] if cost else -trials
            best = open_[np.lexsort((open_, trials, -drop))[0]]
            previous = chosen.copy()
            chosen[best] = True
            if swap:
                chosen = _swap(chosen, fixed, allowed, costs, budget, judge)
            order = [t for t in order if chosen[tasks.get_loc(t)]]
            added = [t for t in tasks[chosen & ~previous] if t not in order]
            added.sort(key=lambda t: t != tasks[best])
            order += added
            random_means = []
            pool = np.flatnonzero(allowed)
            for _ in range(n_random):
                trial = fixed.copy()
                trial[rng.choice(pool, min(k - len(must), len(pool)), replace=False)] = True
                random_means.append(judge(trial).mean)
            rows.append(_row(k, ";".join(added), order, judge(chosen),
                             float(np.median(random_means)) if random_means else np.nan,
                             float(costs[chosen & ~fixed].sum())))
            bar.update(1)
    return pd.DataFrame(rows, columns=SELECTION_COLUMNS)


def _row(k, added, order, judged, random_mae, cost):
    scored = ~np.isnan(judged.errors)
    errors = judged.errors[scored]
    mae = judged.mean
    return (k, added, ";".join(order), mae,
            float(np.median(errors)) if errors.size else np.nan,
            float(errors.std()) if errors.size else np.nan, random_mae,
            1 - mae / random_mae if random_mae and np.isfinite(random_mae) else np.nan,
            cost, int(scored.sum()), float(judged.coverage[scored].mean()) if errors.size
            else np.nan)


def task_predictability(table, method="mf", n_folds=5, random_state=0, simulation=None,
                        progress=False):
    """How well each task is predicted from a held-out model's other scores.

    Every observed score of a held-out model (see :class:`FoldInSimulation`) is
    predicted from the model's other scores and its factors, by the method fitted
    without the model.

    Parameters
    ----------
    table : ScoreMatrix
    method : str or ScorePredictor, default="mf"
    n_folds : int, default=5
    random_state : int, default=0
    simulation : FoldInSimulation, optional
    progress : bool, default=False

    Returns
    -------
    pandas.DataFrame
        One row per task, the least predictable first: ``mae`` (score units),
        ``relative_error`` (``mae`` over the task's spread of scores: near 0, the
        others give it away; near 0.8, no better than its mean), ``correlation``
        (of predicted and true held-out scores), ``corr_rest`` (of the task's scores
        with the model's mean standardised score on its other tasks),
        ``n_models`` (models run on it), ``n_predicted`` (held-out scores predicted).
    """
    bar = tqdm(total=(0 if simulation else n_folds) + 1, disable=not progress or None,
               desc="predictability", unit="step", leave=False)
    with bar:
        sim = simulation or FoldInSimulation(table, method, n_folds, random_state,
                                             progress=bar)
        raw, observed = sim.raw, sim.observed
        predicted = np.full(raw.shape, np.nan)
        held = observed[sim.rows]
        for t in range(raw.shape[1]):
            known = held.copy()
            known[:, t] = False
            scores = sim.predict(known)
            cells = held[:, t] & known.any(axis=1)
            predicted[sim.rows[cells], t] = scores[cells, t]
        bar.update(1)
    spread = task_spread(raw)
    z = (raw - np.nanmean(raw, axis=0)) / spread
    rows = []
    for t, name in enumerate(table.tasks):
        cells = ~np.isnan(predicted[:, t])
        truth, guess = raw[cells, t], predicted[cells, t]
        mae = float(np.mean(np.abs(guess - truth))) if cells.any() else np.nan
        others = np.delete(z, t, axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            rest = np.nanmean(others, axis=1)
        both = observed[:, t] & ~np.isnan(rest)
        rows.append((name, mae, mae / spread[t], _correlation(guess, truth),
                     _correlation(raw[both, t], rest[both]), int(observed[:, t].sum()),
                     int(cells.sum())))
    frame = pd.DataFrame(rows, columns=PREDICTABILITY_COLUMNS)
    return frame.sort_values(["relative_error", "task"], ascending=[False, True],
                             na_position="last").reset_index(drop=True)


def _correlation(a, b):
    """Pearson correlation, NaN with fewer than 3 pairs or no spread."""
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return np.nan
    return float(np.corrcoef(a, b)[0, 1])
