"""OpenCompass summary CSVs: ``dataset,version,metric,mode,<one column per model>``.

OpenCompass writes ``outputs/<run>/<time>/summary/summary_<time>.csv`` with one row per
dataset and metric, scores on 0-100 and ``-`` where a model was not evaluated. Rows whose
cells are all ``-`` (the summariser's section headings, ``--- Exam ---``) hold no score.
"""

from collections import Counter

from ..errors import ScoreTableError, quote_names
from ..readers import read_csv_text
from ._collect import (LAST_FILE, ImportLog, NotThisFormat, find_files, format_hint, number,
                       read_all)
from ._merge import build_table

__all__ = ["read_opencompass"]

EXPECTED = "an OpenCompass summary (a CSV whose header starts dataset,version,metric,mode)"
_HEADER = ["dataset", "version", "metric", "mode"]


def read_opencompass(paths, *, name=None):
    """Read OpenCompass summary CSVs into a score table.

    Parameters
    ----------
    paths : str, path-like or list of them
        Summary files, or folders searched recursively for ``*.csv``.
    name : str, optional
        The table's name.

    Returns
    -------
    ScoreMatrix
        Models as named in the header; a task per row, named by its dataset, or
        ``dataset (metric)`` (``dataset (metric, mode)``) when the dataset has several
        rows in a file. Scores on 0-100 (declared); ``0`` is a score, ``-`` is missing.
        Task factors ``metric`` and ``mode``.
    """
    return build_table(collect_opencompass(paths), name)[0]


def collect_opencompass(paths):
    """Read the files into an :class:`~._collect.ImportLog`."""
    log = ImportLog("opencompass", LAST_FILE)
    read_all(log, find_files(paths, (".csv",)), _read_file, paths, EXPECTED)
    return log


def _read_file(log, path):
    try:
        text = read_csv_text(path)
    except ScoreTableError as exc:
        why = str(exc).removeprefix(f"{path}: ")
        raise NotThisFormat(f"{path}: not {EXPECTED}: {why}") from None
    header = [h.strip() for h in text.header]
    if [h.lower() for h in header[:4]] != _HEADER or len(header) < 5:
        found = quote_names(header, limit=6)
        raise NotThisFormat(f"{path}: not {EXPECTED}; found the header {found}"
                            f"{format_hint(header)}")
    models = header[4:]
    rows = [row for row in text.rows if row[0].strip() and not _heading(row)]
    datasets = Counter(row[0].strip() for row in rows)
    metric_counts = Counter((row[0].strip(), row[2].strip()) for row in rows)
    source = log.source(path)
    for row in rows:
        dataset, metric, mode = row[0].strip(), row[2].strip(), row[3].strip()
        task = _task_name(dataset, metric, mode, datasets, metric_counts)
        scored = False
        for model, cell in zip(models, row[4:]):
            value = number(cell)
            if value is None:
                log.skip("non-numeric")
            elif value == value:
                log.score(model, task, value, source)
                scored = True
        if scored:
            log.declare_range(task, 0.0, 100.0)
            log.factor("task", task, "metric", metric or None, source, "categorical")
            log.factor("task", task, "mode", mode if mode not in ("", "-") else None, source,
                       "categorical")


def _heading(row):
    """Section headings of the summariser: every cell but the first is missing."""
    return all(number(cell) != number(cell) for cell in row[1:])


def _task_name(dataset, metric, mode, datasets, metric_counts):
    if datasets[dataset] == 1:
        return dataset
    if metric_counts[(dataset, metric)] == 1:
        return f"{dataset} ({metric})"
    return f"{dataset} ({metric}, {mode})"
