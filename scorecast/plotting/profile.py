"""A model's (or task's) profile: its score on each task, observed or predicted, with
intervals."""

import numpy as np

from ._style import OBSERVED, PALETTE, PREDICTED, new_figure

__all__ = ["profile_figure"]


def profile_figure(prediction, title, axis_label="task"):
    """Dots per task (or model): observed scores, predicted ones with their interval.

    Parameters
    ----------
    prediction : pandas.DataFrame
        Indexed by task (or model), columns ``score``, ``observed``, ``fallback``, and
        optionally ``lower`` and ``upper`` (what ``scorecast predict`` prints).
    title : str
    axis_label : str, default="task"
        What the rows are.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D

    frame = prediction.sort_values("score")
    n = len(frame)
    figure, (ax,) = new_figure(7, 1.3 + 0.22 * n, title)
    y = np.arange(n)
    observed = frame["observed"].to_numpy(dtype=bool)
    fallback = frame["fallback"].to_numpy(dtype=bool) & ~observed
    scores = frame["score"].to_numpy(dtype=float)
    has_interval = {"lower", "upper"} <= set(frame.columns)
    if has_interval:
        predicted = ~observed
        ax.hlines(y[predicted], frame["lower"].to_numpy()[predicted],
                  frame["upper"].to_numpy()[predicted], color=PREDICTED, linewidth=2.5,
                  alpha=0.45)
    ax.scatter(scores[observed], y[observed], color=OBSERVED, s=22, zorder=3)
    ax.scatter(scores[~observed & ~fallback], y[~observed & ~fallback], color=PREDICTED, s=22,
               marker="D", zorder=3)
    ax.scatter(scores[fallback], y[fallback], facecolor="white", edgecolor=PALETTE[5], s=26,
               marker="D", zorder=3)
    ax.set_yticks(y, [str(name) for name in frame.index])
    ax.tick_params(axis="y", labelsize=7 if n > 30 else 8)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("score (the task's own units)")
    ax.set_ylabel(axis_label)
    handles = [Line2D([], [], color=OBSERVED, marker="o", linestyle="", label="observed"),
               Line2D([], [], color=PREDICTED, marker="D", linestyle="", label="predicted")]
    if has_interval:
        handles.append(Line2D([], [], color=PREDICTED, alpha=0.45, linewidth=2.5,
                              label="interval"))
    if fallback.any():
        handles.append(Line2D([], [], color=PALETTE[5], marker="D", markerfacecolor="white",
                              linestyle="", label="fallback (no basis to predict)"))
    ax.legend(handles=handles, loc="lower right", fontsize="small")
    return figure
