"""Prediction intervals: how far to trust each predicted score.

scorecast's intervals are split-conformal, so that their coverage holds by
construction rather than by modelling assumptions, and *normalised*, so that
they widen where the data are thin:

1. **Calibration residuals.** The method is refitted on copies of the table
   with some observed cells hidden, in folds shaped like the holes users ask
   about: random cells (more folds of them on small tables); models reduced
   to 4, 2 or 1 known scores, and models with none (predicted from their
   factors or given a task's level); tasks reduced to 3 known scores. Each
   hidden cell gives a residual ``r = score - prediction``.
2. **Difficulty.** ``log(|r| / spread_j)`` is regressed on ``log(1 + n_i)``
   and ``log(1 + n_j)``, the numbers of known scores of the cell's model and
   task in the refit, where ``spread_j`` is the task's spread of scores.
   The expected error of a cell, ``sigma = spread_j * exp(b0 + b1 log(1 + n_i)
   + b2 log(1 + n_j))``, is larger for a model with one known score and for a
   rarely evaluated task.
3. **Conformal quantiles.** The normalised residuals ``|r| / sigma`` are kept
   separately for models with 0, 1-2, 3-5 and 6+ known scores (Mondrian
   conformal prediction: coverage holds within each group, not only on
   average); a group with at least 100 residuals from random cells uses only
   those (holes as the table has them), one with fewer than
   :data:`MIN_GROUP` residuals uses all of them. For a level ``L`` the
   half-width of a cell's interval is ``q * sigma`` with ``q`` the
   ``ceil((n + 1) L) / n`` empirical quantile of its group, and the interval
   is clipped to the task's score range.

The calibration refits the method once per fold (10-26 refits by default,
more on small tables): seconds for the fast methods. ``auto`` refits the blend
it chose on the whole table (its members, with their weights), not its choice.
The refits are independent jobs (each with its own seed, drawn in order), run
by :func:`scorecast._parallel.run_calls`: on workers when they pay for
starting them, with the same result either way.
"""

import math
import numbers
import warnings

import numpy as np
from joblib import delayed
from sklearn.base import clone

from ._holes import all_but_known
from ._parallel import run_calls
from .errors import ParameterError, ScorecastError
from .persistence import persistable

__all__ = ["Calibration", "calibrate", "check_level", "MODEL_GROUPS", "MIN_GROUP"]

# Groups of a model by its known scores: 0, 1-2, 3-5, 6 and more.
_GROUP_EDGES = np.array([0, 1, 3, 6])
MODEL_GROUPS = ("0 known", "1-2 known", "3-5 known", "6+ known")
#: A group with fewer calibration residuals than this uses the pooled residuals.
MIN_GROUP = 30
# Kept scores of the models of the "sparse model" folds, and the share of the well-observed
# models reduced in each.
_KEEPS = (4, 2, 1, 0)
_MODEL_SHARE = 1 / 8
# Scores kept by the tasks of the "sparse task" fold.
_TASK_KEEP = 3
_CELL_SHARE = 1 / 16
_EPS = 1e-3
# A model group with this many residuals from the random-cell folds takes its quantile
# from them alone.
_ENOUGH_RANDOM = 100
# Random-cell folds per round: enough for about this many residuals, at most this many folds.
_RANDOM_TARGET, _MAX_RANDOM_FOLDS = 400, 8


def check_level(level):
    """Raise :class:`ParameterError` unless `level` is a number strictly between 0 and 1."""
    number = isinstance(level, numbers.Real) and not isinstance(level, bool)
    if not number or not 0 < level < 1:
        raise ParameterError("parameter 'interval' must be a level strictly between 0 and 1 "
                             f"(0.9 for 90% intervals), got {level!r}", "interval")


def model_group(counts):
    """Group index (into :data:`MODEL_GROUPS`) of models with `counts` known scores."""
    return np.searchsorted(_GROUP_EDGES, np.asarray(counts), side="right") - 1


