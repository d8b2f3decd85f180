"""Time of the exact Shapley importance of every cpp-llm factor, with the defaults.

`scorecast importance --dataset cpp-llm` plays, for each of 5 seeds, two games
on a fitted ncf-factors: its 13 model factors (all 8,192 coalitions) and its 4
task factors (16 coalitions). This prints the wall time of the whole run
(fits included, seeds in parallel) and, for one seed in this process, how it
splits between the fit and the games.

    python benchmarks/importance_speed.py [--masking zero|interventional] [--seeds 5]

Target (2 idle CPU cores): the default run (zero masking, 5 seeds) in well
under 60 s.
"""

import argparse
import time
import warnings

import pandas as pd

from scorecast import datasets
from scorecast.evaluation import random_cells
from scorecast.importance import MASKINGS, factor_importance, fitted_factor_importance
from scorecast.predictors import NCFFactors

TARGET_SECONDS = 60


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def one_seed(table, masking, seed=0):
    """Seconds of the fit and of the games, for one seed in this process."""
    split = random_cells(table, 0.1, random_state=seed)
    fitted, fit_seconds = _timed(NCFFactors(random_state=seed).fit, split.train)
    result, game_seconds = _timed(fitted_factor_importance, fitted, table, split.test,
                                  masking=masking)
    coalitions = result.games.set_index("kind")["coalitions"]
    return [{"step": "fit ncf-factors (5 networks)", "seconds": fit_seconds},
            {"step": f"games: {coalitions['model']} + {coalitions['task']} coalitions on "
                     f"{len(split.test)} held-out cells", "seconds": game_seconds}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--masking", choices=MASKINGS, default="zero")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    table = datasets.load("cpp-llm")
    print(f"one seed, in this process ({args.masking} masking):")
    print(pd.DataFrame(one_seed(table, args.masking)).to_string(
        index=False, float_format=lambda v: f"{v:.2f}"))
    result, seconds = _timed(factor_importance, table, seeds=args.seeds, masking=args.masking)
    coalitions = result.games.groupby("kind")["coalitions"].first().to_dict()
    print(f"\nfactor_importance(cpp-llm, seeds={args.seeds}, masking={args.masking!r}), "
          f"seeds in parallel: {seconds:.1f} s (coalitions per seed: {coalitions}; "
          f"target for the defaults: under {TARGET_SECONDS} s)")


if __name__ == "__main__":
    main()
