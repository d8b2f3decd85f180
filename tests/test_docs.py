"""The documentation: the site builds offline with every link resolving, and the shell
examples marked ``<!-- example: run -->`` run as written."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
MARK = "<!-- example: run -->"
_BLOCK = re.compile(r"^" + re.escape(MARK) + r"\s*\n```(\w*)\n(.*?)^```", re.M | re.S)


def _pages():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def marked_examples():
    """(page, command) of every command in the marked blocks of README and docs."""
    examples = []
    for page in _pages():
        for language, body in _BLOCK.findall(page.read_text(encoding="utf-8")):
            body = body.replace("\\\n", " ")
            for line in body.splitlines():
                if language == "console":
                    if not line.startswith("$ "):
                        continue          # the command's output
                    line = line[2:]
                line = line.split("  #")[0].strip()
                if line and not line.startswith("#"):
                    examples.append((page.relative_to(ROOT).as_posix(), line))
    return examples


def test_the_site_builds_offline_with_every_link_resolving(tmp_path):
    # --strict turns every warning into an error: a link to a missing page or anchor,
    # a page left out.
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                             str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    built = {p.relative_to(tmp_path / "site").as_posix()
             for p in (tmp_path / "site").rglob("index.html")}
    for page in (ROOT / "docs").glob("*.md"):
        expected = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert expected in built


def test_some_examples_are_marked_to_run():
    pages = {page for page, _ in marked_examples()}
    assert "README.md" in pages and len(pages) >= 3


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with a user's files under the names the examples use."""
    folder = tmp_path_factory.mktemp("examples")
    for source, name in (("leaderboard.csv", "scores.csv"),
                         ("leaderboard_models.csv", "models.csv"),
                         ("leaderboard_tasks.csv", "tasks.csv")):
        shutil.copy(DATA / source, folder / name)
    return folder


@pytest.mark.parametrize("page, command", marked_examples())
def test_marked_example_runs(page, command, workdir):
    words = shlex.split(command)
    assert words[0] in ("scorecast", "python"), f"{page}: not a scorecast example: {command}"
    env = dict(os.environ, MPLBACKEND="Agg",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if words[0] == "python":
        words[0] = sys.executable
    result = subprocess.run(words, cwd=workdir, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"{page}: {command}\n{result.stderr[-2000:]}"
