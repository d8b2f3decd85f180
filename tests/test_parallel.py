"""Parallel backends: the same seed gives the same results on loky, threading and a Dask
cluster (a LocalCluster of two worker processes on loopback, started here); progress lines."""

import io

import numpy as np
import pandas as pd
import pytest

from scorecast import datasets
from scorecast._parallel import current_backend, use_backend
from scorecast._progress import progress
from scorecast.cli import main as cli
from scorecast.errors import ScorecastError
from scorecast.evaluation.active import run_active
from scorecast.evaluation.protocols import plan_benchmark
from scorecast.evaluation.runner import run_benchmark
from scorecast.importance import factor_importance
from scorecast.synthetic import make_leaderboard

SMALL_NCF = "ncf:n_networks=1:max_epochs=60"


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def plan():
    table = make_leaderboard("generations", n_models=60, random_state=0)[0]
    return plan_benchmark(table, "random", seeds=2, methods=["mf", "soft-impute", SMALL_NCF])


def _without_seconds(results):
    kept = results[results["metric"] != "seconds"]
    return kept.sort_values(["protocol", "method", "seed", "metric"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def loky_results(plan):
    with use_backend("loky"):
        return _without_seconds(run_benchmark(plan, n_jobs=2, progress=False)[0])


@pytest.mark.parametrize("backend", ["threading", "dask"])
def test_a_benchmark_gives_the_same_numbers_on_every_backend(plan, loky_results, cluster,
                                                            backend):
    with use_backend(backend, cluster if backend == "dask" else None):
        assert current_backend() == backend
        results, _ = run_benchmark(plan, n_jobs=2, progress=False)
    assert current_backend() == "loky"
    assert set(results["method"]) == {"random", "mean", "mf", "soft-impute", SMALL_NCF}
    pd.testing.assert_frame_equal(_without_seconds(results), loky_results)


def test_active_protocol_and_importance_seeds_on_dask_match_loky(cluster):
    table = datasets.load("cpp-llm")
    small = {"n_networks": 1, "max_epochs": 60}
    runs = {}
    for backend, scheduler in (("loky", None), ("dask", cluster)):
        with use_backend(backend, scheduler):
            runs[backend] = (
                run_active(table, method="mf", seeds=2, steps=2, n_models=4, n_jobs=2),
                factor_importance(table, seeds=2, params=small, n_jobs=2, random_state=0))
    (active_loky, importance_loky), (active_dask, importance_dask) = runs["loky"], runs["dask"]
    pd.testing.assert_frame_equal(active_dask, active_loky)
    pd.testing.assert_frame_equal(importance_dask.table, importance_loky.table)
    assert np.isfinite(importance_dask.table["importance"]).all()


def test_the_command_runs_on_a_dask_scheduler(cluster, tmp_path, capsys):
    paths = {}
    for name, extra in (("loky", []), ("dask", ["--backend", "dask", "--scheduler", cluster]),
                        ("env", [])):
        paths[name] = tmp_path / f"{name}.csv"
        args = ["benchmark", "--dataset", "cpp-llm", "--protocol", "random", "--seeds", "2",
                "--methods", "mf", "--jobs", "2", "-o", str(paths[name])] + extra
        if name == "env":
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SCORECAST_SCHEDULER", cluster)   # dask implied by a scheduler
                assert cli.main(args) == 0
        else:
            assert cli.main(args) == 0
    capsys.readouterr()
    frames = {name: _without_seconds(pd.read_csv(path)) for name, path in paths.items()}
    pd.testing.assert_frame_equal(frames["dask"], frames["loky"])
    pd.testing.assert_frame_equal(frames["env"], frames["loky"])


def test_bad_backends_are_one_line_errors(monkeypatch, capsys):
    monkeypatch.setenv("SCORECAST_BACKEND", "spark")
    with pytest.raises(ScorecastError, match="SCORECAST_BACKEND 'spark' is not a backend; "
                                             "use one of loky, threading, dask, ray"):
        with use_backend():
            pass
    assert cli.main(["benchmark", "--protocol", "random", "--seeds", "1", "--methods",
                     "mf"]) == 2
    assert "SCORECAST_BACKEND 'spark'" in capsys.readouterr().err
    monkeypatch.delenv("SCORECAST_BACKEND")
    with pytest.raises(ScorecastError, match="needs the dask or ray backend, not loky"):
        with use_backend("loky", "tcp://127.0.0.1:1"):
            pass
    monkeypatch.setitem(__import__("sys").modules, "ray", None)     # not installed
    with pytest.raises(ScorecastError, match=r'the ray backend needs ray: pip install '
                                             r'"scorecast\[ray\]"'):
        with use_backend("ray"):
            pass
    assert cli.main(["benchmark", "--backend", "hadoop"]) == 2
    assert "invalid choice: 'hadoop'" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_a_one_line_error(capsys):
    pytest.importorskip("distributed")
    code = cli.main(["benchmark", "--protocol", "random", "--seeds", "1", "--methods", "mf",
                     "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert len(err.strip().splitlines()) == 1


def test_progress_is_plain_lines_with_the_time_left_off_a_terminal():
    stream = io.StringIO()
    with progress(4, "paper", "fit", every=0, stream=stream) as bar:
        for _ in range(4):
            bar.update()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("scorecast: paper: 0/4 fits (0%), ")
    assert lines[2].startswith("scorecast: paper: 2/4 fits (50%), ")
    assert "s left" in lines[2]
    assert lines[-1].startswith("scorecast: paper: 4/4 fits (100%)")
    assert len(lines) == 5 and "\x1b" not in stream.getvalue() and "\r" not in stream.getvalue()
    quiet = io.StringIO()
    with progress(4, "paper", "fit", enabled=False, stream=quiet) as bar:
        bar.update()
    assert quiet.getvalue() == ""
