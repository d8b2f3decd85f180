"""Prediction from factors alone, without neural networks (``factors-ridge``).

A non-neural counterpart of the CPP paper's "only factors" model: each observed
cell is one sample, described by its model's factors, its task's factors and
the task's identity, never by the model's identity; so a model known only by
its factors is predicted like any fitted one.
"""

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Ridge
from sklearn.preprocessing import KernelCenterer

from ..errors import ScorecastError
from ._als import _batched_ridge
from ._base import ScorePredictor
from ._registry import register

INTERACTIONS = ("task", "factors", "both", "none")
ESTIMATORS = ("ridge", "gbm")
# HistGradientBoostingRegressor's native categorical support takes at most this many levels.
_MAX_CATEGORIES = 255


def _rowwise_outer(left, right):
    """Per row, the flattened outer product of `left` and `right` (products of features)."""
    return (left[:, :, None] * right[:, None, :]).reshape(len(left), -1)


def _ridge_fold_in(residual, design, alpha):
    """Fitted values of a ridge regression of one new row's residuals (NaN: unknown)."""
    known = ~np.isnan(residual)
    theta = _batched_ridge(known[None, :].astype(float), np.where(known, residual, 0.0)[None, :],
                           design, np.full(design.shape[1], float(alpha)),
                           np.zeros((1, design.shape[1])))[0]
    return design @ theta


