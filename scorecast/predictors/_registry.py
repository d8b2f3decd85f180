"""Predictors registered by name, for the command line and ``make_predictor``."""

from ..errors import ScorecastError, quote_names
from ..persistence import persistable

METHODS = {}


def register(name):
    """Class decorator: register a predictor under `name` (and make it persistable)."""

    def decorate(cls):
        cls.method_name = name
        METHODS[name] = cls
        return persistable(cls)

    return decorate


def make_predictor(name, **params):
    """Return a new, unfitted predictor of method `name` with the given parameters.

    Parameters
    ----------
    name : str
        A registered method (``scorecast methods`` lists them).
    **params
        Parameters of that method's class.

    Returns
    -------
    ScorePredictor
    """
    try:
        cls = METHODS[name]
    except KeyError:
        raise ScorecastError(f"unknown method {name!r}; the methods are "
                             f"{quote_names(METHODS, limit=20)}") from None
    return cls(**params)


def describe_methods():
    """Return ``[(name, one-line description)]`` of the registered methods."""
    return [(name, (cls.__doc__ or "").strip().splitlines()[0]) for name, cls in METHODS.items()]
