"""`scorecast complete`, `predict` and `methods` as a user runs them."""

import io

import pandas as pd
import pytest

from scorecast.cli import main as cli


def main(argv):
    return cli.main([str(a) for a in argv])


def test_complete_writes_the_filled_table_in_input_order(fixture_path, tmp_path, capsys):
    out = tmp_path / "done.csv"
    assert main(["complete", fixture_path("leaderboard.csv"), "--method", "mf", "-o", out]) == 0
    given = pd.read_csv(fixture_path("leaderboard.csv"), index_col=0)
    done = pd.read_csv(out, index_col=0)
    assert list(done.index) == list(given.index) and list(done.columns) == list(given.columns)
    assert not done.isna().any().any()
    pd.testing.assert_frame_equal(done.where(given.notna()), given, check_dtype=False)
    assert "3 predicted cells" in capsys.readouterr().err


def test_complete_long_output_marks_observed_cells(fixture_path, capsys):
    assert main(["complete", fixture_path("leaderboard.csv"), "--method", "additive",
                 "--long"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "model,task,score,observed"
    assert len(lines) == 1 + 6 * 4
    assert sum(line.endswith(",True") for line in lines[1:]) == 21


def test_complete_with_the_default_method_and_factors(fixture_path, tmp_path, capsys):
    out = tmp_path / "done.csv"
    code = main(["complete", fixture_path("leaderboard.csv"),
                 "--model-factors", fixture_path("leaderboard_models.csv"),
                 "--task-factors", fixture_path("leaderboard_tasks.csv"), "-o", out])
    assert code == 0
    assert not pd.read_csv(out, index_col=0).isna().any().any()
    assert "scorecast: auto blended" in capsys.readouterr().err


def test_models_without_scores_are_predicted_from_their_factors(write, capsys):
    scores = write("s.csv", "model,A,B,C\nm1,50,60,70\nm2,40,45,52\nm3,30,,41\nm4,,,\n")
    factors = write("f.csv", "model,params\nm1,70\nm2,13\nm3,7\nm4,30\n")
    assert main(["complete", scores, "--model-factors", factors, "--method", "mf",
                 "--param", "factor_prior=true", "--param", "rank=1"]) == 0
    captured = capsys.readouterr()
    assert "predicted from their factors alone: 'm4'" in captured.err
    row = [line for line in captured.out.splitlines() if line.startswith("m4,")][0]
    assert all(float(v) > 0 for v in row.split(",")[1:])


@pytest.mark.parametrize("method", [None, "mf"])
def test_a_task_without_scores_or_factors_is_completed_with_a_fallback(write, tmp_path,
                                                                       capsys, method):
    scores = write("s.csv", "model,A,B,C\nm1,50,,70\nm2,40,,52\nm3,30,,41\n")
    out = tmp_path / "done.csv"
    extra = ["--method", method] if method else []
    assert main(["complete", scores, *extra, "-o", out]) == 0
    err = capsys.readouterr().err.splitlines()
    naming = [line for line in err if "'B'" in line]
    assert len(naming) == 1
    assert naming[0].startswith("scorecast: warning: 1 task(s) with no score that method "
                                f"'{method or 'auto'}' cannot predict from factors: 'B'; "
                                "their cells are a fallback")
    done = pd.read_csv(out, index_col=0)
    assert done.shape == (3, 3) and not done.isna().any().any()
    assert done["B"].between(0, 100).all()
    assert done["A"].tolist() == [50, 40, 30]


def test_a_model_without_scores_or_factors_gets_the_task_means(write, capsys):
    scores = write("s.csv", "model,A,B\nm1,50,60\nm2,40,45\nm3,30,\nm4,,\n")
    assert main(["complete", scores, "--method", "mean", "--long"]) == 0
    captured = capsys.readouterr()
    assert "1 model(s) with no score that method 'mean' cannot predict from factors: 'm4'; " \
           "their cells are a fallback" in captured.err
    done = pd.read_csv(io.StringIO(captured.out))
    assert list(done.columns) == ["model", "task", "score", "observed"]
    m4 = done[done["model"] == "m4"]
    assert m4["score"].tolist() == pytest.approx([40.0, 52.5])
    assert not m4["observed"].any() and not done["score"].isna().any()


def test_predict_marks_the_cells_of_an_unscored_task_as_fallbacks(write, capsys):
    scores = write("s.csv", "model,A,B,C\nm1,50,,70\nm2,40,,52\nm3,30,,41\n")
    assert main(["predict", scores, "--task", "B", "--method", "mf"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert len(lines) == 3
    assert all("fallback: task 'B' has no score and no factors method 'mf' can use" in line
               for line in lines)


def test_suggest_with_an_unscored_task_warns_only_about_that_task(write, capsys):
    scores = write("s.csv", "model,A,B,C,D\nm1,50,,70,33\nm2,40,,52,31\nm3,30,,41,20\n"
                            "m4,60,,80,45\nm5,55,,66,\n")
    assert main(["suggest", scores, "--model", "m5", "--method", "mf"]) == 0
    captured = capsys.readouterr()
    said = [line for line in captured.err.splitlines() if line.startswith("scorecast: warning:")]
    assert len(said) == 1 and "task(s) with no score" in said[0] and "'B'" in said[0]
    assert {line.split()[1] for line in captured.out.splitlines()[3:]} == {"B", "D"}


def test_predict_a_known_model_marks_observed_scores(capsys):
    assert main(["predict", "--dataset", "cpp-llm", "--model", "Llama 3 8B",
                 "--method", "mf"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "model 'Llama 3 8B', predicted by mf (* = observed score)"
    assert len(out) == 1 + 29
    assert sum(line.rstrip().endswith("*") for line in out[1:]) == 10
    assert any("MMLU(5-shot)" in line and "66.60 *" in line for line in out)


def test_predict_a_new_model_from_known_scores_and_factors(tmp_path, capsys):
    out = tmp_path / "new.csv"
    code = main(["predict", "--dataset", "cpp-llm", "--new-model", "My 8B",
                 "--known", "MMLU(5-shot)=63.2,GSM8K(4-shot)=45",
                 "--factor", "Parameter Size(M)=8000", "--method", "mf",
                 "--param", "factor_prior=true", "-o", out])
    assert code == 0
    result = pd.read_csv(out, index_col=0)
    assert result.loc["MMLU(5-shot)", "score"] == 63.2
    assert result["observed"].sum() == 2 and not result["fallback"].any()
    assert "new model 'My 8B'" in capsys.readouterr().out


def test_predict_a_new_task_from_a_few_models(capsys):
    assert main(["predict", "--dataset", "cpp-llm", "--new-task", "MyBench",
                 "--known", "LLama-2-7B=30,LLama-2-70B=60,GPT-4=85", "--method", "mf"]) == 0
    out = capsys.readouterr().out
    assert "new task 'MyBench'" in out and "GPT-4" in out


def test_methods_lists_every_method(capsys):
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    for name in ("mean", "additive", "mf", "auto"):
        assert any(line.startswith(name + " ") for line in out.splitlines())


@pytest.mark.parametrize("files, extra, message", [
    ({"s.csv": "model,A,B\nm1,1,2\nm2,2,3\n", "f.csv": "model,p\nm1,1\nm9,2\n"},
     ["--model-factors", "f.csv"], "model name(s) not in the scores: 'm9'"),
    ({"s.csv": "model,A,B\nm1,1,2\nm2,2,3\n", "f.csv": "model,p\nm1,1\nm2,seven\n"},
     ["--model-factors", "f.csv", "--factor-kind", "p=numeric"],
     "model factor 'p' must be numeric, but its value 'seven' for model 'm2'"),
    ({"s.csv": "model,A,B\nm1,1,2\n"}, ["--method", "magic"], "unknown method 'magic'"),
    ({"s.csv": "model,A,B\nm1,1,2\n"}, ["--method", "mf", "--param", "depth=3"],
     "method 'mf' has no parameter 'depth'"),
])
def test_bad_input_to_complete_is_one_line_exit_2(write, tmp_path, capsys, files, extra,
                                                   message):
    for name, text in files.items():
        write(name, text)
    extra = [str(tmp_path / e) if e.endswith(".csv") else e for e in extra]
    assert main(["complete", tmp_path / "s.csv", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("scorecast: error:") and message in err[0]


def test_predict_names_a_task_given_as_a_model(capsys):
    assert main(["predict", "--dataset", "cpp-llm", "--model", "MMLU(5-shot)",
                 "--method", "mean"]) == 2
    assert "is a task; is the table transposed?" in capsys.readouterr().err


def test_o_writes_json_records_when_the_name_ends_in_json(fixture_path, tmp_path, capsys):
    import json

    scores = fixture_path("leaderboard.csv")
    as_csv, as_json = tmp_path / "p.csv", tmp_path / "p.json"
    for out in (as_csv, as_json):
        assert main(["predict", scores, "--model", "beta-7b", "--method", "mf",
                     "--interval", "0.9", "-o", out]) == 0
    records = json.loads(as_json.read_text(encoding="utf-8"))
    expected = pd.read_csv(as_csv)
    assert [r["task"] for r in records] == list(expected["task"])
    assert pd.Series([r["score"] for r in records]).round(4).tolist() == \
        expected["score"].round(4).tolist()
    assert {"observed", "fallback", "lower", "upper"} <= set(records[0])
    wide = tmp_path / "c.json"
    assert main(["complete", scores, "--method", "mf", "-o", wide]) == 0
    rows = json.loads(wide.read_text(encoding="utf-8"))
    assert rows[0]["model"] == "alpha-7b" and rows[0]["MMLU"] == 45.3


def test_a_fraction_given_for_a_percent_task_is_refused_with_the_fix(capsys):
    code = main(["predict", "--dataset", "cpp-llm", "--new-model", "my-8b", "--known",
                 "ARC-c(25-shot)=0.59,GSM8K(4-shot)=50", "--method", "mf"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "known score 0.59 for task 'ARC-c(25-shot)' looks like a fraction" in err
    assert "give 59 if that is what 0.59 means" in err
    # The same score on the percent scale goes through; a low score on a task where low
    # scores are observed (MATH) is not taken for a fraction.
    assert main(["predict", "--dataset", "cpp-llm", "--new-model", "my-8b", "--known",
                 "ARC-c(25-shot)=59,MATH(4-shot)=0.8", "--method", "mf"]) == 0
