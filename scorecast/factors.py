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

import numpy as np
import pandas as pd

from ._cells import is_missing, try_number
from .errors import ScoreTableError, quote_names

__all__ = ["FACTOR_KINDS", "type_factors", "yes_no", "parameter_factor", "family_factor"]

FACTOR_KINDS = ("numeric", "boolean", "date", "categorical")

_TRUE = {"yes", "y", "true", "1", "1.0"}
_FALSE = {"no", "n", "false", "0", "0.0"}
_DATE = re.compile(r"^\d{4}[-/](0?[1-9]|1[0-2])([-/](0?[1-9]|[12]\d|3[01]))?$")


def _as_numbers(values):
    numbers = [try_number(v) for v in values]
    return None if any(n is None for n in numbers) else numbers


def yes_no(value):
    """True for yes/y/true/1, False for no/n/false/0 (any case), else None."""
    word = str(value).strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def _as_booleans(values):
    flags = [yes_no(v) for v in values]
    if any(f is None for f in flags):
        return None
    return [1.0 if f else 0.0 for f in flags]


def _as_decimal_years(values):
    texts = [str(v).strip() for v in values]
    if not all(_DATE.match(t) for t in texts):
        return None
    dates = pd.to_datetime([t.replace("/", "-") for t in texts], format="mixed")
    days = np.where(dates.is_leap_year, 366.0, 365.0)
    return list(dates.year + (dates.day_of_year - 1) / days)


_CONVERTERS = {"numeric": _as_numbers, "boolean": _as_booleans, "date": _as_decimal_years}


def type_factors(frame, kinds=None, what="model", source="factor table"):
    """Give every factor column a kind and convert its values accordingly.

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
        Columns left out, and why.
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
        if not values:
            notes.append(f"{what} factor {name!r} has no values and was left out")
            continue
        wanted = kinds.get(name)
        kind, converted = "categorical", None
        for candidate in ([wanted] if wanted else ["numeric", "boolean", "date"]):
            if candidate == "categorical":
                break
            converted = _CONVERTERS[candidate](values)
            if converted is not None:
                kind = candidate
                break
        if wanted and wanted != "categorical" and converted is None:
            converter = _CONVERTERS[wanted]
            offender = next(
                (label, v) for label, v in zip(column.index[present], values)
                if converter([v]) is None
            )
            article = "an" if wanted[0] in "aeiou" else "a"
            raise ScoreTableError(
                f"{source}: {what} factor {name!r} must be {wanted}, but its value "
                f"{str(offender[1])!r} for {what} {offender[0]!r} is not {article} {wanted} value"
            )
        out = np.full(len(column), np.nan, dtype=float if kind != "categorical" else object)
        out[np.flatnonzero(present)] = (
            converted if kind != "categorical" else [str(v).strip() for v in values]
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
