"""Where scorecast's parallel loops run: joblib on a backend chosen once.

Every parallel loop (benchmark folds and seeds, the active protocol's seeds,
factor-importance seeds, ``auto``'s cross-validation, interval calibration's
refits) asks :func:`parallel` for its ``joblib.Parallel`` (or :func:`run_calls`
for loops that first see whether workers are worth starting);
:func:`use_backend` (the CLI's ``--backend`` and ``--scheduler``, or the
environment variables ``SCORECAST_BACKEND`` and ``SCORECAST_SCHEDULER``) says
on what it runs:

- ``loky`` (default): worker processes on this machine;
- ``threading``: threads of this process (no copying of the data; the numeric
  work releases the GIL only in part);
- ``dask``: the workers of a Dask cluster, the one at ``scheduler`` (for
  example ``tcp://10.0.0.5:8786``) or, without one, a local cluster started for
  the block and closed after it;
- ``ray``: a Ray cluster (``scheduler`` is its address; without one Ray starts
  or joins a local one).

Dask and Ray are optional extras (``pip install "scorecast[dask]"``,
``"scorecast[ray]"``), imported only when chosen. Results do not depend on the
backend: every job draws its randomness from its own seed, and the loops key
each result by its job, never by the order results arrive in.
"""

import contextlib
import os
import sys
import time

from .errors import ScorecastError

__all__ = ["BACKENDS", "use_backend", "parallel", "run_calls", "current_backend", "nested"]

BACKENDS = ("loky", "threading", "dask", "ray")
_EXTRAS = {"dask": ("distributed", 'pip install "scorecast[dask]"'),
           "ray": ("ray", 'pip install "scorecast[ray]"')}
# The backend of the innermost use_backend block; None: SCORECAST_BACKEND, else loky.
_active = []
# Whether loky's worker processes (kept by joblib between loops) have been started.
_loky = {"started": False}


def _chosen(backend, scheduler):
    """The backend and scheduler asked for, from the arguments or the environment."""
    if backend is None:
        backend = os.environ.get("SCORECAST_BACKEND") or None
        where = "SCORECAST_BACKEND"
    else:
        where = "backend"
    if scheduler is None:
        scheduler = os.environ.get("SCORECAST_SCHEDULER") or None
    if backend is None:
        backend = "dask" if scheduler else "loky"
    if backend not in BACKENDS:
        raise ScorecastError(f"{where} {backend!r} is not a backend; use one of "
                             f"{', '.join(BACKENDS)}")
    if scheduler and backend not in ("dask", "ray"):
        raise ScorecastError(f"a scheduler address ({scheduler}) needs the dask or ray backend, "
                             f"not {backend}")
    return backend, scheduler


def _import_extra(backend):
    module, hint = _EXTRAS[backend]
    try:
        return __import__(module)
    except ImportError:
        raise ScorecastError(f"the {backend} backend needs {module}: {hint}") from None


