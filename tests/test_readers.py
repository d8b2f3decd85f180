"""Reading score files: encodings, delimiters, layouts, orientation and every error message."""

import numpy as np
import pandas as pd
import pytest

from scorecast import ScorecastWarning, ScoreMatrix, ScoreTableError

WIDE = "model,MMLU,GSM8K\nm1,45.5,10\nm2,,20.25\nm3,60,-\n"
EXPECTED = pd.DataFrame({"MMLU": [45.5, np.nan, 60.0], "GSM8K": [10.0, 20.25, np.nan]},
                        index=["m1", "m2", "m3"])


def assert_scores(table, expected=EXPECTED):
    pd.testing.assert_frame_equal(table.scores, expected, check_names=False)


@pytest.mark.parametrize("text, encoding", [
    (WIDE, "utf-8"),
    ("\ufeff" + WIDE, "utf-8"),                                  # byte-order mark
    (WIDE.replace(",", ";"), "utf-8"),
    (WIDE.replace(",", "\t"), "utf-8"),
    (WIDE.replace("\n", "\r\n"), "utf-8"),                       # Windows line ends
    ("\ufeff" + WIDE.replace(",", ";"), "utf-8"),
    (WIDE, "utf-16"),                                            # Excel "Unicode text"
])
def test_wide_file_in_any_common_dialect(write, text, encoding):
    assert_scores(ScoreMatrix.from_csv(write("s.csv", text, encoding)))


@pytest.mark.parametrize("token", ["", "-", "NA", "N/A", "n/a", "nan", "null", "\u2014"])
def test_missing_spellings(write, token):
    table = ScoreMatrix.from_csv(write("s.csv", f"model,A,B\nm1,1,{token}\nm2,2,3\n"))
    assert np.isnan(table.scores.loc["m1", "B"])
    assert table.n_observed == 3


def test_zero_is_a_score_not_a_missing_value(write):
    table = ScoreMatrix.from_csv(write("s.csv", "model,A,B\nm1,0,0.0\nm2,2,3\n"))
    assert table.n_observed == 4


def test_decimal_comma_with_semicolons(write):
    table = ScoreMatrix.from_csv(write("s.csv", "model;A;B\nm1;45,5;10\nm2;1;20,25\n"))
    assert table.scores.loc["m1", "A"] == 45.5
    assert table.scores.loc["m2", "B"] == 20.25


def test_long_file_with_extra_columns(write):
    text = ("model,task,score,stderr\nm1,MMLU,45.5,0.4\nm1,GSM8K,10,0.3\nm2,GSM8K,20.25,0.2\n"
            "m3,MMLU,60,0.5\n")
    table = ScoreMatrix.from_csv(write("s.csv", text))
    assert_scores(table)
    assert any("'stderr'" in p for p in table.problems)


def test_long_layout_can_be_forced_and_must_fit(write):
    path = write("s.csv", "name,bench,value\nm1,A,1\n")
    with pytest.raises(ScoreTableError, match="needs columns model, task and score"):
        ScoreMatrix.from_csv(path, layout="long")


def test_long_repeated_identical_pair_is_noted_conflicting_pair_is_an_error(write):
    same = write("same.csv", "model,task,score\nm1,A,1\nm2,A,2\nm1,A,1\n")
    table = ScoreMatrix.from_csv(same)
    assert table.n_observed == 2
    assert any("line 4 repeats line 2" in p for p in table.problems)
    clash = write("clash.csv", "model,task,score\nm1,A,1\nm2,A,2\nm1,A,1.5\n")
    with pytest.raises(ScoreTableError) as err:
        ScoreMatrix.from_csv(clash)
    assert str(err.value).endswith("clash.csv: model 'm1' on task 'A' has two scores: "
                                   "1 (line 2) and 1.5 (line 4)")


def test_transpose_reads_tasks_by_models(write):
    text = "task,m1,m2,m3\nMMLU,45.5,,60\nGSM8K,10,20.25,-\n"
    assert_scores(ScoreMatrix.from_csv(write("t.csv", text), transpose=True))


def test_orientation_is_never_guessed(write):
    path = write("t.csv", "Metric,m1,m2\nMMLU,1,2\nGSM8K,3,4\n")
    with pytest.raises(ScoreTableError, match=r"headed 'Metric'.*pass --transpose"):
        ScoreMatrix.from_csv(path)
    rows_are_models = write("m.csv", "model,A,B\nm1,1,2\n")
    with pytest.raises(ScoreTableError, match="drop --transpose"):
        ScoreMatrix.from_csv(rows_are_models, transpose=True)


