"""The published score tables: download on first use, check, cache, load.

Three datasets come from the files released with the Collaborative Performance
Prediction paper (pinned to one commit of their public repository):

``cpp-llm``
    72 models x 29 tasks (878 observed scores, 0-100) collected from papers,
    technical reports, model cards and leaderboards, with 13 model factors and
    4 task factors.
``helm-core``
    The 16 core scenarios of the HELM Classic leaderboard x the 85 models that
    have a score on at least one of them (scores 0-1).
``helm-classic``
    All 56 HELM Classic metrics x 88 models, with the bits-per-byte metrics
    marked lower-is-better and each metric's own score range.

A fourth comes from LLM Stats (pinned to one commit of its public repository;
see :mod:`scorecast._llm_stats` for the files and the cleaning):

``llm-stats``
    153 frontier LLMs x 96 tasks (1,665 observed scores, 0-1), mostly the vendors'
    own numbers, with 5 model factors.

A fifth is a snapshot of the Open LLM Leaderboard v2 (pinned to one commit of a public
repository that holds it; see :mod:`scorecast._open_llm_v2`):

``open-llm-v2``
    2,858 open models x the 6 tasks of lm-evaluation-harness's ``leaderboard`` group
    (dense, raw scores 0-1), with 9 model factors.

Files are kept in the data directory: ``$SCORECAST_DATA`` if set, else a per-user
cache directory. Each file lives at ``<data directory>/<folder>/<file name>``: the
folder is ``cpp-llm`` for the CPP files, ``frontier-dev/raw`` for LLM Stats, whose
file names are paths in its repository, and ``open-llm-v2-dev/raw`` for the Open LLM
Leaderboard v2. Every file is checked against its sha256
before use. ``$SCORECAST_DATA_URL`` replaces the download address (a mirror of the
folder; ``file://`` addresses work too).
"""

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse
from urllib.request import url2pathname

import pooch
from tqdm.auto import tqdm

from . import _llm_stats, _open_llm_v2
from .errors import DatasetError, quote_names
from .readers import read_factor_csv, read_scores_csv
from .table import ScoreMatrix

__all__ = ["load", "fetch", "list_datasets", "describe", "data_dir", "is_cached"]

SOURCE_COMMIT = "4c4319a36d38a8eff086559c1a0c751570e6740f"
SOURCE_URL = f"https://raw.githubusercontent.com/Don-Joey/CPP_LLM/{SOURCE_COMMIT}/data/"
FOLDER = "cpp-llm"
SHA256 = {
    "crowdsource_performance.csv":
        "cc8398bd025e4bbb498c2650a9f5f9f4a44299627c20055da757d3a43c415e1d",
    "model_feature.csv": "998da96e13e84e96759ee92805d7102b8eb6186cc750e433b055a87c407bf3d7",
    "benchmark_feature.csv": "da7f5cee65195ecdd4de6efaefc3fda9d2971df8f1839e3f2bdca8133b764797",
    "helm_core.csv": "cf1abd1380309922a8b301e057bfd25c64a4f54ca807dc4c256f82c865d95ac4",
}

# The factor file names three Luminous models without the size the score file gives.
_LUMINOUS_NAMES = {
    "Luminous Base": "Luminous Base-13B",
    "Luminous Extended": "Luminous Extended-30B",
    "Luminous Supreme": "Luminous Supreme-70B",
}
_HELM_CORE_TASKS = 16
CPP_CREDIT = ("the CPP_LLM repository by Zhang et al. (github.com/Don-Joey/CPP_LLM), released "
              "with Collaborative Performance Prediction for LLMs (EMNLP 2024)")
CPP_LICENSE = "not stated in its README: see the repository (github.com/Don-Joey/CPP_LLM)"
# Where each folder's files come from, and their published sha256.
_SOURCES = {FOLDER: (SOURCE_URL, SHA256),
            _llm_stats.FOLDER: (_llm_stats.SOURCE_URL, _llm_stats.SHA256),
            _open_llm_v2.FOLDER: (_open_llm_v2.SOURCE_URL, _open_llm_v2.SHA256)}
_CPP = {"credit": CPP_CREDIT, "license": CPP_LICENSE}
_PROGRESS_FROM = 20  # missing files from which fetch shows a progress bar


@dataclass(frozen=True)
class Dataset:
    """A published dataset: name, one-line description, files, credit, license, changes.

    ``changes`` says how scorecast changed the published data; ``folder`` is where the
    files sit in the data directory.
    """

    name: str
    description: str
    files: tuple
    credit: str
    license: str
    changes: str = ""
    folder: str = FOLDER


