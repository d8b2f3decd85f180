"""Saving fitted predictors in a safe format, and loading them back.

A saved predictor is a zip archive holding

``meta.json``
    the format name and version, the scorecast version, and the predictor's
    structure: its class (one of scorecast's own, by registered name), its
    parameters and its fitted attributes, with arrays and tensors referred to
    by key;
``arrays.npz``
    every numeric array (loaded with ``allow_pickle=False``);
``tensors.pt``
    PyTorch state dicts, if the predictor has networks (loaded with
    ``weights_only=True``).

Nothing is unpickled: only classes registered with :func:`persistable` can be
rebuilt, from their JSON description. A file that is not such an archive, or a
damaged one, raises :class:`~scorecast.errors.ScorecastError` and nothing else.
The archive is written to a temporary file that replaces `path` only when
complete.
"""

import io
import json
import os
import sys
import zipfile

import numpy as np
import pandas as pd

from ._io import replacing
from .errors import ScorecastError

__all__ = ["persistable", "save", "load", "load_predictor"]

FORMAT = "scorecast-predictor"
FORMAT_VERSION = 1
_REGISTRY = {}
# A predictor's description is small; a meta.json larger than this is not one (or a zip bomb).
_META_LIMIT = 64 * 2**20


def persistable(cls):
    """Class decorator: allow instances of `cls` in saved predictors.

    The instance's ``__dict__`` is saved and restored as it is; a class may
    define ``_persist_skip`` (attribute names not to save).
    """
    _REGISTRY[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return cls


class _Writer:
    def __init__(self):
        self.arrays, self.tensors = {}, {}

    def encode(self, value, key):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, (float, np.floating)):
            return {"__float__": repr(float(value))}
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                return {"__objects__": [self.encode(v, f"{key}.{i}") for i, v in
                                        enumerate(value.tolist())]}
            self.arrays[key] = value
            return {"__array__": key}
        if isinstance(value, pd.Index):
            return {"__index__": self.encode(value.to_numpy(), key)}
        if isinstance(value, pd.DataFrame):
            return {"__frame__": {
                "index": self.encode(value.index, f"{key}.index"),
                "columns": [self.encode(c, f"{key}.c") for c in value.columns],
                "data": [self.encode(value[c].to_numpy(), f"{key}.{i}")
                         for i, c in enumerate(value.columns)]}}
        if isinstance(value, (list, tuple)):
            items = [self.encode(v, f"{key}.{i}") for i, v in enumerate(value)]
            return items if isinstance(value, list) else {"__tuple__": items}
        if isinstance(value, dict):
            return {"__dict__": [[self.encode(k, f"{key}.k{i}"), self.encode(v, f"{key}.{i}")]
                                 for i, (k, v) in enumerate(value.items())]}
        if _is_torch_module(value):
            self.tensors[key] = {k: v.detach().cpu() for k, v in value.state_dict().items()}
            return {"__module__": _class_name(value), "config": self.encode(value.config, key),
                    "tensors": key}
        name = _class_name(value)
        if name in _REGISTRY:
            skip = getattr(value, "_persist_skip", ())
            state = {k: v for k, v in vars(value).items() if k not in skip}
            return {"__object__": name, "state": self.encode(state, key)}
        raise TypeError(f"cannot save a {type(value).__name__} (at {key})")


class _Reader:
    def __init__(self, arrays, tensors):
        self.arrays, self.tensors = arrays, tensors

    def decode(self, value):
        if not isinstance(value, (dict, list)):
            return value
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        (tag, body), = value.items() if len(value) == 1 else [(None, None)]
        if tag == "__float__":
            return float(body)
        if tag == "__array__":
            return self.arrays[body]
        if tag == "__objects__":
            out = np.empty(len(body), dtype=object)
            out[:] = [self.decode(v) for v in body]
            return out
        if tag == "__index__":
            return pd.Index(self.decode(body))
        if tag == "__frame__":
            columns = [self.decode(c) for c in body["columns"]]
            data = {c: self.decode(d) for c, d in zip(columns, body["data"])}
            return pd.DataFrame(data, index=self.decode(body["index"]), columns=columns)
        if tag == "__tuple__":
            return tuple(self.decode(v) for v in body)
        if tag == "__dict__":
            return {self.decode(k): self.decode(v) for k, v in body}
        if "__module__" in value:
            cls = _lookup(value["__module__"])
            module = cls(**self.decode(value["config"]))
            module.load_state_dict(self.tensors[value["tensors"]])
            module.eval()
            return module
        if "__object__" in value:
            cls = _lookup(value["__object__"])
            obj = cls.__new__(cls)
            obj.__dict__.update(self.decode(value["state"]))
            return obj
        raise ScorecastError(f"unreadable entry in a saved predictor: {str(value)[:80]}")


def _class_name(value):
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


def _lookup(name):
    if name not in _REGISTRY:
        raise ScorecastError(f"a saved predictor names an unknown class {name!r}")
    return _REGISTRY[name]


