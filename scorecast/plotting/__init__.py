"""scorecast's figures, all in one look (see :mod:`scorecast.plotting._style`).

- :func:`benchmark_figure`: what a `scorecast benchmark` run measured, drawn per protocol;
- :func:`profile_figure`: one model's (or task's) observed and predicted scores;
- :func:`importance_figure`, :func:`instances_figure`: factor importance;
- :func:`save_figure`, :func:`check_plot_path`: writing figures (PNG, SVG... by extension).
"""

from ._style import PALETTE, check_plot_path, colors, new_figure, save_figure
from .benchmark import benchmark_figure
from .importance import importance_figure, instances_figure
from .profile import profile_figure

__all__ = ["benchmark_figure", "profile_figure", "importance_figure", "instances_figure",
           "save_figure", "check_plot_path", "new_figure", "colors", "PALETTE"]
