"""Turning an :class:`~._collect.ImportLog` into a ScoreMatrix: conflicts, factors, report.

The conflict rule is the same for every format: when several files give a score for
the same model and task, the most recent file wins (the file's run date for lm-eval
results; the order the files were read for formats without a date). Every score that
loses, and every identical repeat, is counted; every conflict is reported with the
files and values involved. Factor values are resolved by the same rule.
"""

import math
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ScorecastWarning, ScoreTableError, quote_names
from ..table import ScoreMatrix

# Warning headings, one warning per kind of note; "info" notes only go to `problems`.
_WARNED = {
    "file": "file(s) skipped",
    "conflict": "conflicting score(s)",
    "fallback": "task(s) scored with another metric than the default",
    "metric": "task(s) left out: the metric asked for is absent",
    "partial": "partial run(s)",
    "mmlu": "MMLU score(s) averaged over fewer than 57 subjects",
    "dedup": "model(s) with duplicate rows",
    "factor": "factor value(s) that differ between files",
    "range": "task range(s) not declared",
    "empty": "entries without a numeric score",
}


_HINTS = {
    "revision": " (pass revision_in_name=True / --revision-in-name to keep revisions apart)",
    "n_shot": " (scores with different few-shot counts are merged under one task name)",
}


@dataclass
class ImportReport:
    """What an import read, resolved and left out.

    Attributes
    ----------
    format : str
    files : list of str
        The files read.
    skipped_files : list of (str, str)
        Files found in folders that were not of the format, and why.
    skipped : collections.Counter
        Values read but not put in the table, by reason.
    notes : list of (str, str)
        ``(kind, text)``: conflicts, metric fallbacks, partial runs, dropped duplicates...
    """

    format: str
    files: list = field(default_factory=list)
    skipped_files: list = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    notes: list = field(default_factory=list)

    @property
    def n_skipped(self):
        """int: number of values read but left out of the table."""
        return sum(self.skipped.values())

    def skipped_text(self):
        """``"skipped 14 values: 12 stderr, 2 non-numeric"``, or an empty string."""
        if not self.n_skipped:
            return ""
        parts = ", ".join(f"{n} {reason}" for reason, n in self.skipped.most_common())
        return f"skipped {self.n_skipped} value(s): {parts}"

    def summary(self, table):
        """One line: what was imported from how many files, and what was skipped."""
        text = (f"imported {table.shape[0]} models x {table.shape[1]} tasks "
                f"({table.n_observed} scores) from {len(self.files)} file(s)")
        if self.skipped_files:
            text += f" ({len(self.skipped_files)} other file(s) skipped)"
        skipped = self.skipped_text()
        return f"{text}; {skipped}" if skipped else text


def build_table(log, name=None):
    """Resolve the log into a table and a report (and warn about what matters).

    Parameters
    ----------
    log : ImportLog
    name : str, optional
        The table's name (default: ``"<format> import"``).

    Returns
    -------
    table : ScoreMatrix
    report : ImportReport
    """
    given = {id(source) for *_, source in log.scores}
    for source in log.sources:
        if id(source) not in given:
            log.note("empty", f"{source.path}: no score read from this file")
    kept = _resolve_scores(log)
    if not kept:
        skipped = "; ".join(f"{n} skipped: {reason}" for reason, n in log.skipped.most_common(3))
        raise ScoreTableError(f"no score found in the {log.format} files read "
                              f"({quote_names([s.path for s in log.sources], limit=3)})"
                              f"{f' ({skipped})' if skipped else ''}")
    models = list(dict.fromkeys(model for model, _ in kept))
    tasks = list(dict.fromkeys(task for _, task in kept))
    frame = pd.DataFrame(np.nan, index=pd.Index(models), columns=pd.Index(tasks))
    for (model, task), (value, _) in kept.items():
        frame.at[model, task] = value
    ranges = _declared_ranges(log, frame)
    model_factors = _resolve_factors(log, "model", models)
    partial = [s for s in log.sources if s.partial]
    if partial:
        # A model is flagged when any score kept for it comes from a limited run.
        flagged = {model for (model, _), (_, src) in kept.items() if src.partial}
        model_factors = model_factors if model_factors is not None else pd.DataFrame(index=models)
        model_factors["partial_run"] = [model in flagged for model in models]
        log.factor_kinds["model"]["partial_run"] = "boolean"
    task_factors = _resolve_factors(log, "task", tasks)
    kinds = {what: {f: k for f, k in log.factor_kinds[what].items()
                    if frame_ is not None and f in frame_.columns}
             for what, frame_ in (("model", model_factors), ("task", task_factors))}
    report = ImportReport(log.format, [s.path for s in log.sources], list(log.skipped_files),
                          Counter(log.skipped), list(log.notes))
    problems = ([report.skipped_text()] if report.n_skipped else []) + \
        [text for _, text in report.notes]
    _warn(report.notes)
    table = ScoreMatrix(frame, model_factors=model_factors, task_factors=task_factors,
                        factor_kinds=kinds, score_range=ranges,
                        lower_is_better=[t for t in tasks if t in log.lower_is_better],
                        name=name or f"{log.format} import", problems=problems)
    return table, report