def _import_torch(path):
    try:
        import torch
    except ImportError:
        raise ScorecastError(f"{path} holds a neural predictor, which needs PyTorch: "
                             "pip install torch==2.13.0") from None
    return torch


def _is_torch_module(value):
    # Only a module that is already imported can be a torch module: never import torch here.
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.nn.Module)


def save(obj, path):
    """Save a fitted predictor (or any persistable object) to `path`.

    The file appears only when complete: it is written beside `path` under a
    temporary name and then renamed.

    Parameters
    ----------
    obj : object
        An instance of a class registered with :func:`persistable`.
    path : str or path-like
    """
    from . import __version__

    writer = _Writer()
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "scorecast": __version__,
            "object": writer.encode(obj, "root")}
    with replacing(path) as temp, zipfile.ZipFile(temp, "w",
                                                  compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", json.dumps(meta))
        buffer = io.BytesIO()
        np.savez(buffer, **writer.arrays)
        archive.writestr("arrays.npz", buffer.getvalue())
        if writer.tensors:
            import torch

            buffer = io.BytesIO()
            torch.save(writer.tensors, buffer)
            archive.writestr("tensors.pt", buffer.getvalue())


def _damaged(path, why):
    return ScorecastError(f"{path}: not a saved scorecast predictor ({why})")


def _read_archive(path):
    """``(meta, arrays, tensors)`` of a saved archive; ScorecastError for anything else."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        for member in ("meta.json", "arrays.npz"):
            if member not in names:
                raise _damaged(path, f"no {member} in the archive")
        if archive.getinfo("meta.json").file_size > _META_LIMIT:
            raise _damaged(path, "its meta.json is too large")
        try:
            meta = json.loads(archive.read("meta.json"))
        except (ValueError, RecursionError):
            raise _damaged(path, "its meta.json is not JSON, or is nested too deeply") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT \
                or not isinstance(meta.get("format_version"), int) or "object" not in meta:
            raise _damaged(path, "its meta.json does not describe one")
        if meta["format_version"] > FORMAT_VERSION:
            raise ScorecastError(f"{path}: saved by a newer scorecast (format version "
                                 f"{meta['format_version']}); upgrade scorecast to read it")
        try:
            with np.load(io.BytesIO(archive.read("arrays.npz")), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except Exception as exc:  # numpy's many errors for a damaged or pickled file
            raise _damaged(path, f"arrays.npz cannot be read: {type(exc).__name__}") from None
        tensors = {}
        if "tensors.pt" in names:
            torch = _import_torch(path)
            try:
                tensors = torch.load(io.BytesIO(archive.read("tensors.pt")), weights_only=True)
            except Exception as exc:  # torch refuses pickled objects with its own errors
                raise _damaged(path, f"tensors.pt holds more than tensors "
                                     f"({type(exc).__name__})") from None
    return meta, arrays, tensors


def load(path):
    """Load what :func:`save` wrote.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    object

    Raises
    ------
    ScorecastError
        If the file is missing, unreadable, not a saved scorecast predictor, or
        damaged; nothing else.
    """
    from . import predictors  # noqa: F401  (registers every class a file may name)

    if os.path.isdir(path):
        raise ScorecastError(f"{path}: is a folder, not a saved predictor")
    try:
        meta, arrays, tensors = _read_archive(path)
    except FileNotFoundError:
        raise ScorecastError(f"{path}: no such file") from None
    except OSError as exc:
        raise ScorecastError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise _damaged(path, "not a zip archive, or a damaged one") from None
    try:
        return _Reader(arrays, tensors).decode(meta["object"])
    except ScorecastError as exc:
        raise ScorecastError(f"{path}: {exc}") from None
    except Exception as exc:  # a damaged description: wrong shapes, keys, types, depth...
        raise _damaged(path, f"its description cannot be rebuilt: {type(exc).__name__}") \
            from None


def load_predictor(path):
    """Load a predictor saved with ``predictor.save(path)``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    ScorePredictor
        Fitted, as it was saved.

    Raises
    ------
    ScorecastError
        If the file does not hold a fitted scorecast predictor (missing,
        unreadable, another kind of file, damaged); nothing else.

    Examples
    --------
    >>> from scorecast import load_predictor
    >>> predictor = load_predictor("model.scorecast")    # doctest: +SKIP
    """
    from .predictors import ScorePredictor

    obj = load(path)
    if not isinstance(obj, ScorePredictor):
        raise _damaged(path, f"it holds a {type(obj).__name__}, not a predictor")
    try:
        n_models, n_tasks = len(obj.models_), len(obj.tasks_)
        full = np.asarray(obj._predict_full(), dtype=float)
        fine = obj.train_scores_.shape == full.shape == (n_models, n_tasks)
    except Exception as exc:  # attributes missing or inconsistent: a damaged description
        raise _damaged(path, f"its fitted state is incomplete ({type(exc).__name__})") from None
    if not fine:
        raise _damaged(path, "its fitted arrays do not match its models and tasks")
    return obj
