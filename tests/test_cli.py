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
