"""Reading score and factor tables from CSV files.

The readers accept what spreadsheets and scripts actually write: UTF-8 with or
without a byte-order mark (and UTF-16 with one), comma, semicolon or tab
delimiters, and the missing-value spellings in :data:`MISSING_TOKENS`. They never
guess the orientation of a table: a wide score file has one row per model, and
``transpose=True`` reads one with a row per task. Everything that is wrong is
reported as a :class:`~scorecast.errors.ScoreTableError` naming the file, the line
and the cell.
"""

import csv
import io
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._cells import MISSING_TOKENS, is_missing, parse_number
from .errors import ScoreTableError, quote_names

__all__ = ["MISSING_TOKENS", "read_scores_csv", "read_factor_csv", "detect_layout"]

_DELIMITERS = (",", ";", "\t")
_LONG_COLUMNS = ("model", "task", "score")
# Corner headings that say "the rows of this file are tasks".
_TASK_HEADINGS = {"task", "tasks", "metric", "metrics", "benchmark", "benchmarks",
                  "dataset", "datasets", "scenario", "scenarios"}
_MODEL_HEADINGS = {"model", "models", "model name", "model_name"}


@dataclass
class CsvText:
    """The cells of a CSV file as text, with the file line of every row."""

    path: str
    header: list
    rows: list
    lines: list
    delimiter: str
    notes: list = field(default_factory=list)

    def where(self, row):
        """Location of data row `row` for messages."""
        return f"{self.path}, line {self.lines[row]}"


# The first bytes of files people give by mistake, and what to say about them.
_MAGIC = ((b"PK\x03\x04", "a zip archive (an Excel workbook? a saved predictor?); export the "
                          "sheet as CSV"),
          (b"PAR1", "a parquet file; convert it to CSV (or use 'scorecast import "
                    "open-llm-leaderboard' for the leaderboard's parquet tables)"),
          (b"\x1f\x8b", "gzip-compressed; decompress it first"),
          (b"%PDF", "a PDF document"),
          (b"\x89PNG", "a PNG image"))


def _not_text(raw):
    """Why `raw` is not a text file, or None: known binary formats, UTF-16 without its
    byte-order mark, NUL bytes."""
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return what
    if b"\x00" not in raw[:65536]:
        return None
    head = raw[:4096]
    even, odd = head[0::2], head[1::2]
    for zeros, order in ((odd, "little"), (even, "big")):
        if zeros.count(0) > 0.9 * len(zeros) > 0:
            return (f"UTF-16 ({order}-endian) text without a byte-order mark; save it as UTF-8 "
                    "(or as UTF-16 with a byte-order mark)")
    offset = raw.index(b"\x00")
    return f"a binary file, not text (a NUL byte at offset {offset})"


