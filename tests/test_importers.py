"""Importing the files evaluation tools write: lm-eval, Open LLM Leaderboard, HELM, OpenCompass.

The fixtures in tests/data/import are written by hand from each format's documentation.
"""

import io
import json
import math
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorecast import ScorecastError, ScorecastWarning, ScoreTableError
from scorecast.cli import main as cli
from scorecast.importers import (FORMATS, import_scores, import_with_report, read_helm,
                                 read_lm_eval, read_open_llm_leaderboard, read_opencompass)
from scorecast.importers._collect import file_time
from scorecast.importers.open_llm_leaderboard import model_id

DATA = Path(__file__).resolve().parent / "data" / "import"
LM_EVAL = DATA / "lm_eval"
MODEL_A_OLD = LM_EVAL / "model_a" / "results_2024-05-01T12-00-00.json"
MODEL_B = LM_EVAL / "renamed" / "model-b-gsm8k.json"
GPT_J = LM_EVAL / "v03" / "gpt-j.json"
API = LM_EVAL / "api" / "results_2024-07-01T00-00-00.json"


def quiet(reader, *args, **kwargs):
    """Run a reader whose warnings are not what the test is about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScorecastWarning)
        return reader(*args, **kwargs)


def warned(reader, *args, **kwargs):
    """Run a reader; return its result and the text of every ScorecastWarning it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScorecastWarning)
        result = reader(*args, **kwargs)
    return result, "\n".join(str(w.message) for w in caught
                             if issubclass(w.category, ScorecastWarning))


def cells(table):
    """The observed scores as {(model, task): score}."""
    return {(m, t): s for m, t, s in table.to_long().itertuples(index=False)}


def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def lm_eval_file(path, model, tasks, **extra):
    """A minimal lm-eval 0.4 results file: tasks is {task: {"metric,filter": value}}."""
    return write_json(path, {"results": tasks, "model_name": model,
                             "config": {"model": "hf", "limit": None}, **extra})


# ---------------------------------------------------------------------------- lm-eval
def test_lm_eval_folder_reads_every_version_with_factors():
    table, report = quiet(import_with_report, "lm-eval", LM_EVAL)
    assert cells(table) == {
        ("gpt-4o-mini", "arc_easy"): 0.88, ("gpt-4o-mini", "boolq"): 0.85,
        ("gpt-4o-mini", "gsm8k"): 0.9,
        ("org/model-a", "gsm8k"): 0.0, ("org/model-a", "arc_challenge"): 0.56,
        ("org/model-a", "hellaswag"): 0.78, ("org/model-a", "truthfulqa_mc2"): 0.41,
        ("org/model-a", "winogrande"): 0.7, ("org/model-a", "mmlu"): 0.35,
        ("org/model-b", "gsm8k"): 0.25,
        ("EleutherAI/gpt-j-6b", "arc_challenge"): 0.39,
        ("EleutherAI/gpt-j-6b", "hellaswag"): 0.66, ("EleutherAI/gpt-j-6b", "truthfulqa_mc"): 0.36,
    }
    factors = table.model_factors
    assert factors.loc["org/model-a", "params_b"] == pytest.approx(7.241732096)
    assert factors.loc["org/model-a", "dtype"] == "bfloat16"
    assert factors.loc["EleutherAI/gpt-j-6b", "revision"] == "main"
    assert np.isnan(factors.loc["gpt-4o-mini", "params_b"])  # an API model: no size
    assert table.model_factor_kinds == {"revision": "categorical", "dtype": "categorical",
                                        "params_b": "numeric", "partial_run": "boolean"}
    assert table.task_factors.loc["arc_challenge", "n_shot"] == 25  # 2 files of 3 say 25
    assert table.task_factors.loc["gsm8k", "output_type"] == "generate_until"
    assert (table.task_info["lower"] == 0).all() and (table.task_info["upper"] == 1).all()
    assert set(table.task_info["range_source"]) == {"declared"}
    assert report.skipped == {"stderr": 30, "other metrics of a task": 10,
                              "subtasks of a group's score (--subtasks keeps them)": 5,
                              "conflicting (the newest file wins)": 1,
                              "repeated (same score in another file)": 1}
    assert report.summary(table) == (
        "imported 4 models x 9 tasks (13 scores) from 5 file(s) (1 other file(s) skipped); "
        "skipped 47 value(s): 30 stderr, 10 other metrics of a task, 5 subtasks of a group's "
        "score (--subtasks keeps them), 1 conflicting (the newest file wins), 1 repeated "
        "(same score in another file)")
    assert table.problems[0] == report.skipped_text()
    assert any("config.json: not lm-eval results" in p for p in table.problems)


