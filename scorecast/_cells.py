"""Turning the text of one table cell into a number, a missing value or an error."""

import math
import re

import numpy as np

# Cells that mean "not evaluated". Compared after stripping and lower-casing.
MISSING_TOKENS = frozenset({"", "-", "\u2013", "\u2014", "na", "n/a", "nan", "none", "null"})

# A decimal comma ("63,2") is only accepted where the comma cannot be the delimiter.
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def is_missing(cell):
    """Return True if `cell` (text, number or None) stands for a missing value."""
    if cell is None:
        return True
    if isinstance(cell, float):
        return math.isnan(cell)
    if isinstance(cell, str):
        return cell.strip().lower() in MISSING_TOKENS
    return bool(np.ndim(cell) == 0 and _isnan_scalar(cell))


def _isnan_scalar(value):
    try:
        return bool(np.isnan(value))
    except TypeError:
        return False


def parse_number(cell, decimal_comma=False):
    """Parse one cell as a finite float.

    Parameters
    ----------
    cell : str, number or None
        The cell's content.
    decimal_comma : bool, default=False
        Accept ``63,2`` as 63.2 (files whose delimiter is not a comma).

    Returns
    -------
    float
        NaN for a missing cell.

    Raises
    ------
    ValueError
        If the cell is neither missing nor a finite number.
    """
    if is_missing(cell):
        return math.nan
    if isinstance(cell, (bool, np.bool_)):
        raise ValueError(cell)
    if isinstance(cell, str):
        text = cell.strip()
        if decimal_comma and _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        value = float(text)
    else:
        value = float(cell)
    if not math.isfinite(value):
        raise ValueError(cell)
    return value


def try_number(cell, decimal_comma=False):
    """Like :func:`parse_number` but return None instead of raising."""
    try:
        return parse_number(cell, decimal_comma)
    except (TypeError, ValueError):
        return None
