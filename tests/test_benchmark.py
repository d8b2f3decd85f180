"""Benchmark protocols: scoring spaces, one-seed smoke runs of each protocol, the command."""

import json

import numpy as np
import pandas as pd
import pytest

from scorecast import datasets
from scorecast.cli import main as cli
from scorecast.errors import ScorecastError
from scorecast.evaluation.paper import TABLE4_MODELS, TABLE5_TASKS
from scorecast.evaluation.protocols import PROTOCOLS, plan_benchmark
from scorecast.evaluation.runner import RESULT_COLUMNS, run_benchmark, summarize
from scorecast.evaluation.scoring import make_scoring
from scorecast.synthetic import make_leaderboard


@pytest.fixture(scope="module")
def cpp():
    return datasets.load("cpp-llm")


@pytest.fixture(scope="module")
def synthetic():
    return make_leaderboard("generations", n_models=60, random_state=0)[0]


def test_perfect_predictions_score_perfectly(cpp):
    for target, space in (("normalized", "paper"), ("score", "range"), ("rank", "rank")):
        scoring = make_scoring(cpp, target, paper=True)
        cells = np.argwhere(cpp.observed)[::7]
        truth = scoring.train.scores.to_numpy()[cells[:, 0], cells[:, 1]]
        metrics = scoring.score(cells, truth, by="task")
        assert metrics[f"mse_{space}"] == 0 and metrics[f"l1_{space}"] == 0
        assert metrics["mae"] == pytest.approx(0, abs=1e-9)
        assert metrics["accuracy"] == 1 and metrics["mae_at_2"] == 1
        assert metrics["accuracy_heldout"] == 1 and metrics["spearman"] == pytest.approx(1)
        assert f"mse_{space}[MMLU(5-shot)]" in metrics


def test_the_paper_space_divides_by_the_models_best_score(cpp):
    scoring = make_scoring(cpp, paper=True)
    raw = cpp.scores.to_numpy()
    i = cpp.models.get_loc("Llama 3 8B")
    np.testing.assert_allclose(scoring.train.scores.to_numpy()[i], raw[i] / np.nanmax(raw[i]))
    # an error of 0.1 in that space is 0.1 x the model's best score in points
    j = int(np.flatnonzero(~np.isnan(raw[i]))[0])
    cell = np.array([[i, j]])
    metrics = scoring.score(cell, scoring.train.scores.to_numpy()[i, [j]] + 0.1)
    assert metrics["mse_paper"] == pytest.approx(0.01)
    assert metrics["mae"] == pytest.approx(0.1 * np.nanmax(raw[i]))


def test_the_range_space_divides_by_the_task_range(synthetic):
    scoring = make_scoring(synthetic, "score")
    cells = np.argwhere(synthetic.observed)[:5]
    truth = synthetic.scores.to_numpy()[cells[:, 0], cells[:, 1]]
    width = (synthetic.task_info["upper"] - synthetic.task_info["lower"]).to_numpy()[cells[:, 1]]
    metrics = scoring.score(cells, truth + 3.0)
    assert metrics["mae"] == pytest.approx(3.0)
    assert metrics["mse_range"] == pytest.approx(np.mean((3.0 / width) ** 2))


def run(table, protocol, **kwargs):
    kwargs.setdefault("methods", ["mf"])
    plan = plan_benchmark(table, protocol, seeds=1, **kwargs)
    results, _ = run_benchmark(plan, n_jobs=1, progress=False)
    assert list(results.columns) == RESULT_COLUMNS
    assert set(results["method"]) == {"random", "mean"} | set(kwargs["methods"])
    assert results["value"].notna().all()
    return plan, results


@pytest.mark.parametrize("protocol", [p for p in PROTOCOLS if p not in ("active", "subset")])
def test_every_protocol_runs_on_a_leaderboard(synthetic, protocol):
    plan, results = run(synthetic, protocol)
    labels = set(results["protocol"])
    assert labels == {r.label for r in plan.runs}
    for label in labels:
        metrics = set(results.loc[results["protocol"] == label, "metric"])
        assert {"mse_range", "l1_range", "mae", "rmse", "accuracy", "mae_at_2",
                "accuracy_heldout", "mae_at_2_heldout", "seconds"} <= metrics
    expected = {"pilot": 2, "sparsity": 9, "new-model": 2, "new-task": 2, "frontier": 2,
                "calibration": 4}
    assert len(labels) == expected.get(protocol, 1)


