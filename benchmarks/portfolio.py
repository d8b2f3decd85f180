"""Build the portfolio of `auto`: a meta-dataset of every candidate's held-out error on a
corpus of tables, and the short list of members worth fitting for each kind of table.

    python benchmarks/portfolio.py                    # meta-dataset + portfolio (~15 min)
    python benchmarks/portfolio.py --reuse meta.csv   # portfolio from a saved meta-dataset
    python benchmarks/portfolio.py --exclude cpp-llm  # leave a source out (honest checks)

The corpus (``corpus()``) holds the tables users bring: the published datasets
(``cpp-llm``, ``helm-core``, ``llm-stats``; with and without their model
factors, and thinned to lower fills), a sample of ``open-llm-v2`` (the Open
LLM Leaderboard v2: dense, 6 tasks), and synthetic leaderboards of :mod:`scorecast.synthetic`
from 10 x 5 to 7,000 x 6 and 300 x 100, filled from 5% to 98%, dense,
two-generation and frontier-shaped. Each table is cut five ways, the hole
shapes of the benchmark protocols and of `auto`'s own cross-validation: 10% of
the observed scores at random; all but 2 scores of a tenth of the
well-observed models; with model factors, every score of a tenth of the
models; half of each model's scores; and the largest (or newest) models cut
to 2 scores. On each (table, hole) every candidate of ``auto``'s exhaustive pool
(:func:`scorecast.predictors.auto.default_candidates`) is fitted without the
hidden cells; its error is the mean absolute error on them in units of each
task's spread, the unit `auto` blends in.

The portfolio is chosen per kind of table (:func:`scorecast.predictors.portfolio.table_kind`:
model factors or not, and sparse / medium / dense fill) the way Auto-sklearn 2.0
builds its portfolio: greedily, the candidate that most lowers the kind's mean
regret (an instance's error with the best member chosen so far over the best
error of any candidate on it), where a candidate that costs more than
``--cheap`` times a rank-2 factorisation must lower it by ``--min-gain-costly``
(default 1%) to join and a cheap one by ``--min-gain`` (0.2%). The result is
written to ``scorecast/predictors/portfolio.json``, which ``auto`` reads.
"""

import argparse
import json
import os
import sys
import time
import warnings
import zlib

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from scorecast import datasets
from scorecast._holes import all_but_known
from scorecast.errors import ScorecastError
from scorecast.evaluation import largest_models, newest_models, per_model
from scorecast.factors import date_factor, parameter_factor
from scorecast.predictors.auto import _SCALABLE, _SMALL_TABLE, _held_out, default_candidates
from scorecast.predictors.portfolio import KINDS, kind_of, table_kind
from scorecast.synthetic import make_leaderboard

HERE = os.path.dirname(os.path.abspath(__file__))
PORTFOLIO = os.path.join(HERE, "..", "scorecast", "predictors", "portfolio.json")
HOLES = ("random cells", "2 known", "0 known", "half of each model", "largest, 2 known",
         "newest, 2 known")


def _strip(table):
    out = table.with_scores(table.scores.to_numpy(dtype=float))
    out.model_factors = pd.DataFrame(index=table.models)
    out.task_factors = pd.DataFrame(index=table.tasks)
    out.model_factor_kinds, out.task_factor_kinds = {}, {}
    out.name = table.name + " (no factors)"
    return out


def _thin(table, fill, seed):
    """The table with observed cells hidden at random until `fill` of its cells remain
    (every model and task keeps one)."""
    rng = np.random.default_rng(seed)
    observed = table.observed
    keep = observed & (rng.random(observed.shape) < fill / max(observed.mean(), 1e-9))
    rows = np.flatnonzero(observed.any(axis=1))
    for i in rows[~keep[rows].any(axis=1)]:
        keep[i, rng.choice(np.flatnonzero(observed[i]))] = True
    scores = table.scores.to_numpy(dtype=float, copy=True)
    scores[~keep] = np.nan
    out = table.with_scores(scores)
    out.name = f"{table.name} at {fill:.0%}"
    return out


