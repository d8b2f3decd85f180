"""Typing the columns of model-factor and task-factor tables.

A factor column is one of four kinds:

``numeric``
    every value is a number (parameter count, training tokens, few-shot count...);
``boolean``
    every value is yes/no or true/false (stored as 1.0 / 0.0);
``date``
    every value is an ISO date ``YYYY-MM-DD`` or ``YYYY-MM`` (stored as a decimal year,
    e.g. 2023-07-01 becomes 2023.50);
``categorical``
    anything else (family, ability, output format...).

The kind is inferred from the values and can be overridden per column.
"""

import re
import shlex
import warnings

import numpy as np
import pandas as pd

from ._cells import is_missing, try_number
from .errors import ScorecastWarning, ScoreTableError, quote_names

__all__ = ["FACTOR_KINDS", "type_factors", "yes_no", "parameter_factor", "family_factor"]

FACTOR_KINDS = ("numeric", "boolean", "date", "categorical")

_TRUE = {"yes", "y", "true", "1", "1.0"}
_FALSE = {"no", "n", "false", "0", "0.0"}
_DATE = re.compile(r"^\d{4}[-/](0?[1-9]|1[0-2])([-/](0?[1-9]|[12]\d|3[01]))?$")


# Numeric factor values beyond this magnitude are read as missing (and reported): squaring them
# to standardise the column would overflow (training FLOPs, ~1e25, are well inside).
FACTOR_LIMIT = 1e100
# A column whose values are all of one kind but a few (one at least, at most this share, with
# 3 or more of the kind) is of that kind; the few are read as missing and reported.
_ODD_SHARE = 0.05


def _numbers(values):
    numbers = [try_number(v) for v in values]
    return [n if n is not None and abs(n) <= FACTOR_LIMIT else None for n in numbers]


def yes_no(value):
    """True for yes/y/true/1, False for no/n/false/0 (any case), else None."""
    word = str(value).strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def _booleans(values):
    return [None if f is None else (1.0 if f else 0.0) for f in map(yes_no, values)]


def _decimal_years(values):
    texts = [str(v).strip().replace("/", "-") for v in values]
    # An ISO shape that names no day of the calendar (2023-02-30) is not a date either.
    dates = pd.to_datetime([t if _DATE.match(t) else None for t in texts], format="mixed",
                           errors="coerce")
    days = np.where(dates.is_leap_year, 366.0, 365.0)
    years = dates.year + (dates.day_of_year - 1) / days
    return [None if np.isnan(y) else float(y) for y in years]


# Each converter gives a value per cell, None where the cell is not of its kind.
_CONVERTERS = {"numeric": _numbers, "boolean": _booleans, "date": _decimal_years}


def _infer(values):
    """``(kind, converted, odd)``: the kind of a column, its values, and the positions of
    the few values read as missing because they are not of that kind."""
    tried = {kind: convert(values) for kind, convert in _CONVERTERS.items()}
    for kind, converted in tried.items():
        if all(c is not None for c in converted):
            return kind, converted, []
    for kind, converted in tried.items():
        odd = [i for i, c in enumerate(converted) if c is None]
        if len(odd) <= max(1.0, _ODD_SHARE * len(values)) and len(values) - len(odd) >= 3:
            return kind, converted, odd
    return "categorical", None, []


