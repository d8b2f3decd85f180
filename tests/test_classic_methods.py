"""Method-specific checks of soft-impute, the scaling-law baseline and factor regression.

The common battery (test_common.py) covers the estimator contract; these tests
check what each method promises: exact recovery, bounds, fallbacks, fold-ins.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import lsq_linear

from scorecast import ScorecastError, ScoreMatrix, ScoreTableError, load_predictor
from scorecast.predictors import FactorRegression, ScalingLaw, SoftImpute, soft_impute
from scorecast.predictors.scaling_law import fit_bounded_lines, params_unit_from_name


def low_rank_table(n_models=60, n_tasks=30, rank=2, density=0.5, seed=0):
    """An unbounded, noiseless rank-`rank` table plus biases, and its complete truth."""
    rng = np.random.default_rng(seed)
    truth = 50 + rng.normal(scale=5, size=(n_models, 1)) + rng.normal(scale=5, size=n_tasks) + \
        4 * rng.normal(size=(n_models, rank)) @ rng.normal(size=(rank, n_tasks))
    observed = rng.random(truth.shape) < density
    observed[:, 0] = observed[0, :] = True
    scores = pd.DataFrame(np.where(observed, truth, np.nan),
                          index=[f"m{i}" for i in range(n_models)],
                          columns=[f"t{j}" for j in range(n_tasks)])
    return ScoreMatrix(scores, score_range=(-np.inf, np.inf)), truth, observed


# ---------------------------------------------------------------------------- soft-impute
def test_soft_impute_recovers_a_noiseless_rank_two_matrix_at_half_density():
    table, truth, observed = low_rank_table()
    # Unpenalised biases: the nuclear norm then only has the rank-2 part to carry.
    model = SoftImpute(shrinkage=1e-3, max_rank=10, bias_reg=0.0, tol=1e-10, max_iter=1000,
                       target="raw").fit(table)
    predicted = model.complete(keep_observed=False).to_numpy()
    error = np.abs(predicted - truth)[~observed]
    assert error.mean() < 0.005 * np.abs(truth - truth.mean()).mean()
    assert len(model.singular_values_) == 2


def test_soft_impute_with_full_shrinkage_is_the_additive_model():
    table, truth, observed = low_rank_table(seed=1)
    model = SoftImpute(shrinkage=1.0, target="raw").fit(table)
    assert model.singular_values_.size == 0
    full = model.complete(keep_observed=False, values="target").to_numpy()
    np.testing.assert_allclose(full, model.mu_ + model.model_bias_[:, None] +
                               model.task_bias_[None, :])


def test_soft_impute_shrinkage_lowers_the_rank():
    table, _, _ = low_rank_table(rank=4, seed=2)
    ranks = [len(SoftImpute(shrinkage=s, max_rank=20, target="raw").fit(table).singular_values_)
             for s in (0.01, 0.3, 0.6)]
    assert ranks[0] >= ranks[1] >= ranks[2] and ranks[0] > ranks[2]


def test_randomized_svd_path_matches_the_dense_one(monkeypatch):
    table, truth, observed = low_rank_table(n_models=80, n_tasks=40, rank=3, seed=3)
    params = dict(shrinkage=0.02, max_rank=3, tol=1e-9, max_iter=500, target="raw",
                  random_state=0)
    dense = SoftImpute(**params).fit(table).complete(keep_observed=False).to_numpy()
    monkeypatch.setattr(soft_impute, "_DENSE_CELLS", 0)
    sparse = SoftImpute(**params).fit(table)
    again = SoftImpute(**params).fit(table)
    predicted = sparse.complete(keep_observed=False).to_numpy()
    assert np.abs(predicted - dense).max() < 1e-3 * np.abs(dense).max()
    np.testing.assert_array_equal(predicted, again.complete(keep_observed=False).to_numpy())


def test_soft_impute_fold_in_of_a_fitted_row_reproduces_it():
    table, truth, observed = low_rank_table(seed=4)
    model = SoftImpute(shrinkage=0.05, max_rank=5, tol=1e-10, max_iter=2000,
                       target="raw").fit(table)
    row = table.scores.iloc[7].dropna().to_dict()
    folded = model.predict_new_model(known=row)["score"].to_numpy()
    fitted = model.complete(keep_observed=False).to_numpy()[7]
    unknown = ~observed[7]
    # The fitted row also moved the shared vectors a little; the new row cannot.
    assert np.abs(folded - fitted)[unknown].mean() < 0.05 * np.abs(fitted - fitted.mean()).mean()
    new_task = model.predict_new_task(known=table.scores.iloc[:, 3].dropna().to_dict())
    fitted_task = model.complete(keep_observed=False).to_numpy()[:, 3]
    assert np.abs(new_task["score"].to_numpy() - fitted_task)[~observed[:, 3]].mean() < \
        0.05 * np.abs(fitted_task - fitted_task.mean()).mean()


# ---------------------------------------------------------------------------- scaling law
def law_table(slope=1.0, intercept=-8.0):
    """Three families on 0-100 tasks; family 'a' follows an exact law on every task."""
    models = {"a-1": ("a", 1000), "a-3": ("a", 3000), "a-7": ("a", 7000), "a-13": ("a", 13000),
              "a-70": ("a", 70000), "b-2": ("b", 2000), "b-20": ("b", 20000),
              "c-9": ("c", 9000), "nosize": ("b", np.nan)}
    names = list(models)
    params = np.array([models[m][1] for m in names], dtype=float)
    rng = np.random.default_rng(0)
    scores = 100 * rng.uniform(0.2, 0.8, size=(len(names), 3))
    exact = 100 / (1 + np.exp(-(slope * np.log(params[:5]) + intercept)))
    scores[:5] = exact[:, None]
    factors = pd.DataFrame({"family": [models[m][0] for m in names],
                            "Parameter Size(M)": params}, index=names)
    table = ScoreMatrix(pd.DataFrame(scores, index=names, columns=["x", "y", "z"]),
                        model_factors=factors, score_range=(0, 100))
    return table, exact


def test_bounded_line_fits_agree_with_lsq_linear():
    rng = np.random.default_rng(0)
    bounds = ((0.5, 2.0), (-10.0, -3.0))
    for _ in range(40):
        n = int(rng.integers(2, 8))
        x = rng.uniform(5, 13, n) if rng.random() < 0.8 else np.full(n, 9.0)
        y = rng.uniform(-2, 2) * x + rng.normal(scale=3) + rng.normal(size=n)
        sums = [np.array([v]) for v in (n, x.sum(), (x * x).sum(), y.sum(), (x * y).sum())]
        slope, intercept = fit_bounded_lines(*sums, *bounds)
        design = np.c_[x, np.ones(n)]
        reference = lsq_linear(design, y, bounds=([0.5, -10], [2, -3]), tol=1e-12).x
        ours = np.sum((design @ np.r_[slope, intercept] - y) ** 2)
        theirs = np.sum((design @ reference - y) ** 2)
        assert ours <= theirs + 1e-8 * max(1.0, theirs)
        assert 0.5 <= slope[0] <= 2 and -10 <= intercept[0] <= -3


def test_scaling_law_recovers_a_family_with_an_exact_law():
    table, exact = law_table()
    law = ScalingLaw().fit(table)
    predicted = law.complete(keep_observed=False).to_numpy()
    # Each family-a model is predicted from the four others only (leave one out).
    np.testing.assert_allclose(predicted[:5], np.repeat(exact[:, None], 3, axis=1), rtol=1e-6)
    np.testing.assert_allclose(law.slope_[:5], 1.0)
    np.testing.assert_allclose(law.intercept_[:5], -8.0)
    np.testing.assert_allclose(law.family_slope_[law.families_.index("a") + 1], 1.0)


def test_scaling_law_slopes_and_intercepts_stay_within_the_bounds():
    table, _ = law_table(slope=3.0, intercept=-30.0)       # the truth is out of bounds
    law = ScalingLaw().fit(table)
    for values, (low, high) in ((law.slope_, law.slope_bounds),
                                (law.intercept_, law.intercept_bounds),
                                (law.family_slope_, law.slope_bounds),
                                (law.task_intercept_, law.intercept_bounds)):
        finite = values[np.isfinite(values)]
        assert finite.size and finite.min() >= low and finite.max() <= high


def test_scaling_law_falls_back_to_the_task_mean_without_a_parameter_count():
    table, _ = law_table()
    law = ScalingLaw().fit(table)
    row = list(table.models).index("nosize")
    assert law.fallback_mask_[row].all()
    assert law.fallback_mask_.sum() == 3
    target = law.complete(keep_observed=False, values="target").to_numpy()
    observed = law.target_.transform(table.scores.to_numpy())
    np.testing.assert_allclose(target[row], np.nanmean(observed, axis=0))
    assert not np.isnan(target).any()


def test_scaling_law_small_family_uses_all_families():
    table, _ = law_table()
    law = ScalingLaw().fit(table)
    b_20, c_9 = list(table.models).index("b-20"), list(table.models).index("c-9")
    # b-20 has one other sized model in its family (b-2); c-9 none: both use all models.
    everyone = ScalingLaw().fit(
        table.subset(models=[m for m in table.models if m != "b-20"]))
    np.testing.assert_allclose(law.slope_[b_20], everyone.task_slope_)
    assert np.isfinite(law.slope_[c_9]).all()
    strict = ScalingLaw(min_models=1).fit(table)
    assert not np.allclose(strict.slope_[b_20], law.slope_[b_20])


def test_scaling_law_new_model_from_its_factors():
    table, _ = law_table()
    law = ScalingLaw().fit(table)
    result = law.predict_new_model(factors={"family": "a", "Parameter Size(M)": 30000})
    expected = 100 / (1 + np.exp(-(np.log(30000) - 8.0)))
    np.testing.assert_allclose(result["score"], expected, rtol=1e-6)
    assert not result["fallback"].any()
    unsized = law.predict_new_model(factors={"family": "a"})
    assert unsized["fallback"].all()
    assert unsized["reason"].str.contains("no parameter count").all()


def test_scaling_law_known_scores_shift_the_intercept_within_the_bounds():
    table, _ = law_table()
    law = ScalingLaw().fit(table)
    factors = {"family": "a", "Parameter Size(M)": 30000}
    plain = law.predict_new_model(factors=factors)["score"]
    better = law.predict_new_model(known={"x": 99.0}, factors=factors)["score"]
    assert better["y"] > plain["y"]
    # The intercept may rise to -3 at most: the shift is capped by the bounds.
    assert better["y"] <= 100 / (1 + np.exp(-(np.log(30000) - 3.0))) + 1e-9


def test_parameter_units_come_from_the_factor_name(fixture_path):
    assert params_unit_from_name("Parameter Size(M)") == "millions"
    assert params_unit_from_name("params_b") == "billions"
    assert params_unit_from_name("Params (B)") == "billions"
    assert params_unit_from_name("n_params") == "count"
    table, _ = law_table()
    in_billions = table.model_factors.rename(columns={"Parameter Size(M)": "params_b"})
    in_billions["params_b"] /= 1000
    other = ScoreMatrix(table.scores, model_factors=in_billions, score_range=(0, 100))
    np.testing.assert_allclose(ScalingLaw().fit(other).complete().to_numpy(),
                               ScalingLaw().fit(table).complete().to_numpy())
    leaderboard = ScoreMatrix.from_csv(fixture_path("leaderboard.csv"),
                                       model_factors=fixture_path("leaderboard_models.csv"))
    assert ScalingLaw().fit(leaderboard).params_unit_ == "billions"


def test_scaling_law_without_a_parameter_factor_says_so():
    table, _ = law_table()
    bare = ScoreMatrix(table.scores, model_factors=table.model_factors[["family"]],
                       score_range=(0, 100))
    with pytest.raises(ScoreTableError, match="parameter count"):
        ScalingLaw().fit(bare)
    with pytest.raises(ScoreTableError, match="no model factor named 'size'"):
        ScalingLaw(params_factor="size").fit(table)


# ---------------------------------------------------------------------------- factor regression
def factor_table():
    """Scores that depend on the model factors only; m-twin shares m-0's factors."""
    rng = np.random.default_rng(0)
    n = 40
    size = rng.uniform(1, 100, n)
    family = rng.choice(["p", "q", "r"], n)
    effect = {"p": 0.0, "q": 5.0, "r": -5.0}
    tasks = ["t0", "t1", "t2", "t3"]
    slope = np.array([10.0, 5.0, 0.0, -3.0])
    truth = 50 + np.log1p(size)[:, None] * slope[None, :] / 2 + \
        np.array([effect[f] for f in family])[:, None]
    names = [f"m-{i}" for i in range(n)]
    names[-1] = "m-twin"
    size[-1], family[-1] = size[0], family[0]
    truth[-1] = truth[0]
    observed = rng.random(truth.shape) < 0.7
    scores = pd.DataFrame(np.where(observed, truth + rng.normal(scale=0.5, size=truth.shape),
                                   np.nan), index=names, columns=tasks)
    factors = pd.DataFrame({"size": size, "family": family}, index=names)
    task_factors = pd.DataFrame({"kind": ["a", "a", "b", "b"]}, index=tasks)
    return ScoreMatrix(scores, model_factors=factors, task_factors=task_factors,
                       score_range=(0, 100)), truth


