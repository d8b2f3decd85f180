"""The ``llm-stats`` dataset: LLM Stats' published scores, cleaned into a score table.

Source: github.com/JonathanChavezTamales/llm-leaderboard (the public data behind
llm-stats.com, CC-BY-4.0) at one pinned commit. Only the files the table needs are
fetched: ``LICENSE.md``, each organisation's ``organization.json``, and ``model.json``
and ``benchmarks.json`` of every model that has score records. The benchmark
definitions are not fetched: tasks are named by the source's benchmark ids and the
table has no task factors. ``_llm_stats_files.txt`` lists each file with its sha256.

Data-directory layout: each file sits at ``<data directory>/frontier-dev/raw/<path in
the repository>`` (e.g. ``frontier-dev/raw/data/organizations/openai/organization.json``),
the layout of the frontier-dev data folder, so a data directory holding that folder
serves this dataset as it is.

Cleaning, the documented rules C1-C6 of the frontier-dev preparation (what each rule
dropped goes into the table's ``problems``):

C1  drop placeholder zeros (a text-only model given 0 on image benchmarks);
C2  merge three benchmark ids that name the same benchmark;
C3  drop the lower-is-better error-rate tasks;
C4  keep one record per model x task: without tools, then the latest, then the lowest id;
C5  drop model entries that copy another entry's scores;
C6  keep the core: tasks with >= 5 models and models with >= 3 tasks, applied
    alternately until nothing changes.

Scores stay as published, fractions in [0, 1] with higher better: the source already
divides codeforces' Elo rating by its ``max_score`` 3000 and mt-bench by 10, so every
task's range is declared (0, 1).

Model factors: ``release_date`` (date), ``organisation``, ``params_b`` (total parameters
in billions, to 4 decimals), ``open_weights`` (not proprietary or weights linked, two license errors
overridden) and ``reasoning`` (yes/hybrid/no, assigned by the dataset's preparer from the
vendors' model descriptions; not in the source).
"""

import json
import re
from importlib import resources

import pandas as pd

from .errors import quote_names
from .table import ScoreMatrix

COMMIT = "24a9ccf7402306f0c3e237213538e4537d64ecc2"
SOURCE_URL = ("https://raw.githubusercontent.com/JonathanChavezTamales/llm-leaderboard/"
              f"{COMMIT}/")
FOLDER = "frontier-dev/raw"
CREDIT = "LLM Stats (llm-stats.com), github.com/JonathanChavezTamales/llm-leaderboard"
LICENSE = "CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)"
CHANGES = ("scorecast changed the data: dropped placeholder zeros (C1), merged 3 benchmark "
           "ids naming the same benchmark (C2), dropped 2 lower-is-better tasks (C3), kept "
           "one record per model x task (C4), dropped 3 copied model entries (C5), kept the "
           "core of tasks with >= 5 models and models with >= 3 tasks (C6); derived "
           "open_weights (2 license errors corrected) and added the preparer's reasoning "
           "label; score values unchanged")

TASK_ALIASES = {"hle": "humanity's-last-exam", "hmmt25": "hmmt-2025", "bbh": "big-bench-hard"}
LOWER_IS_BETTER_TASKS = ("fleurs", "common-voice-15")
COPY_MODELS = ("gemma-3n-e2b-it-litert-preview", "gemma-3n-e4b-it-litert-preview",
               "kimi-k2-instruct-0905")
MIN_MODELS_PER_TASK = 5
MIN_TASKS_PER_MODEL = 3
_TOOLS = re.compile(r"with tools|with python|python \+|\bpython\b|browser|browsing|\bsearch\b",
                    re.I)
_NO_TOOLS = re.compile(r"no tools|without tools", re.I)

