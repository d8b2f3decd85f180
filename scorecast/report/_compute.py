"""What a report shows, computed: the completed table, its ordering, the leaderboard, the
held-out check, the next evaluations, the factor importance and the provenance.

Everything here is data (numbers, names, text); :mod:`._html` turns it into the page.
"""

import warnings

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
from scipy.spatial.distance import squareform

from .. import datasets
from ..errors import ScorecastError, quote_names
from ..evaluation.splits import random_cells
from ..intervals import MODEL_GROUPS, model_group
from ..predictors import make_predictor
from ..predictors._registry import seeded
from ..suggest import suggest_tasks, task_covariance
from ..summary import format_summary, summarize

#: The methods the default method is checked against on the held-out cells.
REFERENCES = ("mean", "mf")
def _fit_quietly(predictor, table):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return predictor.fit(table)


def _direction(table):
    """+1 for tasks where higher is better, -1 for the others."""
    return np.where(table.task_info["higher_is_better"].to_numpy(dtype=bool), 1.0, -1.0)


def _standardised(completed, table):
    """Per-task z-scores of the completed table, higher always better."""
    values = completed.to_numpy(dtype=float)
    spread = values.std(axis=0)
    spread[spread == 0] = 1.0
    return (values - values.mean(axis=0)) / spread * _direction(table)


def order(completed, table):
    """Models by their average standardised score (best first); tasks so that similar
    tasks sit together (average-linkage clustering of the correlation of their completed
    scores, leaves in optimal order).

    Returns
    -------
    model_order, task_order : ndarray of int
    """
    z = _standardised(completed, table)
    model_order = np.argsort(-z.mean(axis=1), kind="stable")
    n_tasks = z.shape[1]
    if n_tasks < 3:
        return model_order, np.arange(n_tasks)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(z.T)
    distance = np.clip(1 - np.nan_to_num(corr, nan=0.0), 0, 2)
    np.fill_diagonal(distance, 0)
    condensed = squareform(distance, checks=False)
    tree = optimal_leaf_ordering(linkage(condensed, "average"), condensed)
    return model_order, leaves_list(tree)


def shade(completed, table):
    """Each cell's colour index 0-255: its rank within the task's completed scores (so
    tasks of any range compare), 255 the best."""
    ranks = (completed * _direction(table)).rank(axis=0, method="average").to_numpy()
    return np.round(255 * (ranks - 1) / max(len(completed) - 1, 1)).astype(int)


def summary_scale(table, tasks):
    """How the leaderboard averages tasks: raw scores when they share a finite range,
    else each task's scores as a percentage of its range, else per-task z-scores.

    Returns
    -------
    transform : callable
        Maps a models x tasks array of scores (on `tasks`) to the averaged units.
    description : str
    """
    info = table.task_info.loc[tasks]
    lower, upper = info["lower"].to_numpy(float), info["upper"].to_numpy(float)
    if np.isfinite(lower).all() and np.isfinite(upper).all():
        if len(set(lower)) == 1 and len(set(upper)) == 1:
            return (lambda s: s), f"mean score ({lower[0]:g} to {upper[0]:g})"
        return (lambda s: 100 * (s - lower) / (upper - lower)), \
            "mean of each task's score as a percentage of its range"
    return None, "mean per-task z-score (the tasks' ranges are not all bounded)"