def test_factor_regression_gives_identical_predictions_to_identical_factor_rows():
    table, _ = factor_table()
    for estimator in ("ridge", "gbm"):
        model = FactorRegression(estimator=estimator, random_state=0).fit(table)
        full = model.complete(keep_observed=False)
        np.testing.assert_allclose(full.loc["m-twin"], full.loc["m-0"])


@pytest.mark.parametrize("interactions", ["both", "task", "factors", "none"])
def test_factor_regression_through_the_kernel_is_sklearns_ridge(interactions):
    # Fewer cells than columns: the fit goes through the kernel; it must be the ridge
    # regression on the full design, intercept included.
    from sklearn.linear_model import Ridge

    from scorecast.predictors.factor_regression import _rowwise_outer
    rng = np.random.default_rng(0)
    n, n_tasks = 60, 7
    x_model, x_task = rng.normal(size=(n, 6)), rng.normal(size=(n, 4))
    identity = np.eye(n_tasks)[rng.integers(0, n_tasks, n)]
    target = rng.normal(size=n)
    with_factors, with_task = interactions in ("both", "factors"), interactions in ("both", "task")
    blocks = [x_model, x_task, identity] + \
        ([_rowwise_outer(x_model, x_task)] if with_factors else []) + \
        ([_rowwise_outer(x_model, identity)] if with_task else [])
    ridge = Ridge(alpha=5.0).fit(np.hstack(blocks), target)
    coef, intercept = FactorRegression(alpha=5.0)._ridge_dual(
        x_model, x_task, identity, target, with_factors, with_task)
    np.testing.assert_allclose(coef, ridge.coef_, atol=1e-10)
    assert intercept == pytest.approx(ridge.intercept_, abs=1e-10)


