"""The CPP paper's scaling-law baseline (``scaling-law``).

Per task, the logit of the normalised score is a line in the log parameter
count, fitted by bounded least squares within the model's family. A line has
two coefficients, so every fit reduces to five sums over the models it uses
(count, sum x, sum x^2, sum y, sum xy); the box-constrained minimum of a convex
quadratic in two unknowns is either the unconstrained minimum or the minimum on
one of the four edges, each of them closed-form. All fits, one per cell, are
therefore solved at once without a loop over cells (and agree with
``scipy.optimize.lsq_linear``, which the tests check).
"""

import re

import numpy as np
import pandas as pd

from ..errors import ScoreTableError, quote_names
from ..factors import parameter_factor
from ._base import ScorePredictor
from ._registry import register

_UNITS = {"count": 1e-6, "millions": 1.0, "billions": 1e3}
_UNIT_PATTERNS = [
    ("millions", re.compile(r"\(\s*m(illions?)?\s*\)|_m$|\bmillions?\b", re.IGNORECASE)),
    ("billions", re.compile(r"\(\s*b(illions?)?\s*\)|_b$|\bbillions?\b", re.IGNORECASE)),
]
# How far an unbounded task's normalisation range extends beyond its observed scores,
# as a share of their spread, so that the best and worst observed scores stay off 0 and 1.
_UNBOUNDED_MARGIN = 0.1


def params_unit_from_name(name):
    """The unit of a parameter-count factor from its name: millions, billions or count.

    ``"Parameter Size(M)"`` and ``"params_m"`` are in millions, ``"Params (B)"``
    and ``"params_b"`` in billions, anything else is a plain count.
    """
    for unit, pattern in _UNIT_PATTERNS:
        if pattern.search(str(name).strip()):
            return unit
    return "count"


def fit_bounded_lines(n, sx, sxx, sy, sxy, slope_bounds, intercept_bounds):
    """Least-squares lines ``y = slope * x + intercept`` with both coefficients in boxes.

    Every argument but the bounds is an array of the same shape, one fit per
    element, given by its sums over the points: count, sum of x, of x^2, of y
    and of x*y.

    Returns
    -------
    slope, intercept : ndarray
    """
    (w_lo, w_hi), (b_lo, b_hi) = slope_bounds, intercept_bounds

    def objective(w, b):
        return sxx * w * w + 2 * sx * w * b + n * b * b - 2 * sxy * w - 2 * sy * b

    with np.errstate(divide="ignore", invalid="ignore"):
        det = n * sxx - sx * sx
        w_free = (n * sxy - sx * sy) / det
        b_free = (sy - w_free * sx) / n
        candidates = []
        for w in (w_lo, w_hi):
            candidates.append((np.full_like(sy, w), np.clip((sy - w * sx) / n, b_lo, b_hi)))
        for b in (b_lo, b_hi):
            w = np.where(sxx > 0, (sxy - b * sx) / sxx, w_lo)
            candidates.append((np.clip(w, w_lo, w_hi), np.full_like(sy, b)))
    inside = ((det > 1e-12 * np.maximum(n * sxx, 1e-300)) & (w_free >= w_lo) & (w_free <= w_hi)
              & (b_free >= b_lo) & (b_free <= b_hi))
    candidates.append((np.where(inside, w_free, w_lo), np.where(inside, b_free, b_lo)))
    values = np.stack([objective(w, b) for w, b in candidates])
    values[-1] = np.where(inside, values[-1], np.inf)
    best = np.argmin(values, axis=0)
    slope = np.choose(best, [w for w, _ in candidates])
    intercept = np.choose(best, [b for _, b in candidates])
    return slope, intercept