def task_spread(raw):
    """Each task's spread: the std of its observed scores, shrunk toward the median spread.

    The same shrinkage as the ``task`` target space (see :mod:`scorecast.targets`),
    so a task seen on three models does not get a tiny spread.
    """
    from .targets import _column_stats

    _, spread, _ = _column_stats(np.asarray(raw, float))
    return np.where(spread > 0, spread, 1.0)


@persistable
class Calibration:
    """Calibration residuals of a fitted method (see the module documentation).

    Attributes
    ----------
    coef_ : ndarray of shape (3,)
        Difficulty regression: intercept, model-count and task-count slopes.
    scores_ : list of ndarray
        Sorted normalised residuals of each model group.
    pooled_ : ndarray
        All of them, sorted.
    spread_ : ndarray of shape (n_tasks,)
        Each fitted task's spread of scores.
    n_cells_ : int
    """

    def sigma(self, model_counts, task_counts, task_spread):
        """Expected absolute error of cells with these known counts and task spreads."""
        b0, b1, b2 = self.coef_
        return np.asarray(task_spread, float) * np.exp(
            b0 + b1 * np.log1p(model_counts) + b2 * np.log1p(task_counts))

    def quantile(self, level, group):
        """The normalised half-width of a `level` interval for a model group."""
        check_level(level)
        scores = self.scores_[group] if len(self.scores_[group]) >= MIN_GROUP else self.pooled_
        n = len(scores)
        rank = math.ceil((n + 1) * level)
        if rank > n:
            # Too few residuals for this level: the largest one, widened by the missing mass.
            return float(scores[-1]) * (1 + (rank - n) / n)
        return float(scores[rank - 1])

    def bounds(self, prediction, level, model_counts, task_counts, task_spread, lower, upper):
        """Lower and upper bounds around predictions, clipped to the score ranges."""
        model_counts = np.asarray(model_counts)
        q = np.array([self.quantile(level, g) for g in range(len(MODEL_GROUPS))])
        half = q[model_group(model_counts)] * self.sigma(model_counts, task_counts, task_spread)
        return (np.clip(prediction - half, lower, upper), np.clip(prediction + half, lower, upper))


def _folds(observed, has_factors, rng, n_random=1):
    """Cell sets to hide, shaped like the holes of a leaderboard (see the module docs).

    The first `n_random` hide random cells, the others all but a few scores of
    some models, then of some tasks.
    """
    cells = np.argwhere(observed)
    size = max(1, int(len(cells) * _CELL_SHARE))
    folds = [cells[rng.choice(len(cells), size, replace=False)] for _ in range(n_random)]
    counts = observed.sum(axis=1)
    for keep in _KEEPS:
        if keep == 0 and not has_factors:
            keep = 1
        rich = np.flatnonzero(counts >= keep + 3)
        if len(rich) < 4:
            continue
        rows = rng.choice(rich, max(1, int(len(rich) * _MODEL_SHARE)), replace=False)
        folds.append(all_but_known(observed, rows, keep, rng))
    # A few tasks cut down to _TASK_KEEP scores: how wide a new benchmark's intervals
    # should be, which the other folds, all on well-run tasks, cannot tell.
    rich = np.flatnonzero(observed.sum(axis=0) >= _TASK_KEEP + 3)
    if len(rich) >= 4:
        columns = rng.choice(rich, max(1, int(len(rich) * _MODEL_SHARE)), replace=False)
        folds.append(all_but_known(observed.T, columns, _TASK_KEEP, rng)[:, ::-1])
    return [f for f in folds if len(f)]


def _copy(predictor):
    # A predictor may offer a cheaper copy to refit (a fitted auto: its chosen blend).
    copy = getattr(predictor, "calibration_copy", None)
    return copy() if copy is not None else clone(predictor)


def _refit(model, table, cells):
    """`model`'s predictions of `cells`, fitted on the table without them."""
    hidden = table.scores.to_numpy(dtype=float, copy=True)
    hidden[cells[:, 0], cells[:, 1]] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = model.fit(table.with_scores(hidden)).complete(keep_observed=False)
    return predicted.to_numpy()[cells[:, 0], cells[:, 1]]


