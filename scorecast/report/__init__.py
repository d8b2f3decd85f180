"""``scorecast report``: one self-contained HTML page about a score table.

:func:`build_report` completes the table with a method, checks it on held-out scores,
ranks the models, asks :mod:`scorecast.suggest` what to evaluate next and, when asked,
measures the factors' importance; :meth:`Report.html` is the page (no network access
when opened: styles, script, data and figures are inline).
"""

import shlex
import time
from dataclasses import dataclass

import numpy as np

from .. import __version__
from ..predictors import make_predictor
from ..predictors._registry import seeded
from . import _compute
from ._html import render

__all__ = ["build_report", "Report", "REPORT_STAGES"]

#: The stages `progress` is told about, in order (importance only when asked).
REPORT_STAGES = ("fitting", "held-out check", "intervals", "suggestions", "importance",
                 "page")
_SIGNIFICANT = 4
# How far predicted cells are blended toward white (observed ones keep their colour).
_PALENESS = 0.6


@dataclass
class Report:
    """A built report: its content as data, and the page."""

    content: dict

    def html(self):
        """The page, one self-contained HTML document."""
        return render(self.content)


def _rounded(values):
    """Numbers with 4 significant digits, for a compact page (NaN as null)."""
    return [None if not np.isfinite(v) else float(f"{v:.{_SIGNIFICANT}g}") for v in values]


def build_report(table, method="auto", params=None, tasks=None, level=0.9, holdout=0.1,
                 n_suggest=5, importance=False, random_state=0, progress=None, command=None):
    """Complete `table` and describe it for a person.

    Parameters
    ----------
    table : ScoreMatrix
    method : str, default="auto"
    params : dict, optional
        Parameters of the method.
    tasks : list of str, optional
        The tasks the leaderboard averages (default: all).
    level : float, default=0.9
        Level of the intervals.
    holdout : float, default=0.1
        Share of the observed scores the held-out check hides.
    n_suggest : int, default=5
        Models (with the widest intervals) for which to suggest evaluations.
    importance : bool, default=False
        Also measure the factors' importance (``ncf-factors``, 3 seeds; tens of seconds).
    random_state : int, default=0
    progress : callable, optional
        Called with the name of each stage (:data:`REPORT_STAGES`) as it starts.
    command : str, optional
        The command line shown in the page.

    Returns
    -------
    Report
    """
    start = time.perf_counter()
    params = dict(params or {})
    progress = progress or (lambda stage: None)
    tasks = _compute.check_tasks(table, tasks)
    progress("fitting")
    predictor = seeded(make_predictor(method, **params), random_state, verbose=False)
    _compute._fit_quietly(predictor, table)
    progress("held-out check")
    # The same configuration as the page's own predictions, fitted on the rest.
    check = _compute.held_out_check(table, seeded(make_predictor(method, **params),
                                                  random_state, verbose=False),
                                    holdout, level, random_state, lambda stage: None)
    progress("intervals")
    # Calibrated as `complete --interval` calibrates, so that both give the same bounds.
    predictor.calibrate(random_state=random_state)
    long = predictor.complete(interval=level)
    n_models, n_tasks = table.shape
    completed = long["score"].to_numpy().reshape(n_models, n_tasks)
    lower = long["lower"].to_numpy().reshape(n_models, n_tasks)
    upper = long["upper"].to_numpy().reshape(n_models, n_tasks)
    observed = table.observed
    details = predictor.predict_details(list(long["model"]), list(long["task"]))
    completed_frame = predictor.complete()
    board, summary_description = _compute.leaderboard(completed_frame, lower, upper, observed,
                                                      table, tasks)
    progress("suggestions")
    # Mean interval width over each model's predicted cells (-1: nothing predicted).
    missing = (~observed).sum(axis=1)
    mean_width = np.where(missing > 0, np.where(observed, 0, upper - lower).sum(axis=1)
                          / np.maximum(missing, 1), -1.0)
    picks = _compute.next_evaluations(predictor, mean_width, n_suggest)
    importance_item = None
    if importance:
        progress("importance")
        importance_item = _importance(table, random_state)
    progress("page")
    model_order, task_order = _compute.order(completed_frame, table)
    grid = np.ix_(model_order, task_order)
    reasons = [""] + sorted(set(details["reason"]) - {""})
    reason_index = details["reason"].map({r: i for i, r in enumerate(reasons)}) \
        .to_numpy().reshape(n_models, n_tasks)
    from matplotlib import colormaps

    palette = [colormaps["viridis"](i / 255) for i in range(256)]
    palette = ["#%02x%02x%02x" % tuple(round(255 * c) for c in rgb[:3]) for rgb in palette]
    pale_lower = np.where(observed, np.nan, lower)
    pale_upper = np.where(observed, np.nan, upper)
    content = {
        "version": __version__,
        "command": command or f"scorecast report {shlex.quote(table.name)}",
        "method": method, "method_report": getattr(predictor, "report_", "") or "",
        "level": f"{100 * level:g}", "holdout": holdout, "seed": random_state,
        "table": {"name": table.name, "models": n_models, "tasks": n_tasks,
                  "observed": int(observed.sum()), "density": float(observed.mean()),
                  "predicted": int((~observed).sum())},
        "tasks_description": ("every task" if len(tasks) == n_tasks
                              else f"{len(tasks)} tasks ({', '.join(tasks)})"),
        "summary_description": summary_description,
        "leaderboard": board, "check": check, "suggest": picks, "n_suggest": n_suggest,
        "importance": importance_item,
        "provenance": _compute.provenance(table),
        "palette": palette, "pale": _pale(palette[128]),
        "heatmap": {
            "models": [str(m) for m in table.models[model_order]],
            "tasks": [str(t) for t in table.tasks[task_order]],
            "level": f"{100 * level:g}", "palette": palette,
            "fallbackColor": "#D55E00", "reasons": reasons, "paleness": _PALENESS,
            "cells": {
                "score": _rounded(completed[grid].ravel()),
                "lower": _rounded(pale_lower[grid].ravel()),
                "upper": _rounded(pale_upper[grid].ravel()),
                "observed": observed[grid].astype(int).ravel().tolist(),
                "shade": _compute.shade(completed_frame, table)[grid].ravel().tolist(),
                "reason": reason_index[grid].ravel().tolist(),
            },
        },
    }
    content["seconds"] = time.perf_counter() - start
    return Report(content)


def _pale(hex_colour, amount=None):
    amount = _PALENESS if amount is None else amount
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(round(c + (255 - c) * amount) for c in rgb)


def _importance(table, random_state):
    """The factor-importance figure as inline SVG, or why there is none."""
    import io

    from ..importance import factor_importance
    from ..plotting import importance_figure, save_figure

    if table.model_factors.shape[1] == 0 and table.task_factors.shape[1] == 0:
        return f"{table.name} has no model or task factors: there is no importance to measure."
    result = factor_importance(table, seeds=3, random_state=random_state)
    buffer = io.StringIO()
    save_figure(importance_figure(result), buffer, "svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    return {"svg": svg,
            "caption": f"Shapley importance of each factor for {result.method} (3 seeds, "
                       f"{result.masking} masking): how much the validation error drops when "
                       "the factor joins, as in 'scorecast importance' (see its help)."}