REASONING_YES = frozenset({
    "o1-mini", "o1-preview", "o1-2024-12-17", "o1-pro", "o3-mini", "o3-2025-04-16",
    "o3-pro-2025-06-10", "o4-mini", "gpt-5-2025-08-07", "gpt-5-mini-2025-08-07",
    "gpt-5-nano-2025-08-07", "gpt-5-codex-2025-09-15", "gpt-oss-120b", "gpt-oss-20b",
    "deepseek-r1", "deepseek-r1-0528", "deepseek-r1-zero", "deepseek-r1-distill-llama-70b",
    "deepseek-r1-distill-llama-8b", "deepseek-r1-distill-qwen-1.5b",
    "deepseek-r1-distill-qwen-14b", "deepseek-r1-distill-qwen-32b",
    "deepseek-r1-distill-qwen-7b", "qwq-32b-preview", "qwq-32b", "qvq-72b-preview",
    "qwen3-235b-a22b-thinking-2507", "qwen3-next-80b-a3b-thinking", "kimi-k1.5",
    "gemini-2.0-flash-thinking", "gemini-2.5-pro", "gemini-2.5-pro-preview-06-05",
    "phi-4-mini-reasoning", "phi-4-reasoning", "phi-4-reasoning-plus", "magistral-medium",
    "magistral-small-2506", "grok-3-mini", "grok-4", "grok-4-heavy", "grok-code-fast-1",
})
REASONING_HYBRID = frozenset({
    "claude-3-7-sonnet-20250219", "claude-opus-4-20250514", "claude-sonnet-4-20250514",
    "claude-opus-4-1-20250805", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251015",
    "gemini-2.5-flash", "gemini-2.5-flash-lite", "qwen3-235b-a22b", "qwen3-30b-a3b",
    "qwen3-32b", "deepseek-v3.1", "deepseek-v3.2-exp", "glm-4.5", "glm-4.5-air", "glm-4.5v",
    "glm-4.6", "llama-3.1-nemotron-nano-8b-v1", "llama-3.3-nemotron-super-49b-v1",
    "llama-3.1-nemotron-ultra-253b-v1", "nvidia-nemotron-nano-9b-v2", "grok-3", "grok-4-fast",
    "granite-3.3-8b-instruct",
})
# The source's license contradicts the vendor here: no weights were released.
OPEN_WEIGHTS_OVERRIDE = {"gemini-2.5-flash-lite": False, "magistral-medium": False}
FACTOR_KINDS = {"release_date": "date", "organisation": "categorical", "params_b": "numeric",
                "open_weights": "boolean", "reasoning": "categorical"}


def _read_checksums():
    text = resources.files(__package__).joinpath("_llm_stats_files.txt").read_text("utf-8")
    pairs = (line.split(None, 1) for line in text.splitlines()
             if line.strip() and not line.startswith("#"))
    return {path.strip(): digest for digest, path in pairs}


SHA256 = _read_checksums()


def _documents(paths, file_name):
    """The parsed JSON files called `file_name`, in path order."""
    documents = []
    for path in sorted(p for p in paths if p.endswith("/" + file_name)):
        with open(paths[path], encoding="utf-8") as handle:
            documents.append(json.load(handle))
    return documents


def _records(paths):
    """Every score record, in file order, with the fields the cleaning uses."""
    rows = []
    for records in _documents(paths, "benchmarks.json"):
        for position, record in enumerate(records):
            rows.append({"model": record["model_id"], "source_task": record["benchmark_id"],
                         "score": record["score"], "method": record["analysis_method"] or "",
                         "updated": record["updated_at"], "id": record["model_benchmark_id"],
                         "position": position})
    frame = pd.DataFrame(rows)
    frame["task"] = frame["source_task"].replace(TASK_ALIASES)
    return frame


def _one_per_pair(kept):
    """C4: per model x task, prefer no tools, then the latest record, then the lowest id."""
    with_tools = kept["method"].map(lambda m: bool(_TOOLS.search(m)) and not _NO_TOOLS.search(m))
    order = kept.assign(with_tools=with_tools).sort_values(
        ["with_tools", "updated", "id", "position"], ascending=[True, False, True, True],
        kind="stable")
    return kept.loc[~kept.index.isin(order.drop_duplicates(["model", "task"]).index)]