def test_old_and_new_keys_pick_the_default_metric():
    old = read_lm_eval(GPT_J)   # 0.3: bare keys, model only in config.model_args
    assert cells(old) == {("EleutherAI/gpt-j-6b", "arc_challenge"): 0.39,
                          ("EleutherAI/gpt-j-6b", "hellaswag"): 0.66,
                          ("EleutherAI/gpt-j-6b", "truthfulqa_mc"): 0.36}
    assert old.task_factors["n_shot"].tolist() == [0, 0, 0]   # config.num_fewshot
    assert old.task_factors.loc["truthfulqa_mc", "metric"] == "mc2"
    new = read_lm_eval(MODEL_A_OLD)
    assert new.scores.loc["org/model-a"].to_dict() == {
        "arc_challenge": 0.55, "hellaswag": 0.78, "gsm8k": 0.0, "truthfulqa_mc2": 0.41,
        "winogrande": 0.7, "mmlu": 0.35}
    assert new.task_factors.loc["gsm8k", "metric"] == "exact_match,strict-match"


def test_stderr_is_never_a_score_and_every_skip_is_counted(tmp_path):
    path = lm_eval_file(tmp_path / "r.json", "m", {
        "only_stderr": {"acc_stderr,none": 0.01, "alias": "only_stderr"},
        "na_stderr": {"acc,none": 0.5, "acc_stderr,none": "N/A"},
        "bad_value": {"acc,none": "N/A", "f1,none": 0.25},
        "weird,key": {"f1,macro,none": 0.4}})
    with pytest.warns(ScorecastWarning, match="'only_stderr' of 'm' has no numeric score"):
        table, report = import_with_report("lm-eval", path)
    assert cells(table) == {("m", "na_stderr"): 0.5, ("m", "bad_value"): 0.25,
                            ("m", "weird,key"): 0.4}
    assert report.skipped == {"stderr": 2, "non-numeric": 1}
    # Keys split on the last comma: the metric is "f1,macro", the filter "none".
    assert table.task_factors.loc["weird,key", "metric"] == "f1,macro"


def test_groups_are_not_double_counted_unless_kept():
    # By default a group with its own score is one task, its subtasks (nested) left out.
    default = read_lm_eval(MODEL_A_OLD)
    assert [t for t in default.tasks if t.startswith("mmlu")] == ["mmlu"]
    # --subtasks: the subjects instead of the group's score.
    subjects = read_lm_eval(MODEL_A_OLD, subtasks=True)
    assert sorted(t for t in subjects.tasks if t.startswith("mmlu")) == [
        "mmlu_abstract_algebra", "mmlu_anatomy", "mmlu_formal_logic"]
    # A group without a score of its own leaves its subtasks in.
    api = quiet(read_lm_eval, API)
    assert {"arc_easy", "boolq"} <= set(api.tasks) and "my_suite" not in api.tasks
    kept = read_lm_eval([MODEL_A_OLD, API], keep_groups=True)
    assert kept.scores.loc["org/model-a", ["mmlu", "mmlu_stem", "mmlu_humanities"]].tolist() \
        == [0.35, 0.35, 0.35]
    assert "mmlu_anatomy" in kept.tasks
    # A group without an aggregate (an entry with no numeric metric) adds nothing.
    assert "my_suite" not in kept.tasks
    assert any("group 'my_suite' has no aggregate score" in p for p in kept.problems)


def test_custom_filter_falls_back_and_says_so():
    table, messages = warned(read_lm_eval, MODEL_B)
    assert "task(s) scored with another metric than the default: " in messages
    assert "'gsm8k' has no exact_match,strict-match (the default); took " \
           "exact_match,get-answer instead" in messages
    assert cells(table) == {("org/model-b", "gsm8k"): 0.25}