def corpus():
    """(source, table) pairs: the published datasets and their variants, a sample of the
    Open LLM Leaderboard v2, and synthetic leaderboards of many shapes."""
    cpp, helm, stats = (datasets.load(n) for n in ("cpp-llm", "helm-core", "llm-stats"))
    yield "cpp-llm", cpp
    yield "cpp-llm", _strip(cpp)
    yield "cpp-llm", _thin(cpp, 0.2, 1)
    yield "cpp-llm", _strip(_thin(cpp, 0.3, 6))
    yield "helm-core", helm
    yield "helm-core", _thin(helm, 0.5, 2)
    yield "helm-core", _thin(helm, 0.15, 5)
    yield "llm-stats", stats
    yield "llm-stats", _strip(stats)
    # its 40 most-evaluated tasks: a denser frontier table
    busiest = stats.tasks[np.argsort(-stats.observed.sum(axis=0), kind="stable")[:40]]
    dense_stats = stats.subset(tasks=busiest)
    scored = dense_stats.observed.any(axis=1)
    dense_stats = dense_stats.subset(models=dense_stats.models[scored])
    dense_stats.name = "llm-stats, 40 busiest tasks"
    yield "llm-stats", dense_stats
    # a sample of 600 of its models (the dense 6-task table of harness results)
    olv2 = datasets.load("open-llm-v2")
    olv2 = olv2.subset(models=np.sort(np.random.default_rng(0).choice(olv2.models, 600,
                                                                      replace=False)))
    olv2.name = "open-llm-v2 600"
    yield "open-llm-v2", olv2
    yield "open-llm-v2", _thin(olv2, 0.6, 3)
    yield "open-llm-v2", _strip(_thin(olv2, 0.85, 4))
    shapes = [  # (shape, n_models, n_tasks, density, noise)
        ("dense", 10, 5, 0.95, 1.0), ("dense", 12, 6, 0.85, 1.0), ("dense", 30, 8, 0.9, 2.0),
        ("dense", 100, 6, 0.95, 1.0), ("dense", 400, 6, 0.98, 1.0), ("dense", 400, 6, 0.6, 2.0),
        ("dense", 200, 20, 0.5, 1.5), ("dense", 200, 40, 0.25, 1.5), ("dense", 7000, 6, 0.9, 1.0),
        ("dense", 60, 15, 0.8, 3.0),
        ("generations", 300, 12, 0.95, 1.0), ("generations", 120, 20, 0.8, 2.0),
        ("frontier", 40, 30, 0.1, 1.0), ("frontier", 80, 50, 0.35, 1.0),
        ("frontier", 150, 90, 0.11, 1.5), ("frontier", 300, 100, 0.05, 1.0),
        ("frontier", 300, 100, 0.2, 1.0), ("frontier", 60, 20, 0.3, 2.0),
        ("frontier", 25, 12, 0.4, 1.0),
    ]
    for k, (shape, n_models, n_tasks, density, noise) in enumerate(shapes):
        table = make_leaderboard(shape, n_models=n_models, n_tasks=n_tasks, density=density,
                                 noise=noise, random_state=100 + k)[0]
        table.name = f"synthetic {shape} {n_models}x{n_tasks} {density:.0%}"
        yield "synthetic", table
        if k % 3 == 1 or (shape == "frontier" and density < 0.2):   # again, bare
            yield "synthetic", _strip(table)


