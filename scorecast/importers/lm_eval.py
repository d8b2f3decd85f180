"""lm-evaluation-harness results files (0.3 and 0.4+), and Open LLM Leaderboard v1 results.

One results file holds one model's scores on one or more tasks. The model is named by
``model_name`` or, in older files, by ``pretrained=`` (or ``model=``) in
``config.model_args``; the revision, dtype and parameter count become model factors, the
few-shot count and output type task factors. See docs/importers.md for every rule.
"""

import math
import re

from . import _oll_v1_results
from ._collect import (NEWEST_FILE, ImportLog, NotThisFormat, describe_json, file_time,
                       find_files, load_json, number, read_all)
from ._merge import build_table
from ._metrics import (_METADATA_KEYS, choose_logged, lookup, parse_overrides, show,
                       split_metrics)

__all__ = ["read_lm_eval", "DEFAULT_METRICS"]

EXPECTED = "lm-eval results (a JSON object with a 'results' object)"

# The score of a task when the file has several metrics: (task pattern, metric, filter).
# A filter of None takes the "none" filter, else whichever is present. Tasks not listed
# take their first metric: lm-eval writes a task's metrics in the order of its
# metric_list, whose first entry is the task's own main metric.
DEFAULT_METRICS = (
    ("arc_challenge", "acc_norm", None),
    ("arc_easy", "acc_norm", None),
    ("hellaswag", "acc_norm", None),
    ("openbookqa", "acc_norm", None),
    # MMLU-Pro and its subjects (mmlu_pro_law...), not MMLU's mmlu_professional_* subjects.
    ("mmlu_pro", "exact_match", "custom-extract"),
    ("mmlu_pro_*", "exact_match", "custom-extract"),
    ("mmlu", "acc", None),
    ("mmlu_*", "acc", None),
    ("hendrycksTest-*", "acc", None),
    ("winogrande", "acc", None),
    ("piqa", "acc", None),
    ("truthfulqa_mc1", "acc", None),
    ("truthfulqa_mc2", "acc", None),
    ("truthfulqa_mc", "mc2", None),
    ("gsm8k", "exact_match", "strict-match"),
    ("leaderboard_ifeval", "prompt_level_strict_acc", None),
    ("leaderboard_bbh*", "acc_norm", None),
    ("leaderboard_gpqa*", "acc_norm", None),
    ("leaderboard_musr*", "acc_norm", None),
    ("leaderboard_math*", "exact_match", None),
    ("leaderboard_mmlu_pro", "acc", None),
)

# Metrics whose scores lie in 0-1 (declared on the table) and metrics where lower is better
# (used when the file has no higher_is_better section).
_UNIT_METRICS = re.compile(r"^(acc|exact_match|em$|f1$|mc1$|mc2$|pass@|brier_score$|"
                           r"(prompt|inst)_level_(strict|loose)_acc$|contains$)")
_LOWER_IS_BETTER = {"perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte", "ter",
                    "brier_score"}


