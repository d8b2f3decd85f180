"""``auto``: the default method, a blend of the few methods worth fitting on the table.

The cells a user wants predicted are of different kinds: a hole in a
well-evaluated model's row, a model known by two scores, a model known only by
its factors. Methods rank differently on each, and differently on dense and
sparse tables. ``auto`` therefore

1. takes the members of its portfolio for the table's kind (model factors or
   not; sparse or dense), chosen offline, once, by
   ``benchmarks/portfolio.py`` on a corpus of published and synthetic tables
   (:mod:`scorecast.predictors.portfolio`); with ``preset="best"`` it takes
   the whole exhaustive pool of :func:`default_candidates` instead;
2. fits them on folds that hide cells the way the table's own holes look:
   random observed cells, all but two scores of some models, and (when there
   are model factors) whole models;
3. learns, for each regime of "how many scores the model has", non-negative
   blending weights of the members from their out-of-fold errors (errors are
   measured per task in units of the task's spread, so that tasks on different
   scales count alike), shrunk toward the weights of all regimes;
4. refits the members that received weight on the whole table, and predicts
   each cell by the blend of its model's regime.

Everything depends only on the table and the seed: the members, the number of
cross-validation rounds (a count, never a time), the folds and the blend. Each
member's fit on each fold of a round is a job of its own, run on workers when
the round is worth them (:func:`scorecast._parallel.run_calls`); where they run
never changes the result.
"""

import sys
import warnings

import numpy as np
import pandas as pd
from joblib import delayed

from .. import _progress
from .._holes import all_but_known
from .._parallel import run_calls
from ..errors import ScorecastError, ScorecastWarning
from ..sparse import SparseScores
from ._base import ScorePredictor
from ._registry import METHODS, make_predictor, register, seeded
from .portfolio import portfolio_members, table_kind

# Regimes of a model's row by its number of known scores: 0, 1-2, 3-5, 6 and more.
_REGIME_EDGES = np.array([0, 1, 3, 6])
REGIMES = ["0 known", "1-2 known", "3-5 known", "6+ known"]
_MIN_CELLS_PER_REGIME = 50
# A task's own blend needs this many held-out cells (and is shrunk toward the blend of all
# tasks as if twice as many cells had shown that); above _MAX_TASK_BLEND (tasks x
# candidates x cells) the per-task blends are skipped to bound the selection's cost.
_MIN_CELLS_PER_TASK = 30
_MAX_TASK_BLEND = 5e8
# Cross-validation runs rounds until this many held-out cells are predicted (at least
# n_folds rounds, at most max_rounds: PRESETS[preset]).
_TARGET_CELLS = 1000
# Each fold hides 1/_FOLD_SHARE of the cells (or of the well-observed models).
_FOLD_SHARE = 6
#: preset: (the pool, the most rounds of cross-validation by default)
PRESETS = {"fast": ("portfolio", 3), "best": ("exhaustive", 20)}
# Fewer observed scores than this are not cross-validated (a fold would hide most of them).
_MIN_CV_SCORES = 12
# The blend starts from the best single candidate (by cross-validation), as strongly as if
# it had won 20 * _ANCHOR_CELLS / (_ANCHOR_CELLS + observed scores) of 20 selection steps:
# small tables give cross-validation little evidence to choose among many.
_ANCHOR_CELLS = 300
# After the first round of cross-validation only the best candidates go on: this many
# overall, and the best few of each regime. The survivors cost about this share of a
# round of the whole pool (the costly candidates are often among the best).
_KEEP = 6
_KEEP_PER_REGIME = 2
_LATER_ROUNDS = 0.5
# Ridge penalty of the per-task slopes on the model factors (see MatrixFactorization).
_SLOPE_REG = 0.3
# Which tables get scikit-learn's iterative imputers as candidates (see default_candidates).
_TREES_DENSITY, _TREES_TASKS, _RIDGE_DENSITY = 0.3, 40, 0.5
# BenchPress's regression joins tables sparser than this; the nearest-model and iterative
# imputers, tables of at most this many models (their cost grows with its square).
_BENCH_DENSITY = 0.4
_NEIGHBOUR_MODELS = 10_000
# Tables with more observed scores than these get smaller candidate pools (and, from the
# portfolio, only the members whose cost grows in step with the scores: _SCALABLE).
_SMALL_TABLE = 20_000
_LARGE_TABLE = 200_000
_SCALABLE = ("mf", "mean", "additive")
# Cross-validation sees at most this many models (a seeded sample of a larger table): the
# blend's weights need a few thousand held-out cells, not every model's.
_CV_MODELS = 2_000


