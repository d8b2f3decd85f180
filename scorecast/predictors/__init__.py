"""Predictors of missing scores, one class per method, all with the same estimator API.

Every predictor is registered under a method name (``scorecast methods`` lists
them); :func:`make_predictor` builds one by name.
"""

from ._base import ScorePredictor
from ._registry import METHODS, describe_methods, make_predictor
from .baselines import Additive, TaskMean
from .matrix_factorization import MatrixFactorization

__all__ = [
    "ScorePredictor",
    "METHODS",
    "make_predictor",
    "describe_methods",
    "TaskMean",
    "Additive",
    "MatrixFactorization",
]