def test_metric_choices_override_the_defaults():
    with pytest.warns(ScorecastWarning, match="has no acc_norm .asked for.; it has acc"):
        table = read_lm_eval(MODEL_A_OLD, subtasks=True, metrics={
            "gsm8k": "exact_match,flexible-extract", "arc_challenge": "acc",
            "mmlu_*": "acc_norm"})
    assert table.scores.loc["org/model-a", "gsm8k"] == 0.02
    assert table.scores.loc["org/model-a", "arc_challenge"] == 0.5
    # A choice the file cannot satisfy leaves the task out rather than substituting.
    assert not [t for t in table.tasks if t.startswith("mmlu")]


def test_model_name_from_model_args_keeps_the_revision():
    table = quiet(read_lm_eval, MODEL_B)
    assert list(table.models) == ["org/model-b"]
    assert table.model_factors.loc["org/model-b", "revision"] == "v1.1"
    named = quiet(read_lm_eval, MODEL_B, revision_in_name=True)
    assert list(named.models) == ["org/model-b@v1.1"]


def test_revisions_merged_under_one_id_are_reported(tmp_path):
    for i, revision in enumerate(("step1000", "step2000")):
        write_json(tmp_path / f"results_2024-01-0{i + 1}T00-00-00.json", {
            "results": {"t": {"acc,none": 0.3 + i / 10}},
            "config": {"model_args": f"pretrained=org/pythia,revision={revision}"}})
    table, messages = warned(read_lm_eval, tmp_path)
    assert "model factor 'revision' of 'org/pythia' differs between files" in messages
    assert "--revision-in-name" in messages
    assert cells(table) == {("org/pythia", "t"): 0.4}
    assert table.model_factors.loc["org/pythia", "revision"] == "step2000"
    apart = quiet(read_lm_eval, tmp_path, revision_in_name=True)
    assert cells(apart) == {("org/pythia@step1000", "t"): 0.3,
                            ("org/pythia@step2000", "t"): 0.4}


def test_newest_file_wins_and_is_reported():
    table, messages = warned(read_lm_eval, LM_EVAL / "model_a")
    old, new = (LM_EVAL / "model_a" / f"results_{d}.json"
                for d in ("2024-05-01T12-00-00", "2024-06-01T08-30-00"))
    assert f"1 conflicting score(s): 'org/model-a' on 'arc_challenge': 0.55 in {old}, " \
           f"2024-05-01 12:00 from its date field; 0.56 in {new}, 2024-06-01 08:30 from its " \
           "file name; kept 0.56 (the newest file wins)" in messages
    assert table.scores.loc["org/model-a", "arc_challenge"] == 0.56


def test_run_time_comes_from_date_then_file_name_then_modification_time(tmp_path):
    # The date field beats a later timestamp in the name.
    late_name = lm_eval_file(tmp_path / "a" / "results_2024-09-01T00-00-00.json", "m",
                             {"t": {"acc,none": 0.1}}, date=1704067200)   # 2024-01-01
    early_name = lm_eval_file(tmp_path / "a" / "results_2024-02-01T00-00-00.json", "m",
                              {"t": {"acc,none": 0.2}})
    assert file_time(late_name, 1704067200) == (1704067200.0, "date field")
    assert file_time(early_name) == (1706745600.0, "file name")
    assert quiet(read_lm_eval, tmp_path / "a").scores.loc["m", "t"] == 0.2
    # Without either, the modification time.
    first = lm_eval_file(tmp_path / "b" / "first.json", "m", {"t": {"acc,none": 0.3}})
    second = lm_eval_file(tmp_path / "b" / "second.json", "m", {"t": {"acc,none": 0.4}})
    os.utime(first, (2e9, 2e9))
    os.utime(second, (1e9, 1e9))
    assert file_time(first) == (2e9, "modification time")
    assert quiet(read_lm_eval, [first, second]).scores.loc["m", "t"] == 0.3


def test_partial_runs_are_flagged():
    table, messages = warned(read_lm_eval, [MODEL_A_OLD, MODEL_B])
    assert f"1 partial run(s): {MODEL_B}: partial run of 'org/model-b' (limit=100.0)" in messages
    assert table.model_factors["partial_run"].to_dict() == {"org/model-a": 0.0,
                                                             "org/model-b": 1.0}
    assert table.model_factor_kinds["partial_run"] == "boolean"


