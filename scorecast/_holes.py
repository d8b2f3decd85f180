"""Hiding a row's scores but a few: the one hole shape that splitters, ``auto``'s
cross-validation and interval calibration all use."""

import numpy as np


def all_but_known(observed, rows, known, rng):
    """Cells to hide: every observed cell of `rows`, except `known` random ones per row.

    Parameters
    ----------
    observed : ndarray of bool, shape (n_rows, n_columns)
    rows : iterable of int
    known : int
        Cells kept per row (all of them when a row has fewer).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (n_cells, 2)
        (row, column) pairs.
    """
    cells = []
    for i in rows:
        columns = np.flatnonzero(observed[i])
        kept = rng.choice(columns, min(known, len(columns)), replace=False)
        cells += [(i, j) for j in columns if j not in kept]
    return np.array(cells, dtype=int).reshape(-1, 2)
