"""Large sparse score tables, held as coordinates: never a dense models x tasks matrix.

Item-level tables (models x questions) and leaderboard dumps can have hundreds of
thousands of models and thousands of tasks with under 1% of the cells scored: a
dense matrix of 200,000 x 2,000 takes 3.2 GB before any work. :class:`SparseScores`
keeps only the scored cells (row, column, score), and ``mf`` fits on it by
alternating least squares whose normal equations come from sparse products
(:func:`scorecast.predictors._als.fit_als_sparse`); predictions are made for the
cells asked for.

Examples
--------
>>> import pandas as pd
>>> from scorecast.sparse import SparseScores
>>> long = pd.DataFrame({"model": ["m1", "m1", "m2"], "task": ["A", "B", "A"],
...                      "score": [50.0, 40.0, 70.0]})
>>> table = SparseScores.from_long(long, score_range=(0, 100))
>>> table.shape, table.n_observed
((2, 2), 3)
"""

import numpy as np
import pandas as pd

from .errors import ScoreTableError

__all__ = ["SparseScores"]


class SparseScores:
    """Scores of models on tasks as (model, task, score) coordinates.

    Parameters
    ----------
    models, tasks : array-like of str
        The model and the task of each score.
    scores : array-like of float
        Finite; one score per (model, task) pair.
    score_range : (float, float), optional
        Bounds of every task's scores; predictions are clipped to them.
    name : str, default="scores"

    Attributes
    ----------
    models, tasks : pandas.Index
        Names, in order of first appearance.
    rows, cols : ndarray of int32
        Model and task index of each score.
    values : ndarray of float
    """

    def __init__(self, models, tasks, scores, score_range=None, name="scores"):
        values = np.asarray(scores, dtype=float)
        row_codes, self.models = pd.factorize(np.asarray(models, dtype=object))
        col_codes, self.tasks = pd.factorize(np.asarray(tasks, dtype=object))
        self.models, self.tasks = pd.Index(self.models), pd.Index(self.tasks)
        self.name = name
        if not (len(values) == len(row_codes) == len(col_codes)):
            raise ScoreTableError(f"{name}: {len(row_codes)} models, {len(col_codes)} tasks "
                                  f"and {len(values)} scores; they must be as many")
        bad = np.flatnonzero(~np.isfinite(values) | (row_codes < 0) | (col_codes < 0))
        if len(bad):
            k = bad[0]
            raise ScoreTableError(f"{name}, score {k + 1}: model {models[k]!r}, task "
                                  f"{tasks[k]!r}: a score, model and task are needed, and the "
                                  f"score must be a finite number ({len(bad)} such rows)")
        key = row_codes.astype(np.int64) * len(self.tasks) + col_codes
        unique, first = np.unique(key, return_index=True)
        if len(unique) < len(key):
            k = np.setdiff1d(np.arange(len(key)), first)[0]
            raise ScoreTableError(f"{name}, score {k + 1}: model {models[k]!r} has a second "
                                  f"score on task {tasks[k]!r}")
        self.rows, self.cols = row_codes.astype(np.int32), col_codes.astype(np.int32)
        self.values = values
        if score_range is not None:
            low, high = map(float, score_range)
            outside = np.flatnonzero((values < low) | (values > high))
            if not low < high or len(outside):
                where = f"; score {outside[0] + 1} is {values[outside[0]]:g}" if len(outside) \
                    else ""
                raise ScoreTableError(f"{name}: score range {low:g}:{high:g} must be increasing "
                                      f"and hold every score{where}")
            score_range = (low, high)
        self.score_range = score_range

    @classmethod
    def from_long(cls, frame, score_range=None, name="scores"):
        """From a long DataFrame with columns ``model``, ``task``, ``score``."""
        missing = [c for c in ("model", "task", "score") if c not in frame.columns]
        if missing:
            raise ScoreTableError(f"{name}: a long table needs columns model, task and score; "
                                  f"{', '.join(missing)} missing")
        return cls(frame["model"].to_numpy(), frame["task"].to_numpy(),
                   pd.to_numeric(frame["score"], errors="coerce").to_numpy(), score_range, name)

    @property
    def shape(self):
        return len(self.models), len(self.tasks)

    @property
    def n_observed(self):
        return len(self.values)

    @property
    def density(self):
        return self.n_observed / max(1, self.shape[0] * self.shape[1])

    def __repr__(self):
        return (f"SparseScores({self.name!r}: {self.shape[0]} models x {self.shape[1]} tasks, "
                f"{self.n_observed} scores, {100 * self.density:.2g}% filled)")
