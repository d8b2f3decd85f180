"""Open LLM Leaderboard v1 results files, read by the lm-eval importer.

The leaderboard ran lm-evaluation-harness and wrote one file per model and run,
``results_<date>.json``, whose tasks are keyed ``harness|<task>|<shots>``. Tasks are
renamed to lm-eval's names so that these files merge with plain lm-eval results; the
57 MMLU subjects (``harness|hendrycksTest-<subject>|5``) are averaged into one ``mmlu``
score, as the leaderboard did.
"""

from ._collect import NotThisFormat, file_time, number
from ._metrics import choose_logged, show, split_metrics

# harness task -> (scorecast task, metric the leaderboard reported).
TASKS = {
    "arc:challenge": ("arc_challenge", "acc_norm"),
    "hellaswag": ("hellaswag", "acc_norm"),
    "truthfulqa:mc": ("truthfulqa_mc2", "mc2"),
    "winogrande": ("winogrande", "acc"),
    "gsm8k": ("gsm8k", "acc"),
    "drop": ("drop", "f1"),
}
MMLU_PREFIX = "hendrycksTest-"
MMLU_TASK = "mmlu"
MMLU_SUBJECTS = 57


def read(log, path, data, overrides):
    """Read one leaderboard results file (already parsed) into `log`."""
    config = data.get("config_general") or data.get("config") or {}
    model = config.get("model_name") if isinstance(config, dict) else None
    if not isinstance(model, str) or not model.strip():
        raise NotThisFormat(f"{path}: Open LLM Leaderboard results without a model name "
                            "(no config_general.model_name)")
    model = model.strip()
    source = log.source(path, *file_time(path))
    dtype = config.get("model_dtype")
    if dtype:
        log.factor("model", model, "dtype", str(dtype).removeprefix("torch."), source,
                   "categorical")
    if config.get("model_sha"):
        log.factor("model", model, "revision", str(config["model_sha"]), source, "categorical")
    limit = config.get("max_samples")
    if limit not in (None, "", 0):
        source.partial = True
        log.note("partial", f"{path}: partial run of {model!r} (max_samples={limit}): its "
                            "scores cover part of each task only")
    subjects, mmlu_shots = {}, None
    for key, entry in data["results"].items():
        found = split_metrics(log, entry) if isinstance(entry, dict) else []
        if key == "all":
            log.skip("leaderboard averages ('all')", len(found))
            continue
        parts = str(key).split("|")
        name, shots = (parts[1], number(parts[2])) if len(parts) == 3 else (str(key), None)
        if not found:
            log.note("empty", f"{path}: task {key!r} of {model!r} has no numeric score")
            continue
        if name.startswith(MMLU_PREFIX):
            index = choose_logged(log, f"{path}: MMLU subject {name!r}", MMLU_TASK, found,
                                  overrides, ("acc", None))
            if index is not None:
                subjects[name[len(MMLU_PREFIX):]] = found[index][2]
                log.skip("other metrics of a task", len(found) - 1)
            mmlu_shots = shots
            continue
        task, metric = TASKS.get(name, (name.replace(":", "_"), None))
        index = choose_logged(log, path, task, found, overrides,
                              (metric, None) if metric else None)
        if index is None:
            continue
        metric, qualifier, value = found[index]
        log.score(model, task, value, source)
        log.skip("other metrics of a task", len(found) - 1)
        log.declare_range(task, 0.0, 1.0)
        log.factor("task", task, "n_shot", shots, source, "numeric")
        log.factor("task", task, "metric", show(metric, qualifier), source, "categorical")
    if subjects:
        log.score(model, MMLU_TASK, sum(subjects.values()) / len(subjects), source)
        log.declare_range(MMLU_TASK, 0.0, 1.0)
        log.factor("task", MMLU_TASK, "n_shot", mmlu_shots, source, "numeric")
        log.factor("task", MMLU_TASK, "metric", "acc", source, "categorical")
        if len(subjects) != MMLU_SUBJECTS:
            log.note("mmlu", f"{path}: MMLU of {model!r} averaged over {len(subjects)} of "
                                f"{MMLU_SUBJECTS} subjects")
