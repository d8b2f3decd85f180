"""``scorecast complete``, ``scorecast predict`` and ``scorecast methods``."""

import os
import sys

import numpy as np
import pandas as pd

from .._progress import progress
from ..errors import ScorecastError, quote_names
from ..importers import import_scores
from ..importers.registry import load_registry, match_scores
from ..plotting import profile_figure
from ..predictors import describe_methods, make_predictor
from ..predictors._registry import param_value, seeded
from ..predictors.portfolio import describe_portfolio
from ..table import ScoreMatrix
from . import _given, _messages
from ._options import (
    add_parallel_arguments,
    add_table_arguments,
    fraction,
    key_value,
    key_values,
    non_negative_int,
    read_table,
    table_inputs,
)
from ._outputs import Outputs, add_force_argument
from ._plots import add_plot_argument, claim_plot, write_plot

DEFAULT_METHOD = "auto"
# Six significant digits: more than any benchmark reports, far fewer than float noise.
FLOAT_FORMAT = "%.6g"


def add_method_arguments(parser, interval=True):
    group = parser.add_argument_group("prediction method")
    group.add_argument("--method", default=DEFAULT_METHOD, metavar="NAME",
                       help=f"prediction method (default: {DEFAULT_METHOD}; "
                            "'scorecast methods' lists them)")
    group.add_argument("--param", type=key_value, action="append", default=[],
                       metavar="NAME=VALUE",
                       help="a parameter of the method, e.g. --param rank=2 (repeatable)")
    group.add_argument("--seed", type=non_negative_int, default=0,
                       help="random seed, 0 or more (default: 0)")
    add_parallel_arguments(group, "auto's cross-validation and the intervals' calibration "
                                  "(started only when the work is worth it)")
    if not interval:
        return
    group.add_argument("--interval", type=fraction, metavar="LEVEL",
                       help="also give a central interval at this level, e.g. 0.9 (calibrated "
                            "by refitting the method a few times on the table with scores "
                            "hidden; see docs/formats.md)")


def build_predictor(args):
    """The predictor the options ask for: method and parameters checked, nothing fitted."""
    params = {name: param_value(text) for name, text in _given.pairs([args.param],
                                                                      "--param").items()}
    predictor = make_predictor(args.method, **params)
    if args.jobs and "n_jobs" not in params and "n_jobs" in predictor.get_params():
        predictor.set_params(n_jobs=args.jobs)
    return seeded(predictor, args.seed, verbose=True)


def prepare(args, outputs=()):
    """Check the method, its parameters and the output paths, then read the table.

    Everything the options name is checked here, before any fitting.

    Parameters
    ----------
    outputs : list of (path, option)
        The files the command will write.

    Returns
    -------
    predictor : ScorePredictor
        Not fitted yet.
    table : ScoreMatrix
    outputs : Outputs
    """
    predictor = build_predictor(args)
    files = Outputs(args, table_inputs(args))
    for path, option in outputs:
        files.claim(path, option)
    claim_plot(args, files)
    return predictor, read_table(args, on_empty="keep"), files


