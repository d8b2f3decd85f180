"""Checks specific to the neural predictors (ncf, ncf-factors, factors-only)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from test_common import synthetic_table

from scorecast import ScorecastError, ScoreMatrix
from scorecast.predictors import NCF, FactorsOnly, NCFFactors

torch = pytest.importorskip("torch")

FAST = {"max_epochs": 150, "n_networks": 2, "random_state": 0}


@pytest.fixture(scope="module")
def table():
    return synthetic_table()[0]


@pytest.fixture(scope="module")
def ncf_factors(table):
    return NCFFactors(**FAST).fit(table)


def test_early_stopping_stops_on_noise():
    # Pure noise: the validation loss can only get worse once the network starts to fit it.
    rng = np.random.default_rng(0)
    scores = pd.DataFrame(rng.uniform(0, 100, (40, 10)),
                          index=[f"m{i}" for i in range(40)], columns=[f"t{j}" for j in range(10)])
    model = NCF(lr=0.05, max_epochs=2000, patience=20, n_networks=2, random_state=0)
    model.fit(scores)
    assert (model.stopped_epochs_ < 2000).all()
    np.testing.assert_array_equal(model.stopped_epochs_, model.best_epochs_ + 20)
    assert (model.validation_losses_ > 0).all()
    # Each network has its own split and initial weights: its own validation losses.
    assert model.validation_losses_[0] != model.validation_losses_[1]


def test_without_validation_it_trains_for_max_epochs(table):
    model = NCF(max_epochs=30, validation_fraction=0, n_networks=1, random_state=0).fit(table)
    assert model.best_epochs_.tolist() == model.stopped_epochs_.tolist() == [30]
    assert np.isnan(model.validation_losses_).all()


def test_the_prediction_is_the_mean_of_the_networks(table):
    model = NCF(max_epochs=20, n_networks=3, random_state=0).fit(table)
    assert len(model.networks_) == 3
    full = model.complete(keep_observed=False, values="target").to_numpy()
    each = [model._network_full(network) for network in model.networks_]
    np.testing.assert_allclose(full, np.mean(each, axis=0))
    assert np.abs(each[0] - each[1]).max() > 1e-3


@pytest.mark.parametrize("params, message", [({"validation_fraction": 1.0}, "validation_"),
                                             ({"n_networks": 0}, "n_networks")])
def test_bad_parameters_are_errors(table, params, message):
    with pytest.raises(ScorecastError, match=message):
        NCF(**params).fit(table)


def test_factors_only_predicts_from_factors_alone(table):
    # Give model-1 the factors of model-0 and model-3 different ones.
    factors = table.model_factors.copy()
    factors.loc["model-1"] = factors.loc["model-0"]
    factors.loc["model-3", "params"] = factors["params"].max() * 10
    twin = ScoreMatrix(table.scores, model_factors=factors, task_factors=table.task_factors,
                       score_range=(0, 100))
    full = FactorsOnly(**FAST).fit(twin).complete(keep_observed=False)
    np.testing.assert_array_equal(full.loc["model-0"], full.loc["model-1"])
    assert np.abs(full.loc["model-0"] - full.loc["model-3"]).max() > 0.1


def test_new_model_known_by_factors_only(table, ncf_factors):
    small = ncf_factors.predict_new_model(factors={"params": 1.0, "family": "fam0"})
    large = ncf_factors.predict_new_model(factors={"params": 1e4, "family": "fam0"})
    assert not small["fallback"].any() and not large["fallback"].any()
    assert np.abs(small["score"] - large["score"]).max() > 0.1
    # ncf has no use for factors: the same request falls back explicitly.
    plain = NCF(**FAST).fit(table).predict_new_model(factors={"params": 1.0})
    assert plain["fallback"].all()


def test_new_task_known_by_factors_only(ncf_factors):
    result = ncf_factors.predict_new_task(factors={"shots": 5, "kind": "gen"})
    assert not result["fallback"].any()
    assert result["score"].std() > 0


def test_fold_in_follows_the_known_scores_and_is_deterministic(table, ncf_factors):
    tasks = list(table.tasks)
    for model in (NCF(**FAST).fit(table), ncf_factors):
        strong = model.predict_new_model(known={t: 95.0 for t in tasks[:4]})
        weak = model.predict_new_model(known={t: 5.0 for t in tasks[:4]})
        rest = tasks[4:]
        assert (strong.loc[rest, "score"] > weak.loc[rest, "score"]).all()
        again = model.predict_new_model(known={t: 95.0 for t in tasks[:4]})
        np.testing.assert_array_equal(again["score"], strong["score"])


def test_fit_leaves_torch_global_random_state_alone(table):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    NCF(max_epochs=5, random_state=0).fit(table)
    torch.testing.assert_close(torch.rand(3), expected, rtol=0, atol=0)


def test_without_torch_the_error_says_how_to_install_it(table, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)     # makes `import torch` fail
    with pytest.raises(ScorecastError, match=r"pip install torch==2\.13\.0"):
        NCF(**FAST).fit(table)


def test_import_does_not_load_torch_and_a_fresh_process_loads_a_saved_network(
        ncf_factors, tmp_path):
    path = tmp_path / "ncf-factors.scorecast"
    ncf_factors.save(path)
    known = {"task-0": 60.0, "task-3": 20.0}
    expected = np.vstack([ncf_factors.complete(keep_observed=False).to_numpy(),
                          ncf_factors.predict_new_model(known=known)["score"].to_numpy()])
    np.save(tmp_path / "expected.npy", expected)
    code = (
        "import sys, numpy as np, scorecast\n"
        "assert 'torch' not in sys.modules, 'import scorecast loaded torch'\n"
        f"model = scorecast.load_predictor({str(path)!r})\n"
        "got = np.vstack([model.complete(keep_observed=False).to_numpy(),\n"
        f"                 model.predict_new_model(known={known!r})['score'].to_numpy()])\n"
        f"np.testing.assert_array_equal(got, np.load({str(tmp_path / 'expected.npy')!r}))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
