"""Predictors of missing scores, one class per method, all with the same estimator API.

Every predictor is registered under a method name (``scorecast methods`` lists
them); :func:`make_predictor` builds one by name.
"""

from ._base import ScorePredictor
from ._registry import METHODS, describe_methods, make_predictor
from .auto import Auto
from .baselines import Additive, TaskMean
from .bench_regression import BenchRegression
from .factor_regression import FactorRegression
from .imputers import IterativeImputerPredictor, KNNImputerPredictor
from .scaling_law import ScalingLaw
from .soft_impute import SoftImpute
from .matrix_factorization import MatrixFactorization
from .neural import NCF, FactorsOnly, NCFFactors

__all__ = [
    "ScorePredictor",
    "METHODS",
    "make_predictor",
    "describe_methods",
    "Auto",
    "TaskMean",
    "Additive",
    "MatrixFactorization",
    "SoftImpute",
    "ScalingLaw",
    "FactorRegression",
    "IterativeImputerPredictor",
    "KNNImputerPredictor",
    "BenchRegression",
    "NCF",
    "NCFFactors",
    "FactorsOnly",
]
