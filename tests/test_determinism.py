"""The default method's results depend on the table and the seed alone: not on the machine's
load, the number of workers or the backend. Each run writes the same bytes."""

import multiprocessing
import re
import shutil
import time
from pathlib import Path

import pytest

from scorecast.cli import main as cli

DATA = Path(__file__).parent / "data"


def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.fixture()
def scores(tmp_path):
    for name in ("leaderboard.csv", "leaderboard_models.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _complete(folder, name, *extra):
    out = folder / f"{name}.csv"
    code = cli.main(["complete", str(folder / "leaderboard.csv"), "--model-factors",
                     str(folder / "leaderboard_models.csv"), "--interval", "0.9", "--long",
                     "--seed", "4", "-o", str(out), *extra])
    assert code == 0
    return out.read_bytes()


def test_complete_writes_the_same_bytes_beside_a_busy_process(scores, capsys):
    quiet = _complete(scores, "quiet")
    # One CPU-bound process per core for the whole second run.
    busy = [multiprocessing.Process(target=_spin, args=(60,)) for _ in range(2)]
    for process in busy:
        process.start()
    try:
        loaded = _complete(scores, "loaded")
    finally:
        for process in busy:
            process.terminate()
            process.join()
    assert loaded == quiet
    assert b"nan" not in quiet.lower()


@pytest.mark.parametrize("extra", [("--jobs", "1"), ("--jobs", "2"),
                                   ("--jobs", "2", "--backend", "threading")])
def test_complete_writes_the_same_bytes_with_any_jobs_and_backend(scores, capsys, extra):
    assert _complete(scores, "-".join(extra)) == _complete(scores, "default")


def test_complete_on_a_dask_cluster_writes_what_one_process_writes(scores, capsys):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        on_cluster = _complete(scores, "dask", "--backend", "dask", "--scheduler",
                               cluster.scheduler_address)
    assert on_cluster == _complete(scores, "here", "--jobs", "1")


def test_the_report_line_of_auto_holds_no_time(scores, capsys):
    cli.main(["predict", str(scores / "leaderboard.csv"), "--model", "beta-7b"])
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "auto blended" in line)
    assert not re.search(r"\d s\b|\ds\b|second", line), line
