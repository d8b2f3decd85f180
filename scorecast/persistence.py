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
rebuilt, from their JSON description.
"""

import io
import json
import sys
import zipfile

import numpy as np
import pandas as pd

from .errors import ScorecastError

__all__ = ["persistable", "save", "load"]

FORMAT = "scorecast-predictor"
FORMAT_VERSION = 1
_REGISTRY = {}


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
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", json.dumps(meta))
        buffer = io.BytesIO()
        np.savez(buffer, **writer.arrays)
        archive.writestr("arrays.npz", buffer.getvalue())
        if writer.tensors:
            import torch

            buffer = io.BytesIO()
            torch.save(writer.tensors, buffer)
            archive.writestr("tensors.pt", buffer.getvalue())


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
        If the file is not a saved scorecast predictor.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read("meta.json"))
            with np.load(io.BytesIO(archive.read("arrays.npz")), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            tensors = {}
            if "tensors.pt" in archive.namelist():
                torch = _import_torch(path)
                tensors = torch.load(io.BytesIO(archive.read("tensors.pt")), weights_only=True)
    except FileNotFoundError:
        raise ScorecastError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError):
        raise ScorecastError(f"{path}: not a saved scorecast predictor") from None
    if meta.get("format") != FORMAT or meta.get("format_version", 0) > FORMAT_VERSION:
        raise ScorecastError(f"{path}: not a saved scorecast predictor of a version this "
                             "scorecast can read")
    return _Reader(arrays, tensors).decode(meta["object"])