@contextlib.contextmanager
def _dask_client(scheduler):
    _import_extra("dask")
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ScorecastError(f"cannot reach the Dask scheduler at {scheduler}: "
                                 f"{exc}") from None
        with client:
            yield client
        return
    # No cluster given: one worker process per core on this machine, on loopback only.
    with LocalCluster(threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


@contextlib.contextmanager
def _ray_session(scheduler):
    ray = _import_extra("ray")
    from ray.util.joblib import register_ray

    register_ray()
    started = not ray.is_initialized()
    if started:
        ray.init(address=scheduler, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        if started:
            ray.shutdown()


@contextlib.contextmanager
def use_backend(backend=None, scheduler=None):
    """Run scorecast's parallel loops on `backend` inside the block.

    Parameters
    ----------
    backend : {"loky", "threading", "dask", "ray"}, optional
        Default: ``$SCORECAST_BACKEND``, else ``dask`` if a scheduler is
        given, else ``loky``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) or Ray
        cluster; default ``$SCORECAST_SCHEDULER``. Without one, ``dask``
        starts a local cluster for the block (one worker process per core).

    Examples
    --------
    >>> from scorecast._parallel import use_backend, current_backend
    >>> with use_backend("threading"):
    ...     current_backend()
    'threading'
    """
    backend, scheduler = _chosen(backend, scheduler)
    with contextlib.ExitStack() as stack:
        if backend == "dask":
            stack.enter_context(_dask_client(scheduler))
        elif backend == "ray":
            stack.enter_context(_ray_session(scheduler))
        _active.append(backend)
        stack.callback(_active.pop)
        yield backend


def current_backend():
    """The backend the parallel loops use here and now."""
    return _active[-1] if _active else _chosen(None, None)[0]


@contextlib.contextmanager
def parallel(n_jobs=None, **options):
    """A ``joblib.Parallel`` on the current backend, for one loop.

    Outside any :func:`use_backend` block the backend comes from the
    environment (and a ``dask`` or ``ray`` one is connected for this loop only).

    Parameters
    ----------
    n_jobs : int, optional
        Workers; default one per core (on ``dask`` and ``ray``: every worker
        of the cluster). 1 runs the loop in this process, whatever the backend.
    **options
        Passed to ``joblib.Parallel`` (``return_as``...).

    Examples
    --------
    >>> from joblib import delayed
    >>> from scorecast._parallel import parallel
    >>> with parallel(2) as run:
    ...     run(delayed(abs)(x) for x in (-1, -2))
    [1, 2]
    """
    from joblib import Parallel, parallel_config

    with contextlib.ExitStack() as stack:
        # Inside a worker of an outer loop the outer loop already uses every core.
        if n_jobs == 1 or nested():
            n_jobs, backend = 1, "sequential"
        else:
            backend = _active[-1] if _active else stack.enter_context(use_backend())
            n_jobs = -1 if n_jobs is None else n_jobs
        # parallel_config, not Parallel(backend=...): it registers joblib's dask and ray
        # backends on first use.
        stack.enter_context(parallel_config(backend=backend))
        yield Parallel(n_jobs=n_jobs, **options)


def nested():
    """True inside a worker of a parallel loop (an inner loop then runs in that worker)."""
    from joblib.parallel import get_active_backend

    backend = get_active_backend()[0]
    if getattr(backend, "nesting_level", 0) > 0:
        return True
    # joblib gives a task on a cluster the cluster's backend at nesting level 0; this
    # process did not choose it (no use_backend block here), so it is one of its workers.
    return type(backend).__name__ in ("DaskDistributedBackend", "RayBackend") and not _active


def run_calls(calls, n_jobs=None, first=1, worth=8.0, done=None, later=0.0):
    """Results of ``joblib.delayed`` `calls`, in order; in parallel when it pays.

    Starting loky's worker processes costs seconds (each imports scorecast and
    its libraries), more than a short loop takes. Until they have been started
    once, the `first` calls therefore run here, timed, and the others go to
    the workers only if, at that pace, they would take more than `worth`
    seconds here. On the other backends (chosen on purpose) every call goes to
    the workers. Which way calls run never changes the results (each call
    carries its own seed).

    Parameters
    ----------
    calls : iterable of (function, args, kwargs)
        From ``joblib.delayed``.
    n_jobs : int, optional
        As for :func:`parallel`; 1 runs every call here.
    first : int, default=1
        Calls timed here before deciding (a representative share of the work).
    worth : float, default=8
        Seconds of remaining work that justify starting workers (about twice
        what starting two of them takes on a small machine: below that, the
        work is done before they are ready).
    done : callable, optional
        Called with no argument after each call returns (a progress bar's update).
    later : float, default=0
        Work expected after this loop that the started workers will also take,
        as a multiple of this loop's (counted in the decision).

    Returns
    -------
    list
    """
    calls = list(calls)
    results = []

    def here(part):
        for function, args, kwargs in part:
            results.append(function(*args, **kwargs))
            if done:
                done()

    if n_jobs == 1 or nested():
        here(calls)
        return results
    loky = current_backend() == "loky"
    if loky and not _loky["started"]:
        start = time.perf_counter()
        here(calls[:first])
        calls = calls[first:]
        pace = (time.perf_counter() - start) / max(first, 1)
        if pace * (len(calls) + later * (len(calls) + first)) < worth:
            here(calls)
            return results
    with parallel(n_jobs, return_as="generator") as run:
        for result in run(calls):
            results.append(result)
            if done:
                done()
    _loky["started"] |= loky
    return results


_CONTROLLER = []


def blas_threads(limit):
    """A context that caps BLAS at `limit` threads (None: no cap).

    threadpoolctl finds the loaded BLAS libraries by scanning the process's
    memory map, which costs about as much as a small factorisation; they are
    found once, and again only after more modules have been imported (one of
    them, PyTorch say, may have brought a BLAS of its own), not on every fit.
    """
    from threadpoolctl import ThreadpoolController

    if limit is None:
        return contextlib.nullcontext()
    if not _CONTROLLER or _CONTROLLER[0][1] != _loaded_libraries():
        _CONTROLLER[:] = [(ThreadpoolController(), _loaded_libraries())]
    return _CONTROLLER[0][0].limit(limits=limit, user_api="blas")


def _loaded_libraries():
    """A cheap sign that libraries may have been loaded since: the modules imported."""
    return len(sys.modules)
