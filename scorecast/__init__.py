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

import importlib

from .errors import (DatasetError, OutputError, ParameterError, ScorecastError,
                     ScorecastWarning, ScoreTableError)

__version__ = "0.1.0"

# The heavy parts (numpy, pandas, scikit-learn) are imported on first use, so that
# `import scorecast` is instant and the command line's error handling (Ctrl-C
# included) is in place before they load.
_LAZY = {"ScoreMatrix": ("table", "ScoreMatrix"), "datasets": ("datasets", None),
         "make_predictor": ("predictors", "make_predictor"),
         "load_predictor": ("persistence", "load_predictor")}

__all__ = [
    "ScoreMatrix",
    "datasets",
    "make_predictor",
    "load_predictor",
    "ScorecastError",
    "ScoreTableError",
    "DatasetError",
    "ParameterError",
    "OutputError",
    "ScorecastWarning",
    "__version__",
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'scorecast' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = importlib.import_module(f".{module}", __name__)
    value = value if attribute is None else getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