def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def type_factors(frame, kinds=None, what="model", source="factor table"):
    """Give every factor column a kind and convert its values accordingly.

    A column is numeric, boolean or date when all its values are; when all but a
    few are (one, or up to 5% of them, with at least 3 of the kind), it is of that
    kind and the few odd values (``7B`` among parameter counts, ``2023-13-45``
    among dates, ``inf``) are read as missing, each reported in the notes and in a
    :class:`~scorecast.ScorecastWarning`. Imposing a kind in `kinds` turns this off:
    an odd value of an imposed kind is an error.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per model (or task), one column per factor; values as text or numbers.
    kinds : dict of str to str, optional
        Kinds to impose on some columns (one of :data:`FACTOR_KINDS`).
    what : {"model", "task"}
        What the rows name, for messages.
    source : str
        What to call the table in messages.

    Returns
    -------
    typed : pandas.DataFrame
        Numeric, boolean and date columns as floats; categorical columns as
        text, with NaN for missing values. Columns without any value are left out.
    kinds : dict of str to str
        The kind of every column kept.
    notes : list of str
        Columns left out, values read as missing, and why.
    """
    kinds = dict(kinds or {})
    unknown = [name for name in kinds if name not in frame.columns]
    if unknown:
        raise ScoreTableError(
            f"{source}: no {what} factor named {quote_names(unknown)}; "
            f"the {what} factors are {quote_names(frame.columns, limit=20)}"
        )
    bad_kinds = {k for k in kinds.values() if k not in FACTOR_KINDS}
    if bad_kinds:
        raise ScoreTableError(f"unknown factor kind {quote_names(sorted(bad_kinds))}; "
                              f"use one of {', '.join(FACTOR_KINDS)}")
    typed, found, notes = {}, {}, []
    for name in frame.columns:
        column = frame[name]
        present = [not is_missing(v) for v in column]
        values = [v for v, p in zip(column, present) if p]
        labels = column.index[present]
        if not values:
            notes.append(f"{what} factor {name!r} has no values and was left out")
            continue
        wanted = kinds.get(name)
        if wanted == "categorical":
            kind, converted, odd = wanted, None, []
        elif wanted:
            kind, converted = wanted, _CONVERTERS[wanted](values)
            odd = [i for i, c in enumerate(converted) if c is None]
            if odd:
                raise ScoreTableError(
                    f"{source}: {what} factor {name!r} must be {wanted}, but its value "
                    f"{str(values[odd[0]])!r} for {what} {labels[odd[0]]!r} is not "
                    f"{_article(wanted)} {wanted} value")
        else:
            kind, converted, odd = _infer(values)
        for i in odd:
            note = (f"{source}: {what} factor {name!r}: {str(values[i]).strip()!r} for {what} "
                    f"{labels[i]!r} is not {_article(kind)} {kind} value like the column's "
                    f"other {len(values) - len(odd)}; read as missing (--factor-kind "
                    f"{shlex.quote(name + '=categorical')} keeps the column as text)")
            warnings.warn(note, ScorecastWarning, stacklevel=3)
            notes.append(note)
        out = np.full(len(column), np.nan, dtype=float if kind != "categorical" else object)
        out[np.flatnonzero(present)] = (
            [np.nan if c is None else c for c in converted] if kind != "categorical"
            else [str(v).strip() for v in values]
        )
        typed[name] = out
        found[name] = kind
    result = pd.DataFrame(typed, index=frame.index)
    return result, found, notes


def parameter_factor(kinds):
    """The model factor that holds the parameter count, or None.

    The first numeric factor whose name contains "param" (any case), else
    one whose name contains "model size": the one
    convention scorecast uses wherever it needs model size (the scaling law,
    the "largest models" splitter).

    Parameters
    ----------
    kinds : dict of str to str
        The model factors' kinds, in table order.

    Returns
    -------
    str or None
    """
    return _first_factor(kinds, "numeric", "param") or _first_factor(kinds, "numeric",
                                                                      "model size")


def family_factor(kinds):
    """The model factor that holds the model family, or None.

    The first categorical factor whose name contains "family" (any case); used
    by the leave-one-family-out splitter.

    Parameters
    ----------
    kinds : dict of str to str
        The model factors' kinds, in table order.

    Returns
    -------
    str or None
    """
    return _first_factor(kinds, "categorical", "family")


def date_factor(kinds):
    """The first model factor of kind ``date`` (a release date), or None."""
    return next((name for name, kind in kinds.items() if kind == "date"), None)


def _first_factor(kinds, wanted, word):
    return next((name for name, kind in kinds.items()
                 if kind == wanted and word in name.lower()), None)
