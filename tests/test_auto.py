"""The default method: its pool, its pruning and its per-task blend.

The common battery (test_common.py) covers the estimator contract with a small
pool; these tests check what ``auto`` promises beyond it.
"""

import numpy as np
import pandas as pd
import pytest

from scorecast import ScoreMatrix, make_predictor
from scorecast.predictors import auto
from scorecast.predictors.auto import Auto, default_candidates


def labels(pool):
    return [label for label, _, _ in pool]


def test_the_pool_holds_the_references_and_factor_candidates_only_with_factors():
    bare = labels(default_candidates(False, 800, density=0.3, n_tasks=29, n_models=72))
    assert {"bench-regression", "knn", "soft-impute", "imputer-trees"} <= set(bare)
    assert not [label for label in bare if "slopes" in label or "prior" in label]
    rich = labels(default_candidates(True, 800, density=0.3, n_tasks=29, n_models=72))
    assert {"mf-slopes-logit-span-r2", "mf-prior-task-r1-1", "factors-ridge"} <= set(rich)


@pytest.mark.parametrize("density, n_tasks, trees, ridge, bench", [
    (0.97, 8, True, True, False), (0.42, 29, True, False, False),
    (0.34, 49, False, False, True), (0.11, 96, False, False, True)])
def test_each_reference_joins_where_it_pays_for_its_cost(density, n_tasks, trees, ridge,
                                                         bench):
    pool = labels(default_candidates(True, 1000, density=density, n_tasks=n_tasks,
                                     n_models=150))
    assert ("imputer-trees" in pool) == trees
    assert ("imputer-ridge" in pool) == ridge
    assert ("bench-regression" in pool) == bench


def test_large_tables_get_a_small_pool():
    small = default_candidates(True, 1_000, density=0.2, n_tasks=6, n_models=150)
    large = default_candidates(True, 1_000_000, density=0.2, n_tasks=6, n_models=200_000)
    assert len(large) < len(small) / 3
    assert not {"knn", "imputer-trees", "bench-regression"} & set(labels(large))


def test_only_the_best_candidates_survive_the_first_round():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=400)
    regimes = np.repeat([1, 3], 200)
    # Candidate k errs by k/10 everywhere, except candidate 11, best on regime 1 only.
    noise = rng.normal(size=(400, 12))
    oof = {k: [truth + (k + 1) / 10 * noise[:, k]] for k in range(12)}
    oof[11] = [truth + np.where(regimes == 1, 0.01, 5.0) * noise[:, 11]]
    kept = Auto._survivors(list(range(12)), oof, [truth], [regimes], [np.zeros(400, int)],
                           np.ones(1))
    assert set(range(auto._KEEP)) <= set(kept)
    assert 11 in kept
    assert len(kept) <= auto._KEEP + auto._KEEP_PER_REGIME * 2


def test_each_task_gets_the_blend_that_suits_it():
    rng = np.random.default_rng(1)
    n = 300
    tasks = np.repeat([0, 1], n)
    truth = rng.normal(size=2 * n)
    # Candidate 0 is right on task 0 and wrong on task 1, candidate 1 the reverse.
    good, bad = truth + 0.05 * rng.normal(size=2 * n), truth + rng.normal(size=2 * n)
    predictions = np.column_stack([np.where(tasks == 0, good, bad),
                                   np.where(tasks == 1, good, bad)])
    regimes = np.full(2 * n, 3)
    predictor = Auto()
    weights, delta, errors = predictor._blend(
        predictions, truth, regimes, tasks, np.ones(2 * n), ["a", "b"],
        np.random.default_rng(0), n_observed=10_000, n_tasks=2)
    cell = auto._cell_weights(weights[regimes], delta[tasks])
    assert cell[tasks == 0, 0].mean() > 0.7 and cell[tasks == 1, 1].mean() > 0.7
    blended = np.einsum("ik,ik->i", predictions, cell)
    assert np.abs(blended - truth).mean() < 0.5 * np.abs(predictions - truth[:, None]).mean(0).min()
    assert errors.loc["blend", "6+ known"] < errors.loc[["a", "b"], "6+ known"].min()


def test_cell_weights_are_non_negative_and_sum_to_one():
    weights = np.array([[0.7, 0.3, 0.0]])
    delta = np.array([[-0.9, 0.2, 0.1], [0.0, 0.0, 0.0], [-0.7, -0.3, 0.0]])
    cell = auto._cell_weights(weights, delta)
    assert (cell >= 0).all()
    np.testing.assert_allclose(cell.sum(axis=1), 1.0)
    np.testing.assert_allclose(cell[0], [0, 5 / 6, 1 / 6])      # (0, 0.5, 0.1) normalised
    np.testing.assert_allclose(cell[1], weights[0])
    np.testing.assert_allclose(cell[2], weights[0])     # nothing left: the regime's weights


def test_auto_on_a_dense_table_uses_trees_where_scores_saturate():
    # Two abilities; tasks 0-3 linear in them, task 4 a saturating step of the first.
    rng = np.random.default_rng(2)
    n = 150
    ability = rng.normal(size=(n, 2))
    linear = ability @ rng.normal(size=(2, 4)) * 10 + 50
    step = np.where(ability[:, 0] > 0, 80.0, 30.0)[:, None]
    values = np.clip(np.hstack([linear, step]) + rng.normal(scale=1.0, size=(n, 5)), 0, 100)
    observed = rng.random(values.shape) < 0.9
    table = ScoreMatrix(pd.DataFrame(np.where(observed, values, np.nan),
                                     index=[f"m{i}" for i in range(n)],
                                     columns=[f"t{j}" for j in range(5)]),
                        score_range=(0, 100))
    fitted = make_predictor("auto", random_state=0, preset="best").fit(table)
    assert "imputer-trees" in fitted.labels_
    trees = fitted.labels_.index("imputer-trees")
    per_task = auto._cell_weights(fitted.weights_[3][None, :], fitted.task_delta_)[:, trees]
    assert per_task[4] > per_task[:4].max()
    def error(predictor):
        completed = predictor.complete(keep_observed=False).to_numpy()
        return np.abs(completed - values)[~observed].mean()

    assert error(fitted) < error(make_predictor("mf", rank=2, random_state=0).fit(table))


