"""The llm-stats dataset: the cleaned table against the reference tidy tables, credit,
and download and checksum behaviour for its many files.

The reference (``frontier-dev/scores_long.csv`` and ``models.csv``, built by the data
folder's own ``prepare.py``) and the raw files are read from the data directory; the
tests are skipped when that folder is absent. No test touches the network.
"""

import shutil

import numpy as np
import pandas as pd
import pytest

from scorecast import DatasetError, datasets
from scorecast.cli import main as cli

SOURCE = datasets.data_dir() / "frontier-dev"
RAW = SOURCE / "raw"
needs_source = pytest.mark.skipif(
    not all((SOURCE / f).is_file() for f in ("scores_long.csv", "models.csv", "raw/LICENSE.md")),
    reason=f"the frontier-dev folder is not in the data directory ({SOURCE})")


def _decimal_years(dates):
    dates = pd.to_datetime(dates)
    return dates.dt.year + (dates.dt.day_of_year - 1) / np.where(dates.dt.is_leap_year, 366, 365)


@needs_source
def test_llm_stats_equals_the_reference_tidy_tables():
    table = datasets.load("llm-stats")
    reference = pd.read_csv(SOURCE / "scores_long.csv")
    models = pd.read_csv(SOURCE / "models.csv", index_col="model")
    assert table.shape == (153, 96) and table.n_observed == 1665
    assert list(table.models) == sorted(reference["model"].unique()) == sorted(models.index)
    assert list(table.tasks) == sorted(reference["task"].unique())
    observed = table.scores.stack().dropna()
    expected = reference.set_index(["model", "task"])["score"]
    assert observed.sort_index().equals(expected.sort_index().rename_axis(observed.index.names))

    factors = table.model_factors.loc[models.index]
    assert table.model_factor_kinds == {"release_date": "date", "organisation": "categorical",
                                        "params_b": "numeric", "open_weights": "boolean",
                                        "reasoning": "categorical"}
    assert (factors["release_date"] == _decimal_years(models["release_date"])).all()
    for column in ("organisation", "reasoning"):
        assert (factors[column] == models[column]).all(), column
    assert (factors["open_weights"] == models["open_weights"]).all()
    np.testing.assert_array_equal(factors["params_b"], models["params_b"])
    assert factors["params_b"].isna().sum() == 55
    assert (table.task_info[["lower", "upper"]] == [0, 1]).all(axis=None)
    assert table.task_info["higher_is_better"].all()


@needs_source
def test_llm_stats_problems_count_what_each_rule_dropped():
    problems = datasets.load("llm-stats").problems
    assert [p[:2] for p in problems] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    dropped = {p[:2]: int(p.split()[1]) for p in problems if "records dropped" in p}
    assert dropped == {"C1": 2, "C3": 6, "C4": 9, "C5": 85, "C6": 457}
    assert sum(dropped.values()) + 1665 == 2224   # every source record is kept or counted
    assert "238 tasks and 8 models left out" in problems[-1]
    assert "hle -> humanity's-last-exam" in problems[1]


def test_every_dataset_states_credit_and_license():
    records = {d.name: d for d in datasets.list_datasets()}
    assert all(d.credit and d.license for d in records.values())
    stats = records["llm-stats"]
    assert stats.credit == ("LLM Stats (llm-stats.com), "
                            "github.com/JonathanChavezTamales/llm-leaderboard")
    assert stats.license.startswith("CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/")
    assert "C1" in stats.changes and "C6" in stats.changes
    assert stats.folder == "frontier-dev/raw" and "LICENSE.md" in stats.files
    assert "Zhang et al." in records["cpp-llm"].credit
    assert "see the repository" in records["cpp-llm"].license


@needs_source
def test_datasets_show_and_list_give_credit_license_and_changes(capsys):
    assert cli.main(["datasets", "show", "llm-stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("llm-stats: 153 models x 96 tasks, 1665 of 14688 cells observed")
    assert "C6: 457 records dropped" in out
    assert "credit: LLM Stats (llm-stats.com)" in out
    assert "license: CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)" in out
    assert "changes: scorecast changed the data" in out
    assert cli.main(["show", "--dataset", "llm-stats"]) == 0
    assert "credit: LLM Stats (llm-stats.com)" in capsys.readouterr().out
    assert cli.main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    assert out.count("credit: ") == len(datasets.list_datasets())
    assert "license: CC-BY-4.0" in out


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """The llm-stats files copied to a local download address; an empty data directory."""
    folder = tmp_path / "mirror"
    for name in datasets.describe("llm-stats").files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(RAW / name, folder / name)
    monkeypatch.setenv("SCORECAST_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("SCORECAST_DATA_URL", folder.as_uri())
    return folder


@needs_source
def test_fetch_from_a_file_mirror_into_the_frontier_dev_layout(mirror, tmp_path, capsys):
    assert not datasets.is_cached("llm-stats")
    assert cli.main(["datasets", "fetch", "llm-stats"]) == 0
    cache = tmp_path / "cache" / "frontier-dev" / "raw"
    assert capsys.readouterr().out == f"llm-stats: 351 files in {cache} (sha256 checked)\n"
    assert (cache / "data" / "organizations" / "openai" / "organization.json").is_file()
    assert datasets.is_cached("llm-stats")
    shutil.rmtree(mirror)                        # offline from now on: the cache serves
    assert datasets.load("llm-stats").n_observed == 1665


@needs_source
def test_a_changed_llm_stats_file_is_refused_naming_it(mirror):
    name = "data/organizations/openai/organization.json"
    with open(mirror / name, "a") as handle:
        handle.write(" ")
    with pytest.raises(DatasetError) as err:
        datasets.fetch("llm-stats")
    message = str(err.value)
    assert message.startswith(f"{name} from {mirror.as_uri()}/{name} does not match its "
                              f"published sha256")
    assert "\n" not in message
    assert not datasets.is_cached("llm-stats")


@needs_source
def test_a_changed_cached_llm_stats_file_is_named_when_no_source_serves_it(mirror, tmp_path):
    datasets.fetch("llm-stats")
    name = "data/organizations/google/models/gemini-2.5-pro/benchmarks.json"
    cached = tmp_path / "cache" / "frontier-dev" / "raw" / name
    cached.write_text("[]")
    shutil.rmtree(mirror)
    with pytest.raises(DatasetError) as err:
        datasets.load("llm-stats")
    message = str(err.value)
    assert message.startswith(f"{name} is not the published file (sha256 differs) and could "
                              f"not be downloaded")
    assert f"place the file at {cached}" in message and "\n" not in message