def add_commands(commands):
    """Register the prediction commands on the top-level sub-parsers."""
    complete = commands.add_parser(
        "complete", help="fill every missing score of a table",
        description="Predict every missing score of a score table and write the completed "
                    "table: wide (same model and task order as the input, first column the "
                    "model names) or, with --long, one row per cell with columns model, task, "
                    "score, observed.")
    add_table_arguments(complete, dataset=True)
    add_method_arguments(complete)
    out = complete.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="OUT.csv", default="-",
                     help="where to write the completed table (default: standard output); "
                          "JSON records if the name ends in .json, else CSV")
    out.add_argument("--long", action="store_true",
                     help="write columns model, task, score, observed instead of a wide table")
    out.add_argument("--save-predictor", metavar="FILE",
                     help="also save the fitted predictor (reload with "
                          "scorecast.load_predictor)")
    add_plot_argument(out, "one model's profile: its observed and predicted scores (with "
                           "--interval, their intervals)")
    out.add_argument("--plot-model", metavar="NAME",
                     help="the model --plot draws (default: the table's first model)")
    add_force_argument(out)
    complete.set_defaults(func=run_complete)

    predict = commands.add_parser(
        "predict", help="predict one model (or task), known or new",
        description="Predict one model's score on every task (or every model's score on one "
                    "task). The model may be in the table (--model) or new (--new-model, known "
                    "by a few scores and/or its factors); likewise tasks.")
    add_table_arguments(predict, dataset=True)
    add_method_arguments(predict)
    what = predict.add_argument_group("what to predict (one of)")
    which = what.add_mutually_exclusive_group(required=True)
    which.add_argument("--model", metavar="NAME", help="a model of the table")
    which.add_argument("--task", metavar="NAME", help="a task of the table")
    which.add_argument("--new-model", metavar="NAME", help="a model that is not in the table")
    which.add_argument("--new-task", metavar="NAME", help="a task that is not in the table")
    what.add_argument("--known", type=key_values, action="append", default=[],
                      metavar="NAME=SCORE,...",
                      help="known scores of the new model (TASK=SCORE) or new task "
                           "(MODEL=SCORE); repeatable; quote a name holding '=' or ',': "
                           "'\"acc, 5-shot\"=63'")
    what.add_argument("--known-from", nargs="+", action="extend", default=[], metavar="PATH",
                      help="the new model's evaluation outputs: lm-evaluation-harness results "
                           "(files or folders) or a score CSV of the one model; each score is "
                           "matched to the table's task of the same benchmark (the benchmark "
                           "registry), its scale converted, and every match and difference "
                           "printed; --known overrides")
    what.add_argument("--task-map", metavar="FILE",
                      help="more benchmark aliases for --known-from (a JSON file shaped as "
                           "scorecast/importers/benchmarks.json)")
    what.add_argument("--factor", type=key_values, action="append", default=[],
                      metavar="FACTOR=VALUE,...",
                      help="factors of the new model or task, e.g. 'Parameter Size(M)=8000'; "
                           "repeatable; checked even when the method does not use factors")
    out = predict.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="OUT.csv",
                     help="also write the predictions: JSON records if the name ends in "
                          ".json, else CSV")
    add_plot_argument(out, "the predictions: observed and predicted scores (with --interval, "
                           "their intervals)")
    add_force_argument(out)
    predict.set_defaults(func=run_predict)

    methods = commands.add_parser("methods", help="list the prediction methods",
                                  description="List the prediction methods, one line each.")
    methods.set_defaults(func=run_methods)


def _fit(args, table, predictor=None):
    predictor = predictor or build_predictor(args)
    predictor.fit(table)
    note = getattr(predictor, "report_", None)
    if note:
        print(f"scorecast: {note}", file=sys.stderr)
    return predictor


def _report_unscored(table, predictor):
    """Say which models (tasks) without a score are predicted from their factors alone.

    The others (no factors, or a method that does not use them) get the method's
    fallback; fitting says which in a warning.
    """
    if not predictor.uses_factors:
        return
    for what, names, factors in (
            ("model", table.models[~table.observed.any(axis=1)], table.model_factors),
            ("task", table.tasks[~table.observed.any(axis=0)], table.task_factors)):
        described = [n for n in names if not factors.loc[n].isna().all()]
        if described:
            print(f"scorecast: {len(described)} {what}(s) with no score, predicted from their "
                  f"factors alone: {quote_names(described)}", file=sys.stderr)


def fit(args, table, predictor):
    """Fit the predictor (and calibrate its intervals when --interval is given)."""
    _messages.release()  # the input is checked: say what was read in an unusual way
    _report_unscored(table, predictor)
    predictor = _fit(args, table, predictor)
    if getattr(args, "interval", None):
        _calibrate(predictor, args.jobs or None)
    return predictor


