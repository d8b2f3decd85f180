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


# Every command: the module that adds it and its line in `scorecast --help`, in that order.
# Only the module of the command being run is imported, so that `scorecast --help` (and
# every command's start) does not wait for pandas, scipy and scikit-learn.
COMMANDS = {
    "complete": ("predict_commands", "fill every missing score of a table"),
    "predict": ("predict_commands", "predict one model (or task), known or new"),
    "methods": ("predict_commands", "list the prediction methods"),
    "suggest": ("suggest_command",
                "which evaluation to run next (expected variance reduction per cost)"),
    "predictability": ("suggest_command",
                       "how well each task is predicted from a model's other scores"),
    "benchmark": ("benchmark_command",
                  "compare methods on held-out scores (the paper's experiments and more)"),
    "importance": ("importance_command",
                   "Shapley values of the model and task factors (the paper's 5.3)"),
    "report": ("report_command", "write a self-contained HTML report of a table"),
    "datasets": ("data_commands", "list, download and summarise the published datasets"),
    "show": ("data_commands", "summarise a score file"),
    "import": ("import_command",
               "read lm-eval, Open LLM Leaderboard, HELM or OpenCompass results"),
}


def command_modules(names=None):
    """The modules that add the sub-commands `names` (default: all), in --help order."""
    import importlib

    modules = dict.fromkeys(COMMANDS[name][0] for name in names or COMMANDS)
    return [importlib.import_module(f".{module}", __package__) for module in modules]


class _Commands:
    """The sub-parsers as the command modules see them: each command's help line is the
    one in COMMANDS."""

    def __init__(self, action):
        self.action = action

    def add_parser(self, name, **kwargs):
        kwargs.setdefault("help", COMMANDS[name][1])
        return self.action.add_parser(name, **kwargs)


def build_parser(argv=None):
    """The parser of `argv`: with only its command's options, or every command's."""
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
    first = argv[0] if argv else None
    if argv is not None and (first is None or first.startswith("-")):
        # `scorecast --help`, `--version` or nothing: the list of commands is enough.
        for name, (_, line) in COMMANDS.items():
            commands.add_parser(name, help=line, add_help=False)
        return parser
    for module in command_modules([first] if first in COMMANDS else None):
        module.add_commands(_Commands(commands))
    return parser


def _run(argv):
    # Only scorecast's own warnings reach the user; numpy's and scikit-learn's say nothing
    # the user can act on (bad input is refused before it can overflow anything).
    warnings.simplefilter("ignore")
    warnings.simplefilter("default", ScorecastWarning)
    warnings.showwarning = _messages.start()  # held until the command's checks pass
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
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
