"""Entry point of the ``scorecast`` command: parse, dispatch, turn errors into one line."""

import argparse
import os
import sys
import traceback
import warnings

from .. import __version__
from ..errors import ScorecastError
from . import (benchmark_command, data_commands, import_command, importance_command,
               predict_commands, suggest_command)

# Each module adds its sub-commands; the order here is the order of `scorecast --help`.
COMMAND_MODULES = (predict_commands, suggest_command, benchmark_command, importance_command,
                   data_commands, import_command)

EXIT_USAGE = 2
EXIT_INTERNAL = 1


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


class UsageError(Exception):
    """The command line itself is wrong."""


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
    for module in COMMAND_MODULES:
        module.add_commands(commands)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"scorecast: warning: {message}", file=sys.stderr)


def main(argv=None):
    """Run the command line; return the exit code."""
    parser = build_parser()
    warnings.showwarning = _show_warning
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return args.func(args) or 0
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except ScorecastError as exc:
        print(f"scorecast: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("scorecast: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if os.environ.get("SCORECAST_DEBUG"):
            traceback.print_exc()
        else:
            print(f"scorecast: internal error: {type(exc).__name__}: {exc} (set "
                  "SCORECAST_DEBUG=1 for the traceback and please report it)", file=sys.stderr)
        return EXIT_INTERNAL
