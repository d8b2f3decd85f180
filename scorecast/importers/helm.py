"""HELM outputs: leaderboard tables (``groups/<group>.json``) and run directories.

A leaderboard table file is a JSON list of tables, each with a ``title``, a ``header`` (a
list of cells whose ``value`` is the column name, with ``lower_is_better``) and ``rows``
(lists of cells with a ``value``; the first cell is the model's display name). A run
directory holds ``run_spec.json`` (the run's ``name`` and ``adapter_spec.model``) and
``stats.json`` (a list of statistics, ``{"name": {"name": ..., "split": ...}, "mean": ...}``).
"""

import re
from pathlib import Path

from ..errors import ScoreTableError
from ._collect import (LAST_FILE, ImportLog, NotThisFormat, describe_json, load_json, number,
                       read_all)
from ._merge import build_table
from ._metrics import choose_logged, lookup, parse_overrides

__all__ = ["read_helm", "DEFAULT_STATS"]

EXPECTED_TABLE = "a HELM leaderboard table file (a JSON list of tables with 'title', " \
                 "'header' and 'rows')"
EXPECTED_RUN = "a HELM run directory (run_spec.json and stats.json)"

# The statistic that scores a run, by scenario (the part of the run name before ':'),
# on the test split (else valid). Scenarios not listed take the first of GENERIC_STATS.
DEFAULT_STATS = (
    ("gsm", "final_number_exact_match", None),
    ("math", "math_equiv_chain_of_thought", None),
    ("narrative_qa", "f1_score", None),
    ("natural_qa", "f1_score", None),
    ("legalbench", "quasi_exact_match", None),
    ("med_qa", "quasi_exact_match", None),
    ("wmt_14", "bleu_4", None),
)
GENERIC_STATS = ("exact_match", "quasi_exact_match", "prefix_exact_match", "f1_score",
                 "rouge_l", "bleu_4")
_SPLITS = ("test", "valid")
# Leaderboard columns that rank or describe runs instead of scoring them.
_WIN_RATE = re.compile(r"win rate", re.I)
_NOT_SCORE = re.compile(r"(^|\s)#\s?\w|inference time|runtime|\btruncated\b|\(s\)|tokens", re.I)
_NOT_SCORE_TABLES = re.compile(r"efficiency|general information", re.I)


def read_helm(paths, *, metrics=None, name=None):
    """Read HELM leaderboard tables or run directories into a score table.

    Parameters
    ----------
    paths : str, path-like or list of them
        Table files (``groups/<group>.json``), run directories, their ``run_spec.json``
        or ``stats.json``, or folders: searched recursively for run directories, and,
        when there are none, for ``*.json`` table files.
    metrics : dict, optional
        For run directories: ``{task: "stat[,split]"}`` overriding :data:`DEFAULT_STATS`.
    name : str, optional
        The table's name.

    Returns
    -------
    ScoreMatrix
        Tables: one task per score column (its header), models by display name, columns
        with ``lower_is_better`` marked so. Runs: one task per run name without its
        ``model=`` part, models by id. Win rates, timings and counts are skipped.
    """
    return build_table(collect_helm(paths, metrics=metrics), name)[0]


def collect_helm(paths, *, metrics=None):
    """Read the files into an :class:`~._collect.ImportLog`."""
    log = ImportLog("helm", LAST_FILE)
    overrides = parse_overrides(metrics)

    def read_one(log_, path):
        # Run directories are folders; everything else is a table file.
        return _read_run(log_, path, overrides) if path.is_dir() else _read_tables(log_, path)

    read_all(log, _items(paths), read_one, paths, "HELM tables or runs")
    return log


