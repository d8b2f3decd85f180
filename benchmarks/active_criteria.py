"""The per-model active loop: suggest's variance criterion against simulated fold-ins.

Runs `scorecast benchmark --protocol active` (cpp-llm, 10 held-out models per seed,
5 evaluations revealed one at a time) with the three strategies: ``active`` (expected
variance reduction, what `scorecast suggest` does), ``simulated`` (the task whose reveal
best predicts the evaluation set on training models folded in from the same tasks;
see scorecast.evaluation.active) and ``random``. Prints the mean errors and each
strategy's drop below random after 1, 2, 3 and 5 evaluations, with the 90% seed-bootstrap
interval after 3.

    python benchmarks/active_criteria.py [--method auto] [--seeds 40] [--simulation mf]
"""

import argparse
import time

import pandas as pd

from scorecast import datasets
from scorecast.evaluation.active import ALL_STRATEGIES, active_advantage, run_active


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="auto")
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--simulation", default="mf",
                        help="method of the simulated fold-ins (default: mf)")
    args = parser.parse_args()
    table = datasets.load("cpp-llm")
    start = time.perf_counter()
    results = run_active(table, args.method, seeds=args.seeds, strategies=ALL_STRATEGIES,
                         simulation_method=args.simulation)
    means = results.groupby(["method", "metric"], sort=False)["value"].mean().unstack()
    print(f"{args.method}, simulation by {args.simulation}, {args.seeds} seeds, "
          f"{time.perf_counter() - start:.0f} s")
    print(means.to_string(float_format=lambda v: f"{v:.3f}"))
    for strategy in ("active", "simulated"):
        drops = [100 * active_advantage(results, after=k, strategy=strategy)[0]
                 for k in (1, 2, 3, 5)]
        _, lower, upper = active_advantage(results, strategy=strategy)
        print(f"{strategy}: drop below random after 1, 2, 3, 5 evaluations: " +
              ", ".join(f"{d:.1f}%" for d in drops) +
              f" (after 3, 90% interval {100 * lower:.1f}% to {100 * upper:.1f}%)")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
