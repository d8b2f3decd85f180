"""``scorecast benchmark``: which method predicts a leaderboard best, by held-out cells."""

import argparse
import json
import sys

import numpy as np
import pandas as pd

from .. import datasets
from ..errors import ScorecastError
from ..plotting import benchmark_figure
from ..predictors._registry import parse_method
from ..evaluation.protocols import BASELINES, DEFAULT_DATASET, PROTOCOLS, plan_benchmark
from ..evaluation.active import active_advantage, run_active
from ..evaluation.runner import run_benchmark, summarize
from ..evaluation.scoring import TRAINING_TARGETS
from ._options import (add_parallel_arguments, add_table_arguments, fraction, non_negative_int,
                       positive_int, read_table, table_inputs)
from . import _messages
from ._outputs import Outputs, add_force_argument
from ._plots import add_plot_argument, claim_plot, write_plot

_PROTOCOL_HELP = """protocols:
  paper      5% of the cells held out at random, 10 seeds; on cpp-llm in the paper's
             normalisation with the paper's Table 1 beside ours
  new-model  models with k = 0 and 2 known scores (cpp-llm: the paper's Table 4 models)
  new-task   tasks with k = 0 and 2 known models (cpp-llm: the paper's Table 5 tasks)
  pilot      random 10%/90% and 50%/50% train/validation (default data: helm-core)
  sparsity   10% validation fixed, 0-80% of the training cells masked as well
  random     --fraction of the cells held out at random (default 0.1)
  frontier   the 5 largest models by parameter count held out, k = 0 and 2 known
  family     whole model families held out (k = 0 known), at most 10 groups
  calibration  coverage and mean width of 80% and 90% intervals: random 5% cells, and
             new models with k = 0, 1, 2 known (methods train on raw scores)
  active     new models start with no known score; one evaluation at a time is revealed,
             chosen by 'scorecast suggest' (active) or at random; reports mae_after_0..5
             (one method: the first of --methods, default auto)
  subset     which tasks to run on every new model: sets of 1-8 tasks chosen on 80% of
             the models ('suggest --subset') against random sets and the most-observed
             tasks, on the other 20% (one method, default mf); see docs/subset.md

metrics (one row per protocol, method, seed and metric in --output):
  mse_<space>, l1_<space>   errors in the normalised space named (paper, range or rank)
  mae, rmse                 errors in score points
  accuracy, mae_at_2        share of held-out cells whose predicted rank within the task
                            (among all models observed on it) is exact / within 2
  accuracy_heldout, ...     the same, ranked among the task's held-out cells only
                            (the scope of the paper's notebook)
  spearman                  mean per-task Spearman correlation (tasks with 3+ held-out cells)
  seconds                   time to fit and predict
  coverage_80, width_80...  (calibration) share of true scores inside the intervals, and
                            their mean width in score points
  mae_after_<k>             (active) a new model's MAE on held-out tasks after k evaluations
  mse_<space>[NAME]         per held-out model or task, where the protocol names them
The baselines 'random' (uniform within each task's observed range) and 'mean' (the
task mean) always run beside the methods."""


def add_commands(commands):
    """Register ``benchmark`` on the top-level sub-parsers."""
    bench = commands.add_parser(
        "benchmark", help="compare methods on held-out scores (the paper's experiments and more)",
        description="Hide observed scores the way a protocol says, predict them with each "
                    "method, and report how close the predictions come, as mean and standard "
                    "deviation over seeds. Runs on a published dataset (default: the one the "
                    "protocol comes from) or on your own scores with --data.",
        epilog=_PROTOCOL_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_table_arguments(bench, dataset=True, data_option=True)
    how = bench.add_argument_group("protocol")
    how.add_argument("--protocol", choices=PROTOCOLS, default="paper",
                     help="what is held out (default: paper; see below)")
    how.add_argument("--methods", metavar="A,B,...",
                     help="methods to compare (default: the protocol's list; 'scorecast "
                          "methods' lists them)")
    how.add_argument("--seeds", type=positive_int, default=10, metavar="N",
                     help="number of seeds (splits), 0 to N-1 (default: 10)")
    how.add_argument("--fraction", type=fraction,
                     help="held-out share of the random protocol (default: 0.1)")
    how.add_argument("--known", type=non_negative_int, metavar="K",
                     help="known scores per new model or task (default: both 0 and 2; "
                          "family: 0)")
    how.add_argument("--size-factor", metavar="FACTOR",
                     help="model factor holding the parameter count, for frontier (default: "
                          "the first numeric factor with 'param' in its name)")
    how.add_argument("--family-factor", metavar="FACTOR",
                     help="model factor holding the family, for family (default: the first "
                          "categorical factor with 'family' in its name)")
    how.add_argument("--target", choices=TRAINING_TARGETS, default="normalized",
                     help="what the methods train on: normalised scores (default; the paper's "
                          "normalisation on cpp-llm), raw scores, or per-task ranks")
    add_parallel_arguments(how, "folds and seeds")
    out = bench.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="RESULTS.csv",
                     help="write every (protocol, method, seed, metric, value): CSV, or JSON "
                          "records if the name ends in .json")
    add_plot_argument(out, "the results: error by method with a dot per seed; sparsity: "
                           "error against sparsity; active: error against evaluations; "
                           "calibration: actual against nominal coverage")
    add_force_argument(out)
    bench.set_defaults(func=run_benchmark_command)


