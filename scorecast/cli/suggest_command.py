"""``scorecast suggest``: which evaluation to run next."""

import argparse
import sys

import pandas as pd

from ..errors import ScorecastError
from ..selection import PREDICTABILITY_COLUMNS, select_tasks, task_predictability
from ..suggest import suggest_models, suggest_tasks
from . import _given
from ._options import add_table_arguments, key_values, name_list, positive_int, positive_number
from ._outputs import add_force_argument
from .predict_commands import add_method_arguments, check_new, fit, prepare

_EPILOG = """How the gain is computed: a model's scores are treated as jointly Gaussian in
per-task standard units, with the task-by-task covariance (Ledoit-Wolf) of the table
completed by the method. Evaluating a task shrinks the variance of every other missing
task of the model by Cov(u, t | known)^2 / Var(t | known), times the task's spread
squared in score points; the gain is that reduction summed over the other missing tasks.
Ranked by gain per unit of cost; with --budget, tasks are picked greedily, each given the
ones picked before. With --task, models are ranked the same way for one task.

--subset K asks a table-wide question: which K tasks, run on every new model, predict
its other tasks best. The models are split into 5 folds; the method is fitted without
each fold, and each held-out model is folded in from its scores on a candidate set (and
its factors) and judged on its other scores. The set grows greedily (per unit of cost
with --cost), with a swap pass after each step, beside 20 random sets of each size.
A held-out model not run on the whole set is folded in from the part it has (coverage).
See docs/subset.md."""


def add_commands(commands):
    """Register ``suggest`` on the top-level sub-parsers."""
    parser = commands.add_parser(
        "suggest", help="which evaluation to run next (expected variance reduction per cost)",
        description="Rank the tasks a model has not been evaluated on by how much evaluating "
                    "each would reduce the uncertainty of its other missing scores, per unit "
                    "of cost (or, with --task, the models not evaluated on a task); with --subset K, "
                    "which K tasks to run on every new model so that the others are "
                    "predicted best.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_table_arguments(parser, dataset=True)
    add_method_arguments(parser, interval=False)
    what = parser.add_argument_group("what to suggest for (one of)")
    which = what.add_mutually_exclusive_group(required=True)
    which.add_argument("--model", metavar="NAME", help="a model of the table")
    which.add_argument("--task", metavar="NAME", help="a task of the table: rank models")
    which.add_argument("--new-model", metavar="NAME",
                       help="a model that is not in the table, known by --known")
    which.add_argument("--subset", type=positive_int, metavar="K",
                       help="table-wide: the K tasks to run on every new model so that its "
                            "other tasks are predicted best (sizes 1 to K, see below)")
    what.add_argument("--known", type=key_values, action="append", default=[],
                      metavar="TASK=SCORE,...", help="known scores of the new model")
    what.add_argument("--factor", type=key_values, action="append", default=[],
                      metavar="FACTOR=VALUE,...",
                      help="factors of the new model (checked, but they do not change which "
                           "evaluation teaches most)")
    plan = parser.add_argument_group("budget")
    plan.add_argument("--budget", type=positive_number, metavar="K",
                      help="pick K evaluations greedily (default: rank every candidate by "
                           "its own gain); with --subset: the most the added tasks may cost "
                           "in all (units of --cost; each task costs 1 when not given)")
    plan.add_argument("--cost", type=key_values, action="append", default=[],
                      metavar="NAME=COST,...",
                      help="cost of evaluating each task (model with --task), e.g. GPU hours; "
                           "1 when not given; a cost of one already evaluated is not used "
                           "(and said)")
    for option, text in (("--must", "tasks already run on every model, always in the set and "
                                    "not counted in the budget"),
                         ("--targets", "only these tasks need to be predicted (they are then "
                                       "not candidates)")):
        plan.add_argument(option, type=name_list, action="append", default=[],
                          metavar="TASKS", help=f"--subset: {text} (comma-separated; quote a "
                                                "name holding ',')")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="OUT.csv",
                     help="also write the ranking as CSV (columns as printed; with --subset: "
                          "k, added, tasks, mae, median_ae, mae_sd, random_mae, gain, cost, "
                          "n_models, coverage)")
    add_force_argument(out)
    parser.set_defaults(func=run_suggest)

    predictability = commands.add_parser(
        "predictability", help="how well each task is predicted from a model's other scores",
        description="For each task, the error of predicting a model's score on it from the "
                    "model's other scores (the model held out of the fit, 5 folds), the "
                    "correlation of those predictions with the truth and of the task with the "
                    "model's other tasks, and how many models support it. Least predictable "
                    "first: those measure a skill of their own and are worth running; the "
                    "last ones can be skipped and predicted.")
    add_table_arguments(predictability, dataset=True)
    add_method_arguments(predictability, interval=False)
    out = predictability.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="OUT.csv",
                     help="also write the table as CSV (columns " +
                          ", ".join(PREDICTABILITY_COLUMNS) + ")")
    add_force_argument(out)
    predictability.set_defaults(func=run_predictability)


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
    if args.subset is None and (args.must or args.targets):
        raise ScorecastError("--must and --targets go with --subset")
    if args.subset is None and args.budget is not None and args.budget != int(args.budget):
        raise ScorecastError(f"--budget {args.budget:g}: without --subset it counts evaluations, "
                             "a whole number of 1 or more")
    if args.subset is not None:
        return _run_subset(args)
    args.budget = None if args.budget is None else int(args.budget)
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
            outputs.table(result, args.output, index=False, float_format="%.6g")
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