def run_complete(args):
    if args.interval and not args.long:
        raise ScorecastError("--interval writes one row per cell: add --long")
    predictor, table, outputs = prepare(args, [(args.output, "-o"),
                                               (args.save_predictor, "--save-predictor")])
    plot_model = _plot_model(args, table)
    fit(args, table, predictor)
    index = False
    if args.interval:
        frame = predictor.complete(interval=args.interval)
        frame = frame[["model", "task", "score", "lower", "upper", "observed"]]
    elif args.long:
        frame = predictor.complete().stack(future_stack=True).reset_index()
        frame.columns = ["model", "task", "score"]
        frame["observed"] = table.observed.ravel()
    else:
        frame, index = predictor.complete(), True
        frame.index.name = "model"
    with outputs:  # every file, or none: they replace their targets only when all are done
        outputs.table(frame, args.output, index=index, float_format=FLOAT_FORMAT)
        if args.save_predictor:
            predictor.save(outputs.path(args.save_predictor))
    if args.output not in (None, "-"):
        missing = int((~table.observed).sum())
        print(f"scorecast: wrote {args.output}: {table.shape[0]} models x {table.shape[1]} "
              f"tasks, {missing} predicted cells ({args.method})", file=sys.stderr)
    write_plot(args, outputs, lambda: profile_figure(
        _known_row(args, table, predictor, plot_model)[0],
        f"{plot_model!r}: observed and predicted scores ({args.method})"))
    return 0


def _plot_model(args, table):
    """The model `complete --plot` draws: --plot-model, checked, else the first one."""
    if args.plot_model is not None and args.plot_model not in table.models:
        raise ScorecastError(f"--plot-model: no model named {args.plot_model!r} in {table.name}")
    return args.plot_model if args.plot_model is not None else table.models[0]


def _calibrate(predictor, n_jobs=None):
    """Calibrate the intervals with a progress bar (it refits the method several times)."""
    with progress(desc="calibrating intervals", unit="refit") as bar:
        predictor.calibrate(progress=bar.update, n_jobs=n_jobs)


def _check_target(args, table):
    """The --model or --task of `predict` must be in the table."""
    if args.known or args.factor:
        raise ScorecastError("--known and --factor describe a --new-model or --new-task")
    name = args.model or args.task
    names = table.models if args.model else table.tasks
    if name not in names:
        other = table.tasks if args.model else table.models
        hint = f" ({name!r} is a {'task' if args.model else 'model'}; is the table " \
               "transposed?)" if name in other else ""
        raise ScorecastError(f"no {'model' if args.model else 'task'} named {name!r} in "
                             f"{table.name}{hint}; use --new-"
                             f"{'model' if args.model else 'task'} for one that is not")


def check_new(args, table, unused_by, what):
    """A --new-model (``what="model"``) or --new-task: a new name, its known scores and factors.

    `unused_by` names who will not use the factors (None: they are used).

    Returns
    -------
    known : dict of str to float
    factors : dict of str to str
    """
    name = args.new_model if what == "model" else args.new_task
    names = table.models if what == "model" else table.tasks
    if name in names:
        raise ScorecastError(f"{name!r} is already a {what} of {table.name}; use --{what}")
    known = _given.known_scores(args.known, table, "task" if what == "model" else "model")
    if getattr(args, "known_from", None):
        if what != "model":
            raise ScorecastError("--known-from gives a --new-model's scores")
        known = {**_known_from(args, table), **known}
    factors = _given.factor_values(args.factor, table, what, name, unused_by)
    return known, factors


def _read_outputs(paths):
    """One model's scores from evaluation outputs, and the few-shot count of each."""
    if all(str(p).lower().endswith(".csv") and os.path.isfile(p) for p in paths):
        long = pd.concat([ScoreMatrix.from_csv(p).to_long() for p in paths])
        twice = long[long.duplicated(["model", "task"])]
        if len(twice):
            raise ScorecastError(f"--known-from: {twice['task'].iloc[0]!r} of "
                                 f"{twice['model'].iloc[0]!r} is in more than one file")
        return long.pivot(index="model", columns="task", values="score"), {}
    table = import_scores("lm-eval", paths)
    shots = {}
    if "n_shot" in table.task_factors:
        shots = table.task_factors["n_shot"].dropna().to_dict()
    return table.scores, shots


