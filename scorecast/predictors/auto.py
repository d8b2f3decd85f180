"""``auto``: choose and blend methods by cross-validation on the table at hand.

The cells a user wants predicted are of different kinds: a hole in a
well-evaluated model's row, a model known by two scores, a model known only by
its factors. Methods rank differently on each. ``auto`` therefore

1. fits a pool of fast candidates on folds that hide cells the way the table's
   own holes look: random observed cells, all but two scores of some models,
   and (when there are model factors) whole models;
2. learns, for each regime of "how many scores the model has", non-negative
   blending weights of the candidates from their out-of-fold errors (errors
   are measured per task in units of the task's spread, so that tasks on
   different scales count alike), shrunk toward the weights of all regimes;
3. refits the candidates that received weight on the whole table, and predicts
   each cell by the blend of its model's regime.

The pool and the number of cross-validation rounds depend only on the table
and the seed, so the same seed gives the same predictions; larger tables get
smaller pools. ``time_budget`` is a safety net: if cross-validation would
overrun it, fewer rounds are run and the report says so.
"""

import sys
import time
import warnings

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .._holes import all_but_known
from ..errors import ScorecastError, ScorecastWarning
from ._base import ScorePredictor
from ._registry import METHODS, make_predictor, register, seeded

# Regimes of a model's row by its number of known scores: 0, 1-2, 3-5, 6 and more.
_REGIME_EDGES = np.array([0, 1, 3, 6])
REGIMES = ["0 known", "1-2 known", "3-5 known", "6+ known"]
_MIN_CELLS_PER_REGIME = 50
# Cross-validation runs rounds until this many held-out cells are predicted (at least
# n_folds rounds, at most _MAX_ROUNDS).
_TARGET_CELLS = 1000
_MAX_ROUNDS = 20
# The blend starts from the best (by cross-validation) of these robust candidates, as
# strongly as if it had won 20 * _ANCHOR_CELLS / (_ANCHOR_CELLS + observed scores) of 20
# selection steps: small tables give cross-validation little evidence to choose among many.
_ANCHORS = ("mf-prior-task-r1-1", "mf-task-r1-1", "mf-task-r2-1", "additive")
_ANCHOR_CELLS = 300
# Tables with more observed scores than these get smaller candidate pools.
_SMALL_TABLE = 20_000
_LARGE_TABLE = 200_000


def _regime(counts):
    return np.searchsorted(_REGIME_EDGES, counts, side="right") - 1


def default_candidates(has_model_factors, n_observed=0):
    """The candidate pool, ``[(label, method, params)]``, smaller for larger tables.

    The pool depends only on the table (never on timings), so that the same
    seed always gives the same blend.
    """
    if n_observed <= _SMALL_TABLE:
        ranks, regs = (1, 2, 3), (0.3, 1.0, 3.0)
    elif n_observed <= _LARGE_TABLE:
        ranks, regs = (1, 2, 3), (1.0,)
    else:
        ranks, regs = (2,), (1.0,)
    pool = [("mean", "mean", {}), ("additive", "additive", {})]
    priors = (False, True) if has_model_factors else (False,)
    for prior in priors:
        for target in ("task", "logit-floor"):
            for rank in ranks:
                for reg in regs:
                    label = f"mf-{'prior-' if prior else ''}{target}-r{rank}-{reg:g}"
                    pool.append((label, "mf", dict(rank=rank, reg=reg, target=target,
                                                   factor_prior=prior)))
    if "soft-impute" in METHODS and n_observed <= _LARGE_TABLE:
        pool.append(("soft-impute", "soft-impute", {}))
    if has_model_factors and "factors-ridge" in METHODS and n_observed <= _LARGE_TABLE:
        pool.append(("factors-ridge", "factors-ridge", {}))
    return pool


