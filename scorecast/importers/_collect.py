"""What every importer shares while reading: the files to read, JSON loading, and the log.

Readers never build a table themselves: they put every score, factor value, skipped value
and note into an :class:`ImportLog`, and :mod:`._merge` turns the log into one
:class:`~scorecast.ScoreMatrix`, resolving conflicts the same way for every format.
"""

import datetime
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._cells import parse_number
from ..errors import ScoreTableError, quote_names
from ..readers import decode_text

# The two conflict rules: formats whose files carry a run date, and those that do not.
NEWEST_FILE = "the newest file wins"
LAST_FILE = "the file read last wins"

# Results files are small; a JSON file larger than this is not one (and could exhaust memory).
JSON_SIZE_LIMIT = 512 * 2**20
# No evaluation tool nests its JSON this deep; deeper documents are refused before parsing
# (Python's parser would fail with a RecursionError).
JSON_DEPTH_LIMIT = 100
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_OPENING, _CLOSING = np.frombuffer(b"{[", np.uint8), np.frombuffer(b"}]", np.uint8)

# lm-eval and the Open LLM Leaderboard name result files results_2024-05-01T12-00-00.json
# (sometimes with microseconds, sometimes with colons).
_NAME_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2})[-:](\d{2})[-:](\d{2})(?:\.(\d{1,6}))?")


class NotThisFormat(ScoreTableError):
    """A file does not hold the format being imported (the message says what it holds)."""


@dataclass
class Source:
    """One file read: where scores came from, and how recent it is."""

    path: str
    order: int
    time: float = None
    time_origin: str = None
    partial: bool = False

    @property
    def recency(self):
        """Sort key: later is more recent; files without a time are ordered as read."""
        return (-math.inf if self.time is None else self.time, self.order)

    def describe(self):
        if self.time is None:
            return self.path
        stamp = datetime.datetime.fromtimestamp(self.time, datetime.timezone.utc)
        return f"{self.path}, {stamp:%Y-%m-%d %H:%M} from its {self.time_origin}"


class ImportLog:
    """Everything read from the files of one import, before it becomes a table.

    Parameters
    ----------
    format : str
        The format's name, for messages.
    conflict_rule : str
        :data:`NEWEST_FILE` or :data:`LAST_FILE`, for reports.
    """

    def __init__(self, format, conflict_rule=LAST_FILE):
        self.format = format
        self.conflict_rule = conflict_rule
        self.sources = []
        self.scores = []            # (model, task, value, source)
        self.model_factors = []     # (model, factor, value, source)
        self.task_factors = []      # (task, factor, value, source)
        self.factor_kinds = {"model": {}, "task": {}}
        self.ranges = {}            # task -> (lower, upper, strict)
        self.lower_is_better = set()
        self.skipped = Counter()    # reason -> number of values
        self.skipped_files = []     # (path, why)
        self.notes = []             # (category, text)

    def source(self, path, time=None, time_origin=None):
        """Register a file being read and return its :class:`Source`."""
        source = Source(str(path), len(self.sources), time, time_origin)
        self.sources.append(source)
        return source

    def score(self, model, task, value, source):
        self.scores.append((str(model).strip(), str(task).strip(), float(value), source))

    def factor(self, what, name, factor, value, source, kind):
        """Record a model (``what="model"``) or task factor; None is no value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        records = self.model_factors if what == "model" else self.task_factors
        records.append((str(name).strip(), factor, value, source))
        self.factor_kinds[what][factor] = kind

    def declare_range(self, task, lower, upper, strict=True):
        """Declare a task's range; `strict` reports it when scores fall outside."""
        self.ranges[task] = (lower, upper, strict)

    def skip(self, reason, count=1):
        if count:
            self.skipped[reason] += count

    def note(self, category, text):
        self.notes.append((category, text))


# ---------------------------------------------------------------------------- files
def find_files(paths, suffixes):
    """Yield ``(path, explicit)`` for every file to read, in a stable order.

    Files named on the command line are read whatever their name (``explicit`` is
    True: a wrong format is an error); directories are searched recursively for names
    ending in one of `suffixes`, in sorted order (a wrong format there is skipped and
    reported, since folders hold other files too).
    """
    for path in _as_paths(paths):
        if path.is_file():
            yield path, True
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.name.lower().endswith(suffixes))
            if not found:
                raise ScoreTableError(f"{path}: no {' or '.join(suffixes)} files in this folder")
            for file in found:
                yield file, False
        else:
            raise ScoreTableError(f"{path}: no such file or directory")


def _as_paths(paths):
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise ScoreTableError("no file or directory to import")
    return paths