def _load(args):
    """Check the output path, then read the table (both before any fitting)."""
    if args.scores is None and args.dataset is None:
        args.dataset = DEFAULT_DATASET[args.protocol]
    if args.dataset and args.dataset not in {d.name for d in datasets.list_datasets()}:
        datasets.load(args.dataset)  # raises the one-line "unknown dataset" error
    outputs = Outputs(args, table_inputs(args))
    outputs.claim(args.output, "-o")
    claim_plot(args, outputs)
    return read_table(args), outputs


def run_benchmark_command(args):
    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods \
        else None
    if args.methods is not None and not methods:
        raise ScorecastError(f"--methods {args.methods!r} names no method; e.g. --methods mf,auto")
    for method in methods or ():
        if method not in BASELINES:
            parse_method(method)  # every name and parameter, before any fitting
    table, outputs = _load(args)
    if args.protocol == "active":
        return _run_active(args, table, methods, outputs)
    if args.protocol == "subset":
        from ._subset_report import run_subset_protocol
        return run_subset_protocol(args, table, methods, outputs, _write_results)
    plan = plan_benchmark(table, args.protocol, seeds=args.seeds, methods=methods,
                          target=args.target, fraction=args.fraction, known=args.known,
                          size_factor=args.size_factor, family_factor=args.family_factor)
    _messages.release()
    for note in plan.notes:
        print(f"scorecast: {note}", file=sys.stderr)
    n_fits = sum(len(run.folds) for run in plan.runs) * len(plan.methods)
    print(f"scorecast: {args.protocol} on {table.name} ({table.shape[0]} models x "
          f"{table.shape[1]} tasks, {table.n_observed} scores): {args.seeds} seeds, "
          f"{len(plan.methods)} methods, {n_fits} fits", file=sys.stderr)
    results, messages = run_benchmark(plan, n_jobs=args.jobs or None)
    for message in messages:
        print(f"scorecast: warning: {message}", file=sys.stderr)
    print(format_report(plan, results, table.name, "score" if plan.levels else args.target))
    if args.output:
        _write_results(results, args.output, outputs)
        print(f"scorecast: wrote {args.output}: {len(results)} rows", file=sys.stderr)
    write_plot(args, outputs, lambda: benchmark_figure(results))
    return 0


def _run_active(args, table, methods, outputs):
    if methods and len(methods) > 1:
        raise ScorecastError("the active protocol compares strategies, not methods: give one "
                             "--methods")
    method = methods[0] if methods else "auto"
    parse_method(method)
    _messages.release()
    print(f"scorecast: active on {table.name}: {args.seeds} seeds, 10 new models each, "
          f"predicted by {method}", file=sys.stderr)
    results = run_active(table, method=method, seeds=args.seeds, n_jobs=args.jobs or None)
    means = results.groupby(["method", "metric"], sort=False)["value"].mean().unstack("metric")
    print(f"active protocol on {table.name}: a new model's mean absolute error (score points) "
          f"on held-out tasks after k evaluations, chosen by 'scorecast suggest' (active) or at "
          f"random; {method}, mean over {args.seeds} seeds")
    print(means.to_string(float_format=lambda v: f"{v:.3f}"))
    if "mae_after_3" in means.columns:
        drop, lower, upper = active_advantage(results)
        spread = (f" (90% interval over resampled seeds: {100 * lower:.1f}% to {100 * upper:.1f}%)"
                  if args.seeds > 1 else "")
        print(f"after 3 evaluations the active strategy's error is {100 * abs(drop):.1f}% "
              f"{'lower' if drop >= 0 else 'higher'} than random's{spread}")
    if args.output:
        _write_results(results, args.output, outputs)
        print(f"scorecast: wrote {args.output}: {len(results)} rows", file=sys.stderr)
    write_plot(args, outputs, lambda: benchmark_figure(results))
    return 0


