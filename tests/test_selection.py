"""Which tasks to run on every new model, and how predictable each task is."""

import numpy as np
import pandas as pd
import pytest

from scorecast import ScoreMatrix, datasets, make_predictor, synthetic
from scorecast.cli import main as cli
from scorecast.errors import ScorecastError
from scorecast.evaluation.subset import STRATEGIES as SUBSET_STRATEGIES
from scorecast.evaluation.subset import chosen_sets, run_subset
from scorecast.evaluation.active import ALL_STRATEGIES, active_advantage, run_active
from scorecast.predictors._registry import seeded
from scorecast.selection import (SELECTION_COLUMNS, FoldInSimulation, select_tasks,
                                 task_predictability)


@pytest.fixture(scope="module")
def planted():
    return synthetic.make_planted(random_state=0)


@pytest.fixture(scope="module")
def cpp():
    return datasets.load("cpp-llm")


def main(argv):
    return cli.main([str(a) for a in argv])


def test_batched_fold_in_matches_predict_new_model(cpp):
    """The simulations' numpy path gives exactly what a user's fold-in gives."""
    factors = [{k: v for k, v in cpp.model_factors.iloc[i].items() if pd.notna(v)}
               for i in range(3)]
    for name, params in (("mf", {}), ("mf", {"factor_prior": True}),
                         ("mf", {"factor_slopes": True}), ("additive", {}),
                         ("soft-impute", {}), ("mean", {})):
        predictor = seeded(make_predictor(name, **params), 0).fit(cpp)
        raw = cpp.scores.to_numpy()[:3].copy()
        raw[:, 5:] = np.nan
        raw[2] = np.nan                                  # factors only (or a fallback)
        encoded = [predictor._encode_new(f, "model") for f in factors]
        batch = predictor._new_models_scores(raw, factors, encoded)
        for r in range(3):
            known = {t: v for t, v in zip(cpp.tasks, raw[r]) if not np.isnan(v)}
            one = predictor.predict_new_model(known=known, factors=factors[r])["score"]
            np.testing.assert_allclose(batch[r], one.to_numpy(), rtol=1e-9, atol=1e-9)


def test_planted_set_is_found(planted):
    table, truth = planted
    result = select_tasks(table, 5, "mf:rank=5", random_state=0)
    assert list(result.columns) == SELECTION_COLUMNS
    assert result["k"].tolist() == [1, 2, 3, 4, 5]
    assert sorted(result["tasks"].iloc[-1].split(";")) == sorted(truth)
    assert result["mae"].iloc[-1] < 0.85 * result["random_mae"].iloc[-1]
    # Each set is the previous one plus what was added (less what a swap took out).
    for previous, row in zip(result["tasks"], result.iloc[1:].itertuples()):
        assert set(row.added.split(";")) <= set(row.tasks.split(";"))
        assert not set(row.added.split(";")) & set(previous.split(";"))


def test_same_seed_same_answer_other_seed_other_folds(planted):
    table, _ = planted
    a = select_tasks(table, 3, "mf", random_state=3)
    b = select_tasks(table, 3, "mf", random_state=3)
    pd.testing.assert_frame_equal(a, b)
    c = select_tasks(table, 3, "mf", random_state=4)
    assert not np.allclose(a["mae"], c["mae"])


def test_must_targets_cost_and_budget(planted):
    table, truth = planted
    others = [t for t in table.tasks if t not in truth]
    result = select_tasks(table, 3, "mf", must=[truth[0]], targets=others[:5],
                          random_state=0)
    assert result["k"].tolist() == [1, 2, 3]
    assert result["tasks"].iloc[0] == truth[0] and result["added"].iloc[0] == ""
    assert all(t.split(";")[0] == truth[0] for t in result["tasks"])
    chosen = set(result["tasks"].iloc[-1].split(";"))
    assert not chosen & set(others[:5])                 # targets are not candidates
    # A costly task is avoided when a budget leaves no room for it.
    cost = {t: 10.0 for t in table.tasks}
    cost.update({t: 1.0 for t in others[5:9]})
    cheap = select_tasks(table, 4, "mf", cost=cost, budget=3, random_state=0)
    assert len(cheap) == 3 and cheap["cost"].iloc[-1] <= 3
    assert set(cheap["tasks"].iloc[-1].split(";")) <= set(others[5:9])


def test_bad_requests_are_refused(planted):
    table, truth = planted
    with pytest.raises(ScorecastError, match="unknown task"):
        select_tasks(table, 3, "mf", must=["nope"])
    with pytest.raises(ScorecastError, match="cannot add anything"):
        select_tasks(table, 1, "mf", must=truth[:2])


