"""Shapley values of a cooperative game: exact enumeration or sampled permutations.

A game is a function of coalitions: given a boolean matrix (one row per
coalition, one column per player, True where the player is present) it
returns one value per coalition, or one row of values per coalition when
several games share their coalitions (the loss and every held-out cell's
prediction are evaluated in one pass).
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import comb

__all__ = ["ShapleyValues", "shapley_values"]


@dataclass
class ShapleyValues:
    """The Shapley values of a game (or of several games sharing their coalitions).

    Attributes
    ----------
    values : ndarray of shape (n_players, ...)
        Each player's Shapley value.
    se : ndarray of shape (n_players, ...)
        Standard error of the sampled values (zero when exact).
    empty, full : ndarray of shape (...)
        The value of the empty coalition and of the grand coalition: by
        efficiency, ``values.sum(axis=0) == full - empty`` (exactly when
        enumerated; on average when sampled, and exactly for every sampled
        permutation).
    exact : bool
        Whether every coalition was enumerated.
    n_coalitions : int
        Distinct coalitions evaluated.
    """

    values: np.ndarray
    se: np.ndarray
    empty: np.ndarray
    full: np.ndarray
    exact: bool
    n_coalitions: int


def shapley_values(value, n_players, exact_limit=14, n_permutations=256, random_state=None):
    """Shapley values of a game, exact up to `exact_limit` players, else sampled.

    Parameters
    ----------
    value : callable
        ``value(coalitions)`` with `coalitions` a bool array of shape
        (n_coalitions, n_players) returns an array of shape (n_coalitions,)
        or (n_coalitions, n_games).
    n_players : int
    exact_limit : int, default=14
        Enumerate all ``2 ** n_players`` coalitions when ``n_players`` is at
        most this.
    n_permutations : int, default=256
        Otherwise, walk this many random orders of the players (in antithetic
        pairs: an order and its reverse), adding one player at a time.
    random_state : int, numpy.random.Generator or None
        Seed of the sampled orders.

    Returns
    -------
    ShapleyValues

    Examples
    --------
    An additive game gives each player its own term:

    >>> import numpy as np
    >>> from scorecast.importance import shapley_values
    >>> terms = np.array([1.0, 2.0, -0.5])
    >>> shapley_values(lambda present: present @ terms, 3).values
    array([ 1. ,  2. , -0.5])
    """
    if n_players < 1:
        raise ValueError("a game needs at least one player")
    if n_players <= exact_limit:
        return _exact(value, n_players)
    return _sampled(value, n_players, n_permutations, np.random.default_rng(random_state))


def all_coalitions(n_players):
    """Every coalition, row k holding the bits of k (player i present when bit i is set)."""
    return ((np.arange(2 ** n_players)[:, None] >> np.arange(n_players)) & 1).astype(bool)


def _exact(value, n):
    coalitions = all_coalitions(n)
    v = np.asarray(value(coalitions), dtype=float)
    sizes = coalitions.sum(axis=1)
    # The share of orders in which a coalition of size s is exactly what precedes a player.
    weights = 1.0 / (n * comb(n - 1, np.arange(n)))
    index = np.arange(2 ** n)
    values = np.empty((n,) + v.shape[1:])
    for i in range(n):
        without = index[(index >> i) & 1 == 0]
        values[i] = np.tensordot(weights[sizes[without]], v[without | 1 << i] - v[without],
                                 axes=1)
    return ShapleyValues(values, np.zeros_like(values), v[0], v[-1], True, len(index))


def _sampled(value, n, n_permutations, rng):
    n_pairs = max(1, (int(n_permutations) + 1) // 2)
    orders = np.array([rng.permutation(n) for _ in range(n_pairs)])
    # An order and its reverse: a player that comes early in one comes late in the other,
    # which cancels much of the variance of a marginal contribution.
    orders = np.concatenate([orders, orders[:, ::-1]])
    position = np.argsort(orders, axis=1)
    # Coalition k of an order holds its first k players (k = 0 ... n).
    walks = position[:, None, :] < np.arange(n + 1)[None, :, None]
    distinct, inverse = np.unique(walks.reshape(-1, n), axis=0, return_inverse=True)
    v = np.asarray(value(distinct), dtype=float)[inverse.reshape(-1)]
    v = v.reshape((len(orders), n + 1) + v.shape[1:])
    gains = np.diff(v, axis=1)
    # Player i's marginal contribution in an order is the gain at its position there.
    index = position.reshape(position.shape + (1,) * (v.ndim - 2))
    contributions = np.take_along_axis(gains, index, axis=1)
    pairs = (contributions[:n_pairs] + contributions[n_pairs:]) / 2
    se = pairs.std(axis=0, ddof=1) / np.sqrt(n_pairs) if n_pairs > 1 \
        else np.full(pairs.shape[1:], np.nan)
    return ShapleyValues(pairs.mean(axis=0), se, v[0, 0], v[0, -1], False, len(distinct))
