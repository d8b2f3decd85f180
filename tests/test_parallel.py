"""Parallel backends: the same seed gives the same results on loky, threading and a Dask
cluster (a LocalCluster of two worker processes on loopback, started here); progress lines."""

import io
import os

import numpy as np
import pandas as pd
import pytest
from joblib import delayed

from scorecast import _parallel, datasets, make_predictor
from scorecast._parallel import current_backend, parallel, run_calls, use_backend
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


# ------------------------------------------------------- auto's cross-validation, calibration
def _pid(_):
    return os.getpid()


def _inner_pids(_):
    return run_calls([delayed(_pid)(k) for k in range(3)], worth=0)


def test_run_calls_starts_workers_only_when_the_work_pays_for_them(monkeypatch, cluster):
    monkeypatch.setitem(_parallel._loky, "started", False)
    here = os.getpid()
    # Fast calls stay in this process, and leave loky's workers unstarted.
    assert run_calls([delayed(_pid)(k) for k in range(6)]) == [here] * 6
    assert not _parallel._loky["started"]
    # Work worth more than `worth` seconds: the first call here, the others in workers.
    pids = run_calls([delayed(_pid)(k) for k in range(6)], n_jobs=2, worth=0)
    assert pids[0] == here and here not in pids[1:]
    assert _parallel._loky["started"]
    # A loop inside a worker of another loop (on this machine or a cluster) runs in that
    # worker.
    for backend, scheduler in (("loky", None), ("dask", cluster)):
        with use_backend(backend, scheduler), parallel(2) as run:
            inner = run(delayed(_inner_pids)(k) for k in range(2))
        assert all(len(set(pids)) == 1 and here not in pids for pids in inner)


def _auto_run(**params):
    table = make_leaderboard("generations", n_models=40, random_state=1)[0]
    pool = [("mean", "mean", {}), ("additive", "additive", {}),
            ("mf-1", "mf", {"rank": 1}), ("mf-2", "mf", {"rank": 2, "reg": 3.0}),
            ("soft-impute", "soft-impute", {})]
    auto = make_predictor("auto", candidates=pool, random_state=3, **params).fit(table)
    cells = auto.complete(keep_observed=False, interval=0.8)
    return auto.report_, cells


def test_auto_cross_validates_and_calibrates_alike_in_this_process_and_on_workers(
        cluster, monkeypatch):
    report, cells = _auto_run(n_jobs=1)
    monkeypatch.setitem(_parallel._loky, "started", True)      # no timing: straight to workers
    runs = [_auto_run(n_jobs=2)]
    with use_backend("dask", cluster):
        runs.append(_auto_run())
    for other_report, other_cells in runs:
        assert other_report == report
        pd.testing.assert_frame_equal(other_cells, cells)


def test_complete_calibrating_on_a_dask_scheduler_writes_what_one_process_writes(
        cluster, tmp_path, capsys):
    table = make_leaderboard("generations", n_models=30, random_state=2)[0].to_wide()
    table.index.name = "model"
    table.to_csv(tmp_path / "scores.csv")
    outputs = {}
    for name, extra in (("here", ["--jobs", "1"]),
                        ("dask", ["--backend", "dask", "--scheduler", cluster])):
        outputs[name] = tmp_path / f"{name}.csv"
        # mf: auto's cross-validation on workers is checked above, without the CLI.
        assert cli.main(["complete", str(tmp_path / "scores.csv"), "--method", "mf", "--long",
                         "--interval", "0.8", "-o", str(outputs[name])] + extra) == 0
    capsys.readouterr()
    assert outputs["dask"].read_bytes() == outputs["here"].read_bytes()
    assert cli.main(["complete", str(tmp_path / "scores.csv"), "--param", "n_jobs=0"]) == 2
    assert "n_jobs' of method 'auto' must be None or a whole number of at least 1" \
        in capsys.readouterr().err
