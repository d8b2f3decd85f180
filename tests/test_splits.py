"""Splitters: what they hide, what they keep, and that a seed fixes them."""

import numpy as np
import pytest

from scorecast.errors import ScorecastError
from scorecast.evaluation import (largest_models, leave_family_out, model_families, new_models,
                                  new_tasks, newest_models, per_model, random_cells,
                                  random_folds, sparsity)
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


@pytest.mark.parametrize("known", [0, 2])
def test_new_tasks_keep_exactly_k_models(table, known):
    split = new_tasks(table, known=known, n_tasks=3, random_state=2)
    hidden_were_observed_and_are_gone(table, split)
    columns = np.unique(split.test[:, 1])
    assert len(columns) == 3
    np.testing.assert_array_equal(split.train.observed[:, columns].sum(axis=0), known)
    np.testing.assert_array_equal(new_tasks(table, known, n_tasks=3, random_state=2).test,
                                  split.test)


def test_named_new_tasks_and_unknown_names(table):
    split = new_tasks(table, known=1, tasks=[table.tasks[4]], random_state=0)
    assert set(split.test[:, 1]) == {4}
    with pytest.raises(ScorecastError, match="unknown task"):
        new_tasks(table, tasks=["no such task"])


def test_sparsity_fixes_validation_and_nests_masks(table):
    splits = [sparsity(table, m, validation=0.1, random_state=5) for m in (0.0, 0.3, 0.6)]
    for split in splits:  # the validation set is the same at every level
        np.testing.assert_array_equal(split.test, splits[0].test)
        rows, cols = split.test.T
        assert table.observed[rows, cols].all()
        assert not split.train.observed[rows, cols].any()
    assert len(splits[0].test) == round(0.1 * table.n_observed)
    training = table.n_observed - len(splits[0].test)
    for split, masked in zip(splits, (0.0, 0.3, 0.6)):
        assert split.train.n_observed == training - round(masked * training)
    # cells hidden at 30% are hidden at 60% as well
    assert not (splits[1].train.observed < splits[2].train.observed).any()
    assert not np.array_equal(sparsity(table, 0.3, random_state=6).test, splits[0].test)


def test_families_and_leaving_one_out(table):
    families = model_families(table)
    assert all(len(members) >= 2 for members in families.values())
    family, members = next(iter(families.items()))
    split = leave_family_out(table, family, known=0)
    hidden_were_observed_and_are_gone(table, split)
    rows = table.models.get_indexer(members)
    assert not split.train.observed[rows].any()
    assert set(np.unique(split.test[:, 0])) == set(rows[table.observed[rows].any(axis=1)])
    two = leave_family_out(table, list(families)[:2], known=1, random_state=0)
    rows = table.models.get_indexer([m for f in list(families)[:2] for m in families[f]])
    np.testing.assert_array_equal(two.train.observed[rows].sum(axis=1),
                                  np.minimum(1, table.observed[rows].sum(axis=1)))
    with pytest.raises(ScorecastError, match="no model family 'nope'"):
        leave_family_out(table, "nope")


def test_factors_are_named_when_not_found(table):
    bare = table.subset()
    bare.model_factors = table.model_factors[["tokens_b"]]
    bare.model_factor_kinds = {"tokens_b": "numeric"}
    with pytest.raises(ScorecastError, match="--family-factor"):
        model_families(bare)
    with pytest.raises(ScorecastError, match="--size-factor"):
        largest_models(bare)
    assert len(largest_models(bare, factor="tokens_b", n_models=3).test)


def test_newest_models_are_the_newest(table):
    split = newest_models(table, known=2, n_models=4, random_state=0)
    hidden_were_observed_and_are_gone(table, split)
    date = table.model_factors["release"].to_numpy(dtype=float)
    rows = np.unique(split.test[:, 0])
    eligible = np.flatnonzero(table.observed.sum(axis=1) > 2)
    assert set(rows) == set(eligible[np.argsort(-date[eligible])[:4]])
    np.testing.assert_array_equal(split.train.observed[rows].sum(axis=1), 2)


def test_per_model_hides_half_of_every_models_scores(table):
    split = per_model(table, 0.5, random_state=0)
    hidden_were_observed_and_are_gone(table, split)
    before, after = table.observed.sum(axis=1), split.train.observed.sum(axis=1)
    several = before >= 2
    np.testing.assert_array_equal((before - after)[several],
                                  np.clip(np.round(0.5 * before[several]), 1,
                                          before[several] - 1))
    np.testing.assert_array_equal(after[~several], before[~several])
    assert (after[several] >= 1).all()
    np.testing.assert_array_equal(split.test, per_model(table, 0.5, random_state=0).test)


def test_random_folds_hold_out_every_observed_cell_once(table):
    folds = random_folds(table, 5, random_state=0)
    assert len(folds) == 5 and folds[2].name == "random 20%, fold 3 of 5"
    for split in folds:
        hidden_were_observed_and_are_gone(table, split)
    cells = np.vstack([split.test for split in folds])
    assert len(cells) == table.n_observed
    assert len({tuple(c) for c in cells}) == table.n_observed
    sizes = [len(split.test) for split in folds]
    assert max(sizes) - min(sizes) <= 1
    with pytest.raises(ScorecastError, match="n_folds must be 2 or more"):
        random_folds(table, 1)
