"""The Open LLM Leaderboard's exported tables: v2 "contents" and v1 snapshots.

v2 tables name the model in ``fullname`` and hold each benchmark twice: the raw score
(``IFEval Raw``, 0-1), which is read, and a normalised copy (``IFEval``, 0-100), which is
not. v1 snapshots hold 0-100 scores in ``ARC``, ``HellaSwag``... and the model in
``Model``, often as an HTML link. A model with several rows (several precisions, or
resubmissions) keeps one row: see :func:`read_open_llm_leaderboard`.
"""

import re

import pandas as pd

from ..errors import ScoreTableError, quote_names
from ..readers import read_csv_text
from ._collect import (LAST_FILE, ImportLog, NotThisFormat, describe_json, find_files,
                       format_hint, load_json, number, read_all)
from ._merge import build_table

__all__ = ["read_open_llm_leaderboard", "V1_TASKS"]

EXPECTED = "an Open LLM Leaderboard table (v2 'fullname' and '... Raw' columns, or v1 " \
           "'Model', 'ARC', 'HellaSwag'... columns)"

# v1 column (lower case, without arrows, emoji and "(25-shot)") -> task name.
V1_TASKS = {
    "arc": "ARC (25-shot)", "hellaswag": "HellaSwag (10-shot)", "mmlu": "MMLU (5-shot)",
    "truthfulqa": "TruthfulQA (0-shot)", "truthfulqa mc": "TruthfulQA (0-shot)",
    "winogrande": "Winogrande (5-shot)", "gsm8k": "GSM8K (5-shot)", "drop": "DROP (3-shot)",
}
# Factor columns read (matched in lower case) -> (factor name, kind).
FACTORS = {
    "#params (b)": ("#Params (B)", "numeric"), "type": ("Type", "categorical"),
    "architecture": ("Architecture", "categorical"), "base model": ("Base Model", "categorical"),
    "moe": ("MoE", "boolean"), "merged": ("Merged", "boolean"),
    "precision": ("Precision", "categorical"),
}
_ID_COLUMNS = ("fullname", "model_name_for_query", "model", "model name")
_PREFERRED_PRECISIONS = ("bfloat16", "float16")
_HUB_LINK = re.compile(r'href="https?://huggingface\.co/(?!datasets/|spaces/)([^"?#]+)"')


def read_open_llm_leaderboard(paths, *, name=None):
    """Read Open LLM Leaderboard tables (CSV, JSON records or parquet) into a score table.

    Parameters
    ----------
    paths : str, path-like or list of them
        Table files, or folders searched recursively for ``.csv``, ``.json``,
        ``.jsonl`` and ``.parquet`` files (parquet needs pyarrow).
    name : str, optional
        The table's name.

    Returns
    -------
    ScoreMatrix
        v2: tasks ``IFEval``, ``BBH``, ``MATH Lvl 5``, ``GPQA``, ``MUSR``, ``MMLU-PRO``
        (the ``Raw`` columns, 0-1). v1: tasks ``ARC (25-shot)``, ``HellaSwag (10-shot)``,
        ``MMLU (5-shot)``, ``TruthfulQA (0-shot)``, ``Winogrande (5-shot)``,
        ``GSM8K (5-shot)`` (0-100). Model factors from the columns of :data:`FACTORS`.

    Notes
    -----
    A model with several rows in one file keeps one: a bfloat16 or float16 row over any
    other precision, then the row with the most scores, then the first. The dropped rows
    are reported and their values counted.
    """
    return build_table(collect_open_llm_leaderboard(paths), name)[0]


def collect_open_llm_leaderboard(paths):
    """Read the files into an :class:`~._collect.ImportLog`."""
    log = ImportLog("open-llm-leaderboard", LAST_FILE)
    read_all(log, find_files(paths, (".csv", ".json", ".jsonl", ".parquet")), _read_file, paths,
             EXPECTED)
    return log