def test_factor_regression_learns_per_task_effects_of_model_factors():
    table, truth = factor_table()
    model = FactorRegression(alpha=0.1, interactions="task").fit(table)
    error = np.abs(model.complete(keep_observed=False).to_numpy() - truth).mean()
    assert error < 0.3
    additive = FactorRegression(alpha=0.1, interactions="none").fit(table)
    target = additive.complete(keep_observed=False, values="target").to_numpy()
    difference = target[0] - target[1]
    np.testing.assert_allclose(difference, difference[0])      # same shift on every task
    assert np.abs(additive.complete(keep_observed=False).to_numpy() - truth).mean() > 5 * error


def test_factor_regression_new_model_from_factors_alone():
    table, _ = factor_table()
    model = FactorRegression().fit(table)
    factors = table.model_factors.loc["m-3"].to_dict()
    result = model.predict_new_model(factors=factors)
    np.testing.assert_allclose(result["score"],
                               model.complete(keep_observed=False).loc["m-3"])
    assert not result["fallback"].any()
    alpha = model.alpha
    shifted = model.predict_new_model(known={"t0": 90.0}, factors=factors)["score"]
    residual = model.target_.transform(np.array([[90.0, np.nan, np.nan, np.nan]]))[0, 0] - \
        model.complete(keep_observed=False, values="target").loc["m-3", "t0"]
    expected = model.target_.inverse(
        model.complete(keep_observed=False, values="target").loc[["m-3"]].to_numpy() +
        residual / (1 + alpha))[0]
    np.testing.assert_allclose(shifted[["t1", "t2", "t3"]], expected[1:])