def test_a_task_copied_from_another_is_predictable(planted):
    table, truth = planted
    scores = table.scores.copy()
    scores["copy"] = scores[truth[0]] + 1.0
    copied = ScoreMatrix(scores, score_range=(0, 101))
    result = task_predictability(copied, "mf:rank=5", random_state=0)
    assert list(result.columns)[:3] == ["task", "mae", "relative_error"]
    copy_row = result.set_index("task").loc["copy"]
    mixed = result.set_index("task").drop(index=list(truth) + ["copy"])
    assert copy_row["relative_error"] < mixed["relative_error"].min()
    assert copy_row["corr_rest"] > 0 and copy_row["n_models"] == table.observed[
        :, table.tasks.get_loc(truth[0])].sum()


def test_simulation_folds_cover_each_model_once(cpp):
    simulation = FoldInSimulation(cpp, "mf", n_folds=4, random_state=0)
    assert sorted(simulation.rows) == sorted(np.flatnonzero(cpp.observed.sum(axis=1) >= 2))
    nothing = np.zeros(len(cpp.tasks), bool)
    errors, coverage = simulation.errors(nothing)
    assert np.isfinite(errors).all() and (coverage == 0).all()


def test_cli_subset_writes_the_csv(tmp_path, capsys):
    out = tmp_path / "set.csv"
    assert main(["suggest", "--dataset", "cpp-llm", "--subset", 3, "--method", "mf",
                 "--must", "MMLU(5-shot)", "-o", out]) == 0
    printed = capsys.readouterr().out
    frame = pd.read_csv(out)
    assert list(frame.columns) == SELECTION_COLUMNS
    assert frame["k"].tolist() == [1, 2, 3]
    assert frame["tasks"].iloc[-1].startswith("MMLU(5-shot);")
    assert f"set of 3: {frame['tasks'].iloc[-1].replace(';', ', ')}" in printed


@pytest.mark.parametrize("argv, message", [
    (["--subset", 2, "--must", "MMLU(5-shot),GSM8K(4-shot)"], "valid: 3 or more"),
    (["--subset", 30], "valid: 1 to 28"),
    (["--subset", 2, "--must", "nope"], "--must: no task named 'nope'"),
    (["--model", "GPT-4", "--must", "MMLU(5-shot)"], "--must and --targets go with --subset"),
    (["--model", "GPT-4", "--budget", 1.5], "a whole number"),
    (["--subset", 2, "--must", "MMLU(5-shot)", "--targets", "MMLU(5-shot)"], "both name"),
])
def test_cli_subset_errors(argv, message, capsys):
    assert main(["suggest", "--dataset", "cpp-llm", "--method", "mf", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_predictability(tmp_path, capsys):
    out = tmp_path / "p.csv"
    assert main(["predictability", "--dataset", "cpp-llm", "--method", "mf", "-o", out]) == 0
    frame = pd.read_csv(out)
    assert len(frame) == 29 and frame["relative_error"].is_monotonic_decreasing
    assert "least predictable first" in capsys.readouterr().out


def test_subset_protocol_beats_random_sets_on_held_out_models(planted):
    table, truth = planted
    results, sets = run_subset(table, "mf:rank=5", seeds=2, max_size=5, n_random=5, n_jobs=1)
    assert set(results["method"]) == set(SUBSET_STRATEGIES)
    assert set(results["protocol"]) == {f"subset k={k}" for k in range(1, 6)}
    five = results[results["protocol"] == "subset k=5"].groupby("method")["value"].mean()
    assert five["chosen"] < 0.9 * five["random"]
    assert all(len(per_seed) == 5 and len(per_seed[4]) == 5 for per_seed in sets.values())
    assert chosen_sets(sets, 5).max() <= 2


def test_cli_subset_protocol(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert main(["benchmark", "--protocol", "subset", "--dataset", "cpp-llm", "--seeds", 1,
                 "--jobs", 1, "-o", out]) == 0
    printed = capsys.readouterr().out
    assert "vs most-observed" in printed and "tasks in the chosen 5-task set" in printed
    frame = pd.read_csv(out)
    assert len(frame) == 8 * 4 and set(frame["metric"]) == {"mae"}


def test_active_loop_with_simulated_choices(cpp):
    results = run_active(cpp, method="mf", seeds=1, steps=2, n_models=3, n_jobs=1,
                         strategies=ALL_STRATEGIES)
    assert set(results["method"]) == {"active", "random", "simulated"}
    start = results[results["metric"] == "mae_after_0"].set_index("method")["value"]
    assert start["simulated"] == start["random"]
    drop, _, _ = active_advantage(results, after=2, strategy="simulated")
    assert -1 < drop < 1
    with pytest.raises(ScorecastError, match="strategies must include 'random'"):
        run_active(cpp, method="mf", seeds=1, strategies=("active", "psychic"))
