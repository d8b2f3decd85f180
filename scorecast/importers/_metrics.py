"""Which of a task's metrics becomes its score: defaults, user overrides, fallbacks.

Shared by the lm-eval reader (metric and filter) and the HELM run reader (statistic and
split). A task's metrics are a list of ``(metric, qualifier, value)`` in file order.
"""

import fnmatch
import math

from ..errors import ScoreTableError
from ._collect import number

# Keys of an lm-eval results entry that describe it rather than score it.
_METADATA_KEYS = {"alias", "name", "task", "version", "sample_len", "samples", "sample_count"}


def parse_overrides(metrics):
    """Normalise user choices into ``[(task pattern, metric, qualifier or None)]``.

    Parameters
    ----------
    metrics : dict, iterable or None
        ``{"gsm8k": "exact_match,flexible-extract", "mmlu*": "acc"}``, or strings
        ``"TASK=METRIC[,QUALIFIER]"``, or ``(task, metric[, qualifier])`` tuples. Task
        names may be shell patterns (``mmlu_*``); the first one that matches wins.
    """
    if not metrics:
        return []
    items = metrics.items() if isinstance(metrics, dict) else metrics
    overrides = []
    for item in items:
        if isinstance(item, str):
            task, sep, choice = item.partition("=")
            if not sep:
                raise ScoreTableError(f"a metric choice is TASK=METRIC[,FILTER], not {item!r}")
            item = (task, choice)
        task, choice = item[0], ",".join(str(part) for part in item[1:] if part is not None)
        metric, sep, qualifier = choice.rpartition(",") if "," in choice else (choice, "", "")
        if not str(task).strip() or not metric.strip():
            raise ScoreTableError(f"a metric choice needs a task and a metric, not {item!r}")
        overrides.append((str(task).strip(), metric.strip(), qualifier.strip() or None))
    return overrides


def lookup(task, table):
    """The ``(metric, qualifier)`` of the first entry of `table` whose pattern fits `task`."""
    for pattern, metric, qualifier in table:
        if pattern == task:
            return metric, qualifier
    for pattern, metric, qualifier in table:
        if fnmatch.fnmatchcase(task, pattern):
            return metric, qualifier
    return None


def split_metrics(log, entry):
    """The numeric ``(metric, filter, value)`` of an lm-eval results entry, in file order.

    Keys are ``"metric,filter"`` (lm-eval 0.4+; split on the last comma) or bare
    ``"metric"`` (older files). Standard errors are never scores; they and non-numeric
    values are counted on the log.
    """
    found = []
    for key, value in entry.items():
        key = str(key)
        if not key.strip() or key in _METADATA_KEYS:
            continue
        metric, _, qualifier = key.rpartition(",") if "," in key else (key, "", None)
        metric = metric.strip()
        if metric.endswith("_stderr") or metric == "stderr":
            log.skip("stderr")
            continue
        value = number(value)
        if value is None or math.isnan(value):
            log.skip("non-numeric")
            continue
        found.append((metric, qualifier, value))
    return found


def show(metric, qualifier):
    """``metric,filter``; lm-eval's ``none`` filter is the bare metric of older files."""
    return metric if qualifier in (None, "none") else f"{metric},{qualifier}"


def choose(task, metrics, overrides, default, preferred=("none", None)):
    """Pick the metric that scores `task`.

    Parameters
    ----------
    task : str
    metrics : list of (str, str or None, float)
    overrides : list
        From :func:`parse_overrides`; a user's choice that is absent leaves the task out.
    default : (str, str or None) or None
        The documented default; when absent, the same metric with another qualifier is
        taken, else the task's first metric, and the note says so.
    preferred : tuple
        Qualifiers tried first when none is named (lm-eval: the ``none`` filter).

    Returns
    -------
    index : int or None
        Position in `metrics` of the chosen one, None to leave the task out.
    note : str or None
        Why the choice differs from the one asked for, if it does.
    """
    asked = lookup(task, overrides)
    wanted = asked or default
    if wanted is None:
        return 0, None
    metric, qualifier = wanted
    same = [i for i, (m, _, _) in enumerate(metrics) if m == metric]
    exact = [i for i in same if qualifier is None or metrics[i][1] == qualifier]
    if exact:
        if qualifier is None:
            exact.sort(key=lambda i: preferred.index(metrics[i][1])
                       if metrics[i][1] in preferred else len(preferred))
        return exact[0], None
    available = ", ".join(show(m, q) for m, q, _ in metrics)
    if asked:
        return None, (f"task {task!r} has no {show(metric, qualifier)} (asked for); it has "
                      f"{available}")
    index = same[0] if same else 0
    return index, (f"task {task!r} has no {show(metric, qualifier)} (the default); took "
                   f"{show(*metrics[index][:2])} instead (it has {available})")


def choose_logged(log, where, task, metrics, overrides, default, preferred=("none", None)):
    """:func:`choose`, with the skipped values counted and the reason noted on `log`.

    Returns the index of the chosen metric, or None when the task is left out.
    """
    index, why = choose(task, metrics, overrides, default, preferred)
    if index is None:
        log.skip("metric asked for is absent", len(metrics))
        log.note("metric", f"{where}: {why}; left out")
    elif why:
        log.note("fallback", f"{where}: {why}")
    return index