def test_factor_regression_new_task_fits_its_slopes_from_known_scores():
    table, truth = factor_table()
    model = FactorRegression(alpha=0.1, interactions="task").fit(table)
    known = {name: float(truth[i, 0]) for i, name in enumerate(table.models[:30])}
    result = model.predict_new_task(known=known, factors={"kind": "a"})
    assert np.abs(result["score"].to_numpy()[30:] - truth[30:, 0]).mean() < 2.0


def test_factor_regression_gbm_cannot_be_saved_but_ridge_can(tmp_path):
    table, _ = factor_table()
    with pytest.raises(ScorecastError, match="cannot be saved"):
        FactorRegression(estimator="gbm", random_state=0).fit(table).save(tmp_path / "g")
    ridge = FactorRegression().fit(table)
    ridge.save(tmp_path / "r")
    loaded = load_predictor(tmp_path / "r")
    factors = {"size": 30.0, "family": "q"}
    np.testing.assert_array_equal(loaded.predict_new_model(factors=factors)["score"],
                                  ridge.predict_new_model(factors=factors)["score"])


# ---------------------------------------------------------------------------- task levels
def easy_and_hard_tasks():
    """Easy tasks score about 80, hard ones about 30; the task factor says which is which."""
    rng = np.random.default_rng(0)
    tasks = [f"t{j}" for j in range(12)]
    kind = ["easy" if j % 2 else "hard" for j in range(12)]
    level = np.where(np.array(kind) == "easy", 80.0, 30.0)
    truth = level + rng.normal(scale=5, size=(40, 1)) + rng.normal(scale=1, size=(40, 12))
    scores = pd.DataFrame(truth, index=[f"m{i}" for i in range(40)], columns=tasks)
    factors = pd.DataFrame({"kind": kind}, index=tasks)
    return ScoreMatrix(scores, task_factors=factors, score_range=(0, 100)), truth


