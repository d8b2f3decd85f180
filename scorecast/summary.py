"""What a score table holds, as a dictionary (for JSON) or as text (for people)."""

import numpy as np

from .errors import quote_names

__all__ = ["summarize", "format_summary"]


def _number(value):
    """JSON-friendly float: None for NaN, strings for infinities."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(value)


def _factor_rows(frame, kinds):
    rows = []
    for name in frame.columns:
        column = frame[name]
        row = {"factor": name, "kind": kinds[name], "known": int(column.notna().sum()),
               "of": len(column)}
        if kinds[name] == "categorical":
            row["levels"] = int(column.dropna().nunique())
        elif kinds[name] == "boolean":
            row["yes"] = int((column == 1).sum())
        else:
            row["min"], row["max"] = _number(column.min()), _number(column.max())
        rows.append(row)
    return rows


def summarize(table):
    """Describe a score table.

    Parameters
    ----------
    table : ScoreMatrix

    Returns
    -------
    dict
        ``name``, ``models``, ``tasks``, ``observed``, ``cells``, ``density``;
        ``scores_per_model`` and ``scores_per_task`` (min, median, max);
        ``task_details`` (one record per task: observed count, observed min,
        median and max, score range, its source and the reason for it,
        higher_is_better); ``ranges`` (the tasks grouped by range and by the
        rule that gave it);
        ``model_factors`` and ``task_factors`` (one record per factor: kind,
        known values, levels or min and max); ``problems`` (list of str).
    """
    scores = table.scores
    counts_m = scores.notna().sum(axis=1)
    counts_t = scores.notna().sum(axis=0)
    details = []
    for task in scores.columns:
        column = scores[task].dropna()
        info = table.task_info.loc[task]
        details.append({
            "task": task, "observed": int(column.size),
            "min": _number(column.min()), "median": _number(column.median()),
            "max": _number(column.max()),
            "lower": _number(info["lower"]), "upper": _number(info["upper"]),
            "range_source": info["range_source"],
            "range_reason": info.get("range_reason", info["range_source"]),
            "higher_is_better": bool(info["higher_is_better"]),
        })

    def spread(counts):
        if not len(counts):  # a table without models or tasks
            return {"min": 0, "median": 0.0, "max": 0}
        return {"min": int(counts.min()), "median": float(counts.median()),
                "max": int(counts.max())}

    return {
        "name": table.name,
        "models": int(scores.shape[0]), "tasks": int(scores.shape[1]),
        "observed": table.n_observed, "cells": int(scores.size),
        "density": round(table.density, 6),
        "scores_per_model": spread(counts_m), "scores_per_task": spread(counts_t),
        "task_details": details,
        "ranges": _range_groups(details),
        "model_factors": _factor_rows(table.model_factors, table.model_factor_kinds),
        "task_factors": _factor_rows(table.task_factors, table.task_factor_kinds),
        "problems": list(table.problems),
    }


def _range_rule(detail):
    """The rule behind a task's range, without the task's own counts."""
    if detail["range_source"] == "declared":
        return detail["range_reason"]
    if not detail["observed"]:
        return "no score: the range of most tasks"
    if detail["range_source"] == "inferred":
        return f"inferred: all scores in [{_bound(detail['lower'])}, {_bound(detail['upper'])}]"
    return "scores outside 0-100"


def _range_groups(details):
    """Tasks grouped by range and rule, largest group first."""
    groups = {}
    for d in details:
        key = (d["lower"], d["upper"], d["range_source"], _range_rule(d))
        groups.setdefault(key, []).append(d["task"])
    return [{"lower": low, "upper": high, "range_source": source, "reason": rule,
             "tasks": tasks}
            for (low, high, source, rule), tasks in
            sorted(groups.items(), key=lambda item: -len(item[1]))]


def _num(value):
    """Short text for a number: integers as they are, others to 4 significant digits."""
    if float(value).is_integer() and abs(value) < 1e7:
        return str(int(value))
    return f"{value:.4g}"


def _text_table(columns):
    """Align ``{header: values}`` as text: text columns left, numbers right."""
    cells = {h: [v if isinstance(v, str) else _num(v) for v in vals]
             for h, vals in columns.items()}
    widths = {h: max([len(h)] + [len(c) for c in col]) for h, col in cells.items()}
    left = {h: all(isinstance(v, str) for v in vals) for h, vals in columns.items()}

    def line(values):
        return "  " + "  ".join(v.ljust(widths[h]) if left[h] else v.rjust(widths[h])
                                for h, v in zip(cells, values)).rstrip()

    rows = [line(list(cells))]
    rows += [line(values) for values in zip(*cells.values())]
    return rows


def _bound(value):
    return value if isinstance(value, str) else format(value, "g")


def _range_text(row):
    if row["range_source"] == "none":
        return "unbounded"
    return f"{_bound(row['lower'])} to {_bound(row['upper'])} ({row['range_source']})"


def _ranges_line(groups):
    """``ranges: 46 tasks 0 to 1 (inferred: ...); 'elo' unbounded (...)``."""
    parts = []
    for group in groups:
        n = len(group["tasks"])
        if len(groups) == 1:
            who = f"all {n} tasks" if n > 1 else "1 task"
        else:
            who = quote_names(group["tasks"]) if n <= 3 else f"{n} tasks"
        unbounded = group["lower"] == "-inf" and group["upper"] == "inf"
        scale = "unbounded" if unbounded else \
            f"{_bound(group['lower'])} to {_bound(group['upper'])}"
        parts.append(f"{who} {scale} ({group['reason']})")
    return "ranges: " + "; ".join(parts)


def _factor_values(row):
    if row["kind"] == "categorical":
        return f"{row['levels']} levels"
    if row["kind"] == "boolean":
        return f"{row['yes']} yes, {row['known'] - row['yes']} no"
    return f"{_num(row['min'])} to {_num(row['max'])}"


def _factor_table(rows, what):
    if not rows:
        return [f"{what} factors: none"]
    return [f"{what} factors ({len(rows)}):"] + _text_table({
        "factor": [r["factor"] for r in rows],
        "kind": [r["kind"] for r in rows],
        "known": [f"{r['known']}/{r['of']}" for r in rows],
        "values": [_factor_values(r) for r in rows],
    })


def format_summary(summary):
    """Render :func:`summarize`'s dictionary as text for a terminal."""
    s = summary
    pm, pt = s["scores_per_model"], s["scores_per_task"]
    lines = [
        f"{s['name']}: {s['models']} models x {s['tasks']} tasks, {s['observed']} of "
        f"{s['cells']} cells observed ({100 * s['density']:.1f}% dense)",
        f"scores per model: {pm['min']} to {pm['max']} (median {pm['median']:g}); "
        f"per task: {pt['min']} to {pt['max']} (median {pt['median']:g})",
        "",
    ]
    details = s["task_details"]
    lines += [_ranges_line(s["ranges"]), "tasks:"] + _text_table({
        "task": [d["task"] for d in details],
        "observed": [d["observed"] for d in details],
        "min": [d["min"] for d in details],
        "median": [d["median"] for d in details],
        "max": [d["max"] for d in details],
        "range": [_range_text(d) for d in details],
        "better": ["higher" if d["higher_is_better"] else "lower" for d in details],
    })
    lines += [""] + _factor_table(s["model_factors"], "model")
    lines += [""] + _factor_table(s["task_factors"], "task")
    lines += ["", f"problems ({len(s['problems'])}):" if s["problems"] else "problems: none"]
    lines += [f"  - {p}" for p in s["problems"]]
    return "\n".join(lines)
