"""The published datasets: their content, and download, checksum and cache behaviour.

No test touches the network: downloads are served from a local folder through
``SCORECAST_DATA_URL=file://...``, which goes through the same download code.
"""

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from scorecast import DatasetError, datasets


def test_cpp_llm_shape_and_factors():
    table = datasets.load("cpp-llm")
    assert table.shape == (72, 29)
    assert table.n_observed == 878
    assert table.model_factors.shape == (72, 13)
    assert table.task_factors.shape == (29, 4)
    # The factor file names the Luminous models without their size; they are matched.
    for name in ("Luminous Base-13B", "Luminous Extended-30B", "Luminous Supreme-70B"):
        assert table.model_factors.loc[name, "family"] == "Luminous"
    assert table.model_factors.loc["Luminous Supreme-70B", "Parameter Size(M)"] == 70000
    assert table.model_factor_kinds["Finetuning"] == "boolean"
    assert set(table.model_factors["Finetuning"].dropna()) == {0.0, 1.0}
    assert table.model_factors.loc["LLama-2-7B", "FLOPs"] is not None
    assert table.model_factor_kinds["FLOPs"] == "numeric"
    assert table.task_factor_kinds == {"ability": "categorical", "family": "categorical",
                                       "output": "categorical", "few-shot": "numeric"}
    assert table.task_factors.loc["MMLU(5-shot)", "few-shot"] == 5
    assert (table.task_info["upper"] == 100).all()
    assert not [p for p in table.problems if "no row" in p]


def test_helm_core_is_the_16_core_scenarios():
    table = datasets.load("helm-core")
    assert table.shape == (85, 16)
    assert table.tasks[0] == "MMLU - EM" and table.tasks[-1] == "RAFT - EM"
    assert table.n_observed == 966
    assert table.task_info["higher_is_better"].all()
    assert any("without a core score" in p for p in table.problems)


def test_helm_classic_marks_lower_is_better_metrics():
    table = datasets.load("helm-classic")
    assert table.shape == (88, 56)
    worse = table.task_info.index[~table.task_info["higher_is_better"]].tolist()
    assert worse == ["The Pile - BPB", "TwitterAAE - BPB", "ICE - BPB"]
    assert table.task_info.loc["The Pile - BPB", "upper"] == np.inf


def test_unknown_dataset():
    with pytest.raises(DatasetError, match="unknown dataset 'cpp'; the datasets are 'cpp-llm'"):
        datasets.load("cpp")


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local copy of the published files served as the download address; empty cache."""
    source = datasets.fetch("cpp-llm") | datasets.fetch("helm-core")
    folder = tmp_path / "mirror"
    folder.mkdir()
    for name, path in source.items():
        shutil.copyfile(path, folder / name)
    monkeypatch.setenv("SCORECAST_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("SCORECAST_DATA_URL", folder.as_uri())
    return folder


def test_first_use_downloads_checks_and_caches(mirror, tmp_path):
    assert not datasets.is_cached("cpp-llm")
    paths = datasets.fetch("cpp-llm")
    cached = tmp_path / "cache" / "cpp-llm" / "crowdsource_performance.csv"
    assert paths["crowdsource_performance.csv"] == cached
    assert datasets.is_cached("cpp-llm")
    shutil.rmtree(mirror)                        # offline from now on: the cache serves
    assert datasets.load("cpp-llm").n_observed == 878


def test_offline_with_nothing_cached_says_which_file_to_place_where(mirror, tmp_path):
    shutil.rmtree(mirror)
    with pytest.raises(DatasetError) as err:
        datasets.load("helm-core")
    message = str(err.value)
    target = tmp_path / "cache" / "cpp-llm" / "helm_core.csv"
    assert "helm_core.csv is not in the data directory and could not be downloaded" in message
    assert f"place the file at {target}" in message
    assert "\n" not in message


def test_a_changed_source_file_is_refused(mirror):
    with open(mirror / "helm_core.csv", "a") as handle:
        handle.write("tampered,1\n")
    with pytest.raises(DatasetError, match="does not match its published sha256"):
        datasets.fetch("helm-core")
    assert not datasets.is_cached("helm-core")


def test_a_corrupted_cached_file_is_downloaded_again(mirror, tmp_path):
    datasets.fetch("helm-core")
    cached = tmp_path / "cache" / "cpp-llm" / "helm_core.csv"
    cached.write_text("garbage")
    datasets.fetch("helm-core")
    digest = hashlib.sha256(cached.read_bytes()).hexdigest()
    assert digest == datasets.SHA256["helm_core.csv"]


def test_data_dir_defaults_to_a_user_cache(monkeypatch):
    monkeypatch.delenv("SCORECAST_DATA", raising=False)
    path = datasets.data_dir()
    assert "scorecast" in str(path) and path.is_absolute()
    monkeypatch.setenv("SCORECAST_DATA", "~/somewhere")
    assert datasets.data_dir() == Path(os.path.expanduser("~/somewhere"))


def test_open_llm_v2_is_the_leaderboards_six_harness_tasks_one_row_per_model():
    table = datasets.load("open-llm-v2")
    assert table.shape == (2858, 6) and table.density == 1.0
    assert list(table.tasks) == ["leaderboard_ifeval", "leaderboard_bbh",
                                 "leaderboard_math_hard", "leaderboard_gpqa",
                                 "leaderboard_musr", "leaderboard_mmlu_pro"]
    scores = table.scores.to_numpy()
    assert 0 <= scores.min() and scores.max() <= 1 and (table.task_info["upper"] == 1).all()
    assert table.models.is_unique
    # O1: the flagged row is out; O2: of a model's two rows, the higher average is kept.
    assert "newsbang/Homer-v0.5-Qwen2.5-7B" not in table.models
    assert any("flagged" in p for p in table.problems)
    assert any(p.startswith("70 second row(s)") for p in table.problems)
    assert table.scores.loc["meta-llama/Meta-Llama-3-8B-Instruct", "leaderboard_ifeval"] \
        == pytest.approx(0.741, abs=5e-4)
    # O3: no parameter count of -1 or 0 survives.
    assert (table.model_factors["params_b"].dropna() > 0).all()
    assert table.model_factor_kinds["submitted"] == "date"
    assert set(table.model_factors["type"].dropna()) <= {
        "pretrained", "continuously pretrained", "fine-tuned", "chat", "merge", "multimodal"}
    record = datasets.describe("open-llm-v2")
    assert record.folder == "open-llm-v2-dev/raw" and "O2" in record.changes
