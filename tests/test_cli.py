"""The command line as a user runs it: output, one-line errors, exit codes."""

import json
import subprocess
import sys

import pytest

from scorecast.cli import main as cli


def main(argv):
    """Run the command line in this process with text arguments, as a shell passes them."""
    return cli.main([str(a) for a in argv])


def run(*args):
    """Run ``scorecast ARGS`` in a separate process, as a user would."""
    return subprocess.run([sys.executable, "-m", "scorecast", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_datasets_show_prints_the_cpp_llm_summary(capsys):
    assert main(["datasets", "show", "cpp-llm"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cpp-llm: 72 models x 29 tasks, 878 of 2088 cells observed (42.0% dense)")
    assert "Parameter Size(M)" in out and "few-shot" in out
    assert "problems: none" in out


def test_datasets_list_and_fetch(capsys):
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("cpp-llm", "helm-core", "helm-classic"):
        assert name in out
    assert main(["datasets", "fetch", "helm-core"]) == 0
    assert "helm_core.csv" in capsys.readouterr().out


def test_show_a_file_with_factors(fixture_path, capsys):
    code = main(["show", fixture_path("leaderboard.csv"),
                 "--model-factors", fixture_path("leaderboard_models.csv"),
                 "--task-factors", fixture_path("leaderboard_tasks.csv"), "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["models"], summary["tasks"], summary["observed"]) == (6, 4, 21)
    assert [r["factor"] for r in summary["model_factors"]] == [
        "family", "params_b", "tokens_b", "release"]
    assert summary["task_details"][0]["range_source"] == "inferred"


def test_show_transposed_file_with_declared_range(write, capsys):
    path = write("t.csv", "Metric,m1,m2\nA,0.5,0.7\nB,0.1,-\n")
    assert main(["show", path, "--transpose", "--score-range", "0:1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["models"], summary["tasks"], summary["observed"]) == (2, 2, 3)


def test_score_ranges_per_task_on_the_command_line(write, capsys):
    path = write("s.csv", "model,MMLU,GSM8K,Elo,frac\nm1,45,16,1210,0.2\nm2,62,45,1350,0.4\n")
    assert main(["show", path, "--score-range", "Elo=0:3000", "--score-range", "0:100",
                 "--json"]) == 0
    details = {d["task"]: d for d in json.loads(capsys.readouterr().out)["task_details"]}
    assert [(details[t]["lower"], details[t]["upper"]) for t in details] == [
        (0, 100), (0, 100), (0, 3000), (0, 100)]
    assert {d["range_source"] for d in details.values()} == {"declared"}
    assert main(["show", path]) == 0
    out = capsys.readouterr().out
    assert "ranges: 'MMLU', 'GSM8K' 0 to 100 (inferred: all scores in [0, 100]); 'Elo' " \
           "unbounded (scores outside 0-100); 'frac' 0 to 1 (inferred: all scores in [0, 1])" \
           in out


def test_score_metadata_in_a_task_factor_file(write, capsys):
    scores = write("s.csv", "model,acc,ppl\nm1,0.5,12\nm2,0.7,9.5\n")
    tasks = write("t.csv", "task,lower,upper,higher_is_better,shots\nacc,0,100,,5\n"
                           "ppl,0,inf,no,0\n")
    assert main(["show", scores, "--task-factors", tasks, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [f["factor"] for f in summary["task_factors"]] == ["shots"]
    ppl = summary["task_details"][1]
    assert (ppl["lower"], ppl["upper"], ppl["higher_is_better"]) == (0, "inf", False)
    assert ppl["range_reason"] == f"declared in {tasks}"
    assert main(["show", scores, "--task-factors", tasks, "--lower-is-better", "acc",
                 "--json"]) == 0
    details = json.loads(capsys.readouterr().out)["task_details"]
    assert [d["higher_is_better"] for d in details] == [False, False]


@pytest.mark.parametrize("extra, message", [
    (["--score-range", "mmlu=0:100"],
     "a score range names unknown tasks: 'mmlu' (close: 'mmlu' -> 'MMLU'?)"),
    (["--score-range", "=0:100"], "expected TASK=LOWER:UPPER"),
    (["--score-range", "MMLU=100:0"], "lower bound must be below upper bound"),
    (["--task-factors", "t.csv", "--lower-is-better", "MMLU"],
     "t.csv: task 'MMLU' has higher_is_better 'yes', but it is also given as lower-is-better"),
])
def test_bad_score_ranges_and_directions_are_one_line(write, capsys, extra, message):
    scores = write("s.csv", "model,MMLU,GSM8K\nm1,45,16\n")
    tasks = write("t.csv", "task,higher_is_better\nMMLU,yes\n")
    extra = [str(tasks) if e == "t.csv" else e for e in extra]
    assert main(["show", scores, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


@pytest.mark.parametrize("text, message", [
    ("model,A,B\nm1,1,2\nm2,3,abc\n", "line 3: model 'm2', task 'B': non-numeric score 'abc'"),
    ("", "the file is empty"),
    ("Metric,m1,m2\nA,1,2\n", "pass --transpose"),
])
def test_malformed_file_one_line_exit_2_no_traceback(write, text, message):
    result = run("show", write("bad.csv", text))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("scorecast: error: ") and message in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("argv, message", [
    (["show", "missing.csv"], "missing.csv: no such file"),
    (["datasets", "show", "nope"], "unknown dataset 'nope'"),
    (["show", "x.csv", "--score-range", "100:0"], "lower bound must be below upper bound"),
    (["show", "x.csv", "--factor-kind", "size"], "expected FACTOR=KIND"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_usage_and_input_errors_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_dropped_rows_are_warned_and_listed(write, capsys):
    path = write("s.csv", "model,A,B\nm1,1,2\nm2,,\n")
    assert main(["show", path]) == 0
    captured = capsys.readouterr()
    assert "scorecast: warning:" in captured.err and "'m2'" in captured.err
    assert "problems (1):" in captured.out


@pytest.mark.parametrize("argv", [[], ["datasets"], ["datasets", "list"], ["datasets", "fetch"],
                                  ["datasets", "show"], ["show"]])
def test_every_command_has_help(argv):
    result = run(*argv, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: scorecast")
    assert len(result.stdout.splitlines()) > 3