def _names(groups, table, option):
    names = list(dict.fromkeys(name for group in groups for name in group))
    _given._unknown(names, table.tasks, "task", option)
    return names


def _run_subset(args):
    predictor, table, outputs = prepare(args, [(args.output, "-o")])
    if args.known or args.factor:
        raise ScorecastError("--known and --factor describe a --new-model, not --subset")
    must = _names(args.must, table, "--must")
    targets = _names(args.targets, table, "--targets") or None
    both = sorted(set(must) & set(targets or ()))
    if both:
        raise ScorecastError(f"--must and --targets both name {both[0]!r}: a task already run "
                             "needs no prediction")
    if args.subset <= len(must):
        raise ScorecastError(f"--subset {args.subset}: the set must be larger than the "
                             f"{len(must)} task(s) of --must (valid: {len(must) + 1} or more)")
    if args.subset > len(table.tasks):
        raise ScorecastError(f"--subset {args.subset}: the table has {len(table.tasks)} tasks "
                             f"(valid: 1 to {len(table.tasks) - 1})")
    cost = _given.costs(args.cost, table.tasks, set(must), "task", "--must")
    result = select_tasks(table, args.subset, predictor, cost=cost, budget=args.budget,
                          must=must, targets=targets, random_state=args.seed, progress=True)
    _print_subset(result, table, args, must, targets)
    if args.output:
        with outputs:
            outputs.table(result, args.output, index=False, float_format="%.6g")
    return 0


def _print_subset(result, table, args, must, targets):
    what = f"predicting {len(targets) if targets else 'all other'} task(s)"
    print(f"{table.name}: the tasks to run on every new model, {what} (method {args.method}, "
          f"seed {args.seed}; {result['n_models'].max()} held-out models in 5 folds)")
    print("mae, median_ae: mean and median over held-out models of each one's mean absolute "
          "error on its other scores (score units); sd: their spread; random: median of 20 "
          "random sets of the size; coverage: share of the set the held-out models had")
    shown = result[["k", "added", "mae", "median_ae", "mae_sd", "random_mae", "gain", "cost",
                    "coverage"]].rename(columns={"mae_sd": "sd", "random_mae": "random"})
    shown = shown.assign(gain=[f"{100 * g:.0f}%" if pd.notna(g) else "" for g in shown["gain"]],
                         coverage=[f"{100 * c:.0f}%" for c in shown["coverage"]])
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    last = result.iloc[-1]
    print(f"set of {last['k']}: {last['tasks'].replace(';', ', ')}")
    if len(result) < args.subset - len(must) + bool(must):
        print(f"scorecast: warning: stopped at {last['k']} tasks: nothing else fits the budget "
              f"{args.budget:g}", file=sys.stderr)


def run_predictability(args):
    predictor, table, outputs = prepare(args, [(args.output, "-o")])
    result = task_predictability(table, predictor, random_state=args.seed, progress=True)
    print(f"{table.name}: how well each task is predicted from a held-out model's other scores "
          f"(method {args.method}, seed {args.seed}), least predictable first")
    print("mae: score units; relative: mae / the task's spread (near 0: the other tasks give it "
          "away; 0.8 or more: no better than its mean); correlation: predicted with true; "
          "corr_rest: with the model's mean standardised score on its other tasks")
    shown = result.rename(columns={"relative_error": "relative", "n_models": "models",
                                   "n_predicted": "predicted"})
    shown.index = pd.RangeIndex(1, len(shown) + 1)
    print(shown.to_string(float_format=lambda v: f"{v:.3g}", na_rep="-"))
    if args.output:
        with outputs:
            outputs.table(result, args.output, index=False, float_format="%.6g")
    return 0