def decode_text(raw, path):
    """The text of a file's bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Raises
    ------
    ScoreTableError
        For a binary file, UTF-16 without a byte-order mark, or bytes that are not UTF-8,
        with a message saying which.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ScoreTableError(f"{path}: starts like UTF-16 text but is not; save the file "
                                  "as UTF-8") from None
    why = _not_text(raw)
    if why:
        raise ScoreTableError(f"{path}: {why}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScoreTableError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None


def _refuse_json(text, path):
    """A JSON document given where a CSV table is expected: say so, and which importer reads it."""
    start = text.lstrip()[:1]
    if start not in ("{", "["):
        return
    import json

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        if start == "[":
            return  # '[' also starts ordinary names, e.g. "[beta] model"
        raise ScoreTableError(f"{path}: starts like JSON, not like a CSV table (and is not valid "
                              "JSON either)") from None
    from .importers._collect import format_hint

    hint = format_hint(data) or "; a score table is CSV (see docs/formats.md)"
    raise ScoreTableError(f"{path}: a JSON document, not a CSV table{hint}")


def _choose_delimiter(first_line):
    counts = [len(next(csv.reader([first_line], delimiter=d))) for d in _DELIMITERS]
    return _DELIMITERS[int(np.argmax(counts))]


def read_csv_text(path):
    """Read a delimited text file into header, rows and line numbers.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    CsvText
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise ScoreTableError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScoreTableError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise ScoreTableError(f"{path}: cannot be read ({exc.strerror})") from None
    text = decode_text(raw, path)
    if not text.strip():
        raise ScoreTableError(f"{path}: the file is empty")
    _refuse_json(text, path)
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = _choose_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows, lines, notes = None, [], [], []
    started, runaway = 1, None  # the line the current record starts on
    try:
        for record in reader:
            if reader.line_num > started:  # a record over several lines: quoted line breaks
                runaway = _runaway_quote(text, delimiter) if runaway is None else runaway
                if runaway and reader.line_num == text.count("\n") + 1 - text.endswith("\n"):
                    raise ScoreTableError(f"{path}, line {started}: a quote opened on this line "
                                          "is never closed; check the quoting")
            started = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            if len(record) > len(header):
                extra = record[len(header):]
                if any(cell.strip() for cell in extra):
                    raise ScoreTableError(
                        f"{path}, line {reader.line_num}: {len(record)} fields but the "
                        f"header has {len(header)}; check the delimiter and quoting"
                    )
                record = record[: len(header)]
            elif len(record) < len(header):
                notes.append(
                    f"line {reader.line_num} has {len(record)} of {len(header)} fields; "
                    "the rest are read as missing"
                )
                record = record + [""] * (len(header) - len(record))
            rows.append(record)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise ScoreTableError(f"{path}, line {reader.line_num}: {exc}") from None
    if not rows:
        raise ScoreTableError(f"{path}: a header but no rows below it")
    return CsvText(path, header, rows, lines, delimiter, notes)


def _runaway_quote(text, delimiter):
    """Whether a quoted field runs to the end of the file (a quote never closed).

    The lenient reader takes the rest of the file into that field; the strict one says so.
    """
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def detect_layout(header):
    """Return ``"long"`` if the header has model, task and score columns, else ``"wide"``."""
    names = {str(h).strip().lower() for h in header}
    return "long" if all(c in names for c in _LONG_COLUMNS) else "wide"


def _drop_unnamed_empty_columns(text):
    """Drop trailing columns with neither a name nor a value (spreadsheet artefacts)."""
    keep = len(text.header)
    while keep > 1 and not text.header[keep - 1] and not any(
        row[keep - 1].strip() for row in text.rows
    ):
        keep -= 1
    if keep < len(text.header):
        text.header = text.header[:keep]
        text.rows = [row[:keep] for row in text.rows]


def _parse_cells(cells, row_names, col_names, describe, decimal_comma):
    """Parse a 2-D list of text cells into floats; `describe(i, j)` locates a bad cell."""
    values = np.full((len(row_names), len(col_names)), np.nan)
    bad = []
    for i, row in enumerate(cells):
        for j, cell in enumerate(row):
            try:
                values[i, j] = parse_number(cell, decimal_comma)
            except (TypeError, ValueError):
                bad.append((i, j, cell))
    if bad:
        i, j, cell = bad[0]
        more = f" (and {len(bad) - 1} more non-numeric cells)" if len(bad) > 1 else ""
        raise ScoreTableError(f"{describe(i, j)}: {_what_is_wrong(cell)} score "
                              f"{str(cell).strip()!r}{more}")
    return values


def _what_is_wrong(cell):
    """``non-finite`` for infinities (and NaN spelled as a number), else ``non-numeric``."""
    try:
        float(str(cell).strip())
        return "non-finite"
    except ValueError:
        return "non-numeric"


