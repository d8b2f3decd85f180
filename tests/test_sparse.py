"""Large sparse tables: coordinates in, the scored cells' ALS, predictions of requested cells."""

import numpy as np
import pandas as pd
import pytest

from scorecast import make_predictor
from scorecast.errors import ScorecastError, ScoreTableError
from scorecast.predictors._als import fit_als, fit_als_sparse, predict_cells
from scorecast.sparse import SparseScores


def _low_rank(n_models, n_tasks, density, seed=0):
    rng = np.random.default_rng(seed)
    truth = 100 / (1 + np.exp(-rng.normal(size=(n_models, 2)) @ rng.normal(size=(2, n_tasks))))
    rows, cols = np.nonzero(rng.random(truth.shape) < density)
    long = pd.DataFrame({"model": [f"m{i}" for i in rows], "task": [f"t{j}" for j in cols],
                         "score": truth[rows, cols]})
    return truth, long


def test_sparse_als_is_the_dense_als_on_the_same_cells():
    rng = np.random.default_rng(0)
    Y = rng.normal(size=(30, 12))
    Y[rng.random(Y.shape) < 0.6] = np.nan
    rows, cols = np.nonzero(~np.isnan(Y))
    dense = fit_als(Y, rank=2, reg=1.0, bias_reg=0.1, n_iter=10, rng=np.random.default_rng(3))
    sparse = fit_als_sparse(rows, cols, Y[rows, cols], Y.shape, rank=2, reg=1.0, bias_reg=0.1,
                            n_iter=10, rng=np.random.default_rng(3))
    np.testing.assert_allclose(sparse.model_theta, dense.model_theta, atol=1e-10)
    np.testing.assert_allclose(sparse.task_theta, dense.task_theta, atol=1e-10)
    every = np.indices(Y.shape).reshape(2, -1)
    np.testing.assert_allclose(predict_cells(sparse, *every), dense.full().ravel(), atol=1e-10)


def test_mf_on_a_sparse_table_predicts_requested_cells():
    truth, long = _low_rank(400, 60, 0.3)
    table = SparseScores.from_long(long, score_range=(0, 100))
    assert table.shape == (400, 60) and table.n_observed == len(long)
    mf = make_predictor("mf", rank=2, random_state=0).fit(table)
    rng = np.random.default_rng(1)
    i, j = rng.integers(0, 400, 2000), rng.integers(0, 60, 2000)
    models, tasks = table.models[i], table.tasks[j]
    predicted = mf.predict(models, tasks)
    expected = truth[[int(m[1:]) for m in models], [int(t[1:]) for t in tasks]]
    task_mean = long.groupby("task")["score"].mean().reindex(tasks).to_numpy()
    assert np.abs(predicted - expected).mean() < 0.3 * np.abs(task_mean - expected).mean()
    again = make_predictor("mf", rank=2, random_state=0).fit(table).predict(models, tasks)
    np.testing.assert_array_equal(again, predicted)
    details = mf.predict_details(["nobody", "m0"], ["t0", "nothing"])
    assert details["fallback"].tolist() == [True, True]
    assert details["reason"].tolist() == ["unknown model: task mean",
                                          "unknown task: mean of all scores"]
    with pytest.raises(ScorecastError, match="completion would hold 24,000 cells"):
        mf.complete()
    with pytest.raises(ScorecastError, match="without factors"):
        make_predictor("mf", target="logit").fit(table)


def test_auto_fits_a_sparse_table_with_mf():
    truth, long = _low_rank(200, 30, 0.3)
    table = SparseScores.from_long(long, score_range=(0, 100))
    auto = make_predictor("auto", random_state=0).fit(table)
    mf = make_predictor("mf", random_state=0).fit(table)
    np.testing.assert_array_equal(auto.predict(["m1", "m2"], ["t3", "t4"]),
                                  mf.predict(["m1", "m2"], ["t3", "t4"]))


@pytest.mark.parametrize("long, message", [
    (pd.DataFrame({"model": ["a", "a"], "task": ["x", "x"], "score": [1.0, 2.0]}),
     "score 2: model 'a' has a second score on task 'x'"),
    (pd.DataFrame({"model": ["a", "b"], "task": ["x", "x"], "score": [1.0, np.inf]}),
     "score 2: model 'b', task 'x'"),
    (pd.DataFrame({"model": ["a"], "score": [1.0]}), "task missing"),
])
def test_bad_sparse_tables_say_where(long, message):
    with pytest.raises(ScoreTableError, match=message):
        SparseScores.from_long(long)


def test_scores_outside_the_declared_range_are_refused():
    with pytest.raises(ScoreTableError, match="score 2 is 150"):
        SparseScores(["a", "b"], ["x", "x"], [50.0, 150.0], score_range=(0, 100))
