"""``scorecast import``: the files evaluation tools write, as a score table."""

import argparse
import sys

from .. import importers
from ..errors import ScorecastError, quote_names
from . import _messages
from ._outputs import Outputs, add_force_argument

# Ten significant digits: the files' own precision, without the float noise of averages.
FLOAT_FORMAT = "%.10g"

# Options that only some formats take: option -> (flag, formats).
_FORMAT_OPTIONS = {
    "metrics": ("--metric", ("lm-eval", "helm")),
    "keep_groups": ("--keep-groups", ("lm-eval",)),
    "subtasks": ("--subtasks", ("lm-eval",)),
    "revision_in_name": ("--revision-in-name", ("lm-eval",)),
}


def _metric_defaults():
    rows = [f"{task}={metric}" + (f",{filt}" if filt else "")
            for task, metric, filt in importers.DEFAULT_METRICS]
    lines, line = [], " "
    for row in rows:
        if len(line) + len(row) > 86:
            lines.append(line)
            line = " "
        line += f" {row}"
    return "\n".join(lines + [line])


DESCRIPTION = f"""\
Read the result files of an evaluation tool and write one score table (wide CSV, first
column 'model'; --long for model,task,score). Several paths are merged; folders are
searched recursively. Scores keep the tool's scale; see docs/importers.md for every rule.

formats:
  lm-eval               lm-evaluation-harness results (*.json, any name; 0.3 and 0.4+
                        keys), and Open LLM Leaderboard v1 results files ('harness|...'
                        keys; the 57 MMLU subjects averaged into 'mmlu'). Scores 0-1.
                        One metric per task (defaults below; others default to the
                        task's first metric); stderr is never a score; a group with a
                        score of its own is one task (mmlu), its subtasks skipped
                        (--subtasks keeps them instead, --keep-groups both). Model from
                        'model_name' or
                        config.model_args (pretrained=, model=); factors revision,
                        dtype, params_b, partial_run (runs with a limit).
  open-llm-leaderboard  the leaderboard's tables (CSV, JSON records, parquet): v2
                        contents ('fullname', the '... Raw' columns, 0-1) or v1
                        snapshots ('Model', 'ARC', 'HellaSwag', ..., 0-100). A model
                        with several rows keeps one: bfloat16/float16 first, then the
                        row with most scores, then the first row.
  helm                  HELM leaderboard tables (groups/<group>.json: a task per score
                        column, lower_is_better kept; win rates, timings and counts
                        skipped) or run directories (run_spec.json + stats.json: the
                        scenario's main statistic, test split).
  opencompass           OpenCompass summary CSVs (dataset,version,metric,mode,<models>;
                        '-' missing, 0-100).

conflicts:
  When files give different scores for the same model and task, the most recent file
  wins: for lm-eval its 'date' field, else the timestamp in its name
  (results_2024-05-01T12-00-00.json), else its modification time; for the other formats
  the file read last (paths in the order given, folders in sorted order). Every conflict
  is reported with its files and values.

lm-eval metric defaults (TASK=METRIC[,FILTER]; a missing default falls back to the same
metric with another filter, else the task's first metric, and says so):
{_metric_defaults()}
"""

EPILOG = """\
example:
  scorecast import lm-eval results/ -o scores.csv --model-factors-out models.csv
  scorecast complete scores.csv --model-factors models.csv --method mf"""


def metric_choice(text):
    """Parse ``TASK=METRIC[,FILTER]``."""
    task, sep, choice = text.partition("=")
    if not sep or not task.strip() or not choice.strip():
        raise argparse.ArgumentTypeError(f"expected TASK=METRIC[,FILTER], got {text!r}")
    return task.strip(), choice.strip()


