"""Options shared by the commands that read a score table."""

import argparse
import csv
import json
import re
import sys

from .. import datasets
from ..errors import ScorecastError
from ..factors import FACTOR_KINDS
from ..table import ScoreMatrix


def score_range(text):
    """Parse ``[TASK=]LOWER:UPPER`` (or ``LOWER,UPPER``) into the task (None for every
    task) and two floats."""
    task, sep, bounds = text.rpartition("=")
    task = task.strip()
    if sep and not task:
        raise argparse.ArgumentTypeError(f"expected TASK=LOWER:UPPER, got {text!r}")
    parts = bounds.replace(",", ":").split(":")
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected LOWER:UPPER or TASK=LOWER:UPPER such as 0:100, got {text!r}") from None
    if not low < high:
        raise argparse.ArgumentTypeError(f"lower bound must be below upper bound in {text!r}")
    return task or None, (low, high)


def factor_kind(text):
    """Parse ``NAME=KIND``."""
    name, sep, kind = text.rpartition("=")
    if not sep or not name.strip() or kind.strip() not in FACTOR_KINDS:
        raise argparse.ArgumentTypeError(
            f"expected FACTOR=KIND with KIND one of {', '.join(FACTOR_KINDS)}, got {text!r}")
    return name.strip(), kind.strip()


# ---------------------------------------------------------------------------- argument types
def key_value(text):
    """Parse ``NAME=VALUE`` (the value may itself contain ``=``... but not the name)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


# A comma starts a new pair only when a quoted name or ``NAME=`` follows it.
_NEXT_PAIR = re.compile(r'\s*("|[^,="]+=)')


def _quoted(text, i):
    """The text of a double-quoted token starting at ``text[i] == '"'`` ("" is a quote)."""
    parts, i = [], i + 1
    while True:
        end = text.find('"', i)
        if end < 0:
            raise argparse.ArgumentTypeError(f"a quote is not closed in {text!r}")
        parts.append(text[i:end])
        if text[end + 1:end + 2] != '"':
            return "".join(parts), end + 1
        parts.append('"')
        i = end + 2


def _token(text, i, stop):
    """The name (`stop` '=') or value (`stop` ',') starting at `i`, and where it ends."""
    while i < len(text) and text[i].isspace():
        i += 1
    if text[i:i + 1] == '"':
        token, i = _quoted(text, i)
        while i < len(text) and text[i].isspace():
            i += 1
        return token, i
    if stop == "=":
        end = text.find("=", i)
        end = len(text) if end < 0 else end
        return text[i:end].strip(), end
    end = i
    while True:
        comma = text.find(",", end)
        if comma < 0 or _NEXT_PAIR.match(text, comma + 1) or not text[comma + 1:].strip():
            comma = len(text) if comma < 0 else comma
            return text[i:comma].strip(), comma
        end = comma + 1


def key_values(text):
    """Parse ``A=1,B=2`` into ``[("A", "1"), ("B", "2")]``.

    A comma starts a new pair only when ``NAME=`` follows it (so a value may hold
    commas); a name or value holding ``=`` or ``,`` is written in double quotes,
    ``"acc, 5-shot"=63``, with ``""`` for a quote inside them.
    """
    pairs, i = [], 0
    while i < len(text):
        name, i = _token(text, i, "=")
        if text[i:i + 1] != "=" or not name:
            raise argparse.ArgumentTypeError(
                f"expected NAME=VALUE (quote a name holding '=' or ',': '\"a=b\"=1'), got "
                f"{text!r}")
        value, i = _token(text, i + 1, ",")
        if i < len(text) and text[i] != ",":
            raise argparse.ArgumentTypeError(f"expected ',' after the quoted value in {text!r}")
        pairs.append((name, value))
        i += 1
    return pairs


def name_list(text):
    """Parse ``A,B,"C, 5-shot"`` into names (a name holding ',' in double quotes)."""
    names = [name.strip() for name in next(csv.reader([text], skipinitialspace=True), [])]
    if not names or not all(names):
        raise argparse.ArgumentTypeError(f"expected names separated by ',', got {text!r}")
    return names


def non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def _number_between(text, low, high, expected):
    """`text` as a number strictly between `low` and `high`, else the `expected` message."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if not low < value < high:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {value:g}")
    return value


def fraction(text):
    return _number_between(text, 0, 1, "a number between 0 and 1")


def positive_number(text):
    return _number_between(text, 0, float("inf"), "a number above 0")