def _items(paths):
    """``(path, explicit)`` for run directories and table files, in sorted order."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    for path in map(Path, paths):
        if path.is_file():
            explicit_run = path.name in ("run_spec.json", "stats.json")
            yield (path.parent if explicit_run else path), True
        elif path.is_dir():
            if (path / "run_spec.json").is_file():
                yield path, True
                continue
            runs = sorted(p.parent for p in path.rglob("run_spec.json"))
            tables = [] if runs else sorted(path.rglob("*.json"))
            if not runs and not tables:
                raise ScoreTableError(f"{path}: no HELM run directories or .json tables in "
                                      "this folder")
            yield from ((item, False) for item in runs + tables)
        else:
            raise ScoreTableError(f"{path}: no such file or directory")


def _cell(cell):
    return cell.get("value") if isinstance(cell, dict) else cell


def _read_tables(log, path):
    data = load_json(path, EXPECTED_TABLE)
    tables = [data] if isinstance(data, dict) and "header" in data else data
    if not (isinstance(tables, list) and tables and all(
            isinstance(t, dict) and isinstance(t.get("header"), list)
            and isinstance(t.get("rows"), list) for t in tables)):
        raise NotThisFormat(f"{path}: not {EXPECTED_TABLE}; found {describe_json(data)}")
    source = log.source(path)
    names = [str(_cell(c)).strip() for t in tables for c in t["header"][1:]]
    for table in tables:
        title = str(table.get("title") or "").strip()
        columns = []
        for j, cell in enumerate(table["header"][1:], start=1):
            column = str(_cell(cell)).strip()
            # A column name shared by several tables ("EM" in every subject's table) is
            # qualified by its table's title.
            task = column if names.count(column) == 1 or not title else f"{title} - {column}"
            lower = bool(cell.get("lower_is_better")) if isinstance(cell, dict) else False
            kind = "win rates" if _WIN_RATE.search(column) else \
                "timings and counts" if _NOT_SCORE.search(column) or \
                _NOT_SCORE_TABLES.search(title) else None
            columns.append((j, task, lower, kind))
        for row in table["rows"]:
            if not isinstance(row, list) or not row:
                continue
            model = _cell(row[0])
            model = str(model).strip() if model is not None else ""
            for j, task, lower, kind in columns:
                value = number(_cell(row[j])) if j < len(row) else float("nan")
                if value is None:
                    log.skip("non-numeric")
                elif value != value:
                    continue  # null or absent: not evaluated
                elif not model:
                    log.skip("values in rows without a model name")
                elif kind:
                    log.skip(kind)
                else:
                    log.score(model, task, value, source)
                    if lower:
                        log.lower_is_better.add(task)
                    # Accuracies, calibration errors...: 0-1 when every score fits.
                    log.declare_range(task, 0.0, 1.0, strict=False)


def _read_run(log, directory, overrides):
    spec_path, stats_path = directory / "run_spec.json", directory / "stats.json"
    if not spec_path.is_file() or not stats_path.is_file():
        missing = "run_spec.json" if not spec_path.is_file() else "stats.json"
        raise NotThisFormat(f"{directory}: not {EXPECTED_RUN}: {missing} is missing")
    spec, stats = load_json(spec_path, EXPECTED_RUN), load_json(stats_path, EXPECTED_RUN)
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise NotThisFormat(f"{spec_path}: not a HELM run spec (an object with a 'name'); "
                            f"found {describe_json(spec)}")
    if not isinstance(stats, list):
        raise NotThisFormat(f"{stats_path}: not HELM statistics (a JSON list); found "
                            f"{describe_json(stats)}")
    adapter = spec.get("adapter_spec") if isinstance(spec.get("adapter_spec"), dict) else {}
    scenario, _, arguments = spec["name"].partition(":")
    pairs = [p.partition("=") for p in arguments.split(",") if p]
    model = adapter.get("model") or next((v for k, _, v in pairs if k == "model"), None)
    if not model:
        raise NotThisFormat(f"{spec_path}: a HELM run spec without a model")
    kept = [f"{k}={v}" for k, _, v in pairs if k not in ("model", "model_deployment")]
    task = f"{scenario}:{','.join(kept)}" if kept else scenario
    source = log.source(stats_path)
    found = []
    for stat in stats:
        name = stat.get("name") if isinstance(stat, dict) else None
        if not isinstance(name, dict) or name.get("perturbation") or name.get("sub_split"):
            log.skip("other statistics")
            continue
        value = number(stat.get("mean"))
        if value is None or value != value:
            log.skip("non-numeric")
            continue
        found.append((str(name.get("name")), str(name.get("split")), value))
    default = lookup(scenario, DEFAULT_STATS)
    present = [f[0] for f in found]
    if not lookup(task, overrides) and (default is None or default[0] not in present):
        # A run without its scenario's statistic takes a generic one, never just any stat.
        generic = next((s for s in GENERIC_STATS if s in present), None)
        if generic is None:
            log.skip("other statistics", len(found))
            log.note("metric", f"{stats_path}: no known main statistic for {task!r}; pass "
                               f"metrics={{{task!r}: 'STAT'}} (--metric TASK=STAT) to choose one")
            return
        if default is not None:
            log.note("fallback", f"{stats_path}: task {task!r} has no {default[0]} (the "
                                 f"default); took {generic} instead")
        default = (generic, None)
    index = choose_logged(log, stats_path, task, found, overrides, default, preferred=_SPLITS)
    if index is None:
        return
    stat, split, value = found[index]
    log.score(model, task, value, source)
    log.skip("other statistics", len(found) - 1)
    log.declare_range(task, 0.0, 1.0, strict=False)
    log.factor("task", task, "metric", f"{stat},{split}", source, "categorical")
    log.factor("task", task, "n_shot", number(adapter.get("max_train_instances")), source,
               "numeric")
    log.factor("task", task, "method", adapter.get("method"), source, "categorical")
