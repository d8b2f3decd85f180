"""Target spaces: where a predictor learns, and the way back to scores.

=========  ==================================================================
``raw``     the scores as they are.
``task``    per-task standardised: (score - task mean) / task std, over the
            models observed on the task (the default).
``paper``   the normalisation of the CPP paper's released code: per model
            (row) min-max scaling after setting missing cells to 0, i.e. a
            score divided by the model's best observed score when the model
            has a missing cell. For comparison with the paper's numbers.
``logit``   for bounded tasks, logit of the score scaled to [0, 1] (kept off
            the bounds by half a point in a thousand), then standardised per
            task; unbounded tasks are only standardised.
``logit-floor``  like ``logit``, but the lower bound of each task seen on at
            least 8 models is raised to just below its weakest observed score
            (by 5% of the observed spread): on multiple-choice tasks the
            weakest models sit at chance level, and the logit is straight only
            above that floor.
``logit-span``  logit of the score placed in a span a little wider than the
            task's observed scores (by 10% of their spread on each side; the
            declared range for tasks seen on fewer than 3 models), then
            standardised per task. The link bends where the scores do (a
            task at its chance level, a task near saturation) without the
            huge logits a score of 0 on a 0-100 task would give; predictions
            stay within the span (a new best model is predicted at most 10%
            of the observed spread above the best so far).
``rank``    each task's scores turned into ranks among the models observed on
            it (ties share their mean rank), scaled to [0, 1]; predictions map
            back to scores through the task's observed scores.
=========  ==================================================================

Predictions always come back as scores clipped to each task's range.
"""

import warnings

import numpy as np
from scipy.stats import rankdata

from .persistence import persistable

__all__ = ["TARGETS", "TargetSpace"]

TARGETS = ("raw", "task", "paper", "logit", "logit-floor", "logit-span", "rank")
_LOGITS = ("logit", "logit-floor", "logit-span")
_EPS = 5e-4
_FLOOR_MARGIN = 0.05
_FLOOR_MIN_MODELS = 8
_SPAN_MARGIN = 0.1
_SPAN_MIN_MODELS = 3
# Per-task spreads are shrunk toward the median spread as if this many more models showed it.
SCALE_PRIOR_COUNT = 5


def _column_stats(values, prior_count=SCALE_PRIOR_COUNT):
    """Mean and spread of each column over its observed cells.

    The spread of a task seen on few models is a poor estimate (and on a
    leaderboard, a biased one: only strong models report hard tasks), so each
    task's variance is shrunk toward the median variance of all tasks as if
    `prior_count` more models had shown that median variance.

    Returns
    -------
    mean : ndarray (NaN for columns without observations)
    std : ndarray
    pooled : float
        The median spread used as the prior.
    """
    observed = ~np.isnan(values)
    counts = observed.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(values, axis=0) / counts
        var = np.nansum((values - mean) ** 2, axis=0) / counts
    usable = (counts >= 2) & (var > 1e-18)
    pooled = float(np.median(var[usable])) if usable.any() else 1.0
    var = np.where(usable, var, pooled)
    counts = np.where(usable, counts, 0)
    shrunk = (counts * var + prior_count * pooled) / (counts + prior_count)
    return mean, np.sqrt(shrunk), float(np.sqrt(pooled))


