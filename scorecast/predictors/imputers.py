"""scikit-learn's imputers as score predictors (``iterative-imputer``, ``knn-imputer``).

These are the references a user could reach for instead of scorecast: they are
scikit-learn's own ``IterativeImputer`` and ``KNNImputer``, run on per-task
z-scores (the ``task`` target), with the model factors appended as columns for
the iterative imputer (numbers as standardised log1p, categories one-hot; see
``FactorEncoder``). A model's missing scores are then imputed from its other
scores and its factors; a new model is one more row given to the fitted imputer.

A fitted scikit-learn estimator cannot be saved in scorecast's format (plain
arrays, no pickle), so what is saved is the design the imputer was fitted on;
a loaded predictor refits the imputer, with the same seed, the first time a new
model needs it.
"""

import warnings

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (makes it importable)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import IterativeImputer, KNNImputer
from sklearn.linear_model import BayesianRidge
from sklearn.tree import ExtraTreeRegressor
from sklearn.utils import check_array, check_random_state

from .._parallel import blas_threads
from ._base import ScorePredictor
from ._registry import register

ESTIMATORS = ("auto", "bayesian-ridge", "extra-trees")
_SEED_BOUND = np.iinfo(np.int32).max


class ExtraTrees(RegressorMixin, BaseEstimator):
    """scikit-learn's extremely randomised trees, averaged: ``ExtraTreesRegressor`` (no
    bootstrap) without its per-tree set-up.

    The iterative imputer fits one forest per task and round on a few dozen rows;
    there, ``ExtraTreesRegressor`` spends more time cloning each tree (through
    ``get_params``) than growing it. This builds the same ``ExtraTreeRegressor``
    trees, with the same seeds drawn in the same order, on the same float32
    inputs, and averages them in the same order: the predictions are the
    forest's, in about half the time.

    Parameters
    ----------
    n_estimators : int, default=100
    max_features : float, default=1.0
    random_state : int or None, default=None
    """

    def __init__(self, n_estimators=100, max_features=1.0, random_state=None):
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.random_state = random_state

    def fit(self, X, y):
        rng = check_random_state(self.random_state)
        # Checked once here, as the forest does, rather than by every tree.
        X = np.ascontiguousarray(check_array(X), dtype=np.float32)
        y = np.ascontiguousarray(np.asarray(y, dtype=float).reshape(-1, 1))
        self.estimators_ = []
        with config_context(skip_parameter_validation=True):
            for _ in range(self.n_estimators):
                tree = ExtraTreeRegressor(max_features=self.max_features,
                                          random_state=rng.randint(_SEED_BOUND))
                self.estimators_.append(tree.fit(X, y, check_input=False))
        return self

    def predict(self, X):
        X = np.ascontiguousarray(check_array(X), dtype=np.float32)
        total = np.zeros(len(X))
        # Each tree's own predict() checks it is fitted and validates X again: in an
        # imputer's fold-in (tasks x rounds x trees calls for every new model) that costs
        # several times the descent itself, done here by the fitted trees' `tree_`.
        for tree in self.estimators_:
            total += tree.tree_.predict(X).reshape(len(X))
        return total / len(self.estimators_)

# Share of observed scores held out to pick the estimator when estimator="auto".
_VALIDATION = 0.1


