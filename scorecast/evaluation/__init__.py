"""Evaluation: splitters that hide observed scores, and the metrics that score predictions."""

from .splits import Split, largest_models, new_models, parameter_counts, random_cells

__all__ = ["Split", "random_cells", "new_models", "largest_models", "parameter_counts"]
