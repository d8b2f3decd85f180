"""The references a user could pick instead of scorecast, as methods: what each promises.

``bench-regression`` is BenchPress's predictor; ``iterative-imputer`` and
``knn-imputer`` are scikit-learn's imputers. The common battery covers the
estimator contract; these tests check that each is the published method.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer
from sklearn.linear_model import BayesianRidge

from scorecast import ScoreMatrix, make_predictor
from scorecast.predictors.bench_regression import (iterative_svd, pairwise_fits,
                                                   regression_predictions)


def _table(values, **kwargs):
    frame = pd.DataFrame(values, index=[f"m{i}" for i in range(len(values))],
                         columns=[f"t{j}" for j in range(np.shape(values)[1])])
    kwargs.setdefault("score_range", (-np.inf, np.inf))
    return ScoreMatrix(frame, **kwargs)


# ---------------------------------------------------------------------------- bench-regression
def test_pairwise_fits_match_least_squares_on_the_models_scored_on_both():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(30, 4))
    mask = rng.random(Z.shape) < 0.7
    intercept, slope, r2 = pairwise_fits(Z, mask, min_shared=5)
    for j in range(4):
        for k in range(4):
            both = mask[:, j] & mask[:, k]
            if j == k:
                assert r2[j, k] == -1
                continue
            b, a = np.polyfit(Z[both, k], Z[both, j], 1)
            assert slope[j, k] == pytest.approx(b) and intercept[j, k] == pytest.approx(a)
            assert r2[j, k] == pytest.approx(np.corrcoef(Z[both, k], Z[both, j])[0, 1] ** 2)


def test_pairwise_fits_need_enough_shared_models():
    Z = np.arange(12.0).reshape(6, 2)
    mask = np.ones_like(Z, dtype=bool)
    mask[:3, 1] = False                                     # 3 models scored on both
    assert (pairwise_fits(Z, mask, min_shared=4)[2] == -1).all()
    assert pairwise_fits(Z, mask, min_shared=3)[2][0, 1] == pytest.approx(1.0)


def test_regression_weights_fits_by_r2_and_drops_weak_ones():
    intercept = np.zeros((3, 3))
    slope = np.array([[0, 2.0, 1.0], [0, 0, 0], [0, 0, 0]])
    r2 = np.array([[-1, 0.9, 0.1], [-1, -1, -1], [-1, -1, -1]])
    z = np.array([np.nan, 1.0, 5.0])
    known = ~np.isnan(z)
    # t2's fit has R^2 0.1 < 0.2: only t1's counts, 2 * 1.0.
    assert regression_predictions(z, known, intercept, slope, r2, 5, 0.2)[0] == 2.0
    r2[0, 2] = 0.3
    expected = (0.9 * 2.0 + 0.3 * 5.0) / 1.2
    assert regression_predictions(z, known, intercept, slope, r2, 5, 0.2)[0] == \
        pytest.approx(expected)
    # Only the most correlated known benchmark with n_predictors=1.
    assert regression_predictions(z, known, intercept, slope, r2, 1, 0.2)[0] == 2.0


def test_iterative_svd_recovers_a_rank_two_matrix():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(40, 2)) @ rng.normal(size=(2, 15))
    mask = rng.random(truth.shape) < 0.6
    filled, loadings = iterative_svd(np.where(mask, truth, np.nan), mask, 2, 2000, 1e-12)
    assert np.abs(filled - truth)[~mask].max() < 1e-3
    assert loadings.shape == (2, 15)


def test_bench_regression_blends_regression_and_svd_in_logit_space():
    rng = np.random.default_rng(2)
    ability = rng.normal(size=(50, 1))
    logits = ability @ rng.uniform(0.5, 1.5, size=(1, 6)) + rng.normal(scale=0.05,
                                                                      size=(50, 6))
    scores = 100 / (1 + np.exp(-logits))
    observed = rng.random(scores.shape) < 0.7
    table = _table(np.where(observed, scores, np.nan), score_range=(0, 100))
    bench = make_predictor("bench-regression").fit(table)
    full = bench.complete(keep_observed=False, values="target").to_numpy()
    expected = np.where(np.isnan(bench.regression_), bench.svd_,
                        0.6 * np.nan_to_num(bench.regression_) + 0.4 * bench.svd_)
    np.testing.assert_allclose(full, expected)
    assert bench.target_.kind == "logit"
    error = np.abs(bench.complete(keep_observed=False).to_numpy() - scores)[~observed]
    mean = make_predictor("mean").fit(table).complete(keep_observed=False).to_numpy()
    assert error.mean() < 0.2 * np.abs(mean - scores)[~observed].mean()


def test_bench_regression_folds_a_new_model_in_from_its_known_scores():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(30, 1)) @ np.ones((1, 5)) + rng.normal(scale=0.01, size=(30, 5))
    bench = make_predictor("bench-regression", target="task").fit(_table(values))
    high = bench.predict_new_model(known={"t0": 2.0, "t1": 2.0})["score"]
    low = bench.predict_new_model(known={"t0": -2.0, "t1": -2.0})["score"]
    assert (high[2:] > 1.5).all() and (low[2:] < -1.5).all()


# ---------------------------------------------------------------------------- imputers
def _factor_table(seed=0):
    rng = np.random.default_rng(seed)
    n = 40
    size = np.exp(rng.uniform(0, 5, n))
    family = rng.choice(["a", "b", "c"], n)
    ability = np.log(size)[:, None] + (family == "b")[:, None] * 2.0
    values = ability @ rng.uniform(0.5, 1.5, size=(1, 5)) + rng.normal(scale=0.3, size=(n, 5))
    observed = rng.random(values.shape) < 0.8
    observed[:, 0] = True
    names = [f"m{i}" for i in range(n)]
    factors = pd.DataFrame({"params": size, "family": family}, index=names)
    return _table(np.where(observed, values, np.nan), model_factors=factors), values, observed


def test_iterative_imputer_is_scikit_learns_on_z_scores_with_factor_columns():
    table, _, _ = _factor_table()
    ours = make_predictor("iterative-imputer", estimator="bayesian-ridge", random_state=0)
    ours.fit(table)
    design = np.hstack([ours.target_.transform(table.scores.to_numpy()),
                        ours.model_encoder_.design(table.model_factors)])
    assert design.shape[1] == 5 + 1 + 3       # tasks, log(params), one-hot family
    reference = IterativeImputer(estimator=BayesianRidge(), max_iter=10,
                                 random_state=ours.seed_, skip_complete=False,
                                 keep_empty_features=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reference.fit_transform(design)[:, :5]
    np.testing.assert_allclose(ours.complete(keep_observed=False, values="target"), expected)


def test_iterative_imputer_picks_the_estimator_with_the_lower_held_out_error():
    rng = np.random.default_rng(4)
    x = rng.uniform(-3, 3, size=(80, 1))
    # A step: trees fit it, a linear model cannot.
    values = np.hstack([x, np.where(x > 0, 3.0, -3.0), np.sign(x) * 2 + 0.1 * x])
    observed = rng.random(values.shape) < 0.8
    observed[:, 0] = True
    table = _table(np.where(observed, values, np.nan))
    chosen = make_predictor("iterative-imputer", use_factors=False, random_state=0).fit(table)
    assert chosen.chosen_ == "extra-trees"
    # Two linear abilities with noise: the Bayesian ridge is better.
    ability = rng.normal(size=(150, 2))
    values = ability @ rng.normal(size=(2, 6)) + rng.normal(scale=0.3, size=(150, 6))
    linear = _table(np.where(rng.random(values.shape) < 0.8, values, np.nan))
    assert make_predictor("iterative-imputer", use_factors=False,
                          random_state=0).fit(linear).chosen_ == "bayesian-ridge"


def test_iterative_imputer_uses_factors_for_a_model_known_by_its_factors_alone():
    table, values, _ = _factor_table(seed=5)
    imputer = make_predictor("iterative-imputer", estimator="bayesian-ridge",
                             random_state=0).fit(table)
    small = imputer.predict_new_model(factors={"params": 2.0, "family": "a"})["score"]
    large = imputer.predict_new_model(factors={"params": 140.0, "family": "b"})["score"]
    assert (large > small + 2).all()


def test_knn_imputer_is_the_mean_of_the_nearest_models_on_z_scores():
    table, _, _ = _factor_table(seed=6)
    ours = make_predictor("knn-imputer", n_neighbors=3).fit(table)
    z = ours.target_.transform(table.scores.to_numpy())
    expected = KNNImputer(n_neighbors=3, keep_empty_features=True).fit_transform(z)
    observed = table.observed
    np.testing.assert_allclose(ours.complete(values="target").to_numpy()[~observed],
                               expected[~observed])
    assert ours.predict_new_model()["fallback"].all()