@register("scaling-law")
class ScalingLaw(ScorePredictor):
    """Scaling law per task and family: logit(normalised score) linear in log parameters.

    The CPP paper's baseline: on each task, ``logit(u) = slope * log(N) +
    intercept``, where ``u = (score - lower) / (upper - lower)`` is the score
    normalised by the task's range (flipped for lower-is-better tasks, and
    kept within ``[eps, 1 - eps]``) and ``N`` the parameter count in
    millions, natural log. The slope is bounded to [0.5, 2] and the intercept
    to [-10, -3] as in the paper. A model's score on a task is predicted by
    the line fitted on the *other* models of its family observed on the task;
    when fewer than `min_models` of them are, by the line fitted on all other
    models observed on the task.

    Parameters
    ----------
    params_factor : str or None, default=None
        Model factor holding the parameter count. None: the first numeric
        factor whose name contains "param" (any case).
    family_factor : str or None, default=None
        Categorical model factor holding the family. None: the first
        categorical factor whose name contains "family"; without one, every
        fit uses all models.
    params_unit : {"count", "millions", "billions"} or None, default=None
        Unit of the parameter factor. None: from its name, ``(M)``/``_m``
        millions, ``(B)``/``_b`` billions, otherwise a plain count.
    min_models : int, default=2
        Fewest other models of the family (then of all families) observed on
        the task, with a parameter count, needed to fit a line.
    slope_bounds : (float, float), default=(0.5, 2.0)
    intercept_bounds : (float, float), default=(-10.0, -3.0)
    eps : float, default=1e-3
        Normalised scores are clipped to ``[eps, 1 - eps]`` before the logit.

    Attributes
    ----------
    slope_, intercept_ : ndarray of shape (n_models, n_tasks)
        The line that predicts each cell (NaN where the cell falls back).
    fallback_mask_ : ndarray of bool, shape (n_models, n_tasks)
        Cells the law cannot predict (no parameter count, or too few models
        on the task): they get the task's mean in the target space.
    log_params_ : ndarray of shape (n_models,)
        Natural log of each model's parameter count in millions (NaN if unknown).
    families_ : list of str
        Family names; model family codes index it from 1 (0: no family).
    family_slope_, family_intercept_ : ndarray of shape (n_families + 1, n_tasks)
        Lines fitted on all models of each family, for new models (NaN where
        the family has fewer than `min_models` models on the task; row 0 unused).
    task_slope_, task_intercept_ : ndarray of shape (n_tasks,)
        Lines fitted on all models of each task (NaN below `min_models`).
    lower_, upper_ : ndarray of shape (n_tasks,)
        The normalisation range of each task: its declared score range, or for
        an unbounded task its observed scores widened by a tenth of their spread.

    Notes
    -----
    *Unit.* The paper's bounds fix the unit: with ``N`` in millions a 7B
    model's logit can range over [-5.6, 14.7] and a 70B one over
    [-4.4, 19.3], which covers the observed scores; with ``N`` in billions
    the upper bound caps a 7B model at a normalised score of 0.71 (LLaMA 2-7B
    already scores 0.77 on BoolQ), and with a raw count the lower bound keeps
    every model above 0.79. Millions is also the unit of the paper's data
    (``Parameter Size(M)``), so that is what the bounds were chosen for.

    *Target space.* The law works on scores, so this method has no `target`
    parameter: it learns in the default ``task`` space, an affine map of each
    task's scores, and maps its predictions there exactly.

    *New models.* A model known by its factors is predicted by its family's
    line (all families' line when its family is unknown or too small on the
    task); tasks whose ``task_slope_`` is NaN get the task mean. Its known
    scores are not used by the law itself, which is per task; they only shift
    the intercept of every task's line by the mean logit residual on the known
    tasks, each shifted intercept clipped back into `intercept_bounds`. A model
    without a parameter count falls back to the task means (flagged). A new
    task is predicted by the base class's level shift: the law needs the task's
    score range, which the fold-in does not see.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorecast import ScoreMatrix
    >>> from scorecast.predictors import ScalingLaw
    >>> names = ["a-1b", "a-7b", "a-13b", "a-70b"]
    >>> scores = pd.DataFrame({"MMLU": [20.0, 45.0, 55.0, 75.0]}, index=names)
    >>> sizes = pd.DataFrame({"family": ["a"] * 4, "params_b": [1, 7, 13, 70]}, index=names)
    >>> law = ScalingLaw().fit(ScoreMatrix(scores, model_factors=sizes, score_range=(0, 100)))
    >>> law.params_unit_, round(float(law.family_slope_[1, 0]), 2)
    ('billions', 0.59)
    >>> law.predict_new_model(factors={"family": "a", "params_b": 30})["score"].round(1).tolist()
    [65.5]
    """

    uses_factors = True

    def __init__(self, params_factor=None, family_factor=None, params_unit=None, min_models=2,
                 slope_bounds=(0.5, 2.0), intercept_bounds=(-10.0, -3.0), eps=1e-3):
        self.params_factor = params_factor
        self.family_factor = family_factor
        self.params_unit = params_unit
        self.min_models = min_models
        self.slope_bounds = slope_bounds
        self.intercept_bounds = intercept_bounds
        self.eps = eps

    # ------------------------------------------------------------------ factors
    def _find_factor(self, given, kinds, test):
        if given is not None:
            if given not in kinds:
                raise ScoreTableError(f"scaling-law: no model factor named {given!r}; the model "
                                      f"factors are {quote_names(kinds, limit=20) or 'none'}")
            return given
        return next((name for name, kind in kinds.items() if test(name, kind)), None)

    def _choose_factors(self, kinds):
        self.params_column_ = self._find_factor(
            self.params_factor, kinds, lambda name, kind: name == parameter_factor(kinds))
        if self.params_column_ is None:
            raise ScoreTableError(
                "scaling-law needs a parameter count: no numeric model factor has 'param' in "
                f"its name (the model factors are {quote_names(kinds, limit=20) or 'none'}); "
                "name one with params_factor")
        if kinds[self.params_column_] != "numeric":
            raise ScoreTableError(f"scaling-law: the parameter factor {self.params_column_!r} "
                                  f"is {kinds[self.params_column_]}, not numeric")
        self.family_column_ = self._find_factor(
            self.family_factor, kinds,
            lambda name, kind: kind == "categorical" and "family" in name.lower())
        unit = self.params_unit or params_unit_from_name(self.params_column_)
        if unit not in _UNITS:
            raise ValueError(f"params_unit must be one of {', '.join(_UNITS)}, not {unit!r}")
        self.params_unit_ = unit

    def _law_inputs(self, frame):
        """Log parameter count in millions (NaN if unknown) and family code (0: none)."""
        n = len(frame)
        params = pd.to_numeric(frame[self.params_column_], errors="coerce").to_numpy(float) \
            if self.params_column_ in frame.columns else np.full(n, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_params = np.log(params * _UNITS[self.params_unit_])
        log_params[~np.isfinite(log_params)] = np.nan
        codes = np.zeros(n, dtype=np.int64)
        if self.family_column_ is not None and self.family_column_ in frame.columns:
            lookup = {family: k + 1 for k, family in enumerate(self.families_)}
            codes[:] = [lookup.get(str(v), 0) if pd.notna(v) else 0
                        for v in frame[self.family_column_]]
        return log_params, codes

    def _encode_new(self, factors, what):
        # The law reads the raw parameter count and family, not the standardised design.
        if what != "model" or not factors:
            return super()._encode_new(factors, what)
        frame = self.model_encoder_.frame_from_values(factors, "model")
        log_params, codes = self._law_inputs(frame)
        return log_params, codes

    def _no_factors(self, what):
        if what != "model":
            return super()._no_factors(what)
        return np.array([np.nan]), np.zeros(1, np.int64)

    def _fallback_reason(self, known, factors, what):
        if what == "model" and (known or factors):
            return f"no parameter count ({self.params_column_!r}) for the scaling law: task mean"
        return super()._fallback_reason(known, factors, what)

    # ------------------------------------------------------------------ scores <-> logits
    def _normalisation(self, raw, info):
        lower, upper = info["lower"].to_numpy(float), info["upper"].to_numpy(float)
        with np.errstate(invalid="ignore"):
            low, high = np.nanmin(raw, axis=0), np.nanmax(raw, axis=0)
        margin = np.where(high > low, _UNBOUNDED_MARGIN * (high - low), 1.0)
        unbounded = ~(np.isfinite(lower) & np.isfinite(upper))
        self.lower_ = np.where(unbounded, low - margin, lower)
        self.upper_ = np.where(unbounded, high + margin, upper)
        self.higher_is_better_ = info["higher_is_better"].to_numpy(bool)

    def _to_logit(self, raw):
        unit = (raw - self.lower_) / (self.upper_ - self.lower_)
        unit = np.clip(np.where(self.higher_is_better_, unit, 1 - unit), self.eps, 1 - self.eps)
        return np.log(unit / (1 - unit))

    def _to_score(self, logit):
        unit = 1 / (1 + np.exp(-np.clip(logit, -50, 50)))
        unit = np.where(self.higher_is_better_, unit, 1 - unit)
        return self.lower_ + unit * (self.upper_ - self.lower_)

    # ------------------------------------------------------------------ fitting
    def _fit(self, inputs):
        table = inputs.table
        self._choose_factors(table.model_factor_kinds)
        self.families_ = [] if self.family_column_ is None else sorted(
            table.model_factors[self.family_column_].dropna().astype(str).unique().tolist())
        self.log_params_, family = self._law_inputs(table.model_factors)
        self._normalisation(self.train_scores_, self.task_info_)
        logit = self._to_logit(self.train_scores_)
        usable = ~np.isnan(logit) & ~np.isnan(self.log_params_)[:, None]
        y = np.where(usable, logit, 0.0)
        x = np.broadcast_to(np.nan_to_num(self.log_params_)[:, None], y.shape)
        # Each usable cell's contribution to the five sums of its task's fits.
        own = usable * np.stack([np.ones_like(y), x, x * x, y, x * y])
        members = np.eye(len(self.families_) + 1)[family].T          # (groups, models)
        by_family = np.einsum("gm,smt->sgt", members, own)            # sums per family
        self.family_slope_, self.family_intercept_ = self._lines(by_family)
        self.family_slope_[0] = self.family_intercept_[0] = np.nan   # no family: no line
        self.family_counts_ = by_family[0]
        by_task = own.sum(axis=1)
        self.task_slope_, self.task_intercept_ = self._lines(by_task)
        self.task_counts_ = by_task[0]
        # Leave-one-out: a cell is predicted from the other models, never from itself.
        in_family = by_family[:, family, :]
        use_family = (family[:, None] > 0) & (in_family[0] - own[0] >= self.min_models)
        sums = np.where(use_family[None], in_family, by_task[:, None, :]) - own
        slope, intercept = fit_bounded_lines(*sums, self.slope_bounds, self.intercept_bounds)
        self.fallback_mask_ = np.isnan(self.log_params_)[:, None] | (sums[0] < self.min_models)
        self.slope_ = np.where(self.fallback_mask_, np.nan, slope)
        self.intercept_ = np.where(self.fallback_mask_, np.nan, intercept)
        with np.errstate(invalid="ignore"):
            level = np.nanmean(inputs.Y, axis=0)
        self.task_level_ = np.where(np.isnan(level), 0.0, level)

    def _lines(self, sums):
        """Bounded lines from sums, NaN where fewer than `min_models` points."""
        slope, intercept = fit_bounded_lines(*sums, self.slope_bounds, self.intercept_bounds)
        enough = sums[0] >= self.min_models
        return np.where(enough, slope, np.nan), np.where(enough, intercept, np.nan)

    def _predict_lines(self, slope, intercept, log_params):
        """Target-space predictions of lines (task level where a line is NaN)."""
        scores = self._to_score(slope * log_params + intercept)
        target = self.target_.transform(np.atleast_2d(np.where(np.isnan(scores), 0.0, scores)))
        return np.where(np.isnan(np.atleast_2d(slope)), self.task_level_, target)

    def _predict_full(self):
        return self._predict_lines(self.slope_, self.intercept_, self.log_params_[:, None])

    def _fold_in_model(self, y, numeric, codes):
        log_params, family = float(numeric[0]), int(codes[0])
        if np.isnan(log_params):
            return None
        slope, intercept = self.task_slope_.copy(), self.task_intercept_.copy()
        if family > 0:
            own = ~np.isnan(self.family_slope_[family])
            slope[own] = self.family_slope_[family][own]
            intercept[own] = self.family_intercept_[family][own]
        known = ~np.isnan(y) & ~np.isnan(slope)
        if known.any():
            observed = self._to_logit(self.target_.inverse(y[None, :]))[0]
            shift = np.mean(observed[known] - (slope * log_params + intercept)[known])
            intercept = np.clip(intercept + shift, *self.intercept_bounds)
        return self._predict_lines(slope, intercept, log_params)[0]
