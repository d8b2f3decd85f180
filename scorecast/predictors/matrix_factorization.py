"""Biased matrix factorisation (``mf``), fitted by alternating least squares."""

import numpy as np
import pandas as pd

from ..errors import ScorecastError
from ..sparse import SparseScores
from ._als import fit_als, fit_als_sparse, predict_cells
from ._base import ScorePredictor
from ._registry import register


class ALSPredictor(ScorePredictor):
    """Shared fit and fold-in of the predictors built on :func:`fit_als`."""

    factor_prior = False
    factor_slopes = False

    @property
    def uses_factors(self):
        return bool(self.factor_prior or self.factor_slopes)

    def _als_params(self):
        raise NotImplementedError

    def _fit(self, inputs):
        params = self._als_params()
        features = {}
        model_design = np.hstack([inputs.model_numeric,
                                  self.model_encoder_.one_hot(inputs.model_codes)]) \
            if self.uses_factors else None
        if self.factor_prior:
            features = dict(
                model_features=model_design,
                task_features=np.hstack([inputs.task_numeric,
                                         self.task_encoder_.one_hot(inputs.task_codes)]),
                prior_alpha=self.prior_alpha)
        if self.factor_slopes and model_design.shape[1]:
            features.update(model_side=model_design, side_reg=self.slope_reg)
        self.factorization_ = fit_als(inputs.Y, rng=inputs.rng, **params, **features)

    def _predict_full(self):
        return self.factorization_.full()

    def _features(self, what, numeric, codes):
        if not self.uses_factors:
            return None
        encoder = getattr(self, f"{what}_encoder_")
        return np.hstack([numeric, encoder.one_hot(codes[None, :])[0]])

    def _fold_in_model(self, y, numeric, codes):
        features = self._features("model", numeric, codes)
        return self.factorization_.fold_in(y, features if self.factor_prior else None, axis=0,
                                           side=features)

    def _fold_in_models(self, Y, encoded):
        features = np.array([self._features("model", *e) for e in encoded]) \
            if self.uses_factors else None
        return self.factorization_.fold_in_models(
            Y, features if self.factor_prior else None, side=features)

    def _fold_in_task(self, y, numeric, codes):
        features = self._features("task", numeric, codes) if self.factor_prior else None
        return self.factorization_.fold_in(y, features, axis=1)


