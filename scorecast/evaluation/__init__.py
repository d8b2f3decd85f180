"""Evaluation: splitters that hide observed scores, metrics that score predictions,
and the benchmark protocols built from them."""

from .metrics import mae, mean_l1, mean_spearman, mse, rank_metrics, rmse
from .splits import (Split, largest_models, leave_family_out, model_families, new_models,
                     new_tasks, newest_models, parameter_counts, per_model, random_cells,
                     random_folds, sparsity)

__all__ = ["Split", "random_cells", "new_models", "new_tasks", "sparsity", "leave_family_out",
           "model_families", "largest_models", "newest_models", "parameter_counts",
           "per_model", "random_folds",
           "mse", "mean_l1", "mae", "rmse", "rank_metrics", "mean_spearman"]