class _ImputerPredictor(ScorePredictor):
    """Shared fit, prediction and fold-in of the predictors built on a scikit-learn imputer."""

    # The fitted imputer is rebuilt from the saved design when needed, never saved.
    _persist_skip = ScorePredictor._persist_skip + ("fold_in_imputer_",)

    @property
    def uses_factors(self):
        return bool(self.use_factors)

    def _make_imputer(self, choice, seed, every_column=False):
        raise NotImplementedError

    def _factor_design(self, numeric, codes):
        if not self.uses_factors:
            return np.zeros((len(numeric), 0))
        return np.hstack([numeric, self.model_encoder_.one_hot(codes)])

    def _impute(self, imputer, design):
        # Many small regressions: one BLAS thread each is faster than several.
        with warnings.catch_warnings(), blas_threads(1):
            # The imputer's round-robin regressions stop at max_iter by design.
            warnings.simplefilter("ignore", ConvergenceWarning)
            return imputer.fit_transform(design)

    def _choose(self, inputs, design):
        """The estimator to use (a label; subclasses with a choice pick it here)."""
        return self.method_name

    def _fit(self, inputs):
        design = np.hstack([inputs.Y, self._factor_design(inputs.model_numeric,
                                                          inputs.model_codes)])
        self.chosen_ = self._choose(inputs, design)
        self.seed_ = int(inputs.rng.integers(2**31 - 1))
        self.design_ = design
        imputer = self._make_imputer(self.chosen_, self.seed_)
        self.completed_ = self._impute(imputer, design)[:, :inputs.Y.shape[1]]
        self.fold_in_imputer_ = None

    def _predict_full(self):
        return self.completed_

    def _fitted_imputer(self):
        """The imputer that folds new models in: one that models every column, since a
        new model may lack a score on a task the table has complete (fitted on first use;
        on the fitted rows it imputes exactly what the fitted imputer did)."""
        if getattr(self, "fold_in_imputer_", None) is None:
            imputer = self._make_imputer(self.chosen_, self.seed_, every_column=True)
            self._impute(imputer, self.design_)
            self.fold_in_imputer_ = imputer
        return self.fold_in_imputer_

    def _fold_in_model(self, y, numeric, codes):
        return self._fold_in_models(y[None, :], [(numeric, codes)])[0]

    def _fold_in_models(self, Y, encoded):
        # The fitted imputer fills each row on its own: one call for all the rows.
        numeric = np.array([e[0] for e in encoded], dtype=float)
        codes = np.array([e[1] for e in encoded], dtype=np.int64)
        rows = np.hstack([Y, self._factor_design(numeric, codes)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self._fitted_imputer().transform(rows)[:, :Y.shape[1]]


@register("iterative-imputer")
class IterativeImputerPredictor(_ImputerPredictor):
    """scikit-learn's IterativeImputer on per-task z-scores, with model factors as columns.

    Each task's scores are regressed in turn on the other tasks' (currently
    imputed) scores and on the model factors, round after round (MICE-style
    chained equations, as implemented by scikit-learn).

    Parameters
    ----------
    estimator : {"auto", "bayesian-ridge", "extra-trees"}, default="auto"
        The per-task regression: scikit-learn's ``BayesianRidge`` at its
        defaults, or ``ExtraTreesRegressor``; ``"auto"`` fits both on the
        table with 10% of the observed scores held out and keeps the one with
        the lower absolute error on them.
    n_estimators : int, default=50
        Trees of the extra-trees estimator.
    max_features : float, default=1.0
        Share of the columns each split of a tree considers (scikit-learn's
        default, 1.0, considers them all; less is faster on wide tables).
    max_iter : int, default=10
        Rounds of the imputer.
    use_factors : bool, default=True
        Append the model factors as columns.
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`).
    random_state : int or None, default=None

    Attributes
    ----------
    chosen_ : str
        The estimator used.

    Examples
    --------
    >>> from scorecast import datasets, make_predictor
    >>> table = datasets.load("cpp-llm")                                 # doctest: +SKIP
    >>> imputer = make_predictor("iterative-imputer", random_state=0)   # doctest: +SKIP
    >>> imputer.fit(table).predict("Llama 3 8B", "HumanEval(pass@1)")   # doctest: +SKIP
    """

    def __init__(self, estimator="auto", n_estimators=50, max_features=1.0, max_iter=10,
                 use_factors=True, target="task", random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.max_iter = max_iter
        self.use_factors = use_factors
        self.target = target
        self.random_state = random_state

    def _make_imputer(self, choice, seed, every_column=False):
        # Columns without a missing value (factors, complete tasks) are not modelled when
        # imputing the table: the result is the same, and it is several times faster. A
        # new model may lack a score on a complete task, so folding it in models them all.
        if choice == "extra-trees":
            regressor = ExtraTrees(n_estimators=self.n_estimators,
                                   max_features=self.max_features, random_state=seed)
        else:
            regressor = BayesianRidge()
        return IterativeImputer(estimator=regressor, max_iter=self.max_iter, random_state=seed,
                                skip_complete=not every_column, keep_empty_features=True)

    def _choose(self, inputs, design):
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)}, "
                             f"not {self.estimator!r}")
        if self.estimator != "auto":
            return self.estimator
        cells = np.argwhere(inputs.mask)
        rng = np.random.default_rng(inputs.rng.integers(2**31 - 1))
        held = cells[rng.choice(len(cells), max(1, int(_VALIDATION * len(cells))),
                                replace=False)]
        train = design.copy()
        train[held[:, 0], held[:, 1]] = np.nan
        truth = design[held[:, 0], held[:, 1]]
        errors = {}
        for choice in ESTIMATORS[1:]:
            filled = self._impute(self._make_imputer(choice, int(rng.integers(2**31 - 1))),
                                  train)
            errors[choice] = np.mean(np.abs(filled[held[:, 0], held[:, 1]] - truth))
        return min(errors, key=errors.get)


@register("knn-imputer")
class KNNImputerPredictor(_ImputerPredictor):
    """scikit-learn's KNNImputer on per-task z-scores: the mean of the nearest models.

    A missing score is the mean of that task's scores of the `n_neighbors`
    models nearest to the model on the tasks both were scored on.

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"}, default="uniform"
    use_factors : bool, default=False
        Also measure distance on the model factors (standardised, one-hot).
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`).
    """

    def __init__(self, n_neighbors=5, weights="uniform", use_factors=False, target="task"):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.use_factors = use_factors
        self.target = target

    def _make_imputer(self, choice, seed, every_column=False):
        return KNNImputer(n_neighbors=self.n_neighbors, weights=self.weights,
                          keep_empty_features=True)

    def _fold_in_model(self, y, numeric, codes):
        if np.isnan(y).all() and not self.uses_factors:
            return None         # nothing to measure a distance on
        return super()._fold_in_model(y, numeric, codes)

    def _fold_in_models(self, Y, encoded):
        out = super()._fold_in_models(Y, encoded)
        if not self.uses_factors:
            out[np.isnan(Y).all(axis=1)] = np.nan     # as _fold_in_model: no prediction
        return out