@persistable
class TargetSpace:
    """A target space fitted to a score matrix.

    Parameters
    ----------
    kind : {"raw", "task", "paper", "logit", "rank"}
        See the module documentation.

    Attributes
    ----------
    tasks_ : dict of str to ndarray
        Per-task parameters (``lower``, ``upper``, and ``center``/``scale``,
        ``bounded``, or ``sorted``/``count`` depending on the kind).
    models_ : dict of str to ndarray
        Per-model parameters (``low``, ``high``) for the ``paper`` kind.
    """

    def __init__(self, kind="task"):
        if kind not in TARGETS:
            raise ValueError(f"unknown target {kind!r}; use one of {', '.join(TARGETS)}")
        self.kind = kind

    # ------------------------------------------------------------------ fitting
    def fit(self, raw, lower, upper):
        """Learn the per-task (and per-model) parameters from observed scores.

        Parameters
        ----------
        raw : ndarray of shape (n_models, n_tasks)
            Scores, NaN where missing.
        lower, upper : ndarray of shape (n_tasks,)
            Each task's score range (may be infinite).

        Returns
        -------
        self
        """
        raw = np.asarray(raw, dtype=float)
        lower = np.asarray(lower, float)
        if self.kind == "logit-floor":
            lower = self._floor(raw, lower)
        self.tasks_ = {"lower": lower, "upper": np.asarray(upper, float)}
        if self.kind == "logit-span":
            self.tasks_.update(self._span(raw, self.tasks_))
        self.models_ = {}
        if self.kind in ("task", *_LOGITS):
            link = self._link(raw, self.tasks_)
            center, scale, self.pooled_scale_ = _column_stats(link)
            # A task with no score yet (a new task) sits at the typical task's level.
            typical = float(np.median(center[~np.isnan(center)])) if (~np.isnan(center)).any() \
                else 0.0
            self.tasks_["center"] = np.where(np.isnan(center), typical, center)
            self.tasks_["scale"] = scale
        elif self.kind == "paper":
            self.models_ = self.model_params(raw)
        elif self.kind == "rank":
            self.tasks_.update(self._rank_params(raw))
        return self

    @staticmethod
    def _floor(raw, lower):
        """Lower bounds raised to just below the weakest observed score of each task.

        Only tasks seen on enough models get a floor: the weakest of a few
        scores (often reported only by strong models) says nothing of chance.
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # all-missing columns
            low, high = np.nanmin(raw, axis=0), np.nanmax(raw, axis=0)
        floor = low - _FLOOR_MARGIN * np.maximum(high - low, 1e-9)
        enough = (~np.isnan(raw)).sum(axis=0) >= _FLOOR_MIN_MODELS
        return np.where(enough & np.isfinite(floor), np.maximum(lower, floor), lower)

    @staticmethod
    def _span(raw, params):
        """Link bounds of ``logit-span``: the observed scores widened by a margin each side."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # all-missing columns
            low, high = np.nanmin(raw, axis=0), np.nanmax(raw, axis=0)
        width = high - low
        enough = ((~np.isnan(raw)).sum(axis=0) >= _SPAN_MIN_MODELS) & (width > 1e-12)
        return {"link_lower": np.where(enough, low - _SPAN_MARGIN * width, params["lower"]),
                "link_upper": np.where(enough, high + _SPAN_MARGIN * width, params["upper"])}

    @staticmethod
    def _link_bounds(params):
        lower = params.get("link_lower", params["lower"])
        upper = params.get("link_upper", params["upper"])
        bounded = np.isfinite(lower) & np.isfinite(upper)
        return bounded, np.where(bounded, lower, 0.0), np.where(bounded, upper - lower, 1.0)

    def _link(self, raw, params):
        """Apply the logit link to bounded tasks (identity for other kinds)."""
        if self.kind not in _LOGITS:
            return raw
        bounded, lower, span = self._link_bounds(params)
        unit = np.clip((raw - lower) / span, _EPS, 1 - _EPS)
        return np.where(bounded, np.log(unit / (1 - unit)), raw)

    def _unlink(self, values, params):
        if self.kind not in _LOGITS:
            return values
        bounded, lower, span = self._link_bounds(params)
        unit = 1.0 / (1.0 + np.exp(-np.clip(values, -50, 50)))
        return np.where(bounded, lower + span * unit, values)

    @staticmethod
    def _rank_params(raw):
        counts = (~np.isnan(raw)).sum(axis=0)
        ordered = np.sort(raw, axis=0)[: max(1, counts.max())]   # NaN sort last
        return {"sorted": ordered, "count": counts}

    def model_params(self, raw_rows):
        """Per-model parameters of the ``paper`` kind for the given rows of scores.

        Rows with no score get the median of the fitted models' parameters.
        """
        raw_rows = np.asarray(raw_rows, dtype=float)
        if self.kind != "paper":
            return {}
        filled = np.where(np.isnan(raw_rows), 0.0, raw_rows)
        low, high = filled.min(axis=1), filled.max(axis=1)
        empty = np.isnan(raw_rows).all(axis=1) | (high <= low)
        if empty.any():
            reference = getattr(self, "models_", None) or {"low": low[~empty],
                                                           "high": high[~empty]}
            low = np.where(empty, np.median(reference["low"]) if reference["low"].size else 0, low)
            high = np.where(empty, np.median(reference["high"]) if reference["high"].size else 1,
                            high)
        return {"low": low, "high": high}

    def task_params(self, raw_column, model_level, lower, upper):
        """Parameters for a new task known by a few models' scores (possibly none).

        Parameters
        ----------
        raw_column : ndarray of shape (n_models,)
            Scores of the fitted models on the new task, NaN where unknown.
        model_level : ndarray of shape (n_models,)
            Each fitted model's mean value in this space over the fitted tasks:
            a known score is read as the model's usual level on a task whose
            centre is unknown.
        lower, upper : float
            The new task's score range.

        Returns
        -------
        dict of str to ndarray of shape (1,)
        """
        params = {"lower": np.array([lower], float), "upper": np.array([upper], float)}
        known = ~np.isnan(raw_column)
        if self.kind == "logit-floor":
            params["lower"] = self._floor(raw_column[:, None], params["lower"])
        if self.kind == "logit-span":
            params.update(self._span(raw_column[:, None], params))
        if self.kind in ("task", *_LOGITS):
            scale = self.pooled_scale_
            link = self._link(raw_column[:, None], params)[:, 0]
            if known.any():
                center = float(np.mean(link[known] - scale * model_level[known]))
            else:
                center = float(np.median(self.tasks_["center"]))
            params.update(center=np.array([center]), scale=np.array([scale]))
        elif self.kind == "rank":
            params.update(self._rank_params(raw_column[:, None]))
        return params

    # ------------------------------------------------------------------ mapping
    def transform(self, raw, models=None, tasks=None):
        """Scores to the target space.

        Parameters
        ----------
        raw : ndarray of shape (n_rows, n_cols)
        models, tasks : dict, optional
            Per-model and per-task parameters for the rows and columns (default:
            the fitted ones, so `raw` must be the fitted shape).

        Returns
        -------
        ndarray of the same shape, NaN where `raw` is NaN.
        """
        raw = np.asarray(raw, dtype=float)
        tasks = self.tasks_ if tasks is None else tasks
        models = self.models_ if models is None else models
        if self.kind == "raw":
            return raw.copy()
        if "center" in tasks:
            return (self._link(raw, tasks) - tasks["center"]) / tasks["scale"]
        if self.kind == "paper":
            low, high = models["low"][:, None], models["high"][:, None]
            return (raw - low) / (high - low)
        out = np.full(raw.shape, np.nan)
        for j in range(raw.shape[1]):
            column = raw[:, j]
            known = ~np.isnan(column)
            n = int(known.sum())
            if n:
                out[known, j] = (rankdata(column[known]) - 1) / (n - 1) if n > 1 else 0.5
        return out

    def inverse(self, values, models=None, tasks=None):
        """Target-space values back to scores, clipped to each task's range.

        Parameters are as for :meth:`transform`.
        """
        values = np.asarray(values, dtype=float)
        tasks = self.tasks_ if tasks is None else tasks
        models = self.models_ if models is None else models
        if self.kind == "raw":
            raw = values.copy()
        elif "center" in tasks:
            raw = self._unlink(values * tasks["scale"] + tasks["center"], tasks)
        elif self.kind == "paper":
            low, high = models["low"][:, None], models["high"][:, None]
            raw = values * (high - low) + low
        else:
            raw = np.empty(values.shape)
            for j in range(values.shape[1]):
                n = int(tasks["count"][j])
                ordered = tasks["sorted"][:n, j]
                grid = np.linspace(0.0, 1.0, n) if n > 1 else np.array([0.5])
                raw[:, j] = np.interp(np.clip(values[:, j], 0, 1), grid, ordered)
        return np.clip(raw, tasks["lower"], tasks["upper"])

    def take(self, models=None, tasks=None):
        """The fitted parameters of some models (row indices) and tasks (column indices)."""
        model_params = {k: v[models] for k, v in self.models_.items()} if models is not None \
            else self.models_
        task_params = {k: (v[:, tasks] if v.ndim == 2 else v[tasks])
                       for k, v in self.tasks_.items()} if tasks is not None else self.tasks_
        return model_params, task_params