def _core(kept):
    """C6: the records outside the core."""
    core = kept
    while True:
        models_per_task = core.groupby("task")["model"].transform("size")
        tasks_per_model = core.groupby("model")["task"].transform("size")
        inside = core[(models_per_task >= MIN_MODELS_PER_TASK)
                      & (tasks_per_model >= MIN_TASKS_PER_MODEL)]
        if len(inside) == len(core):
            return kept.drop(index=core.index)
        core = inside


def _pairs(rows):
    return quote_names(f"{m} on {t}" for m, t in zip(rows["model"], rows["task"]))


def clean(records):
    """Apply C1-C6 to the score records; return the kept records and one note per rule."""
    merged = records["source_task"].isin(TASK_ALIASES)
    aliases = ", ".join(f"{a} -> {t}" for a, t in TASK_ALIASES.items())
    notes = [f"C2: {merged.sum()} records of {len(TASK_ALIASES)} benchmark ids moved to the "
             f"id of the same benchmark: {aliases}"]
    zeros = records[records["score"] == 0]
    kept = records.drop(index=zeros.index)
    notes.append(f"C1: {len(zeros)} records dropped: placeholder 0 scores of a text-only "
                 f"model on image benchmarks ({_pairs(zeros)})")
    lower = kept[kept["task"].isin(LOWER_IS_BETTER_TASKS)]
    kept = kept.drop(index=lower.index)
    notes.append(f"C3: {len(lower)} records dropped: lower-is-better error-rate tasks "
                 f"{quote_names(LOWER_IS_BETTER_TASKS)}")
    copies = kept[kept["model"].isin(COPY_MODELS)]
    kept = kept.drop(index=copies.index)
    notes.append(f"C5: {len(copies)} records dropped: model entries that copy another "
                 f"entry's scores ({quote_names(COPY_MODELS)})")
    repeated = _one_per_pair(kept)
    kept = kept.drop(index=repeated.index)
    pairs = repeated.drop_duplicates(["model", "task"])
    notes.append(f"C4: {len(repeated)} records dropped: {len(pairs)} model x task pairs had "
                 f"several records, one kept (without tools, then the latest, then the lowest "
                 f"id): {_pairs(pairs)}")
    outside = _core(kept)
    core = kept.drop(index=outside.index)
    gone_models = sorted(set(outside["model"]) - set(core["model"]))
    gone_tasks = set(outside["task"]) - set(core["task"])
    notes.append(f"C6: {len(outside)} records dropped: outside the core (tasks with >= "
                 f"{MIN_MODELS_PER_TASK} models, models with >= {MIN_TASKS_PER_MODEL} tasks), "
                 f"{len(gone_tasks)} tasks and {len(gone_models)} models left out: "
                 f"{quote_names(gone_models)}")
    return core, sorted(notes)


def _model_factors(paths, names):
    organisations = {o["organization_id"]: o["name"]
                     for o in _documents(paths, "organization.json")}
    models = {m["model_id"]: m for m in _documents(paths, "model.json")}
    rows = {}
    for name in names:
        model = models[name]
        count = model["param_count"]
        open_weights = model["license_id"] != "proprietary" or bool(model["source_weights_link"])
        rows[name] = {
            "release_date": model["release_date"],
            "organisation": organisations[model["organization_id"]],
            "params_b": None if count is None else round(count / 1e9, 4),
            "open_weights": OPEN_WEIGHTS_OVERRIDE.get(name, open_weights),
            "reasoning": ("yes" if name in REASONING_YES
                          else "hybrid" if name in REASONING_HYBRID else "no"),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def load(paths):
    """The cleaned ``llm-stats`` table from the fetched files (repository path to file)."""
    core, notes = clean(_records(paths))
    scores = core.pivot(index="model", columns="task", values="score")  # sorted labels
    return ScoreMatrix(scores, model_factors=_model_factors(paths, scores.index),
                       factor_kinds={"model": FACTOR_KINDS}, score_range=(0, 1),
                       on_empty="error", name="llm-stats", problems=notes)