def data_dir():
    """Return the data directory: ``$SCORECAST_DATA``, else a per-user cache directory.

    Returns
    -------
    pathlib.Path
    """
    configured = os.environ.get("SCORECAST_DATA")
    return Path(configured).expanduser() if configured else Path(pooch.os_cache("scorecast"))


def _source_url(default):
    url = os.environ.get("SCORECAST_DATA_URL") or default
    return url if url.endswith("/") else url + "/"


def _copy_or_download(url, output_file, pooch_obj, check_only=False):
    """Pooch downloader that also serves ``file://`` addresses (local mirrors)."""
    if url.startswith("file:"):
        source = Path(url2pathname(urlparse(url).path))
        if check_only:
            return source.is_file()
        with open(source, "rb") as src, open(output_file, "wb") as dst:
            dst.write(src.read())
        return None
    downloader = pooch.HTTPDownloader(progressbar=sys.stderr.isatty(), timeout=60)
    return downloader(url, output_file, pooch_obj, check_only=check_only)


def _fetch_file(folder, filename):
    address, checksums = _SOURCES[folder]
    target = data_dir() / folder / filename
    url = _source_url(address) + quote(filename)
    try:
        path = pooch.retrieve(url, known_hash=f"sha256:{checksums[filename]}",
                              fname=target.name, path=target.parent,
                              downloader=_copy_or_download)
    except Exception as exc:  # any transport or checksum failure ends the same way
        reason = _reason(exc)
        if "hash" in reason.lower():
            raise DatasetError(
                f"{filename} from {url} does not match its published sha256 "
                f"{checksums[filename]}; the source may have changed or the download was cut"
            ) from None
        state = ("is not the published file (sha256 differs)" if target.exists()
                 else "is not in the data directory")
        raise DatasetError(
            f"{filename} {state} and could not be downloaded from {url} ({reason}); "
            f"place the file at {target}, or point SCORECAST_DATA at a folder holding "
            f"{folder}/{filename}"
        ) from None
    return Path(path)


def _reason(exc):
    """A short reason for a failed download (the transport's own messages run long)."""
    name = type(exc).__name__
    if name in ("ConnectionError", "Timeout", "ConnectTimeout", "ReadTimeout"):
        return "no network connection to the source"
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {exc.filename}"
    lines = str(exc).strip().splitlines()
    text = re.sub(r"\s+", " ", lines[0]) if lines else name
    return text if len(text) <= 160 else text[:157] + "..."


def _load_cpp_llm(paths):
    model_factors = read_factor_csv(paths["model_feature.csv"], "model")
    unmatched = [n for n in _LUMINOUS_NAMES if n not in model_factors.index]
    if unmatched:
        raise DatasetError(f"model_feature.csv no longer names {quote_names(unmatched)}")
    model_factors = model_factors.rename(index=_LUMINOUS_NAMES)
    task_factors = read_factor_csv(paths["benchmark_feature.csv"], "task", transpose=True)
    scores, _ = read_scores_csv(paths["crowdsource_performance.csv"])
    return ScoreMatrix(scores, model_factors=model_factors, task_factors=task_factors,
                       factor_kinds={"model": {"Finetuning": "boolean"}},
                       score_range=(0, 100), on_empty="error", name="cpp-llm")


def _helm_range(metric):
    """A HELM metric's score range, from what the metric measures."""
    if re.search(r"BPB|Density|Compression", metric):
        return (0, float("inf"))
    if re.search(r"SummaC|BERTScore", metric):
        return (-1, 1)
    if "QAFactEval" in metric:
        return (0, 5)
    if re.search(r"HumanEval-(relevance|coherence)", metric):
        return (1, 5)
    return (0, 1)


def _load_helm(paths, core):
    scores, _ = read_scores_csv(paths["helm_core.csv"], transpose=True)
    problems = []
    if core:
        scores = scores.iloc[:, :_HELM_CORE_TASKS]
        unscored = scores.index[scores.isna().all(axis=1)].tolist()
        scores = scores.drop(index=unscored)
        problems.append(f"{len(unscored)} HELM model(s) without a core score are not in "
                        f"helm-core: {quote_names(unscored)}")
    lower_is_better = [m for m in scores.columns if "BPB" in m]
    ranges = {m: _helm_range(m) for m in scores.columns}
    return ScoreMatrix(scores, score_range=ranges, lower_is_better=lower_is_better,
                       on_empty="error", name="helm-core" if core else "helm-classic",
                       problems=problems)