def test_round_trip_wide_and_long(fixture_path):
    table = ScoreMatrix.from_csv(fixture_path("leaderboard.csv"))
    again = ScoreMatrix.from_long(table.to_long())
    pd.testing.assert_frame_equal(again.to_wide(), table.to_wide())
    long = table.to_long()
    assert list(long.columns) == ["model", "task", "score"]
    assert len(long) == table.n_observed == 21
    wide_again = ScoreMatrix(table.to_wide())
    pd.testing.assert_frame_equal(wide_again.to_long(), long)


def test_round_trip_through_files(fixture_path, tmp_path):
    table = ScoreMatrix.from_csv(fixture_path("leaderboard.csv"))
    table.to_long().to_csv(tmp_path / "long.csv", index=False)
    table.to_wide().to_csv(tmp_path / "wide.csv")
    for name in ("long.csv", "wide.csv"):
        pd.testing.assert_frame_equal(ScoreMatrix.from_csv(tmp_path / name).scores, table.scores)


# ---------------------------------------------------------------- errors, one per cause
@pytest.mark.parametrize("text, message", [
    ("model,A,B\nm1,1,2\nm1,3,4\n", "duplicate model names: 'm1'"),
    ("model,A,A\nm1,1,2\n", "duplicate task names: 'A'"),
    ("model,A,B\nm1,1,2\nm2,3,abc\n", "line 3: model 'm2', task 'B': non-numeric score 'abc'"),
    ("model,A,B\nm1,1,x\nm2,3,y\n", "non-numeric score 'x' (and 1 more non-numeric cells)"),
    ("model,A,B\nm1,1,inf\n", "non-finite score 'inf'"),
    ("model,A,B\nm1,1,2,3\n", "line 2: 4 fields but the header has 3"),
    ("model,A,B\n,1,2\n", "line 2: a row with scores but no model name"),
    ("model,A,,C\nm1,1,2,3\n", "column 3 has scores but no task name"),
    ("model\nm1\nm2\n", "only one column"),
    ("", "the file is empty"),
    ("\n \n", "the file is empty"),
])
def test_bad_score_files(write, text, message):
    path = write("bad.csv", text)
    with pytest.raises(ScoreTableError) as err:
        ScoreMatrix.from_csv(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_non_numeric_score_in_a_dataframe_names_model_task_and_value():
    frame = pd.DataFrame({"A": ["1", "two"], "B": [3.0, 4.0]}, index=["m1", "m2"])
    with pytest.raises(ScoreTableError, match="model 'm2', task 'A': non-numeric score 'two'"):
        ScoreMatrix(frame)


def test_not_utf8(write):
    path = write("latin.csv", "model,A\ncaf\xe9,1\n".encode("latin-1"))
    with pytest.raises(ScoreTableError, match=r"not UTF-8 text \(byte 0xe9"):
        ScoreMatrix.from_csv(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScoreTableError, match="no such file"):
        ScoreMatrix.from_csv(tmp_path / "nope.csv")
    with pytest.raises(ScoreTableError, match="is a directory"):
        ScoreMatrix.from_csv(tmp_path)


def test_score_outside_declared_range(write):
    path = write("s.csv", "model,A,B\nm1,45,101.5\nm2,3,4\n")
    with pytest.raises(ScoreTableError, match=r"score 101.5 for model 'm1' on task 'B' is "
                                              r"outside the declared range 0 to 100"):
        ScoreMatrix.from_csv(path, score_range=(0, 100))


def test_short_rows_are_padded_and_reported(write):
    table = ScoreMatrix.from_csv(write("s.csv", "model,A,B\nm1,1\nm2,3,4\n"))
    assert np.isnan(table.scores.loc["m1", "B"])
    assert any("line 2 has 2 of 3 fields" in p for p in table.problems)


def test_empty_models_and_tasks_are_dropped_with_a_warning_that_lists_them(write):
    path = write("s.csv", "model,A,B,C\nm1,1,,\nm2,2,3,\nm3,,,-\n")
    with pytest.warns(ScorecastWarning, match=r"model\(s\) with no score: 'm3'.*task\(s\) "
                                              r"with no score: 'C'"):
        table = ScoreMatrix.from_csv(path)
    assert list(table.models) == ["m1", "m2"] and list(table.tasks) == ["A", "B"]
    assert any("'m3'" in p for p in table.problems)
    with pytest.raises(ScoreTableError, match="model\\(s\\) with no score: 'm3'"):
        ScoreMatrix.from_csv(path, on_empty="error")


def test_unnamed_empty_trailing_columns_are_spreadsheet_artefacts(write):
    table = ScoreMatrix.from_csv(write("s.csv", "model,A,B,,\nm1,1,2,,\nm2,3,4,,\n"))
    assert list(table.tasks) == ["A", "B"]