def small_table(seed=3, n=40, k=6):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(n, 2)) @ rng.normal(size=(2, k)) * 8 + 50
    values[rng.random(values.shape) < 0.25] = np.nan
    return ScoreMatrix(pd.DataFrame(values, index=[f"m{i}" for i in range(n)],
                                    columns=[f"t{j}" for j in range(k)]), score_range=(0, 100))


def test_the_calibration_copy_refits_the_chosen_blend_without_choosing_again():
    table = small_table()
    fitted = make_predictor("auto", random_state=0).fit(table)
    copy = fitted.calibration_copy()
    assert isinstance(copy, auto.FrozenBlend)
    refitted = copy.fit(table)
    assert refitted.labels_ == fitted.labels_
    # Same members, same seeds, same table: the same predictions.
    np.testing.assert_allclose(refitted.complete().to_numpy(), fitted.complete().to_numpy())
    # An unfitted auto has no blend yet: its calibration copy is a plain clone.
    assert type(Auto().calibration_copy()) is Auto


def test_too_few_scores_to_cross_validate_fall_back_to_model_and_task_effects():
    table = pd.DataFrame([[50.0, np.nan], [np.nan, 60.0], [70.0, 80.0]],
                         index=["a", "b", "c"], columns=["x", "y"])
    fitted = make_predictor("auto").fit(table)
    assert fitted.labels_ == ["additive"] and "too few" in fitted.report_
    assert np.isfinite(fitted.complete().to_numpy()).all()


def test_the_default_fits_only_the_portfolio_of_the_tables_kind():
    from scorecast.predictors.portfolio import portfolio_members, table_kind

    table = small_table()
    fitted = make_predictor("auto", random_state=0).fit(table)
    members = {label for label, _, _ in portfolio_members(table_kind(table))}
    assert members and set(fitted.labels_) <= members
    assert f"portfolio for {table_kind(table)} tables" in fitted.report_
    exhaustive = make_predictor("auto", random_state=0, preset="best").fit(table)
    assert "exhaustive pool" in exhaustive.report_


def test_every_kind_has_a_portfolio_of_known_candidates():
    from scorecast.predictors.portfolio import KINDS, load_portfolio

    portfolio = load_portfolio()
    pools = {label for has in (True, False) for n, d in ((500, 0.1), (500, 0.9))
             for label, _, _ in default_candidates(has, n, d, n_tasks=10, n_models=50)}
    for kind in KINDS:
        members = portfolio["kinds"][kind]["members"]
        assert 2 <= len(members) <= 8
        assert {label for label, _, _ in members} <= pools


def test_time_budget_is_ignored_with_a_warning_and_changes_nothing():
    table = small_table()
    plain = make_predictor("auto", random_state=0).fit(table).complete()
    with pytest.warns(Warning, match="time_budget is ignored"):
        budgeted = make_predictor("auto", random_state=0, time_budget=0.001).fit(table)
    pd.testing.assert_frame_equal(budgeted.complete(), plain)


def test_a_wrong_preset_or_portfolio_is_the_users_error(tmp_path):
    from scorecast.errors import ScorecastError

    with pytest.raises(ScorecastError, match="preset"):
        make_predictor("auto", preset="quick").fit(small_table())
    (tmp_path / "p.json").write_text("{\"kinds\": 3}")
    with pytest.raises(ScorecastError, match="not a portfolio"):
        make_predictor("auto", portfolio=str(tmp_path / "p.json")).fit(small_table())
    with pytest.raises(ScorecastError, match="no-such.json"):
        make_predictor("auto", portfolio=str(tmp_path / "no-such.json")).fit(small_table())


def test_large_tables_cross_validate_on_a_sample_of_models(monkeypatch):
    monkeypatch.setattr(auto, "_CV_MODELS", 30)
    table = small_table(n=60)
    fitted = make_predictor("auto", random_state=0).fit(table)
    assert "on a sample of 30 models" in fitted.report_
    assert fitted.complete().shape == (60, 6)
    assert np.isfinite(fitted.complete().to_numpy()).all()


@pytest.mark.parametrize("known", [0, 1, 3])
def test_many_new_models_at_once_get_what_one_at_a_time_gets(known):
    # The batched fold-in of simulations (suggest --subset) against predict_new_model.
    table = small_table(seed=4, n=50)
    scores = table.scores.to_numpy(dtype=float)
    fitted = make_predictor("auto", random_state=0, candidates=[
        ["mf", "mf", {"rank": 2}], ["knn", "knn-imputer", {}],
        ["trees", "iterative-imputer", {"estimator": "extra-trees", "n_estimators": 5,
                                        "max_iter": 2}]]).fit(
        table.subset(models=table.models[8:]))
    raw = scores[:8].copy()
    rng = np.random.default_rng(known)
    for row in raw:
        seen = np.flatnonzero(~np.isnan(row))
        row[rng.permutation(seen)[known:]] = np.nan
    batched = fitted._new_models_scores(raw, [{}] * 8, [None] * 8)
    one_by_one = np.array([fitted.predict_new_model(
        {t: v for t, v in zip(fitted.tasks_, row) if not np.isnan(v)})["score"].to_numpy()
        for row in raw])
    np.testing.assert_allclose(batched, one_by_one, rtol=1e-12, atol=1e-9)
