"""The command line starts without the heavy libraries: `scorecast --help` imports neither
pandas, scipy nor scikit-learn, and a command imports only its own module."""

import subprocess
import sys

from scorecast.cli import main as cli

_PROBE = ("import sys; from scorecast.cli.main import main\n"
          "try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
          "print(sorted(m for m in ('pandas', 'scipy', 'sklearn', 'numpy', "
          "'scorecast.cli.benchmark_command') if m in sys.modules), file=sys.stderr)")


def _loaded(argv):
    result = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv)],
                            capture_output=True, text=True, check=True)
    return result.stdout, result.stderr.strip().splitlines()[-1]


def test_help_lists_every_command_without_importing_the_heavy_libraries():
    out, loaded = _loaded(["--help"])
    assert loaded == "[]"
    for name, (_, line) in cli.COMMANDS.items():
        assert name in out and line.split()[0] in out


def test_a_command_imports_only_its_own_module():
    _, loaded = _loaded(["datasets", "--help"])
    assert "scorecast.cli.benchmark_command" not in loaded


def test_each_command_module_agrees_with_the_help_list():
    parser = cli.build_parser()
    actions = [a for a in parser._actions if a.dest == "command"][0]
    helps = {choice.dest: choice.help for choice in actions._choices_actions}
    assert helps == {name: line for name, (_, line) in cli.COMMANDS.items()}


_FIRST_IMPORT = """
import importlib, pkgutil, sys
import scorecast
names = [m.name for m in pkgutil.walk_packages(scorecast.__path__, "scorecast.")
         if not m.name.endswith("__main__")]
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "scorecast" or m.startswith("scorecast.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
print(len(names), failed)
"""


def test_every_module_can_be_the_first_one_imported():
    # A worker process of a parallel loop imports first whatever module its job's function
    # lives in; an import cycle that the usual order hides breaks the loop there.
    result = subprocess.run([sys.executable, "-c", _FIRST_IMPORT], capture_output=True,
                            text=True, check=True)
    count, failed = result.stdout.split(" ", 1)
    assert int(count) > 40 and failed.strip() == "[]"
