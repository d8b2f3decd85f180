"""Ways to hide observed scores, predict them, and compare: the splitters.

Each splitter takes a :class:`~scorecast.ScoreMatrix` and a seed and returns a
:class:`Split`: the training table (held-out cells set to missing; models and
tasks are kept even when all their scores are hidden, so that methods can
predict them from factors) and the held-out cells.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import ScorecastError, quote_names
from ..factors import parameter_factor

__all__ = ["Split", "random_cells", "new_models", "largest_models", "parameter_counts"]


@dataclass
class Split:
    """A training table and the cells held out from it.

    Attributes
    ----------
    train : ScoreMatrix
        The table with the held-out cells missing.
    test : ndarray of shape (n_cells, 2)
        Row and column indices of the held-out cells.
    name : str
        What was held out, e.g. ``random 10%`` or ``new model, 2 known``.
    """

    train: object
    test: np.ndarray
    name: str


def _hide(table, cells, name):
    scores = table.scores.to_numpy(dtype=float).copy()
    scores[cells[:, 0], cells[:, 1]] = np.nan
    return Split(table.with_scores(scores), cells, name)


def random_cells(table, fraction, random_state=None):
    """Hold out a fraction of the observed cells, drawn uniformly.

    Parameters
    ----------
    table : ScoreMatrix
    fraction : float
        Share of observed cells to hold out, in (0, 1).
    random_state : int or None

    Returns
    -------
    Split
    """
    if not 0 < fraction < 1:
        raise ScorecastError(f"the held-out fraction must be between 0 and 1, not {fraction}")
    rng = np.random.default_rng(random_state)
    observed = np.argwhere(table.observed)
    n = max(1, int(round(fraction * len(observed))))
    cells = observed[np.sort(rng.choice(len(observed), n, replace=False))]
    return _hide(table, cells, f"random {100 * fraction:g}%")


def _keep_known(table, rows, known, rng):
    """Held-out cells: all observed cells of `rows` but `known` random ones each."""
    observed = table.observed
    cells = []
    for i in rows:
        columns = np.flatnonzero(observed[i])
        kept = rng.choice(columns, min(known, len(columns)), replace=False)
        cells += [(i, j) for j in columns if j not in kept]
    return np.array(cells, dtype=int).reshape(-1, 2)


def new_models(table, known=2, models=None, n_models=None, random_state=None):
    """Treat some models as new: keep `known` of their scores, hold out the rest.

    Parameters
    ----------
    table : ScoreMatrix
    known : int, default=2
        Scores kept for each new model (0: predicted from factors alone).
    models : sequence of str, optional
        The new models; default: `n_models` drawn among those with more than
        `known` scores.
    n_models : int, optional
        Default: 10% of the eligible models, at least 1.
    random_state : int or None

    Returns
    -------
    Split
    """
    rng = np.random.default_rng(random_state)
    counts = table.observed.sum(axis=1)
    if models is not None:
        unknown = [m for m in models if m not in table.models]
        if unknown:
            raise ScorecastError(f"unknown model(s) {quote_names(unknown)}")
        rows = table.models.get_indexer(list(models))
    else:
        eligible = np.flatnonzero(counts > known)
        if not len(eligible):
            raise ScorecastError(f"no model has more than {known} scores")
        n = n_models or max(1, int(round(0.1 * len(eligible))))
        rows = np.sort(rng.choice(eligible, min(n, len(eligible)), replace=False))
    return _hide(table, _keep_known(table, rows, known, rng), f"new model, {known} known")


def parameter_counts(table, factor=None):
    """Each model's parameter count from its factors (NaN where unknown).

    Parameters
    ----------
    table : ScoreMatrix
    factor : str, optional
        The numeric model factor holding the parameter count; default: the
        first numeric factor whose name contains "param".

    Returns
    -------
    ndarray of shape (n_models,)
        In the factor's own unit (only the order matters here).
    """
    if factor is None:
        factor = parameter_factor(table.model_factor_kinds)
        if factor is None:
            raise ScorecastError("no model factor looks like a parameter count (a numeric "
                                 "factor whose name contains 'param'); name one")
    if factor not in table.model_factors.columns:
        raise ScorecastError(f"no model factor named {factor!r}")
    return table.model_factors[factor].to_numpy(dtype=float)


def largest_models(table, known=2, n_models=5, factor=None, random_state=None):
    """Hold out the largest models by parameter count, keeping `known` scores each.

    Parameters
    ----------
    table : ScoreMatrix
    known : int, default=2
    n_models : int, default=5
    factor : str, optional
        See :func:`parameter_counts`.
    random_state : int or None

    Returns
    -------
    Split
    """
    rng = np.random.default_rng(random_state)
    size = parameter_counts(table, factor)
    counts = table.observed.sum(axis=1)
    eligible = np.flatnonzero(~np.isnan(size) & (counts > known))
    rows = eligible[np.argsort(-size[eligible], kind="stable")[:n_models]]
    return _hide(table, _keep_known(table, rows, known, rng), f"largest models, {known} known")
