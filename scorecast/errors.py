"""Exceptions and warnings raised by scorecast.

Every error that bad input can cause is a :class:`ScorecastError` whose message is
one line saying what is wrong and where; the command line prints that line and
exits with code 2.
"""

__all__ = [
    "ScorecastError",
    "ScoreTableError",
    "DatasetError",
    "ParameterError",
    "OutputError",
    "ScorecastWarning",
]


class ScorecastError(Exception):
    """Base class of the errors that bad input or a missing resource can cause."""


class ScoreTableError(ScorecastError, ValueError):
    """A score table or factor table is malformed (the message says where)."""


class DatasetError(ScorecastError):
    """A published dataset is unknown, cannot be downloaded, or does not match its checksum."""


class ParameterError(ScorecastError, ValueError):
    """A parameter (of a method, a command or a function) is outside its valid range.

    The message gives the valid range; :attr:`parameter` names the parameter.
    """

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter

    def __reduce__(self):
        # Keep the parameter's name when the error crosses a process boundary (joblib).
        return type(self), (str(self), self.parameter)


class OutputError(ScorecastError, ValueError):
    """An output file cannot or must not be written (an input, a missing folder...)."""


class ScorecastWarning(UserWarning):
    """Something in the input was changed or left out; the message lists what."""


def quote_names(names, limit=8):
    """Return ``'a', 'b' and 3 more`` for messages that list names.

    Parameters
    ----------
    names : iterable of str
        The names to list, in the order to show them.
    limit : int, default=8
        How many names to show before summarising the rest as a count.

    Returns
    -------
    str
    """
    names = [str(n) for n in names]
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        shown += f" and {len(names) - limit} more"
    return shown
