"""Checking what a user names on the command line against the table, before any fitting.

``--known``, ``--factor`` and ``--cost`` are lists of NAME=VALUE pairs. A name given
twice, a name the table does not have, a missing or non-numeric value is refused
with one line; a value the command will not use is said in a warning.
"""

import math
import warnings

import pandas as pd

from .._cells import is_missing, parse_number
from ..errors import ScorecastError, ScorecastWarning, quote_names
from ..factors import type_factors


def pairs(groups, option):
    """``{name: text}`` from the repeated option's NAME=VALUE lists; a repeated name is refused."""
    given = {}
    for name, value in (pair for group in groups for pair in group):
        if name in given:
            raise ScorecastError(f"{option} gives {name!r} twice ({given[name]!r} and "
                                 f"{value!r}); give each name once")
        given[name] = value
    return given


def _unknown(names, valid, what, option):
    """Refuse names that are not in `valid`, with a hint for names that hold '=' or ','."""
    unknown = [n for n in names if n not in valid]
    if not unknown:
        return
    import difflib

    close = difflib.get_close_matches(unknown[0], [str(v) for v in valid], n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    awkward = [str(v) for v in close + list(valid) if "=" in str(v) or "," in str(v)]
    if awkward:
        hint += (f"; a name holding '=' or ',' is written in double quotes, e.g. {option} "
                 f"'\"{awkward[0]}\"=VALUE'")
    raise ScorecastError(f"{option}: no {what} named {quote_names(unknown, limit=3)} in the "
                         f"table{hint}")


def _number(name, text, option, what):
    try:
        value = parse_number(text)
    except (TypeError, ValueError):
        hint = "; a name holding '=' or ',' is written in double quotes, e.g. " \
               f"{option} '\"a, b\"=50'" if "," in text or "=" in text else ""
        raise ScorecastError(f"{option} {name}={text}: the {what} must be a finite number, "
                             f"e.g. {option} '{name}=50'{hint}") from None
    if math.isnan(value):
        raise ScorecastError(f"{option} {name}={text}: the {what} is missing; leave {name!r} "
                             "out if it is not known")
    return value


def known_scores(groups, table, what, option="--known"):
    """Known scores of a new model (``what="task"``: named by task) or new task (by model).

    Returns
    -------
    dict of str to float
    """
    given = pairs(groups, option)
    names = table.tasks if what == "task" else table.models
    _unknown(list(given), names, what, option)
    scores = {name: _number(name, text, option, "score") for name, text in given.items()}
    if what == "task":
        info = table.task_info
        for name, value in scores.items():
            low, high = info.at[name, "lower"], info.at[name, "upper"]
            if not low <= value <= high:
                raise ScorecastError(f"{option} {name}={value:g}: outside the score range of "
                                     f"task {name!r}, {low:g} to {high:g}")
    return scores


def factor_values(groups, table, what, name, unused_by=None, option="--factor"):
    """A new model's (task's) factors, checked against the table's factor kinds.

    They are checked whether or not they are used; `unused_by` (e.g. ``"method
    'mean'"``) says who ignores them, in a line on standard error.

    Returns
    -------
    dict of str to str
    """
    given = pairs(groups, option)
    if not given:
        return given
    kinds = table.model_factor_kinds if what == "model" else table.task_factor_kinds
    if not kinds:
        flag = "--model-factors" if what == "model" else "--task-factors"
        raise ScorecastError(f"{option}: the table has no {what} factors (give them with "
                             f"{flag} FILE)")
    _unknown(list(given), list(kinds), f"{what} factor", option)
    for factor, text in given.items():
        if is_missing(text):
            raise ScorecastError(f"{option} {factor}={text}: no value; leave {factor!r} out if "
                                 "it is not known")
    frame = pd.DataFrame({factor: [text] for factor, text in given.items()}, index=[name],
                         dtype=object)
    type_factors(frame, {factor: kinds[factor] for factor in given}, what, option)  # or raises
    if unused_by:
        warnings.warn(f"{option} {quote_names(given)}: checked, but not used by {unused_by}",
                      ScorecastWarning, stacklevel=2)
    return given


def costs(groups, names, known, what, subject, option="--cost"):
    """Costs of evaluating each candidate; a cost of a name already known is said and dropped.

    Parameters
    ----------
    names : pandas.Index
        The tasks (models with ``--task``) a cost may be given for.
    known : set of str
        Those already evaluated, which are not candidates.

    Returns
    -------
    dict of str to float
    """
    given = pairs(groups, option)
    _unknown(list(given), names, what, option)
    result = {}
    for name, text in given.items():
        value = _number(name, text, option, "cost")
        if value <= 0:
            raise ScorecastError(f"{option} {name}={text}: a cost must be above 0")
        result[name] = value
    unused = [name for name in result if name in known]
    if unused:
        warnings.warn(f"{option} {quote_names(unused)}: not used, {subject} already has a score "
                      f"on {'it' if len(unused) == 1 else 'them'}", ScorecastWarning, stacklevel=2)
    return {name: value for name, value in result.items() if name not in known}
