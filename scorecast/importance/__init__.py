"""Factor importance: Shapley values of the factors of a factor-aware network.

- :func:`factor_importance`: the CPP paper's analysis (section 5.3) over seeds,
  with the paper's zero masking or interventional masking, for ``ncf-factors``
  and ``factors-only``; :func:`fitted_factor_importance`, the same games on one
  predictor fitted elsewhere;
- :func:`shapley_values`: exact or sampled Shapley values of any game;
- :func:`importance_figure`, :func:`instances_figure`: the bar chart of the
  importances and the strip plot of the per-instance values (from
  :mod:`scorecast.plotting`).
"""

from ._factor_importance import (SUPPORTED_METHODS, FactorImportance, factor_importance,
                                 fitted_factor_importance)
from ._games import MASKINGS
from ..plotting.importance import importance_figure, instances_figure
from ._shapley import ShapleyValues, shapley_values

__all__ = ["factor_importance", "fitted_factor_importance", "FactorImportance",
           "SUPPORTED_METHODS", "MASKINGS", "shapley_values", "ShapleyValues",
           "importance_figure", "instances_figure"]