def add_commands(commands):
    """Register ``scorecast import`` on the top-level sub-parsers."""
    parser = commands.add_parser(
        "import", help="read lm-eval, Open LLM Leaderboard, HELM or OpenCompass results",
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("format", choices=list(importers.FORMATS), metavar="FORMAT",
                        help=f"one of {', '.join(importers.FORMATS)}")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="result files or folders (searched recursively)")
    reading = parser.add_argument_group("reading")
    reading.add_argument("--metric", type=metric_choice, action="append", default=[],
                         metavar="TASK=METRIC[,FILTER]",
                         help="the metric that scores TASK (a name or a pattern such as "
                              "'mmlu_*'), overriding the default; for helm runs "
                              "TASK=STAT[,SPLIT]. A task without it is left out. Repeatable")
    reading.add_argument("--keep-groups", action="store_true",
                         help="lm-eval: keep group averages (mmlu, mmlu_stem...) and their "
                              "subtasks, each as a task of its own")
    reading.add_argument("--subtasks", action="store_true",
                         help="lm-eval: keep a group's subtasks (MMLU's 57 subjects) instead "
                              "of the group's own score (by default one column: mmlu)")
    reading.add_argument("--revision-in-name", action="store_true",
                         help="lm-eval: name models ID@REVISION when a revision other than "
                              "main is given, so revisions stay apart")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="SCORES.csv", default="-",
                     help="where to write the scores (default: standard output)")
    out.add_argument("--long", action="store_true",
                     help="write columns model, task, score instead of a wide table")
    out.add_argument("--model-factors-out", metavar="F.csv",
                     help="also write the model factors (first column 'model')")
    out.add_argument("--task-factors-out", metavar="T.csv",
                     help="also write the task factors (first column 'task')")
    add_force_argument(out)
    out.add_argument("-v", "--verbose", action="store_true",
                     help="print every note (each conflict, fallback, skipped file...)")
    parser.set_defaults(func=run_import)


def _options(args):
    given = {"metrics": dict(args.metric), "keep_groups": args.keep_groups,
             "subtasks": args.subtasks,
             "revision_in_name": args.revision_in_name}
    options = {}
    for option, value in given.items():
        if not value:
            continue
        flag, formats = _FORMAT_OPTIONS[option]
        if args.format not in formats:
            raise ScorecastError(f"{flag} applies to {' and '.join(formats)}, not "
                                 f"{args.format}")
        options[option] = value
    return options


def factor_frame(table, what):
    """The model (task) factors as written to a file: booleans as yes/no."""
    frame = (table.model_factors if what == "model" else table.task_factors).copy()
    kinds = table.model_factor_kinds if what == "model" else table.task_factor_kinds
    for column, kind in kinds.items():
        if kind == "boolean":
            frame[column] = frame[column].map({1.0: "yes", 0.0: "no"})
    frame.index.name = what
    return frame


def run_import(args):
    options = _options(args)
    outputs = Outputs(args, args.paths)
    for path, option in ((args.output, "-o"), (args.model_factors_out, "--model-factors-out"),
                         (args.task_factors_out, "--task-factors-out")):
        outputs.claim(path, option)
    table, report = importers.import_with_report(args.format, args.paths, **options)
    _messages.release()
    with outputs:
        if args.long:
            outputs.table(table.to_long(), args.output, index=False, float_format=FLOAT_FORMAT)
        else:
            wide = table.to_wide()
            wide.index.name, wide.columns.name = "model", None
            outputs.table(wide, args.output, index=True, float_format=FLOAT_FORMAT)
        for what, path in (("model", args.model_factors_out), ("task", args.task_factors_out)):
            if path:
                outputs.csv(factor_frame(table, what), path, index=True,
                            float_format=FLOAT_FORMAT)
    if args.verbose:
        for line in table.problems:
            print(f"scorecast: {line}", file=sys.stderr)
    print(f"scorecast: {report.summary(table)}", file=sys.stderr)
    lower = table.tasks[~table.task_info["higher_is_better"].to_numpy(dtype=bool)]
    if len(lower):
        # A CSV cannot carry the direction: say how to give it back to the other commands.
        print(f"scorecast: lower is better on {quote_names(lower)}: pass --lower-is-better "
              "TASK for each to the other commands", file=sys.stderr)
    declared = table.task_info[table.task_info["range_source"] == "declared"]
    scales = declared.groupby(["lower", "upper"]).size()
    if len(scales) > 1:
        # Other commands infer one range for a whole CSV: say that these differ.
        shown = ", ".join(f"{low:g} to {high:g} on {n} task(s)"
                          for (low, high), n in scales.items())
        print(f"scorecast: the tasks have different score ranges ({shown}); the CSV does not "
              "keep them", file=sys.stderr)
    if args.output not in (None, "-"):
        print(f"scorecast: wrote {args.output}", file=sys.stderr)
    return 0
