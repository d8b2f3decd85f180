"""Fit and command times, with ratios to an ``mf`` fit measured in the same run, and peak memory.

Each case runs in its own process so that its peak resident memory is its own;
on a shared machine compare ratios within one run, not absolute times: every
case also times ``mf`` on the same table (a fit case) or the same command with
``--method mf`` (a command case), and prints the ratio.

    python benchmarks/speed.py              # every case
    python benchmarks/speed.py --case auto-cpp-llm
    python benchmarks/speed.py --group default   # the default method's cases only

Targets (2 CPU cores) are each case's ``target_s``. The default method's: a fit
on a 12 x 6 table under 1 s and the whole ``complete`` under 2 s; on cpp-llm a
fit under 1.5 s, the README's first command under 3 s, ``predict --interval
0.9`` under 5 s and ``report`` under 10 s; on llm-stats under 3 s; on 80 x 50
(35%, with factors) under 1 s; on 7,000 x 6 (90%) under 5 s; ``suggest --subset
5`` on cpp-llm under 30 s; on 20,000 x 300 at 1% under 60 s, with a progress
line in the first seconds. Others: the paper protocol (10 seeds, every method)
in 60 s, one ncf-factors fit on cpp-llm in 1 s, mf on 20,000 x 500 (10%) in
10 s and on a sparse 200,000 x 2,000 table (0.5%) in 120 s, both under 4 GB; a
benchmark on a two-worker local Dask cluster gives loky's numbers with under
20% overhead; `scorecast --help` in 0.5 s.
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


def _small_12x6():
    """A 12 x 6 leaderboard with 13 holes and model factors (a user's first table)."""
    from scorecast.synthetic import make_leaderboard

    return make_leaderboard("dense", n_models=12, n_tasks=6, density=0.82, random_state=7)[0]


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


def _llm_stats():
    from scorecast import datasets

    return datasets.load("llm-stats")


# fitting cases: (table factory, method, params, what is timed, target seconds)
CASES = {
    "mf-cpp-llm": (_cpp_llm, "mf", {}, "fit", 0.2),
    "ncf-factors-cpp-llm": (_cpp_llm, "ncf-factors", {}, "fit", 1),
    "auto-12x6": (_small_12x6, "auto", {}, "fit", 1),
    "auto-cpp-llm": (_cpp_llm, "auto", {}, "fit", 1.5),
    "auto-best-cpp-llm": (_cpp_llm, "auto", {"preset": "best"}, "fit", None),
    "auto-llm-stats": (_llm_stats, "auto", {}, "fit", 3),
    "auto-80x50": (_frontier_80x50, "auto", {}, "fit", 1),
    "bench-regression-80x50": (_frontier_80x50, "bench-regression", {}, "fit", 3),
    "mf-7000x6": (lambda: _low_rank(7000, 6, 0.9), "mf", {}, "fit+complete", 2),
    "auto-7000x6": (lambda: _low_rank(7000, 6, 0.9), "auto", {}, "fit+complete", 5),
    "mf-20000x500": (lambda: _low_rank(20000, 500, 0.1), "mf", {}, "fit+complete", 10),
    "mf-200000x2000-sparse": (_sparse_200000x2000, "mf", {}, "fit+predict 100,000 cells", 120),
}
# command cases: (arguments of `scorecast`, target seconds); {small} and {large} are the
# 12 x 6 and the 20,000 x 300 tables written as CSV for the run
COMMANDS = {
    "help": (["--help"], 0.5),
    "paper-protocol": (["benchmark", "--protocol", "paper"], 60),
    "complete-12x6": (["complete", "{small}", "-o", "{out}.csv"], 2),
    "readme-predict": (["predict", "--dataset", "cpp-llm", "--model", "Llama 3 8B"], 3),
    "predict-interval-auto": (["predict", "--dataset", "cpp-llm", "--model", "Llama 3 8B",
                               "--interval", "0.9"], 5),
    "report-cpp-llm": (["report", "--dataset", "cpp-llm", "-o", "{out}.html"], 10),
    "suggest-subset-5-auto": (["suggest", "--dataset", "cpp-llm", "--subset", "5",
                               "--method", "auto", "-o", "{out}.csv"], 30),
    "complete-20000x300": (["complete", "{large}", "--long", "-o", "{out}.csv"], 60),
}
# The cases of the default method (--group default).
DEFAULT_GROUP = ["auto-12x6", "auto-cpp-llm", "auto-llm-stats", "auto-80x50", "auto-7000x6",
                 "complete-12x6", "readme-predict", "predict-interval-auto", "report-cpp-llm",
                 "suggest-subset-5-auto", "complete-20000x300"]
# The same benchmark on loky and on a local Dask cluster of two workers.
DASK_BENCHMARK = ["benchmark", "--protocol", "random", "--seeds", "4", "--methods",
                  "mf,soft-impute,ncf", "--jobs", "2"]


def run_case(name):
    from scorecast import make_predictor

    make_table, method, params, timed, target = CASES[name]
    table = make_table()

    def timed_run(method, params):
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
        return time.perf_counter() - start

    seconds = timed_run(method, params)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mf_seconds = seconds if method == "mf" else timed_run("mf", {})
    return {"case": name, "table": f"{table.shape[0]}x{table.shape[1]}",
            "observed": table.n_observed, "timed": timed, "seconds": round(seconds, 3),
            "mf_ratio": round(seconds / mf_seconds, 1), "target_s": target,
            "peak_mb": round(peak_mb), "ok": None if target is None else seconds < target}


_MAIN = "import sys; from scorecast.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _scorecast(args):
    """Seconds of one `scorecast` command in a new process, its peak memory, and the
    seconds after its start of its first progress line (None without one)."""
    start = time.perf_counter()
    run = subprocess.Popen([sys.executable, "-c", _MAIN] + args, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    first_progress, lines = None, []
    for line in run.stderr:
        lines.append(line)
        if first_progress is None and "elapsed" in line:
            first_progress = time.perf_counter() - start
    run.wait()
    seconds = time.perf_counter() - start
    if run.returncode:
        raise RuntimeError(lines[-1].strip() if lines else f"exit {run.returncode}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb, first_progress


def _write_table(folder, which):
    """The 12 x 6 table (``small``: wide, with its factors) or the 20,000 x 300 one at 1%
    (``large``: long), as a CSV in `folder`."""
    path = os.path.join(folder, f"{which}.csv")
    if which == "small":
        wide = _small_12x6().to_wide()
        wide.index.name = "model"
        wide.to_csv(path)
    else:
        _low_rank(20_000, 300, 0.01).to_long().to_csv(path, index=False)
    return path


def run_command(name):
    args, target = COMMANDS[name]
    with tempfile.TemporaryDirectory() as folder:
        paths = {which: _write_table(folder, which) for which in ("small", "large")
                 if any(f"{{{which}}}" in a for a in args)}
        filled = [a.format(out=os.path.join(folder, "out"), **paths) for a in args]
        seconds, peak_mb, first = _scorecast(filled)
        mf_ratio = None
        if args[0] in ("complete", "predict", "report", "suggest"):
            # The same command with --method mf (any --method given is dropped, with its value).
            mf_args = list(filled)
            if "--method" in mf_args:
                del mf_args[mf_args.index("--method"):mf_args.index("--method") + 2]
            mf_seconds, _, _ = _scorecast(mf_args + ["--method", "mf", "--force"])
            mf_ratio = round(seconds / mf_seconds, 1)
    row = {"case": name, "table": "cpp-llm" if "cpp-llm" in args else "",
           "timed": "scorecast " + " ".join(args[:2]), "seconds": round(seconds, 3),
           "mf_ratio": mf_ratio, "target_s": target, "peak_mb": round(peak_mb),
           "ok": seconds < target}
    if name == "complete-20000x300":
        row["first_progress_s"] = None if first is None else round(first, 1)
        row["ok"] = row["ok"] and first is not None and first < 15
    return row


def run_dask():
    """loky, then a two-worker local Dask cluster: same numbers, and the time ratio."""
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as folder, \
            LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                         dashboard_address=":0") as cluster:
        times, frames = {}, {}
        for backend, extra in (("loky", []), ("dask", ["--scheduler", cluster.scheduler_address])):
            path = os.path.join(folder, f"{backend}.csv")
            times[backend], _, _ = _scorecast(DASK_BENCHMARK + ["-o", path] + extra)
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
    parser.add_argument("--group", choices=["default"],
                        help="only the default method's cases")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.case:
        print(json.dumps(_run(args.case), default=str))
        return
    if args.group:
        names = DEFAULT_GROUP
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
