"""Entry point of the ``scorecast`` command: parse, dispatch, turn errors into one line.

Everything that takes time, the imports of the commands included, runs inside
:func:`main`'s error handling: Ctrl-C at any moment ends with one line and exit code
130, bad input with one line and 2, a bug with one line and 1.
"""

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
import warnings

from .. import __version__
from .._parallel import use_backend
from ..errors import ScorecastError, ScorecastWarning
from . import _messages
from ._messages import one_line as _one_line

EXIT_USAGE = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


class UsageError(Exception):
    """The command line itself is wrong."""


def command_modules():
    """The modules that add the sub-commands, in the order of `scorecast --help`."""
    from . import (benchmark_command, data_commands, import_command, importance_command,
                   predict_commands, suggest_command)

    return (predict_commands, suggest_command, benchmark_command, importance_command,
            data_commands, import_command)


def build_parser():
    parser = OneLineParser(
        prog="scorecast",
        description="Predict how large language models will score on benchmarks they have "
                    "not been run on, from a table of the scores that are known.",
        epilog="Run 'scorecast COMMAND --help' for the options of a command. Data "
               "directory: $SCORECAST_DATA, else a per-user cache directory.",
    )
    parser.add_argument("--version", action="version", version=f"scorecast {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=OneLineParser)
    for module in command_modules():
        module.add_commands(commands)
    return parser


def _run(argv):
    # Only scorecast's own warnings reach the user; numpy's and scikit-learn's say nothing
    # the user can act on (bad input is refused before it can overflow anything).
    warnings.simplefilter("ignore")
    warnings.simplefilter("default", ScorecastWarning)
    warnings.showwarning = _messages.start()  # held until the command's checks pass
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    # Commands with parallel loops take --backend; the others never start a cluster.
    with use_backend(args.backend, args.scheduler) if hasattr(args, "backend") \
            else contextlib.nullcontext():
        code = args.func(args) or 0
    _messages.release()
    return code


class _Interrupts:
    """A SIGINT handler that remembers it was called.

    An interrupt is not always a KeyboardInterrupt by the time it reaches :func:`main`:
    numpy, for one, turns one that lands while its C extensions import into an ImportError.
    """

    def __init__(self):
        self.received = False

    def __call__(self, signum, frame):
        self.received = True
        raise KeyboardInterrupt

    def install(self):
        """Handle SIGINT until the returned function is called (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = signal.signal(signal.SIGINT, self)
        return lambda: signal.signal(signal.SIGINT, previous)


def _forget_interrupt():
    """Let the interrupt we handled end the process with our exit code.

    CPython marks a Ctrl-C that lands in code an extension module runs through
    ``PyRun_String`` (Cython modules do, while they are imported) as unhandled, and
    then kills the process with SIGINT at exit, whatever the exit code. Running one
    statement through the same path clears the mark.
    """
    try:
        import ctypes

        ctypes.pythonapi.PyRun_SimpleString(b"pass")
    except (ImportError, AttributeError, OSError):  # not CPython: nothing to clear
        pass


def main(argv=None):
    """Run the command line; return the exit code."""
    workers = os.environ.get("PYTHONWARNINGS")
    interrupts = _Interrupts()
    restore = interrupts.install()
    try:
        os.environ["PYTHONWARNINGS"] = "ignore"  # the same for joblib's worker processes
        with warnings.catch_warnings():
            return _run(argv)
    except UsageError as exc:
        print(_one_line(exc), file=sys.stderr)
        return EXIT_USAGE
    except ScorecastError as exc:
        print(f"scorecast: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("scorecast: interrupted", file=sys.stderr)
        _forget_interrupt()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if interrupts.received:
            print("scorecast: interrupted", file=sys.stderr)
            _forget_interrupt()
            return EXIT_INTERRUPTED
        if os.environ.get("SCORECAST_DEBUG"):
            traceback.print_exc()
        else:
            print(f"scorecast: internal error: {type(exc).__name__}: {_one_line(exc)} (set "
                  "SCORECAST_DEBUG=1 for the traceback and please report it)", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        restore()
        if workers is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = workers
