"""ScoreMatrix: factors and their kinds, task metadata, score ranges."""

import numpy as np
import pandas as pd
import pytest

from scorecast import ScoreMatrix, ScoreTableError, make_predictor
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


@pytest.mark.parametrize("values, lower, upper, source, reason", [
    ([0.2, 0.9], 0, 1, "inferred", "all 2 scores in [0, 1]"),
    ([20.0, 90.0], 0, 100, "inferred", "all 2 scores in [0, 100]"),
    ([20.0, None], 0, 100, "inferred", "its one score in [0, 100]"),
    ([-3.0, 250.0], -np.inf, np.inf, "none", "scores from -3 to 250 (outside 0-100)"),
    ([1250.0, 2463.0], -np.inf, np.inf, "none", "scores up to 2463 (outside 0-100)"),
    ([-0.5, 0.5], -np.inf, np.inf, "none", "scores down to -0.5 (outside 0-100)"),
])
def test_score_range_inference(values, lower, upper, source, reason):
    table = ScoreMatrix(pd.DataFrame({"A": values}, index=["m1", "m2"]), on_empty="keep")
    info = table.task_info.loc["A"]
    assert (info["lower"], info["upper"], info["range_source"], info["range_reason"]) == \
        (lower, upper, source, reason)


def test_each_task_range_is_inferred_from_its_own_scores():
    frame = pd.DataFrame({"frac": [0.2, 0.9, 0.5], "pct": [20.0, 90.0, 55.0],
                          "elo": [1210.0, 1490.0, None]}, index=["m1", "m2", "m3"])
    info = ScoreMatrix(frame).task_info
    assert info["lower"].tolist() == [0, 0, -np.inf]
    assert info["upper"].tolist() == [1, 100, np.inf]
    assert info["range_source"].tolist() == ["inferred", "inferred", "none"]
    assert info.loc["elo", "range_reason"] == "scores up to 1490 (outside 0-100)"


def test_a_task_with_no_score_takes_the_range_most_tasks_have():
    frame = pd.DataFrame({"A": [20.0, 90.0], "B": [30.0, 40.0], "elo": [1200.0, 1500.0],
                          "new": [None, None]}, index=["m1", "m2"])
    info = ScoreMatrix(frame, on_empty="keep").task_info.loc["new"]
    assert (info["lower"], info["upper"], info["range_source"]) == (0, 100, "inferred")
    assert info["range_reason"] == "no score; the range of 2 of 3 scored tasks"


def _percent_table(n_tasks, **extra):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.uniform(5, 95, (6, n_tasks)), index=[f"m{i}" for i in range(6)],
                         columns=[f"t{j}" for j in range(n_tasks)])
    for name, values in extra.items():
        frame[name] = values
    return frame


def test_a_fraction_among_percent_tasks_is_noted_but_stays_a_fraction():
    frame = _percent_table(4, frac=np.linspace(0.1, 0.6, 6))
    table = ScoreMatrix(frame)
    assert table.task_info.loc["frac", "upper"] == 1
    assert "task 'frac' looks like a fraction (0-1) while 4 of 5 tasks are 0-100; declare " \
           "--score-range frac=0:100 if it is a percent" in table.problems
    declared = ScoreMatrix(frame, score_range={"frac": (0, 100)})
    assert declared.task_info.loc["frac", "upper"] == 100
    assert not any("looks like" in p for p in declared.problems)


def test_a_percent_among_fraction_tasks_is_noted():
    frame = _percent_table(1).rename(columns={"t0": "pct"})
    for j in range(4):
        frame[f"f{j}"] = np.linspace(0.1, 0.2 * (j + 1), 6)
    problems = ScoreMatrix(frame).problems
    assert any(p.startswith("task 'pct' looks like a percent (0-100) while 4 of 5 tasks are "
                            "0-1") for p in problems)


def test_a_range_named_for_a_task_beats_the_task_factors_which_beat_the_common_range():
    frame = pd.DataFrame({"A": [2.0, 3.0], "B": [20.0, 30.0], "C": [0.2, 0.3]},
                         index=["m1", "m2"])
    factors = pd.DataFrame({"lower": [1, 0], "upper": [5, 50], "shots": [0, 5]},
                           index=["A", "B"])
    table = ScoreMatrix(frame, task_factors=factors,
                        score_range={None: (0, 100), "B": (0, 1000)})
    info = table.task_info
    assert info["upper"].tolist() == [5, 1000, 100]
    assert info["range_reason"].tolist() == ["declared in task factors", "declared", "declared"]
    assert list(table.task_factors.columns) == ["shots"]


