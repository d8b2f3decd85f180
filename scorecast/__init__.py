"""scorecast: predict how a large language model will score on benchmarks it has not been run on.

The package map:

- :class:`ScoreMatrix` (``scorecast.table``): scores of models on tasks, with model
  and task factors;
- ``scorecast.readers``: reading score and factor tables from CSV files;
- ``scorecast.factors``: the kinds of factor (numeric, boolean, date, categorical);
- ``scorecast.datasets``: the published datasets, downloaded and cached on first use;
- ``scorecast.summary``: what a table holds, as a dictionary or as text;
- ``scorecast.targets``: the spaces predictors learn in, and the way back to scores;
- ``scorecast.predictors``: the prediction methods, one estimator API;
- ``scorecast.persistence``: saving and loading fitted predictors safely;
- ``scorecast.cli``: the ``scorecast`` command, a thin layer over the above.
"""

from . import datasets
from .errors import DatasetError, ScorecastError, ScorecastWarning, ScoreTableError
from .persistence import load as load_predictor
from .predictors import make_predictor
from .table import ScoreMatrix

__version__ = "0.1.0"

__all__ = [
    "ScoreMatrix",
    "datasets",
    "make_predictor",
    "load_predictor",
    "ScorecastError",
    "ScoreTableError",
    "DatasetError",
    "ScorecastWarning",
    "__version__",
]