def _regime(counts):
    return np.searchsorted(_REGIME_EDGES, counts, side="right") - 1


def _held_out(table, hidden, method, params, seed):
    """A candidate's predictions of the `hidden` cells, fitted on the table without them."""
    train = table.scores.to_numpy(dtype=float, copy=True)
    train[hidden[:, 0], hidden[:, 1]] = np.nan
    predicted = Auto._fit_quietly(Auto._candidate(method, params, seed),
                                  table.with_scores(train)).complete(keep_observed=False)
    return predicted.to_numpy()[hidden[:, 0], hidden[:, 1]]


def _cell_weights(weights, delta):
    """Blend weights of cells: a regime's weights plus the task's adjustment, clipped at 0
    and renormalised (broadcasting rows of `weights` against rows of `delta`)."""
    combined = np.maximum(weights + delta, 0.0)
    total = combined.sum(axis=-1, keepdims=True)
    return np.where(total > 0, combined / np.where(total > 0, total, 1.0),
                    np.broadcast_to(weights, combined.shape))


def default_candidates(has_model_factors, n_observed=0, density=0.0, n_tasks=0, n_models=0):
    """The candidate pool, ``[(label, method, params)]``, smaller for larger tables.

    Factorisations with several ranks and penalties in three target spaces
    (per-task z-scores; ``logit-floor``; ``logit-span``, whose link bends where
    each task's scores do), with the model factors as a prior and as per-task
    slopes when there are factors; soft-impute; and the references a user could
    pick instead where they pay for their cost (BenchPress's regression on
    sparse tables, the nearest models, scikit-learn's iterative imputers on
    tables dense enough). The pool depends only on the table (never on
    timings), so that the same seed always gives the same blend.

    Parameters
    ----------
    has_model_factors : bool
    n_observed : int
        Observed scores: larger tables get smaller pools.
    density : float
        Share of the table's cells observed.
    n_tasks, n_models : int
        The table's shape.
    """
    if n_observed <= _SMALL_TABLE:
        ranks, regs = (1, 2, 3), (0.3, 1.0, 3.0)
    elif n_observed <= _LARGE_TABLE:
        ranks, regs = (1, 2, 3), (1.0,)
    else:
        ranks, regs = (2,), (1.0,)
    pool = [("mean", "mean", {}), ("additive", "additive", {})]
    for prior in (False, True) if has_model_factors else (False,):
        for target in ("task", "logit-floor"):
            for rank in ranks:
                for reg in regs:
                    label = f"mf-{'prior-' if prior else ''}{target}-r{rank}-{reg:g}"
                    pool.append((label, "mf", dict(rank=rank, reg=reg, target=target,
                                                   factor_prior=prior)))
    for rank in ranks:
        pool.append((f"mf-logit-span-r{rank}", "mf", dict(rank=rank, target="logit-span")))
    if has_model_factors:
        for target in ("task", "logit-span"):
            for rank in ranks:
                pool.append((f"mf-slopes-{target}-r{rank}", "mf",
                             dict(rank=rank, target=target, factor_prior=True,
                                  factor_slopes=True, slope_reg=_SLOPE_REG)))
    if n_observed <= _LARGE_TABLE:
        pool.append(("soft-impute", "soft-impute", {}))
        if has_model_factors:
            pool.append(("factors-ridge", "factors-ridge", {}))
        # BenchPress's regressions shine where most scores are missing; on denser tables
        # they won cross-validation more often than they helped on held-out cells.
        if density < _BENCH_DENSITY:
            pool.append(("bench-regression", "bench-regression", {}))
    if n_models <= _NEIGHBOUR_MODELS:
        pool.append(("knn", "knn-imputer", dict(n_neighbors=10, weights="distance")))
        # scikit-learn's chained regressions (2-3 rounds settle them), where they pay for
        # their cost: trees on tables dense enough for them to see the other scores, the
        # linear model on dense tables. Elsewhere they fall behind the factorisations.
        if density >= _TREES_DENSITY and n_tasks <= _TREES_TASKS:
            # Each task is a forest per round: fewer, smaller forests when tasks are many.
            few = n_tasks <= _TREES_TASKS // 2
            pool.append(("imputer-trees", "iterative-imputer",
                         dict(estimator="extra-trees", max_iter=3 if few else 2,
                              n_estimators=20 if few else 10, max_features=0.3)))
            # A third of the work, for the portfolio of tables where trees pay but time counts.
            pool.append(("imputer-trees-lite", "iterative-imputer",
                         dict(estimator="extra-trees", max_iter=2, n_estimators=10 if few else 6,
                              max_features=0.3)))
        if density >= _RIDGE_DENSITY:
            pool.append(("imputer-ridge", "iterative-imputer",
                         dict(estimator="bayesian-ridge", max_iter=3)))
    return [c for c in pool if c[1] in METHODS]


