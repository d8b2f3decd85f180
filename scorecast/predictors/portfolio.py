"""The portfolio of ``auto``: which few candidates are worth fitting on a kind of table.

The choice is made offline, once, by ``benchmarks/portfolio.py``: every candidate of
the exhaustive pool (:func:`scorecast.predictors.auto.default_candidates`) is
cross-validated on a corpus of published and synthetic tables under the hole shapes
of the benchmark protocols, and for each kind of table the members are chosen
greedily, each the candidate that most lowers the corpus's error given those
already chosen (as Auto-sklearn 2.0 builds its portfolio). The result ships as
``portfolio.json`` beside this module; reading it costs nothing at prediction time
and depends on nothing but the table's shape, fill and factors.
"""

import functools
import json
import os

from ..errors import ScorecastError

#: Kinds of table: with or without model factors, and sparse (under 25% of the cells
#: observed) or dense.
KINDS = tuple(f"{factors}-{fill}" for factors in ("factors", "no-factors")
              for fill in ("sparse", "dense"))
_SPARSE = 0.25
_PATH = os.path.join(os.path.dirname(__file__), "portfolio.json")


def kind_of(has_model_factors, density):
    """The kind of a table with (or without) model factors and this share of cells observed.

    Examples
    --------
    >>> kind_of(True, 0.11)
    'factors-sparse'
    >>> kind_of(False, 0.95)
    'no-factors-dense'
    """
    fill = "sparse" if density < _SPARSE else "dense"
    return f"{'factors' if has_model_factors else 'no-factors'}-{fill}"


def table_kind(table):
    """The kind of `table` (a :class:`~scorecast.ScoreMatrix`): see :data:`KINDS`."""
    return kind_of(table.model_factors.shape[1] > 0, table.density)


@functools.lru_cache(maxsize=None)
def load_portfolio(path=None):
    """A portfolio: ``{"kinds": {kind: {"members": [[label, method, params], ...],
    ...}}}`` as written by ``benchmarks/portfolio.py``; by default the shipped one."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ScorecastError(f"a portfolio is a file's path, not {path!r}")
    try:
        with open(path or _PATH, encoding="utf-8") as handle:
            portfolio = json.load(handle)
        kinds = portfolio["kinds"]
        for entry in kinds.values():
            for label, method, params in entry["members"]:
                if not isinstance(params, dict):
                    raise ValueError(label)
    except OSError as exc:
        raise ScorecastError(f"portfolio {path}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ScorecastError(f"portfolio {path}: not a portfolio written by "
                             "benchmarks/portfolio.py") from None
    return portfolio


def portfolio_members(kind, available=None, path=None):
    """The members of a kind's portfolio, ``[(label, method, params)]`` in order of choice.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    available : collection of str, optional
        Candidate labels the table allows (its exhaustive pool); others are left out.
    path : str, optional
        A portfolio file; default: the shipped one.
    """
    entry = load_portfolio(path)["kinds"].get(kind, {"members": []})
    members = [(label, method, dict(params)) for label, method, params in entry["members"]]
    return [m for m in members if available is None or m[0] in available]


def describe_portfolio(path=None):
    """One line per kind of table: its members, in order of choice.

    Returns
    -------
    list of (str, str)
        ``(kind, "label, label, ...")``.
    """
    kinds = load_portfolio(path)["kinds"]
    return [(kind, ", ".join(m[0] for m in kinds[kind]["members"])) for kind in KINDS
            if kind in kinds]


__all__ = ["KINDS", "kind_of", "table_kind", "load_portfolio", "portfolio_members",
           "describe_portfolio"]
