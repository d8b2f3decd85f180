"""Options shared by the commands that read a score table."""

import argparse
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


def key_values(text):
    """Parse ``A=1,B=2`` (a comma starts a new pair only when ``NAME=`` follows it)."""
    return [key_value(part) for part in re.split(r",(?=[^,=]+=)", text) if part.strip()]


def non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") \
            from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


def positive_int(text):
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


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


def read_table(args, on_empty="warn"):
    """Build the ScoreMatrix the options describe."""
    if getattr(args, "dataset", None):
        return datasets.load(args.dataset)
    return ScoreMatrix.from_csv(
        args.scores, layout=args.layout, transpose=args.transpose,
        model_factors=args.model_factors, task_factors=args.task_factors,
        transpose_task_factors=args.transpose_task_factors,
        score_range=dict(args.score_range), lower_is_better=args.lower_is_better,
        factor_kinds=dict(args.factor_kind), on_empty=on_empty,
    )


def write_csv(frame, path, index, float_format=None):
    """Write `frame` as CSV to `path` ('-' or None: standard output)."""
    if path in (None, "-"):
        frame.to_csv(sys.stdout, index=index, float_format=float_format)
        return
    try:
        frame.to_csv(path, index=index, float_format=float_format)
    except OSError as exc:
        raise ScorecastError(f"cannot write {path}: {exc.strerror}") from None


def add_json_argument(parser):
    parser.add_argument("--json", action="store_true",
                        help="print JSON instead of text (see docs/formats.md)")


def print_json(data):
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