def parse_score_frame(frame, source="the score table"):
    """Convert a models x tasks DataFrame of numbers or text to floats.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows are models, columns tasks; missing cells may be NaN, None or any of
        :data:`MISSING_TOKENS`.
    source : str
        What to call the table in messages.

    Returns
    -------
    pandas.DataFrame
        The same labels with float values.
    """
    if all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
           for t in frame.dtypes):
        values = frame.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            i, j = np.argwhere(np.isinf(values))[0]
            raise ScoreTableError(
                f"{source}: non-finite score {values[i, j]} for model {frame.index[i]!r} "
                f"on task {frame.columns[j]!r}"
            )
    else:
        models, tasks = frame.index, frame.columns
        values = _parse_cells(
            frame.astype(object).to_numpy().tolist(), models, tasks,
            lambda i, j: f"{source}: model {models[i]!r}, task {tasks[j]!r}", False,
        )
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


def _check_corner(text, transpose):
    corner = text.header[0].strip().lower()
    if not transpose and corner in _TASK_HEADINGS:
        raise ScoreTableError(
            f"{text.path}: the first column is headed {text.header[0]!r}, so its rows look like "
            "tasks, but a wide score file has one row per model; pass --transpose "
            "(transpose=True) to read a tasks x models file, or rename that heading"
        )
    if transpose and corner in _MODEL_HEADINGS:
        raise ScoreTableError(
            f"{text.path}: the first column is headed {text.header[0]!r}, so its rows look like "
            "models, but --transpose (transpose=True) reads one row per task; drop --transpose"
        )


def _read_wide(text, transpose):
    _drop_unnamed_empty_columns(text)
    if len(text.header) < 2:
        raise ScoreTableError(
            f"{text.path}: only one column; a wide score file needs a column of names and at "
            "least one column of scores (delimiters tried: comma, semicolon, tab)"
        )
    _check_corner(text, transpose)
    row_kind, col_kind = ("task", "model") if transpose else ("model", "task")
    col_names = text.header[1:]
    for j, name in enumerate(col_names):
        if not name:
            raise ScoreTableError(
                f"{text.path}: column {j + 2} has scores but no {col_kind} name in the header"
            )
    row_names = []
    for r, row in enumerate(text.rows):
        name = row[0].strip()
        if not name:
            raise ScoreTableError(f"{text.where(r)}: a row with scores but no {row_kind} name")
        row_names.append(name)
    cells = [row[1:] for row in text.rows]

    def describe(i, j):
        model, task = (col_names[j], row_names[i]) if transpose else (row_names[i], col_names[j])
        return f"{text.where(i)}: model {model!r}, task {task!r}"

    values = _parse_cells(cells, row_names, col_names, describe, text.delimiter != ",")
    frame = pd.DataFrame(values, index=pd.Index(row_names), columns=pd.Index(col_names))
    return frame.T if transpose else frame


def _show(score):
    return "missing" if np.isnan(score) else f"{score:g}"


def _read_long(text):
    names = [h.strip().lower() for h in text.header]
    position = {c: names.index(c) for c in _LONG_COLUMNS}
    extra = [h for h, n in zip(text.header, names) if n not in _LONG_COLUMNS]
    if extra:
        text.notes.append(f"columns not used as scores: {quote_names(extra)}")
    decimal_comma = text.delimiter != ","
    first_seen, values = {}, {}
    models, tasks = {}, {}
    for r, row in enumerate(text.rows):
        model = row[position["model"]].strip()
        task = row[position["task"]].strip()
        if not model or not task:
            raise ScoreTableError(f"{text.where(r)}: empty {'model' if not model else 'task'} name")
        cell = row[position["score"]]
        try:
            score = parse_number(cell, decimal_comma)
        except ValueError:
            raise ScoreTableError(
                f"{text.where(r)}: {_what_is_wrong(cell)} score {cell.strip()!r} for model "
                f"{model!r} on task {task!r}"
            ) from None
        models.setdefault(model, None)
        tasks.setdefault(task, None)
        key = (model, task)
        if key in values:
            old = values[key]
            if not (old == score or (np.isnan(old) and np.isnan(score))):
                raise ScoreTableError(
                    f"{text.path}: model {model!r} on task {task!r} has two scores: "
                    f"{_show(old)} (line {first_seen[key]}) and {_show(score)} "
                    f"(line {text.lines[r]})"
                )
            text.notes.append(
                f"line {text.lines[r]} repeats line {first_seen[key]} "
                f"({model!r} on {task!r}, same score)"
            )
            continue
        values[key] = score
        first_seen[key] = text.lines[r]
    frame = pd.DataFrame(np.nan, index=pd.Index(list(models)), columns=pd.Index(list(tasks)))
    for (model, task), score in values.items():
        frame.at[model, task] = score
    return frame


