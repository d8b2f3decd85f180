"""What the methods of a benchmark train on, and how their predictions are scored.

A benchmark trains every method on one version of the table (the *training
space*) and scores the predictions of held-out cells in three ways:

``mse_<space>``, ``l1_<space>``
    squared and absolute error in a normalised space named in the metric:
    ``paper`` (the CPP paper's per-model normalisation), ``range`` (each task
    scaled to [0, 1] by its score range, or by its observed range when it is
    unbounded) or ``rank`` (each task's scores as ranks scaled to [0, 1]).
``mae``, ``rmse``
    in score points, after mapping the predictions back to scores.
``accuracy``, ``mae_at_2`` (and ``*_heldout``)
    rank metrics of the predicted scores among the true scores, in the scope
    ``task`` (and ``held-out``) of :func:`~scorecast.evaluation.rank_metrics`.
``spearman``
    mean per-task Spearman correlation over tasks with at least 3 held-out
    cells (left out when no task has).
``coverage_<L>``, ``width_<L>`` (the calibration protocol)
    share of held-out true scores inside the level-``L`` interval (e.g.
    ``coverage_90``), and the intervals' mean width in score points.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import ScorecastError
from ..targets import TargetSpace
from .metrics import mean_spearman, rank_metrics

__all__ = ["TRAINING_TARGETS", "Scoring", "make_scoring"]

#: ``--target``: what the methods train on.
TRAINING_TARGETS = ("normalized", "score", "rank")


@dataclass
class Scoring:
    """A table in its training space and the way back to score points.

    Attributes
    ----------
    raw : ScoreMatrix
        The true scores.
    train : ScoreMatrix
        What the methods see (the raw scores, or normalised, or ranks), with
        the same observed cells.
    space : str
        Name of the space of ``mse_<space>`` and ``l1_<space>``.
    mapping : TargetSpace or None
        Fitted on the raw scores; maps training values back to scores (None:
        training values are scores).
    scale : ndarray of shape (n_tasks,)
        Training-space errors divided by this are errors in the normalised space.
    """

    raw: object
    train: object
    space: str
    mapping: object
    scale: np.ndarray

    def to_points(self, cells, values):
        """Training-space values of `cells` as scores."""
        if self.mapping is None:
            return np.asarray(values, float)
        rows, cols = cells.T
        full = np.full(self.raw.shape, np.nan)
        full[rows, cols] = values
        # Rounded so that the mapping's float noise cannot break a tie in the rank metrics.
        return np.round(self.mapping.inverse(full)[rows, cols], 9)

    def score(self, cells, values, by=None):
        """Every metric of predictions `values` (training space) for held-out `cells`.

        Parameters
        ----------
        cells : ndarray of shape (n_cells, 2)
        values : ndarray of shape (n_cells,)
        by : {"model", "task"}, optional
            Also report ``mse_<space>[NAME]`` for each held-out model or task.

        Returns
        -------
        dict of str to float
        """
        rows, cols = cells.T
        truth = self.train.scores.to_numpy()[rows, cols]
        error = (np.asarray(values, float) - truth) / self.scale[cols]
        points = self.to_points(cells, values)
        raw = self.raw.scores.to_numpy()
        gap = points - raw[rows, cols]
        out = {f"mse_{self.space}": float(np.mean(error ** 2)),
               f"l1_{self.space}": float(np.mean(np.abs(error))),
               "mae": float(np.mean(np.abs(gap))), "rmse": float(np.sqrt(np.mean(gap ** 2)))}
        better = self.raw.task_info["higher_is_better"].to_numpy(bool)
        for scope, suffix in (("task", ""), ("held-out", "_heldout")):
            ranks = rank_metrics(raw, cells, points, better, scope=scope)
            out.update({name + suffix: value for name, value in ranks.items()})
        spearman, n_tasks = mean_spearman(cells, raw[rows, cols], points)
        if n_tasks:
            out["spearman"] = spearman
        if by is not None:
            names, index = (self.raw.models, rows) if by == "model" else (self.raw.tasks, cols)
            for k in np.unique(index):
                out[f"mse_{self.space}[{names[k]}]"] = float(np.mean(error[index == k] ** 2))
        return out


    def interval_metrics(self, cells, lower, upper, level):
        """``coverage_<L>`` (share of true scores inside) and ``width_<L>`` (mean width,
        score points) of intervals at level `L` (in percent in the names)."""
        truth = self.raw.scores.to_numpy()[cells[:, 0], cells[:, 1]]
        name = f"{100 * level:g}"
        return {f"coverage_{name}": float(np.mean((lower <= truth) & (truth <= upper))),
                f"width_{name}": float(np.mean(upper - lower))}


def _unit_range(table, values, name):
    """`table` with other values, every task's range declared as [0, 1]."""
    out = table.with_scores(values)
    out.task_info = table.task_info.copy()
    out.task_info["lower"], out.task_info["upper"] = 0.0, 1.0
    out.task_info["range_source"] = "declared"
    out.name = name
    return out


def make_scoring(table, target="normalized", paper=False):
    """The training table and scoring for a benchmark on `table`.

    Parameters
    ----------
    table : ScoreMatrix
    target : {"normalized", "score", "rank"}
        Train on normalised scores (the paper's normalisation when `paper`,
        else each task scaled by its range), on the scores themselves, or on
        per-task ranks.
    paper : bool, default=False
        Use the CPP paper's per-model normalisation for ``normalized``.

    Returns
    -------
    Scoring
    """
    if target not in TRAINING_TARGETS:
        raise ScorecastError(f"unknown target {target!r}; use one of {', '.join(TRAINING_TARGETS)}")
    raw = table.scores.to_numpy(dtype=float)
    info = table.task_info
    if target == "rank" or (target == "normalized" and paper):
        kind = "rank" if target == "rank" else "paper"
        mapping = TargetSpace(kind).fit(raw, info["lower"].to_numpy(), info["upper"].to_numpy())
        train = _unit_range(table, mapping.transform(raw), f"{table.name}, {kind} space")
        return Scoring(table, train, kind, mapping, np.ones(raw.shape[1]))
    lower, upper = info["lower"].to_numpy(float), info["upper"].to_numpy(float)
    bounded = np.isfinite(lower) & np.isfinite(upper)
    with np.errstate(invalid="ignore"):
        low = np.where(bounded, lower, np.nanmin(raw, axis=0))
        spread = np.where(bounded, upper - lower, np.nanmax(raw, axis=0) - low)
    spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
    return Scoring(table, table, "range", None, spread)
