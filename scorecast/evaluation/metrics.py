"""Metrics of predicted scores on held-out cells, each defined here and nowhere else.

All functions take the held-out cells as row and column indices into a table,
the true scores and the predicted scores of those cells (in one space: score
points for ``mae``/``rmse``, the normalised space in use for ``mse``/``mean_l1``).

Rank metrics follow the CPP paper's "Accuracy" (the predicted rank equals the true
rank) and "MAE@2" (they differ by at most 2), with the scope made explicit:

``scope="task"`` (default)
    a held-out cell is ranked within its task among *all* models observed on
    that task, its true score replaced by its prediction (the other cells keep
    their true scores); its true rank is taken among the same models.
``scope="held-out"``
    the paper's notebook: within each task, the held-out cells are ranked among
    themselves, once by true and once by predicted score. With 5% held out this
    leaves 1-3 cells per task and makes the metric nearly trivial.

Rank 1 is the best score (the lowest for lower-is-better tasks); ties share
their mean rank.
"""

import numpy as np
from scipy.stats import rankdata, spearmanr

__all__ = ["mse", "mean_l1", "mae", "rmse", "rank_metrics", "mean_spearman"]


def mse(truth, predicted):
    """Mean squared error."""
    return float(np.mean((np.asarray(predicted) - np.asarray(truth)) ** 2))


def mean_l1(truth, predicted):
    """Mean absolute error (the paper's "mean L1 loss")."""
    return float(np.mean(np.abs(np.asarray(predicted) - np.asarray(truth))))


mae = mean_l1


def rmse(truth, predicted):
    """Root mean squared error."""
    return float(np.sqrt(mse(truth, predicted)))


def _rank_of_first(values, higher_is_better):
    """Rank (1 = best) of values[0] among values, ties sharing their mean rank."""
    ordered = -values if higher_is_better else values
    return rankdata(ordered)[0]


def rank_metrics(scores, cells, predicted, higher_is_better=None, scope="task", within=2):
    """Rank accuracy and MAE@`within` of predictions for held-out cells.

    Parameters
    ----------
    scores : ndarray of shape (n_models, n_tasks)
        The true scores, NaN where not observed (held-out cells included).
    cells : ndarray of shape (n_cells, 2)
        Row and column indices of the held-out cells.
    predicted : ndarray of shape (n_cells,)
        Predicted scores of those cells.
    higher_is_better : ndarray of bool of shape (n_tasks,), optional
        Default: higher is better on every task.
    scope : {"task", "held-out"}
        See the module documentation.
    within : int, default=2

    Returns
    -------
    dict
        ``accuracy`` and ``mae_at_<within>``: shares of cells in [0, 1].
    """
    scores = np.asarray(scores, dtype=float)
    cells = np.asarray(cells, dtype=int).reshape(-1, 2)
    predicted = np.asarray(predicted, dtype=float)
    better = np.ones(scores.shape[1], bool) if higher_is_better is None \
        else np.asarray(higher_is_better, bool)
    true_rank, predicted_rank = np.empty(len(cells)), np.empty(len(cells))
    if scope == "task":
        for k, (i, j) in enumerate(cells):
            others = np.flatnonzero(~np.isnan(scores[:, j]) & (np.arange(len(scores)) != i))
            column = scores[others, j]
            true_rank[k] = _rank_of_first(np.r_[scores[i, j], column], better[j])
            predicted_rank[k] = _rank_of_first(np.r_[predicted[k], column], better[j])
    elif scope == "held-out":
        for j in np.unique(cells[:, 1]):
            here = np.flatnonzero(cells[:, 1] == j)
            sign = -1 if better[j] else 1
            true_rank[here] = rankdata(sign * scores[cells[here, 0], j])
            predicted_rank[here] = rankdata(sign * predicted[here])
    else:
        raise ValueError(f"scope must be 'task' or 'held-out', not {scope!r}")
    gap = np.abs(true_rank - predicted_rank)
    return {"accuracy": float(np.mean(gap == 0)), f"mae_at_{within}": float(np.mean(gap <= within))}


def mean_spearman(cells, truth, predicted, min_cells=3):
    """Mean over tasks of the Spearman correlation between true and predicted scores.

    Only tasks with at least `min_cells` held-out cells (and some spread) count.

    Returns
    -------
    value : float
        NaN when no task qualifies.
    n_tasks : int
        How many tasks were averaged.
    """
    cells = np.asarray(cells, dtype=int).reshape(-1, 2)
    truth, predicted = np.asarray(truth, float), np.asarray(predicted, float)
    values = []
    for j in np.unique(cells[:, 1]):
        here = cells[:, 1] == j
        if here.sum() >= min_cells and np.ptp(truth[here]) > 0 and np.ptp(predicted[here]) > 0:
            values.append(spearmanr(truth[here], predicted[here]).statistic)
    return (float(np.mean(values)) if values else float("nan")), len(values)
