"""Factor importance: Shapley values of hand-made games, and of the factors of fitted networks."""

import copy
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from test_common import synthetic_table

from scorecast import ScorecastError, ScoreMatrix, datasets
from scorecast.cli import main as cli
from scorecast.evaluation import random_cells
from scorecast.importance import factor_importance, fitted_factor_importance, shapley_values
from scorecast.predictors import NCFFactors

pytest.importorskip("torch")

# A small network: the games, not the fit, are under test.
SMALL = {"n_networks": 1, "max_epochs": 150}
COLUMNS = ["factor", "kind", "importance", "std"]


def lookup_game(values):
    """The game in which the coalition of the bits of k (bit i: player i) is worth values[k]."""
    weights = 2 ** np.arange(int(math.log2(len(values))))
    return lambda present: np.asarray(values)[present.astype(int) @ weights]


def brute_force_shapley(values):
    """Shapley values as the average marginal contribution over every order of the players."""
    n = int(math.log2(len(values)))
    total = np.zeros(n)
    for order in itertools.permutations(range(n)):
        coalition = 0
        for player in order:
            total[player] += values[coalition | 1 << player] - values[coalition]
            coalition |= 1 << player
    return total / math.factorial(n)


# ---------------------------------------------------------------------------- hand-made games
def test_an_additive_game_gives_each_player_its_own_term():
    terms = np.array([3.0, -1.0, 0.0, 0.5, 2.0])
    result = shapley_values(lambda present: 7.0 + present @ terms, len(terms))
    np.testing.assert_allclose(result.values, terms)
    assert result.exact and result.n_coalitions == 32
    assert (result.empty, result.full) == (7.0, 7.0 + terms.sum())


def test_exact_values_match_the_definition_and_are_efficient():
    values = np.random.default_rng(0).normal(size=2 ** 5)
    result = shapley_values(lookup_game(values), 5)
    np.testing.assert_allclose(result.values, brute_force_shapley(values))
    assert result.values.sum() == pytest.approx(values[-1] - values[0])


def test_a_pure_interaction_is_shared_and_a_dummy_gets_nothing():
    # Players 0 and 1 are worth 1 together and nothing alone; player 2 changes nothing.
    def both(present):
        return (present[:, 0] & present[:, 1]).astype(float)

    for exact_limit in (3, 0):      # enumerated, and sampled in antithetic pairs
        result = shapley_values(both, 3, exact_limit=exact_limit, n_permutations=16,
                                random_state=0)
        np.testing.assert_allclose(result.values, [0.5, 0.5, 0.0])


def test_several_games_sharing_coalitions_are_solved_together():
    terms = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    result = shapley_values(lambda present: present @ terms, 3)
    np.testing.assert_allclose(result.values, terms)
    np.testing.assert_allclose(result.full - result.empty, terms.sum(axis=0))


def test_sampled_values_agree_with_exact_ones_within_their_standard_error():
    values = np.random.default_rng(1).normal(size=2 ** 8)
    exact = shapley_values(lookup_game(values), 8).values
    sampled = shapley_values(lookup_game(values), 8, exact_limit=0, n_permutations=400,
                             random_state=0)
    assert not sampled.exact and (sampled.se > 0).all()
    assert np.all(np.abs(sampled.values - exact) < 4 * sampled.se)
    # Each order's contributions add up to v(all) - v(none), so their mean does too.
    assert sampled.values.sum() == pytest.approx(values[-1] - values[0])
    again = shapley_values(lookup_game(values), 8, exact_limit=0, n_permutations=400,
                           random_state=0)
    np.testing.assert_array_equal(again.values, sampled.values)


# ---------------------------------------------------------------------------- fitted networks
@pytest.fixture(scope="module")
def synthetic():
    return synthetic_table()[0]


@pytest.fixture(scope="module")
def fitted(synthetic):
    split = random_cells(synthetic, 0.2, random_state=0)
    return NCFFactors(**SMALL, random_state=0).fit(split.train), split.test


@pytest.mark.parametrize("masking", ["zero", "interventional"])
def test_a_factor_the_network_ignores_gets_nothing(synthetic, fitted, masking):
    predictor, cells = fitted
    predictor = copy.deepcopy(predictor)
    for network in predictor.networks_:     # cut the 'family' embedding out of every network
        network.models.categorical[0].weight.zero_()
    result = fitted_factor_importance(predictor, synthetic, cells, masking=masking,
                                      n_references=4)
    family = result.table.set_index("factor").loc["family"]
    assert family["importance"] == 0
    assert (result.instances.query("factor == 'family'")["value"] == 0).all()
    params = result.table.set_index("factor").loc["params", "importance"]
    assert params > 0


def test_the_full_coalition_is_the_predictors_own_prediction(synthetic, fitted):
    predictor, cells = fitted
    result = fitted_factor_importance(predictor, synthetic, cells)
    full = predictor.complete(keep_observed=False).to_numpy()[cells[:, 0], cells[:, 1]]
    for kind in ("model", "task"):
        predicted = result.cells.query("kind == @kind")["prediction"].to_numpy()
        np.testing.assert_allclose(predicted, full, atol=1e-4)
    truth = synthetic.scores.to_numpy()[cells[:, 0], cells[:, 1]]
    spread = 100.0      # the synthetic table's score range
    assert result.loss_all == pytest.approx(np.mean(((full - truth) / spread) ** 2), rel=1e-4)