def positive_int(text):
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def add_parallel_arguments(group, over):
    """``--jobs``, ``--backend`` and ``--scheduler``: where the work `over` runs."""
    group.add_argument("--jobs", type=non_negative_int, default=0, metavar="N",
                       help=f"parallel workers over {over} (default 0: one per core, or every "
                            "worker of a cluster)")
    group.add_argument("--backend", choices=("loky", "threading", "dask", "ray"),
                       help="where the workers run (default: $SCORECAST_BACKEND, else loky: "
                            "processes on this machine); dask and ray are optional extras")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="a running Dask scheduler (tcp://host:8786) or Ray cluster to run "
                            "on (default: $SCORECAST_SCHEDULER; dask without one starts a "
                            "local cluster)")


def add_table_arguments(parser, dataset=False, data_option=False):
    """Add the options that say which score table to read and how.

    With ``dataset=True`` the table can come from ``--dataset NAME`` instead of a file;
    with ``data_option=True`` as well, the file is given as ``--data FILE`` and neither
    is required (the command has a default dataset).
    """
    file_help = "score file (wide: a row per model, a column per task; or long: columns " \
                "model, task, score)"
    if dataset:
        source = parser.add_mutually_exclusive_group(required=not data_option)
        if data_option:
            source.add_argument("--data", dest="scores", metavar="SCORES.csv", help=file_help)
        else:
            source.add_argument("scores", nargs="?", metavar="SCORES.csv", help=file_help)
        names = ", ".join(d.name for d in datasets.list_datasets())
        source.add_argument("--dataset", metavar="NAME", help=f"a published dataset: {names}")
    else:
        parser.add_argument("scores", metavar="SCORES.csv", help=file_help)
    group = parser.add_argument_group("reading the score file")
    group.add_argument("--model-factors", metavar="F.csv",
                       help="model factors: first column the model name, one column per factor")
    group.add_argument("--task-factors", metavar="T.csv",
                       help="task factors: first column the task name, one column per factor")
    group.add_argument("--transpose", action="store_true",
                       help="the wide score file has a row per task and a column per model")
    group.add_argument("--transpose-task-factors", action="store_true",
                       help="the task-factor file has a row per factor and a column per task")
    group.add_argument("--layout", choices=("auto", "wide", "long"), default="auto",
                       help="auto (default): long if the header has model, task and score "
                            "columns, else wide")
    group.add_argument("--score-range", type=score_range, action="append", default=[],
                       metavar="[TASK=]LOWER:UPPER",
                       help="declared score range of one task (TASK=0:100, repeatable) or of "
                            "every task (0:100); a task's own range beats the task factors' "
                            "lower/upper, which beat the range of every task (default, per "
                            "task: 0:1 or 0:100 if its scores fit, else unbounded)")
    group.add_argument("--lower-is-better", action="append", default=[], metavar="TASK",
                       help="a task whose score is better when lower (repeatable)")
    group.add_argument("--factor-kind", type=factor_kind, action="append", default=[],
                       metavar="FACTOR=KIND",
                       help=f"impose a factor's kind ({', '.join(FACTOR_KINDS)}); repeatable")


# Options that describe how to read a score file: a published dataset has its own.
_FILE_ONLY = (("model_factors", "--model-factors"), ("task_factors", "--task-factors"),
              ("transpose", "--transpose"), ("transpose_task_factors", "--transpose-task-factors"),
              ("score_range", "--score-range"), ("lower_is_better", "--lower-is-better"),
              ("factor_kind", "--factor-kind"))


def _check_dataset_options(args):
    """Refuse the options that a published dataset would silently ignore."""
    given = [flag for name, flag in _FILE_ONLY if getattr(args, name, None)]
    if getattr(args, "layout", "auto") != "auto":
        given.append("--layout")
    if given:
        raise ScorecastError(f"{given[0]} applies to a score file, not to the dataset "
                             f"{args.dataset!r} (a published dataset comes with its own factors, "
                             "ranges and directions); drop it, or give the scores as a file")


def table_inputs(args):
    """The files and folders the table options read (a dataset's folder included)."""
    paths = [getattr(args, name, None) for name in ("scores", "model_factors", "task_factors")]
    if getattr(args, "dataset", None) in {d.name for d in datasets.list_datasets()}:
        paths.append(datasets.data_dir() / datasets.describe(args.dataset).folder)
    return [p for p in paths if p]


def read_table(args, on_empty="warn"):
    """Build the ScoreMatrix the options describe."""
    if getattr(args, "dataset", None):
        _check_dataset_options(args)
        return datasets.load(args.dataset)
    return ScoreMatrix.from_csv(
        args.scores, layout=args.layout, transpose=args.transpose,
        model_factors=args.model_factors, task_factors=args.task_factors,
        transpose_task_factors=args.transpose_task_factors,
        score_range=dict(args.score_range), lower_is_better=args.lower_is_better,
        factor_kinds=dict(args.factor_kind), on_empty=on_empty,
    )


def add_json_argument(parser):
    parser.add_argument("--json", action="store_true",
                        help="print JSON instead of text (see docs/formats.md)")


def print_json(data):
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