def _resolve_scores(log):
    """One score per (model, task): the most recent source wins; the rest are counted."""
    given = {}
    for model, task, value, source in log.scores:
        if not model or not task:
            log.skip("values without a model or task name")
            continue
        given.setdefault((model, task), []).append((value, source))
    kept = {}
    for (model, task), entries in given.items():
        entries.sort(key=lambda entry: entry[1].recency)
        kept[(model, task)] = winner = entries[-1]
        if len(entries) == 1:
            continue
        if all(value == winner[0] for value, _ in entries):
            log.skip("repeated (same score in another file)", len(entries) - 1)
            continue
        log.skip(f"conflicting ({log.conflict_rule})", len(entries) - 1)
        shown = "; ".join(f"{value:.6g} in {source.describe()}" for value, source in entries)
        log.note("conflict", f"{model!r} on {task!r}: {shown}; kept {winner[0]:.6g} "
                             f"({log.conflict_rule})")
    return kept


def _declared_ranges(log, frame):
    ranges = {}
    for task, (lower, upper, strict) in log.ranges.items():
        if task not in frame.columns:
            continue
        values = frame[task].dropna()
        if values.between(lower, upper).all():
            ranges[task] = (lower, upper)
        elif strict:
            log.note("range", f"task {task!r} has scores from {values.min():g} to "
                              f"{values.max():g}, outside {lower:g} to {upper:g}; its range "
                              "is left to inference")
    return ranges


def _resolve_factors(log, what, names):
    """A factor table for `names`; disagreements between files are noted.

    A model factor takes its most recent value (like scores). A task factor takes the
    value most files give, ties going to the most recent: one odd run (a 0-shot ARC among
    25-shot ones) should not relabel the task.
    """
    records = log.model_factors if what == "model" else log.task_factors
    wanted = set(names)
    given = {}
    for name, factor, value, source in records:
        if name in wanted:
            given.setdefault((name, factor), []).append((value, source))
    if not given:
        return None
    columns = list(dict.fromkeys(factor for _, factor in given))
    frame = pd.DataFrame(None, index=pd.Index(names), columns=pd.Index(columns), dtype=object)
    for (name, factor), entries in given.items():
        entries.sort(key=lambda entry: entry[1].recency)
        files = {}
        for value, source in entries:
            files.setdefault(_show(value), []).append(source.path)
        if what == "model" or len(files) == 1:
            kept, rule = entries[-1][0], log.conflict_rule
        else:
            counts = {shown: len(paths) for shown, paths in files.items()}
            kept = next(value for value, _ in reversed(entries)
                        if counts[_show(value)] == max(counts.values()))
            rule = "the value most files give"
        frame.at[name, factor] = kept
        if len(files) > 1:
            shown = "; ".join(f"{value} in {', '.join(paths)}" for value, paths in files.items())
            log.note("factor", f"{what} factor {factor!r} of {name!r} differs between files: "
                               f"{shown}; kept {_show(kept)} ({rule}){_HINTS.get(factor, '')}")
    return frame


def _show(value):
    return f"{value:.6g}" if isinstance(value, float) and not math.isnan(value) else str(value)


def _warn(notes):
    by_kind = {}
    for kind, text in notes:
        by_kind.setdefault(kind, []).append(text)
    for kind, texts in by_kind.items():
        if kind not in _WARNED:
            continue
        more = f" (and {len(texts) - 1} more; see the table's problems)" if len(texts) > 1 else ""
        warnings.warn(f"{len(texts)} {_WARNED[kind]}: {texts[0]}{more}", ScorecastWarning,
                      stacklevel=4)
