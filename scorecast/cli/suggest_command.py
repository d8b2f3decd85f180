"""``scorecast suggest``: which evaluation to run next."""

import argparse
import sys

import pandas as pd

from ..errors import ScorecastError
from ..suggest import suggest_models, suggest_tasks
from . import _given
from ._options import add_table_arguments, key_values, positive_int
from ._outputs import add_force_argument
from .predict_commands import add_method_arguments, check_new, fit, prepare

_EPILOG = """How the gain is computed: a model's scores are treated as jointly Gaussian in
per-task standard units, with the task-by-task covariance (Ledoit-Wolf) of the table
completed by the method. Evaluating a task shrinks the variance of every other missing
task of the model by Cov(u, t | known)^2 / Var(t | known), times the task's spread
squared in score points; the gain is that reduction summed over the other missing tasks.
Ranked by gain per unit of cost; with --budget, tasks are picked greedily, each given the
ones picked before. With --task, models are ranked the same way for one task."""


def add_commands(commands):
    """Register ``suggest`` on the top-level sub-parsers."""
    parser = commands.add_parser(
        "suggest", help="which evaluation to run next (expected variance reduction per cost)",
        description="Rank the tasks a model has not been evaluated on by how much evaluating "
                    "each would reduce the uncertainty of its other missing scores, per unit "
                    "of cost (or, with --task, the models not evaluated on a task).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_table_arguments(parser, dataset=True)
    add_method_arguments(parser, interval=False)
    what = parser.add_argument_group("what to suggest for (one of)")
    which = what.add_mutually_exclusive_group(required=True)
    which.add_argument("--model", metavar="NAME", help="a model of the table")
    which.add_argument("--task", metavar="NAME", help="a task of the table: rank models")
    which.add_argument("--new-model", metavar="NAME",
                       help="a model that is not in the table, known by --known")
    what.add_argument("--known", type=key_values, action="append", default=[],
                      metavar="TASK=SCORE,...", help="known scores of the new model")
    what.add_argument("--factor", type=key_values, action="append", default=[],
                      metavar="FACTOR=VALUE,...",
                      help="factors of the new model (checked, but they do not change which "
                           "evaluation teaches most)")
    plan = parser.add_argument_group("budget")
    plan.add_argument("--budget", type=positive_int, metavar="K",
                      help="pick K evaluations greedily (default: rank every candidate by "
                           "its own gain)")
    plan.add_argument("--cost", type=key_values, action="append", default=[],
                      metavar="NAME=COST,...",
                      help="cost of evaluating each task (model with --task), e.g. GPU hours; "
                           "1 when not given; a cost of one already evaluated is not used "
                           "(and said)")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="OUT.csv",
                     help="also write the ranking as CSV (columns as printed)")
    add_force_argument(out)
    parser.set_defaults(func=run_suggest)


def _subject(args, table):
    """What the suggestion is for, checked against the table before any fitting.

    Returns ``(label, candidates' kind, names a cost may be given for, those already
    evaluated, known scores of a new model)``.
    """
    if (args.task or args.model) and (args.known or args.factor):
        raise ScorecastError("--known and --factor describe a --new-model")
    if args.task:
        if args.task not in table.tasks:
            raise ScorecastError(f"no task named {args.task!r} in {table.name}")
        scored = set(table.models[table.scores[args.task].notna().to_numpy()])
        return f"task {args.task!r}", "model", table.models, scored, None
    if args.model:
        if args.model not in table.models:
            raise ScorecastError(f"no model named {args.model!r} in {table.name}; use "
                                 "--new-model for one that is not")
        scored = set(table.tasks[table.scores.loc[args.model].notna().to_numpy()])
        return f"model {args.model!r}", "task", table.tasks, scored, None
    known, _ = check_new(args, table, "suggest (factors do not change which evaluation "
                                      "teaches most)", "model")
    return f"new model {args.new_model!r}", "task", table.tasks, set(known), known


def run_suggest(args):
    predictor, table, outputs = prepare(args, [(args.output, "-o")])
    subject, what, names, evaluated, known = _subject(args, table)
    cost = _given.costs(args.cost, names, evaluated, what, subject)
    fit(args, table, predictor)
    if args.task:
        result = suggest_models(predictor, args.task, cost=cost, budget=args.budget)
    elif args.model:
        result = suggest_tasks(predictor, model=args.model, cost=cost, budget=args.budget)
    else:
        result = suggest_tasks(predictor, known=list(known), cost=cost, budget=args.budget)
    if args.budget and args.budget > len(result):
        print(f"scorecast: warning: --budget {args.budget}, but only {len(result)} {what}s are "
              "left to evaluate: all are picked", file=sys.stderr)
    _print(result, subject, f"{what}s", args)
    if args.output:
        with outputs:
            outputs.csv(result, args.output, index=False, float_format="%.6g")
    return 0


def _print(result, subject, what, args):
    how = f"{args.budget} picked greedily" if args.budget else "each on its own"
    print(f"{subject}: {len(result)} {what} to evaluate, {how} (method {args.method})")
    print("gain: expected reduction of the summed variance of the other missing scores "
          "(score points squared); sd: the candidate's own standard deviation now")
    shown = result.rename(columns={"gain_per_cost": "gain/cost",
                                   "remaining_variance": "variance left"})
    shown.index = pd.RangeIndex(1, len(shown) + 1)
    print(shown.to_string(float_format=lambda v: f"{v:.2f}"))
