"""How many cross-validation rounds ``auto`` needs on small tables: error and time.

``auto`` cross-validates its portfolio's members until about 1,000 cells have
been held out, at most 3 rounds. This script fits ``auto`` with the default
cap and with another (``--max-rounds``, default 10) on
small synthetic leaderboards (25-50 models, 12 or 30 tasks), 10% of each
table's scores hidden at random, and prints the mean absolute error on the
hidden scores and the time of each fit, one row per table, then the ratios.

    python benchmarks/auto_rounds.py [--max-rounds 10] [--tables 14]

Each fit runs in this process (``n_jobs=1``).
"""

import argparse
import time
import warnings

import numpy as np

from scorecast import make_predictor
from scorecast.predictors.auto import PRESETS
from scorecast.evaluation import random_cells
from scorecast.synthetic import make_leaderboard

# (kind, models, seed): the small tables.
TABLES = [("generations", 30, 2), ("generations", 40, 3), ("frontier", 40, 4),
          ("frontier", 30, 5), ("generations", 25, 6), ("frontier", 50, 7),
          ("generations", 30, 12), ("generations", 40, 13), ("frontier", 40, 14),
          ("frontier", 30, 15), ("generations", 25, 16), ("frontier", 50, 17),
          ("generations", 35, 18), ("frontier", 35, 19)]


def fit_and_score(table, seed, max_rounds):
    """MAE on 10% of the scores hidden at random, the rounds run, and the fit's seconds."""
    split = random_cells(table, 0.1, random_state=seed)
    rows, cols = split.test[:, 0], split.test[:, 1]
    start = time.perf_counter()
    fitted = make_predictor("auto", random_state=0, n_jobs=1, max_rounds=max_rounds).fit(
        split.train)
    seconds = time.perf_counter() - start
    predicted = fitted.complete(keep_observed=False).to_numpy()[rows, cols]
    truth = table.scores.to_numpy(dtype=float)[rows, cols]
    rounds = int(fitted.report_.split(" rounds")[0].rsplit(" ", 1)[1])
    return float(np.mean(np.abs(predicted - truth))), rounds, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rounds", type=int, default=10,
                        help="the cap compared with the default (default: 10)")
    parser.add_argument("--tables", type=int, default=len(TABLES),
                        help=f"how many of the {len(TABLES)} tables (default: all)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    default = PRESETS["fast"][1]
    print(f"{'table':<20} scores | rounds    MAE      s  (cap {default}, the default) | "
          f"rounds    MAE      s  (cap {args.max_rounds})")
    errors, times = [], []
    for kind, n_models, seed in TABLES[:args.tables]:
        table = make_leaderboard(kind, n_models=n_models, random_state=seed)[0]
        full = fit_and_score(table, seed, default)
        capped = fit_and_score(table, seed, args.max_rounds)
        errors.append(capped[0] / full[0])
        times.append(full[2] / capped[2])
        print(f"{f'{kind}-{n_models}-{seed}':<20} {table.n_observed:6d} | {full[1]:6d} "
              f"{full[0]:6.3f} {full[2]:6.1f}{'':24}| {capped[1]:6d} {capped[0]:6.3f} "
              f"{capped[2]:6.1f}", flush=True)
    errors, times = np.array(errors), np.array(times)
    print(f"other cap / default error: mean {errors.mean():.3f} (min {errors.min():.3f}, max "
          f"{errors.max():.3f}; lower on {(errors < 1).sum()} of {len(errors)} tables); "
          f"default / other cap time: median {np.median(times):.2f}x")


if __name__ == "__main__":
    main()
