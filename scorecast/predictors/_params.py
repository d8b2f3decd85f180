"""The valid values of every prediction method's parameters, in one table.

A parameter is checked where it enters: :func:`check_params` when a predictor is
made by name (``make_predictor``, ``--param``, ``--methods mf:rank=2``), before any
fitting; :func:`check_fit` at the start of ``ScorePredictor.fit`` (values a Python
user set directly, and the bounds that depend on the table, such as a rank no
larger than the table). Both raise :class:`~scorecast.errors.ParameterError`, whose
message gives the valid range.

:data:`RULES` holds one rule per parameter name, shared by every method with a
parameter of that name; :data:`METHOD_RULES` holds the exceptions. A parameter with
no rule is still checked against the type of its default (an int stays a whole
number, a bool stays true/false...), so a new method is covered without an edit.
"""

import math
import numbers

import numpy as np

from ..errors import ParameterError, quote_names
from ..targets import TARGETS

__all__ = ["RULES", "METHOD_RULES", "check_params", "check_fit", "rule_for"]


class Invalid(Exception):
    """A value breaks a rule; the message is what the value must be."""


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _show(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


class Number:
    """A finite number within bounds; ``integer=True`` asks for a whole number (an int).

    ``table(table)``, if given, returns ``(largest value, why)`` for a fitted table.
    """

    def __init__(self, low=-math.inf, high=math.inf, *, integer=False, low_open=False,
                 high_open=False, none=False, table=None):
        self.low, self.high, self.integer = low, high, integer
        self.low_open, self.high_open, self.none, self.table = low_open, high_open, none, table

    def describe(self):
        noun = "a whole number" if self.integer else "a number"
        low, high = math.isfinite(self.low), math.isfinite(self.high)
        if self.table is not None:
            text = f"{noun} from {self.low:g} to the table's number of models or of tasks " \
                   f"(or {_SMALL_RANK}), whichever is largest"
        elif low and high:
            text = f"{noun} from {self.low:g} to {self.high:g}"
            excluded = [f"{b:g}" for b, o in ((self.low, self.low_open),
                                              (self.high, self.high_open)) if o]
            text += f" ({' and '.join(excluded)} excluded)" if excluded else ""
        elif low:
            text = f"{noun} {'above' if self.low_open else 'of at least'} {self.low:g}"
        elif high:
            text = f"{noun} {'below' if self.high_open else 'of at most'} {self.high:g}"
        else:
            text = f"a finite {noun[2:]}"
        return f"None or {text}" if self.none else text

    def check(self, value):
        if value is None and self.none:
            return value
        whole = isinstance(value, (numbers.Integral, np.integer))
        if not _is_number(value) or (self.integer and not whole) or not math.isfinite(value):
            raise Invalid(self.describe())
        if value < self.low or value > self.high or (self.low_open and value == self.low) \
                or (self.high_open and value == self.high):
            raise Invalid(self.describe())
        return value


class Choice:
    """One of a few words, or any name (of a factor...) when `options` is None; also None
    when ``none=True``."""

    def __init__(self, options=None, none=False):
        self.options, self.none = options and tuple(options), none

    def describe(self):
        text = "a name" if self.options is None else \
            f"one of {', '.join(repr(o) for o in self.options)}"
        return f"None or {text}" if self.none else text

    def check(self, value):
        if value is None and self.none:
            return value
        if isinstance(value, str) and (value.strip() if self.options is None
                                       else value in self.options):
            return value
        raise Invalid(self.describe())


class Flag:
    """True or false."""

    def describe(self):
        return "true or false"

    def check(self, value):
        if isinstance(value, (bool, np.bool_)):
            return value
        raise Invalid(self.describe())


class Seed:
    """A random seed: None, a whole number of at least 0, or a numpy generator."""

    def describe(self):
        return "None or a whole number of at least 0"

    def check(self, value):
        if value is None or isinstance(value, (np.random.Generator, np.random.SeedSequence,
                                               np.random.RandomState)):
            return value
        try:
            return Number(0, integer=True).check(value)
        except Invalid:
            raise Invalid(self.describe()) from None


class Pair:
    """Two finite numbers ``(low, high)`` with low <= high; text ``LOW:HIGH`` or
    ``LOW,HIGH`` (from the command line) becomes a tuple."""

    def describe(self):
        return "two numbers LOW:HIGH with LOW <= HIGH"

    def check(self, value):
        if isinstance(value, str):
            parts = value.replace(",", ":").split(":")
            try:
                value = tuple(float(p) for p in parts)
            except ValueError:
                raise Invalid(self.describe()) from None
        if not isinstance(value, (tuple, list)) or len(value) != 2 or \
                not all(_is_number(v) and math.isfinite(v) for v in value) or \
                value[0] > value[1]:
            raise Invalid(self.describe())
        return tuple(value)


class Candidates:
    """``auto``'s pool: None, or a list of ``(label, method, params)`` of valid methods."""

    def describe(self):
        return "None or a list of (label, method, params)"

    def check(self, value):
        if value is None:
            return value
        if not isinstance(value, (list, tuple)) or not value or not all(
                isinstance(c, (list, tuple)) and len(c) == 3 and isinstance(c[2], dict)
                for c in value):
            raise Invalid(self.describe())
        from ._registry import make_predictor  # the registry imports this module

        for _, method, params in value:
            make_predictor(method, **params)
        return value


class Anything:
    """No rule can be inferred (a default of None): any value."""

    def describe(self):
        return "any value"

    def check(self, value):
        return value


# A rank beyond the smaller side of a table adds nothing, but a small rank on a small table
# must stay legal (auto's pool uses ranks up to 3 on any table): the bound is the larger side,
# or this, whichever is more. It refuses absurd ranks (1e9) that would exhaust memory.
_SMALL_RANK = 10


def _larger_side(table):
    n_models, n_tasks = table.shape
    return max(n_models, n_tasks, _SMALL_RANK), (
        f"the larger of the table's {n_models} models and {n_tasks} tasks, or {_SMALL_RANK}")


_RANK = Number(1, integer=True, table=_larger_side)
_COUNT = Number(1, integer=True)
_PENALTY = Number(0)
_POSITIVE = Number(0, low_open=True)
_SHARE = Number(0, 1, high_open=True)

#: Rules shared by every method with a parameter of the name.
RULES = {
    "target": Choice(TARGETS),
    "random_state": Seed(),
    "verbose": Flag(),
    # matrix factorisation, soft-impute, bench-regression
    "rank": _RANK, "max_rank": _RANK,
    "reg": _PENALTY, "bias_reg": _PENALTY, "alpha": _PENALTY, "weight_decay": _PENALTY,
    "prior_alpha": _POSITIVE, "slope_reg": _POSITIVE, "tol": _POSITIVE, "lr": _POSITIVE,
    # auto: deprecated (ignored), and the bound of its cross-validation counted in rounds
    "time_budget": Number(0, low_open=True, none=True),
    "max_rounds": Number(1, 100, integer=True, none=True),
    "n_jobs": Number(1, integer=True, none=True),   # None: one worker per core
    "n_iter": _COUNT, "max_iter": _COUNT, "n_folds": _COUNT, "n_predictors": _COUNT,
    "n_estimators": _COUNT, "n_neighbors": _COUNT, "min_models": _COUNT, "n_lambdas": _COUNT,
    "embedding_dim": _COUNT, "max_epochs": _COUNT, "patience": _COUNT, "n_networks": _COUNT,
    "min_shared": Number(2, integer=True),   # a line needs two points
    "factor_prior": Flag(), "factor_slopes": Flag(), "use_factors": Flag(), "refit": Flag(),
    "candidates": Candidates(),
    "min_r2": Number(0, 1), "regression_weight": Number(0, 1), "shrinkage": Number(0, 1),
    "max_features": Number(0, 1, low_open=True),
    "dropout": _SHARE, "validation_fraction": _SHARE,
    "interactions": Choice(("task", "factors", "both", "none")),
    "weights": Choice(("uniform", "distance")),
    "eps": Number(0, 0.5, low_open=True, high_open=True),
    "params_factor": Choice(none=True), "family_factor": Choice(none=True),
    "params_unit": Choice(("count", "millions", "billions"), none=True),
    "slope_bounds": Pair(), "intercept_bounds": Pair(),
}

#: Rules of one method that differ from the shared rule of the same name.
METHOD_RULES = {
    "factors-ridge": {"estimator": Choice(("ridge", "gbm"))},
    "auto": {"preset": Choice(("fast", "best")), "portfolio": Anything()},
    "iterative-imputer": {"estimator": Choice(("auto", "bayesian-ridge", "extra-trees"))},
}


def rule_for(method, name, default):
    """The rule of parameter `name` of `method`: declared, else inferred from its default."""
    rule = METHOD_RULES.get(method, {}).get(name) or RULES.get(name)
    if rule is not None:
        return rule
    if isinstance(default, (bool, np.bool_)):
        return Flag()
    if isinstance(default, (numbers.Integral, np.integer)):
        return Number(integer=True)
    if _is_number(default):
        return Number()
    if isinstance(default, str):
        return Choice()
    if isinstance(default, tuple) and len(default) == 2 and all(_is_number(v) for v in default):
        return Pair()
    return Anything()


def _error(method, name, value, why):
    return ParameterError(f"parameter {name!r} of method {method!r} must be {why}, got "
                          f"{_show(value)}", name)


def check_params(method, params, defaults):
    """Check parameters given for `method` by name; return them, text pairs made tuples.

    Parameters
    ----------
    method : str
        The method's registered name.
    params : dict
        The values given.
    defaults : dict
        The method's parameters and their defaults (``get_params()`` of a new one).

    Returns
    -------
    dict

    Raises
    ------
    ParameterError
        For an unknown parameter or a value outside its range.
    """
    unknown = [key for key in params if key not in defaults]
    if unknown:
        from difflib import get_close_matches

        close = get_close_matches(unknown[0], list(defaults), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(f"method {method!r} has no parameter {unknown[0]!r}{hint}; its "
                             f"parameters are {quote_names(sorted(defaults), limit=30)}",
                             unknown[0])
    checked = {}
    for name, value in params.items():
        try:
            checked[name] = rule_for(method, name, defaults[name]).check(value)
        except Invalid as exc:
            raise _error(method, name, value, exc) from None
    return checked


def check_fit(predictor, table):
    """Check every parameter of `predictor` before it is fitted on `table`.

    Raises
    ------
    ParameterError
        For a value outside its range, or beyond a bound the table sets.
    """
    method = predictor.method_name or type(predictor).__name__
    defaults = type(predictor)().get_params() if predictor.method_name else {}
    for name, value in predictor.get_params(deep=False).items():
        rule = rule_for(method, name, defaults.get(name))
        try:
            rule.check(value)
        except Invalid as exc:
            raise _error(method, name, value, exc) from None
        bound = getattr(rule, "table", None)
        if bound is not None and value is not None:
            largest, why = bound(table)
            if value > largest:
                raise ParameterError(f"parameter {name!r} of method {method!r} must be at most "
                                     f"{largest} ({why}), got {_show(value)}", name)