def calibrate(predictor, table, n_rounds=2, random_state=None, progress=None, n_jobs=None):
    """Calibration residuals of `predictor`'s method on `table`.

    Parameters
    ----------
    predictor : ScorePredictor
        Its parameters are used (it is cloned, not refitted); a fitted
        predictor's ``calibration_copy()`` is refitted instead when it has one.
    table : ScoreMatrix
        The table the predictor is (or will be) fitted on.
    n_rounds : int, default=2
        Rounds of folds (each round: one to eight random-cell folds, up to four
        sparse-model folds and one sparse-task fold).
    random_state : int or None
    progress : callable, optional
        Called with no argument after each refit (for a progress bar).
    n_jobs : int, optional
        Workers for the refits, on :mod:`scorecast._parallel`'s backend
        (default: one per core, when the first refit shows they are worth
        starting; 1: this process). The result does not depend on it.

    Returns
    -------
    Calibration
    """
    rng = np.random.default_rng(random_state)
    raw = table.scores.to_numpy(dtype=float)
    observed = ~np.isnan(raw)
    spread = task_spread(raw)
    has_factors = table.model_factors.shape[1] > 0
    # Small tables get more random-cell folds, so that their residuals can decide alone.
    per_fold = max(1, int(observed.sum() * _CELL_SHARE))
    n_random = int(np.clip(np.ceil(_RANDOM_TARGET / (per_fold * int(n_rounds))), 1,
                           _MAX_RANDOM_FOLDS))
    from .predictors._registry import seeded   # the predictors import this module

    folds, models = [], []
    for _ in range(int(n_rounds)):
        for index, cells in enumerate(_folds(observed, has_factors, rng, n_random)):
            folds.append((cells, index < n_random))
            models.append(seeded(_copy(predictor), int(rng.integers(2 ** 31 - 1)),
                                 verbose=False))
    predictions = run_calls([delayed(_refit)(model, table, cells)
                             for model, (cells, _) in zip(models, folds)],
                            n_jobs=n_jobs, done=progress)
    residuals, model_counts, task_counts, columns, random = [], [], [], [], []
    for (cells, is_random), predicted in zip(folds, predictions):
        random.append(np.full(len(cells), is_random))
        kept = observed.copy()
        kept[cells[:, 0], cells[:, 1]] = False
        residuals.append(raw[cells[:, 0], cells[:, 1]] - predicted)
        model_counts.append(kept.sum(axis=1)[cells[:, 0]])
        task_counts.append(kept.sum(axis=0)[cells[:, 1]])
        columns.append(cells[:, 1])
    if not residuals:
        raise ScorecastError(f"{table.name}: too few scores to calibrate intervals")
    residuals, columns = np.concatenate(residuals), np.concatenate(columns)
    model_counts, task_counts = np.concatenate(model_counts), np.concatenate(task_counts)
    random = np.concatenate(random)
    # The random cells are holes as the table has them; the models cut down to a few
    # scores are a different population (often the best-evaluated models, on rarer tasks).
    # Mixed into one quantile, they made intervals too narrow on dense tables and too wide
    # on sparse ones: the random cells decide each group's quantile wherever they are
    # enough, the cut-down models fill in the groups the table's own holes rarely reach.
    design = np.column_stack([np.ones(len(residuals)), np.log1p(model_counts),
                              np.log1p(task_counts)])
    target = np.log(np.abs(residuals) / spread[columns] + _EPS)
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    calibration = Calibration()
    calibration.coef_ = coef
    calibration.spread_ = spread
    normalised = np.abs(residuals) / calibration.sigma(model_counts, task_counts, spread[columns])
    groups = model_group(model_counts)
    calibration.scores_ = []
    for g in range(len(MODEL_GROUPS)):
        here = groups == g
        if (here & random).sum() >= _ENOUGH_RANDOM:
            here &= random
        calibration.scores_.append(np.sort(normalised[here]))
    calibration.pooled_ = np.sort(normalised)
    calibration.n_cells_ = len(residuals)
    return calibration