def leaderboard(completed, lower, upper, observed, table, tasks):
    """Models ranked by the summary over `tasks`, with an interval and the observed share.

    The interval averages the cells' bounds: it assumes the cells' errors move together,
    so it is wider than one that assumed them independent.
    """
    columns = table.tasks.get_indexer(tasks)
    transform, description = summary_scale(table, tasks)
    scores = completed.to_numpy(float)[:, columns]
    if transform is None:
        mean, spread = scores.mean(axis=0), scores.std(axis=0)
        spread[spread == 0] = 1.0
        direction = _direction(table)[columns]
        transform = lambda s: (s - mean) / spread * direction      # noqa: E731
    low = transform(lower[:, columns])
    high = transform(upper[:, columns])
    low, high = np.minimum(low, high), np.maximum(low, high)
    frame = pd.DataFrame({
        "model": table.models, "summary": transform(scores).mean(axis=1),
        "lower": low.mean(axis=1), "upper": high.mean(axis=1),
        "observed": observed[:, columns].sum(axis=1), "tasks": len(columns)})
    frame["observed_share"] = frame["observed"] / frame["tasks"]
    frame = frame.sort_values("summary", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame, description


def held_out_check(table, predictor, fraction, level, random_state, progress):
    """Hide `fraction` of the observed scores, predict them with `predictor` (fitted and
    calibrated on the rest) and with :data:`REFERENCES`, and measure.

    Returns
    -------
    dict
        ``cells`` (held-out count), ``by_task`` and ``by_group`` (MAE per method),
        ``overall``, ``coverage`` (share of held-out scores inside the level's
        intervals, overall and per group, and mean width) of `predictor` fitted and
        calibrated on the rest.
    """
    split = random_cells(table, fraction, random_state=random_state)
    cells, train = split.test, split.train
    truth = table.scores.to_numpy(float)[cells[:, 0], cells[:, 1]]
    models, tasks = table.models[cells[:, 0]], table.tasks[cells[:, 1]]
    known = train.observed.sum(axis=1)[cells[:, 0]]
    groups = np.array(MODEL_GROUPS)[model_group(known)]
    errors, method = {}, predictor.method_name
    _fit_quietly(predictor, train)
    progress("held-out check: intervals")
    predictor.calibrate(random_state=random_state)
    details = predictor.predict_details(list(models), list(tasks), interval=level)
    errors[method] = np.abs(details["score"].to_numpy() - truth)
    for name in REFERENCES:
        progress(f"held-out check: {name}")
        reference = seeded(make_predictor(name), random_state, verbose=False)
        errors[name] = np.abs(_fit_quietly(reference, train).predict(list(models), list(tasks))
                              - truth)
    frame = pd.DataFrame({"task": tasks, "group": groups, **errors})
    inside = (details["lower"].to_numpy() <= truth) & (truth <= details["upper"].to_numpy())
    width = details["upper"].to_numpy() - details["lower"].to_numpy()
    frame["inside"], frame["width"] = inside, width
    names = [method] + [n for n in REFERENCES if n != method]
    by_group = frame.groupby("group")
    return {
        "cells": len(cells), "methods": names,
        "overall": {n: float(frame[n].mean()) for n in names},
        "by_task": frame.groupby("task")[names].mean().join(
            frame.groupby("task").size().rename("cells")).reset_index(),
        "by_group": by_group[names].mean().join(by_group.size().rename("cells"))
        .reindex([g for g in MODEL_GROUPS if g in set(groups)]).reset_index(),
        "coverage": {"overall": float(inside.mean()), "width": float(width.mean()),
                     "by_group": by_group["inside"].mean().to_dict()},
    }


def next_evaluations(predictor, widths, n_models, budget=3):
    """`suggest`'s picks for the `n_models` models with the widest intervals.

    Returns
    -------
    list of dict
        ``model``, ``width`` (mean interval width over its predicted cells), ``tasks``
        (the suggested tasks, best first, with their expected gain).
    """
    missing = np.isnan(predictor.train_scores_).any(axis=1)
    candidates = [i for i in np.argsort(-widths, kind="stable") if missing[i]][:n_models]
    covariance = task_covariance(predictor)
    picks = []
    for i in candidates:
        model = predictor.models_[i]
        ranked = suggest_tasks(predictor, model=model, budget=budget, covariance=covariance)
        picks.append({"model": model, "width": float(widths[i]),
                      "tasks": ranked[["task", "gain", "sd"]].to_dict(orient="records")})
    return picks


def provenance(table):
    """Where the table comes from and what `scorecast show` reports about it."""
    summary = summarize(table)
    source = None
    if table.name in {d.name for d in datasets.list_datasets()}:
        record = datasets.describe(table.name)
        source = {"description": record.description, "credit": record.credit,
                  "license": record.license, "changes": record.changes}
    return {"source": source, "summary": format_summary(summary),
            "problems": summary["problems"]}


def check_tasks(table, tasks):
    """The leaderboard's tasks: all, or the named ones (each checked)."""
    if not tasks:
        return list(table.tasks)
    unknown = [t for t in tasks if t not in table.tasks]
    if unknown:
        raise ScorecastError(f"--tasks: no task named {quote_names(unknown)} in {table.name}")
    return list(dict.fromkeys(tasks))


__all__ = ["order", "shade", "leaderboard", "held_out_check", "next_evaluations", "provenance",
           "check_tasks"]
