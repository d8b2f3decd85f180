"""Hostile and malformed input, given as a user would: the regression corpus of issue 13.

Every refused case ends with exit code 2, exactly one line on standard error that names
the problem, no traceback, and no file written or changed (the folder is checksummed
before and after). The ids say which kind of the issue's 57 cases each one covers
(``issue-...``) or which malformed input it is (``file-...``, ``option-...``).
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from scorecast.cli import main as cli

GOOD = ("model,MMLU,GSM8K,ARC-c,HellaSwag\n"
        "alpha-7b,45.3,14.6,47.1,76.2\nalpha-13b,54.8,28.7,52.9,80.4\n"
        "alpha-70b,68.9,56.8,64.6,85.9\nbeta-7b,62.5,40.2,,81.3\n"
        "beta-8x7b,70.6,,66.0,86.7\ngamma-2b,42.3,17.7,48.5,\n")
MODELS = ("model,family,params_b,tokens_b,release\n"
          "alpha-7b,alpha,7,2000,2023-07-18\nalpha-13b,alpha,13,2000,2023-07-18\n"
          "alpha-70b,alpha,70,2000,2023-07-18\nbeta-7b,beta,7.2,,2023-09-27\n"
          "beta-8x7b,beta,46.7,,2023-12-11\n")
LM_EVAL = {"results": {"mmlu": {"acc,none": 0.61}, "gsm8k": {"exact_match,strict-match": 0.4}},
           "model_name": "org/model-a"}

# The files of the corpus: name -> text or bytes.
FILES = {
    "good.csv": GOOD,
    "models.csv": MODELS,
    "huge.csv": GOOD.replace("45.3", "1e308"),
    "inf.csv": GOOD.replace("45.3", "inf"),
    "nan-text.csv": GOOD.replace("45.3", "NaNx"),
    "typo150.csv": GOOD.replace("45.3", "150"),
    "typo-neg.csv": GOOD.replace("14.6", "-5"),
    "text.csv": GOOD.replace("45.3", "abc"),
    "header-only.csv": "model,MMLU,GSM8K\n",
    "all-missing.csv": "model,MMLU,GSM8K\na,,\nb,-,NA\n",
    "empty.csv": "",
    "blank.csv": "\n \n\n",
    "one-column.csv": "model\na\nb\n",
    "json-object.csv": json.dumps(LM_EVAL),
    "json-records.csv": json.dumps([{"model": "a", "task": "t", "score": 1}]),
    "broken-json.csv": '{"model": ',
    "garbage.csv": bytes(range(256)) * 8,
    "nul.csv": GOOD.encode().replace(b"45.3", b"45\x003"),
    "utf16-no-bom.csv": GOOD.encode("utf-16-le"),
    "latin1.csv": GOOD.replace("alpha-7b", "alphä-7b").encode("latin-1"),
    "workbook.xlsx": b"PK\x03\x04" + bytes(64),
    "long-no-score.csv": "model,task,value\na,t,1\nb,t,2\n",
    "long-twice.csv": "model,task,score\na,t,1\na,t,2\n",
    "duplicate-model.csv": GOOD + "alpha-7b,1,2,3,4\n",
    "duplicate-task.csv": GOOD.replace("HellaSwag", "MMLU"),
    "duplicate-after-strip.csv": GOOD + " alpha-7b ,1,2,3,4\n",
    "ragged.csv": GOOD + "delta,1,2,3,4,5,6\n",
    "no-name.csv": GOOD + ",1,2,3,4\n",
    "unclosed-quote.csv": 'model,MMLU\n"a,50\nb,60\n',
    "tasks-as-rows.csv": "task,m1,m2\nMMLU,50,60\nGSM8K,20,30\n",
    "eq-names.csv": "model,a=b,c\nm1,50,1\nm2,60,2\nm3,70,3\n",
    "comma-names.csv": 'model,"MMLU, 5-shot",GSM8K\nm1,50,20\nm2,60,30\nm3,70,\n',
    "models-7B.csv": MODELS.replace(",7,2000", ",7B,2000"),
    "models-mismatch.csv": MODELS.replace("beta-7b", "beta-7B"),
    "models-duplicate.csv": MODELS + "alpha-7b,alpha,7,2000,2023-07-18\n",
    "models-mixed.csv": "model,size\nalpha-7b,7\nalpha-13b,large\nalpha-70b,70\n",
    "models-no-name.csv": MODELS + ",alpha,7,2000,2023-07-18\n",
    "results.json": json.dumps(LM_EVAL),
    "truncated.json": '{"results": {"mmlu": {"acc,none": 0.5',
    "deep.json": "[" * 50_000 + "]" * 50_000,
    "deep-results.json": '{"results": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}",
    "not-results.json": json.dumps({"scores": [1, 2]}),
    "utf16-no-bom.json": json.dumps(LM_EVAL).encode("utf-16-le"),
    "helm-wrong.json": json.dumps({"title": "x"}),
    "opencompass-wrong.csv": "dataset,metric\nmmlu,acc\n",
    "leaderboard-wrong.json": json.dumps([1, 2, 3]),
}


def _checksums(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """A folder holding every file of the corpus (and an empty folder), made current."""
    for name, text in FILES.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (tmp_path / name).write_bytes(data)
    (tmp_path / "folder").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(corpus, capsys, argv):
    """Run the command line in-process; check the refusal; return the error line."""
    before = _checksums(corpus)
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    assert _checksums(corpus) == before, "a file was written or changed"
    return lines[0]


MEAN = ["--method", "mean"]

CASES = {
    # ---- issue 13, "wrong numbers get through"
    "issue-1e308-show": (["show", "huge.csv"], "score 1e+308 for model 'alpha-7b'"),
    "issue-1e308-complete": (["complete", "huge.csv", "-o", "out.csv"], "implausibly large"),
    "issue-1e308-benchmark": (["benchmark", "--data", "huge.csv", "--protocol", "random",
                               "--methods", "mean", "--seeds", "1"], "implausibly large"),
    "issue-typo-150": (["complete", "typo150.csv", "--method", "mf"],
                       "score 150 for model 'alpha-7b' on task 'MMLU' lies outside 0-100"),
    "issue-typo-minus-5": (["show", "typo-neg.csv"], "score -5 for model 'alpha-7b' on task "
                                                     "'GSM8K' lies outside 0-100"),
    "issue-known-nan": (["predict", "good.csv", "--new-model", "x", "--known", "MMLU=nan", *MEAN],
                        "--known MMLU=nan: the score is missing"),
    "issue-known-repeated": (["predict", "good.csv", "--new-model", "x", "--known", "MMLU=50",
                              "--known", "MMLU=60", *MEAN], "--known gives 'MMLU' twice"),
    "issue-known-repeated-in-one": (["suggest", "good.csv", "--new-model", "x", "--known",
                                     "MMLU=50,MMLU=60", *MEAN], "--known gives 'MMLU' twice"),
    "issue-factor-name-ignored-method": (
        ["predict", "good.csv", "--model-factors", "models.csv", "--new-model", "x",
         "--factor", "bogus=3", *MEAN], "--factor: no model factor named 'bogus'"),
    "issue-factor-value-ignored-method": (
        ["predict", "good.csv", "--model-factors", "models.csv", "--new-model", "x",
         "--factor", "params_b=big", *MEAN], "model factor 'params_b' must be numeric"),
    "issue-factor-without-factors": (["predict", "good.csv", "--new-model", "x", "--factor",
                                      "params_b=3", *MEAN], "the table has no model factors"),
    "issue-factor-suggest": (["suggest", "good.csv", "--model-factors", "models.csv",
                              "--new-model", "x", "--known", "MMLU=50", "--factor", "nope=1",
                              *MEAN], "no model factor named 'nope'"),
    "issue-dataset-with-model-factors": (["predict", "--dataset", "cpp-llm", "--model-factors",
                                          "models.csv", "--new-model", "x", *MEAN],
                                         "--model-factors applies to a score file"),
    "issue-dataset-with-score-range": (["complete", "--dataset", "cpp-llm", "--score-range",
                                        "0:100", *MEAN], "--score-range applies to a score file"),
    "issue-dataset-with-lower-is-better": (["benchmark", "--dataset", "cpp-llm",
                                            "--lower-is-better", "x"], "--lower-is-better "
                                                                       "applies to a score file"),
    # ---- issue 13, "data loss"
    "issue-complete-onto-input": (["complete", "good.csv", "-o", "good.csv", *MEAN],
                                  "-o good.csv is an input of this command"),
    "issue-complete-onto-factors": (["complete", "good.csv", "--model-factors", "models.csv",
                                     "-o", "./models.csv", *MEAN], "is an input"),
    "issue-import-onto-input": (["import", "lm-eval", "results.json", "-o", "results.json"],
                                "-o results.json is an input"),
    "issue-import-factors-onto-input": (["import", "lm-eval", "results.json",
                                         "--model-factors-out", "results.json"], "is an input"),
    "issue-import-into-input-folder": (["import", "lm-eval", ".", "-o", "good.csv"],
                                       "is a file inside the input folder"),
    "issue-benchmark-onto-input": (["benchmark", "--data", "good.csv", "--protocol", "random",
                                    "--methods", "mean", "--seeds", "1", "-o", "good.csv"],
                                   "-o good.csv is an input"),
    "issue-predict-onto-input": (["predict", "good.csv", "--model", "alpha-7b", "-o",
                                  "good.csv", *MEAN], "is an input"),
    "issue-suggest-onto-input": (["suggest", "good.csv", "--model", "alpha-7b", "-o",
                                  "good.csv", *MEAN], "is an input"),
    "issue-save-predictor-onto-input": (["complete", "good.csv", "--save-predictor", "good.csv",
                                         *MEAN], "--save-predictor good.csv is an input"),
    "issue-importance-onto-input": (["importance", "--data", "good.csv", "-o", "good.csv"],
                                    "is an input"),
    "issue-two-outputs-one-file": (["complete", "good.csv", "-o", "o.csv", "--save-predictor",
                                    "o.csv", *MEAN], "both name o.csv"),
    # ---- issue 13, "internal errors instead of a user error"
    "issue-param-rank-negative": (["complete", "good.csv", "--method", "mf", "--param",
                                   "rank=-1"], "parameter 'rank' of method 'mf' must be a "
                                               "whole number from 1"),
    "issue-param-rank-text": (["complete", "good.csv", "--method", "mf", "--param", "rank=abc"],
                              "got 'abc'"),
    "issue-param-rank-fraction": (["complete", "good.csv", "--method", "mf", "--param",
                                   "rank=2.5"], "must be a whole number"),
    "issue-param-rank-1e9": (["complete", "good.csv", "--method", "mf", "--param", "rank=1e9"],
                             "got 1e+09"),
    "issue-param-rank-huge-int": (["complete", "good.csv", "--method", "mf", "--param",
                                   "rank=1000000000"], "must be at most 10"),
    "issue-param-target-bogus": (["complete", "good.csv", "--method", "mf", "--param",
                                  "target=bogus"], "must be one of 'raw', 'task'"),
    "issue-param-unknown": (["complete", "good.csv", "--method", "mf", "--param", "ranks=2"],
                            "has no parameter 'ranks' (did you mean 'rank'?)"),
    "issue-param-repeated": (["complete", "good.csv", "--method", "mf", "--param", "rank=2",
                              "--param", "rank=3"], "--param gives 'rank' twice"),
    "issue-param-nan": (["complete", "good.csv", "--method", "mf", "--param", "reg=nan"],
                        "parameter 'reg' of method 'mf' must be a number of at least 0"),
    "issue-param-in-methods": (["benchmark", "--data", "good.csv", "--methods",
                                "mf:rank=0"], "parameter 'rank' of method 'mf'"),
    "issue-param-importance": (["importance", "--data", "good.csv", "--param", "dropout=1"],
                               "parameter 'dropout' of method 'ncf-factors'"),
    "issue-seed-negative-complete": (["complete", "good.csv", "--seed", "-1"],
                                     "argument --seed: expected 0 or more, got -1"),
    "issue-seed-negative-predict": (["predict", "good.csv", "--model", "alpha-7b", "--seed",
                                     "-1"], "argument --seed: expected 0 or more"),
    "issue-save-predictor-no-folder": (["complete", "good.csv", "-o", "out.csv",
                                        "--save-predictor", "nodir/p.zip", *MEAN],
                                       "--save-predictor nodir/p.zip: the folder 'nodir' does "
                                       "not exist"),
    "issue-output-no-folder": (["complete", "good.csv", "-o", "nodir/x.csv"],
                               "the folder 'nodir' does not exist"),
    "issue-output-is-folder": (["complete", "good.csv", "-o", "folder"],
                               "-o folder: is a folder"),
    "issue-import-deep-json": (["import", "lm-eval", "deep.json"],
                               "JSON nested more than 100 levels deep"),
    "issue-import-deep-results": (["import", "lm-eval", "deep-results.json"],
                                  "nested more than 100 levels"),
    "issue-show-header-only": (["show", "header-only.csv"], "a header but no rows below it"),
    "issue-show-all-missing": (["show", "all-missing.csv"], "no score at all"),
    "issue-show-json": (["show", "json-object.csv"], "a JSON document, not a CSV table (it looks "
                                                     "like lm-eval output"),
    "issue-show-json-records": (["show", "json-records.csv"], "a JSON document, not a CSV"),
    "issue-utf16-without-bom": (["show", "utf16-no-bom.csv"], "UTF-16 (little-endian) text "
                                                              "without a byte-order mark"),
    "issue-long-without-score": (["complete", "long-no-score.csv"],
                                 "columns model and task but no column named score"),
    "issue-known-name-with-equals": (["predict", "eq-names.csv", "--new-model", "x", "--known",
                                      "a=b=3", *MEAN], "written in double quotes"),
    "issue-known-name-with-comma": (["predict", "comma-names.csv", "--new-model", "x",
                                     "--known", "GSM8K=25,MMLU, 5-shot=55", *MEAN],
                                    "a name holding '=' or ',' is written in double quotes"),
    # ---- malformed score files
    "file-inf": (["show", "inf.csv"], "non-finite score 'inf'"),
    "file-non-numeric": (["complete", "text.csv"], "non-numeric score 'abc'"),
    "file-nan-text": (["show", "nan-text.csv"], "non-numeric score 'NaNx'"),
    "file-empty": (["show", "empty.csv"], "the file is empty"),
    "file-blank": (["complete", "blank.csv"], "the file is empty"),
    "file-one-column": (["show", "one-column.csv"], "only one column"),
    "file-broken-json": (["show", "broken-json.csv"], "starts like JSON"),
    "file-garbage": (["show", "garbage.csv"], "a binary file, not text"),
    "file-nul-byte": (["complete", "nul.csv"], "a NUL byte at offset"),
    "file-latin1": (["show", "latin1.csv"], "not UTF-8 text (byte 0xe4"),
    "file-workbook": (["show", "workbook.xlsx"], "a zip archive"),
    "file-duplicate-model": (["show", "duplicate-model.csv"], "duplicate model names"),
    "file-duplicate-task": (["show", "duplicate-task.csv"], "duplicate task names"),
    "file-duplicate-after-strip": (["show", "duplicate-after-strip.csv"],
                                   "duplicate model names: 'alpha-7b'"),
    "file-long-two-scores": (["show", "long-twice.csv"], "has two scores"),
    "file-ragged": (["show", "ragged.csv"], "7 fields but the header has 5"),
    "file-row-without-name": (["show", "no-name.csv"], "a row with scores but no model name"),
    "file-unclosed-quote": (["show", "unclosed-quote.csv"],
                            "line 2: a quote opened on this line is never closed"),
    "file-tasks-as-rows": (["show", "tasks-as-rows.csv"], "pass --transpose"),
    "file-directory": (["show", "folder"], "is a directory"),
    "file-missing": (["complete", "nosuch.csv"], "nosuch.csv: no such file"),
    "file-factors-mismatched-names": (["show", "good.csv", "--model-factors",
                                       "models-mismatch.csv"], "'beta-7B' -> 'beta-7b'?"),
    "file-factors-duplicate": (["show", "good.csv", "--model-factors", "models-duplicate.csv"],
                               "duplicate model names"),
    "file-factors-no-name": (["show", "good.csv", "--model-factors", "models-no-name.csv"],
                             "a row of factors with no model name"),
    "file-factors-mixed-imposed": (["show", "good.csv", "--model-factors", "models-mixed.csv",
                                    "--factor-kind", "size=numeric"],
                                   "its value 'large' for model 'alpha-13b' is not a numeric"),
    "file-factors-missing": (["show", "good.csv", "--model-factors", "nosuch.csv"],
                             "no such file"),
    # ---- importers given the wrong file
    "import-truncated-json": (["import", "lm-eval", "truncated.json"], "not valid JSON"),
    "import-csv-as-lm-eval": (["import", "lm-eval", "good.csv"], "not valid JSON"),
    "import-garbage": (["import", "lm-eval", "garbage.csv"], "a binary file"),
    "import-utf16-json": (["import", "lm-eval", "utf16-no-bom.json"], "UTF-16"),
    "import-other-json": (["import", "lm-eval", "not-results.json"],
                          "found a JSON object with keys 'scores'"),
    "import-helm-wrong": (["import", "helm", "helm-wrong.json"], "not a HELM leaderboard table"),
    "import-helm-csv": (["import", "helm", "good.csv"], "not valid JSON"),
    "import-opencompass-wrong": (["import", "opencompass", "opencompass-wrong.csv"],
                                 "not an OpenCompass summary"),
    "import-opencompass-json": (["import", "opencompass", "results.json"],
                                "a JSON document, not a CSV table"),
    "import-leaderboard-wrong": (["import", "open-llm-leaderboard", "leaderboard-wrong.json"],
                                 "not an Open LLM Leaderboard table"),
    "import-empty-folder": (["import", "lm-eval", "folder"], "no .json files in this folder"),
    "import-missing": (["import", "helm", "nosuch.json"], "no such file"),
    # ---- options
    "option-interval-out-of-range": (["complete", "good.csv", "--long", "--interval", "1"],
                                     "expected a number between 0 and 1"),
    "option-fraction-out-of-range": (["benchmark", "--data", "good.csv", "--fraction", "1.5"],
                                     "expected a number between 0 and 1"),
    "option-budget-zero": (["suggest", "good.csv", "--model", "alpha-7b", "--budget", "0"],
                           "expected a number above 0"),
    "option-known-text": (["predict", "good.csv", "--new-model", "x", "--known", "MMLU=high"],
                          "the score must be a finite number"),
    "option-known-outside-range": (["predict", "good.csv", "--new-model", "x", "--known",
                                    "MMLU=150"], "outside the score range of task 'MMLU'"),
    "option-known-unknown-task": (["predict", "good.csv", "--new-model", "x", "--known",
                                   "MMLUU=50"], "(did you mean 'MMLU'?)"),
    "option-known-unquoted": (["predict", "good.csv", "--new-model", "x", "--known", '"MMLU=5'],
                              "a quote is not closed"),
    "option-cost-negative": (["suggest", "good.csv", "--model", "alpha-7b", "--cost",
                              "ARC-c=-1"], "a cost must be above 0"),
    "option-cost-unknown": (["suggest", "good.csv", "--model", "alpha-7b", "--cost", "Nope=1"],
                            "--cost: no task named 'Nope'"),
    "option-method-unknown": (["complete", "good.csv", "--method", "mff"],
                              "unknown method 'mff' (did you mean 'mf'?)"),
    "option-new-model-exists": (["predict", "good.csv", "--new-model", "alpha-7b"],
                                "'alpha-7b' is already a model"),
    "option-model-missing": (["suggest", "good.csv", "--model", "nope"], "no model named 'nope'"),
    "option-plot-format": (["importance", "--data", "good.csv", "--plot", "imp.txt"],
                           "--plot imp.txt: give a file name ending in one of"),
    "option-score-range-unknown-task": (["show", "good.csv", "--score-range", "Nope=0:1"],
                                        "a score range names unknown tasks"),
    "option-methods-empty": (["benchmark", "--data", "good.csv", "--methods", ","],
                             "names no method"),
}


@pytest.mark.parametrize("argv, expected", list(CASES.values()), ids=list(CASES))
def test_refused_with_one_line_and_nothing_written(corpus, capsys, argv, expected):
    line = refused(corpus, capsys, argv)
    assert line.startswith("scorecast")
    assert expected in line


def test_an_unreadable_file_is_refused_with_one_line(corpus, capsys, monkeypatch):
    # Root reads any file whatever its mode, so the refusal of the system is simulated.
    real_open = open

    def deny(path, *args, **kwargs):
        if str(path).endswith("good.csv"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    line = refused(corpus, capsys, ["show", "good.csv"])
    assert line == "scorecast: error: good.csv: cannot be read (Permission denied)"


# ---------------------------------------------------------------------------- rules that accept
def test_a_lone_bad_factor_value_is_missing_and_reported(corpus, capsys):
    assert cli.main(["show", "good.csv", "--model-factors", "models-7B.csv", "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    kinds = {row["factor"]: row["kind"] for row in summary["model_factors"]}
    assert kinds["params_b"] == "numeric"
    params = next(r for r in summary["model_factors"] if r["factor"] == "params_b")
    assert params["known"] == 4
    problem = next(p for p in summary["problems"] if "'7B'" in p)
    assert "for model 'alpha-7b'" in problem and "read as missing" in problem
    assert captured.err.count("\n") == 1 and "'7B' for model 'alpha-7b'" in captured.err


@pytest.mark.parametrize("old, new, kind", [
    ("2023-09-27", "2023-13-45", "date"), ("2023-09-27", "2023-02-30", "date"),
    (",13,2000", ",inf,2000", "numeric"), (",13,2000", ",1e308,2000", "numeric")])
def test_a_factor_column_does_not_turn_categorical_for_one_value(write, old, new, kind):
    from scorecast import ScoreMatrix, ScorecastWarning

    scores, models = write("s.csv", GOOD), write("m.csv", MODELS.replace(old, new))
    with pytest.warns(ScorecastWarning, match="read as missing"):
        table = ScoreMatrix.from_csv(scores, model_factors=models)
    column = "release" if kind == "date" else "params_b"
    assert table.model_factor_kinds[column] == kind
    assert table.model_factors[column].isna().sum() == 2      # gamma-2b has no row
    assert np.isfinite(table.model_factors[column].dropna()).all()


def test_factors_of_a_method_that_ignores_them_are_checked_and_said(corpus, capsys):
    code = cli.main(["predict", "good.csv", "--model-factors", "models.csv", "--new-model", "x",
                     "--known", "MMLU=50", "--factor", "params_b=3", *MEAN])
    err = capsys.readouterr().err
    assert code == 0
    assert err == "scorecast: warning: --factor 'params_b': checked, but not used by method " \
                  "'mean'\n"


def test_a_cost_of_a_task_already_known_is_said(corpus, capsys):
    code = cli.main(["suggest", "good.csv", "--model", "beta-7b", "--cost", "MMLU=10,ARC-c=2",
                     *MEAN])
    captured = capsys.readouterr()
    assert code == 0
    assert "--cost 'MMLU': not used, model 'beta-7b' already has a score on it" in captured.err
    assert "ARC-c" in captured.out


@pytest.mark.parametrize("name", ["a, b", 'say "hi"', "line\nbreak", "🦙-7b", "x=y"])
def test_unusual_names_go_through_and_come_back(corpus, capsys, name):
    import csv
    import io

    quoted = '"' + name.replace('"', '""') + '"'
    (corpus / "names.csv").write_text(f"model,{quoted},B\n{quoted},50,1\nm2,60,2\nm3,70,3\n",
                                      encoding="utf-8")
    assert cli.main(["complete", "names.csv", *MEAN]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][1] == name and rows[1][0] == name
    assert cli.main(["predict", "names.csv", "--new-model", "x", "--known", f"{quoted}=55",
                     *MEAN]) == 0
    assert "55.00 *" in capsys.readouterr().out


def test_one_row_table_is_read(corpus, capsys):
    (corpus / "one.csv").write_text("model,A,B\nm1,50,0.5\n")
    assert cli.main(["show", "one.csv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["observed"] == 2


def test_an_outlier_of_an_unbounded_task_is_kept_and_reported(write):
    from scorecast import ScoreMatrix, ScorecastWarning

    path = write("elo.csv", "model,Elo\n" + "".join(f"m{i},{1200 + 10 * i}\n" for i in range(8))
                 + "typo,12500\n")
    with pytest.warns(ScorecastWarning, match="spreads from the task's median"):
        table = ScoreMatrix.from_csv(path)
    assert any("score 12500 for model 'typo' on task 'Elo'" in p for p in table.problems)
    assert table.scores.loc["typo", "Elo"] == 12500


def test_a_declared_range_lets_an_odd_score_through(write):
    from scorecast import ScoreMatrix

    path = write("s.csv", GOOD.replace("45.3", "150"))
    table = ScoreMatrix.from_csv(path, score_range={"MMLU": (-np.inf, np.inf)})
    assert table.scores.loc["alpha-7b", "MMLU"] == 150


# ---------------------------------------------------------------------------- outputs
def test_force_replaces_an_input_with_the_complete_output(corpus, capsys):
    path = corpus / "good.csv"
    path.chmod(0o640)
    assert cli.main(["complete", "good.csv", "-o", "good.csv", "--force", *MEAN]) == 0
    assert "wrote good.csv" in capsys.readouterr().err
    assert path.read_text().splitlines()[0] == "model,MMLU,GSM8K,ARC-c,HellaSwag"
    assert "nan" not in path.read_text().lower() and ",," not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in corpus.iterdir() if p.name.startswith(".")) == []


def test_a_failed_output_leaves_no_other_output(corpus, capsys, monkeypatch):
    """The CSV and the saved predictor are put in place together, or neither is."""
    from scorecast.predictors import _base

    def fail(self, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_base.ScorePredictor, "save", fail)
    line = refused(corpus, capsys, ["complete", "good.csv", "-o", "out.csv",
                                    "--save-predictor", "p.zip", *MEAN])
    assert line == "scorecast: error: cannot write p.zip: No space left on device"
    assert not (corpus / "out.csv").exists()


def test_an_interrupted_write_leaves_the_old_file(tmp_path):
    from scorecast._io import Staged, replacing

    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        with replacing(target) as temp:
            with open(temp, "w") as handle:
                handle.write("half of the ne")
            raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with Staged() as staged:
        for name in ("a.csv", "b.csv"):
            with open(staged.path(tmp_path / name), "w") as handle:
                handle.write(name)
        assert not (tmp_path / "a.csv").exists()   # nothing appears before the end
    assert (tmp_path / "b.csv").read_text() == "b.csv"


def test_predictor_save_is_atomic_and_refuses_a_missing_folder(tmp_path):
    from scorecast import OutputError, ScoreMatrix, make_predictor

    import pandas as pd

    table = ScoreMatrix(pd.DataFrame({"A": [1.0, 2.0], "B": [3.0, None]}, index=["m", "n"]))
    predictor = make_predictor("mean").fit(table)
    with pytest.raises(OutputError, match="cannot write"):
        predictor.save(tmp_path / "nodir" / "p.zip")
    predictor.save(tmp_path / "p.zip")
    assert [p.name for p in tmp_path.iterdir()] == ["p.zip"]


# ---------------------------------------------------------------------------- warnings
def test_only_scorecast_warnings_reach_the_user_one_line_each(corpus, capsys, monkeypatch):
    import warnings

    from scorecast import ScorecastWarning
    from scorecast.cli import data_commands

    summarize = data_commands.summarize

    def noisy(table):
        warnings.warn("overflow encountered in square", RuntimeWarning)
        warnings.warn("first line\nsecond line", ScorecastWarning)
        return summarize(table)

    monkeypatch.setattr(data_commands, "summarize", noisy)
    assert cli.main(["show", "good.csv"]) == 0
    assert capsys.readouterr().err == "scorecast: warning: first line second line\n"


# ---------------------------------------------------------------------------- library
@pytest.mark.parametrize("method, params, match", [
    ("mf", {"rank": -1}, "parameter 'rank' of method 'mf' must be a whole number"),
    ("mf", {"rank": 2.5}, "must be a whole number"),
    ("mf", {"target": "bogus"}, "must be one of 'raw'"),
    ("mf", {"slope_reg": 0}, "parameter 'slope_reg' of method 'mf' must be a number above 0"),
    ("mf", {"factor_slopes": "yes"}, "must be true or false"),
    ("soft-impute", {"shrinkage": 2}, "must be a number from 0 to 1"),
    ("ncf", {"dropout": 1}, r"must be a number from 0 to 1 \(1 excluded\)"),
    ("knn-imputer", {"weights": "nearest"}, "one of 'uniform', 'distance'"),
    ("iterative-imputer", {"estimator": "ridge"}, "one of 'auto', 'bayesian-ridge'"),
    ("factors-ridge", {"estimator": "auto"}, "one of 'ridge', 'gbm'"),
    ("scaling-law", {"slope_bounds": (2, 1)}, "two numbers LOW:HIGH with LOW <= HIGH"),
    ("auto", {"random_state": -1}, "None or a whole number of at least 0"),
    ("auto", {"candidates": [("x", "mf", {"rank": 0})]}, "parameter 'rank' of method 'mf'"),
])
def test_the_library_raises_parameter_errors(method, params, match):
    from scorecast import ParameterError, make_predictor

    with pytest.raises(ParameterError, match=match) as made:
        make_predictor(method, **params)
    # A bad candidate of auto's pool is named by its own parameter.
    assert isinstance(made.value, ValueError) and made.value.parameter in (*params, "rank")


def test_fit_checks_what_a_python_user_set_directly():
    import pandas as pd

    from scorecast import ParameterError, ScoreMatrix
    from scorecast.predictors import MatrixFactorization

    table = ScoreMatrix(pd.DataFrame(np.arange(12.0).reshape(4, 3) / 20,
                                     index=list("abcd"), columns=list("xyz")))
    with pytest.raises(ParameterError, match="must be at most 10") as err:
        MatrixFactorization(rank=10**9).fit(table)
    assert err.value.parameter == "rank"
    with pytest.raises(ParameterError, match="'n_iter'"):
        MatrixFactorization(n_iter=0).fit(table)
    assert MatrixFactorization(rank=10).fit(table).complete().notna().all().all()


def test_every_method_s_defaults_pass_and_a_new_parameter_is_typed_by_its_default():
    from scorecast.predictors import METHODS
    from scorecast.predictors._params import check_params

    for name, cls in METHODS.items():
        defaults = cls().get_params()
        assert check_params(name, defaults, defaults) == defaults
    defaults = {"width": 4, "scale": 0.5, "flag": False, "mode": "a", "span": (0.0, 1.0)}
    for params, match in (({"width": 2.5}, "'width' of method 'new' must be a finite whole"),
                          ({"width": True}, "whole number"), ({"scale": "x"}, "finite number"),
                          ({"flag": 1}, "true or false"), ({"mode": 3}, "a name"),
                          ({"span": (2, 1)}, "LOW <= HIGH")):
        with pytest.raises(ValueError, match=match):
            check_params("new", params, defaults)
    assert check_params("new", {"span": "0.2:0.8"}, defaults) == {"span": (0.2, 0.8)}


def _saved(tmp_path):
    import pandas as pd

    from scorecast import ScoreMatrix, make_predictor

    table = ScoreMatrix(pd.DataFrame({"A": [1.0, 2.0, 3.0], "B": [3.0, None, 5.0]},
                                     index=["m", "n", "o"]))
    path = tmp_path / "p.scorecast"
    make_predictor("mf", rank=1).fit(table).save(path)
    return path


def _rewrite(path, member, data):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = data
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def _meta(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("meta.json"))


@pytest.mark.parametrize("damage", [
    "folder", "text", "no-meta", "meta-list", "meta-no-object", "object-string",
    "object-unknown-class", "state-wrong-shape", "deep-json", "bad-npz", "pickled-tensors",
    "newer-version"])
def test_load_predictor_raises_only_scorecast_errors(tmp_path, damage):
    from scorecast import ScorecastError, load_predictor

    path = _saved(tmp_path)
    meta = _meta(path)
    if damage == "folder":
        path = tmp_path
    elif damage == "text":
        path.write_text("model,A\nm,1\n")
    elif damage == "no-meta":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("arrays.npz", b"")
    elif damage == "meta-list":
        _rewrite(path, "meta.json", json.dumps([1, 2]))
    elif damage == "meta-no-object":
        _rewrite(path, "meta.json", json.dumps({"format": "scorecast-predictor",
                                                "format_version": 1}))
    elif damage == "object-string":
        _rewrite(path, "meta.json", json.dumps({**meta, "object": "just text"}))
    elif damage == "object-unknown-class":
        _rewrite(path, "meta.json", json.dumps({**meta, "object": {"__object__": "os.system",
                                                                   "state": {}}}))
    elif damage == "state-wrong-shape":
        state = meta["object"]["state"]["__dict__"]
        meta["object"]["state"]["__dict__"] = [[k, {"__tuple__": [1]}] for k, _ in state]
        _rewrite(path, "meta.json", json.dumps(meta))
    elif damage == "deep-json":
        _rewrite(path, "meta.json", "[" * 100_000 + "]" * 100_000)
    elif damage == "bad-npz":
        _rewrite(path, "arrays.npz", b"PK\x03\x04 not an npz")
    elif damage == "pickled-tensors":
        import pickle

        _rewrite(path, "tensors.pt", pickle.dumps({"w": object()}, protocol=2))
    elif damage == "newer-version":
        _rewrite(path, "meta.json", json.dumps({**meta, "format_version": 99}))
    with pytest.raises(ScorecastError) as err:
        load_predictor(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


# ---------------------------------------------------------------------------- Ctrl-C
def _big_table(folder):
    from scorecast.synthetic import make_leaderboard

    table, _ = make_leaderboard("generations", random_state=0)
    wide = table.to_wide()
    wide.index.name = "model"
    wide.to_csv(folder / "big.csv")


def _start(folder, *args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "scorecast", *args], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, seconds=120):
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "the run never got there"
        time.sleep(0.02)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_during_start_up_is_one_line_and_exit_130(tmp_path):
    _big_table(tmp_path)
    run = _start(tmp_path, "complete", "big.csv", "-o", "out.csv")
    # numpy loads while the command's modules are imported, inside main's error handling.
    _wait_for(lambda: "numpy" in open(f"/proc/{run.pid}/maps").read())
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert (run.returncode, err, out) == (130, "scorecast: interrupted\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]


def test_ctrl_c_during_a_run_leaves_no_output_at_all(tmp_path):
    _big_table(tmp_path)
    run = _start(tmp_path, "complete", "big.csv", "--long", "--interval", "0.9", "-o",
                 "out.csv", "--save-predictor", "p.zip")
    report = run.stderr.readline()            # printed once fitted; calibration follows
    assert report.startswith("scorecast: auto blended")
    # The calibration's first progress line says it started: interrupt it there, so what
    # stderr holds afterwards does not depend on how fast the machine is.
    assert run.stderr.readline().startswith("scorecast: calibrating intervals: 0 ")
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert (run.returncode, err, out) == (130, "scorecast: interrupted\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]
