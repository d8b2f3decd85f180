"""Fit and completion times, and peak memory, of the predictors and the commands.

Each case runs in its own process so that its peak resident memory is its own;
on a shared machine compare ratios within one run, not absolute times.

    python benchmarks/speed.py              # every case
    python benchmarks/speed.py --case mf-cpp-llm

Targets (2 CPU cores) are each case's ``target_s``: the paper protocol (10 seeds,
every method) in 60 s, one ncf-factors fit on cpp-llm in 1 s, auto on 7,000 x 6
in 10 s, mf on 20,000 x 500 (10%) in 10 s and on a sparse 200,000 x 2,000 table
(0.5%) in 120 s, both under 4 GB; a benchmark on a two-worker local Dask
cluster gives loky's numbers with under 20% overhead; `predict --interval 0.9`
with auto on cpp-llm in 15 s; `scorecast --help` in 0.5 s.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
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


def _sparse_200000x2000():
    """A logistic rank-3 table of 200,000 models x 2,000 tasks, 0.5% filled, as coordinates."""
    from scorecast.sparse import SparseScores

    rng = np.random.default_rng(0)
    n_models, n_tasks, n_scores = 200_000, 2_000, 2_000_000
    drawn = np.unique(rng.integers(0, n_models * n_tasks, int(n_scores * 1.01)))
    cells = rng.choice(drawn, n_scores, replace=False)       # distinct cells, every model
    rows, cols = cells // n_tasks, cells % n_tasks
    logits = np.einsum("ck,ck->c", rng.normal(size=(n_models, 3))[rows],
                       rng.normal(size=(n_tasks, 3))[cols])
    names = np.array([f"m{i}" for i in range(n_models)], dtype=object)
    tasks = np.array([f"t{j}" for j in range(n_tasks)], dtype=object)
    return SparseScores(names[rows], tasks[cols], 100 / (1 + np.exp(-logits)),
                        score_range=(0, 100), name="200000x2000")


# fitting cases: (table factory, method, params, what is timed, target seconds)
CASES = {
    "mf-cpp-llm": (_cpp_llm, "mf", {}, "fit", 0.2),
    "ncf-factors-cpp-llm": (_cpp_llm, "ncf-factors", {}, "fit", 1),
    "auto-cpp-llm": (_cpp_llm, "auto", {}, "fit", 60),
    "auto-80x50": (_frontier_80x50, "auto", {}, "fit", 3),
    "bench-regression-80x50": (_frontier_80x50, "bench-regression", {}, "fit", 3),
    "mf-7000x6": (lambda: _low_rank(7000, 6, 0.9), "mf", {}, "fit+complete", 2),
    "auto-7000x6": (lambda: _low_rank(7000, 6, 0.9), "auto", {}, "fit+complete", 10),
    "mf-20000x500": (lambda: _low_rank(20000, 500, 0.1), "mf", {}, "fit+complete", 10),
    "mf-200000x2000-sparse": (_sparse_200000x2000, "mf", {}, "fit+predict 100,000 cells", 120),
}
# command cases: (arguments of `scorecast`, target seconds)
COMMANDS = {
    "help": (["--help"], 0.5),
    "paper-protocol": (["benchmark", "--protocol", "paper"], 60),
    "predict-interval-auto": (["predict", "--dataset", "cpp-llm", "--model", "Llama 3 8B",
                               "--interval", "0.9"], 15),
}
# The same benchmark on loky and on a local Dask cluster of two workers.
DASK_BENCHMARK = ["benchmark", "--protocol", "random", "--seeds", "4", "--methods",
                  "mf,soft-impute,ncf", "--jobs", "2"]


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
    elif timed.startswith("fit+predict"):
        rng = np.random.default_rng(1)
        predictor.predict(table.models[rng.integers(0, table.shape[0], 100_000)],
                          table.tasks[rng.integers(0, table.shape[1], 100_000)])
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": name, "table": f"{table.shape[0]}x{table.shape[1]}",
            "observed": table.n_observed, "timed": timed, "seconds": round(seconds, 3),
            "target_s": target, "peak_mb": round(peak_mb), "ok": seconds < target}


_MAIN = "import sys; from scorecast.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _scorecast(args):
    """Seconds of one `scorecast` command in a new process, and its peak memory."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _MAIN] + args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(result.stderr.strip().splitlines()[-1])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb


def run_command(name):
    args, target = COMMANDS[name]
    seconds, peak_mb = _scorecast(args)
    return {"case": name, "table": "cpp-llm", "timed": "scorecast " + " ".join(args[:2]),
            "seconds": round(seconds, 3), "target_s": target, "peak_mb": round(peak_mb),
            "ok": seconds < target}


def run_dask():
    """loky, then a two-worker local Dask cluster: same numbers, and the time ratio."""
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as folder, \
            LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                         dashboard_address=":0") as cluster:
        times, frames = {}, {}
        for backend, extra in (("loky", []), ("dask", ["--scheduler", cluster.scheduler_address])):
            path = os.path.join(folder, f"{backend}.csv")
            times[backend], _ = _scorecast(DASK_BENCHMARK + ["-o", path] + extra)
            frame = pd.read_csv(path)
            frames[backend] = frame[frame["metric"] != "seconds"].reset_index(drop=True)
    same = frames["loky"].equals(frames["dask"])
    overhead = times["dask"] / times["loky"] - 1
    return {"case": "benchmark-dask-vs-loky", "table": "cpp-llm",
            "timed": f"loky {times['loky']:.1f} s, dask {times['dask']:.1f} s",
            "seconds": round(times["dask"], 3), "target_s": "overhead < 20%",
            "overhead": f"{100 * overhead:.0f}%", "same_numbers": same,
            "ok": same and overhead < 0.2}


def _run(name):
    if name in CASES:
        return run_case(name)
    if name in COMMANDS:
        return run_command(name)
    return run_dask()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = list(CASES) + list(COMMANDS) + ["benchmark-dask-vs-loky"]
    parser.add_argument("--case", choices=names)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.case:
        print(json.dumps(_run(args.case), default=str))
        return
    rows = []
    for name in names:
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