@register("factors-ridge")
class FactorRegression(ScorePredictor):
    """Prediction from factors alone: a regression of each cell on model and task factors.

    Each observed cell is a sample whose target-space score is regressed on
    the model's factor design (standardised numeric factors, missing
    indicators, one-hot categories; see ``FactorEncoder``), the task's factor
    design, the task's identity, and interactions between model factors and
    the task (identity or factors). Models enter only through their factors,
    never their names: two models with the same factors get the same
    predictions, and a new model needs nothing but its factors.

    Parameters
    ----------
    estimator : {"ridge", "gbm"}, default="ridge"
        ``Ridge`` (closed form; its coefficients are what is kept) or
        ``HistGradientBoostingRegressor`` on the raw codes. The boosted trees
        were more accurate on the CPP data and on synthetic tables, but a
        fitted one cannot be saved (scorecast saves plain arrays only), hence
        the default.
    alpha : float, default=5.0
        Ridge penalty (for ``"gbm"``, the L2 regularisation of leaf values).
        Also the penalty of the level shift a new model's (task's) known scores
        estimate, as if the joint ridge had a parameter for it.
    interactions : {"task", "factors", "both", "none"}, default="both"
        Ridge only. ``"task"``: one slope on each model factor per task (the
        model factors' effect differs by task); ``"factors"``: products of model
        and task factors (shared across tasks, so it carries over to new tasks);
        ``"both"``; or ``"none"`` (additive: model part + task part).
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`).
    random_state : int or None, default=None
        Seed of the gradient-boosting variant (the ridge is deterministic).

    Attributes
    ----------
    intercept_ : float
    model_coef_ : ndarray of shape (n_model_features,)
    task_coef_ : ndarray of shape (n_task_features,)
    task_offset_ : ndarray of shape (n_tasks,)
        Coefficients of the task identities.
    cross_coef_ : ndarray of shape (n_model_features, n_task_features) or None
        Coefficients of the model-factor x task-factor products.
    model_task_coef_ : ndarray of shape (n_model_features, n_tasks) or None
        Per-task slopes on the model factors.
    gbm_ : HistGradientBoostingRegressor
        For ``estimator="gbm"`` only.

    Notes
    -----
    Known scores of a new model shift all its predictions by
    ``sum(residuals) / (n_known + alpha)``: the ridge estimate of a model
    parameter the fitted regression does not have. A new task is predicted
    from its factors (without identity terms), then its identity terms (an
    offset and, with task interactions, slopes on the model factors) are
    fitted by ridge with penalty `alpha` on its known scores, as in the joint fit.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorecast import ScoreMatrix
    >>> from scorecast.predictors import FactorRegression
    >>> names = ["a-1b", "a-7b", "a-13b", "b-7b", "b-13b"]
    >>> scores = pd.DataFrame({"MMLU": [35.0, 45.0, 55.0, None, 60.0],
    ...                        "GSM8K": [10.0, None, 30.0, 50.0, 45.0]}, index=names)
    >>> factors = pd.DataFrame({"family": ["a", "a", "a", "b", "b"],
    ...                         "params_b": [1, 7, 13, 7, 13]}, index=names)
    >>> table = ScoreMatrix(scores, model_factors=factors, score_range=(0, 100))
    >>> ridge = FactorRegression().fit(table)
    >>> new = ridge.predict_new_model(factors={"family": "b", "params_b": 30})
    >>> new["score"].round(1).tolist()
    [63.2, 51.9]
    """

    uses_factors = True

    def __init__(self, estimator="ridge", alpha=5.0, interactions="both", target="task",
                 random_state=None):
        self.estimator = estimator
        self.alpha = alpha
        self.interactions = interactions
        self.target = target
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def _fit(self, inputs):
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)}, "
                             f"not {self.estimator!r}")
        if self.interactions not in INTERACTIONS:
            raise ValueError(f"interactions must be one of {', '.join(INTERACTIONS)}, "
                             f"not {self.interactions!r}")
        self.model_design_ = self._design("model", inputs.model_numeric, inputs.model_codes)
        self.task_design_ = self._design("task", inputs.task_numeric, inputs.task_codes)
        models, tasks = np.nonzero(inputs.mask)
        target = inputs.Y[models, tasks]
        if self.estimator == "gbm":
            self._fit_gbm(inputs, models, tasks, target)
        else:
            self._fit_ridge(models, tasks, target)

    def _design(self, what, numeric, codes):
        encoder = getattr(self, f"{what}_encoder_")
        return np.hstack([numeric, encoder.one_hot(codes)])

    def _fit_ridge(self, models, tasks, target):
        n_tasks = len(self.task_design_)
        x_model, x_task = self.model_design_[models], self.task_design_[tasks]
        identity = np.eye(n_tasks)[tasks]
        p, q = x_model.shape[1], x_task.shape[1]
        with_factors = self.interactions in ("factors", "both")
        with_task = self.interactions in ("task", "both")
        n_columns = p + q + n_tasks + with_factors * p * q + with_task * p * n_tasks
        if len(target) < n_columns:
            coef, intercept = self._ridge_dual(x_model, x_task, identity, target,
                                               with_factors, with_task)
        else:
            blocks = [x_model, x_task, identity]
            if with_factors:
                blocks.append(_rowwise_outer(x_model, x_task))
            if with_task:
                blocks.append(_rowwise_outer(x_model, identity))
            ridge = Ridge(alpha=float(self.alpha)).fit(np.hstack(blocks), target)
            coef, intercept = ridge.coef_, ridge.intercept_
        # Keep the coefficients, reshaped by block, not the sklearn object: saving stays
        # plain arrays, and predictions over all cells are matrix products.
        self.intercept_ = float(intercept)
        self.model_coef_, coef = coef[:p], coef[p:]
        self.task_coef_, coef = coef[:q], coef[q:]
        self.task_offset_, coef = coef[:n_tasks], coef[n_tasks:]
        self.cross_coef_ = self.model_task_coef_ = None
        if with_factors:
            self.cross_coef_, coef = coef[:p * q].reshape(p, q), coef[p * q:]
        if with_task:
            self.model_task_coef_ = coef.reshape(p, n_tasks)

    def _ridge_dual(self, x_model, x_task, identity, target, with_factors, with_task):
        """The same ridge fit as sklearn's ``Ridge`` on the full design, through its kernel.

        With fewer cells than columns (the products of model and task factors
        make thousands), the design's Gram matrix is cheap to build without the
        design: the kernel of a row-wise outer product is the element-wise
        product of the two kernels. Centring the kernel is the intercept.
        """
        k_model, k_task, k_identity = x_model @ x_model.T, x_task @ x_task.T, identity @ identity.T
        kernel = k_model + k_task + k_identity
        if with_factors:
            kernel += k_model * k_task
        if with_task:
            kernel += k_model * k_identity
        mean = target.mean()
        dual = KernelRidge(alpha=float(self.alpha), kernel="precomputed").fit(
            KernelCenterer().fit_transform(kernel), target - mean).dual_coef_
        # Back to the columns: each block's coefficients are its features weighted by the
        # dual coefficients (which sum to zero, so the centring drops out).
        weighted = x_model * dual[:, None]
        blocks = [x_model.T @ dual, x_task.T @ dual, identity.T @ dual]
        means = [x_model.mean(axis=0), x_task.mean(axis=0), identity.mean(axis=0)]
        if with_factors:
            blocks.append((weighted.T @ x_task).ravel())
            means.append((x_model.T @ x_task).ravel() / len(target))
        if with_task:
            blocks.append((weighted.T @ identity).ravel())
            means.append((x_model.T @ identity).ravel() / len(target))
        coef = np.concatenate(blocks)
        return coef, mean - np.concatenate(means) @ coef

    def _gbm_features(self, model_numeric, model_codes, task_numeric, task_codes, task_ids):
        codes = np.hstack([model_codes, task_codes]).astype(float)
        codes[codes == 0] = np.nan                 # code 0: missing or unseen level
        return np.hstack([model_numeric, task_numeric, codes, task_ids[:, None].astype(float)])

    def _fit_gbm(self, inputs, models, tasks, target):
        cardinalities = self.model_encoder_.cardinalities + self.task_encoder_.cardinalities + \
            [len(self.task_design_)]
        n_numeric = inputs.model_numeric.shape[1] + inputs.task_numeric.shape[1]
        categorical = np.r_[np.zeros(n_numeric, bool),
                            np.array(cardinalities) <= _MAX_CATEGORIES].astype(bool)
        self.model_inputs_ = (inputs.model_numeric, inputs.model_codes)
        self.task_inputs_ = (inputs.task_numeric, inputs.task_codes)
        features = self._gbm_features(inputs.model_numeric[models], inputs.model_codes[models],
                                      inputs.task_numeric[tasks], inputs.task_codes[tasks], tasks)
        self.gbm_ = HistGradientBoostingRegressor(
            l2_regularization=float(self.alpha), categorical_features=categorical,
            random_state=self.random_state).fit(features, target)

    # ------------------------------------------------------------------ predicting
    def _linear(self, x_model, x_task, task_terms):
        """Ridge predictions for model rows x task columns; `task_terms`: with identities."""
        out = self.intercept_ + (x_model @ self.model_coef_)[:, None] + \
            (x_task @ self.task_coef_)[None, :]
        if self.cross_coef_ is not None:
            out = out + x_model @ self.cross_coef_ @ x_task.T
        if task_terms:
            out = out + self.task_offset_[None, :]
            if self.model_task_coef_ is not None:
                out = out + x_model @ self.model_task_coef_
        return out

    def _gbm_grid(self, model_inputs, task_inputs, task_ids):
        (model_numeric, model_codes), (task_numeric, task_codes) = model_inputs, task_inputs
        rows, cols = np.divmod(np.arange(len(model_numeric) * len(task_numeric)), len(task_numeric))
        features = self._gbm_features(model_numeric[rows], model_codes[rows], task_numeric[cols],
                                      task_codes[cols], task_ids[cols])
        return self.gbm_.predict(features).reshape(len(model_numeric), len(task_numeric))

    def _predict_full(self):
        if self.estimator == "gbm":
            return self._gbm_grid(self.model_inputs_, self.task_inputs_,
                                  np.arange(len(self.task_design_), dtype=float))
        return self._linear(self.model_design_, self.task_design_, task_terms=True)

    def _fold_in_model(self, y, numeric, codes):
        if self.estimator == "gbm":
            base = self._gbm_grid((numeric[None, :], codes[None, :]), self.task_inputs_,
                                  np.arange(len(self.task_design_), dtype=float))[0]
        else:
            x_model = self._design("model", numeric[None, :], codes[None, :])
            base = self._linear(x_model, self.task_design_, task_terms=True)[0]
        return base + _ridge_fold_in(y - base, np.ones((len(y), 1)), self.alpha)

    def _fold_in_task(self, y, numeric, codes):
        if self.estimator == "gbm":
            base = self._gbm_grid(self.model_inputs_, (numeric[None, :], codes[None, :]),
                                  np.array([np.nan]))[:, 0]
            identity = np.ones((len(y), 1))
        else:
            x_task = self._design("task", numeric[None, :], codes[None, :])
            base = self._linear(self.model_design_, x_task, task_terms=False)[:, 0]
            identity = np.ones((len(y), 1)) if self.model_task_coef_ is None else \
                np.hstack([np.ones((len(y), 1)), self.model_design_])
        return base + _ridge_fold_in(y - base, identity, self.alpha)

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Save the fitted predictor (ridge only: a fitted gradient-boosting model cannot be).

        Raises
        ------
        ScorecastError
            For ``estimator="gbm"``: scorecast saves arrays and plain values only.
        """
        self._check_fitted()
        if self.estimator == "gbm":
            raise ScorecastError("factors-ridge with estimator='gbm' cannot be saved (its "
                                 "trees are not plain arrays); refit it, or use "
                                 "estimator='ridge'")
        super().save(path)