def read_scores_csv(path, layout="auto", transpose=False):
    """Read a score file into a models x tasks DataFrame of floats.

    Parameters
    ----------
    path : str or path-like
        A wide file (first column the model names, header the task names) or a
        long file (columns ``model``, ``task``, ``score``; other columns allowed).
    layout : {"auto", "wide", "long"}, default="auto"
        ``"auto"`` reads the file as long when its header has model, task and
        score columns, and as wide otherwise.
    transpose : bool, default=False
        For wide files whose rows are tasks and whose columns are models.

    Returns
    -------
    scores : pandas.DataFrame
        NaN where a model was not evaluated on a task.
    notes : list of str
        What was read in an unusual way (padded lines, ignored columns...).
    """
    if layout not in ("auto", "wide", "long"):
        raise ScoreTableError(f"unknown layout {layout!r}; use 'auto', 'wide' or 'long'")
    text = read_csv_text(path)
    if layout == "auto":
        layout = detect_layout(text.header)
        names = [h.strip().lower() for h in text.header]
        if layout == "wide" and "model" in names and "task" in names:
            # Read as wide, its task names would be read as scores: say what is missing.
            others = [h for h, n in zip(text.header, names) if n not in ("model", "task")]
            fix = f"rename the column of scores (one of {quote_names(others)}) to score" \
                if others else "add a column named score"
            raise ScoreTableError(
                f"{text.path}: columns model and task but no column named score, so this is not "
                f"a long score file; {fix}, or pass --layout wide (layout='wide') if its rows "
                "are models")
    if layout == "long":
        if transpose:
            raise ScoreTableError(f"{text.path}: --transpose applies to wide files, not long ones")
        if detect_layout(text.header) != "long":
            raise ScoreTableError(
                f"{text.path}: a long score file needs columns model, task and score; "
                f"found {quote_names(text.header)}"
            )
        frame = _read_long(text)
    else:
        frame = _read_wide(text, transpose)
    return frame, text.notes


def read_factor_csv(path, kind="model", transpose=False):
    """Read a factor file: first column the model (or task) name, one column per factor.

    Parameters
    ----------
    path : str or path-like
        The file.
    kind : {"model", "task"}
        What the rows name, for messages.
    transpose : bool, default=False
        For files with one row per factor and one column per model (or task).

    Returns
    -------
    pandas.DataFrame
        Indexed by name, with the cells as text and NaN for missing cells;
        ``attrs["source"]`` is the path, for messages.
    """
    text = read_csv_text(path)
    _drop_unnamed_empty_columns(text)
    if transpose:
        names, factors = text.header[1:], []
        cells = [[None] * len(text.rows) for _ in names]
        for r, row in enumerate(text.rows):
            factors.append(row[0].strip())
            for c, cell in enumerate(row[1:]):
                cells[c][r] = cell
    else:
        names = [row[0].strip() for row in text.rows]
        factors = text.header[1:]
        cells = [row[1:] for row in text.rows]
    for i, name in enumerate(names):
        if not name:
            where = f"column {i + 2}" if transpose else f"line {text.lines[i]}"
            raise ScoreTableError(f"{text.path}, {where}: a row of factors with no {kind} name")
    for j, name in enumerate(factors):
        if not name:
            where = f"line {text.lines[j]}" if transpose else f"column {j + 2}"
            raise ScoreTableError(f"{text.path}, {where}: a factor with no name")
    cells = [[None if is_missing(c) else c.strip() for c in row] for row in cells]
    frame = pd.DataFrame(cells, index=pd.Index(names), columns=pd.Index(factors), dtype=object)
    frame.attrs["source"] = text.path
    return frame