def read_all(log, items, read_one, paths, expected):
    """Read every ``(path, explicit)`` of `items` with ``read_one(log, path)``.

    A file of another format is an error when named explicitly, and skipped (and
    reported) when found in a folder. No file of the format at all is an error.
    """
    for path, explicit in items:
        try:
            read_one(log, path)
        except NotThisFormat as exc:
            if explicit:
                raise
            log.skipped_files.append((str(path), str(exc)))
            log.note("file", f"{exc}; skipped")
    if log.sources:
        return
    where = quote_names([str(p) for p in _as_paths(paths)], limit=3)
    detail = f" ({len(log.skipped_files)} file(s) skipped; first: {log.skipped_files[0][1]})" \
        if log.skipped_files else ""
    raise ScoreTableError(f"no {expected} found in {where}{detail}")


def _depth(text):
    """How deeply the arrays and objects of a JSON text nest (strings left out)."""
    skeleton = _JSON_STRING.sub("", text).encode()
    marks = np.frombuffer(skeleton, dtype=np.uint8)
    steps = np.isin(marks, _OPENING).astype(np.int64) - np.isin(marks, _CLOSING)
    return int(np.cumsum(steps).max(initial=0))


def load_json(path, expected):
    """Parse a JSON (or JSON Lines) file; anything else is :class:`NotThisFormat`.

    Files larger than :data:`JSON_SIZE_LIMIT` or nested deeper than
    :data:`JSON_DEPTH_LIMIT` are refused before they are parsed.
    """
    try:
        size = os.path.getsize(path)
        if size > JSON_SIZE_LIMIT:
            raise NotThisFormat(f"{path}: not {expected}: {size / 2**20:.0f} MiB, larger than "
                                f"any results file ({JSON_SIZE_LIMIT // 2**20} MiB at most)")
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScoreTableError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = decode_text(raw, path)
    except ScoreTableError as exc:
        raise NotThisFormat(f"{path}: not {expected}: {str(exc).removeprefix(f'{path}: ')}") \
            from None
    if not text.strip():
        raise NotThisFormat(f"{path}: not {expected}: the file is empty")
    if _depth(text) > JSON_DEPTH_LIMIT:
        raise NotThisFormat(f"{path}: not {expected}: JSON nested more than "
                            f"{JSON_DEPTH_LIMIT} levels deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if str(path).lower().endswith(".jsonl"):
            try:
                return [json.loads(line) for line in text.splitlines() if line.strip()]
            except json.JSONDecodeError:
                pass
        raise NotThisFormat(f"{path}: not {expected}: not valid JSON ({exc.msg} at line "
                            f"{exc.lineno}, column {exc.colno})") from None


def describe_json(data):
    """A few words on what a JSON document holds, with a hint when it is another format."""
    if isinstance(data, dict):
        text = f"a JSON object with keys {quote_names(list(data), limit=5)}"
    elif isinstance(data, list):
        kinds = sorted({type(item).__name__ for item in data}) or ["nothing"]
        text = f"a JSON list of {len(data)} item(s) ({', '.join(kinds)})"
    else:
        text = f"a JSON {type(data).__name__}"
    return text + format_hint(data)


def format_hint(data):
    """``" (it looks like ...)"`` when `data` (JSON, or a CSV header) is a known format."""
    guess = None
    if isinstance(data, dict):
        if isinstance(data.get("results"), dict):
            guess = "lm-eval"
        elif "adapter_spec" in data:
            guess = "helm"
    elif isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
        if all("header" in d and "rows" in d for d in data):
            guess = "helm"
        elif any("fullname" in d or any(str(k).endswith(" Raw") for k in d) for d in data):
            guess = "open-llm-leaderboard"
    elif isinstance(data, list) and data and all(isinstance(d, str) for d in data):
        names = [d.strip().lower() for d in data]
        if names[:4] == ["dataset", "version", "metric", "mode"]:
            guess = "opencompass"
        elif "fullname" in names or any(n.endswith(" raw") for n in names):
            guess = "open-llm-leaderboard"
    return f" (it looks like {guess} output: use 'scorecast import {guess}')" if guess else ""


# ---------------------------------------------------------------------------- values
def number(value):
    """A finite float, NaN for a missing value, or None when `value` is not a number."""
    try:
        return parse_number(value)
    except (TypeError, ValueError):
        return None


def file_time(path, date=None):
    """When a file's run happened: ``(seconds since 1970, where that came from)``.

    The ``date`` field if given (a unix timestamp or an ISO date), else a timestamp in
    the file name (read as UTC), else the file's modification time.
    """
    stamp = _as_time(date)
    if stamp is not None:
        return stamp, "date field"
    match = _NAME_TIME.search(Path(path).name)
    if match:
        parts = [int(p) for p in match.groups()[:6]]
        micro = int((match.group(7) or "0").ljust(6, "0"))
        moment = datetime.datetime(*parts, micro, tzinfo=datetime.timezone.utc)
        return moment.timestamp(), "file name"
    return os.path.getmtime(path), "modification time"


def _as_time(date):
    if date is None or isinstance(date, bool):
        return None
    if isinstance(date, (int, float)):
        return float(date) if math.isfinite(date) else None
    text = str(date).strip()
    value = number(text)
    if value is not None and not math.isnan(value):
        return value
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()
