"""``scorecast importance``: which model and task factors a factor-aware network relies on."""

import argparse
import sys

from .. import datasets
from ..importance import MASKINGS, SUPPORTED_METHODS, factor_importance
from ..plotting import check_plot_path, importance_figure, instances_figure, save_figure
from ..predictors import make_predictor
from ..predictors._registry import param_value
from . import _given, _messages
from ._options import (add_parallel_arguments, add_table_arguments, fraction, key_value,
                       non_negative_int, positive_int, read_table, table_inputs)
from ._outputs import Outputs, add_force_argument

DEFAULT_DATASET = "cpp-llm"

_EPILOG = """output (--output): one row per factor, most important first
  factor      the factor's name
  kind        model or task
  importance  mean over seeds of the factor's Shapley value in the game "validation
              loss with none of the factors of its kind present, minus the loss with
              these present"; the importances of one kind sum to v(none) - v(all)
  std         standard deviation over seeds (empty with one seed)
  se          only when a game had too many factors to enumerate (--exact-limit):
              the standard error of the sampled permutations
The loss is the mean squared error of the held-out cells' predicted scores, each
task's errors divided by its score range. --plot IMP.png also writes IMP-instances.png:
each held-out cell's Shapley values of its predicted score, in score units."""


def add_commands(commands):
    """Register ``importance`` on the top-level sub-parsers."""
    parser = commands.add_parser(
        "importance", help="Shapley values of the model and task factors (the paper's 5.3)",
        description="How much each model factor and task factor lowers the validation loss "
                    "of a factor-aware network: for each seed, hold out a share of the "
                    "scores, fit, then take factors away from the fitted network (without "
                    "refitting) and compute each factor's Shapley value (exact up to "
                    "--exact-limit factors). Runs on "
                    f"{DEFAULT_DATASET} unless --dataset or --data says otherwise.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_table_arguments(parser, dataset=True, data_option=True)
    game = parser.add_argument_group("games")
    game.add_argument("--method", default=SUPPORTED_METHODS[0], metavar="NAME",
                      help=f"a factor-aware network: {' or '.join(SUPPORTED_METHODS)} "
                           f"(default: {SUPPORTED_METHODS[0]})")
    game.add_argument("--param", type=key_value, action="append", default=[],
                      metavar="NAME=VALUE",
                      help="a parameter of the method, e.g. --param n_networks=1 (repeatable)")
    game.add_argument("--seeds", type=positive_int, default=5, metavar="N",
                      help="splits and fits (default: 5)")
    game.add_argument("--seed", type=non_negative_int, default=0, metavar="SEED",
                      help="random seed of the seeds, 0 or more (default: 0)")
    game.add_argument("--masking", choices=MASKINGS, default="zero",
                      help="an absent factor: zero (the paper's: encoded input 0, zero "
                           "embedding) or interventional (values of other models or tasks, "
                           "predictions averaged; --references times slower)")
    game.add_argument("--validation", type=fraction, default=0.1, metavar="SHARE",
                      help="share of the scores held out in each seed (default: 0.1)")
    game.add_argument("--references", type=positive_int, default=10, metavar="K",
                      help="references per held-out cell, interventional masking (default: 10)")
    game.add_argument("--exact-limit", type=non_negative_int, default=14, metavar="N",
                      help="enumerate every coalition of games of at most N factors "
                           "(default: 14), else sample --permutations orders")
    game.add_argument("--permutations", type=positive_int, default=256, metavar="N",
                      help="orders of the factors sampled in larger games (default: 256)")
    add_parallel_arguments(game, "seeds")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="IMP.csv",
                     help="write the table as CSV (columns: see below)")
    out.add_argument("--plot", metavar="IMP.png",
                     help="draw the importances as bars, and each held-out cell's values in "
                          "IMP-instances.png")
    add_force_argument(out)
    parser.set_defaults(func=run_importance_command)


def _plot_paths(path):
    """The bar chart's path and the per-instance figure's beside it, in a format matplotlib
    writes (checked before any fitting)."""
    path = check_plot_path(path)
    return [path, path.with_name(f"{path.stem}-instances{path.suffix}")]


def run_importance_command(args):
    if args.scores is None and args.dataset is None:
        args.dataset = DEFAULT_DATASET
    if args.dataset and args.dataset not in {d.name for d in datasets.list_datasets()}:
        datasets.load(args.dataset)  # raises the one-line "unknown dataset" error
    params = {name: param_value(text)
              for name, text in _given.pairs([args.param], "--param").items()}
    make_predictor(args.method, **params)  # the method's name and parameters, before any fit
    outputs = Outputs(args, table_inputs(args))
    outputs.claim(args.output, "-o")
    plots = _plot_paths(args.plot) if args.plot else []
    for path, option in zip(plots, ("--plot", "--plot (its -instances figure)")):
        outputs.claim(path, option)
    table = read_table(args)
    _messages.release()
    result = factor_importance(
        table, method=args.method, seeds=args.seeds, masking=args.masking,
        validation=args.validation, params=params, n_references=args.references,
        exact_limit=args.exact_limit, n_permutations=args.permutations,
        n_jobs=args.jobs or None, random_state=args.seed, progress=True)
    print(format_report(result))
    with outputs:
        if args.output:
            outputs.table(result.table, args.output, index=False, float_format="%.6g")
        for figure, path in zip((importance_figure(result), instances_figure(result)), plots):
            save_figure(figure, outputs.path(path), path.suffix.lstrip("."))
    if args.output:
        print(f"scorecast: wrote {args.output}: {len(result.table)} factors", file=sys.stderr)
    for path in plots:
        print(f"scorecast: wrote {path}", file=sys.stderr)
    return 0


def format_report(result):
    """A header line (method, masking, seeds, v(all), v(none)) and the sorted table."""
    seeds = len(result.seeds)
    none = ", ".join(f"{loss:.6f} ({kind} factors)" for kind, loss in result.loss_none.items())
    header = (f"{result.method}, {result.masking} masking, {seeds} seed{'s' * (seeds > 1)}; "
              f"validation MSE (errors / task range): v(all) = {result.loss_all:.6f}, "
              f"v(none) = {none}")
    body = result.table.to_string(index=False, float_format=lambda v: f"{v:.6f}", na_rep="-")
    return f"{header}\n{body}"
