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

Everything runs within ``time_budget`` seconds: slow candidates are dropped
when the first fold shows they would not fit, and the report says so.
"""

import time

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from ..errors import ScorecastError
from ._base import ScorePredictor
from ._registry import METHODS, make_predictor, register

# Regimes of a model's row by its number of known scores: 0, 1-2, 3-5, 6 and more.
_REGIME_EDGES = np.array([0, 1, 3, 6])
_MIN_CELLS_PER_REGIME = 30


def _regime(counts):
    return np.searchsorted(_REGIME_EDGES, counts, side="right") - 1


def default_candidates(has_model_factors):
    """The candidate pool: ``[(label, method, params)]``."""
    pool = [("mean", "mean", {}), ("additive", "additive", {})]
    for target in ("task", "logit"):
        for rank in (1, 2, 3):
            pool.append((f"mf-{target}-r{rank}", "mf",
                         dict(rank=rank, reg=2.0 * rank, target=target)))
    if "soft-impute" in METHODS:
        pool.append(("soft-impute", "soft-impute", {}))
    if has_model_factors:
        for target in ("task", "logit"):
            for rank in (1, 2):
                pool.append((f"mf-prior-{target}-r{rank}", "mf",
                             dict(rank=rank, reg=2.0 * rank, target=target, factor_prior=True)))
        if "factors-ridge" in METHODS:
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
        Blend weights per regime (rows: 0, 1-2, 3-5, 6+ known scores).
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
        return any(m.uses_factors for m in getattr(self, "members_", []))

    def _log(self, message):
        if self.verbose:
            import sys

            print(f"auto: {message}", file=sys.stderr)

    # ------------------------------------------------------------------ cross-validation
    def _folds(self, table, rng):
        """Hidden-cell sets shaped like the table's own holes."""
        observed = table.observed
        counts = observed.sum(axis=1)
        cells = np.argwhere(observed)
        folds = []
        order = rng.permutation(len(cells))
        for part in np.array_split(order, max(2, self.n_folds * 2))[: self.n_folds]:
            folds.append(cells[part])                      # random cells, ~1/8 each
        rich = np.flatnonzero(counts >= 4)
        has_factors = table.model_factors.shape[1] > 0
        for keep in ([2, 0] if has_factors else [2]):
            if len(rich) < 4:
                break
            for part in np.array_split(rng.permutation(rich), self.n_folds):
                if not len(part):
                    continue
                chosen = part[: max(1, len(rich) // 8)]
                hidden = []
                for i in chosen:
                    columns = np.flatnonzero(observed[i])
                    kept = rng.choice(columns, min(keep, len(columns)), replace=False)
                    hidden += [(i, j) for j in columns if j not in kept]
                folds.append(np.array(hidden, dtype=int).reshape(-1, 2))
        return [f for f in folds if len(f)]

    def _fit(self, inputs):
        start = time.perf_counter()
        table, rng = inputs.table, inputs.rng
        pool = self.candidates or default_candidates(table.model_factors.shape[1] > 0)
        raw = table.scores.to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            spread = np.nanstd(raw, axis=0)
        spread = np.where(np.isfinite(spread) & (spread > 0), spread,
                          np.nanmedian(spread[spread > 0]) if (spread > 0).any() else 1.0)
        folds = self._folds(table, rng)
        seeds = rng.integers(0, 2**31 - 1, size=len(pool))
        oof = {label: [] for label, _, _ in pool}
        truth, regimes, tasks = [], [], []
        budget = 0.7 * self.time_budget
        active = list(range(len(pool)))
        for f, hidden in enumerate(folds):
            train = raw.copy()
            train[hidden[:, 0], hidden[:, 1]] = np.nan
            fold_table = table.with_scores(train)
            counts = (~np.isnan(train)).sum(axis=1)
            truth.append(raw[hidden[:, 0], hidden[:, 1]])
            regimes.append(_regime(counts[hidden[:, 0]]))
            tasks.append(hidden[:, 1])
            for c in list(active):
                label, method, params = pool[c]
                t0 = time.perf_counter()
                predicted = self._candidate(method, params, seeds[c]).fit(fold_table) \
                    .complete(keep_observed=False).to_numpy()
                oof[label].append(predicted[hidden[:, 0], hidden[:, 1]])
                elapsed = time.perf_counter() - t0
                if f == 0 and elapsed * len(folds) > budget / 2:
                    self._log(f"dropping {label}: {elapsed:.1f}s a fold is too slow")
                    active.remove(c)
                    oof[label] = None
            if time.perf_counter() - start > budget and f >= 1:
                self._log(f"time budget reached after {f + 1} of {len(folds)} folds")
                folds = folds[: f + 1]
                break
        kept = [c for c in active]
        labels = [pool[c][0] for c in kept]
        n_done = len(truth)
        truth = np.concatenate(truth)
        regimes = np.concatenate(regimes)
        scale = spread[np.concatenate(tasks)]
        preds = np.column_stack([np.concatenate(oof[l][:n_done]) for l in labels])
        weights, errors = self._blend(preds, truth, regimes, scale, labels)
        used = np.flatnonzero(weights.max(axis=0) > 1e-6)
        self.labels_ = [labels[u] for u in used]
        self.weights_ = weights[:, used] / weights[:, used].sum(axis=1, keepdims=True)
        self.cv_errors_ = errors
        self.members_ = [self._candidate(pool[kept[u]][1], pool[kept[u]][2], seeds[kept[u]])
                         .fit(table) for u in used]
        self.row_regime_ = _regime(table.observed.sum(axis=1))
        overall = errors.loc["blend"].to_numpy()
        best = errors.drop(index="blend").mean(axis=1).idxmin()
        self.report_ = (f"auto blended {len(used)} of {len(pool)} candidates "
                        f"({', '.join(self.labels_)}); cross-validated error "
                        f"{np.nanmean(overall):.3f} task-spreads vs {errors.loc[best].mean():.3f} "
                        f"for the best single candidate ({best}), in "
                        f"{time.perf_counter() - start:.1f}s")
        self._log(self.report_)

    @staticmethod
    def _candidate(method, params, seed):
        predictor = make_predictor(method, **params)
        if "random_state" in predictor.get_params():
            predictor.set_params(random_state=int(seed))
        return predictor

    @staticmethod
    def _weights(preds, truth, scale):
        """Non-negative weights summing to one, least squares in task-spread units."""
        a = preds / scale[:, None]
        b = truth / scale
        penalty = 10.0 * np.sqrt(len(b))
        a = np.vstack([a, penalty * np.ones(a.shape[1])])
        b = np.r_[b, penalty]
        w, _ = nnls(a, b)
        return w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))

    def _blend(self, preds, truth, regimes, scale, labels):
        overall = self._weights(preds, truth, scale)
        n_regimes = len(_REGIME_EDGES)
        weights = np.tile(overall, (n_regimes, 1))
        rows = {}
        for r in range(n_regimes):
            here = regimes == r
            if here.sum() >= _MIN_CELLS_PER_REGIME:
                own = self._weights(preds[here], truth[here], scale[here])
                share = here.sum() / (here.sum() + 100.0)      # shrink small regimes
                weights[r] = share * own + (1 - share) * overall
            err = np.abs(preds[here] - truth[here, None]) / scale[here, None]
            blended = np.abs(preds[here] @ weights[r] - truth[here]) / scale[here]
            rows[r] = np.r_[err.mean(axis=0), blended.mean()] if here.any() \
                else np.full(len(labels) + 1, np.nan)
        names = ["0 known", "1-2 known", "3-5 known", "6+ known"]
        errors = pd.DataFrame({names[r]: rows[r] for r in rows}, index=labels + ["blend"])
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

    def predict_new_model(self, known=None, factors=None):
        self._check_fitted()
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

    def predict_new_task(self, known=None, factors=None, score_range=None):
        self._check_fitted()
        frames = [m.predict_new_task(known=known, factors=factors, score_range=score_range)
                  for m in self.members_]
        return self._combine_new(frames, 6)

    def _fold_in_model(self, y, numeric, codes):
        raise ScorecastError("auto folds new models in through its members")