def test_task_factor_columns_declare_ranges_and_directions(write):
    scores = write("s.csv", "model,acc,ppl,elo\nm1,0.5,12,1200\nm2,0.7,9.5,1320\n")
    tasks = write("t.csv", "task,Lower,upper,higher_is_better,shots\n"
                           "acc,0,100,yes,5\nppl,0,,no,0\nelo,,,,3\n")
    table = ScoreMatrix.from_csv(scores, task_factors=tasks)
    assert table.task_factor_kinds == {"shots": "numeric"}
    info = table.task_info
    assert info["lower"].tolist() == [0, 0, -np.inf]
    assert info["upper"].tolist() == [100, np.inf, np.inf]
    assert info["range_source"].tolist() == ["declared", "declared", "none"]
    assert info.loc["ppl", "range_reason"] == f"declared in {tasks}"
    assert info["higher_is_better"].tolist() == [True, False, True]
    # The same declarations combine with lower_is_better; a contradiction is an error.
    same = ScoreMatrix.from_csv(scores, task_factors=tasks, lower_is_better=["ppl", "elo"])
    assert same.task_info["higher_is_better"].tolist() == [True, False, False]
    with pytest.raises(ScoreTableError, match=f"{tasks}: task 'acc' has higher_is_better "
                                              "'yes', but it is also given as lower-is-better"):
        ScoreMatrix.from_csv(scores, task_factors=tasks, lower_is_better=["acc"])


@pytest.mark.parametrize("row, message", [
    ("A,abc,1,yes", "task 'A': lower 'abc' is not a number"),
    ("A,0,1,maybe", "task 'A': higher_is_better 'maybe' is not yes or no"),
    ("A,5,1,", "task 'A': lower 5 is not below upper 1"),
])
def test_bad_score_metadata_in_task_factors(write, row, message):
    scores = write("s.csv", "model,A\nm1,0.5\n")
    tasks = write("t.csv", f"task,lower,upper,higher_is_better\n{row}\n")
    with pytest.raises(ScoreTableError) as err:
        ScoreMatrix.from_csv(scores, task_factors=tasks)
    assert str(err.value) == f"{tasks}: {message}"


def test_a_range_for_an_unknown_task_names_close_matches():
    frame = pd.DataFrame({"MMLU": [50.0], "GSM8K": [40.0]}, index=["m1"])
    with pytest.raises(ScoreTableError, match=r"a score range names unknown tasks: 'mmlu' "
                                              r"\(close: 'mmlu' -> 'MMLU'\?\)"):
        ScoreMatrix(frame, score_range={"mmlu": (0, 100)})


def test_summary_groups_tasks_by_range_and_reason():
    frame = _percent_table(4, codeforces=np.linspace(800, 2463, 6),
                           **{"arena-elo": np.linspace(1100, 1300, 6)})
    summary = summarize(ScoreMatrix(frame))
    assert summary["ranges"] == [
        {"lower": 0.0, "upper": 100.0, "range_source": "inferred",
         "reason": "inferred: all scores in [0, 100]", "tasks": ["t0", "t1", "t2", "t3"]},
        {"lower": "-inf", "upper": "inf", "range_source": "none",
         "reason": "scores outside 0-100", "tasks": ["codeforces", "arena-elo"]}]
    details = {d["task"]: d for d in summary["task_details"]}
    assert details["codeforces"]["range_reason"] == "scores up to 2463 (outside 0-100)"
    assert details["t0"]["range_reason"] == "all 6 scores in [0, 100]"
    assert "ranges: 4 tasks 0 to 100 (inferred: all scores in [0, 100]); 'codeforces', " \
           "'arena-elo' unbounded (scores outside 0-100)" in format_summary(summary)


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


def test_a_rating_task_leaves_the_percent_tasks_bounded_for_the_logit_target():
    rng = np.random.default_rng(0)
    ability = rng.normal(size=30)
    logits = ability[:, None] * rng.uniform(0.5, 1.5, 6) - rng.normal(scale=0.5, size=6)
    percent = pd.DataFrame(100 / (1 + np.exp(-logits)), index=[f"m{i}" for i in range(30)],
                           columns=[f"t{j}" for j in range(6)])
    percent = percent.mask(rng.random(percent.shape) < 0.3)
    with_elo = percent.assign(**{"arena-elo": 1200 + 150 * ability})
    alone, mixed = ScoreMatrix(percent), ScoreMatrix(with_elo)
    pd.testing.assert_frame_equal(mixed.task_info.loc[percent.columns], alone.task_info)
    assert set(mixed.task_info.loc[percent.columns, "upper"]) == {100.0}
    assert mixed.task_info.loc["arena-elo", "range_source"] == "none"

    for table, n_percent in ((alone, 6), (mixed, 6)):
        predictor = make_predictor("mf", target="logit", random_state=0).fit(table)
        space = predictor.target_.tasks_
        bounded = np.isfinite(space["lower"]) & np.isfinite(space["upper"])
        assert bounded.tolist() == [True] * n_percent + [False] * (table.shape[1] - n_percent)
        assert space["upper"][:n_percent].tolist() == [100.0] * n_percent
        predicted = predictor.complete(keep_observed=False)[list(percent.columns)].to_numpy()
        assert predicted.min() >= 0 and predicted.max() <= 100
    # The Elo scores themselves are learnt unbounded, on their own scale.
    elo = predictor.complete(keep_observed=False)["arena-elo"]
    assert elo.max() > 100 and np.isfinite(elo).all()
