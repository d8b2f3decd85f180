"""ScoreMatrix: factors and their kinds, task metadata, score ranges."""

import numpy as np
import pandas as pd
import pytest

from scorecast import ScoreMatrix, ScoreTableError
from scorecast.summary import format_summary, summarize


@pytest.fixture
def leaderboard(fixture_path):
    return ScoreMatrix.from_csv(fixture_path("leaderboard.csv"),
                                model_factors=fixture_path("leaderboard_models.csv"),
                                task_factors=fixture_path("leaderboard_tasks.csv"))


def test_factor_kinds_are_inferred(leaderboard):
    assert leaderboard.model_factor_kinds == {
        "family": "categorical", "params_b": "numeric", "tokens_b": "numeric", "release": "date"}
    assert leaderboard.task_factor_kinds == {"ability": "categorical", "shots": "numeric"}
    assert leaderboard.model_factors.loc["alpha-7b", "params_b"] == 7.0
    assert leaderboard.model_factors.loc["beta-7b", "release"] == pytest.approx(2023 + 269 / 365)


def test_factor_tables_are_aligned_and_models_without_factors_allowed(leaderboard):
    assert list(leaderboard.model_factors.index) == list(leaderboard.models)
    assert leaderboard.model_factors.loc["gamma-2b"].isna().all()
    assert np.isnan(leaderboard.model_factors.loc["beta-7b", "tokens_b"])
    assert any("'gamma-2b'" in p and "no row in the model-factor table" in p
               for p in leaderboard.problems)


def test_factor_kind_overrides(fixture_path):
    table = ScoreMatrix.from_csv(fixture_path("leaderboard.csv"),
                                 task_factors=fixture_path("leaderboard_tasks.csv"),
                                 factor_kinds={"shots": "categorical"})
    assert table.task_factor_kinds["shots"] == "categorical"
    assert table.task_factors.loc["MMLU", "shots"] == "5"


def test_boolean_factor_and_nested_kind_overrides():
    scores = pd.DataFrame({"A": [1.0, 2.0]}, index=["m1", "m2"])
    factors = pd.DataFrame({"tuned": ["Yes", "no"], "layers": [32, 40]}, index=["m1", "m2"])
    table = ScoreMatrix(scores, model_factors=factors,
                        factor_kinds={"model": {"layers": "categorical"}})
    assert table.model_factors["tuned"].tolist() == [1.0, 0.0]
    assert table.model_factor_kinds == {"tuned": "boolean", "layers": "categorical"}


def test_non_numeric_value_in_a_numeric_factor():
    scores = pd.DataFrame({"A": [1.0, 2.0]}, index=["m1", "m2"])
    factors = pd.DataFrame({"params": ["7", "seven"]}, index=["m1", "m2"])
    with pytest.raises(ScoreTableError, match="model factor 'params' must be numeric, but its "
                                              "value 'seven' for model 'm2' is not a numeric"):
        ScoreMatrix(scores, model_factors=factors, factor_kinds={"params": "numeric"})


def test_unknown_factor_kind_target():
    scores = pd.DataFrame({"A": [1.0]}, index=["m1"])
    with pytest.raises(ScoreTableError, match="no model or task factor named 'size'"):
        ScoreMatrix(scores, factor_kinds={"size": "numeric"})


def test_factor_names_that_do_not_match_are_listed(write, fixture_path):
    factors = write("f.csv", "model,params\nalpha-7b,7\nalpha-7B,7\ndelta-1b,1\n")
    with pytest.raises(ScoreTableError) as err:
        ScoreMatrix.from_csv(fixture_path("leaderboard.csv"), model_factors=factors)
    message = str(err.value)
    assert "2 model name(s) not in the scores: 'alpha-7B', 'delta-1b'" in message
    assert "'alpha-7B' -> 'alpha-7b'?" in message


def test_duplicate_factor_rows(write, fixture_path):
    factors = write("f.csv", "model,params\nalpha-7b,7\nalpha-7b,8\n")
    with pytest.raises(ScoreTableError, match="duplicate model names: 'alpha-7b'"):
        ScoreMatrix.from_csv(fixture_path("leaderboard.csv"), model_factors=factors)


def test_task_factors_may_be_transposed(write, fixture_path):
    factors = write("tf.csv", "factor,MMLU,GSM8K,ARC-c,HellaSwag\nshots,5,8,25,10\n")
    table = ScoreMatrix.from_csv(fixture_path("leaderboard.csv"), task_factors=factors,
                                 transpose_task_factors=True)
    assert table.task_factors["shots"].tolist() == [5.0, 8.0, 25.0, 10.0]


def test_factor_rows_of_dropped_empty_models_are_not_errors(write):
    scores = write("s.csv", "model,A\nm1,1\nm2,\n")
    factors = write("f.csv", "model,p\nm1,1\nm2,2\n")
    with pytest.warns(UserWarning):
        table = ScoreMatrix.from_csv(scores, model_factors=factors)
    assert list(table.model_factors.index) == ["m1"]


def test_empty_factor_column_is_left_out_and_reported():
    scores = pd.DataFrame({"A": [1.0, 2.0]}, index=["m1", "m2"])
    factors = pd.DataFrame({"flops": [None, "-"], "p": [1, 2]}, index=["m1", "m2"])
    table = ScoreMatrix(scores, model_factors=factors)
    assert list(table.model_factors.columns) == ["p"]
    assert any("'flops' has no values" in p for p in table.problems)


@pytest.mark.parametrize("values, lower, upper, source", [
    ([0.2, 0.9], 0, 1, "inferred"),
    ([20.0, 90.0], 0, 100, "inferred"),
    ([-3.0, 250.0], -np.inf, np.inf, "none"),
])
def test_score_range_inference(values, lower, upper, source):
    table = ScoreMatrix(pd.DataFrame({"A": values}, index=["m1", "m2"]))
    info = table.task_info.loc["A"]
    assert (info["lower"], info["upper"], info["range_source"]) == (lower, upper, source)


def test_per_task_ranges_and_lower_is_better():
    frame = pd.DataFrame({"acc": [0.5, 0.7], "ppl": [12.0, 9.5]}, index=["m1", "m2"])
    table = ScoreMatrix(frame, score_range={"ppl": (0, np.inf)}, lower_is_better=["ppl"])
    assert table.task_info.loc["ppl", "range_source"] == "declared"
    assert table.task_info.loc["acc", "upper"] == 1.0
    assert table.task_info["higher_is_better"].tolist() == [True, False]
    with pytest.raises(ScoreTableError, match="lower_is_better names unknown tasks: 'bpb'"):
        ScoreMatrix(frame, lower_is_better=["bpb"])


def test_summary_counts_and_text(leaderboard):
    summary = summarize(leaderboard)
    assert (summary["models"], summary["tasks"], summary["observed"]) == (6, 4, 21)
    assert summary["density"] == pytest.approx(21 / 24)
    params = next(r for r in summary["model_factors"] if r["factor"] == "params_b")
    assert (params["known"], params["of"], params["max"]) == (5, 6, 70.0)
    text = format_summary(summary)
    assert "6 models x 4 tasks, 21 of 24 cells observed (87.5% dense)" in text
    assert "'gamma-2b'" in text
