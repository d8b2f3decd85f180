"""The default method (`auto`) against the references a user could pick instead.

References: scikit-learn's IterativeImputer (with the model factors as columns,
and without them), scikit-learn's KNNImputer, and BenchPress's predictor
(`bench-regression`), each as a scorecast method so that every one sees the
same training cells. Protocols, each with the same hidden cells for every
method:

* random 10% of the observed scores;
* new models with 0 known scores (factors only; tables with model factors)
  and with 2 known scores;
* the largest models (by parameter count) with 2 known, or the newest (by
  release date) when there is no size factor;
* BenchPress's: half of each model's scores hidden; and 5 folds of 20%.

Prints, per table and protocol, the mean and median absolute error in points
(fractions are multiplied by 100; on a table mixing scales, only the tasks on a
0-1 or 0-100 scale are counted) of each method, auto's ratio to the reference
named in advance (iterative-imputer on tables at least 35% filled,
bench-regression on sparser ones) and to the best reference after the fact,
and fit times as ratios to bench-regression's in the same run.

    python benchmarks/references.py [--tables cpp-llm,llm-stats,helm-core,dense,frontier]
        [--seeds 2] [--data F.csv --model-factors M.csv --name NAME]
        [--output rows.csv]      # one row per (table, protocol, seed, method); reruns
                                 # skip the rows already there
        [--merge other.csv] [--markdown]   # report rows of several runs, as one table
"""

import argparse
import copy
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

from scorecast import ScoreMatrix, datasets, make_predictor
from scorecast.evaluation import (largest_models, new_models, newest_models, per_model,
                                  random_cells, random_folds)
from scorecast.factors import date_factor, parameter_factor
from scorecast.synthetic import make_leaderboard

# label: (method, parameters, uses the table's factors)
METHODS = {
    "auto": ("auto", {}, True),
    "auto without factors": ("auto", {}, False),
    "auto preset=best": ("auto", {"preset": "best"}, True),
    "iterative-imputer": ("iterative-imputer", {}, True),
    "iterative-imputer without factors": ("iterative-imputer", {"use_factors": False}, False),
    "knn-imputer": ("knn-imputer", {}, False),
    "bench-regression": ("bench-regression", {}, False),
}
REFERENCES = [m for m in METHODS if not m.startswith("auto")]
# Where --held-out-portfolios names a folder, auto on a published table uses the portfolio
# built without that table (`benchmarks/portfolio.py --exclude NAME --output
# DIR/without-NAME.json`): a table that chose the portfolio is no evidence for it.
HELD_OUT = {}


def without_factors(table):
    bare = copy.copy(table)
    bare.model_factors = pd.DataFrame(index=table.models)
    bare.task_factors = pd.DataFrame(index=table.tasks)
    bare.model_factor_kinds, bare.task_factor_kinds = {}, {}
    return bare