def test_open_llm_leaderboard_v1_results_average_mmlu():
    with pytest.warns(ScorecastWarning, match="averaged over 3 of 57 subjects"):
        table, report = import_with_report("lm-eval", DATA / "oll_v1_results")
    assert cells(table) == {
        ("org/model-c", "arc_challenge"): 0.54, ("org/model-c", "hellaswag"): 0.8,
        ("org/model-c", "truthfulqa_mc2"): 0.42, ("org/model-c", "winogrande"): 0.74,
        ("org/model-c", "gsm8k"): 0.13, ("org/model-c", "mmlu"): pytest.approx(0.4)}
    assert table.task_factors["n_shot"].to_dict() == {
        "arc_challenge": 25, "hellaswag": 10, "truthfulqa_mc2": 0, "winogrande": 5,
        "gsm8k": 5, "mmlu": 5}
    assert table.model_factors.loc["org/model-c", "dtype"] == "float16"
    assert report.skipped == {"stderr": 18, "other metrics of a task": 6,
                              "leaderboard averages ('all')": 4}


def test_open_llm_leaderboard_v1_results_with_all_57_subjects(tmp_path):
    subjects = {f"harness|hendrycksTest-subject{i}|5": {"acc": i / 100, "acc_stderr": 0.01}
                for i in range(57)}
    write_json(tmp_path / "results_2023-11-01T00-00-00.json", {
        "config_general": {"model_name": "org/m", "max_samples": 10},
        "results": {**subjects, "harness|gsm8k|5": {"acc": 0.0}}})
    with pytest.warns(ScorecastWarning, match="partial run of 'org/m'") as caught:
        table = read_lm_eval(tmp_path)
    assert not [w for w in caught if "subjects" in str(w.message)]
    assert table.scores.loc["org/m", "mmlu"] == pytest.approx(0.28)   # mean of 0 ... 0.56
    assert table.scores.loc["org/m", "gsm8k"] == 0.0
    assert table.model_factors.loc["org/m", "partial_run"] == 1.0


# ---------------------------------------------------------------------------- Open LLM Leaderboard
def test_open_llm_leaderboard_v2_contents_are_deduplicated():
    with pytest.warns(ScorecastWarning, match=r"'org/alpha' has 2 rows \(precision float32, "
                                              r"bfloat16\); kept row 2 \(bfloat16, 6 scores\)"):
        table, report = import_with_report("open-llm-leaderboard",
                                           DATA / "oll" / "contents_v2.csv")
    assert list(table.tasks) == ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]
    assert table.scores.loc["org/alpha"].tolist() == [0.4, 0.46, 0.06, 0.29, 0.39, 0.31]
    assert table.scores.loc["org/beta", "MATH Lvl 5"] == 0.0   # a real zero
    # Among 4bit and 8bit rows, the one with more scores wins.
    assert table.scores.loc["org/gamma"].tolist() == [0.21, 0.31, 0.02, 0.27, 0.37, 0.16]
    assert np.isnan(table.scores.loc["org/delta", "IFEval"])    # "?" is not a score
    assert report.skipped == {"values in duplicate rows": 11, "non-numeric": 1}
    factors = table.model_factors
    assert factors.loc["org/alpha", "Precision"] == "bfloat16"
    assert factors.loc["org/beta", "Type"] == "chat models (RLHF)"
    assert np.isnan(factors.loc["org/beta", "#Params (B)"])     # 0 means unknown there
    assert factors.loc["org/beta", ["MoE", "Merged"]].tolist() == [1.0, 1.0]
    assert table.model_factor_kinds == {"Precision": "categorical", "Type": "categorical",
                                        "Architecture": "categorical", "#Params (B)": "numeric",
                                        "MoE": "boolean", "Merged": "boolean",
                                        "Base Model": "categorical"}
    assert (table.task_info["upper"] == 1).all()


