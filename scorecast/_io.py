"""Writing files safely: complete or not at all, and never onto an input by accident.

Every file scorecast writes goes first to a temporary file in the same folder,
which replaces the target (``os.replace``, atomic on one file system) only once
it is complete: a reader sees the old file or the whole new one, and a run that
stops (an error, Ctrl-C) leaves the target as it was and removes the temporary
file.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError

__all__ = ["Staged", "replacing", "check_output"]


def _mode(target):
    """The permissions the new file gets: the old file's, else what ``open`` would give."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove(path):
    with contextlib.suppress(OSError):
        os.unlink(path)


class Staged:
    """Files written to temporary paths, put in place together when the block ends well.

    Examples
    --------
    >>> with Staged() as staged:                                  # doctest: +SKIP
    ...     frame.to_csv(staged.path("scores.csv"))
    ...     predictor.save(staged.path("model.zip"))
    """

    def __init__(self):
        self._staged = []     # (temporary path, target)

    def path(self, target):
        """A new temporary path beside `target` (same suffix, so formats are still inferred)."""
        target = Path(target)
        try:
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.",
                                            suffix=f".tmp{target.suffix}",
                                            dir=target.parent if str(target.parent) else ".")
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror}") from None
        os.close(handle)
        self._staged.append((temp, target))
        return temp

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        try:
            if kind is None:
                for temp, target in self._staged:
                    os.chmod(temp, _mode(target))
                    os.replace(temp, target)
        except OSError as error:
            raise OutputError(f"cannot write {target}: {error.strerror}") from None
        finally:
            for temp, _ in self._staged:
                _remove(temp)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError) and self._staged:
            # Writing failed half-way (a full disk...): name the file, not the temporary one.
            raise OutputError(f"cannot write {self._staged[-1][1]}: "
                              f"{exc.strerror or exc}") from None
        return False


@contextlib.contextmanager
def replacing(target):
    """Yield a temporary path beside `target` that replaces it when the block ends well.

    Parameters
    ----------
    target : str or path-like

    Yields
    ------
    str
        The path to write to.
    """
    with Staged() as staged:
        yield staged.path(target)


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def check_output(path, option, inputs=(), force=False):
    """Check, before any work, that `path` can be written as an output.

    Parameters
    ----------
    path : str or path-like
        The output file.
    option : str
        What gave it (``-o``, ``--save-predictor``...), for messages.
    inputs : iterable of str or path-like
        The files (and folders) the command reads: an output may not replace
        one of them, nor an existing file inside one of the folders.
    force : bool, default=False
        Allow replacing an input.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OutputError
        For a folder, a missing or read-only folder, a read-only file, or an
        input (without `force`); the message is one line.
    """
    target = Path(path)
    where = f"{option} {path}"
    if not str(path).strip():
        raise OutputError(f"{option}: an empty file name")
    if target.is_dir():
        raise OutputError(f"{where}: is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{where}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{where}: the folder {str(folder)!r} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"{where}: the file is read-only")
    if target.exists() and not force:
        for source in inputs:
            if _same_file(target, source) or (Path(source).is_dir() and _inside(target, source)):
                what = "is an input of this command" if _same_file(target, source) else \
                    f"is a file inside the input folder {str(source)!r}"
                raise OutputError(f"{where} {what}; write elsewhere, or pass --force to "
                                  "replace it")
    return target
