"""BenchPress's predictor as published (``bench-regression``).

Zeng and Papailiopoulos (2026), "You Don't Need to Run Every Eval", predict a
frontier model's missing benchmark scores by blending two predictors in the
logit space of the scores (then per-benchmark z-scores):

* a benchmark-to-benchmark regression: a missing score on benchmark j is the
  R^2-weighted mean of single-variable least-squares fits of j on each of the
  (up to) 5 benchmarks most correlated with j among those the model was scored
  on, counting only fits with R^2 >= 0.2;
* a rank-2 iterative SVD of the z-scores (missing cells start at 0 and are
  replaced by the low-rank reconstruction until it settles).

The prediction is 0.6 x the regression + 0.4 x the SVD, or the SVD alone
where no fit qualifies. scorecast computes every pairwise fit at once from
masked moment matrices, so the whole predictor costs a few matrix products.
"""

import numpy as np

from ._base import ScorePredictor
from ._registry import register

# Singular directions of the iterative SVD are fitted to a new model's known
# z-scores with this small ridge penalty (a model known by one score has rank 2
# unknowns).
_FOLD_IN_RIDGE = 1.0
# The iterative SVD stops when the filled matrix changes by less than this (relative).
_SVD_TOL = 1e-5


def pairwise_fits(Z, mask, min_shared):
    """Least-squares fits of every benchmark j on every other benchmark k.

    Parameters
    ----------
    Z : ndarray of shape (n_models, n_tasks)
        Values, anything where `mask` is False.
    mask : ndarray of bool, same shape
    min_shared : int
        Fewest models scored on both for a fit to count.

    Returns
    -------
    intercept, slope, r2 : ndarray of shape (n_tasks, n_tasks)
        Row j, column k: ``Z[:, j] ~ intercept + slope * Z[:, k]`` on the
        models scored on both; r2 is -1 where the fit does not count (j == k,
        too few shared models, or a constant column).
    """
    m = mask.astype(float)
    a = np.where(mask, Z, 0.0)
    n = m.T @ m
    safe = np.maximum(n, 1)
    mean_x = (m.T @ a) / safe             # [j, k]: mean of k over models scored on both
    mean_y = (a.T @ m) / safe             # [j, k]: mean of j over the same models
    var_x = (m.T @ a ** 2) / safe - mean_x ** 2
    var_y = (a.T ** 2 @ m) / safe - mean_y ** 2
    cov = (a.T @ a) / safe - mean_x * mean_y
    usable = (n >= min_shared) & (var_x > 1e-12) & (var_y > 1e-12)
    np.fill_diagonal(usable, False)
    slope = np.where(usable, cov / np.where(usable, var_x, 1.0), 0.0)
    intercept = np.where(usable, mean_y - slope * mean_x, 0.0)
    r2 = np.where(usable, cov ** 2 / np.where(usable, var_x * var_y, 1.0), -1.0)
    return intercept, slope, r2


def regression_predictions(z, known, intercept, slope, r2, n_predictors, min_r2):
    """One model's predictions on every benchmark from its known values.

    Returns NaN where no fit with R^2 >= `min_r2` uses a benchmark it knows.
    """
    candidates = np.where(known[None, :], r2, -1.0)
    k = min(n_predictors, candidates.shape[1])
    top = np.argpartition(-candidates, k - 1, axis=1)[:, :k]
    weight = np.take_along_axis(candidates, top, axis=1)
    weight = np.where(weight >= min_r2, weight, 0.0)
    fitted = (np.take_along_axis(intercept, top, axis=1)
              + np.take_along_axis(slope, top, axis=1) * np.where(known, z, 0.0)[top])
    total = weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (weight * fitted).sum(axis=1) / total, np.nan)