@register("auto")
class Auto(ScorePredictor):
    """Automatic choice and blend of methods (the default method).

    Parameters
    ----------
    preset : {"fast", "best"}, default="fast"
        ``"fast"``: the members of the shipped portfolio for the table's kind
        (:mod:`scorecast.predictors.portfolio`), at most 3 rounds of
        cross-validation; a second or so on a table of a few thousand scores.
        ``"best"``: the exhaustive pool of :func:`default_candidates` (about 50
        candidates, with scikit-learn's imputers where they apply) and up to 20
        rounds; tens of seconds to minutes. Both are deterministic.
    n_folds : int, default=2
        Fewest rounds of cross-validation; each round hides cells in one fold of
        each kind (random cells, sparse models, factor-only models), and rounds
        go on until about 1,000 cells have been held out or `max_rounds`.
    max_rounds : int, optional
        Most rounds of cross-validation (default: 3 for ``"fast"``, 20 for
        ``"best"``): a budget counted in work, so results never depend on the
        machine's speed or load.
    candidates : list of (label, method, params), optional
        The pool, overriding the preset's.
    portfolio : str, optional
        A portfolio file written by ``benchmarks/portfolio.py`` (from your own
        corpus of tables); default: the one shipped with scorecast.
    random_state : int or None, default=None
    verbose : bool, default=False
        Print progress to standard error.
    n_jobs : int, optional
        Workers for cross-validation, on :mod:`scorecast._parallel`'s backend
        (default: one per core, once a fold shows the work is worth starting
        them; 1: this process). The results do not depend on it.
    time_budget : None
        Deprecated and ignored (results no longer depend on time); use
        `max_rounds` to bound the work.

    Attributes
    ----------
    members_ : list of ScorePredictor
        The refitted candidates that carry weight.
    labels_ : list of str
    weights_ : ndarray of shape (n_regimes, n_members)
        Blend weights per regime (rows: :data:`REGIMES`).
    cv_errors_ : pandas.DataFrame
        Out-of-fold mean absolute error (in task-spread units) of every
        candidate and of the blend, per regime.
    report_ : str
        One line: what was chosen.

    Examples
    --------
    >>> from scorecast import make_predictor
    >>> from scorecast.synthetic import make_leaderboard
    >>> table, _ = make_leaderboard("frontier", random_state=0)
    >>> auto = make_predictor("auto", random_state=0).fit(table)
    >>> auto.complete().shape
    (40, 30)
    """

    target = "raw"

    def __init__(self, preset="fast", n_folds=2, max_rounds=None, candidates=None,
                 portfolio=None, random_state=None, verbose=False, n_jobs=None,
                 time_budget=None):
        self.preset = preset
        self.portfolio = portfolio
        self.n_folds = n_folds
        self.max_rounds = max_rounds
        self.candidates = candidates
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.time_budget = time_budget

    def fit(self, table):
        if isinstance(table, SparseScores):
            # Too large to hold dense: one factorisation on its scored cells (mf's sparse path).
            self.sparse_member_ = make_predictor("mf", random_state=self.random_state).fit(table)
            self.report_ = f"auto: {table!r}: fitted by mf on its scored cells"
            return self
        self.sparse_member_ = None
        return super().fit(table)

    def predict_details(self, models, tasks, interval=None):
        if getattr(self, "sparse_member_", None) is not None:
            return self.sparse_member_.predict_details(models, tasks, interval=interval)
        return super().predict_details(models, tasks, interval=interval)

    def complete(self, keep_observed=True, values="score", interval=None):
        if getattr(self, "sparse_member_", None) is not None:
            return self.sparse_member_.complete()
        return super().complete(keep_observed=keep_observed, values=values, interval=interval)

    @property
    def uses_factors(self):
        # Before fitting: the pool has factor-aware candidates whenever the table has factors.
        members = getattr(self, "members_", None)
        return True if members is None else any(m.uses_factors for m in members)

    def _log(self, message):
        if self.verbose:
            print(f"auto: {message}", file=sys.stderr)

    # ------------------------------------------------------------------ cross-validation
    def _rounds(self, table, rng):
        """Yield rounds of hidden-cell sets shaped like the table's own holes.

        Each round hides, in separate folds: 1/6 of the observed cells at
        random; all but 2 scores of 1/6 of the well-observed models; and, when
        there are model factors, all scores of 1/6 of them.
        """
        observed = table.observed
        cells = np.argwhere(observed)
        rich = np.flatnonzero(observed.sum(axis=1) >= 4)
        keeps = [2, 0] if table.model_factors.shape[1] > 0 else [2]
        n_rows = max(1, len(rich) // _FOLD_SHARE)
        while True:
            folds = [cells[rng.choice(len(cells), max(1, len(cells) // _FOLD_SHARE),
                                      replace=False)]]
            for keep in keeps if len(rich) >= 4 else []:
                folds.append(all_but_known(observed, rng.choice(rich, n_rows, replace=False),
                                           keep, rng))
            yield [f for f in folds if len(f)]

    def _pool(self, table):
        """The candidates to cross-validate: the given ones, the exhaustive pool
        (``preset="best"``), or the portfolio's members for the table's kind."""
        if self.candidates:
            return [tuple(c) for c in self.candidates]
        pool = default_candidates(table.model_factors.shape[1] > 0, table.n_observed,
                                  table.density, table.shape[1], table.shape[0])
        if PRESETS[self.preset][0] == "exhaustive":
            return pool
        members = portfolio_members(table_kind(table), available={c[0] for c in pool},
                                    path=self.portfolio)
        if table.n_observed > _SMALL_TABLE:
            members = [m for m in members if m[1] in _SCALABLE]
        # A kind the portfolio has nothing for keeps a robust pair.
        return members or [c for c in pool if c[0] in ("additive", "mf-task-r2-1")]

    def _check_params(self):
        if self.preset not in PRESETS:
            raise ScorecastError(f"auto's preset must be one of {', '.join(PRESETS)}, not "
                                 f"{self.preset!r}")
        if self.time_budget is not None:
            warnings.warn("auto's time_budget is ignored: results no longer depend on time "
                          "(bound the work with max_rounds)", ScorecastWarning, stacklevel=3)

    def _fit(self, inputs):
        table, rng = inputs.table, inputs.rng
        self._check_params()
        if table.n_observed < _MIN_CV_SCORES:
            # Too few scores to hide any: model and task effects, as plainly as possible.
            self._fit_members(table, [("additive", {}, int(rng.integers(2**31 - 1)))],
                              ["additive"], np.ones((len(REGIMES), 1)),
                              np.zeros((table.shape[1], 1)))
            self.report_ = (f"auto fitted 'additive' alone: {table.n_observed} observed "
                            f"score(s) are too few to cross-validate (at least "
                            f"{_MIN_CV_SCORES} are needed)")
            return
        pool = self._pool(table)
        max_rounds = self.max_rounds or PRESETS[self.preset][1]
        full_table = table
        if table.shape[0] > _CV_MODELS:
            table = table.subset(models=table.models[np.sort(
                rng.choice(table.shape[0], _CV_MODELS, replace=False))])
        raw = table.scores.to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            spread = np.nanstd(raw, axis=0)
        fallback = np.nanmedian(spread[spread > 0]) if (spread > 0).any() else 1.0
        spread = np.where(np.isfinite(spread) & (spread > 0), spread, fallback)
        seeds = rng.integers(0, 2**31 - 1, size=len(pool))
        active = list(range(len(pool)))
        oof = {c: [] for c in active}
        truth, regimes, tasks = [], [], []
        planned = max_rounds
        # Progress only where the wait is long enough to need it (large tables): on small
        # ones the command's output would only grow.
        progress = _progress.progress(
            desc=f"auto: cross-validating {len(pool)} candidates, then fitting the blend",
            unit="step",
            enabled=bool(self.verbose) and full_table.n_observed > _SMALL_TABLE, every=10)
        counts = table.observed.sum(axis=1)
        for round_number, folds in enumerate(self._rounds(table, rng)):
            # Every candidate on every fold of the round: one call each, on the backend's
            # workers once the first fold says the round is worth them.
            held_out = iter(run_calls(
                [delayed(_held_out)(table, hidden, *pool[c][1:], seeds[c])
                 for hidden in folds for c in active], n_jobs=self.n_jobs, first=len(active),
                later=_LATER_ROUNDS * (self._planned(folds, max_rounds) - 1)
                if round_number == 0 else 0))
            for hidden in folds:
                truth.append(raw[hidden[:, 0], hidden[:, 1]])
                known = counts - np.bincount(hidden[:, 0], minlength=table.shape[0])
                regimes.append(_regime(known[hidden[:, 0]]))
                tasks.append(hidden[:, 1])
                for c in active:
                    oof[c].append(next(held_out))
            progress.update()
            if round_number == 0:
                active = self._survivors(active, oof, truth, regimes, tasks, spread)
                planned = self._planned(folds, max_rounds)
                progress.total = planned + 1          # the members' fits on the whole table
            if round_number + 1 >= planned:
                break
        labels = [pool[c][0] for c in active]
        predictions = np.column_stack([np.concatenate(oof[c]) for c in active])
        truth, regimes = np.concatenate(truth), np.concatenate(regimes)
        scale = spread[np.concatenate(tasks)]
        weights, task_delta, errors = self._blend(predictions, truth, regimes,
                                                  np.concatenate(tasks), scale, labels, rng,
                                                  table.n_observed, table.shape[1])
        # Members: the candidates with weight in some regime, or on some task.
        used = np.flatnonzero(weights.max(axis=0) + np.maximum(task_delta.max(axis=0), 0)
                              > 0.02)
        self._fit_members(full_table, [(pool[active[u]][1], pool[active[u]][2],
                                        int(seeds[active[u]])) for u in used],
                          [labels[u] for u in used],
                          weights[:, used] / weights[:, used].sum(axis=1, keepdims=True),
                          task_delta[:, used])
        progress.update()
        progress.close()
        self.cv_errors_ = errors
        singles = errors.drop(index="blend")
        best = singles.mean(axis=1).idxmin()
        source = ("given candidates" if self.candidates else "candidates (exhaustive pool)"
                  if PRESETS[self.preset][0] == "exhaustive"
                  else f"candidates (portfolio for {table_kind(full_table)} tables)")
        self.report_ = (f"auto blended {len(used)} of {len(pool)} {source}; cross-validated "
                        f"error {errors.loc['blend'].mean():.3f} task spreads vs "
                        f"{singles.loc[best].mean():.3f} for the best single candidate ({best}); "
                        f"{len(truth)} held-out cells in {round_number + 1} rounds"
                        + (f" on a sample of {_CV_MODELS:,} models" if table is not full_table
                           else ""))

    def _planned(self, folds, max_rounds):
        """Rounds of cross-validation, given the folds of one."""
        per_round = max(1, sum(len(f) for f in folds))
        return int(np.clip(np.ceil(_TARGET_CELLS / per_round), min(self.n_folds, max_rounds),
                           max_rounds))

    def _fit_members(self, table, specs, labels, weights, task_delta):
        """Fit the blend's members, ``(method, params, seed)`` each, on the whole table."""
        self.member_specs_ = list(specs)
        self.members_ = [self._fit_quietly(self._candidate(*spec), table) for spec in specs]
        self.labels_ = list(labels)
        self.weights_ = np.asarray(weights, float)
        self.task_delta_ = np.asarray(task_delta, float)
        self.row_regime_ = _regime(table.observed.sum(axis=1))
        self.cv_errors_ = None

    @staticmethod
    def _survivors(active, oof, truth, regimes, tasks, spread):
        """The candidates worth more rounds: the best overall and the best of each regime.

        One round already separates a good candidate from a hopeless one; the
        rounds that follow only sharpen the blend of the good ones, so they
        need not pay for the others.
        """
        if len(active) <= _KEEP:
            return active
        truth_, regimes_ = np.concatenate(truth), np.concatenate(regimes)
        scale = spread[np.concatenate(tasks)]
        errors = np.column_stack([np.abs(np.concatenate(oof[c]) - truth_) / scale
                                  for c in active])
        order = np.argsort(errors.mean(axis=0), kind="stable")
        keep = set(order[:_KEEP].tolist())
        for r in np.unique(regimes_):
            keep.update(np.argsort(errors[regimes_ == r].mean(axis=0),
                                   kind="stable")[:_KEEP_PER_REGIME].tolist())
        return [active[k] for k in sorted(keep)]

    @staticmethod
    def _candidate(method, params, seed):
        return seeded(make_predictor(method, **params), int(seed))

    @staticmethod
    def _fit_quietly(predictor, table):
        # Folds hide whole models on purpose; candidates need not warn about them.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScorecastWarning)
            return predictor.fit(table)

    @staticmethod
    def _select(predictions, truth, scale, rng, anchor=None, anchored=0, steps=20, bags=16):
        """Bagged greedy ensemble selection with replacement (Caruana et al., 2004).

        Each bag resamples the held-out cells and greedily adds the candidate that
        most lowers the mean absolute error in task-spread units; averaging the
        bags' weights keeps a noisy cross-validation from crowning a lucky
        candidate. Each bag starts from `anchored` copies of the `anchor`
        candidate, so that thin evidence leaves the blend near a robust default.
        Returns weights summing to one.
        """
        weights = np.zeros(predictions.shape[1])
        for _ in range(bags):
            sample = rng.integers(0, len(truth), len(truth))
            p, t, s = predictions[sample], truth[sample], scale[sample]
            counts = np.zeros(p.shape[1])
            current = np.zeros(len(t))
            if anchor is not None and anchored:
                counts[anchor] = anchored
                current = p[:, anchor].copy()
            start = int(counts.sum())
            for step in range(start, start + steps):
                trial = (current[:, None] * step + p) / (step + 1)
                best = int(np.argmin(np.mean(np.abs(trial - t[:, None]) / s[:, None], axis=0)))
                counts[best] += 1
                current = trial[:, best]
            weights += counts / counts.sum()
        return weights / bags

    def _blend(self, predictions, truth, regimes, tasks, scale, labels, rng, n_observed,
               n_tasks):
        """Blend weights per regime, each task's adjustment of them, and the CV errors.

        Returns
        -------
        weights : ndarray of shape (n_regimes, n_candidates)
        task_delta : ndarray of shape (n_tasks, n_candidates)
            Added to a regime's weights on that task (then clipped at 0 and
            renormalised): a task with enough held-out cells gets the blend
            that suits it (trees where scores saturate, a linear model where
            a family lifts one task), shrunk toward the blend of all tasks.
        errors : pandas.DataFrame
        """
        errors = np.mean(np.abs(predictions - truth[:, None]) / scale[:, None], axis=0)
        anchor = int(np.argmin(errors))
        anchored = int(round(20 * _ANCHOR_CELLS / (_ANCHOR_CELLS + n_observed)))

        def select(rows):
            return self._select(predictions[rows], truth[rows], scale[rows], rng, anchor,
                                anchored)

        overall = select(slice(None))
        weights = np.tile(overall, (len(REGIMES), 1))
        for r in range(len(REGIMES)):
            here = regimes == r
            if here.sum() >= _MIN_CELLS_PER_REGIME:
                share = here.sum() / (here.sum() + 4.0 * _MIN_CELLS_PER_REGIME)
                weights[r] = share * select(here) + (1 - share) * overall
        task_delta = np.zeros((n_tasks, predictions.shape[1]))
        counts = np.bincount(tasks, minlength=n_tasks)
        if n_tasks * predictions.shape[1] * len(truth) <= _MAX_TASK_BLEND:
            for j in np.flatnonzero(counts >= _MIN_CELLS_PER_TASK):
                share = counts[j] / (counts[j] + 2.0 * _MIN_CELLS_PER_TASK)
                task_delta[j] = share * (select(tasks == j) - overall)
        blended = np.einsum("ik,ik->i", predictions, _cell_weights(weights[regimes],
                                                                   task_delta[tasks]))
        columns = {}
        for r, name in enumerate(REGIMES):
            here = regimes == r
            if here.any():
                err = np.abs(predictions[here] - truth[here, None]) / scale[here, None]
                blend = np.abs(blended[here] - truth[here]) / scale[here]
                columns[name] = np.r_[err.mean(axis=0), blend.mean()]
        return weights, task_delta, pd.DataFrame(columns, index=labels + ["blend"])

    def calibration_copy(self):
        """An unfitted copy for interval calibration: this blend, refitted without choosing.

        Calibration refits the method on the table with cells hidden, 8 times
        by default; choosing the blend again by cross-validation each time
        would cost about as much as 8 fits of ``auto``. The blend chosen on the
        whole table, with its members refitted on each fold, costs a few
        member fits; its residuals differ only by the (small) optimism of a
        choice made with the fold's cells in view.
        """
        specs = getattr(self, "member_specs_", None)
        if specs is None:
            return super().calibration_copy()
        return FrozenBlend(specs=specs, labels=self.labels_,
                           blend_weights=self.weights_, blend_task_delta=self._task_delta(),
                           random_state=self.random_state)

    # ------------------------------------------------------------------ prediction
    def _task_delta(self):
        delta = getattr(self, "task_delta_", None)       # None: saved by an older version
        return np.zeros((len(self.tasks_), len(self.members_))) if delta is None else delta

    def _predict_full(self):
        stacked = np.stack([m.complete(keep_observed=False).to_numpy() for m in self.members_])
        delta = self._task_delta()
        out = np.empty(stacked.shape[1:])
        for r in np.unique(self.row_regime_):
            rows = self.row_regime_ == r
            weights = _cell_weights(self.weights_[r][None, :], delta)   # (n_tasks, n_members)
            out[rows] = np.einsum("kij,jk->ij", stacked[:, rows], weights)
        return out

    def _blend_new(self, scores, fallback, observed, n_known, per_task=True,
                   only_informed=True):
        """One new model's (or task's) cells from its members' scores and fallbacks.

        Parameters
        ----------
        scores, fallback : ndarray of shape (n_members, n_cells)
        observed : ndarray of bool, shape (n_cells,)
        n_known : int
            Its known scores: they choose the regime's weights.
        per_task : bool
            Adjust the weights per task (a new model's cells are the fitted tasks).
        only_informed : bool
            When some members could use what is known and others fell back, blend only
            the former.

        Returns
        -------
        blended : ndarray of shape (n_cells,)
        fallback : ndarray of bool
        base : int
            The member whose fallbacks (and reasons) the cells take.
        """
        weights = self.weights_[_regime(np.array([n_known]))[0]][None, :]
        if per_task:
            weights = _cell_weights(weights, self._task_delta())
        informed = ~fallback.any(axis=1)
        if only_informed and informed.any() and not informed.all():
            only = weights * informed
            if (only.sum(axis=1) > 0).all():
                only = only / only.sum(axis=1, keepdims=True)
                base = int(np.argmax(informed))
                return sum(only[:, k] * row for k, row in enumerate(scores)), fallback[base], base
        return (sum(weights[:, k] * row for k, row in enumerate(scores)),
                fallback.all(axis=0) & ~observed, 0)

    def _combine_frames(self, frames, n_known, **options):
        """:meth:`_blend_new` of the members' prediction frames, as a frame."""
        observed = frames[0]["observed"].to_numpy()
        blended, fallback, base = self._blend_new(
            np.stack([f["score"].to_numpy() for f in frames]),
            np.stack([f["fallback"].to_numpy() for f in frames]), observed, n_known, **options)
        result = frames[base].copy()
        # Known scores stay exactly as given (weights summing to 1 in floating point need not).
        result["score"] = np.where(observed, result["score"], blended)
        result["fallback"] = fallback
        return result

    def _new_model(self, known, factors):
        # Checked once by auto's own predict_new_model, not again by each member.
        frames = [m.predict_new_model(known=known, factors=factors, check_scale=False)
                  for m in self.members_]
        return self._combine_frames(frames, len(known or {}))

    def _new_models_details(self, raw, factors, encoded):
        """Many new models at once: each member folds them all in (batched where it can),
        then each row is blended as :meth:`_new_model` blends one model."""
        parts = [m._new_models_details(raw, factors, encoded) for m in self.members_]
        scores = np.stack([p[0] for p in parts])                 # members x rows x tasks
        fallback = np.stack([p[1] for p in parts])
        observed = ~np.isnan(raw)
        out = np.empty(raw.shape)
        flags = np.empty(raw.shape, dtype=bool)
        for r in range(len(raw)):
            blended, flags[r], _ = self._blend_new(scores[:, r], fallback[:, r], observed[r],
                                                   int(observed[r].sum()))
            out[r] = np.where(observed[r], raw[r], blended)
        return out, flags

    def _new_task(self, known, factors, score_range):
        frames = [m.predict_new_task(known=known, factors=factors, score_range=score_range)
                  for m in self.members_]
        return self._combine_frames(frames, 6, per_task=False, only_informed=False)

    def _fold_in_model(self, y, numeric, codes):
        raise ScorecastError("auto folds new models in through its members")


class FrozenBlend(Auto):
    """A blend chosen by :class:`Auto`, refitted on a table without cross-validation.

    Not registered as a method: :meth:`Auto.calibration_copy` makes it, so that
    calibrating the intervals of ``auto`` refits its members, not its choice.

    Parameters
    ----------
    specs : list of (method, params, seed)
        The members.
    labels : list of str
    blend_weights : ndarray of shape (n_regimes, n_members)
    blend_task_delta : ndarray of shape (n_tasks, n_members)
    random_state : int or None, default=None
        Unused: each member keeps its own seed.
    verbose : bool, default=False
    """

    def __init__(self, specs=(), labels=(), blend_weights=None, blend_task_delta=None,
                 random_state=None, verbose=False):
        self.specs = specs
        self.labels = labels
        self.blend_weights = blend_weights
        self.blend_task_delta = blend_task_delta
        self.random_state = random_state
        self.verbose = verbose

    def _fit(self, inputs):
        self._fit_members(inputs.table, self.specs, self.labels, self.blend_weights,
                          self.blend_task_delta)
        self.report_ = f"the blend of {', '.join(self.labels_)} chosen on the whole table"