@register("auto")
class Auto(ScorePredictor):
    """Automatic choice and blend of methods by cross-validation on the table (default).

    Parameters
    ----------
    time_budget : float, default=60
        Seconds for cross-validation and refitting together.
    n_folds : int, default=4
        Folds of each kind (random cells, sparse models, factor-only models).
    candidates : list of (label, method, params), optional
        The pool; default: :func:`default_candidates`.
    random_state : int or None, default=None
    verbose : bool, default=False
        Print progress to standard error.

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
    """

    target = "raw"

    def __init__(self, time_budget=60, n_folds=4, candidates=None, random_state=None,
                 verbose=False):
        self.time_budget = time_budget
        self.n_folds = n_folds
        self.candidates = candidates
        self.random_state = random_state
        self.verbose = verbose

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

        Each round hides, in separate folds: 1/8 of the observed cells at
        random; all but 2 scores of some well-observed models; and, when
        there are model factors, all scores of some models.
        """
        observed = table.observed
        cells = np.argwhere(observed)
        rich = np.flatnonzero(observed.sum(axis=1) >= 4)
        keeps = [2, 0] if table.model_factors.shape[1] > 0 else [2]
        n_rows = max(1, len(rich) // 8)
        while True:
            folds = [cells[rng.choice(len(cells), max(1, len(cells) // 8), replace=False)]]
            for keep in keeps if len(rich) >= 4 else []:
                folds.append(all_but_known(observed, rng.choice(rich, n_rows, replace=False),
                                           keep, rng))
            yield [f for f in folds if len(f)]

    def _fit(self, inputs):
        start = time.perf_counter()
        table, rng = inputs.table, inputs.rng
        pool = self.candidates or default_candidates(table.model_factors.shape[1] > 0,
                                                     table.n_observed)
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
        planned, self.budget_reached_ = _MAX_ROUNDS, False
        progress = tqdm(desc=f"auto: cross-validating {len(pool)} candidates", unit="round",
                        disable=None if self.verbose else True, leave=False, file=sys.stderr)
        for round_number, folds in enumerate(self._rounds(table, rng)):
            progress.update()
            for hidden in folds:
                train = raw.copy()
                train[hidden[:, 0], hidden[:, 1]] = np.nan
                fold_table = table.with_scores(train)
                truth.append(raw[hidden[:, 0], hidden[:, 1]])
                regimes.append(_regime((~np.isnan(train)).sum(axis=1)[hidden[:, 0]]))
                tasks.append(hidden[:, 1])
                for c in active:
                    label, method, params = pool[c]
                    predicted = self._fit_quietly(self._candidate(method, params, seeds[c]),
                                                  fold_table).complete(keep_observed=False)
                    predicted = predicted.to_numpy()
                    oof[c].append(predicted[hidden[:, 0], hidden[:, 1]])
            if round_number == 0:
                per_round = max(1, sum(len(t) for t in truth))
                planned = int(np.clip(np.ceil(_TARGET_CELLS / per_round), self.n_folds,
                                      _MAX_ROUNDS))
                progress.total = planned
            if round_number + 1 >= planned:
                break
            elapsed = time.perf_counter() - start
            if elapsed * (round_number + 2) / (round_number + 1) > 0.7 * self.time_budget:
                # Only here do timings change the result; the report says so.
                self.budget_reached_ = True
                self._log(f"time budget reached after {round_number + 1} of {planned} rounds")
                break
        progress.close()
        labels = [pool[c][0] for c in active]
        predictions = np.column_stack([np.concatenate(oof[c]) for c in active])
        truth, regimes = np.concatenate(truth), np.concatenate(regimes)
        scale = spread[np.concatenate(tasks)]
        weights, errors = self._blend(predictions, truth, regimes, scale, labels, rng,
                                      table.n_observed)
        used = np.flatnonzero(weights.max(axis=0) > 0.02)
        self.labels_ = [labels[u] for u in used]
        self.weights_ = weights[:, used] / weights[:, used].sum(axis=1, keepdims=True)
        self.cv_errors_ = errors
        self.members_ = [self._fit_quietly(self._candidate(pool[active[u]][1],
                                                           pool[active[u]][2],
                                                           seeds[active[u]]), table)
                         for u in used]
        self.row_regime_ = _regime(table.observed.sum(axis=1))
        singles = errors.drop(index="blend")
        best = singles.mean(axis=1).idxmin()
        self.report_ = (f"auto blended {len(used)} of {len(pool)} candidates; cross-validated "
                        f"error {errors.loc['blend'].mean():.3f} task spreads vs "
                        f"{singles.loc[best].mean():.3f} for the best single candidate ({best}); "
                        f"{len(truth)} held-out cells in {round_number + 1} rounds, "
                        f"{time.perf_counter() - start:.1f}s")
        if self.budget_reached_:
            self.report_ += (f"; the time budget cut cross-validation at {round_number + 1} of "
                             f"{planned} rounds, so results may vary between runs: raise "
                             "time_budget for reproducible ones")

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

    def _blend(self, predictions, truth, regimes, scale, labels, rng, n_observed):
        robust = [labels.index(a) for a in _ANCHORS if a in labels]
        anchor = None
        if robust:
            errors = np.mean(np.abs(predictions[:, robust] - truth[:, None]) / scale[:, None],
                             axis=0)
            anchor = robust[int(np.argmin(errors))]
        anchored = int(round(20 * _ANCHOR_CELLS / (_ANCHOR_CELLS + n_observed)))

        def select(rows):
            return self._select(predictions[rows], truth[rows], scale[rows], rng, anchor,
                                anchored)

        overall = select(slice(None))
        weights = np.tile(overall, (len(REGIMES), 1))
        columns = {}
        for r, name in enumerate(REGIMES):
            here = regimes == r
            if here.sum() >= _MIN_CELLS_PER_REGIME:
                own = select(here)
                share = here.sum() / (here.sum() + 4.0 * _MIN_CELLS_PER_REGIME)
                weights[r] = share * own + (1 - share) * overall
            if here.any():
                err = np.abs(predictions[here] - truth[here, None]) / scale[here, None]
                blend = np.abs(predictions[here] @ weights[r] - truth[here]) / scale[here]
                columns[name] = np.r_[err.mean(axis=0), blend.mean()]
        errors = pd.DataFrame(columns, index=labels + ["blend"])
        return weights, errors

    # ------------------------------------------------------------------ prediction
    def _predict_full(self):
        stacked = np.stack([m.complete(keep_observed=False).to_numpy() for m in self.members_])
        weights = self.weights_[self.row_regime_]            # (n_models, n_members)
        return np.einsum("kij,ik->ij", stacked, weights)

    def _combine_new(self, frames, n_known):
        weights = self.weights_[_regime(np.array([n_known]))[0]]
        scores = sum(w * f["score"].to_numpy() for w, f in zip(weights, frames))
        result = frames[0].copy()
        result["score"] = scores
        informed = [~f["fallback"].to_numpy() for f in frames]
        result["fallback"] = ~np.any(informed, axis=0) & ~result["observed"].to_numpy()
        return result

    def _new_model(self, known, factors):
        frames = [m.predict_new_model(known=known, factors=factors) for m in self.members_]
        n_known = len(known or {})
        informed = np.array([not f["fallback"].any() for f in frames])
        if informed.any() and not informed.all():
            # blend only the members that could use what is known
            weights = self.weights_[_regime(np.array([n_known]))[0]] * informed
            if weights.sum() > 0:
                weights = weights / weights.sum()
                result = frames[int(np.argmax(informed))].copy()
                result["score"] = sum(w * f["score"].to_numpy() for w, f in zip(weights, frames))
                return result
        return self._combine_new(frames, n_known)

    def _new_task(self, known, factors, score_range):
        frames = [m.predict_new_task(known=known, factors=factors, score_range=score_range)
                  for m in self.members_]
        return self._combine_new(frames, 6)

    def _fold_in_model(self, y, numeric, codes):
        raise ScorecastError("auto folds new models in through its members")