def iterative_svd(Z, mask, rank, n_iter, tol):
    """Fill the missing cells of Z with its rank-`rank` reconstruction, repeatedly.

    Returns
    -------
    filled : ndarray
        The reconstruction (every cell).
    loadings : ndarray of shape (rank, n_tasks)
        Right singular vectors scaled by the singular values.
    """
    filled = np.where(mask, Z, 0.0)
    rank = max(1, min(rank, *Z.shape))
    low = filled
    for _ in range(n_iter):
        u, s, vt = np.linalg.svd(filled, full_matrices=False)
        low = (u[:, :rank] * s[:rank]) @ vt[:rank]
        updated = np.where(mask, Z, low)
        change = np.sum((updated - filled) ** 2) / max(np.sum(filled ** 2), 1e-300)
        filled = updated
        if change < tol:
            break
    u, s, vt = np.linalg.svd(filled, full_matrices=False)
    return (u[:, :rank] * s[:rank]) @ vt[:rank], vt[:rank] * s[:rank, None]


@register("bench-regression")
class BenchRegression(ScorePredictor):
    """BenchPress: benchmark-to-benchmark regressions blended with a rank-2 iterative SVD.

    Parameters
    ----------
    n_predictors : int, default=5
        Most-correlated known benchmarks used for each prediction.
    min_r2 : float, default=0.2
        Fits with a lower R^2 are not used.
    min_shared : int, default=5
        Fewest models scored on both benchmarks for a fit.
    rank : int, default=2
        Rank of the iterative SVD.
    regression_weight : float, default=0.6
        Weight of the regression in the blend (the SVD has the rest).
    n_iter : int, default=100
        Most iterations of the SVD.
    target : str, default="logit"
        Target space (see :mod:`scorecast.targets`): logit of bounded scores,
        then per-task z-scores, as published.

    Attributes
    ----------
    intercept_, slope_, r2_ : ndarray of shape (n_tasks, n_tasks)
        The pairwise fits (see :func:`pairwise_fits`).
    loadings_ : ndarray of shape (rank, n_tasks)

    Examples
    --------
    >>> from scorecast import datasets, make_predictor
    >>> table = datasets.load("llm-stats")                        # doctest: +SKIP
    >>> bench = make_predictor("bench-regression").fit(table)      # doctest: +SKIP
    >>> bench.predict("gpt-4o-2024-08-06", "gpqa")                 # doctest: +SKIP
    """

    def __init__(self, n_predictors=5, min_r2=0.2, min_shared=5, rank=2, regression_weight=0.6,
                 n_iter=100, target="logit"):
        self.n_predictors = n_predictors
        self.min_r2 = min_r2
        self.min_shared = min_shared
        self.rank = rank
        self.regression_weight = regression_weight
        self.n_iter = n_iter
        self.target = target

    def _fit(self, inputs):
        self.intercept_, self.slope_, self.r2_ = pairwise_fits(inputs.Y, inputs.mask,
                                                               self.min_shared)
        self.svd_, self.loadings_ = iterative_svd(inputs.Y, inputs.mask, self.rank,
                                                  self.n_iter, tol=_SVD_TOL)
        self.regression_ = np.vstack([self._regression(y, known)
                                      for y, known in zip(inputs.Y, inputs.mask)])

    def _regression(self, y, known):
        return regression_predictions(y, known, self.intercept_, self.slope_, self.r2_,
                                      self.n_predictors, self.min_r2)

    def _blend(self, regression, svd):
        w = self.regression_weight
        return np.where(np.isnan(regression), svd, w * np.nan_to_num(regression) + (1 - w) * svd)

    def _predict_full(self):
        return self._blend(self.regression_, self.svd_)

    def _fold_in_model(self, y, numeric, codes):
        known = ~np.isnan(y)
        if not known.any():
            return None
        v = self.loadings_[:, known]
        weights = np.linalg.solve(v @ v.T + _FOLD_IN_RIDGE * np.eye(len(v)), v @ y[known])
        return self._blend(self._regression(y, known), weights @ self.loadings_)
