"""How the default method (`auto`) compares with careful baselines on leaderboard-shaped tables.

Tables: synthetic leaderboards of three shapes (dense base-model tables, two
leaderboard generations with block holes, sparse frontier tables; see
`scorecast.synthetic`) and the real cpp-llm table. Protocols: 10% of observed
cells hidden at random; new models with 2 known scores; new models with no
known score (factors only); the largest models with 2 known scores.
Baselines: task mean; biased ALS of rank 1-3 in z-score or logit space;
soft-impute; biased ALS with a factor-regression prior (rank 1-3). The
"best baseline" is the best of these on each (table, protocol), chosen after
the fact, which favours the baselines.

Prints mean absolute error in score points per table and protocol, and the
gain of auto over the best baseline (positive = auto better).

    python benchmarks/default_method.py [--seeds 3] [--tables dense,generations,frontier,cpp-llm]
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from scorecast import datasets, make_predictor
from scorecast.evaluation import largest_models, new_models, random_cells
from scorecast.factors import parameter_factor
from scorecast.predictors import METHODS
from scorecast.synthetic import make_leaderboard


def baselines(has_factors):
    pool = {"task mean": ("mean", {})}
    for target in ("task", "logit"):
        for rank in (1, 2, 3):
            pool[f"ALS r{rank} {target}"] = ("mf", dict(rank=rank, target=target))
    if "soft-impute" in METHODS:
        pool["soft-impute"] = ("soft-impute", {})
    if has_factors:
        for rank in (1, 2, 3):
            pool[f"ALS+factor prior r{rank}"] = ("mf", dict(rank=rank, factor_prior=True))
    return pool


def singles(has_factors):
    """Every registered method with its default parameters (the ones users get by name)."""
    names = [m for m in METHODS
             if m != "auto" and (has_factors or not METHODS[m]().uses_factors)]
    return {f"method {m}": (m, {}) for m in names}


def protocols(table, seed):
    has_size = parameter_factor(table.model_factor_kinds) is not None
    out = [random_cells(table, 0.10, random_state=seed),
           new_models(table, known=2, random_state=seed)]
    if table.model_factors.shape[1]:
        out.append(new_models(table, known=0, random_state=seed))
    if has_size:
        out.append(largest_models(table, known=2, n_models=max(3, table.shape[0] // 20),
                                  random_state=seed))
    return out


def mae(method, params, split, truth, seed):
    predictor = make_predictor(method, **params)
    if "random_state" in predictor.get_params():
        predictor.set_params(random_state=seed)
    predicted = predictor.fit(split.train).complete(keep_observed=False).to_numpy()
    rows, cols = split.test[:, 0], split.test[:, 1]
    return float(np.mean(np.abs(predicted[rows, cols] - truth[rows, cols])))


def tables(names, seed):
    for name in names:
        if name in ("dense", "generations", "frontier"):
            table, _ = make_leaderboard(name, random_state=seed)
        else:
            table = datasets.load(name)
        yield name, table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tables", default="dense,generations,frontier,cpp-llm")
    parser.add_argument("--preset", default="fast", choices=["fast", "best"])
    parser.add_argument("--singles", action="store_true",
                        help="also compare with every registered method at its defaults")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for seed in range(args.seeds):
        for name, table in tables(args.tables.split(","), seed):
            truth = table.scores.to_numpy(dtype=float)
            for split in protocols(table, seed):
                has_factors = table.model_factors.shape[1] > 0
                pool = baselines(has_factors)
                extra = singles(has_factors) if args.singles else {}
                for label, (method, params) in extra.items():
                    rows.append((name, split.name, seed, label,
                                 mae(method, params, split, truth, seed), 0.0))
                for label, (method, params) in pool.items():
                    rows.append((name, split.name, seed, label,
                                 mae(method, params, split, truth, seed), 0.0))
                start = time.perf_counter()
                score = mae("auto", dict(preset=args.preset), split, truth, seed)
                rows.append((name, split.name, seed, "auto", score,
                             time.perf_counter() - start))
                print(f"{name:12s} {split.name:26s} seed {seed}: auto {score:6.2f}  best "
                      f"baseline {min(r[4] for r in rows[-len(pool) - 1:-1]):6.2f}", flush=True)
    frame = pd.DataFrame(rows, columns=["table", "protocol", "seed", "method", "mae", "seconds"])
    mean = frame.groupby(["table", "protocol", "method"])["mae"].mean().unstack("method")
    methods = [c for c in mean.columns if c.startswith("method ")]
    if methods:
        versus = (1 - mean["auto"].to_numpy()[:, None] / mean[methods]) * 100
        print("\nauto's gain (%) over each method at its defaults, mean over tables and protocols:")
        print(versus.mean().round(1).sort_values().to_string())
        mean = mean.drop(columns=methods)
    best = mean.drop(columns="auto").min(axis=1)
    summary = pd.DataFrame({"auto": mean["auto"], "best baseline": best,
                            "which": mean.drop(columns="auto").idxmin(axis=1),
                            "gain %": 100 * (1 - mean["auto"] / best)})
    print()
    print(summary.round(2).to_string())
    print(f"\nmean gain over the best baseline: {summary['gain %'].mean():.1f}%  "
          f"(auto time per fit: median {frame.loc[frame.method == 'auto', 'seconds'].median():.1f}s)")


if __name__ == "__main__":
    main()
