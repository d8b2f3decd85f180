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
