"""Intervals (calibrated, wider where data are thin) and suggestions of what to evaluate next."""

import numpy as np
import pandas as pd
import pytest
from test_common import synthetic_table

from scorecast import ParameterError, ScorecastError, load_predictor
from scorecast.cli import main as cli
from scorecast.evaluation.active import active_advantage, run_active
from scorecast.evaluation.protocols import plan_benchmark
from scorecast.evaluation.runner import run_benchmark
from scorecast.predictors import MatrixFactorization
from scorecast.suggest import suggest_models, suggest_tasks


@pytest.fixture(scope="module")
def data():
    return synthetic_table(n_models=120, n_tasks=12, density=0.5, noise=0.3, seed=3)


@pytest.fixture(scope="module")
def fitted(data):
    table, _ = data
    return MatrixFactorization(rank=2, random_state=0).fit(table).calibrate()


def test_intervals_cover_the_truth_at_their_level(data, fitted):
    table, truth = data
    missing = ~table.observed
    for level in (0.8, 0.9):
        cells = fitted.complete(interval=level)
        lower = cells["lower"].to_numpy().reshape(table.shape)[missing]
        upper = cells["upper"].to_numpy().reshape(table.shape)[missing]
        values = truth.to_numpy()[missing]
        coverage = np.mean((lower <= values) & (values <= upper))
        assert level - 0.08 <= coverage <= min(1, level + 0.08), (level, coverage)


def test_observed_cells_are_their_own_interval_and_bounds_stay_in_range(fitted):
    cells = fitted.complete(interval=0.9)
    seen = cells[cells["observed"]]
    assert (seen["lower"] == seen["score"]).all() and (seen["upper"] == seen["score"]).all()
    assert (cells["lower"] <= cells["score"]).all() and (cells["score"] <= cells["upper"]).all()
    assert cells["lower"].min() >= 0 and cells["upper"].max() <= 100
    wider = fitted.complete(interval=0.95)
    assert ((wider["upper"] - wider["lower"]) >= (cells["upper"] - cells["lower"]) - 1e-9).all()


def test_intervals_widen_where_data_are_thin(data, fitted):
    table, _ = data
    tasks = list(table.tasks)
    one = fitted.predict_new_model(known={tasks[0]: 50.0}, interval=0.9)
    many = fitted.predict_new_model(known={t: 50.0 for t in tasks[:8]}, interval=0.9)
    rest = tasks[8:]
    width_one = (one["upper"] - one["lower"])[rest]
    width_many = (many["upper"] - many["lower"])[rest]
    assert (width_one > width_many).all()
    # a rarely evaluated task: hide most of one task's scores
    scores = table.scores.to_numpy().copy()
    rare = np.flatnonzero(~np.isnan(scores[:, 3]))[3:]
    scores[rare, 3] = np.nan
    thin = MatrixFactorization(rank=2, random_state=0).fit(table.with_scores(scores))
    widths = thin.complete(interval=0.9)
    widths = (widths["upper"] - widths["lower"]).to_numpy().reshape(table.shape)
    missing = np.isnan(scores)
    assert widths[:, 3][missing[:, 3]].mean() > np.mean([widths[:, j][missing[:, j]].mean()
                                                         for j in range(table.shape[1])
                                                         if j != 3])


def test_predict_gives_bounds_and_a_saved_predictor_keeps_its_calibration(fitted, tmp_path):
    table_models = list(fitted.models_[:3])
    bounds = fitted.predict(table_models, fitted.tasks_[0], interval=0.9)
    assert list(bounds.columns) == ["score", "lower", "upper"]
    assert (bounds["lower"] <= bounds["score"]).all() and (bounds["score"] <= bounds["upper"]).all()
    path = tmp_path / "mf.scorecast"
    fitted.save(path)
    loaded = load_predictor(path)
    pd.testing.assert_frame_equal(loaded.complete(interval=0.9), fitted.complete(interval=0.9))
    bare = MatrixFactorization(rank=2).fit(fitted.fit_table_)
    bare.save(path)
    with pytest.raises(ScorecastError, match="calibrat"):
        load_predictor(path).complete(interval=0.9)


def test_new_task_intervals(fitted):
    frame = fitted.predict_new_task(known={fitted.models_[0]: 40.0}, interval=0.8)
    assert frame.loc[fitted.models_[0], "lower"] == frame.loc[fitted.models_[0], "upper"] == 40
    rest = frame.iloc[1:]
    assert ((rest["upper"] - rest["lower"]) > 0).all()


# ---------------------------------------------------------------------------- suggestions
def test_suggest_never_proposes_what_is_known(data, fitted):
    table, _ = data
    for model in table.models[:10]:
        result = suggest_tasks(fitted, model=model)
        observed = set(table.tasks[table.observed[table.models.get_loc(model)]])
        assert not observed & set(result["task"])
        assert len(result) == table.shape[1] - len(observed)
        assert (np.diff(result["gain_per_cost"]) <= 1e-12).all()
    result = suggest_models(fitted, table.tasks[2])
    assert not set(result["model"]) & set(table.models[table.observed[:, 2]])


