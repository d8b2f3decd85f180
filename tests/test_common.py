"""One battery of checks run over every registered predictor.

A new method registered in ``scorecast.predictors`` gets all of these for free.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from scorecast import ScoreMatrix
from scorecast.predictors import METHODS, make_predictor

# Small parameters so that the slow methods stay quick in the battery.
FAST = {
    "ncf": {"max_epochs": 150}, "ncf-factors": {"max_epochs": 150},
    "factors-only": {"max_epochs": 150},
    # A small pool, so that the battery stays quick.
    "auto": {"candidates": [
        ["mean", "mean", {}], ["additive", "additive", {}], ["mf-r2", "mf", {"rank": 2}],
        ["mf-prior", "mf", {"rank": 2, "factor_prior": True}],
        ["factors-ridge", "factors-ridge", {}]]},
}


def synthetic_table(n_models=30, n_tasks=8, rank=2, density=0.6, noise=0.02, seed=0):
    """A 0-100 table from a low-rank logistic model, with model and task factors."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(n_models, rank))
    loadings = rng.normal(size=(n_tasks, rank))
    loadings[:, 0] = np.abs(loadings[:, 0]) + 0.5      # a general ability, as on leaderboards
    difficulty = rng.normal(scale=0.5, size=n_tasks)
    logits = ability @ loadings.T - difficulty + rng.normal(scale=noise, size=(n_models, n_tasks))
    full = 100 / (1 + np.exp(-logits))
    observed = rng.random(full.shape) < density
    observed[np.arange(n_models), rng.integers(0, n_tasks, n_models)] = True
    observed[rng.integers(0, n_models, n_tasks), np.arange(n_tasks)] = True
    models = [f"model-{i}" for i in range(n_models)]
    tasks = [f"task-{j}" for j in range(n_tasks)]
    scores = pd.DataFrame(np.where(observed, full, np.nan), index=models, columns=tasks)
    params = np.exp(2 + ability[:, 0] + rng.normal(scale=0.3, size=n_models))
    model_factors = pd.DataFrame({
        "params": params, "family": [f"fam{i % 4}" for i in range(n_models)]}, index=models)
    task_factors = pd.DataFrame({"shots": rng.integers(0, 6, n_tasks).astype(float),
                                 "kind": [["mc", "gen"][j % 2] for j in range(n_tasks)]},
                                index=tasks)
    table = ScoreMatrix(scores, model_factors=model_factors, task_factors=task_factors,
                        score_range=(0, 100), name="synthetic")
    return table, pd.DataFrame(full, index=models, columns=tasks)


@pytest.fixture(scope="module")
def table():
    return synthetic_table()[0]


def build(name, seed=0):
    params = dict(FAST.get(name, {}))
    predictor = make_predictor(name, **params)
    if "random_state" in predictor.get_params():
        predictor.set_params(random_state=seed)
    return predictor


@pytest.fixture(scope="module", params=sorted(METHODS))
def fitted(request, table):
    """Each method fitted once on the synthetic table."""
    return request.param, build(request.param).fit(table)


def test_fit_returns_self(table):
    for name in METHODS:
        if name in ("auto",):
            continue
        predictor = build(name)
        assert predictor.fit(table) is predictor


def test_clone_gives_an_unfitted_equal_predictor(fitted):
    name, predictor = fitted
    twin = clone(predictor)
    assert twin.get_params() == predictor.get_params()
    assert not hasattr(twin, "target_")


def test_same_seed_same_predictions(fitted, table):
    name, predictor = fitted
    again = build(name).fit(table)
    np.testing.assert_array_equal(again.complete().to_numpy(), predictor.complete().to_numpy())


def test_complete_has_no_nan_right_labels_and_keeps_observed(fitted, table):
    name, predictor = fitted
    completed = predictor.complete()
    assert completed.shape == table.shape
    assert list(completed.index) == list(table.models)
    assert list(completed.columns) == list(table.tasks)
    assert not completed.isna().any().any()
    observed = table.observed
    np.testing.assert_array_equal(completed.to_numpy()[observed],
                                  table.scores.to_numpy()[observed])


def test_outputs_inside_task_ranges(fitted):
    name, predictor = fitted
    values = predictor.complete(keep_observed=False).to_numpy()
    assert np.isfinite(values).all()
    assert values.min() >= 0 and values.max() <= 100


def test_unknown_model_or_task_gets_an_explicit_fallback(fitted, table):
    name, predictor = fitted
    details = predictor.predict_details(["model-0", "nobody", "model-1"],
                                        ["task-0", "task-1", "no-task"])
    assert not details["score"].isna().any()
    assert details["fallback"].tolist() == [False, True, True]
    assert "unknown model 'nobody'" in details["reason"][1]
    assert "unknown task 'no-task'" in details["reason"][2]
    scores = predictor.predict(["model-0", "model-1"], "task-2")
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_new_model_from_a_few_scores(fitted, table):
    name, predictor = fitted
    result = predictor.predict_new_model(known={"task-0": 55.0, "task-1": 40.0})
    assert list(result.index) == list(table.tasks)
    assert result.loc["task-0", "score"] == 55.0 and result.loc["task-0", "observed"]
    assert not result["score"].isna().any()
    assert ((result["score"] >= 0) & (result["score"] <= 100)).all()
    if name != "scaling-law":
        assert not result["fallback"].any()