@register("mf")
class MatrixFactorization(ALSPredictor):
    """Biased matrix factorisation by regularised alternating least squares.

    Learns ``score ~ mu + model bias + task bias + model vector . task vector``
    in the target space, vectorised over models and tasks.

    Parameters
    ----------
    rank : int, default=3
        Latent dimension.
    reg : float, default=1.0
        Ridge penalty of the latent vectors.
    bias_reg : float, default=0.1
        Ridge penalty of the biases.
    n_iter : int, default=25
        Alternating sweeps.
    factor_prior : bool, default=False
        Shrink model and task parameters toward a ridge regression on their
        factors instead of toward zero (helps models with few scores, and
        predicts models known only by their factors).
    prior_alpha : float, default=1.0
        Ridge penalty of that regression.
    factor_slopes : bool, default=False
        Give each task its own ridge regression on the model factors, beside
        the low-rank term: a factor that matters for some tasks only (a code
        model's family on code tasks) needs no latent dimension of its own.
    slope_reg : float, default=3.0
        Ridge penalty of those per-task slopes.
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`).
    random_state : int or None, default=None
        Seed of the initial task vectors.

    Examples
    --------
    >>> from scorecast import datasets
    >>> from scorecast.predictors import MatrixFactorization
    >>> table = datasets.load("cpp-llm")                          # doctest: +SKIP
    >>> mf = MatrixFactorization(rank=2, random_state=0).fit(table)  # doctest: +SKIP
    >>> mf.predict("Llama 3 8B", "HumanEval(pass@1)")             # doctest: +SKIP
    """

    def __init__(self, rank=3, reg=1.0, bias_reg=0.1, n_iter=25, factor_prior=False,
                 prior_alpha=1.0, factor_slopes=False, slope_reg=3.0, target="task",
                 random_state=None):
        self.rank = rank
        self.reg = reg
        self.bias_reg = bias_reg
        self.n_iter = n_iter
        self.factor_prior = factor_prior
        self.prior_alpha = prior_alpha
        self.factor_slopes = factor_slopes
        self.slope_reg = slope_reg
        self.target = target
        self.random_state = random_state

    def _als_params(self):
        return dict(rank=self.rank, reg=self.reg, bias_reg=max(self.bias_reg, 1e-6),
                    n_iter=self.n_iter)

    # ------------------------------------------------------------------ large sparse tables
    def fit(self, table):
        """Learn from `table`: a ScoreMatrix, a DataFrame, or a large
        :class:`~scorecast.sparse.SparseScores` (fitted without a dense matrix;
        predict its cells with :meth:`predict` or :meth:`predict_details`)."""
        if not isinstance(table, SparseScores):
            self.sparse_fit_ = None
            return super().fit(table)
        if self.factor_prior or self.factor_slopes or self.target != "task":
            raise ScorecastError(f"{table.name}: a sparse table is fitted without factors, in "
                                 "the per-task target (factor_prior, factor_slopes and target "
                                 "keep their defaults)")
        self.models_, self.tasks_ = table.models, table.tasks
        n_tasks = len(table.tasks)
        counts = np.bincount(table.cols, minlength=n_tasks)
        center = np.bincount(table.cols, table.values, n_tasks) / counts
        spread = np.sqrt(np.bincount(table.cols, (table.values - center[table.cols]) ** 2,
                                     n_tasks) / counts)
        # A task with one score, or all equal, has no spread of its own: a typical one.
        ok = (counts > 1) & (spread > 0)
        spread[~ok] = np.median(spread[ok]) if ok.any() else 1.0
        y = (table.values - center[table.cols]) / spread[table.cols]
        self.factorization_ = fit_als_sparse(
            table.rows, table.cols, y, table.shape, rng=np.random.default_rng(self.random_state),
            **self._als_params())
        self.sparse_fit_ = dict(center=center, spread=spread, range=table.score_range,
                                mean=float(table.values.mean()))
        return self

    def predict_details(self, models, tasks, interval=None):
        if getattr(self, "sparse_fit_", None) is None:
            return super().predict_details(models, tasks, interval=interval)
        if interval is not None:
            raise ScorecastError("intervals are not calibrated on a sparse table's fit")
        models = np.asarray([models] if isinstance(models, str) else models, dtype=object)
        tasks = np.asarray([tasks] if isinstance(tasks, str) else tasks, dtype=object)
        models, tasks = np.broadcast_arrays(models, tasks)
        i, j = self.models_.get_indexer(models), self.tasks_.get_indexer(tasks)
        fit = self.sparse_fit_
        both = (i >= 0) & (j >= 0)
        scores = np.where(j >= 0, fit["center"][np.maximum(j, 0)], fit["mean"])
        scores[both] += fit["spread"][j[both]] * predict_cells(self.factorization_, i[both],
                                                                j[both])
        if fit["range"] is not None:
            scores = np.clip(scores, *fit["range"])
        reason = np.where(both, "", np.where(j >= 0, "unknown model: task mean",
                                             "unknown task: mean of all scores"))
        return pd.DataFrame({"model": models, "task": tasks, "score": scores,
                             "fallback": ~both, "reason": reason})

    def complete(self, keep_observed=True, values="score", interval=None):
        if getattr(self, "sparse_fit_", None) is not None:
            cells = len(self.models_) * len(self.tasks_)
            raise ScorecastError(f"a sparse table's completion would hold {cells:,} cells; ask "
                                 "for the cells you need with predict(models, tasks)")
        return super().complete(keep_observed=keep_observed, values=values, interval=interval)
