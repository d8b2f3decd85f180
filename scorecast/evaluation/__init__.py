"""Evaluation: splitters that hide observed scores, and the metrics that score predictions."""

from .metrics import mae, mean_l1, mean_spearman, mse, rank_metrics, rmse
from .splits import Split, largest_models, new_models, parameter_counts, random_cells

__all__ = ["Split", "random_cells", "new_models", "largest_models", "parameter_counts",
           "mse", "mean_l1", "mae", "rmse", "rank_metrics", "mean_spearman"]
