"""The estimator contract shared by every predictor.

A predictor is fitted on a :class:`~scorecast.ScoreMatrix` and then predicts
any cell: a fitted model on a fitted task, a new model known by a few scores
and/or its factors, or a new task likewise. Subclasses learn in a target space
(see :mod:`scorecast.targets`) and implement only the estimate:

``_fit(inputs)``
    learn from the target-space matrix and the encoded factors;
``_predict_full()``
    target-space predictions for every fitted model on every fitted task;
``_fold_in_model(y, numeric, codes)`` / ``_fold_in_task(...)``
    target-space predictions for a new model (task) from its known values
    (NaN elsewhere) and its encoded factors; None when the method cannot
    predict it at all, NaN on the cells it cannot predict.

The base class owns the public methods, the mapping back to scores, and the
fallbacks: when a cell cannot be predicted, the answer is a task mean (or the
mean of all scores) flagged as a fallback with its reason, never a NaN.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import Ridge

from .. import persistence
from .._cells import parse_number
from .._parallel import blas_threads
from ..errors import ScorecastError, ScorecastWarning, ScoreTableError, quote_names
from ..intervals import calibrate, check_level
from ..table import ScoreMatrix
from ..targets import TargetSpace
from ._design import FactorEncoder
from ._params import check_fit

# Tables of up to this many cells are fitted with BLAS on one thread: their matrices are
# too small for threads to pay, and threads cost dearly (several times slower) when other
# processes share the cores. Larger tables leave the choice to the method (soft-impute
# threads only its dense SVDs).
_ONE_THREAD_CELLS = 50_000

DETAIL_COLUMNS = ["score", "observed", "fallback", "reason"]


@dataclass
class Inputs:
    """What `_fit` receives: the target-space matrix and the encoded factors."""

    Y: np.ndarray
    mask: np.ndarray
    model_numeric: np.ndarray
    model_codes: np.ndarray
    task_numeric: np.ndarray
    task_codes: np.ndarray
    table: ScoreMatrix
    rng: np.random.Generator


def as_score_matrix(table):
    """Accept a ScoreMatrix or a models x tasks DataFrame."""
    if isinstance(table, ScoreMatrix):
        return table
    if isinstance(table, pd.DataFrame):
        return ScoreMatrix(table)
    raise TypeError(f"expected a ScoreMatrix or a DataFrame, not {type(table).__name__}")


def _as_names(values):
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values]


class ScorePredictor(BaseEstimator):
    """Base class of scorecast's predictors (see the module documentation)."""

    #: whether model and task factors inform the predictions
    uses_factors = False
    # The table is kept for calibrating intervals on demand, not saved with the predictor.
    _persist_skip = ("fit_table_",)
    #: the name under which the method is registered (set by ``register``)
    method_name = None

    # ------------------------------------------------------------------ fitting
    def fit(self, table):
        """Learn from the observed scores of `table`.

        Parameters
        ----------
        table : ScoreMatrix or pandas.DataFrame
            Models x tasks, NaN where not evaluated; factors are used by the
            methods that take them.

        Returns
        -------
        self
        """
        table = as_score_matrix(table)
        check_fit(self, table)  # every parameter, and the bounds the table sets (_params.py)
        raw = table.scores.to_numpy(dtype=float)
        if not np.isfinite(raw).any():
            raise ScoreTableError(f"{table.name}: no observed score to learn from")
        self.models_ = pd.Index(table.models)
        self.tasks_ = pd.Index(table.tasks)
        self.fit_table_ = table
        self.calibration_ = None
        self.task_info_ = table.task_info.copy()
        self.train_scores_ = raw
        self.target_ = TargetSpace(getattr(self, "target", "task")).fit(
            raw, table.task_info["lower"].to_numpy(), table.task_info["upper"].to_numpy())
        n_models, n_tasks = raw.shape
        if self.uses_factors:
            self.model_encoder_ = FactorEncoder().fit(table.model_factors,
                                                      table.model_factor_kinds)
            self.task_encoder_ = FactorEncoder().fit(table.task_factors, table.task_factor_kinds)
            encoded = (*self.model_encoder_.transform(table.model_factors),
                       *self.task_encoder_.transform(table.task_factors))
            self._set_unscored_task_levels(table, encoded[2:])
        else:
            encoded = (np.zeros((n_models, 0)), np.zeros((n_models, 0), np.int64),
                       np.zeros((n_tasks, 0)), np.zeros((n_tasks, 0), np.int64))
        Y = self.target_.transform(raw)
        rng = np.random.default_rng(getattr(self, "random_state", None))
        threads = blas_threads(1 if raw.size <= _ONE_THREAD_CELLS else None)
        with warnings.catch_warnings(), threads:  # a task with no score: said below
            warnings.filterwarnings("ignore", "(Mean of empty slice|All-NaN slice)",
                                    RuntimeWarning)
            self._fit(Inputs(Y, ~np.isnan(Y), *encoded, table, rng))
        self.fallback_ = {
            what: ~scored & (not self.uses_factors or factors.isna().all(axis=1).to_numpy())
            for what, scored, factors in (
                ("model", table.observed.any(axis=1), table.model_factors),
                ("task", table.observed.any(axis=0), table.task_factors))}
        self._warn_unscored(table)
        return self

    def _warn_unscored(self, table):
        """Say which models (tasks) without a score get a fallback, not a prediction."""
        for what, names in (("model", table.models), ("task", table.tasks)):
            blind = self.fallback_[what]
            if blind.any():
                names = names[blind]
                warnings.warn(
                    f"{len(names)} {what}(s) with no score that method {self.method_name!r} "
                    f"cannot predict from factors: {quote_names(names)}; their cells are a "
                    f"fallback ({self._FALLBACK[what]})", ScorecastWarning, stacklevel=3)

    # What a fitted model (task) with no score and no usable factors gets.
    _FALLBACK = {"model": "the method's level for a typical model, near the task means",
                 "task": "the method's level for a typical task"}

    def _fit(self, inputs):
        raise NotImplementedError

    def _predict_full(self):
        raise NotImplementedError

    def _shifted_level(self, y, axis):
        """The average fitted level along `axis`, shifted by the mean offset of the known y."""
        known = ~np.isnan(y)
        if not known.any():
            return None
        level = self._predict_full().mean(axis=axis)
        return level + np.mean(y[known] - level[known])

    def _fold_in_model(self, y, numeric, codes):
        """Default: each task's level, shifted by the model's mean offset on its known tasks."""
        return self._shifted_level(y, axis=0)

    def _fold_in_task(self, y, numeric, codes):
        """Default: each model's usual level, shifted to match the known scores."""
        return self._shifted_level(y, axis=1)

    def _check_fitted(self):
        if not hasattr(self, "target_"):
            raise ScorecastError(f"this {type(self).__name__} is not fitted yet; call fit first")

    # ------------------------------------------------------------------ fitted cells
    def complete(self, keep_observed=True, values="score", interval=None):
        """Every fitted model's predicted score on every fitted task.

        Parameters
        ----------
        keep_observed : bool, default=True
            Observed cells keep their observed score; False gives the model's
            own estimate there too.
        values : {"score", "target"}, default="score"
            Scores clipped to each task's range, or the values in the target
            space the method learns in (ranks in [0, 1] for ``target="rank"``).
        interval : float, optional
            A level in (0, 1), e.g. 0.9: return a long table with a central
            interval around each score (see :mod:`scorecast.intervals`; the
            first call calibrates, which refits the method a few times).

        Returns
        -------
        pandas.DataFrame
            Models x tasks, no NaN; with `interval`, one row per cell with
            columns ``model, task, score, lower, upper, observed`` (an observed
            cell kept as observed has ``lower == upper == score``).
        """
        self._check_fitted()
        full = self._predict_full()
        if values == "target":
            if interval is not None:
                raise ValueError("intervals are given in scores, not in the target space")
            out = full
            if keep_observed:
                observed = self.target_.transform(self.train_scores_)
                out = np.where(np.isnan(observed), full, observed)
        elif values == "score":
            out = self.target_.inverse(full)
            if keep_observed:
                out = np.where(np.isnan(self.train_scores_), out, self.train_scores_)
        else:
            raise ValueError(f"values must be 'score' or 'target', not {values!r}")
        wide = pd.DataFrame(out, index=self.models_.copy(), columns=self.tasks_.copy())
        if interval is None:
            return wide
        observed = ~np.isnan(self.train_scores_)
        known = observed.sum(axis=1)[:, None]
        lower, upper = self._bounds(out, interval, known, observed.sum(axis=0)[None, :],
                                    np.arange(len(self.tasks_))[None, :])
        if keep_observed:
            lower, upper = np.where(observed, out, lower), np.where(observed, out, upper)
        return pd.DataFrame({
            "model": np.repeat(self.models_.to_numpy(), len(self.tasks_)),
            "task": np.tile(self.tasks_.to_numpy(), len(self.models_)),
            "score": out.ravel(), "lower": lower.ravel(), "upper": upper.ravel(),
            "observed": observed.ravel()})

    # ------------------------------------------------------------------ intervals
    def calibrate(self, n_rounds=2, random_state=None, progress=None, n_jobs=None):
        """Calibrate the intervals on the fitted table (see :mod:`scorecast.intervals`).

        Refits copies of the method on the table with cells hidden; called
        by the first request for an interval, or ahead of time (and before
        :meth:`save`, so that a loaded predictor has intervals). The refits
        run on `n_jobs` workers (default: the predictor's own ``n_jobs`` if it
        has one, else one per core when the refits are slow enough to pay for
        starting them).

        Returns
        -------
        self
        """
        self._check_fitted()
        table = getattr(self, "fit_table_", None)
        if table is None:
            raise ScorecastError("this predictor was loaded without its calibration; fit it "
                                 "again to get intervals (or calibrate before saving)")
        # A method without a random_state of its own (mean, additive) still gets the same
        # calibration folds on every run.
        seed = getattr(self, "random_state", 0) if random_state is None else random_state
        n_jobs = getattr(self, "n_jobs", None) if n_jobs is None else n_jobs
        self.calibration_ = calibrate(self, table, n_rounds=n_rounds, random_state=seed,
                                      progress=progress, n_jobs=n_jobs)
        return self

    def calibration_copy(self):
        """An unfitted copy of this method, refitted on each calibration fold."""
        return clone(self)

    def _bounds(self, scores, level, model_counts, task_counts, tasks):
        """Interval bounds of scores of cells with these known counts, on fitted tasks
        `tasks` (indices; -1 for a task that is not fitted)."""
        check_level(level)                  # before a calibration that would be wasted
        if getattr(self, "calibration_", None) is None:
            self.calibrate()
        calibration = self.calibration_
        tasks = np.asarray(tasks)
        fitted = tasks >= 0
        spread = np.where(fitted, calibration.spread_[np.where(fitted, tasks, 0)],
                          float(np.median(calibration.spread_)))
        info = self.task_info_
        lower = np.where(fitted, info["lower"].to_numpy()[np.where(fitted, tasks, 0)], -np.inf)
        upper = np.where(fitted, info["upper"].to_numpy()[np.where(fitted, tasks, 0)], np.inf)
        return calibration.bounds(np.asarray(scores, float), level, model_counts, task_counts,
                                  spread, lower, upper)

    def predict(self, models, tasks, interval=None):
        """Predicted scores of (model, task) pairs.

        Parameters
        ----------
        models, tasks : str or sequence of str
            Equal-length sequences of names, or one name to pair with every
            name of the other. Unknown names get an explicit fallback (see
            :meth:`predict_details`).
        interval : float, optional
            A level in (0, 1): also return the bounds of a central interval.

        Returns
        -------
        ndarray of float, or with `interval` a DataFrame with columns
        ``score``, ``lower``, ``upper``
        """
        details = self.predict_details(models, tasks, interval=interval)
        if interval is None:
            return details["score"].to_numpy()
        return details[["score", "lower", "upper"]]

    def predict_details(self, models, tasks, interval=None):
        """Predicted scores with, for each pair, whether it was observed and any fallback.

        Parameters
        ----------
        models, tasks : str or sequence of str
            As for :meth:`predict`.
        interval : float, optional
            Also give the bounds of a central interval at this level.

        Returns
        -------
        pandas.DataFrame
            Columns ``model``, ``task``, ``score`` (the model's estimate, also
            for observed cells), ``observed`` (bool), ``fallback`` (bool: the
            method could not predict the cell) and ``reason`` (why, else "");
            with `interval`, also ``lower`` and ``upper``.
        """
        self._check_fitted()
        models, tasks = _as_names(models), _as_names(tasks)
        if len(models) == 1 and len(tasks) > 1:
            models = models * len(tasks)
        if len(tasks) == 1 and len(models) > 1:
            tasks = tasks * len(models)
        if len(models) != len(tasks):
            raise ValueError(f"{len(models)} models but {len(tasks)} tasks")
        i = self.models_.get_indexer(models)
        j = self.tasks_.get_indexer(tasks)
        scores = np.empty(len(models))
        both = (i >= 0) & (j >= 0)
        full = self.target_.inverse(self._predict_full())
        scores[both] = full[i[both], j[both]]
        fallback, reason = ~both, np.full(len(models), "", dtype=object)
        task_mean, overall = self._fallback_levels()
        for k in np.flatnonzero(~both):
            if j[k] >= 0:
                scores[k] = task_mean[j[k]]
                reason[k] = f"unknown model {models[k]!r}: task mean"
            else:
                scores[k] = overall
                what = f"unknown task {tasks[k]!r}" if i[k] >= 0 else \
                    f"unknown model {models[k]!r} and task {tasks[k]!r}"
                reason[k] = f"{what}: mean of all scores"
        blind = getattr(self, "fallback_", None)     # None: saved by an older version
        for what, index, names in (("model", i, models), ("task", j, tasks)) if blind else ():
            for k in np.flatnonzero(both & ~fallback & blind[what][np.maximum(index, 0)]):
                fallback[k] = True
                reason[k] = f"{what} {names[k]!r} has no score and no factors method " \
                            f"{self.method_name!r} can use: {self._FALLBACK[what]}"
        observed = np.zeros(len(models), dtype=bool)
        observed[both] = ~np.isnan(self.train_scores_[i[both], j[both]])
        details = pd.DataFrame({"model": models, "task": tasks, "score": scores,
                                "observed": observed, "fallback": fallback, "reason": reason})
        if interval is not None:
            known = ~np.isnan(self.train_scores_)
            model_counts = np.where(i >= 0, known.sum(axis=1)[np.maximum(i, 0)], 0)
            task_counts = np.where(j >= 0, known.sum(axis=0)[np.maximum(j, 0)], 0)
            details["lower"], details["upper"] = self._bounds(scores, interval, model_counts,
                                                              task_counts, j)
        return details

    # A per-task target space removes each task's level (its centre), and the
    # methods only learn what remains. A task with no score has no centre to
    # remove: factor-aware methods read it off the task's factors with a ridge
    # regression of the other tasks' centres, rather than assume a typical task.
    _LEVEL_RIDGE = 1.0

    def _set_unscored_task_levels(self, table, task_inputs):
        """Keep the task design; give unscored tasks with factors their centre from it."""
        numeric, codes = task_inputs
        self.level_design_ = np.hstack([numeric, self.task_encoder_.one_hot(codes)])
        self.level_scored_ = table.observed.any(axis=0)
        described = ~self.level_scored_ & table.task_factors.notna().any(axis=1).to_numpy()
        ridge = self._task_level_ridge() if described.any() else None
        if ridge is not None:
            center = self.target_.tasks_["center"]
            center[described] = ridge.predict(self.level_design_[described])

    def _task_level_ridge(self):
        """Ridge of the scored tasks' centres on their factors, or None if it cannot be fitted."""
        center = self.target_.tasks_.get("center")
        design, scored = getattr(self, "level_design_", None), getattr(self, "level_scored_", None)
        if center is None or design is None or not design.shape[1] or scored.sum() < 3:
            return None
        return Ridge(alpha=self._LEVEL_RIDGE).fit(design[scored], center[scored])

    def _task_level(self, factors):
        """The centre a new task known only by `factors` gets, or None."""
        ridge = self._task_level_ridge() if factors and self.uses_factors else None
        if ridge is None:
            return None
        with warnings.catch_warnings():  # unseen levels were already reported by the fold-in
            warnings.simplefilter("ignore", ScorecastWarning)
            frame = self.task_encoder_.frame_from_values(factors, "task")
        return float(ridge.predict(self.task_encoder_.design(frame))[0])

    def _fallback_levels(self):
        """Task means (the mean of all scores for a task without any) and the mean of all."""
        overall = float(np.nanmean(self.train_scores_))
        counts = (~np.isnan(self.train_scores_)).sum(axis=0)
        sums = np.nansum(self.train_scores_, axis=0)
        return np.where(counts > 0, sums / np.maximum(counts, 1), overall), overall

    # ------------------------------------------------------------------ fold-in
    def _parse_known(self, known, names, what):
        known = dict(known or {})
        unknown = [n for n in known if n not in names]
        if unknown:
            hint = "; a new task's known scores are given for fitted models" if what == "model" \
                else ""
            raise ScoreTableError(f"unknown {what}(s) {quote_names(unknown)}{hint}")
        values = np.full(len(names), np.nan)
        for name, value in known.items():
            try:
                values[names.get_loc(name)] = parse_number(value)
            except ValueError:
                raise ScoreTableError(f"known score of {what} {name!r} is not a number: "
                                      f"{value!r}") from None
        return values

    def _encode_new(self, factors, what):
        if not factors:
            return None
        encoder = getattr(self, f"{what}_encoder_", None)
        if encoder is None:
            return None
        return tuple(a[0] for a in encoder.transform(encoder.frame_from_values(factors, what)))

    def predict_new_model(self, known=None, factors=None, interval=None, *, check_scale=True):
        """Predict a model that is not in the fitted table, on every fitted task.

        Nothing is refitted: the method folds the model in from its known
        scores and, for factor-aware methods, its factors.

        Parameters
        ----------
        known : dict of str to float, optional
            Known scores of the new model, by task name.
        factors : dict of str to object, optional
            The new model's factors, by factor name (text is parsed).
        interval : float, optional
            Also give the bounds of a central interval at this level (a model
            with fewer known scores gets wider intervals).
        check_scale : bool, default=True
            Refuse a known score that looks like a fraction given for a task scored
            0-100 (at most 1, where the task's every observed score is 2 or more),
            naming the task and the likely fix. Simulations that fold in the
            table's own scores pass False.

        Returns
        -------
        pandas.DataFrame
            Indexed by task: ``score``, ``observed``, ``fallback``, ``reason``;
            with `interval`, also ``lower`` and ``upper``.
        """
        self._check_fitted()
        if check_scale:
            self._check_scale(self._parse_known(known, self.tasks_, "task"))
        frame = self._new_model(known, factors)
        if interval is not None:
            observed = frame["observed"].to_numpy()
            task_counts = (~np.isnan(self.train_scores_)).sum(axis=0)
            lower, upper = self._bounds(frame["score"].to_numpy(), interval,
                                        np.full(len(frame), int(observed.sum())), task_counts,
                                        np.arange(len(self.tasks_)))
            frame["lower"] = np.where(observed, frame["score"], lower)
            frame["upper"] = np.where(observed, frame["score"], upper)
        return frame

    def _new_model(self, known, factors):
        raw = self._parse_known(known, self.tasks_, "task")
        self._check_range(raw, self.task_info_["lower"].to_numpy(),
                          self.task_info_["upper"].to_numpy(), self.tasks_, "task")
        model_params = self.target_.model_params(raw[None, :])
        y = self.target_.transform(raw[None, :], models=model_params)[0]
        encoded = self._encode_new(factors, "model")
        prediction = None
        if (~np.isnan(raw)).any() or (encoded is not None and self.uses_factors):
            encoded = encoded or self._no_factors("model")
            prediction = self._fold_in_model(y, *encoded)
        task_mean, _ = self._fallback_levels()
        return self._new_frame(
            prediction, lambda values: self.target_.inverse(values[None, :],
                                                            models=model_params)[0],
            task_mean, raw, self.tasks_, "task", self._fallback_reason(known, factors, "model"))

    def _fold_in_models(self, Y, encoded):
        """Target-space predictions of new models (rows of `Y`), each from its known values
        and its encoded factors; NaN where a row cannot be predicted. Default: one by one."""
        out = np.full(Y.shape, np.nan)
        for r, (y, (numeric, codes)) in enumerate(zip(Y, encoded)):
            prediction = self._fold_in_model(y, numeric, codes)
            if prediction is not None:
                out[r] = prediction
        return out

    def _new_models_scores(self, raw, factors, encoded):
        """The scores :meth:`predict_new_model` gives many new models at once, as an array.

        The path of simulations that fold in many models: no parsing, no frames.

        Parameters
        ----------
        raw : ndarray of shape (n_new, n_tasks)
            Known scores, NaN elsewhere (kept as they are in the result).
        factors : list of dict
            Each new model's factors.
        encoded : list
            The same, encoded once by :meth:`_encode_new` (None: none usable).

        Returns
        -------
        ndarray of shape (n_new, n_tasks)
            Fallbacks (task means) where the method cannot predict.
        """
        return self._new_models_details(raw, factors, encoded)[0]

    def _new_models_details(self, raw, factors, encoded):
        """:meth:`_new_models_scores`, and where each score is a fallback (a task mean
        standing in for a prediction), as :meth:`predict_new_model`'s ``fallback``."""
        if type(self)._new_model is not ScorePredictor._new_model:
            # A method that folds new models in its own way, one at a time.
            frames = [self._new_model({t: v for t, v in zip(self.tasks_, row)
                                       if not np.isnan(v)}, f) for row, f in zip(raw, factors)]
            return (np.array([f["score"].to_numpy() for f in frames]).reshape(raw.shape),
                    np.array([f["fallback"].to_numpy() for f in frames],
                             dtype=bool).reshape(raw.shape))
        model_params = self.target_.model_params(raw)
        Y = self.target_.transform(raw, models=model_params)
        usable = [e is not None and self.uses_factors for e in encoded]
        informed = (~np.isnan(raw)).any(axis=1) | np.array(usable, dtype=bool)
        prediction = np.full(raw.shape, np.nan)
        if informed.any():
            prediction[informed] = self._fold_in_models(
                Y[informed], [encoded[r] or self._no_factors("model")
                              for r in np.flatnonzero(informed)])
        task_mean, _ = self._fallback_levels()
        gaps = np.isnan(prediction)
        scores = np.where(gaps, task_mean,
                          self.target_.inverse(np.where(gaps, 0.0, prediction),
                                               models=model_params))
        return np.where(np.isnan(raw), scores, raw), gaps & np.isnan(raw)

    def predict_new_task(self, known=None, factors=None, score_range=None, interval=None):
        """Predict a task that is not in the fitted table, for every fitted model.

        Parameters
        ----------
        known : dict of str to float, optional
            Known scores on the new task, by model name.
        factors : dict of str to object, optional
            The new task's factors, by factor name.
        score_range : (float, float), optional
            The new task's score range; default: the range shared by every
            fitted task, else unbounded.
        interval : float, optional
            Also give the bounds of a central interval at this level (fewer
            known scores, wider intervals).

        Returns
        -------
        pandas.DataFrame
            Indexed by model: ``score``, ``observed``, ``fallback``, ``reason``;
            with `interval`, also ``lower`` and ``upper``.
        """
        self._check_fitted()
        frame = self._new_task(known, factors, score_range)
        if interval is not None:
            observed = frame["observed"].to_numpy()
            model_counts = (~np.isnan(self.train_scores_)).sum(axis=1)
            lower, upper = self._bounds(frame["score"].to_numpy(), interval, model_counts,
                                        np.full(len(frame), int(observed.sum())),
                                        np.full(len(frame), -1))
            low, high = self._new_task_range(score_range)
            frame["lower"] = np.where(observed, frame["score"], np.clip(lower, low, high))
            frame["upper"] = np.where(observed, frame["score"], np.clip(upper, low, high))
        return frame

    def _new_task_range(self, score_range):
        if score_range is not None:
            return score_range
        lows, highs = self.task_info_["lower"].unique(), self.task_info_["upper"].unique()
        return (lows[0], highs[0]) if len(lows) == len(highs) == 1 else (-np.inf, np.inf)

    def _new_task(self, known, factors, score_range):
        raw = self._parse_known(known, self.models_, "model")
        low, high = self._new_task_range(score_range)
        self._check_range(raw, low, high, self.models_, "model")
        full = self._predict_full()
        level = full.mean(axis=1)
        params = self.target_.task_params(raw, level, low, high)
        center = self._task_level(factors) if np.isnan(raw).all() else None
        if center is not None and "center" in params:
            params["center"] = np.array([center])
        model_params, _ = self.target_.take()
        y = self.target_.transform(raw[:, None], models=model_params, tasks=params)[:, 0]
        encoded = self._encode_new(factors, "task")
        prediction = None
        if (~np.isnan(raw)).any() or (encoded is not None and self.uses_factors):
            if self.target_.kind == "rank" and (~np.isnan(raw)).sum() < 2:
                prediction = None
            else:
                encoded = encoded or self._no_factors("task")
                prediction = self._fold_in_task(y, *encoded)
        _, overall = self._fallback_levels()
        return self._new_frame(
            prediction, lambda values: self.target_.inverse(values[:, None], models=model_params,
                                                            tasks=params)[:, 0],
            np.full(len(self.models_), overall), raw, self.models_, "model",
            self._fallback_reason(known, factors, "task"))

    def _no_factors(self, what):
        encoder = getattr(self, f"{what}_encoder_", None)
        if encoder is None:
            return np.zeros(0), np.zeros(0, np.int64)
        numeric, codes = encoder.transform(pd.DataFrame(index=[0]))
        return numeric[0], codes[0]

    def _fallback_reason(self, known, factors, what):
        """Why a new model (task) could not be predicted, for the ``reason`` column."""
        used = "task mean" if what == "model" else "mean of all scores"
        if not (known or factors):
            return f"no known score and no factors: {used}"
        if self.target_.kind == "rank" and what == "task":
            return f"fewer than 2 known scores for a rank target: {used}"
        if not known and not self.uses_factors:
            return f"method {self.method_name!r} does not use factors and no score is " \
                   f"known: {used}"
        return f"method {self.method_name!r} could not predict from what was given: {used}"

    def _check_scale(self, raw):
        """Refuse a new model's known score that is a fraction given for a percent task: at
        most 1 on a task scored up to 100 or more whose every observed score is 2 or more
        (0.59 for an ARC whose lowest score is 21.6), which would pass as a near-zero score
        and be predicted from silently."""
        upper = self.task_info_["upper"].to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lowest = np.nanmin(self.train_scores_, axis=0)
            highest = np.nanmax(self.train_scores_, axis=0)
        with np.errstate(invalid="ignore"):
            fraction = (raw <= 1) & (upper >= 100) & (lowest >= 2)
        if fraction.any():
            k = int(np.flatnonzero(fraction)[0])
            raise ScoreTableError(
                f"known score {raw[k]:g} for task {self.tasks_[k]!r} looks like a fraction: "
                f"the task's scores run from {lowest[k]:g} to {highest[k]:g} (0 to "
                f"{upper[k]:g}); give {100 * raw[k]:g} if that is what {raw[k]:g} means")

    @staticmethod
    def _check_range(raw, low, high, names, what):
        with np.errstate(invalid="ignore"):
            outside = (raw < low) | (raw > high)
        if outside.any():
            k = int(np.flatnonzero(outside)[0])
            lo, hi = np.broadcast_to(low, raw.shape)[k], np.broadcast_to(high, raw.shape)[k]
            raise ScoreTableError(f"known score {raw[k]:g} for {what} {names[k]!r} is outside "
                                  f"the range {lo:g} to {hi:g}")

    def _new_frame(self, prediction, inverse, fallback_scores, raw, index, what, reason):
        """The result of a fold-in: scores, with explicit fallbacks where there is none.

        `prediction` is the method's target-space answer: None when it could not
        predict at all, NaN on the cells it could not predict.
        """
        if prediction is None:
            gaps = np.ones(len(raw), dtype=bool)
            scores = fallback_scores
        else:
            gaps = np.isnan(prediction)
            scores = np.where(gaps, fallback_scores, inverse(np.where(gaps, 0.0, prediction)))
            used = "task mean" if what == "task" else "mean of all scores"
            reason = f"method {self.method_name!r} could not predict this cell: {used}"
        observed = ~np.isnan(raw)
        fallback = gaps & ~observed
        return pd.DataFrame({
            "score": np.where(observed, raw, scores), "observed": observed,
            "fallback": fallback, "reason": np.where(fallback, reason, "").astype(object)},
            index=pd.Index(index, name=what))

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Save the fitted predictor to `path` (see :mod:`scorecast.persistence`)."""
        self._check_fitted()
        persistence.save(self, path)
