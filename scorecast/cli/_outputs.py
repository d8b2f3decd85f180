"""The files a command writes: checked before any work, written atomically, together.

A command claims each output path as soon as its options are parsed (the folder
exists and is writable, the path is not a folder, not read-only, not an input of the
command unless ``--force``, and no two outputs share a file), then writes them
all inside ``with outputs:``; they replace their targets only when every one is
complete (see :mod:`scorecast._io`).
"""

import json
import os
import sys

from .._io import Staged, check_output
from ..errors import OutputError

STDOUT = (None, "-")


def add_force_argument(group):
    group.add_argument("--force", action="store_true",
                       help="allow an output to replace a file this command reads (it is "
                            "replaced only once the output is complete)")


class Outputs:
    """The output files of one command.

    Parameters
    ----------
    args : argparse.Namespace
        The command's options (``--force`` is read from it).
    inputs : iterable of str or path-like
        The files and folders the command reads.
    """

    def __init__(self, args, inputs=()):
        self.force = bool(getattr(args, "force", False))
        self.inputs = [os.fspath(p) for p in inputs if p]
        self._claimed = {}
        self._staged = None

    def claim(self, path, option):
        """Check that `path` (given by `option`) can be written; return it unchanged."""
        if path in STDOUT:
            return path
        target = check_output(path, option, self.inputs, self.force)
        key = os.path.realpath(target)
        if key in self._claimed:
            raise OutputError(f"{self._claimed[key]} and {option} both name {path}; give "
                              "each output its own file")
        self._claimed[key] = option
        return path

    def __enter__(self):
        self._staged = Staged().__enter__()
        return self

    def __exit__(self, kind, exc, traceback):
        return self._staged.__exit__(kind, exc, traceback)

    def path(self, target):
        """The temporary path to write `target` to, inside ``with outputs:``."""
        return self._staged.path(target)

    def table(self, frame, path, index, float_format=None):
        """Write `frame` by the extension of `path`: JSON records for ``.json`` (the index,
        if kept, as a field), else CSV (:meth:`csv`)."""
        if path not in STDOUT and str(path).lower().endswith(".json"):
            # pandas writes numbers to 15 digits (40.200000000000003); read back, Python
            # writes the shortest text that is the same number (40.2). Missing: null.
            records = json.loads((frame.reset_index() if index else frame).to_json(
                orient="records", double_precision=15))
            with open(self.path(path), "w", encoding="utf-8") as handle:
                json.dump(records, handle, indent=1, ensure_ascii=False)
                handle.write("\n")
            return
        self.csv(frame, path, index, float_format)

    def csv(self, frame, path, index, float_format=None):
        """Write `frame` as CSV to `path`, or to standard output for '-' or None."""
        if path in STDOUT:
            # Rendered whole first: a stopped run prints nothing rather than half a table.
            sys.stdout.write(frame.to_csv(index=index, float_format=float_format))
        else:
            frame.to_csv(self.path(path), index=index, float_format=float_format)