def test_open_llm_leaderboard_json_records_and_v1_snapshot():
    records = read_open_llm_leaderboard(DATA / "oll" / "contents_v2.json")
    assert records.scores.loc["org/zeta"].tolist()[:2] == [0.8, 0.6]
    assert np.isnan(records.scores.loc["org/zeta", "MATH Lvl 5"])
    assert records.model_factors.loc["org/zeta", "MoE"] == 1.0
    with pytest.warns(ScorecastWarning, match="'meta-llama/Llama-2-7b-hf' has 2 rows"):
        v1 = read_open_llm_leaderboard(DATA / "oll" / "v1_snapshot.csv")
    assert list(v1.tasks) == ["ARC (25-shot)", "HellaSwag (10-shot)", "MMLU (5-shot)",
                              "TruthfulQA (0-shot)", "Winogrande (5-shot)", "GSM8K (5-shot)"]
    assert v1.scores.loc["meta-llama/Llama-2-7b-hf"].tolist() == [53.07, 78.59, 46.87, 38.76,
                                                                 74.03, 14.48]
    assert v1.scores.loc["org/tuned-7b", "GSM8K (5-shot)"] == 0.0
    assert (v1.task_info["upper"] == 100).all()
    assert v1.model_factors.loc["org/tuned-7b", "#Params (B)"] == 7.24


def test_model_cells_may_be_links():
    assert model_id('<a target="_blank" href="https://huggingface.co/org/x">org/x</a>  '
                    '<a href="https://huggingface.co/datasets/o/details_org__x">d</a>') == "org/x"
    assert model_id("<b>org/y</b>") == "org/y"
    assert model_id(" org/z ") == "org/z"
    assert model_id(float("nan")) is None


