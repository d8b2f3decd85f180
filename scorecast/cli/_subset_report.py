"""``scorecast benchmark --protocol subset``: the chosen sets on models they were not chosen on."""

import sys

import pandas as pd

from ..errors import ScorecastError
from ..evaluation.subset import chosen_sets, run_subset
from . import _messages

MAX_SIZE = 8


def run_subset_protocol(args, table, methods, outputs, write_results):
    if methods and len(methods) > 1:
        raise ScorecastError("the subset protocol compares sets of tasks, not methods: give one "
                             "--methods")
    method = methods[0] if methods else "mf"
    _messages.release()
    print(f"scorecast: subset on {table.name}: {args.seeds} seeds, sets of 1 to {MAX_SIZE} "
          f"tasks chosen on 80% of the models, tested on the other 20%, predicted by {method}",
          file=sys.stderr)
    results, sets = run_subset(table, method=method, seeds=args.seeds, max_size=MAX_SIZE,
                               n_jobs=args.jobs or None)
    print(format_subset_report(results, sets, table.name, method))
    if args.output:
        write_results(results, args.output, outputs)
        print(f"scorecast: wrote {args.output}: {len(results)} rows", file=sys.stderr)
    return 0


def format_subset_report(results, sets, name, method):
    """Mean over seeds per size: the chosen set beside random and most-observed sets."""
    means = results.groupby(["protocol", "method"], sort=False)["value"].mean().unstack("method")
    means.index = [int(label.rsplit("=", 1)[1]) for label in means.index]
    means.index.name = "k"
    table = pd.DataFrame({
        "chosen": means["chosen"], "most-observed": means["most-observed"],
        "random": means["random"],
        "vs random": [f"{100 * (1 - c / r):.1f}%" for c, r in zip(means["chosen"],
                                                                   means["random"])],
        "vs most-observed": [f"{100 * (1 - c / m):.1f}%" for c, m in
                             zip(means["chosen"], means["most-observed"])],
        "expected": means["expected"]})
    n_seeds = results["seed"].nunique()
    lines = [f"subset protocol on {name}: mean absolute error (score units) on the other tasks "
             f"of held-out models folded in from a set of k tasks; {method}, mean over "
             f"{n_seeds} seeds",
             "chosen: selected on the other models; random: median of 20 random sets; "
             "expected: the error the selection predicted (where it chose: optimistic)",
             table.to_string(float_format=lambda v: f"{v:.4g}")]
    size = min(5, len(table))
    counts = chosen_sets(sets, size)
    lines.append(f"tasks in the chosen {size}-task set, seeds out of {n_seeds}: " +
                 ", ".join(f"{task} {n}" for task, n in counts.head(10).items()))
    return "\n".join(lines)