def _known_from(args, table):
    """--known-from: the files' scores matched to `table`'s tasks, what matched printed."""
    registry = load_registry(args.task_map)
    scores, shots = _read_outputs(args.known_from)
    if len(scores) != 1:
        raise ScorecastError(f"--known-from: {len(scores)} models in "
                             f"{' '.join(map(str, args.known_from))} "
                             f"({quote_names(list(scores.index)[:5])}); give one model's "
                             "results")
    given = scores.iloc[0].dropna().to_dict()
    match = match_scores(given, table, shots=shots, registry=registry)
    print(f"scorecast: --known-from: {len(match.known)} of {len(given)} score(s) of "
          f"{scores.index[0]!r} matched to {table.name}", file=sys.stderr)
    for line in match.matched:
        print(f"scorecast:   matched {line}", file=sys.stderr)
    for line in match.unmatched:
        print(f"scorecast:   not matched: {line}", file=sys.stderr)
    if not match.known:
        raise ScorecastError(f"--known-from: no score matches a task of {table.name}")
    return match.known


def _known_row(args, table, predictor, model=None):
    name = model or args.model or args.task
    if model or args.model:
        details = predictor.predict_details(name, list(table.tasks), interval=args.interval)
        details = details.set_index("task")
    else:
        details = predictor.predict_details(list(table.models), name,
                                            interval=args.interval).set_index("model")
    observed = details["observed"].to_numpy()
    observed_values = (table.scores.loc[name] if model or args.model
                       else table.scores[name]).to_numpy()
    for column in ("score", "lower", "upper") if args.interval else ("score",):
        details[column] = np.where(observed, observed_values, details[column])
    result = details[["score", "observed", "fallback", "reason"]
                     + (["lower", "upper"] if args.interval else [])]
    return result, f"{'model' if model or args.model else 'task'} {name!r}"


def run_predict(args):
    predictor, table, outputs = prepare(args, [(args.output, "-o")])
    if args.model or args.task:
        _check_target(args, table)
    else:
        unused_by = None if predictor.uses_factors else f"method {args.method!r}"
        known, factors = check_new(args, table, unused_by, "model" if args.new_model else "task")
    fit(args, table, predictor)
    if args.model or args.task:
        result, title = _known_row(args, table, predictor)
    elif args.new_model:
        result = predictor.predict_new_model(known=known, factors=factors,
                                             interval=args.interval)
        title = f"new model {args.new_model!r}"
    else:
        result = predictor.predict_new_task(known=known, factors=factors,
                                            interval=args.interval)
        title = f"new task {args.new_task!r}"
    _print_prediction(result, title, args.method, args.interval)
    if args.output:
        with outputs:
            outputs.table(result, args.output, index=True, float_format=FLOAT_FORMAT)
    write_plot(args, outputs, lambda: profile_figure(
        result, f"{title}: observed and predicted scores ({args.method})",
        "model" if args.task or args.new_task else "task"))
    return 0


def _print_prediction(result, title, method, interval=None):
    level = f"; {100 * interval:g}% interval" if interval else ""
    print(f"{title}, predicted by {method} (* = observed score{level})")
    width = max(len(str(n)) for n in result.index)
    for name, row in result.iterrows():
        mark = "*" if row["observed"] else " "
        bounds = f"  [{row['lower']:.2f}, {row['upper']:.2f}]" \
            if interval and not row["observed"] else ""
        note = f"  fallback: {row['reason']}" if row["fallback"] else ""
        print(f"  {str(name):<{width}}  {row['score']:9.2f} {mark}{bounds}{note}")


def run_methods(args):
    rows = describe_methods()
    width = max(len(name) for name, _ in rows)
    for name, line in rows:
        print(f"{name:<{width}}  {line}")
    print(f"\ndefault: {DEFAULT_METHOD}")
    print("\nauto cross-validates and blends the members of its portfolio for the kind of "
          "table (chosen\noffline on a corpus of tables by benchmarks/portfolio.py; "
          "--param preset=best tries the\nwhole pool of about 50 candidates instead, "
          "10-100 times slower):")
    kinds = describe_portfolio()
    width = max(len(kind) for kind, _ in kinds)
    for kind, members in kinds:
        print(f"  {kind:<{width}}  {members}")
    return 0