def test_old_leaderboard_column_names_and_parquet(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("model_name_for_query,ARC (25-shot) ⬆️,TruthfulQA (MC) (0-shot) ⬆️\n"
                    "org/a,50.5,40.1\n", encoding="utf-8")
    table = quiet(read_open_llm_leaderboard, path)
    assert cells(table) == {("org/a", "ARC (25-shot)"): 50.5,
                            ("org/a", "TruthfulQA (0-shot)"): 40.1}
    frame = pd.DataFrame({"fullname": ["org/a"], "BBH Raw": [0.5]})
    parquet = tmp_path / "contents.parquet"
    try:
        frame.to_parquet(parquet)
    except ImportError:
        parquet.write_bytes(b"PAR1")
        with pytest.raises(ScoreTableError, match="needs pyarrow") as caught:
            read_open_llm_leaderboard(parquet)
        assert "\n" not in str(caught.value)
    else:
        assert cells(read_open_llm_leaderboard(parquet)) == {("org/a", "BBH"): 0.5}


# ---------------------------------------------------------------------------- HELM
def test_helm_tables_null_cells_and_lower_is_better():
    table, report = import_with_report("helm", DATA / "helm" / "groups")
    assert cells(table) == {
        ("GPT-2 (1.5B)", "MMLU - EM"): 0.254, ("GPT-2 (1.5B)", "MMLU - ECE (10-bin)"): 0.12,
        ("GPT-2 (1.5B)", "subject: anatomy - EM"): 0.22,
        ("GPT-2 (1.5B)", "subject: astronomy - EM"): 0.2,
        ("Llama 2 (7B)", "MMLU - EM"): 0.458, ("Llama 2 (7B)", "GSM8K - EM"): 0.0,
        ("Llama 2 (7B)", "MMLU - ECE (10-bin)"): 0.08,
        ("Llama 2 (7B)", "subject: anatomy - EM"): 0.44,
        ("Model X", "GSM8K - EM"): 0.131}
    assert not table.task_info.loc["MMLU - ECE (10-bin)", "higher_is_better"]
    assert table.task_info["higher_is_better"].sum() == 4
    assert (table.task_info["upper"] == 1).all()
    assert report.skipped == {"timings and counts": 6, "win rates": 3,
                              "values in rows without a model name": 2, "non-numeric": 1}


def test_helm_run_directories():
    with pytest.warns(ScorecastWarning) as caught:
        table, report = import_with_report("helm", DATA / "helm" / "runs")
    task = "mmlu:subject=anatomy,method=multiple_choice_joint"
    assert cells(table) == {("openai/gpt2", "gsm"): 0.0, ("openai/gpt2", task): 0.2222,
                            ("meta/llama-2-7b", task): 0.4444}
    assert table.task_factors.loc[task].tolist() == ["exact_match,test", 5, "multiple_choice_joint"]
    messages = " ".join(str(w.message) for w in caught)
    assert "broken_run: not a HELM run directory (run_spec.json and stats.json): stats.json " \
           "is missing; skipped" in messages
    assert "'gsm' has no final_number_exact_match (the default); took exact_match" in messages
    assert report.skipped == {"other statistics": 7, "non-numeric": 1}
    chosen = quiet(read_helm, DATA / "helm" / "runs" / "v1" / "mmlu_anatomy_gpt2",
                   metrics={"mmlu*": "exact_match,valid"})
    assert chosen.scores.iloc[0, 0] == 0.5


# ---------------------------------------------------------------------------- OpenCompass
def test_opencompass_summary():
    path = DATA / "opencompass" / "20240501_120000" / "summary" / "summary_20240501_120000.csv"
    table, report = import_with_report("opencompass", path)
    assert list(table.models) == ["llama-2-7b-hf", "qwen-7b-hf"]
    assert list(table.tasks) == ["mmlu", "gsm8k", "humaneval", "race-high", "triviaqa (score)",
                                 "triviaqa (exact_match)"]
    assert table.scores.loc["qwen-7b-hf", "gsm8k"] == 0.0            # 0.00 is a score
    assert np.isnan(table.scores.loc["qwen-7b-hf", "humaneval"])     # "-" is missing
    assert np.isnan(table.scores.loc["llama-2-7b-hf", "race-high"])  # "ERROR" is skipped
    assert table.n_observed == 10
    assert report.skipped == {"non-numeric": 1}
    assert table.task_factors.loc["humaneval"].tolist() == ["humaneval_pass@1", "gen"]
    assert (table.task_info["upper"] == 100).all()


def test_several_paths_merge_and_conflicts_are_reported():
    old = DATA / "opencompass" / "20240501_120000"
    new = DATA / "opencompass" / "20240601_090000"
    with pytest.warns(ScorecastWarning, match=r"'llama-2-7b-hf' on 'gsm8k': 14.6 in .*; 15.2 "
                                              r"in .*; kept 15.2 \(the file read last wins\)"):
        table, report = import_with_report("opencompass", [old, new])
    assert list(table.models) == ["llama-2-7b-hf", "qwen-7b-hf", "internlm-7b-hf"]
    assert table.scores.loc["llama-2-7b-hf", "gsm8k"] == 15.2
    assert table.scores.loc["internlm-7b-hf", "mmlu"] == 51.0
    assert report.skipped["repeated (same score in another file)"] == 1   # mmlu 45.3 twice
    reverse = quiet(read_opencompass, [new, old])
    assert reverse.scores.loc["llama-2-7b-hf", "gsm8k"] == 14.6


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("format, path, message", [
    ("lm-eval", "helm/groups/core_scenarios.json",
     "not lm-eval results (a JSON object with a 'results' object); found a JSON list of 3 "
     "item(s) (dict) (it looks like helm output: use 'scorecast import helm')"),
    ("lm-eval", "malformed/truncated.json", "not valid JSON (Expecting ',' delimiter at line 1"),
    ("lm-eval", "malformed/no_model.json", "lm-eval results without a model name"),
    ("helm", "lm_eval/v03/gpt-j.json", "not a HELM leaderboard table file (a JSON list of "
     "tables with 'title', 'header' and 'rows'); found a JSON object with keys 'results', "
     "'versions', 'config' (it looks like lm-eval output"),
    ("opencompass", "malformed/not_summary.csv", "not an OpenCompass summary (a CSV whose "
     "header starts dataset,version,metric,mode); found the header 'model', 'MMLU', 'GSM8K'"),
    ("open-llm-leaderboard", "malformed/records.json", "not an Open LLM Leaderboard table"),
    ("open-llm-leaderboard", "opencompass/20240601_090000/summary/summary_20240601_090000.csv",
     "it looks like opencompass output"),
    ("opencompass", "no/such/path", "no/such/path: no such file or directory"),
    ("lm-eval", "opencompass", "no .json files in this folder"),
])
def test_wrong_files_give_one_line_errors(format, path, message, capsys):
    assert cli.main(["import", format, str(DATA / path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("scorecast: error: ") and err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


def test_library_errors():
    with pytest.raises(ScoreTableError, match="unknown import format 'csv'"):
        import_scores("csv", LM_EVAL)
    with pytest.raises(ScoreTableError, match="no lm-eval results .* found in .*malformed"):
        quiet(read_lm_eval, DATA / "malformed")
    assert list(FORMATS) == ["lm-eval", "open-llm-leaderboard", "helm", "opencompass"]


# ---------------------------------------------------------------------------- command line
def test_import_then_complete_end_to_end(tmp_path, capsys):
    scores, models = tmp_path / "scores.csv", tmp_path / "models.csv"
    assert cli.main(["import", "lm-eval", str(LM_EVAL), "-o", str(scores),
                     "--model-factors-out", str(models)]) == 0
    err = capsys.readouterr().err
    assert "scorecast: imported 4 models x 9 tasks (13 scores) from 5 file(s)" in err
    assert "skipped 47 value(s): 30 stderr" in err
    wide = pd.read_csv(scores, index_col=0)
    assert wide.index.name == "model" and wide.shape == (4, 9)
    assert wide.loc["org/model-a", "gsm8k"] == 0.0
    factors = pd.read_csv(models, index_col=0)
    assert factors.loc["org/model-b", "partial_run"] == "yes"
    completed = tmp_path / "completed.csv"
    assert cli.main(["complete", str(scores), "--method", "mf", "--model-factors",
                     str(models), "-o", str(completed)]) == 0
    filled = pd.read_csv(completed, index_col=0)
    assert filled.shape == (4, 9) and not filled.isna().any().any()
    assert filled.loc["org/model-a", "arc_challenge"] == pytest.approx(0.56)


def test_long_output_to_stdout_and_factor_files_only_when_asked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["import", "helm", str(DATA / "helm" / "groups" / "core_scenarios.json"),
                     "--long"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[:2] == ["model,task,score", "GPT-2 (1.5B),MMLU - EM,0.254"]
    assert "lower is better on 'MMLU - ECE (10-bin)'" in err
    assert list(tmp_path.iterdir()) == []
    assert cli.main(["import", "opencompass", str(DATA / "opencompass"), "-o", "s.csv",
                     "--task-factors-out", "t.csv"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "t.csv"]
    assert pd.read_csv("t.csv").columns.tolist() == ["task", "metric", "mode"]
    capsys.readouterr()
    assert cli.main(["import", "open-llm-leaderboard", str(DATA / "oll"), "-o", "o.csv"]) == 0
    assert "different score ranges (0 to 1 on 6 task(s), 0 to 100 on 6 task(s))" in \
        capsys.readouterr().err


def test_options_of_other_formats_are_refused(capsys):
    assert cli.main(["import", "helm", str(DATA / "helm" / "groups"), "--keep-groups"]) == 2
    assert "--keep-groups applies to lm-eval, not helm" in capsys.readouterr().err
    assert cli.main(["import", "lm-eval", str(MODEL_A_OLD), "--metric", "gsm8k"]) == 2
    assert "expected TASK=METRIC[,FILTER]" in capsys.readouterr().err


def test_cli_metric_and_keep_groups(capsys):
    assert cli.main(["import", "lm-eval", str(MODEL_A_OLD), "--keep-groups", "--metric",
                     "gsm8k=exact_match,flexible-extract"]) == 0
    wide = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0)
    assert wide.loc["org/model-a", "gsm8k"] == 0.02
    assert wide.loc["org/model-a", "mmlu"] == 0.35
    assert math.isclose(wide.loc["org/model-a", "arc_challenge"], 0.55)


def test_mmlu_professional_subjects_are_mmlu_not_mmlu_pro(tmp_path):
    # MMLU's mmlu_professional_* subjects take acc, MMLU-Pro's subjects exact_match with the
    # custom-extract filter: neither falls back (which would warn on every MMLU run).
    path = lm_eval_file(tmp_path / "r.json", "org/m", {
        "mmlu_professional_law": {"acc,none": 0.41, "acc_stderr,none": 0.01},
        "mmlu_pro_law": {"exact_match,custom-extract": 0.22},
        "mmlu_pro": {"exact_match,custom-extract": 0.30}})
    table, messages = warned(read_lm_eval, path)
    assert "another metric than the default" not in messages
    assert cells(table) == {("org/m", "mmlu_professional_law"): 0.41,
                            ("org/m", "mmlu_pro_law"): 0.22, ("org/m", "mmlu_pro"): 0.30}


# ---------------------------------------------------------------------------- registry
def test_registry_matches_scores_to_the_tables_names_and_scale(tmp_path):
    from scorecast import datasets
    from scorecast.importers.registry import load_registry, match_scores

    cpp = datasets.load("cpp-llm")
    match = match_scores({"arc_challenge": 0.56, "hellaswag": 0.78, "my_bench": 0.3,
                          "truthfulqa_mc2": 0.41}, cpp, shots={"hellaswag": 0})
    assert match.known == {"ARC-c(25-shot)": pytest.approx(56), "HellaSwag(zero-shot)":
                           pytest.approx(78)}
    assert any("fraction to percent" in line for line in match.matched)
    assert any(line.startswith("my_bench: not a benchmark of the registry")
               for line in match.unmatched)
    assert any("'truthfulqa' is not a task of cpp-llm" in line for line in match.unmatched)
    # Shots that differ from the table's are matched and said.
    differ = match_scores({"gsm8k": 0.5}, cpp, shots={"gsm8k": 5})
    assert differ.known == {"GSM8K(4-shot)": pytest.approx(50)}
    assert "shots differ: 5 given, 4 in the table" in differ.matched[0]
    # A user's aliases extend the registry; a file of another shape is one error.
    extra = write_json(tmp_path / "map.json", {"benchmarks": {"my-bench": [
        {"name": "my_bench", "scale": "fraction"}, {"name": "LogiQA", "scale": "percent"}]}})
    assert match_scores({"my_bench": 0.3}, cpp, registry=load_registry(extra)).known == \
        {"LogiQA": pytest.approx(30)}
    bad = write_json(tmp_path / "bad.json", {"benchmarks": {"x": [{"name": "y"}]}})
    with pytest.raises(ScorecastError, match="not a benchmark registry"):
        load_registry(bad)


def test_predict_known_from_harness_results_says_what_matched(capsys):
    code = cli.main(["predict", "--dataset", "cpp-llm", "--new-model", "model-a",
                     "--known-from", str(LM_EVAL / "model_a"), "--method", "mf"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "--known-from: 5 of 6 score(s) of 'org/model-a' matched to cpp-llm" in err
    assert "matched arc_challenge = 0.56 -> ARC-c(25-shot) = 56 (fraction to percent)" in err
    assert "not matched: truthfulqa_mc2: benchmark 'truthfulqa' is not a task" in err
    row = next(line for line in out.splitlines() if "ARC-c(25-shot)" in line)
    assert "56.00 *" in row                      # the matched score is the observed one
    # Several models in the outputs: one line, exit 2.
    assert cli.main(["predict", "--dataset", "cpp-llm", "--new-model", "x", "--known-from",
                     str(LM_EVAL)]) == 2
    assert "give one model's results" in capsys.readouterr().err


def test_predict_known_from_a_csv_of_one_model(tmp_path, capsys):
    mine = tmp_path / "mine.csv"
    mine.write_text("model,task,score\nmine,arc_challenge,0.61\nmine,mmlu,0.52\n")
    assert cli.main(["predict", "--dataset", "cpp-llm", "--new-model", "mine", "--known-from",
                     str(mine), "--method", "mf"]) == 0
    err = capsys.readouterr().err
    assert "matched mmlu = 0.52 -> MMLU(5-shot) = 52 (fraction to percent)" in err
    # A score in two files is one error, never one of them kept in silence.
    again = tmp_path / "again.csv"
    again.write_text("model,task,score\nmine,mmlu,0.55\n")
    assert cli.main(["predict", "--dataset", "cpp-llm", "--new-model", "mine", "--known-from",
                     str(mine), str(again)]) == 2
    assert "'mmlu' of 'mine' is in more than one file" in capsys.readouterr().err
