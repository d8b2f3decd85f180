"""The ``open-llm-v2`` dataset: the Open LLM Leaderboard v2, one snapshot, as a score table.

Source: the file ``data/open-llm-leaderboard_new.csv`` of github.com/felipemaiapolo/
statistical-scaling-law (MIT license; the scores are the leaderboard's public outputs) at
one pinned commit: 2,929 rows, 2,859 distinct open models, submitted from 2024-06-08 to
2025-01-09, every model scored on the six tasks.

Data-directory layout: the file sits at ``<data directory>/open-llm-v2-dev/raw/
open-llm-leaderboard_new.csv``.

Tasks are named by lm-evaluation-harness's task groups the leaderboard ran
(``leaderboard_ifeval``, ``leaderboard_bbh``, ``leaderboard_math_hard``,
``leaderboard_gpqa``, ``leaderboard_musr``, ``leaderboard_mmlu_pro``), so that a
user's ``lm_eval --tasks leaderboard`` results name the same tasks. Scores are the raw
ones (``<TASK> Raw``: the accuracy as the harness reports it, a fraction in [0, 1]), not
the leaderboard's normalised 0-100 scores (chance level subtracted and rescaled).

Cleaning (what each rule dropped goes into the table's ``problems``):

O1  drop the rows the leaderboard flagged (contamination);
O2  keep one row per model (``fullname``): 70 models appear twice, in another precision
    or revision; the row with the higher leaderboard average is kept;
O3  ``#Params (B)`` of -1 or 0 is missing.

Model factors: ``params_b`` (billions), ``type`` (pretrained, continuously pretrained,
fine-tuned, chat, merge, multimodal), ``architecture``, ``weight_type`` (original,
adapter, delta), ``moe``, ``merged`` and ``chat_template`` (booleans), ``generation`` (0
for a base model, else how many fine-tunes or merges from one) and ``submitted`` (the
submission date). The base model itself is not a factor: 2,121 distinct values for 2,859
models say almost nothing that other models share.
"""

import pandas as pd

from .errors import DatasetError, quote_names
from .table import ScoreMatrix

COMMIT = "ec189676fb1ff21115536651f46bf9d279578cb8"
SOURCE_URL = ("https://raw.githubusercontent.com/felipemaiapolo/statistical-scaling-law/"
              f"{COMMIT}/data/")
FOLDER = "open-llm-v2-dev/raw"
FILE = "open-llm-leaderboard_new.csv"
SHA256 = {FILE: "6fd9f4760999fb04fe441a0480b869ebb2458449233dd51dd9821c20fe958298"}
CREDIT = ("the Open LLM Leaderboard v2 (Hugging Face), as snapshotted in "
          "github.com/felipemaiapolo/statistical-scaling-law")
LICENSE = "MIT (the repository); the scores are the leaderboard's public outputs"
CHANGES = ("scorecast dropped the contamination-flagged rows (O1), kept one row per model, "
           "the one with the higher average (O2), read parameter counts of -1 or 0 as missing "
           "(O3), and names the tasks by lm-evaluation-harness's leaderboard_* groups; raw "
           "scores unchanged")

#: source column (its raw score is "<column> Raw") -> task name
TASKS = {"IFEval": "leaderboard_ifeval", "BBH": "leaderboard_bbh",
         "MATH Lvl 5": "leaderboard_math_hard", "GPQA": "leaderboard_gpqa",
         "MUSR": "leaderboard_musr", "MMLU-PRO": "leaderboard_mmlu_pro"}
_TYPES = {"pretrained": "pretrained", "continuously pretrained": "continuously pretrained",
          "fine-tuned": "fine-tuned", "chat": "chat", "merge": "merge",
          "multimodal": "multimodal"}


def _model_type(text):
    """The leaderboard's type without its emoji: 'pretrained', 'chat', ..."""
    words = str(text).lower()
    for key, name in _TYPES.items():
        if key in words:
            return name
    return None


def _yes_no(column):
    return column.astype(bool).map({True: "yes", False: "no"})


def load(paths):
    """The cleaned table from the fetched file (``{file name: path}``)."""
    raw = pd.read_csv(paths[FILE])
    needed = ["fullname", "Flagged", "Average ⬆️", "#Params (B)"] + [f"{t} Raw" for t in TASKS]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise DatasetError(f"{FILE} has no column {quote_names(missing)}")
    problems = []
    flagged = raw["Flagged"].astype(bool)
    if flagged.any():
        problems.append(f"{int(flagged.sum())} row(s) flagged by the leaderboard left out: "
                        f"{quote_names(raw.loc[flagged, 'fullname'].tolist())}")
    raw = raw[~flagged]
    ordered = raw.sort_values("Average ⬆️", ascending=False, kind="stable")
    twice = ordered["fullname"].duplicated()
    if twice.any():
        problems.append(f"{int(twice.sum())} second row(s) of a model (another precision or "
                        "revision) left out; the row with the higher average is kept: "
                        f"{quote_names(sorted(ordered.loc[twice, 'fullname']))}")
    rows = ordered[~twice].sort_values("fullname", kind="stable").set_index("fullname")
    scores = rows[[f"{t} Raw" for t in TASKS]].astype(float)
    scores.columns = list(TASKS.values())
    params = rows["#Params (B)"].astype(float)
    factors = pd.DataFrame({
        "params_b": params.where(params > 0),
        "type": rows["Type"].map(_model_type),
        "architecture": rows["Architecture"].where(rows["Architecture"] != "?"),
        "weight_type": rows["Weight type"].str.lower(),
        "moe": _yes_no(rows["MoE"]), "merged": _yes_no(rows["Merged"]),
        "chat_template": _yes_no(rows["Chat Template"]),
        "generation": rows["Generation"].astype(float),
        "submitted": rows["Submission Date"],
    }, index=scores.index)
    return ScoreMatrix(scores, model_factors=factors,
                       factor_kinds={"model": {"submitted": "date",
                                               "moe": "boolean", "merged": "boolean",
                                               "chat_template": "boolean"}},
                       score_range=(0, 1), on_empty="error", name="open-llm-v2",
                       problems=problems)