def _write_results(results, path, outputs):
    with outputs:
        if path.lower().endswith(".json"):
            with open(outputs.path(path), "w", encoding="utf-8") as handle:
                json.dump(results.to_dict(orient="records"), handle, indent=1,
                          ensure_ascii=False)
        else:
            outputs.csv(results, path, index=False, float_format="%.6g")


# ---------------------------------------------------------------------------- report
def _columns(space, levels=()):
    """(metric, heading, scale, show std) of the main table."""
    if levels:
        return [(f"{kind}_{100 * level:g}", f"{kind} {100 * level:g}%", scale, False)
                for level in levels for kind, scale in (("coverage", 100), ("width", 1))] + \
            [("mae", "MAE (points)", 1, False), ("seconds", "s/seed", 1, False)]
    return [(f"mse_{space}", f"MSE ({space})", 1, True), (f"l1_{space}", f"L1 ({space})", 1, True),
            ("mae", "MAE (points)", 1, False), ("accuracy", "Acc %", 100, False),
            ("mae_at_2", "MAE@2 %", 100, False), ("accuracy_heldout", "Acc % (h-o)", 100, False),
            ("mae_at_2_heldout", "MAE@2 % (h-o)", 100, False), ("spearman", "Spearman", 1, False),
            ("seconds", "s/seed", 1, False)]


_HEADINGS = {"mse_paper": "MSE", "l1_paper": "L1", "accuracy_heldout": "Acc % (h-o)",
             "mae_at_2_heldout": "MAE@2 % (h-o)"}


def _cell(mean, std, scale, with_std):
    if np.isnan(mean):
        return "-"
    digits = 4 if scale == 1 and abs(mean) < 1 else 1 if scale == 100 else 2
    text = f"{mean * scale:.{digits}f}"
    if with_std and not np.isnan(std):
        text += f" ±{std * scale:.{digits}f}"
    return text


def format_report(plan, results, name, target):
    """The terminal report: one table per protocol variant, and the paper's numbers."""
    summary = summarize(results)
    space = plan.scoring.space
    lines = [f"{plan.protocol} protocol on {name}; methods train on "
             f"{'normalised scores' if target == 'normalized' else target + 's'}; "
             f"MSE and L1 in the {space} space; mean over {results['seed'].nunique()} seeds "
             "(± std).",
             "Ranks within each task among all models observed on it; (h-o): among the "
             "task's held-out cells only, as in the paper's notebook. random and mean are "
             "baselines."]
    for label in dict.fromkeys(run.label for run in plan.runs):
        part = summary.loc[label]
        rows = {}
        for method in plan.methods:
            rows[method] = {heading: _cell(*_stat(part, method, metric), scale, with_std)
                            for metric, heading, scale, with_std in _columns(space, plan.levels)}
        lines += ["", f"== {label}", pd.DataFrame(rows).T.to_string()]
        lines += _reference_lines(plan, part, label)
    return "\n".join(lines)


def _stat(part, method, metric):
    try:
        row = part.loc[(method, metric)]
    except KeyError:
        return np.nan, np.nan
    return row["mean"], row["std"]


def _reference_lines(plan, part, label):
    """Our numbers beside the paper's, where the paper has them; per-item breakdowns."""
    reference = plan.reference
    space = plan.scoring.space
    lines = []
    if reference.get("by") == "method":
        table = reference["table"]
        rows = {}
        for method in table.index:
            if method not in plan.methods:
                continue
            rows[method] = {}
            for metric in table.columns:
                scale = 100 if "accuracy" in metric or "mae_at" in metric else 1
                heading = _HEADINGS.get(metric, metric)
                rows[method][f"{heading} ours"] = _cell(*_stat(part, method, metric), scale, False)
                rows[method][f"{heading} paper"] = _cell(table.loc[method, metric], np.nan,
                                                         scale, False)
        if rows:
            lines += ["", "beside the paper's Table 1:",
                      pd.DataFrame(rows).T.to_string()]
    by = next((run.by for run in plan.runs if run.label == label), None)
    if by:
        prefix = f"mse_{space}["
        items = [m[len(prefix):-1] for m in part.index.get_level_values("metric").unique()
                 if m.startswith(prefix)]
        frame = pd.DataFrame({method: [_stat(part, method, f"{prefix}{item}]")[0]
                                       for item in items] for method in plan.methods
                              if method not in BASELINES or method == "mean"}, index=items)
        if reference.get("by") == by:
            k = int(label.rsplit("=", 1)[1])
            frame["paper"] = reference["table"][k].reindex(items)
        lines += ["", f"MSE ({space}) per held-out {by}:",
                  frame.to_string(float_format=lambda v: f"{v:.4f}", na_rep="-")]
    return lines