def read_lm_eval(paths, *, metrics=None, keep_groups=False, subtasks=False,
                 revision_in_name=False, name=None):
    """Read lm-evaluation-harness results files into a score table.

    Parameters
    ----------
    paths : str, path-like or list of them
        Results files (any name) or folders searched recursively for ``*.json``.
        Open LLM Leaderboard v1 results files (``harness|...`` keys) are read too.
    metrics : dict, optional
        ``{task: "metric[,filter]"}`` choices overriding :data:`DEFAULT_METRICS`; task
        names may be patterns (``"mmlu_*"``). A task without the metric asked for is
        left out (and reported).
    keep_groups : bool, default=False
        Keep group averages (``mmlu``, ``mmlu_stem``...) and their subtasks, each as a
        task of its own.
    subtasks : bool, default=False
        Keep the subtasks of a group (MMLU's 57 subjects) instead of the group's average.
        By default a group with a score of its own is one task (``mmlu``) and its
        subtasks are skipped, so nothing is counted twice; a group without a score of its
        own leaves its subtasks in.
    revision_in_name : bool, default=False
        Name models ``id@revision`` when a revision other than ``main`` is given, so
        several revisions of one model stay apart.
    name : str, optional
        The table's name.

    Returns
    -------
    ScoreMatrix
        Scores on the harness's own scale (0-1 for accuracies, declared on the table);
        model factors ``revision``, ``dtype``, ``params_b`` (billions) and
        ``partial_run`` when present; task factors ``n_shot`` and ``output_type``.

    Examples
    --------
    >>> from scorecast.importers import read_lm_eval
    >>> table = read_lm_eval("lm_eval_results/")                    # doctest: +SKIP
    >>> table = read_lm_eval("out/", metrics={"gsm8k": "exact_match,flexible-extract"})
    ... # doctest: +SKIP
    """
    return build_table(collect_lm_eval(paths, metrics=metrics, keep_groups=keep_groups,
                                       subtasks=subtasks, revision_in_name=revision_in_name),
                       name)[0]


def collect_lm_eval(paths, *, metrics=None, keep_groups=False, subtasks=False,
                    revision_in_name=False):
    """Read the files into an :class:`~._collect.ImportLog` (see :func:`read_lm_eval`)."""
    log = ImportLog("lm-eval", NEWEST_FILE)
    options = {"overrides": parse_overrides(metrics), "keep_groups": bool(keep_groups),
               "subtasks": bool(subtasks), "revision_in_name": bool(revision_in_name)}
    read_all(log, find_files(paths, (".json",)),
             lambda log_, path: _read_file(log_, path, options), paths, EXPECTED)
    return log


def _read_file(log, path, options):
    data = load_json(path, EXPECTED)
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise NotThisFormat(f"{path}: not {EXPECTED}; found {describe_json(data)}")
    if any(str(key).startswith("harness|") for key in data["results"]):
        return _oll_v1_results.read(log, path, data, options["overrides"])
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    args = model_args(config.get("model_args"))
    model = _model_id(data, args)
    if not model:
        raise NotThisFormat(f"{path}: lm-eval results without a model name (no 'model_name', "
                            "and config.model_args has no pretrained= or model=)")
    revision = args.get("revision") or config.get("model_revision")
    if options["revision_in_name"] and revision and revision != "main":
        model = f"{model}@{revision}"
    source = log.source(path, *file_time(path, data.get("date")))
    _model_factors(log, model, config, args, revision, source)
    limit = config.get("limit")
    if limit not in (None, "", 0, "None"):
        source.partial = True
        log.note("partial", f"{path}: partial run of {model!r} (limit={limit}): its scores "
                            "cover part of each task only")
    groups = group_names(data)
    entries = list(data["results"].items())
    extra = data.get("groups") if isinstance(data.get("groups"), dict) else {}
    entries += [(g, e) for g, e in extra.items() if g not in data["results"]]
    scored = {str(t).strip() for t, e in entries if str(t).strip() in groups and _scored(e)}
    under = _under(data, scored)
    for task, entry in entries:
        task = str(task).strip()
        if not isinstance(entry, dict):
            log.skip("non-numeric")
            continue
        found = split_metrics(log, entry)
        if options["keep_groups"]:
            pass
        elif options["subtasks"] and task in groups:
            log.skip("group averages (--keep-groups keeps them)", len(found))
            continue
        elif not options["subtasks"] and task in under:
            log.skip("subtasks of a group's score (--subtasks keeps them)", len(found))
            continue
        if not found:
            if task in groups:
                log.note("info", f"{path}: group {task!r} has no aggregate score to keep")
            else:
                log.note("empty", f"{path}: task {task!r} of {model!r} has no numeric score")
            continue
        _add_score(log, data, config, model, task, found, source, options["overrides"])