def protocols(table, seed):
    """(name, [splits]) for every protocol that applies to the table."""
    has_factors = table.model_factors.shape[1] > 0
    n_new = max(3, table.shape[0] // 10)
    out = [("random 10%", [random_cells(table, 0.10, random_state=seed)])]
    if has_factors:
        out.append(("new models, 0 known",
                    [new_models(table, known=0, n_models=n_new, random_state=seed)]))
    out.append(("new models, 2 known",
                [new_models(table, known=2, n_models=n_new, random_state=seed)]))
    n_top = max(3, table.shape[0] // 20)
    if parameter_factor(table.model_factor_kinds):
        out.append(("largest models, 2 known",
                    [largest_models(table, known=2, n_models=n_top, random_state=seed)]))
    elif date_factor(table.model_factor_kinds):
        out.append(("newest models, 2 known",
                    [newest_models(table, known=2, n_models=n_top, random_state=seed)]))
    out.append(("per model 50%", [per_model(table, 0.5, random_state=seed)]))
    out.append(("random 20% x 5 folds", random_folds(table, 5, random_state=seed)))
    return out


def load_tables(args):
    names = [n for n in args.tables.split(",") if n]
    for name in names:
        if name in ("dense", "generations", "frontier"):
            yield name, make_leaderboard(name, random_state=0)[0]
        else:
            yield name, datasets.load(name)
    for k, path in enumerate(args.data or []):
        factors = args.model_factors[k] if args.model_factors else None
        label = args.name[k] if args.name else path
        yield label, ScoreMatrix.from_csv(path, model_factors=factors or None, name=label)


def points(table):
    """Which tasks count, and the factor that turns their scores into points."""
    upper = table.task_info["upper"].to_numpy()
    counted = upper <= 100
    scale = 100.0 if (upper[counted] <= 1).all() else 1.0
    return counted, scale


def errors(label, split, table, truth, seed):
    method, params, factors = METHODS[label]
    if method == "auto" and (table.name in HELD_OUT or "*" in HELD_OUT):
        params = dict(params, portfolio=HELD_OUT.get(table.name, HELD_OUT.get("*")))
    predictor = make_predictor(method, **params)
    if "random_state" in predictor.get_params():
        predictor.set_params(random_state=seed)
    train = split.train if factors else without_factors(split.train)
    start = time.perf_counter()
    predicted = predictor.fit(train).complete(keep_observed=False).to_numpy()
    seconds = time.perf_counter() - start
    rows, cols = split.test[:, 0], split.test[:, 1]
    return np.abs(predicted[rows, cols] - truth[rows, cols]), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="cpp-llm,llm-stats,helm-core,dense,frontier")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--methods", default=",".join(m for m in METHODS if "preset" not in m),
                        help="labels of METHODS (default: all but 'auto preset=best')")
    parser.add_argument("--protocols", default=None,
                        help="protocol names to keep, separated by semicolons (default: all)")
    parser.add_argument("--data", action="append", help="a score CSV (repeatable)")
    parser.add_argument("--model-factors", action="append")
    parser.add_argument("--name", action="append")
    parser.add_argument("--output", help="CSV of every row; rows already in it are skipped")
    parser.add_argument("--held-out-portfolios", metavar="DIR",
                        help="auto on table NAME uses DIR/without-NAME.json where it exists, "
                             "and DIR/full.json (if there) on the other tables")
    parser.add_argument("--markdown", action="store_true",
                        help="print one Markdown table (MAE and median AE) instead of blocks")
    parser.add_argument("--before", metavar="ROWS.csv",
                        help="rows of another version (a CSV written by --output): its auto "
                             "becomes 'auto before', and the report compares them")
    parser.add_argument("--merge", action="append", default=[],
                        help="rows of another run (a CSV written by --output) to report with "
                             "these (repeatable)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.held_out_portfolios:
        for path in os.listdir(args.held_out_portfolios):
            if path.startswith("without-") and path.endswith(".json"):
                HELD_OUT[path[len("without-"):-len(".json")]] = os.path.join(
                    args.held_out_portfolios, path)
            elif path == "full.json":
                HELD_OUT["*"] = os.path.join(args.held_out_portfolios, path)
    chosen = [m for m in args.methods.split(",") if m]
    columns = ["table", "protocol", "seed", "method", "mae", "median_ae", "seconds",
               "density"]
    rows = []
    if args.output and os.path.exists(args.output):
        rows = [tuple(r) for r in pd.read_csv(args.output)[columns].itertuples(index=False)]
    done = {r[:4] for r in rows}
    for name, table in load_tables(args):
        counted, scale = points(table)
        truth = table.scores.to_numpy(dtype=float)
        has_factors = table.model_factors.shape[1] > 0
        # Without factors, the "no factors" variants are the plain ones.
        labels = [m for m in chosen if has_factors or "without factors" not in m]
        for seed in range(args.seeds):
            for protocol, splits in protocols(table, seed):
                if args.protocols and protocol not in args.protocols.split(";"):
                    continue
                for label in labels:
                    if (name, protocol, seed, label) in done:
                        continue
                    parts = [errors(label, s, table, truth, seed) for s in splits]
                    kept = counted[np.concatenate([s.test[:, 1] for s in splits])]
                    abs_errors = np.concatenate([p[0] for p in parts])[kept] * scale
                    rows.append((name, protocol, seed, label, abs_errors.mean(),
                                 np.median(abs_errors), sum(p[1] for p in parts),
                                 table.density))
                    if args.output:
                        pd.DataFrame(rows, columns=columns).to_csv(args.output, index=False)
                these = [r for r in rows if r[:3] == (name, protocol, seed)]
                print(f"{name} | {protocol} | seed {seed}: " + ", ".join(
                    f"{r[3]} {r[4]:.2f}" for r in these), file=sys.stderr, flush=True)
    merged = [pd.read_csv(path)[columns] for path in args.merge]
    if args.before:
        before = pd.read_csv(args.before)[columns]
        before = before[before["method"] == "auto"].assign(method="auto before")
        frame = pd.concat([pd.DataFrame(rows, columns=columns), *merged, before],
                          ignore_index=True)
        against_before(frame)
        return
    frame = pd.concat([pd.DataFrame(rows, columns=columns), *merged], ignore_index=True)
    (markdown if args.markdown else report)(same_seeds(frame))


def same_seeds(frame):
    """The rows of the seeds that every method of their table and protocol has run."""
    counts = frame.groupby(["table", "protocol", "seed"])["method"].transform("nunique")
    most = counts.groupby([frame["table"], frame["protocol"]]).transform("max")
    return frame[counts == most]


def named_reference(density):
    """The reference named in advance: the iterative imputer on tables at least 35% filled."""
    return "iterative-imputer" if density >= 0.35 else "bench-regression"


def markdown(frame):
    """One row per table and protocol: each method's MAE (median AE), auto's ratios."""
    first = {table: k for k, table in enumerate(pd.unique(frame["table"]))}
    frame = frame.iloc[np.argsort(frame["table"].map(first).to_numpy(), kind="stable")]
    mean = frame.groupby(["table", "protocol", "method"], sort=False)[
        ["mae", "median_ae", "density", "seconds"]].mean()
    seeds = frame.groupby(["table", "protocol"], sort=False)["seed"].nunique()
    methods = [m for m in METHODS if m in mean.index.get_level_values(2)]
    print("| table | protocol | seeds | " + " | ".join(methods) +
          " | auto / named | auto / best reference | auto's time / bench-regression's |")
    print("|" + "---|" * (len(methods) + 6))
    for (table, protocol), block in mean.groupby(level=[0, 1], sort=False):
        block = block.droplevel([0, 1])
        cells = [f"{block.loc[m, 'mae']:.2f} ({block.loc[m, 'median_ae']:.2f})"
                 if m in block.index else "" for m in methods]
        references = [m for m in REFERENCES if m in block.index]
        named = named_reference(block["density"].iloc[0])
        ratios = ["", "", ""]
        if "auto" in block.index and references:
            best = block.loc[references, "mae"].idxmin()
            auto = block.loc["auto", "mae"]
            ratios = [f"{auto / block.loc[named, 'mae']:.2f}" if named in block.index else "",
                      f"{auto / block.loc[best, 'mae']:.2f} ({best})",
                      f"{block.loc['auto', 'seconds'] / block.loc['bench-regression', 'seconds']:.0f}"
                      if "bench-regression" in block.index else ""]
        print(f"| {table} | {protocol} | {seeds[(table, protocol)]} | " +
              " | ".join(cells + ratios) + " |")


def against_before(frame):
    """auto against `auto before` (another version's rows, --before) row by row, with
    `auto preset=best` and the iterative imputer where they ran; then the mean and worst
    ratios."""
    mean = frame.groupby(["table", "protocol", "method"], sort=False)[["mae", "seconds"]].mean()
    seeds = frame[frame["method"] == "auto"].groupby(["table", "protocol"])["seed"].nunique()
    print("| table | protocol | seeds | auto | auto before | auto / before | seconds (auto, "
          "before) | preset=best | iterative-imputer | auto / iterative-imputer |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for (table, protocol), block in mean.groupby(level=[0, 1], sort=False):
        block = block.droplevel([0, 1])
        if not {"auto", "auto before"} <= set(block.index):
            continue
        auto, before = block.loc["auto", "mae"], block.loc["auto before", "mae"]
        ratios.append(auto / before)
        best = block["mae"].get("auto preset=best")
        imputer = block["mae"].get("iterative-imputer")
        print(f"| {table} | {protocol} | {seeds.get((table, protocol), 0)} | {auto:.2f} | "
              f"{before:.2f} | {auto / before:.3f} | {block.loc['auto', 'seconds']:.1f}, "
              f"{block.loc['auto before', 'seconds']:.1f} | "
              + (f"{best:.2f}" if best is not None else "") + " | "
              + (f"{imputer:.2f} | {auto / imputer:.3f} |" if imputer is not None else " | |"))
    ratios = np.array(ratios)
    print(f"\nauto / auto before over {len(ratios)} rows: mean {ratios.mean():.3f}, worst "
          f"{ratios.max():.3f}; {(ratios > 1.03).sum()} rows above 1.03")


def report(frame):
    mean = frame.groupby(["table", "protocol", "method"], sort=False)[
        ["mae", "median_ae", "seconds", "density"]].mean()
    for (table, protocol), block in mean.groupby(level=[0, 1], sort=False):
        block = block.droplevel([0, 1])
        references = [m for m in REFERENCES if m in block.index]
        named = named_reference(block["density"].iloc[0])
        print(f"\n{table} | {protocol}")
        timing = block["seconds"] / block["seconds"].get("bench-regression", np.nan)
        print(pd.DataFrame({"MAE": block["mae"], "median AE": block["median_ae"],
                            "time / bench-regression": timing}).round(2).to_string())
        if "auto" in block.index and references:
            best = block.loc[references, "mae"].idxmin()
            print(f"auto / {named}: {block.loc['auto', 'mae'] / block.loc[named, 'mae']:.3f} "
                  f"(target <= 0.90);  auto / best reference ({best}): "
                  f"{block.loc['auto', 'mae'] / block.loc[best, 'mae']:.3f} (target <= 0.95);  "
                  f"median AE auto / bench-regression: "
                  f"{block.loc['auto', 'median_ae'] / block.loc['bench-regression', 'median_ae']:.3f}")


if __name__ == "__main__":
    main()