def holes(table, seed):
    """(hole shape, hidden cells) of one draw: the hole shapes of auto's own folds (10% of
    the cells at random, all but 2 scores of a tenth of the models, and with model factors
    all their scores) and of the benchmark protocols (half of each model's scores; the
    largest, or newest, models cut to 2 scores)."""
    rng = np.random.default_rng(seed)
    observed = table.observed
    cells = np.argwhere(observed)
    out = [("random cells", cells[rng.choice(len(cells), max(1, len(cells) // 10),
                                             replace=False)])]
    rich = np.flatnonzero(observed.sum(axis=1) >= 4)
    n_rows = max(2, len(rich) // 10)
    if len(rich) >= 6:
        out.append(("2 known", all_but_known(observed, rng.choice(rich, n_rows, replace=False),
                                             2, rng)))
        if table.model_factors.shape[1] > 0:
            out.append(("0 known", all_but_known(observed, rng.choice(rich, n_rows,
                                                                      replace=False), 0, rng)))
    out.append(("half of each model", per_model(table, 0.5, random_state=seed).test))
    top = max(3, table.shape[0] // 20)
    for shape, splitter, factor in (("largest, 2 known", largest_models, parameter_factor),
                                    ("newest, 2 known", newest_models, date_factor)):
        if factor(table.model_factor_kinds):
            try:
                out.append((shape, splitter(table, known=2, n_models=top,
                                            random_state=seed).test))
            except ScorecastError:          # too few models with the factor
                pass
            break
    return [(shape, hidden) for shape, hidden in out if len(hidden)]


def _spread(table):
    raw = table.scores.to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(raw, axis=0)
    fallback = np.nanmedian(spread[spread > 0]) if (spread > 0).any() else 1.0
    return np.where(np.isfinite(spread) & (spread > 0), spread, fallback)


def instance_rows(source, table, rep):
    """Every candidate's error and seconds on the holes of draw `rep` of `table`."""
    warnings.simplefilter("ignore")
    features = dict(source=source, table=table.name, n_models=table.shape[0],
                    n_tasks=table.shape[1], density=round(table.density, 4),
                    n_observed=table.n_observed, factors=table.model_factors.shape[1] > 0,
                    kind=table_kind(table))
    pool = default_candidates(features["factors"], table.n_observed, table.density,
                              table.shape[1], table.shape[0])
    if table.n_observed > _SMALL_TABLE:
        # auto fits only the methods whose cost grows in step with the scores on tables this
        # large (the imputers' and regressions' grows faster).
        pool = [c for c in pool if c[1] in _SCALABLE]
    raw, spread = table.scores.to_numpy(dtype=float), _spread(table)
    rows = []
    # zlib's checksum, not hash(): Python salts string hashes per process.
    for hole, hidden in holes(table, 1000 * rep + zlib.crc32(table.name.encode()) % 997):
        truth = raw[hidden[:, 0], hidden[:, 1]]
        for label, method, params in pool:
            start = time.perf_counter()
            try:
                predicted = _held_out(table, hidden, method, params, 0)
                error = float(np.mean(np.abs(predicted - truth) / spread[hidden[:, 1]]))
            except Exception as exc:        # a candidate that fails is not chosen
                print(f"{table.name} {hole} {label}: {exc}", file=sys.stderr)
                error = np.nan
            rows.append(dict(features, rep=rep, hole=hole, cells=len(hidden), candidate=label,
                             method=method, params=json.dumps(params, sort_keys=True),
                             error=error, seconds=time.perf_counter() - start))
    return rows


def meta_dataset(jobs):
    tables = list(corpus())
    work = [(s, t, rep) for s, t in tables for rep in range(2 if t.n_observed < 3000 else 1)]
    print(f"{len(tables)} tables, {len(work)} draws", file=sys.stderr)
    parts = Parallel(n_jobs=jobs, verbose=5)(delayed(instance_rows)(*w) for w in work)
    return pd.DataFrame([r for part in parts for r in part])


def regret_matrix(meta):
    """Instances x candidates: error over the instance's best error (inf where the
    candidate was not in the table's pool or failed), and each instance's weight: every
    source (a published dataset and its variants; all synthetic tables together) weighs
    the same, shared equally by its instances, so that the many synthetic tables do not
    outvote the real ones."""
    errors = meta.pivot_table(index=["source", "table", "rep", "hole"], columns="candidate",
                              values="error", aggfunc="first")
    best = errors.min(axis=1)
    regret = errors.div(best, axis=0).fillna(np.inf)
    sources = regret.index.get_level_values("source")
    weight = 1.0 / pd.Series(sources).map(pd.Series(sources).value_counts()).to_numpy()
    return regret, weight / weight.sum()


def relative_cost(meta):
    """Each candidate's median seconds over a rank-2 factorisation's on the same instances."""
    seconds = meta.pivot_table(index=["source", "table", "rep", "hole"], columns="candidate",
                               values="seconds", aggfunc="first")
    reference = seconds.filter(like="-r2").median(axis=1)
    return seconds.div(reference, axis=0).median()


def greedy(regret, weight, cost, size, min_gain, min_gain_costly, cheap):
    """Members in order of choice, and the weighted mean regret after each.

    Each step adds the candidate that most lowers the mean regret of the best member
    so far; a costly candidate must gain `min_gain_costly` (else the best cheap one is
    taken, if it gains `min_gain`).
    """
    def mean_regret(current):
        # an instance no member can predict counts as three times the best error
        return float(np.sum(weight * np.where(np.isfinite(current), current, 3.0)))

    chosen, history = [], []
    current = np.full(len(regret), np.inf)
    while len(chosen) < size:
        previous = mean_regret(current)
        scores = {c: mean_regret(np.minimum(current, regret[c].to_numpy()))
                  for c in regret.columns if c not in chosen}
        if not scores:
            break
        best = min(scores, key=scores.get)
        if chosen and cost.get(best, 1.0) > cheap and \
                (previous - scores[best]) / previous < min_gain_costly:
            cheap_ones = {c: v for c, v in scores.items() if cost.get(c, 1.0) <= cheap}
            if not cheap_ones:
                break
            best = min(cheap_ones, key=cheap_ones.get)
        if chosen and (previous - scores[best]) / previous < min_gain:
            break
        chosen.append(best)
        current = np.minimum(current, regret[best].to_numpy())
        history.append(round(scores[best], 4))
    return chosen, history


def build_portfolio(meta, args):
    cost = relative_cost(meta)
    specs = {r.candidate: [r.method, json.loads(r.params)]
             for r in meta.drop_duplicates("candidate").itertuples()}
    portfolio = {"about": ("Members of auto's portfolio per kind of table, chosen by "
                           "benchmarks/portfolio.py on its corpus; see docs/default-method.md."),
                 "kinds": {}}
    # The kind from the table's features (as auto computes it), not as stored.
    kinds = np.array([kind_of(f, d) for f, d in zip(meta["factors"], meta["density"])])
    for kind in KINDS:
        rows = meta[kinds == kind]
        if rows.empty:
            continue
        regret, weight = regret_matrix(rows)
        if args.max_cost is not None:
            regret = regret[[c for c in regret.columns if cost.get(c, 0.0) <= args.max_cost]]
        regret = regret[[c for c in regret.columns if c not in args.leave_out.split(",")]]
        chosen, history = greedy(regret, weight, cost, args.size, args.min_gain,
                                 args.min_gain_costly, args.cheap)
        single = (regret.where(np.isfinite(regret), 3.0).mul(weight, axis=0)).sum() \
            .sort_values()
        portfolio["kinds"][kind] = {
            "members": [[c] + specs[c] for c in chosen],
            "mean_regret": history,
            "best_single": [single.index[0], round(float(single.iloc[0]), 4)],
            "instances": int(len(regret)),
            "tables": sorted(rows["table"].unique().tolist()),
            "sources": sorted(rows["source"].unique().tolist()),
            "relative_cost": {c: round(float(cost.get(c, np.nan)), 2) for c in chosen},
        }
        print(f"{kind}: {len(regret)} instances; " + ", ".join(
            f"{c} ({h:.3f})" for c, h in zip(chosen, history)) +
            f"; best single {single.index[0]} {single.iloc[0]:.3f}", file=sys.stderr)
    return portfolio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", help="a meta-dataset written before (CSV)")
    parser.add_argument("--meta", default="portfolio-meta.csv",
                        help="where to write the meta-dataset")
    parser.add_argument("--exclude", default="",
                        help="sources to leave out, separated by commas (e.g. cpp-llm)")
    parser.add_argument("--output", default=PORTFOLIO)
    parser.add_argument("--size", type=int, default=8, help="members per kind at most")
    parser.add_argument("--min-gain", type=float, default=0.002)
    parser.add_argument("--min-gain-costly", type=float, default=0.01)
    parser.add_argument("--cheap", type=float, default=4.0,
                        help="a candidate costing at most this many rank-2 factorisations "
                             "is cheap")
    parser.add_argument("--max-cost", type=float, default=None,
                        help="leave out candidates costing more than this many rank-2 "
                             "factorisations")
    parser.add_argument("--leave-out", default="",
                        help="candidates never to choose, separated by commas")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.reuse:
        meta = pd.read_csv(args.reuse)
    else:
        meta = meta_dataset(args.jobs)
        meta.to_csv(args.meta, index=False)
    excluded = [s for s in args.exclude.split(",") if s]
    meta = meta[~meta["source"].isin(excluded)]
    portfolio = build_portfolio(meta, args)
    portfolio["excluded_sources"] = excluded
    with open(args.output, "w") as handle:
        json.dump(portfolio, handle, indent=1)
        handle.write("\n")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
