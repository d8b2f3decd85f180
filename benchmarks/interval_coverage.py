"""Coverage of `complete --interval` on leaderboards: hide 10% of the scores, complete, check.

For each table and seed, 10% of the observed scores are hidden at random, the
method (default: auto, as `scorecast complete`) is fitted on the rest and
`complete(interval=L)` gives intervals for every missing cell; the share of
hidden true scores inside their interval is the coverage.

Tables: the published datasets by name, and synthetic leaderboards of a given
density (``synthetic-95``: 150 models x 10 tasks, 95% filled; ``synthetic-60``;
``synthetic-15``: a frontier-shaped 80 x 40 table, 15% filled).

    python benchmarks/interval_coverage.py
        [--tables cpp-llm,helm-core,llm-stats,synthetic-95,synthetic-60,synthetic-15]
        [--method auto] [--seeds 3] [--levels 0.8,0.9]
        [--data scores.csv [--model-factors factors.csv]]   # your own table instead
"""

import argparse
import time
import warnings

import numpy as np

from scorecast import ScoreMatrix, datasets, make_predictor
from scorecast.evaluation import random_cells
from scorecast.synthetic import make_leaderboard


def load(name):
    """A published dataset, or a synthetic leaderboard named ``synthetic-<density %>``."""
    if not name.startswith("synthetic-"):
        return datasets.load(name)
    density = int(name.split("-")[1]) / 100
    if density < 0.3:
        return make_leaderboard("frontier", n_models=80, n_tasks=40, density=density,
                                random_state=0)[0]
    return make_leaderboard("dense", n_models=150, n_tasks=10, density=density,
                            random_state=0)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="cpp-llm,helm-core,llm-stats,synthetic-95,"
                                            "synthetic-60,synthetic-15")
    parser.add_argument("--method", default="auto")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--levels", default="0.8,0.9")
    parser.add_argument("--data", help="a score table (CSV) to check instead of --tables")
    parser.add_argument("--model-factors", help="model factors of --data")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    levels = [float(v) for v in args.levels.split(",")]
    print(f"{'table':<14}{'seed':>5}" + "".join(f"{'cover ' + str(lv):>12}{'width':>9}"
                                                 for lv in levels) + f"{'seconds':>9}")
    if args.data:
        tables = {args.data: ScoreMatrix.from_csv(args.data, model_factors=args.model_factors)}
    else:
        tables = {name: load(name) for name in args.tables.split(",")}
    for name, table in tables.items():
        raw = table.scores.to_numpy()
        totals = {level: [] for level in levels}
        for seed in range(args.seeds):
            start = time.perf_counter()
            split = random_cells(table, 0.1, random_state=seed)
            predictor = make_predictor(args.method, random_state=seed).fit(split.train)
            rows, cols = split.test.T
            line = f"{name:<14}{seed:>5}"
            for level in levels:
                cells = predictor.complete(interval=level)
                lower = cells["lower"].to_numpy().reshape(raw.shape)[rows, cols]
                upper = cells["upper"].to_numpy().reshape(raw.shape)[rows, cols]
                truth = raw[rows, cols]
                inside = (lower <= truth) & (truth <= upper)
                totals[level].append(inside.mean())
                line += f"{inside.mean():>12.3f}{np.mean(upper - lower):>9.3g}"
            print(line + f"{time.perf_counter() - start:>9.1f}", flush=True)
        print(f"{name:<14}{'mean':>5}" + "".join(f"{np.mean(totals[lv]):>12.3f}{'':>9}"
                                                 for lv in levels))


if __name__ == "__main__":
    main()
