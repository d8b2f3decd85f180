"""Fit and completion times, and peak memory, of the predictors.

Each case runs in its own process so that its peak resident memory is its own.

    python benchmarks/speed.py              # every case
    python benchmarks/speed.py --case mf-cpp-llm

Targets (2 CPU cores): on cpp-llm, mf fits in under 0.2 s, ncf-factors in under
10 s, auto in under 60 s; auto fits an 80 x 50 frontier table (35% filled, with
model factors) in under 3 s and within 2x bench-regression's fit; mf completes a
7,000 x 6 table in under 2 s and a 20,000 x 500 table with 10% observed in under
60 s and 4 GB.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd


def _cpp_llm():
    from scorecast import datasets

    return datasets.load("cpp-llm")


def _low_rank(n_models, n_tasks, density, seed=0):
    """A logistic rank-3 table of 0-100 scores with `density` of its cells observed."""
    from scorecast import ScoreMatrix

    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n_models, 3)) @ rng.normal(size=(3, n_tasks))
    scores = 100 / (1 + np.exp(-logits))
    scores[rng.random(scores.shape) >= density] = np.nan
    scores[np.arange(n_models), rng.integers(0, n_tasks, n_models)] = 50.0
    frame = pd.DataFrame(scores, index=[f"m{i}" for i in range(n_models)],
                         columns=[f"t{j}" for j in range(n_tasks)])
    return ScoreMatrix(frame, score_range=(0, 100), name=f"{n_models}x{n_tasks}")


def _frontier_80x50():
    """A sparse frontier-shaped table with model factors: 80 models x 50 tasks, 35% filled."""
    from scorecast.synthetic import make_leaderboard

    return make_leaderboard("frontier", n_models=80, n_tasks=50, density=0.35,
                            random_state=0)[0]


# case: (table factory, method, params, what is timed, target seconds)
CASES = {
    "mf-cpp-llm": (_cpp_llm, "mf", {}, "fit", 0.2),
    "ncf-factors-cpp-llm": (_cpp_llm, "ncf-factors", {}, "fit", 10),
    "auto-cpp-llm": (_cpp_llm, "auto", {}, "fit", 60),
    "auto-80x50": (_frontier_80x50, "auto", {}, "fit", 3),
    "bench-regression-80x50": (_frontier_80x50, "bench-regression", {}, "fit", 3),
    "mf-7000x6": (lambda: _low_rank(7000, 6, 0.9), "mf", {}, "fit+complete", 2),
    "mf-20000x500": (lambda: _low_rank(20000, 500, 0.1), "mf", {}, "fit+complete", 60),
}


def run_case(name):
    from scorecast import make_predictor

    make_table, method, params, timed, target = CASES[name]
    table = make_table()
    predictor = make_predictor(method, **params)
    if "random_state" in predictor.get_params():
        predictor.set_params(random_state=0)
    start = time.perf_counter()
    predictor.fit(table)
    if timed == "fit+complete":
        predictor.complete()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": name, "table": f"{table.shape[0]}x{table.shape[1]}",
            "observed": table.n_observed, "timed": timed, "seconds": round(seconds, 3),
            "target_s": target, "peak_mb": round(peak_mb), "ok": seconds < target}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    rows = []
    for name in CASES:
        result = subprocess.run([sys.executable, __file__, "--case", name],
                                capture_output=True, text=True)
        if result.returncode:
            rows.append({"case": name, "error": result.stderr.strip().splitlines()[-1]})
        else:
            rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
        print(rows[-1], file=sys.stderr, flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
