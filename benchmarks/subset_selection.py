"""The minimum evaluation set: time, the sets chosen, the planted set found, predictability.

1. For each dataset: the time of `scorecast suggest --subset 8` (library call,
   ``mf``), the 5-task set and its expected error, and the predictability ranking
   (least and most predictable tasks).
2. Synthetic tables with a planted 5-task set (``scorecast.synthetic.make_planted``,
   one per table seed): is the set chosen on the whole table the planted one, and
   its expected error beside the planted set's and random sets'.
3. The subset protocol on one planted table (sets chosen on 80% of the models,
   tested on the rest): how often the chosen 5-set is the planted one, and errors.

    python benchmarks/subset_selection.py [--datasets cpp-llm,llm-stats] [--tables 5]
        [--seeds 10] [--method mf]
"""

import argparse
import time

import numpy as np

from scorecast import datasets
from scorecast.evaluation.subset import run_subset
from scorecast.selection import FoldInSimulation, select_tasks, task_predictability
from scorecast.synthetic import make_planted

PLANTED_METHOD = "mf:rank=5"      # five independent abilities need five dimensions
# BenchPress's 5 (Zeng & Papailiopoulos, 2026) as llm-stats names them; ARC-AGI-1 is not in it.
BENCHPRESS = {"llm-stats": ["gpqa", "humanity's-last-exam", "codeforces", "mmlu-pro"]}


def dataset_part(name, method):
    table = datasets.load(name)
    start = time.perf_counter()
    result = select_tasks(table, 8, method, random_state=0)
    seconds = time.perf_counter() - start
    five = result.iloc[4]
    print(f"\n== {name} ({table.shape[0]} x {table.shape[1]}): suggest --subset 8 with "
          f"{method} in {seconds:.1f} s")
    print(result[["k", "added", "mae", "median_ae", "mae_sd", "random_mae", "gain",
                  "coverage"]].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"5-task set: {five['tasks'].replace(';', ', ')}; expected error {five['mae']:.4g} "
          f"(median {five['median_ae']:.4g}), random 5-sets {five['random_mae']:.4g}, "
          f"coverage {100 * five['coverage']:.0f}%")
    if name in BENCHPRESS:
        theirs = BENCHPRESS[name]
        simulation = FoldInSimulation(table, method, random_state=0)
        errors, coverage = simulation.errors(np.asarray(table.tasks.isin(theirs)))
        mine = result.iloc[len(theirs) - 1]
        print(f"BenchPress's set here ({', '.join(theirs)}): expected error "
              f"{np.nanmean(errors):.4g}, coverage {100 * np.nanmean(coverage):.0f}%; the "
              f"chosen {len(theirs)}-task set: {mine['mae']:.4g}")
    start = time.perf_counter()
    ranking = task_predictability(table, method, random_state=0)
    print(f"predictability ({time.perf_counter() - start:.1f} s), least predictable first; "
          "tasks with 10+ models:")
    supported = ranking[ranking["n_models"] >= 10]
    print(supported.head(8).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print("...")
    print(supported.tail(5).to_string(index=False, float_format=lambda v: f"{v:.3g}"))


def planted_part(n_tables, seeds):
    print(f"\n== planted 5-task sets ({PLANTED_METHOD}), chosen on the whole table")
    found = 0
    for seed in range(n_tables):
        table, planted = make_planted(random_state=seed)
        simulation = FoldInSimulation(table, PLANTED_METHOD, random_state=0)
        result = select_tasks(table, 5, PLANTED_METHOD, simulation=simulation, random_state=0)
        chosen = result["tasks"].iloc[-1].split(";")
        errors, _ = simulation.errors(np.asarray(table.tasks.isin(planted)))
        hit = sorted(chosen) == sorted(planted)
        found += hit
        print(f"table {seed}: chosen {'= planted' if hit else ', '.join(sorted(chosen))} "
              f"({len(set(chosen) & set(planted))}/5 planted); expected error "
              f"{result['mae'].iloc[-1]:.3f}, planted set {np.nanmean(errors):.3f}, random "
              f"5-sets {result['random_mae'].iloc[-1]:.3f}")
    print(f"planted set found on {found} of {n_tables} tables")
    table, planted = make_planted(random_state=0)
    results, sets = run_subset(table, PLANTED_METHOD, seeds=seeds, max_size=8)
    means = results.groupby(["protocol", "method"], sort=False)["value"].mean().unstack()
    print(f"\nsubset protocol on planted table 0, {seeds} seeds (held-out models):")
    print(means.to_string(float_format=lambda v: f"{v:.3f}"))
    hits = sum(sorted(s[4]) == sorted(planted) for s in sets.values())
    print(f"chosen 5-set = planted set in {hits} of {seeds} seeds")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="cpp-llm,llm-stats")
    parser.add_argument("--tables", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--method", default="mf")
    args = parser.parse_args()
    for name in filter(None, args.datasets.split(",")):
        dataset_part(name, args.method)
    if args.tables:
        planted_part(args.tables, args.seeds)


if __name__ == "__main__":
    main()
