"""``scorecast report``: one self-contained HTML page about a score table."""

import argparse
import shlex
import sys

from tqdm.auto import tqdm

from ..report import REPORT_STAGES, build_report
from . import _messages
from ._options import add_table_arguments, fraction, non_negative_int
from ._outputs import add_force_argument
from .predict_commands import add_method_arguments, prepare

_EPILOG = """The page (no network access when opened: styles, script, data and figures
are inline) shows: the models x tasks heatmap of observed and predicted scores (hover
for the score, its interval and any fallback reason); the leaderboard with intervals;
a held-out check of the method against mean and mf, with the intervals' coverage; what
to evaluate next for the least certain models; the factors' importance (--importance);
the data's provenance and the problems 'scorecast show' reports."""


def add_commands(commands):
    """Register ``report`` on the top-level sub-parsers."""
    parser = commands.add_parser(
        "report", help="write a self-contained HTML report of a table",
        description="Complete a score table and write one HTML page a person can open "
                    "offline: the table at a glance, a leaderboard, how good the predictions "
                    "are on this table, and what to evaluate next.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_table_arguments(parser, dataset=True)
    add_method_arguments(parser, interval=False)
    what = parser.add_argument_group("what the page shows")
    what.add_argument("--tasks", action="append", default=[], metavar="A,B,...",
                      help="the tasks the leaderboard averages (default: all); a value that "
                           "is one task's name is taken whole, else split at commas")
    what.add_argument("--level", type=fraction, default=0.9, metavar="LEVEL",
                      help="level of the intervals (default: 0.9)")
    what.add_argument("--holdout", type=fraction, default=0.1, metavar="SHARE",
                      help="share of the observed scores the held-out check hides "
                           "(default: 0.1)")
    what.add_argument("--suggest", type=non_negative_int, default=5, metavar="N",
                      help="models (widest intervals first) to suggest evaluations for "
                           "(default: 5)")
    what.add_argument("--importance", action="store_true",
                      help="also measure the factors' importance (ncf-factors, 3 seeds; "
                           "tens of seconds)")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", required=True, metavar="REPORT.html",
                     help="the page to write")
    add_force_argument(out)
    parser.set_defaults(func=run_report)


def _tasks(values, table):
    names = []
    for value in values:
        names += [value] if value in table.tasks else \
            [t.strip() for t in value.split(",") if t.strip()]
    return names


def _command(args):
    """The command line, as the page shows it (the options that change what it shows)."""
    words = ["scorecast", "report"]
    words += ["--dataset", args.dataset] if args.dataset else [args.scores]
    words += ["--method", args.method] + [f"--param={n}={v}" for n, v in args.param]
    for option in ("seed", "level", "holdout"):
        default = {"seed": 0, "level": 0.9, "holdout": 0.1}[option]
        if getattr(args, option) != default:
            words += [f"--{option}", f"{getattr(args, option):g}"]
    words += [f"--tasks={t}" for t in args.tasks] + ["--importance"] * args.importance
    return shlex.join(words)


def run_report(args):
    predictor, table, outputs = prepare(args, [(args.output, "-o")])
    params = predictor.get_params()
    given = {name for name, _ in args.param}
    params = {name: value for name, value in params.items() if name in given}
    tasks = _tasks(args.tasks, table)
    _messages.release()
    stages = [s for s in REPORT_STAGES if s != "importance" or args.importance]
    with tqdm(total=len(stages), desc="report", unit="stage", leave=False,
              disable=None) as bar:
        def progress(stage):
            if bar.n or stage != stages[0]:
                bar.update()
            bar.set_postfix_str(stage)

        report = build_report(table, method=args.method, params=params, tasks=tasks,
                              level=args.level, holdout=args.holdout, n_suggest=args.suggest,
                              importance=args.importance, random_state=args.seed,
                              progress=progress,
                              command=_command(args))
        page = report.html()
        bar.update()
    with outputs:
        with open(outputs.path(args.output), "w", encoding="utf-8") as handle:
            handle.write(page)
    size = len(page.encode("utf-8"))
    print(f"scorecast: wrote {args.output}: {table.shape[0]} models x {table.shape[1]} tasks, "
          f"{size / 1e6:.2f} MB, {report.content['seconds']:.0f} s; open it in a browser",
          file=sys.stderr)
    return 0
