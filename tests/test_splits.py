"""Splitters: what they hide, what they keep, and that a seed fixes them."""

import numpy as np
import pytest

from scorecast.evaluation import largest_models, new_models, random_cells
from scorecast.synthetic import make_leaderboard


@pytest.fixture(scope="module")
def table():
    return make_leaderboard("generations", random_state=0)[0]


def hidden_were_observed_and_are_gone(table, split):
    rows, cols = split.test.T
    assert table.observed[rows, cols].all()
    assert np.isnan(split.train.scores.to_numpy()[rows, cols]).all()
    # everything else is untouched
    kept = table.observed.copy()
    kept[rows, cols] = False
    np.testing.assert_array_equal(split.train.observed, kept)


def test_random_cells(table):
    split = random_cells(table, 0.1, random_state=3)
    hidden_were_observed_and_are_gone(table, split)
    assert len(split.test) == round(0.1 * table.n_observed)
    again = random_cells(table, 0.1, random_state=3)
    np.testing.assert_array_equal(split.test, again.test)
    assert not np.array_equal(split.test, random_cells(table, 0.1, random_state=4).test)


@pytest.mark.parametrize("known", [0, 1, 2])
def test_new_models_keep_exactly_k_scores(table, known):
    split = new_models(table, known=known, n_models=10, random_state=1)
    hidden_were_observed_and_are_gone(table, split)
    rows = np.unique(split.test[:, 0])
    assert len(rows) == 10
    np.testing.assert_array_equal(split.train.observed[rows].sum(axis=1), known)


def test_largest_models_are_the_largest(table):
    split = largest_models(table, known=2, n_models=5, random_state=0)
    hidden_were_observed_and_are_gone(table, split)
    size = table.model_factors["params_b"].to_numpy()
    rows = np.unique(split.test[:, 0])
    eligible = np.flatnonzero(~np.isnan(size) & (table.observed.sum(axis=1) > 2))
    assert set(rows) == set(eligible[np.argsort(-size[eligible])[:5]])