_DATASETS = {
    "cpp-llm": (Dataset("cpp-llm", "72 LLMs x 29 tasks (878 scores, 0-100) with 13 model "
                        "factors and 4 task factors, from the CPP paper",
                        ("crowdsource_performance.csv", "model_feature.csv",
                         "benchmark_feature.csv"), **_CPP,
                        changes="scorecast gives three Luminous models of the factor file "
                                "the size that the score file names"), _load_cpp_llm),
    "helm-core": (Dataset("helm-core", "HELM Classic: the 16 core scenarios x the 85 models "
                          "scored on them (0-1)", ("helm_core.csv",), **_CPP,
                          changes="scorecast keeps the 16 core scenarios and leaves out the "
                                  "3 models without a core score"),
                  lambda paths: _load_helm(paths, core=True)),
    "helm-classic": (Dataset("helm-classic", "HELM Classic: all 56 metrics x 88 models, "
                             "bits-per-byte metrics lower-is-better", ("helm_core.csv",), **_CPP,
                             changes="none; scorecast marks the bits-per-byte metrics "
                                     "lower-is-better"),
                     lambda paths: _load_helm(paths, core=False)),
    "llm-stats": (Dataset("llm-stats", "LLM Stats: 153 frontier LLMs x 96 tasks (1,665 "
                          "scores, 0-1), mostly vendor-reported, with 5 model factors",
                          tuple(_llm_stats.SHA256), credit=_llm_stats.CREDIT,
                          license=_llm_stats.LICENSE, changes=_llm_stats.CHANGES,
                          folder=_llm_stats.FOLDER), _llm_stats.load),
    "open-llm-v2": (Dataset("open-llm-v2", "Open LLM Leaderboard v2: 2,858 open models x the 6 "
                            "lm-evaluation-harness leaderboard_* tasks (dense, 0-1), with 9 "
                            "model factors", (_open_llm_v2.FILE,), credit=_open_llm_v2.CREDIT,
                            license=_open_llm_v2.LICENSE, changes=_open_llm_v2.CHANGES,
                            folder=_open_llm_v2.FOLDER), _open_llm_v2.load),
}


def _dataset(name):
    try:
        return _DATASETS[name]
    except KeyError:
        raise DatasetError(
            f"unknown dataset {name!r}; the datasets are {quote_names(_DATASETS)}"
        ) from None


def list_datasets():
    """Return the published datasets.

    Returns
    -------
    list of Dataset
    """
    return [entry for entry, _ in _DATASETS.values()]


def describe(name):
    """Return the :class:`Dataset` record of `name`."""
    return _dataset(name)[0]


def is_cached(name):
    """Return True if every file of dataset `name` is in the data directory."""
    record = _dataset(name)[0]
    return all((data_dir() / record.folder / f).is_file() for f in record.files)


def fetch(name):
    """Make sure the files of dataset `name` are in the data directory.

    Downloads what is missing (with a progress bar when many files are), checks
    every file's sha256.

    Parameters
    ----------
    name : str
        A dataset name (see :func:`list_datasets`).

    Returns
    -------
    dict of str to pathlib.Path
        File name to local path.

    Raises
    ------
    DatasetError
        If the name is unknown, or a file is missing and cannot be downloaded,
        or does not match its checksum.
    """
    record, _ = _dataset(name)
    folder = data_dir() / record.folder
    missing = sum(not (folder / f).is_file() for f in record.files)
    many = missing >= _PROGRESS_FROM
    logger = pooch.get_logger()
    level = logger.level
    if many:  # the bar replaces pooch's line per downloaded file
        logger.setLevel("WARNING")
    try:
        with tqdm(record.files, desc=f"fetching {name}", unit="file",
                  disable=None if many else True) as files:
            return {filename: _fetch_file(record.folder, filename) for filename in files}
    finally:
        logger.setLevel(level)


def load(name):
    """Load a published dataset as a :class:`~scorecast.ScoreMatrix`.

    Parameters
    ----------
    name : {"cpp-llm", "helm-core", "helm-classic", "llm-stats", "open-llm-v2"}

    Returns
    -------
    ScoreMatrix

    Examples
    --------
    >>> from scorecast import datasets
    >>> table = datasets.load("cpp-llm")   # doctest: +SKIP
    >>> table.shape, table.n_observed      # doctest: +SKIP
    ((72, 29), 878)
    """
    _, loader = _dataset(name)
    return loader(fetch(name))
