"""The benchmark registry: one benchmark's names in every source, and matching a model's
scores from one source to another table's tasks.

The registry is data (``benchmarks.json`` beside this module; a user's own file of the
same shape extends it): each benchmark has aliases, each alias a source, a scale
(``fraction`` 0-1 or ``percent`` 0-100) and, where the source fixes them, a few-shot
count and a metric. :func:`match_scores` resolves each given score to the table's task
of the same benchmark, converts fraction <-> percent (exact), and says every setting that
differs (shots, metric); a name it cannot place is reported with the reason, never
dropped silently.
"""

import json
import os
from dataclasses import dataclass, field

from ..errors import ScorecastError

_PATH = os.path.join(os.path.dirname(__file__), "benchmarks.json")
_SCALES = {"fraction": 1.0, "percent": 100.0}


@dataclass
class Match:
    """The outcome of matching a model's given scores to a table's tasks.

    Attributes
    ----------
    known : dict of str to float
        Table task -> score on the table's scale.
    matched : list of str
        One line per matched score: from what, to what, and any setting that differs.
    unmatched : list of str
        One line per score left out, with the reason.
    """

    known: dict = field(default_factory=dict)
    matched: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)


def load_registry(extra=None):
    """``{benchmark: [alias, ...]}`` from the shipped file, extended by `extra` (a path).

    Raises
    ------
    ScorecastError
        If a file cannot be read or is not of the registry's shape.
    """
    registry = {}
    for path in [_PATH] + ([extra] if extra else []):
        try:
            with open(path, encoding="utf-8") as handle:
                benchmarks = json.load(handle)["benchmarks"]
            for name, aliases in benchmarks.items():
                for alias in aliases:
                    if not isinstance(alias.get("name"), str) or \
                            alias.get("scale") not in _SCALES:
                        raise ValueError(name)
                registry.setdefault(str(name), []).extend(aliases)
        except OSError as exc:
            raise ScorecastError(f"--task-map {path}: {exc.strerror or exc}") from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ScorecastError(f"--task-map {path}: not a benchmark registry (an object "
                                 "'benchmarks' of name -> list of aliases, each with 'name' "
                                 "and 'scale' fraction or percent)") from None
    return registry


def _aliases(registry):
    """Alias name (case folded) -> [(benchmark, alias)]."""
    index = {}
    for benchmark, aliases in registry.items():
        for alias in aliases:
            index.setdefault(alias["name"].casefold(), []).append((benchmark, alias))
    return index


def _table_scale(table, task):
    upper = float(table.task_info.loc[task, "upper"])
    return "fraction" if upper <= 1 else "percent" if upper <= 100 else None


def match_scores(given, table, shots=None, registry=None):
    """Match a new model's scores, named as some source names them, to `table`'s tasks.

    Parameters
    ----------
    given : dict of str to float
        Task name (as the source names it) -> score on the source's scale.
    table : ScoreMatrix
        The table to predict in.
    shots : dict of str to float, optional
        Task name -> the few-shot count the score was run with, where known.
    registry : dict, optional
        From :func:`load_registry` (default: the shipped one).

    Returns
    -------
    Match
    """
    registry = load_registry() if registry is None else registry
    index = _aliases(registry)
    tasks = set(table.tasks)
    result = Match()
    for name, value in given.items():
        if name in tasks:
            result.known[name] = value
            result.matched.append(f"{name} = {value:g}: a task of the table")
            continue
        entries = index.get(name.casefold(), [])
        if not entries:
            result.unmatched.append(f"{name}: not a benchmark of the registry (give it with "
                                    "--known TASK=SCORE, or add it with --task-map)")
            continue
        benchmark, source = entries[0]
        targets = [alias for alias in registry[benchmark] if alias["name"] in tasks]
        if not targets:
            result.unmatched.append(f"{name}: benchmark {benchmark!r} is not a task of "
                                    f"{table.name}")
            continue
        ran = (shots or {}).get(name, source.get("shots"))
        same = [t for t in targets if ran is not None and t.get("shots") == ran]
        target = (same or targets)[0]
        task = target["name"]
        if task in result.known:
            result.unmatched.append(f"{name}: {task!r} already has a score from another "
                                    "name")
            continue
        scale = _table_scale(table, task) or target["scale"]
        converted = value * _SCALES[scale] / _SCALES[source["scale"]]
        notes = []
        if scale != source["scale"]:
            notes.append(f"{source['scale']} to {scale}")
        if ran is not None and target.get("shots") is not None and ran != target["shots"]:
            notes.append(f"shots differ: {ran:g} given, {target['shots']:g} in the table")
        if source.get("metric") and target.get("metric") and \
                source["metric"] != target["metric"]:
            notes.append(f"metric differs: {source['metric']} given, {target['metric']} "
                         "in the table")
        result.known[task] = converted
        result.matched.append(f"{name} = {value:g} -> {task} = {converted:g}"
                              + (f" ({'; '.join(notes)})" if notes else ""))
    return result


__all__ = ["Match", "load_registry", "match_scores"]