def _add_score(log, data, config, model, task, found, source, overrides):
    index = choose_logged(log, source.path, task, found, overrides,
                          lookup(task, DEFAULT_METRICS))
    if index is None:
        return
    metric, qualifier, value = found[index]
    log.score(model, task, value, source)
    log.skip("other metrics of a task", len(found) - 1)
    if _UNIT_METRICS.match(metric):
        log.declare_range(task, 0.0, 1.0)
    better = _section(data, "higher_is_better", task).get(metric)
    if better is False or (better is None and metric in _LOWER_IS_BETTER):
        log.lower_is_better.add(task)
    task_config = _section(data, "configs", task)
    shots = _section(data, "n-shot", None).get(task)
    if shots is None:
        shots = task_config.get("num_fewshot", config.get("num_fewshot"))
    shots = number(shots)
    log.factor("task", task, "n_shot", shots, source, "numeric")
    output_type = task_config.get("output_type")
    log.factor("task", task, "output_type", str(output_type) if output_type else None, source,
               "categorical")
    log.factor("task", task, "metric", show(metric, qualifier), source, "categorical")


def _section(data, key, task):
    section = data.get(key)
    if not isinstance(section, dict):
        return {}
    if task is None:
        return section
    entry = section.get(task)
    return entry if isinstance(entry, dict) else {}


def _scored(entry):
    """Whether a results entry holds a numeric score (not only metadata or stderr)."""
    if not isinstance(entry, dict):
        return False
    for key, value in entry.items():
        metric = str(key).rpartition(",")[0] if "," in str(key) else str(key)
        if metric.strip() in _METADATA_KEYS or metric.strip().endswith("stderr"):
            continue
        value = number(value)
        if value is not None and math.isfinite(value):
            return True
    return False


def _under(data, groups):
    """Every task below one of `groups` in the file's ``group_subtasks`` (at any depth)."""
    subtasks = data.get("group_subtasks") if isinstance(data.get("group_subtasks"), dict) \
        else {}
    below, stack = set(), [m for g in groups for m in subtasks.get(g) or []]
    while stack:
        task = str(stack.pop()).strip()
        if task not in below:
            below.add(task)
            stack.extend(subtasks.get(task) or [])
    return below


def group_names(data):
    """Tasks that are groups: keys of ``group_subtasks`` with subtasks, and of ``groups``."""
    names = set()
    subtasks = data.get("group_subtasks")
    if isinstance(subtasks, dict):
        names |= {str(g).strip() for g, members in subtasks.items() if members}
    if isinstance(data.get("groups"), dict):
        names |= {str(g).strip() for g in data["groups"]}
    return names


def model_args(args):
    """``"pretrained=org/name,revision=abc"`` (or a dict) as a dict of text."""
    if isinstance(args, dict):
        return {str(k).strip(): str(v).strip() for k, v in args.items() if v is not None}
    if not isinstance(args, str):
        return {}
    pairs = (part.partition("=") for part in re.split(r",(?=\s*[\w.-]+=)", args))
    return {k.strip(): v.strip() for k, sep, v in pairs if sep and k.strip()}


def _model_id(data, args):
    name = data.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    # pretrained= for local (hf, vllm...) backends, model= for APIs, engine= in 0.3 OpenAI.
    for key in ("pretrained", "model", "engine", "path"):
        if args.get(key):
            return args[key]
    return None


def _model_factors(log, model, config, args, revision, source):
    log.factor("model", model, "revision", str(revision) if revision else None, source,
               "categorical")
    dtype = config.get("model_dtype") or args.get("dtype")
    if dtype:
        dtype = str(dtype).strip().removeprefix("torch.")
    log.factor("model", model, "dtype", dtype or None, source, "categorical")
    count = number(config.get("model_num_parameters"))
    # API models have no parameter count (absent, or 0 in some versions): leave it missing.
    if count is not None and count > 0:
        log.factor("model", model, "params_b", count / 1e9, source, "numeric")
