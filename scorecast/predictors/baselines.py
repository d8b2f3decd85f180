"""Plain baselines: the task mean and the additive model (model bias + task bias)."""

import numpy as np

from ._base import ScorePredictor
from ._registry import register
from .matrix_factorization import ALSPredictor


@register("mean")
class TaskMean(ScorePredictor):
    """Task mean: every model gets the mean of the task's observed scores.

    Parameters
    ----------
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`); the mean is taken there.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorecast.predictors import TaskMean
    >>> scores = pd.DataFrame({"A": [50.0, 70.0, None]}, index=["m1", "m2", "m3"])
    >>> TaskMean().fit(scores).complete().loc["m3", "A"]
    60.0
    """

    def __init__(self, target="task"):
        self.target = target

    def _fit(self, inputs):
        with np.errstate(invalid="ignore"):
            level = np.nanmean(inputs.Y, axis=0)
        self.task_level_ = np.where(np.isnan(level), 0.0, level)
        self.n_models_ = inputs.Y.shape[0]

    def _predict_full(self):
        return np.tile(self.task_level_, (self.n_models_, 1))

    def _fold_in_model(self, y, numeric, codes):
        return self.task_level_.copy()


@register("additive")
class Additive(ALSPredictor):
    """Additive: model bias + task bias, fitted by ridge regression.

    Parameters
    ----------
    reg : float, default=1.0
        Ridge penalty of the biases.
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`).
    n_iter : int, default=10
        Alternating sweeps.
    """

    def __init__(self, reg=1.0, target="task", n_iter=10):
        self.reg = reg
        self.target = target
        self.n_iter = n_iter

    def _als_params(self):
        return dict(rank=0, reg=self.reg, bias_reg=self.reg, n_iter=self.n_iter)