def _read_file(log, path):
    columns, records = _load_records(path)
    lower = {str(c).strip().lower(): c for c in columns}
    raw = [c for c in columns if str(c).strip().lower().endswith(" raw")]
    if raw:
        tasks = {c: str(c).strip()[:-4].strip() for c in raw}
        scale = 1.0
    else:
        tasks = {c: V1_TASKS[_v1_key(c)] for c in columns if _v1_key(c) in V1_TASKS}
        scale = 100.0
    id_column = next((lower[c] for c in _ID_COLUMNS if c in lower), None)
    if not tasks or id_column is None:
        raise NotThisFormat(f"{path}: not {EXPECTED}; found columns "
                            f"{quote_names(columns, limit=6)}{format_hint(list(columns))}")
    factors = {lower[key]: spec for key, spec in FACTORS.items() if key in lower}
    unused = [c for c in columns if c not in tasks and c not in factors and c != id_column]
    if unused:
        log.note("info", f"{path}: columns not read: {quote_names(unused, limit=12)}")
    source = log.source(path)
    rows = {}
    for position, record in enumerate(records):
        values = {task: number(record.get(column)) for column, task in tasks.items()}
        bad = sum(v is None for v in values.values())
        log.skip("non-numeric", bad)
        values = {t: v for t, v in values.items() if v is not None and v == v}
        model = model_id(record.get(id_column))
        if not model:
            log.skip("values in rows without a model name", len(values))
            continue
        rows.setdefault(model, []).append((position, values, record))
    for model, candidates in rows.items():
        position, values, record = _dedup(log, path, model, candidates, factors)
        for task, value in values.items():
            log.score(model, task, value, source)
        for column, (factor, kind) in factors.items():
            log.factor("model", model, factor, _factor_value(record.get(column), kind), source,
                       kind)
    for task in tasks.values():
        log.declare_range(task, 0.0, scale)


def _dedup(log, path, model, candidates, factors):
    """Keep one row of a model: preferred precision, then most scores, then first."""
    if len(candidates) == 1:
        return candidates[0]
    precision = next((c for c, (f, _) in factors.items() if f == "Precision"), None)

    def precision_of(record):
        return str(record.get(precision, "") or "?").strip() if precision else "?"

    ranked = sorted(candidates, key=lambda c: (
        precision_of(c[2]).lower() not in _PREFERRED_PRECISIONS, -len(c[1]), c[0]))
    kept = ranked[0]
    log.skip("values in duplicate rows", sum(len(c[1]) for c in ranked[1:]))
    shown = ", ".join(precision_of(c[2]) for c in candidates)
    log.note("dedup", f"{path}: {model!r} has {len(candidates)} rows (precision {shown}); kept "
                      f"row {kept[0] + 1} ({precision_of(kept[2])}, {len(kept[1])} scores)")
    return kept


def model_id(cell):
    """The Hub id in a model cell: plain text, or the target of an HTML link."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return None
    text = str(cell).strip()
    link = _HUB_LINK.search(text)
    if link:
        return link.group(1).strip("/")
    if "<" in text:
        text = re.sub(r"<[^>]*>", " ", text)
    text = text.split()[0] if text.split() else ""
    return text or None


def _v1_key(column):
    text = re.sub(r"\d+\s*-\s*shot", " ", str(column), flags=re.I)
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.lower().split())


def _factor_value(value, kind):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if kind == "numeric":
        value = number(value)
        # The leaderboard writes 0 for an unknown parameter count.
        return value if value is not None and value == value and value > 0 else None
    if kind == "boolean":
        text = str(value).strip().lower()
        return {"true": True, "1": True, "yes": True, "false": False, "0": False,
                "no": False}.get(text)
    text = re.sub(r"^[^\w]+", "", str(value)).strip()  # "🟢 pretrained" -> "pretrained"
    return text or None


# ---------------------------------------------------------------------------- files
def _load_records(path):
    """``(columns, records)`` of a CSV, JSON (records, JSON lines, split) or parquet table."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except ImportError:
            raise ScoreTableError(f"{path}: reading parquet files needs pyarrow (pip install "
                                  "pyarrow), or export the table as CSV") from None
        except Exception as exc:  # pyarrow's own errors: a damaged or foreign file
            raise NotThisFormat(f"{path}: not {EXPECTED}: not a readable parquet file "
                                f"({type(exc).__name__})") from None
        return list(frame.columns), frame.to_dict("records")
    if suffix in (".json", ".jsonl"):
        data = load_json(path, EXPECTED)
        if isinstance(data, dict) and isinstance(data.get("columns"), list) \
                and isinstance(data.get("data"), list):
            data = [dict(zip(data["columns"], row)) for row in data["data"]]
        elif isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not (isinstance(data, list) and data and all(isinstance(r, dict) for r in data)):
            raise NotThisFormat(f"{path}: not {EXPECTED}; found {describe_json(data)}")
        return list(dict.fromkeys(k for record in data for k in record)), data
    try:
        text = read_csv_text(path)
    except ScoreTableError as exc:
        why = str(exc).removeprefix(f"{path}: ")
        raise NotThisFormat(f"{path}: not {EXPECTED}: {why}") from None
    records = [dict(zip(text.header, row)) for row in text.rows]
    return text.header, records