@pytest.fixture(scope="module")
def cpp_result():
    return factor_importance(datasets.load("cpp-llm"), seeds=2, params=SMALL, n_jobs=1,
                             random_state=0)


def test_cpp_llm_importance_table(cpp_result):
    table = cpp_result.table
    assert list(table.columns) == COLUMNS
    cpp = datasets.load("cpp-llm")
    assert sorted(table["factor"] + "/" + table["kind"]) == sorted(
        [f"{f}/model" for f in cpp.model_factors.columns]
        + [f"{f}/task" for f in cpp.task_factors.columns])
    assert table["importance"].is_monotonic_decreasing
    assert table["std"].notna().all() and (table["std"] >= 0).all()
    assert cpp_result.games["evaluation"].eq("exact").all()
    assert cpp_result.games.set_index("kind")["coalitions"].to_dict() == {
        "model": 2 ** 13, "task": 2 ** 4}
    assert cpp_result.masking == "zero" and len(cpp_result.seeds) == 2


def test_importances_and_instance_values_are_efficient(cpp_result):
    per_seed = cpp_result.per_seed.groupby(["seed", "kind"])["importance"].sum()
    games = cpp_result.games.set_index(["seed", "kind"])
    np.testing.assert_allclose(per_seed, (games["loss_none"] - games["loss_all"])[per_seed.index],
                               atol=1e-12)
    keys = ["seed", "kind", "model", "task"]
    summed = cpp_result.instances.groupby(keys)["value"].sum()
    cells = cpp_result.cells.set_index(keys)
    np.testing.assert_allclose(summed, (cells["prediction"] - cells["baseline"])[summed.index],
                               atol=1e-9)
    # With every factor present, both games predict the same scores.
    assert cpp_result.games.groupby("seed")["loss_all"].nunique().eq(1).all()


def test_the_same_random_state_gives_the_same_result_in_parallel_too(cpp_result):
    again = factor_importance(datasets.load("cpp-llm"), seeds=2, params=SMALL, n_jobs=2,
                              random_state=0)
    pd.testing.assert_frame_equal(again.table, cpp_result.table)
    pd.testing.assert_frame_equal(again.instances, cpp_result.instances)


def test_sampled_games_report_their_standard_error(synthetic):
    result = factor_importance(synthetic, seeds=1, params=SMALL, n_jobs=1, exact_limit=1,
                               n_permutations=8)
    assert list(result.table.columns) == COLUMNS + ["se"]
    assert result.games["evaluation"].eq("sampled").all()
    assert result.table["std"].isna().all()      # one seed: no spread to report
    per_kind = result.per_seed.groupby("kind")["importance"].sum()
    games = result.games.set_index("kind")
    np.testing.assert_allclose(per_kind, (games["loss_none"] - games["loss_all"])[per_kind.index])


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "ncf"}, "method 'ncf' does not use factors"),
    ({"method": "factors-ridge"}, "has no network"),
    ({"masking": "mean"}, "unknown masking 'mean'; use one of zero, interventional"),
    ({"params": {"rank": 2}}, "has no parameter 'rank'"),
])
def test_bad_requests_are_one_line_errors(synthetic, kwargs, message):
    with pytest.raises(ScorecastError, match=message) as caught:
        factor_importance(synthetic, **kwargs)
    assert "\n" not in str(caught.value)


def test_a_table_without_factors_is_an_error(synthetic):
    with pytest.raises(ScorecastError, match="has no model or task factors"):
        factor_importance(ScoreMatrix(synthetic.scores, name="bare"))


# ---------------------------------------------------------------------------- command line
def test_importance_command_writes_the_table_and_the_plots(tmp_path, capsys):
    output, plot = tmp_path / "imp.csv", tmp_path / "imp.png"
    code = cli.main(["importance", "--dataset", "cpp-llm", "--seeds", "2", "--jobs", "1",
                     "--param", "n_networks=1", "--param", "max_epochs=150",
                     "--output", str(output), "--plot", str(plot)])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("ncf-factors, zero masking, 2 seeds; validation MSE")
    assert "v(all) = " in out and "(model factors)" in out
    table = pd.read_csv(output)
    assert list(table.columns) == COLUMNS and len(table) == 17
    printed = [line.split()[-3] for line in out.splitlines()[2:]]     # the kind column
    assert printed == table["kind"].tolist()
    assert out.splitlines()[2].strip().startswith(table["factor"][0])
    assert plot.stat().st_size > 0 and (tmp_path / "imp-instances.png").stat().st_size > 0


def test_importance_command_errors_are_one_line(capsys):
    assert cli.main(["importance", "--method", "ncf"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("scorecast: error: method 'ncf' does not use factors; factor importance "
                   "needs one of ncf-factors, factors-only")
