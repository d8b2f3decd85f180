"""Predictors registered by name, for the command line and ``make_predictor``."""

from difflib import get_close_matches

from ..errors import ParameterError, quote_names
from ..persistence import persistable
from ._params import check_params

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

    Raises
    ------
    ParameterError
        For an unknown method or parameter, or a value outside the parameter's
        range (see :mod:`scorecast.predictors._params`).
    """
    try:
        cls = METHODS[name]
    except (KeyError, TypeError):
        close = get_close_matches(str(name), list(METHODS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(f"unknown method {name!r}{hint}; the methods are "
                             f"{quote_names(METHODS, limit=20)}", "method") from None
    predictor = cls()
    return predictor.set_params(**check_params(name, params, predictor.get_params()))


def seeded(predictor, random_state, verbose=None):
    """Set `random_state` (and `verbose`, if given) on a predictor that takes them.

    Returns
    -------
    The same predictor.
    """
    accepted = predictor.get_params()
    if "random_state" in accepted:
        predictor.set_params(random_state=random_state)
    if verbose is not None and "verbose" in accepted:
        predictor.set_params(verbose=verbose)
    return predictor


def param_value(text):
    """A parameter value given as text: int, float, true/false, none, else the text."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    return text


def parse_method(spec):
    """Split a method spec such as ``mf`` or ``mf:rank=7:reg=0.5`` into name and parameters.

    Returns
    -------
    name : str
    params : dict
        Values parsed by :func:`param_value`.

    Raises
    ------
    ParameterError
        For an unknown method or parameter, a value outside its range, or a part
        that is not NAME=VALUE.
    """
    name, *parts = [part.strip() for part in spec.split(":")]
    params = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"method {spec!r}: expected NAME=VALUE after ':', got "
                                 f"{part!r}", "method")
        if key.strip() in params:
            raise ParameterError(f"method {spec!r}: parameter {key.strip()!r} is given twice",
                                 key.strip())
        params[key.strip()] = param_value(value.strip())
    predictor = make_predictor(name, **params)  # checks the name and the parameters
    return name, {key: predictor.get_params()[key] for key in params}


def describe_methods():
    """Return ``[(name, one-line description)]`` of the registered methods."""
    return [(name, (cls.__doc__ or "").strip().splitlines()[0]) for name, cls in METHODS.items()]