def test_suggest_budget_costs_and_determinism(data, fitted):
    table, _ = data
    model = table.models[np.argmin(table.observed.sum(axis=1))]
    picks = suggest_tasks(fitted, model=model, budget=3)
    assert len(picks) == 3 and picks["task"].is_unique
    # a very expensive first choice is no longer first
    dear = suggest_tasks(fitted, model=model, budget=3, cost={picks["task"][0]: 1000.0})
    assert dear["task"][0] != picks["task"][0]
    again = MatrixFactorization(rank=2, random_state=0).fit(table)
    pd.testing.assert_frame_equal(suggest_tasks(again, model=model, budget=3), picks)
    new = suggest_tasks(fitted, known=list(table.tasks[:2]), budget=2)
    assert not set(new["task"]) & set(table.tasks[:2])
    # counting only some targets can only lower each candidate's gain
    everything = suggest_tasks(fitted, model=model).set_index("task")["gain"]
    target = everything.index[-1]
    some = suggest_tasks(fitted, model=model, targets=[target]).set_index("task")["gain"]
    assert (some <= everything[some.index] + 1e-9).all() and some[target] == 0
    with pytest.raises(ScorecastError, match="unknown task 'nope'"):
        suggest_tasks(fitted, model=model, cost={"nope": 2})


# ---------------------------------------------------------------------------- protocols
def test_the_calibration_and_active_protocols_run(data):
    table, _ = data
    plan = plan_benchmark(table, "calibration", seeds=1, methods=["mf"], known=1)
    results, _ = run_benchmark(plan, n_jobs=1, progress=False)
    mf = results[results["method"] == "mf"]
    assert {"coverage_80", "width_80", "coverage_90", "width_90"} <= set(mf["metric"])
    assert "coverage_90" not in set(results.loc[results["method"] == "random", "metric"])
    active = run_active(table, method="mf", seeds=1, steps=3, n_models=5, n_jobs=1)
    assert set(active["method"]) == {"active", "random"}
    assert set(active["metric"]) == {f"mae_after_{k}" for k in range(4)}
    first = active[active["metric"] == "mae_after_0"].set_index("method")["value"]
    assert first["active"] == first["random"]
    with pytest.raises(ScorecastError, match="seeds must be at least 1"):
        run_active(table, method="mf", seeds=0)


def test_active_advantage_is_the_ratio_of_means_with_a_seed_interval():
    # Seed-level errors after 3: random 10, 12, 14 (mean 12); active 8, 9, 10 (mean 9).
    rows = [("active", s, "mae_after_3", a) for s, a in enumerate([8, 9, 10])]
    rows += [("random", s, "mae_after_3", r) for s, r in enumerate([10, 12, 14])]
    rows += [("random", 0, "mae_after_0", 99.0)]
    results = pd.DataFrame([("active",) + r for r in rows],
                           columns=["protocol", "method", "seed", "metric", "value"])
    drop, lower, upper = active_advantage(results)
    assert drop == pytest.approx(0.25)
    # per-seed drops are 0.2, 0.25 and 0.286: the interval stays within them
    assert 0.2 - 1e-9 <= lower <= drop <= upper <= 2 / 7 + 1e-9 and lower < upper
    assert active_advantage(results, random_state=0) == (drop, lower, upper)
    with pytest.raises(ScorecastError, match="mae_after_5"):
        active_advantage(results, after=5)


def main(argv):
    return cli.main([str(a) for a in argv])


def test_interval_and_suggest_commands(fixture_path, capsys):
    scores = fixture_path("leaderboard.csv")
    assert main(["complete", scores, "--method", "mf", "--interval", "0.9", "--long"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "model,task,score,lower,upper,observed" and len(lines) == 1 + 24
    assert main(["complete", scores, "--method", "mf", "--interval", "0.9"]) == 2
    assert "add --long" in capsys.readouterr().err
    assert main(["predict", scores, "--method", "mf", "--model", "alpha-7b",
                 "--interval", "0.8"]) == 0
    assert "80% interval" in capsys.readouterr().out
    assert main(["suggest", "--dataset", "cpp-llm", "--method", "mf", "--model", "Llama 3 8B",
                 "--budget", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 tasks to evaluate" in out and "gain" in out
    assert main(["benchmark", "--protocol", "active", "--methods", "mf", "--seeds", "1",
                 "--jobs", "1"]) == 0
    assert "after 3 evaluations" in capsys.readouterr().out


@pytest.mark.parametrize("level", ["x", 0, 1, 1.5, -0.1, True])
def test_a_wrong_interval_level_is_a_parameter_error_before_any_calibration(data, level):
    fitted = MatrixFactorization(rank=2, random_state=0).fit(data[0])
    with pytest.raises(ParameterError, match="'interval'"):
        fitted.complete(interval=level)
    assert fitted.calibration_ is None


def test_a_method_without_a_seed_of_its_own_is_calibrated_the_same_way_every_run(data):
    from scorecast import make_predictor
    bounds = [make_predictor("mean").fit(data[0]).complete(interval=0.9)[["lower", "upper"]]
              for _ in range(2)]
    pd.testing.assert_frame_equal(bounds[0], bounds[1])