@pytest.mark.parametrize("target", ["task", "logit"])
def test_a_task_without_scores_takes_its_level_from_its_factors(target):
    table, truth = easy_and_hard_tasks()
    hidden = table.scores.to_numpy().copy()
    hidden[:, [4, 5]] = np.nan                          # a hard and an easy task, never run
    model = FactorRegression(target=target).fit(table.with_scores(hidden))
    predicted = model.complete().to_numpy()
    assert abs(predicted[:, 4].mean() - truth[:, 4].mean()) < 5
    assert abs(predicted[:, 5].mean() - truth[:, 5].mean()) < 5
    # and a new task known only by its factors
    new = model.predict_new_task(factors={"kind": "easy"})["score"]
    assert abs(new.mean() - 80) < 5 and not model.predict_new_task(
        factors={"kind": "easy"})["fallback"].any()


# ---------------------------------------------------------------------------- mf factor slopes
def _code_family_table(seed=0):
    """Scores with one general ability, plus +20 on task 0 alone for the "code" family."""
    rng = np.random.default_rng(seed)
    n, t = 80, 6
    family = np.where(np.arange(n) % 4 == 0, "code", "chat")
    ability = rng.normal(size=(n, 1))
    values = 50 + 8 * ability @ rng.uniform(0.5, 1.5, size=(1, t))
    values[:, 0] += 20 * (family == "code")
    values += rng.normal(scale=0.5, size=values.shape)
    observed = rng.random(values.shape) < 0.7
    names = [f"m{i}" for i in range(n)]
    table = ScoreMatrix(pd.DataFrame(np.where(observed, values, np.nan), index=names,
                                     columns=[f"t{j}" for j in range(t)]),
                        model_factors=pd.DataFrame({"family": family}, index=names),
                        score_range=(0, 100))
    return table, values, observed


def test_factor_slopes_learn_a_factor_that_matters_for_one_task_only():
    from scorecast import make_predictor

    table, values, observed = _code_family_table()

    def error(**params):
        predictor = make_predictor("mf", rank=1, target="raw", factor_prior=True,
                                   random_state=0, **params).fit(table)
        return np.abs(predictor.complete(keep_observed=False).to_numpy() - values)[~observed]

    with_slopes, without = error(factor_slopes=True, slope_reg=0.3), error()
    assert with_slopes.mean() < 0.5 * without.mean()
    slopes = make_predictor("mf", rank=1, target="raw", factor_slopes=True, slope_reg=0.1,
                            random_state=0).fit(table)
    # The code family's lead on task 0 over its other tasks is about 20 points more than
    # the chat family's.
    full = slopes.complete(keep_observed=False).to_numpy()
    lead = full[:, 0] - full[:, 1:].mean(axis=1)
    code = table.model_factors["family"].to_numpy() == "code"
    assert lead[code].mean() - lead[~code].mean() == pytest.approx(20, abs=2)


def test_factor_slopes_fold_a_new_model_in_with_its_family():
    from scorecast import make_predictor

    table, _, _ = _code_family_table(seed=1)
    predictor = make_predictor("mf", rank=1, target="raw", factor_slopes=True, slope_reg=0.1,
                               random_state=0).fit(table)
    known = {"t1": 55.0, "t2": 55.0}
    code = predictor.predict_new_model(known=known, factors={"family": "code"})["score"]
    chat = predictor.predict_new_model(known=known, factors={"family": "chat"})["score"]
    assert code["t0"] - chat["t0"] == pytest.approx(20, abs=3)
    assert abs(code["t3"] - chat["t3"]) < 3
    # A new task's slopes are fitted from its known scores, like its bias.
    new = predictor.predict_new_task(known={"m0": 80.0, "m1": 50.0, "m4": 82.0, "m5": 51.0})
    assert not new["fallback"].any()