def test_new_model_with_nothing_known_falls_back_explicitly(fitted):
    name, predictor = fitted
    result = predictor.predict_new_model()
    assert result["fallback"].all()
    assert result["reason"].str.contains("no known score").all()


def test_new_task_from_a_few_models(fitted, table):
    name, predictor = fitted
    result = predictor.predict_new_task(known={"model-0": 30.0, "model-1": 70.0,
                                               "model-2": 50.0})
    assert list(result.index) == list(table.models)
    assert result.loc["model-1", "score"] == 70.0
    assert not result["score"].isna().any()
    assert ((result["score"] >= 0) & (result["score"] <= 100)).all()


def test_save_and_load_give_identical_predictions(fitted, tmp_path):
    from scorecast import load_predictor

    name, predictor = fitted
    path = tmp_path / f"{name}.scorecast"
    predictor.save(path)
    loaded = load_predictor(path)
    assert type(loaded) is type(predictor)
    assert loaded.get_params() == predictor.get_params()
    np.testing.assert_array_equal(loaded.complete(keep_observed=False).to_numpy(),
                                  predictor.complete(keep_observed=False).to_numpy())
    new = {"task-0": 60.0, "task-3": 20.0}
    np.testing.assert_array_equal(loaded.predict_new_model(known=new)["score"].to_numpy(),
                                  predictor.predict_new_model(known=new)["score"].to_numpy())


@pytest.mark.parametrize("name", sorted(METHODS))
def test_collaborative_methods_recover_held_out_cells_far_better_than_the_mean(name):
    if name in ("mean", "additive", "factors-only", "factors-ridge", "scaling-law"):
        pytest.skip("not a collaborative method")
    table, truth = synthetic_table(n_models=60, n_tasks=10, density=0.7, seed=1)
    observed = np.argwhere(table.observed)
    rng = np.random.default_rng(0)
    held = observed[rng.choice(len(observed), len(observed) // 10, replace=False)]
    train = table.scores.to_numpy().copy()
    train[held[:, 0], held[:, 1]] = np.nan
    train_table = table.with_scores(train)

    def mae(predictor):
        predicted = predictor.fit(train_table).complete(keep_observed=False).to_numpy()
        return np.mean(np.abs(predicted[held[:, 0], held[:, 1]] -
                              truth.to_numpy()[held[:, 0], held[:, 1]]))

    assert mae(build(name)) < 0.5 * mae(build("mean"))


def test_an_unseen_category_of_a_new_model_is_warned_about(table):
    from scorecast import ScorecastWarning

    predictor = build("mf").set_params(factor_prior=True).fit(table)
    with pytest.warns(ScorecastWarning, match=r"'fam9' is not a level .*did you mean 'fam\d'"):
        result = predictor.predict_new_model(factors={"family": "fam9", "params": 10})
    assert not result["fallback"].any()


def test_a_model_without_scores_or_usable_factors_is_announced(table):
    from scorecast import ScorecastWarning

    scores = table.scores.to_numpy().copy()
    scores[0] = np.nan
    with pytest.warns(ScorecastWarning, match="1 model\\(s\\) with no score that method 'mf' "
                                              "cannot predict from factors: 'model-0'"):
        build("mf").fit(table.with_scores(scores))


@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_model_and_a_task_without_scores_or_factors_get_a_flagged_fallback(name, tmp_path):
    from scorecast import ScorecastWarning, load_predictor

    table = synthetic_table(n_models=15, n_tasks=5, density=0.8)[0]
    scores = table.scores.copy()
    scores.iloc[0] = np.nan
    scores.iloc[:, 0] = np.nan
    blank = ScoreMatrix(scores, model_factors=table.model_factors.iloc[1:],
                        task_factors=table.task_factors.iloc[1:], score_range=(0, 100),
                        on_empty="keep")
    with pytest.warns(ScorecastWarning) as caught:
        predictor = build(name).fit(blank)
    said = [str(w.message) for w in caught if "cells are a fallback" in str(w.message)]
    assert any("'model-0'" in text for text in said)
    assert any("'task-0'" in text for text in said)
    completed = predictor.complete(keep_observed=False).to_numpy()
    assert np.isfinite(completed).all() and completed.min() >= 0 and completed.max() <= 100
    pairs = (["model-0", "model-1", "model-1"], ["task-1", "task-0", "task-1"])
    details = predictor.predict_details(*pairs)
    assert details["fallback"].tolist() == [True, True, False]
    assert details["reason"][0].startswith("model 'model-0' has no score")
    assert details["reason"][1].startswith("task 'task-0' has no score")
    np.testing.assert_allclose(details["score"], completed[[0, 1, 1], [1, 0, 1]])
    predictor.save(tmp_path / "p.scorecast")
    again = load_predictor(tmp_path / "p.scorecast").predict_details(*pairs)
    assert again["fallback"].tolist() == [True, True, False]