def test_the_paper_protocols_use_the_papers_models_tasks_and_space(cpp):
    _, results = run(cpp, "new-model", known=2)
    per_model = {m[len("mse_paper["):-1] for m in results["metric"] if m.startswith("mse_paper[")}
    assert per_model == set(TABLE4_MODELS.values())
    _, results = run(cpp, "new-task", known=0)
    per_task = {m[len("mse_paper["):-1] for m in results["metric"] if m.startswith("mse_paper[")}
    assert per_task == set(TABLE5_TASKS)
    plan, results = run(cpp, "paper")
    assert set(results["protocol"]) == {"paper"}
    assert plan.reference["table"].loc["mf", "mse_paper"] == 0.0216
    cells = plan.runs[0].folds[0].test
    assert len(cells) == round(0.05 * cpp.n_observed)


def test_a_method_beats_the_baselines(cpp):
    _, results = run(cpp, "random", fraction=0.2)
    mse = results[results["metric"] == "mse_paper"].set_index("method")["value"]
    assert mse["mf"] < mse["mean"] < mse["random"]


def test_seeds_fix_results_in_parallel_too(synthetic):
    plan = plan_benchmark(synthetic, "random", seeds=2, methods=["mf", "soft-impute"])
    one, _ = run_benchmark(plan, n_jobs=1, progress=False)
    two, _ = run_benchmark(plan, n_jobs=2, progress=False)
    keep = one["metric"] != "seconds"
    pd.testing.assert_frame_equal(one[keep].reset_index(drop=True),
                                  two[two["metric"] != "seconds"].reset_index(drop=True))
    assert set(one["seed"]) == {0, 1}
    summary = summarize(one)
    assert summary.loc[("random 10%", "mf", "mae"), "n"] == 2


def test_methods_the_table_cannot_serve(synthetic, fixture_path):
    table = datasets.load("helm-core")
    with pytest.raises(ScorecastError, match="'ncf-factors' cannot run on helm-core: it needs"):
        plan_benchmark(table, "pilot", seeds=1, methods=["ncf-factors"])
    plan = plan_benchmark(table, "random", seeds=1)
    assert "factors-ridge" not in plan.methods
    assert any(note.startswith("factors-ridge left out") for note in plan.notes)
    with pytest.raises(ScorecastError, match="unknown method"):
        plan_benchmark(synthetic, "random", methods=["nope"])
    with pytest.raises(ScorecastError, match="'mf' has no parameter 'size'"):
        plan_benchmark(synthetic, "random", methods=["mf:size=2"])
    with pytest.raises(ScorecastError, match="expected NAME=VALUE"):
        plan_benchmark(synthetic, "random", methods=["mf:2"])


def test_methods_with_parameters(synthetic):
    _, results = run(synthetic, "random", methods=["mf:rank=1", "mf:rank=3:reg=0.5"])
    mae = results[results["metric"] == "mae"].set_index("method")["value"]
    assert mae["mf:rank=1"] != mae["mf:rank=3:reg=0.5"]
    with pytest.raises(ScorecastError, match="unknown protocol"):
        plan_benchmark(synthetic, "nope")


def main(argv):
    return cli.main([str(a) for a in argv])


def test_benchmark_command_writes_csv_and_json(fixture_path, tmp_path, capsys):
    out = tmp_path / "results.csv"
    args = ["benchmark", "--data", fixture_path("leaderboard.csv"), "--protocol", "random",
            "--fraction", "0.2", "--seeds", "2", "--methods", "mf,additive", "--jobs", "1"]
    assert main(args + ["-o", out]) == 0
    captured = capsys.readouterr()
    assert "== random 20%" in captured.out and "MSE (range)" in captured.out
    assert "wrote" in captured.err
    frame = pd.read_csv(out)
    assert list(frame.columns) == RESULT_COLUMNS
    assert set(frame["method"]) == {"random", "mean", "mf", "additive"}
    assert set(frame["seed"]) == {0, 1}
    out_json = tmp_path / "results.json"
    assert main(args + ["-o", out_json]) == 0
    records = json.loads(out_json.read_text())
    assert set(records[0]) == set(RESULT_COLUMNS) and len(records) == len(frame)


def test_benchmark_command_prints_the_papers_table(capsys):
    assert main(["benchmark", "--seeds", "1", "--methods", "mf", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "paper protocol on cpp-llm" in out and "beside the paper's Table 1" in out
    line = next(line for line in out.splitlines() if line.startswith("mf ") and "0.0216" in line)
    assert "0.0947" in line


@pytest.mark.parametrize("argv, message", [
    (["--protocol", "nope"], "invalid choice"),
    (["--dataset", "nope"], "unknown dataset"),
    (["--methods", "nope"], "unknown method"),
    (["--seeds", "-1"], "expected 0 or more"),
    (["--seeds", "0"], "expected 1 or more"),
    (["--protocol", "active", "--seeds", "0"], "expected 1 or more"),
    (["--fraction", "2"], "between 0 and 1"),
    (["--protocol", "family", "--dataset", "helm-core"], "family"),
])
def test_benchmark_command_errors_are_one_line(argv, message, capsys):
    assert main(["benchmark", "--seeds", "1"] + argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
